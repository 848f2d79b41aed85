"""Q-profile CIs of τ², τ, I², H² against metafor 3.8-1 ``confint()`` (tests/reference/metafor/heterogeneity_ci.R)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from evsynth.meta import fit, heterogeneity
from evsynth.meta.heterogeneity import MIN_K_PI, typical_variance

REF = json.loads((Path(__file__).parents[1] / "reference" / "metafor" / "heterogeneity_ci.json").read_text())
CASES = REF["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['name']}-{c['method']}" for c in CASES])
def test_confint_matches_metafor(case):
    mods = None if case["mods"] is None else np.asarray(case["mods"], dtype=float)
    res = fit(case["yi"], case["vi"], method=case["method"], moderators=mods, tol=1e-12)
    h = heterogeneity(res)
    close = dict(rel=1e-6, abs=1e-6)
    assert h.tau2 == pytest.approx(case["tau2"], **close)
    assert h.i2 == pytest.approx(case["i2"], **close) and h.h2 == pytest.approx(case["h2"], **close)
    for mine, key in ((h.tau2_ci, "tau2_ci"), (h.tau_ci, "tau_ci"), (h.i2_ci, "i2_ci"), (h.h2_ci, "h2_ci")):
        assert list(mine) == pytest.approx(case[key], **close), key
    if case["pi"]:
        assert list(h.pi) == pytest.approx(case["pi"], **close)


def test_typical_variance_reproduces_the_fitted_i2():
    case = next(c for c in CASES if c["name"] == "bcg" and c["method"] == "REML")
    s2 = typical_variance(case["vi"])
    assert 100 * case["tau2"] / (case["tau2"] + s2) == pytest.approx(case["i2"], rel=1e-9)


def test_prediction_interval_caveats():
    zero = next(c for c in CASES if c["name"] == "four_proportions" and c["method"] == "REML")
    res = fit(zero["yi"], zero["vi"], method="REML")
    h = heterogeneity(res)
    assert h.tau2 == 0 and h.pi == pytest.approx((res.ci_low, res.ci_high))
    assert "estimated at 0" in h.pi_caveat and f"k = {res.k}" in h.pi_caveat
    bcg = next(c for c in CASES if c["name"] == "bcg" and c["method"] == "REML")
    assert heterogeneity(fit(bcg["yi"], bcg["vi"])).pi_caveat == ""  # k = 13, τ² > 0
    pick = [3, 6, 7, 11][:MIN_K_PI - 1]  # four BCG trials with clearly different effects
    few = fit([bcg["yi"][i] for i in pick], [bcg["vi"][i] for i in pick])
    assert few.tau2 > 0 and "fewer than" in heterogeneity(few).pi_caveat


def test_text_states_the_intervals():
    bcg = next(c for c in CASES if c["name"] == "bcg" and c["method"] == "REML")
    h = heterogeneity(fit(bcg["yi"], bcg["vi"]))
    text = h.text()
    lo, hi = bcg["i2_ci"]
    assert f"I² = {bcg['i2']:.0f}% (95% CI {lo:.0f}% to {hi:.0f}%)" in text
    assert f"τ² = {bcg['tau2']:.2f} (95% CI {bcg['tau2_ci'][0]:.2f} to {bcg['tau2_ci'][1]:.2f})" in text
    assert math.isfinite(h.typical_vi)


def test_single_study_caveat():
    res = fit([0.3], [0.1])
    assert "single study" in heterogeneity(res).pi_caveat
