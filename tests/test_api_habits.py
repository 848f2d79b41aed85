"""metafor habits in the Python API and the CLI, checked against metafor 3.8-1.

``escalc`` from a DataFrame and column names, ``predict(transf=...)`` (ratios as ratios,
logits as proportions), ``MetaResult.to_frame()`` with τ², I², Q and labelled rows, and
``evsynth meta --transf``. Reference values: ``tests/reference/api`` (script and versions there).
"""

from __future__ import annotations

import doctest
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import evsynth as ev
from evsynth.cli import app
from evsynth.effects import transf_ilogit
from evsynth.errors import InputError

REF_DIR = Path(__file__).parent / "reference" / "api"
REF = json.loads((REF_DIR / "reference.json").read_text(encoding="utf-8"))
BCG_CSV = Path(__file__).parent / "reference" / "metafor" / "data" / "bcg.csv"
RTOL = 1e-8


@pytest.fixture(scope="module")
def bcg() -> pd.DataFrame:
    frame = pd.read_csv(BCG_CSV)
    frame["n1"] = frame["ai"] + frame["bi"]
    return frame


def _close(actual, expected, what: str) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=RTOL,
                               atol=1e-10, err_msg=what)


def _effects(case: dict, frame: pd.DataFrame) -> ev.EffectSizes:
    if case["measure"] == "PLO":
        return ev.escalc("PLO", xi="ai", ni="n1", data=frame, slab="study")
    return ev.escalc(case["measure"], ai="ai", bi="bi", ci="ci", di="di", data=frame, slab="study")


@pytest.mark.parametrize("name", ["RR_REML", "RR_DL", "OR_REML", "OR_DL", "PLO_REML"])
def test_escalc_from_a_data_frame_and_column_names(name, bcg):
    case = REF["cases"][name]
    es = _effects(case, bcg)
    assert list(es.labels) == case["slab"]
    _close(es.yi, case["yi"], f"{name} yi")
    _close(es.vi, case["vi"], f"{name} vi")
    table = es.to_frame()
    _close(table["yi"], case["yi"], f"{name} frame yi")
    assert list(table["label"]) == case["slab"]


@pytest.mark.parametrize("name", ["RR_REML", "RR_DL", "OR_REML", "OR_DL", "PLO_REML"])
def test_predict_back_transforms_like_metafor(name, bcg):
    case = REF["cases"][name]
    es = _effects(case, bcg)
    res = ev.fit(es.yi, es.vi, method=case["method"], measure=case["measure"], labels=list(es.labels))
    key = "predict_ilogit" if case["measure"] == "PLO" else "predict_exp"
    expected = case[key]
    for transf in ("auto", key.split("_")[1], np.exp if key == "predict_exp" else transf_ilogit):
        pred = res.predict(transf=transf)
        for ours, theirs in (("estimate", "pred"), ("ci_low", "ci.lb"), ("ci_high", "ci.ub"), ("pi_low", "pi.lb"),
                             ("pi_high", "pi.ub")):
            _close(getattr(pred, ours), [expected[theirs]], f"{name} {ours} transf={transf}")
        assert np.isnan(pred.se).all()
    plain = res.predict()
    _close(plain.estimate, [case["predict"]["pred"]], f"{name} untransformed")


def test_predict_newmods_with_transf(bcg):
    case = REF["cases"]["RR_REML_ablat"]
    es = ev.escalc("RR", ai="ai", bi="bi", ci="ci", di="di", data=bcg, slab="study")
    res = ev.fit(es.yi, es.vi, measure="RR", moderators=bcg["ablat"].to_numpy(dtype=float))
    pred = res.predict(newmods=case["newmods"], transf="exp")
    exp = case["predict_exp"]
    _close(pred.estimate, exp["pred"], "estimate")
    _close(pred.ci_low, exp["ci.lb"], "ci_low")
    _close(pred.pi_high, exp["pi.ub"], "pi_high")
    assert pred.transf == "exp"


