"""Every effect measure, back-transformation and conversion against R (tests/reference/escalc/).

The reference JSON was made by ``tests/reference/escalc/make_reference.R`` with
metafor 3.8-1; R is not needed to run these tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evsynth.effects import (
    MEASURES,
    ci_to_sd,
    ci_to_vi,
    ci_to_yi,
    conv_fivenum,
    escalc,
    se_to_sd,
    transf_iarcsin,
    transf_ilogit,
    transf_ipft,
    transf_ipft_hm,
    transf_pft,
)

REF = Path(__file__).resolve().parents[1] / "reference" / "escalc" / "escalc_reference.json"
DATA = json.loads(REF.read_text(encoding="utf-8"))
CASES = {c["name"]: c for c in DATA["cases"]}


def _num(values: Any) -> np.ndarray:
    conv = {"NA": np.nan, "NaN": np.nan, "Inf": np.inf, "-Inf": -np.inf}
    if not isinstance(values, list):
        values = [values]
    return np.array([conv[v] if isinstance(v, str) else v for v in values], dtype=float)


def _args(case: dict[str, Any]) -> dict[str, Any]:
    return case["args"] if isinstance(case["args"], dict) else {}


def _inputs(case: dict[str, Any]) -> dict[str, np.ndarray]:
    return {k: _num(v) for k, v in case["inputs"].items()}


def _close(actual: Any, expected: Any) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), _num(expected), rtol=1e-10, atol=1e-10,
                               equal_nan=True)


def test_reference_made_with_metafor_3_8_1() -> None:
    assert DATA["metafor_version"] == "3.8.1"
    assert (REF.parent / "make_reference.R").is_file()
    assert "metafor_3.8-1" in (REF.parent / "sessionInfo.txt").read_text()


def test_every_measure_has_reference_cases() -> None:
    covered = {c["measure"] for c in DATA["cases"]}
    assert set(MEASURES) <= covered


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c["measure"] in MEASURES])
def test_escalc_matches_metafor(name: str) -> None:
    case = CASES[name]
    es = escalc(case["measure"], **_inputs(case), **_args(case))
    _close(es.yi, case["yi"])
    _close(es.vi, case["vi"])


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c["measure"] == "transf"])
def test_back_transformations_match_metafor(name: str) -> None:
    case = CASES[name]
    x = _inputs(case)
    fn = {
        "transf_ilogit": lambda: transf_ilogit(x["x"]),
        "transf_iarcsin": lambda: transf_iarcsin(x["x"]),
        "transf_ipft": lambda: transf_ipft(x["x"], x["ni"]),
        "transf_ipft_hm": lambda: transf_ipft_hm(x["x"], x["ni"]),
        "transf_pft": lambda: transf_pft(x["x"], x["ni"]),
    }[name]
    _close(fn(), case["yi"])


@pytest.mark.parametrize("name", ["fivenum_test_TRUE", "fivenum_test_FALSE"])
def test_conv_fivenum_matches_r(name: str) -> None:
    case = CASES[name]
    x = _inputs(case)
    res = conv_fivenum(x["min"], x["q1"], x["median"], x["q3"], x["max"], x["n"], test=_args(case)["test"])
    _close(res.mean, case["yi"])
    _close(res.sd, case["vi"])


def test_conv_fivenum_skewness_test_refuses_skewed_rows() -> None:
    x = _inputs(CASES["fivenum_test_TRUE"])
    on = conv_fivenum(x["min"], x["q1"], x["median"], x["q3"], x["max"], x["n"], test=True)
    off = conv_fivenum(x["min"], x["q1"], x["median"], x["q3"], x["max"], x["n"], test=False)
    assert on.skewed[3] and np.isnan(on.mean[3]) and np.isfinite(off.mean[3])
    assert np.isnan(on.mean[6]) and np.isnan(off.mean[6])  # n = 4 < 5: never converted
    assert list(on.case[:3]) == ["range", "iqr", "both"]


@pytest.mark.parametrize("name", ["ci_to_sd_t", "ci_to_sd_norm", "ci_to_sd_t90"])
def test_ci_to_sd_matches_r(name: str) -> None:
    case = CASES[name]
    x = _inputs(case)
    args = _args(case)
    _close(ci_to_sd(x["lower"], x["upper"], x["n"], dist=args["dist"], level=args.get("level", 95)), case["yi"])


def test_se_to_sd_and_ci_to_vi_match_r() -> None:
    x = _inputs(CASES["se_to_sd"])
    _close(se_to_sd(x["se"], x["n"]), CASES["se_to_sd"]["yi"])
    case = CASES["ci_to_vi_log"]
    x = _inputs(case)
    _close(ci_to_yi(x["lower"], x["upper"], log=True), case["yi"])
    _close(ci_to_vi(x["lower"], x["upper"], log=True), case["vi"])
