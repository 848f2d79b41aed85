"""Every estimator × z/knha × moderators against metafor 3.8-1 (rma, predict, confint) at 1e-6."""

from __future__ import annotations

import numpy as np
import pytest

from evsynth.meta import fit

from ._ref import close, control, dataset, reference

FITS = reference()["fits"]


def _id(f: dict) -> str:
    mods = "+".join(f["mods"]) or "1"
    return f"{f['dataset']}-{f['method']}-{'knha' if f['knha'] else 'z'}-{mods}"


def _fit(f: dict):
    d = dataset(f["dataset"])
    mods = {m: d["mods"][m] for m in f["mods"]} or None
    return fit(d["yi"], d["vi"], method=f["method"], knha=f["knha"], moderators=mods, measure=d["measure"],
               labels=np.atleast_1d(d["labels"]).tolist(), **control())


def test_reference_metadata() -> None:
    ref = reference()
    assert ref["metafor_version"] == "3.8.1"
    assert ref["r_version"].startswith("R version 4")
    assert ref["control"]["threshold"] == 1e-12
    assert len(FITS) >= 250
    assert not [f for f in FITS if "error" in f]


@pytest.mark.parametrize("f", FITS, ids=_id)
def test_fit_matches_metafor(f: dict) -> None:
    res = _fit(f)
    r = f["result"]
    what = _id(f)
    assert res.k == r["k"]
    assert [c.name for c in res.coefficients] == list(np.atleast_1d(r["names"]))
    close(res.beta, r["b"], what + " b")
    close([c.se for c in res.coefficients], r["se"], what + " se")
    close([c.ci_low for c in res.coefficients], r["ci_lb"], what + " ci.lb")
    close([c.ci_high for c in res.coefficients], r["ci_ub"], what + " ci.ub")
    close([c.p for c in res.coefficients], r["pval"], what + " pval")
    finite = np.isfinite(np.atleast_1d(np.asarray(r["zval"], dtype=float)))
    close(np.array([c.stat for c in res.coefficients])[finite], np.atleast_1d(r["zval"])[finite], what + " zval")
    close(res.tau2, r["tau2"], what + " tau2")
    close(res.weights, r["weights"], what + " weights")
    close(res.qm, r["QM"], what + " QM")
    close(res.qm_p, r["QMp"], what + " QMp")
    close(res.s2w, r["s2w"], what + " s2w")
    close(res.q, r["QE"], what + " QE")
    close(res.q_p, r["QEp"], what + " QEp")
    close(res.i2, r["I2"], what + " I2")
    close(res.h2, r["H2"], what + " H2")
    if r.get("se_tau2") is not None:
        close(res.se_tau2, r["se_tau2"], what + " se.tau2")
    if r.get("R2") is not None:
        close(res.r2, r["R2"], what + " R2")
    if "tau2_ci" in r:
        close([res.tau2_ci_low, res.tau2_ci_high], r["tau2_ci"], what + " confint tau2")
    pr = r["pred"]
    if "newmods" in pr:
        p = res.predict(np.array(pr["newmods"]))
        close(p.estimate, pr["pred"], what + " pred")
        close(p.se, pr["se"], what + " pred se")
        close(p.ci_low, pr["ci_lb"], what + " pred ci.lb")
        close(p.ci_high, pr["ci_ub"], what + " pred ci.ub")
        if f["method"] != "FE":  # metafor gives no PI for common-effect meta-regressions
            close(p.pi_low, pr["pi_lb"], what + " pi.lb")
            close(p.pi_high, pr["pi_ub"], what + " pi.ub")
    else:
        close([res.estimate, res.se, res.ci_low, res.ci_high], [pr["pred"], pr["se"], pr["ci_lb"], pr["ci_ub"]],
              what + " predict")
        close([res.pi_low, res.pi_high], [pr["pi_lb"], pr["pi_ub"]], what + " PI")
        p = res.predict()
        close([p.estimate[0], p.pi_low[0], p.pi_high[0]], [pr["pred"], pr["pi_lb"], pr["pi_ub"]], what + " predict()")


def test_knha_is_not_truncated_at_one() -> None:
    # PM makes Q(tau2) = k - 1, so s2w = 1; REML on bcg gives s2w < 1 and metafor keeps it
    f = next(f for f in FITS if f["dataset"] == "normand_md" and f["method"] == "DL" and f["knha"])
    res = _fit(f)
    assert res.knha and res.stat_name == "t" and res.df == res.k - 1
    s2w = [f2["result"]["s2w"] for f2 in FITS if f2["knha"] and f2["method"] != "FE"]
    assert min(s2w) < 1  # the reference has cases below 1: metafor does not truncate
    close(res.s2w, f["result"]["s2w"])
