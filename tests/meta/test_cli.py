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
# escalc + rma on the CSV tables (data/*.csv, data/edge_*.csv) with the command's control
# (threshold 1e-12, maxiter 10000, metafor's default tol): make_reference.R, "csv_fits"
CASES = reference()["csv_fits"]
KEYS = ("k", "estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "h2", "q", "q_p", "stat", "p")


def _run(args: list[str]) -> dict:
    result = CliRunner().invoke(evsynth.cli.app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # notes go to stderr; stdout is pure JSON


def _id(f: dict) -> str:
    return (f"{f['file'][:-4]}-{f['measure']}-{f['method']}-{'knha' if f['knha'] else 'z'}-{f['level']:g}-"
            f"{'+'.join(f['mods']) or '1'}")


@pytest.mark.parametrize("f", CASES, ids=_id)
def test_cli_json_matches_metafor(f: dict) -> None:
    args = ["meta", str(DATA / f["file"]), "--measure", f["measure"], "--method", f["method"], "--level",
            str(f["level"]), "--format", "json"]
    if f["knha"]:
        args.append("--knha")
    for m in f["mods"]:
        args += ["--moderator", m]
    out = _run(args)
    r = f["result"]
    what = _id(f)
    assert set(KEYS) <= set(out)
    close([out[k] for k in KEYS], [r[k] for k in KEYS], what)
    names = list(np.atleast_1d(r["names"]))
    if len(names) > 1:
        assert [c["name"] for c in out["coefficients"]] == names
        close([c["estimate"] for c in out["coefficients"]], r["b"], what + " coefficients")
        close([c["se"] for c in out["coefficients"]], r["se_b"], what + " coefficient se")
        close([out["qm"], out["r2"]], [r["qm"], r["r2"]], what + " QM, R2")
    else:
        assert "coefficients" not in out
    # what metafor warns about, evsynth says too
    if r["omitted"]:
        note = next(w for w in out["warnings"] if "left out of the analysis" in w)
        assert note.startswith(f"{r['omitted']} row(s)")
    else:
        assert not any("left out of the analysis" in w for w in out["warnings"])
    dropped = list(np.atleast_1d(r["dropped"])) if r["dropped"] else []
    if dropped:
        assert any("redundant predictors dropped" in w and all(d in w for d in dropped) for w in out["warnings"])


def test_reference_covers_the_edge_cases() -> None:
    files = {f["file"] for f in CASES}
    assert {"edge_missing.csv", "edge_levels.csv", "edge_redundant.csv", "edge_smd.csv", "edge_binary.csv",
            "edge_prop.csv", "edge_k1.csv", "edge_k2.csv", "edge_identical.csv", "edge_kp.csv"} <= files
    assert reference()["csv_control"] == {"threshold": 1e-12, "maxiter": 10000}
    assert not [f for f in CASES if "error" in f]
    assert any(f["result"]["omitted"] for f in CASES) and any(f["result"]["dropped"] for f in CASES)


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
    ("study,yi,vi\na,0.1,0.2\nb,0.3,-0.1\n", 3, "vi"),
    ("study,yi,vi\na,0.1,0.2\nb,0.3,0.1\nc,,0\nd,0.5,0\n", 5, "vi"),  # c (no yi) is left out, d is not
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


def test_cli_leaves_out_rows_with_missing_values_and_says_which(tmp_path) -> None:
    path = tmp_path / "na.csv"
    path.write_text("study,yi,vi,x\na,0.1,0.04,1\nb,,0.05,2\nc,0.3,NA,3\nd,0.5,0.06,NaN\ne,0.2,0.05,4\n"
                    "f,0.7,0.03,5\n", encoding="utf-8")
    out = _run(["meta", str(path), "--moderator", "x", "--format", "json"])
    assert out["k"] == 3
    note = out["warnings"][0]
    assert note.startswith("3 row(s) with missing values left out of the analysis")
    for piece in ("line 3 (b): yi missing", "line 4 (c): vi missing", "line 5 (d): x missing"):
        assert piece in note
    text = CliRunner().invoke(evsynth.cli.app, ["meta", str(path), "--moderator", "x"]).output
    assert "warning: 3 row(s) with missing values left out" in text
    json_run = CliRunner().invoke(evsynth.cli.app, ["meta", str(path), "--moderator", "x", "--format", "json"])
    assert json.loads(json_run.stdout)["k"] == 3
    assert "note: 3 row(s) with missing values left out" in json_run.stderr


def test_missing_values_as_errors_and_nothing_left(tmp_path) -> None:
    from evsynth.errors import InputError
    from evsynth.meta import meta_from_csv

    path = tmp_path / "na.csv"
    path.write_text("study,yi,vi\na,0.1,0.04\nb,,0.05\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        meta_from_csv(path, missing="error")
    assert info.value.line == 3 and info.value.field == "yi" and str(path) in str(info.value)
    path.write_text("study,yi,vi\na,NA,0.04\nb,,0.05\n", encoding="utf-8")
    with pytest.raises(InputError, match="no row is left"):
        meta_from_csv(path)