def test_to_frame_has_heterogeneity_and_labelled_rows(bcg):
    case = REF["cases"]["RR_REML"]
    es = _effects(case, bcg)
    res = ev.fit(es.yi, es.vi, measure="RR", labels=list(es.labels))
    frame = res.to_frame()
    assert list(frame.index) == ["intrcpt"]
    row = frame.loc["intrcpt"]
    m = case["model"]
    _close([row["estimate"], row["se"], row["ci_low"], row["ci_high"], row["stat"], row["p"]],
           [m["b"], m["se"], m["ci.lb"], m["ci.ub"], m["zval"], m["pval"]], "coefficients")
    _close([row["tau2"], row["i2"], row["h2"], row["q"], row["q_p"]], [m["tau2"], m["I2"], m["H2"], m["QE"], m["QEp"]],
           "heterogeneity")
    assert row["k"] == m["k"] and row["q_df"] == m["k"] - 1
    _close([row["pi_low"], row["pi_high"]], [case["predict"]["pi.lb"], case["predict"]["pi.ub"]], "prediction interval")
    ratios = res.to_frame(transf="auto").loc["intrcpt"]
    _close([ratios["estimate"], ratios["ci_low"], ratios["ci_high"], ratios["pi_low"], ratios["pi_high"]],
           [case["predict_exp"][k] for k in ("pred", "ci.lb", "ci.ub", "pi.lb", "pi.ub")], "to_frame(transf)")
    assert ratios["transf"] == "exp"


def test_to_frame_of_a_meta_regression_labels_each_coefficient(bcg):
    res = ev.fit(np.log([0.5, 0.7, 0.9, 0.4, 1.1]), [0.1, 0.2, 0.15, 0.3, 0.12], measure="RR",
                 moderators={"ablat": [44, 55, 42, 52, 13]})
    frame = res.to_frame()
    assert list(frame.index) == ["intrcpt", "ablat"]
    assert frame["tau2"].nunique() == 1 and frame.loc["ablat", "estimate"] == res.coefficients[1].estimate
    with pytest.raises(InputError):
        res.to_frame(transf="exp")  # a slope is not a ratio


def test_column_names_need_data_and_must_exist(bcg):
    with pytest.raises(InputError, match="no data="):
        ev.escalc("RR", ai="ai", bi="bi", ci="ci", di="di")
    with pytest.raises(InputError, match="'tpos'.*no such column"):
        ev.escalc("RR", ai="tpos", bi="bi", ci="ci", di="di", data=bcg)
    with pytest.raises(InputError, match="unknown transf"):
        ev.fit([0.1, 0.2], [0.1, 0.1]).predict(transf="log10")
    # arrays still work beside data=, and a mapping of columns is data too
    mixed = ev.escalc("RR", ai=bcg["ai"].to_numpy(), bi="bi", ci="ci", di="di", data=dict(bcg.items()))
    _close(mixed.yi, REF["cases"]["RR_REML"]["yi"], "mixed")


def test_measures_without_a_natural_back_transform_stay_as_fitted():
    res = ev.fit([0.1, 0.3, 0.2], [0.01, 0.02, 0.015], measure="MD")
    assert res.predict(transf="auto").transf is None
    _close(res.predict(transf="auto").estimate, res.predict().estimate, "MD")


def test_cli_meta_back_transforms_log_measures(bcg, tmp_path):
    runner = CliRunner()
    ref = REF["cases"]["RR_REML"]["predict_exp"]
    r = runner.invoke(app, ["meta", str(BCG_CSV), "--measure", "RR", "--format", "json"])
    assert r.exit_code == 0, r.output
    back = json.loads(r.stdout)["transformed"]
    assert back["transf"] == "exp"
    _close([back["estimate"], back["ci_low"], back["ci_high"], back["pi_low"], back["pi_high"]],
           [ref[k] for k in ("pred", "ci.lb", "ci.ub", "pi.lb", "pi.ub")], "cli json")
    text = runner.invoke(app, ["meta", str(BCG_CSV), "--measure", "RR"]).output
    assert "predict(res, transf = exp)" in text
    assert " ".join(f"{ref[k]:.4f}" for k in ("pred", "ci.lb", "ci.ub", "pi.lb", "pi.ub")) in " ".join(text.split())
    none = runner.invoke(app, ["meta", str(BCG_CSV), "--measure", "RR", "--transf", "none", "--format", "json"])
    assert "transformed" not in json.loads(none.stdout)
    # a GEN table has no natural back-transformation; asked for, exp is applied
    gen = tmp_path / "gen.csv"
    gen.write_text("study,yi,vi\na,-0.5,0.1\nb,-0.2,0.2\nc,-0.9,0.15\n", encoding="utf-8")
    auto = json.loads(runner.invoke(app, ["meta", str(gen), "--format", "json"]).stdout)
    assert "transformed" not in auto
    asked = json.loads(runner.invoke(app, ["meta", str(gen), "--transf", "exp", "--format", "json"]).stdout)
    assert asked["transformed"]["estimate"] == pytest.approx(np.exp(asked["estimate"]))


@pytest.mark.parametrize("module", ["evsynth.effects.escalc", "evsynth.meta.models"])
def test_docstring_examples_run(module):
    import evsynth.effects  # noqa: F401  (loads both modules)
    import evsynth.meta  # noqa: F401

    result = doctest.testmod(sys.modules[module], optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
