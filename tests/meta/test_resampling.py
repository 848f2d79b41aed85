"""Permutation test and GOSH: exact versions against metafor 3.8-1, behaviour of the random ones."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from evsynth.meta import fit, gosh, permutation_test

from ._ref import close, dataset, reference


def _perm_case(name: str) -> list[dict]:
    return [p for p in reference()["permutest"] if p["dataset"] == name]


@pytest.mark.parametrize("case", _perm_case("normand_smd") + _perm_case("bcg_k2"),
                         ids=lambda p: f"{p['dataset']}-{p['method']}")
def test_exact_sign_flip_permutation_matches_metafor(case: dict) -> None:
    d = dataset(case["dataset"])
    res = fit(d["yi"], d["vi"], method=case["method"])
    pt = permutation_test(res, n=100000)
    assert pt.exact and pt.iterations == case["iterations"] == 2 ** res.k
    close(pt.p, case["pval"], "permutation p")
    close(pt.qm_p, case["QMp"], "permutation QMp")
    close(np.sort(pt.stat_perm[:, 0]), np.sort(np.asarray(case["zval_perm"], dtype=float)), "permutation z values")


@pytest.mark.parametrize("case", _perm_case("bcg_first7_ablat"), ids=lambda p: p["method"])
def test_exact_moderator_permutation_matches_metafor(case: dict) -> None:
    d = dataset("bcg")
    res = fit(d["yi"][:7], d["vi"][:7], method=case["method"], moderators={"ablat": d["mods"]["ablat"][:7]})
    pt = permutation_test(res, n=10000)
    assert pt.exact and pt.iterations == 5040  # metafor enumerates the 2520 distinct orders; p is the same
    close(pt.p, case["pval"], "permutation p")
    close(pt.qm_p, case["QMp"], "permutation QMp")


def test_random_permutation_is_reproducible_and_valid() -> None:
    d = dataset("bcg")
    res = fit(d["yi"], d["vi"], moderators={"ablat": d["mods"]["ablat"]})
    a = permutation_test(res, n=300, seed=1)
    b = permutation_test(res, n=300, seed=1)
    c = permutation_test(res, n=300, seed=2)
    assert not a.exact and a.iterations == 300
    np.testing.assert_array_equal(a.stat_perm, b.stat_perm)
    assert not np.array_equal(a.stat_perm, c.stat_perm)
    assert np.all((a.p >= 0) & (a.p <= 1)) and 0 <= a.qm_p <= 1
    # the first permutation is the observed data (metafor's convention), so p >= 1/n
    close(a.stat_perm[0], a.stat, "observed first")
    assert a.qm_p >= 1 / 300
    # ablat is a strong moderator on bcg (QM p = 0.0002 asymptotically)
    assert a.qm_p < 0.05
    assert list(a.to_frame()["name"]) == ["intrcpt", "ablat"]


def test_random_sign_flip_p_in_range() -> None:
    d = dataset("bcg")
    res = fit(d["yi"], d["vi"], method="DL")
    pt = permutation_test(res, n=500, seed=7)
    assert not pt.exact and 0 < pt.p[0] <= 1
    assert pt.stat_perm.shape == (500, 1)


@pytest.mark.parametrize("case", reference()["gosh"], ids=lambda g: g["method"])
def test_exact_gosh_matches_metafor(case: dict) -> None:
    d = dataset(case["dataset"])
    res = fit(d["yi"], d["vi"], method=case["method"])
    g = gosh(res)
    assert g.exact and len(g.k) == 2 ** res.k - 1
    close(g.k, case["k"], "k")  # both sorted by subset size
    for mine, theirs in (("q", "QE"), ("i2", "I2"), ("h2", "H2"), ("tau2", "tau2"), ("estimate", "estimate")):
        close(np.sort(getattr(g, mine)), np.sort(np.asarray(case[theirs], dtype=float)), f"gosh {mine}")


def test_gosh_subsets_equal_direct_fits() -> None:
    d = dataset("normand_smd")
    y, v = np.asarray(d["yi"]), np.asarray(d["vi"])
    res = fit(y, v, method="REML")
    g = gosh(res)
    frame = g.to_frame()
    assert list(frame.columns) == ["k", "q", "i2", "h2", "tau2", "estimate"]
    for row in (0, 20, 100, len(frame) - 1):
        idx = np.flatnonzero(g.incl[row])
        direct = fit(y[idx], v[idx], method="REML")
        close([g.estimate[row], g.tau2[row]], [direct.estimate, direct.tau2], f"subset {idx}")
        if direct.k > 1:
            close([g.q[row], g.i2[row]], [direct.q, direct.i2], f"subset {idx}")
    # every non-empty subset exactly once
    codes = {tuple(r) for r in g.incl.astype(int)}
    assert codes == {c for c in itertools.product((0, 1), repeat=res.k) if any(c)}


def test_random_gosh_reproducible() -> None:
    d = dataset("bcg")
    res = fit(d["yi"], d["vi"], method="DL")
    a = gosh(res, n_subsets=1000, seed=3)
    b = gosh(res, n_subsets=1000, seed=3)
    assert not a.exact and a.incl.shape == (1000, 13)
    np.testing.assert_array_equal(a.incl, b.incl)
    np.testing.assert_allclose(a.estimate, b.estimate)
    assert np.all(a.k >= 1) and np.all(np.diff(a.k) >= 0)
    assert np.all((a.i2 >= 0) & (a.i2 <= 100))


def test_gosh_with_moderator_marks_unidentified_subsets() -> None:
    d = dataset("bcg")
    res = fit(d["yi"][:6], d["vi"][:6], moderators={"ablat": d["mods"]["ablat"][:6]}, method="DL")
    g = gosh(res)
    assert g.beta.shape[1] == 2
    # subsets of two studies with the same latitude (Aronson and Stein both 44) cannot be fitted
    bad = np.isnan(g.beta[:, 1])
    assert bad.any() and not bad.all()
    assert "ablat" in g.to_frame().columns
