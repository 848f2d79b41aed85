"""leave1out, cumul, influence/rstudent, regtest and subgroups against metafor 3.8-1."""

from __future__ import annotations

import numpy as np
import pytest

from evsynth.errors import InputError
from evsynth.meta import cumulative, egger_test, fit, influence, leave_one_out, subgroup

from ._ref import close, control, dataset, reference

SENS = reference()["sensitivity"]


def _id(s: dict) -> str:
    return f"{s['dataset']}-{s['method']}-{'knha' if s['knha'] else 'z'}"


def _fit(s: dict):
    d = dataset(s["dataset"])
    return fit(d["yi"], d["vi"], method=s["method"], knha=s["knha"], labels=d["labels"], measure=d["measure"],
               **control())


COLS = [("estimate", "estimate"), ("se", "se"), ("p", "pval"), ("ci_low", "ci_lb"), ("ci_high", "ci_ub"),
        ("q", "Q"), ("q_p", "Qp"), ("i2", "I2"), ("h2", "H2"), ("tau2", "tau2")]


def _compare_series(res, ref: dict, what: str, method: str) -> None:
    for mine, theirs in COLS:
        if theirs == "tau2" and method == "FE":  # metafor reports NA for the common-effect model
            assert np.all(getattr(res, mine) == 0)
            continue
        close(getattr(res, mine), ref[theirs], f"{what} {mine}")
    finite = np.isfinite(np.asarray([np.nan if z is None else z for z in ref["zval"]], dtype=float))
    close(res.stat[finite], np.asarray(ref["zval"], dtype=float)[finite], f"{what} zval")


@pytest.mark.parametrize("s", SENS, ids=_id)
def test_leave_one_out(s: dict) -> None:
    res = _fit(s)
    loo = leave_one_out(res)
    _compare_series(loo, s["leave1out"], _id(s) + " leave1out", s["method"])
    frame = loo.to_frame()
    assert list(frame["omitted"]) == list(res.labels)
    assert {"estimate", "ci_low", "ci_high", "i2", "tau2"} <= set(frame.columns)


@pytest.mark.parametrize("s", SENS, ids=_id)
def test_cumulative(s: dict) -> None:
    res = _fit(s)
    order = np.asarray(s["cumul"]["order"]) - 1
    cum = cumulative(res, order=order)
    _compare_series(cum, s["cumul"], _id(s) + " cumul", s["method"])
    assert list(cum.to_frame()["added"]) == [res.labels[i] for i in order]
    assert cum.k.tolist() == list(range(1, res.k + 1))


@pytest.mark.parametrize("s", SENS, ids=_id)
def test_influence(s: dict) -> None:
    res = _fit(s)
    inf = influence(res)
    ref = s["influence"]
    what = _id(s) + " influence"
    close(inf.rstudent, ref["rstudent"], what + " rstudent")
    close(inf.resid, ref["rstudent_resid"], what + " resid")
    close(inf.se_resid, ref["rstudent_se"], what + " se")
    close(inf.dffits, ref["dffits"], what + " dffits")
    close(inf.cook_d, ref["cook_d"], what + " cook.d")
    close(inf.cov_r, ref["cov_r"], what + " cov.r")
    close(inf.tau2_del, ref["tau2_del"], what + " tau2.del")
    close(inf.q_del, ref["QE_del"], what + " QE.del")
    close(inf.hat, ref["hat"], what + " hat")
    close(inf.weight, ref["weight"], what + " weight")
    close(inf.dfbetas[:, 0], ref["dfbetas"], what + " dfbetas")
    assert len(inf.to_frame()) == res.k


@pytest.mark.parametrize("s", SENS, ids=_id)
def test_egger(s: dict) -> None:
    res = _fit(s)
    for model, key in (("rma", "regtest"), ("lm", "regtest_lm")):
        e = egger_test(res, model=model)
        ref = s[key]
        what = f"{_id(s)} {key}"
        close([e.stat, e.p, e.limit_estimate, e.limit_ci_low, e.limit_ci_high],
              [ref["zval"], ref["pval"], ref["est"], ref["ci_lb"], ref["ci_ub"]], what)
        if ref["dfs"] is not None:
            assert e.df == ref["dfs"] and e.stat_name == "t"
        assert e.to_frame().shape[0] == 1


def test_egger_warns_below_ten_studies() -> None:
    d = dataset("normand_smd")
    e = egger_test(fit(d["yi"], d["vi"]))
    assert e.k == 9 and any("k = 9 < 10" in w for w in e.warnings)
    d = dataset("bcg")
    assert egger_test(fit(d["yi"], d["vi"])).warnings == ()


@pytest.mark.parametrize("sg", reference()["subgroups"], ids=lambda s: f"{s['method']}-{s['knha']}")
def test_subgroups(sg: dict) -> None:
    d = dataset("bcg")
    res = subgroup(d["yi"], d["vi"], d["groups"]["alloc"], method=sg["method"], knha=sg["knha"], labels=d["labels"])
    assert list(res.groups) == list(sg["levels"])
    for name, g in res.groups.items():
        ref = sg["groups"][name]
        close([g.k, g.estimate, g.se, g.ci_low, g.ci_high, g.tau2, g.q],
              [ref["k"], ref["b"], ref["se"], ref["ci_lb"], ref["ci_ub"], ref["tau2"], ref["QE"]], f"group {name}")
    close([res.q_between, res.p_between], [sg["q_between"], sg["p_between"]], "Q between")
    assert res.df_between == sg["df_between"]
    close([res.qm_common_tau2, res.p_common_tau2], [sg["qm_factor"], sg["qmp_factor"]], "QM factor")
    frame = res.to_frame()
    assert list(frame["group"]) == [*sg["levels"], "Overall"]
    assert sum(g.k for g in res.groups.values()) == res.overall.k


def test_sensitivity_input_errors() -> None:
    d = dataset("bcg")
    reg = fit(d["yi"], d["vi"], moderators={"ablat": d["mods"]["ablat"]})
    with pytest.raises(InputError):
        leave_one_out(reg)
    res = fit(d["yi"], d["vi"])
    with pytest.raises(InputError, match="permutation"):
        cumulative(res, order=[0, 0, 1])
    with pytest.raises(InputError):
        subgroup(d["yi"], d["vi"], ["a"] * 13)


@pytest.mark.parametrize("case", reference()["influence_mods"],
                         ids=lambda c: f"{'+'.join(c['mods'])}-{c['method']}-{c['knha']}")
def test_influence_of_meta_regression(case: dict) -> None:
    d = dataset("bcg")
    res = fit(d["yi"], d["vi"], method=case["method"], knha=case["knha"],
              moderators={m: d["mods"][m] for m in case["mods"]})
    inf = influence(res)
    for mine, theirs in (("rstudent", "rstudent"), ("dffits", "dffits"), ("cook_d", "cook_d"), ("cov_r", "cov_r"),
                         ("tau2_del", "tau2_del"), ("q_del", "QE_del"), ("hat", "hat"), ("weight", "weight")):
        close(getattr(inf, mine), case[theirs], f"influence {mine}")
    close(inf.dfbetas.ravel(), np.asarray(case["dfbetas"], dtype=float).ravel(), "dfbetas")


def test_influence_with_moderators_runs() -> None:
    d = dataset("bcg")
    reg = fit(d["yi"], d["vi"], moderators={"ablat": d["mods"]["ablat"]})
    inf = influence(reg)
    assert inf.dfbetas.shape == (13, 2)
    assert np.all((inf.hat > 0) & (inf.hat < 1))
    close(inf.hat.sum(), 2.0)  # trace of the hat matrix = p
