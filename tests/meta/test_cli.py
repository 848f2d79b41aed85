"""``evsynth meta FILE.csv ...`` against metafor 3.8-1 (escalc + rma) on metafor's own data sets."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import evsynth.cli
from evsynth.cli import main

from ._ref import REF_DIR, close, reference

DATA = REF_DIR / "data"
# reference data set -> (CSV, --measure)
FILES = {
    "bcg": ("bcg.csv", "RR"), "bcg_rd": ("bcg.csv", "RD"), "bcg_or": ("bcg.csv", "OR"),
    "normand_md": ("normand.csv", "MD"), "normand_smd": ("normand.csv", "SMD"), "li_or": ("li2007.csv", "OR"),
    "pritz_plo": ("pritz1997.csv", "PLO"), "pritz_pr": ("pritz1997.csv", "PR"), "pritz_pft": ("pritz1997.csv", "PFT"),
    "raudenbush": ("raudenbush.csv", "GEN"),
}
CASES = [f for f in reference()["fits"] if f["dataset"] in FILES]
KEYS = ("k", "estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "h2", "q", "q_p", "stat", "p")


def _run(args: list[str]) -> dict:
    result = CliRunner().invoke(evsynth.cli.app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f"{f['dataset']}-{f['method']}-{f['knha']}-{'+'.join(f['mods'])}")
def test_cli_json_matches_metafor(f: dict) -> None:
    csv, measure = FILES[f["dataset"]]
    args = ["meta", str(DATA / csv), "--measure", measure, "--method", f["method"], "--format", "json"]
    if f["knha"]:
        args.append("--knha")
    for m in f["mods"]:
        args += ["--moderator", m]
    out = _run(args)
    r = f["result"]
    assert set(KEYS) <= set(out)
    b, se = np.atleast_1d(r["b"]), np.atleast_1d(r["se"])
    close([out["k"], out["estimate"], out["se"], out["ci_low"], out["ci_high"], out["tau2"], out["i2"], out["h2"],
           out["q"], out["q_p"], out["stat"], out["p"]],
          [r["k"], b[0], se[0], np.atleast_1d(r["ci_lb"])[0], np.atleast_1d(r["ci_ub"])[0], r["tau2"], r["I2"],
           r["H2"], r["QE"], r["QEp"], np.atleast_1d(r["zval"])[0], np.atleast_1d(r["pval"])[0]], "cli")
    if not f["mods"]:
        close([out["pi_low"], out["pi_high"]], [r["pred"]["pi_lb"], r["pred"]["pi_ub"]], "cli PI")
    else:
        assert [c["name"] for c in out["coefficients"]] == ["intrcpt", *f["mods"]]
        close([c["estimate"] for c in out["coefficients"]], r["b"], "cli coefficients")
        close([c["se"] for c in out["coefficients"]], r["se"], "cli coefficient se")
        close([out["qm"], out["r2"]], [r["QM"], r["R2"]], "cli QM, R2")


def test_cli_text_like_print_rma() -> None:
    result = CliRunner().invoke(evsynth.cli.app, ["meta", str(DATA / "bcg.csv"), "--measure", "RR", "--method",
                                                  "REML", "--moderator", "ablat", "--knha"])
    assert result.exit_code == 0, result.output
    text = result.output
    for piece in ("Mixed-Effects Model (k = 13", "tau^2 estimator: REML", "R^2", "Test of Moderators",
                  "F(df1 = 1, df2 = 11)", "intrcpt", "ablat", "tval"):
        assert piece in text, piece


def test_cli_default_is_reml_z(tmp_path) -> None:
    ref = next(f for f in reference()["fits"] if f["dataset"] == "raudenbush" and f["method"] == "REML"
               and not f["knha"] and not f["mods"])
    out = _run(["meta", str(DATA / "raudenbush.csv"), "--format", "json"])
    close(out["tau2"], ref["result"]["tau2"])
    assert out["method"] == "REML" and out["stat_name"] == "z"


@pytest.mark.parametrize("content, line, field", [
    ("study,yi,vi\na,0.1,0.2\nb,0.3,0\n", 3, "vi"),
    ("study,yi,vi\na,0.1,0.2\nb,,0.1\n", 3, "yi"),
    ("study,yi,vi\na,0.1,0.2\nb,x,0.1\n", 3, "yi"),
    ("study,yi\na,0.1\n", None, "vi"),
])
def test_cli_bad_input_exit_code_and_location(tmp_path, capsys, content, line, field) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["meta", str(path), "--measure", "GEN"])
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "bad.csv" in err and f"'{field}'" in err
    if line is not None:
        assert f"line {line}" in err


def test_cli_zero_variance_from_raw_columns(tmp_path, capsys) -> None:
    path = tmp_path / "md.csv"
    path.write_text("study,m1i,sd1i,n1i,m2i,sd2i,n2i\nA,1,1,10,2,1,10\nB,1,0,10,2,0,10\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["meta", str(path), "--measure", "MD"])
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "line 3" in err and "B" in err
