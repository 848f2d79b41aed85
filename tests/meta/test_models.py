"""fit(): small-k honesty, warnings, input errors, result objects, invariants (hypothesis), PyMARE cross-check."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsynth.errors import InputError
from evsynth.meta import METHODS, MetaResult, design_matrix, fit

from ._ref import close, dataset

BCG = dataset("bcg")


def test_k1_returns_the_study_with_a_warning() -> None:
    res = fit([0.5], [0.04], method="REML", knha=True)
    assert res.k == 1 and res.estimate == 0.5 and res.se == pytest.approx(0.2)
    # metafor's placeholders (rma with k = 1: QE = 0, QEp = 1, I2 = 0, H2 = 1)
    assert res.tau2 == 0 and res.q == 0 and res.q_p == 1 and res.i2 == 0 and res.h2 == 1
    assert not res.knha  # as metafor: knha needs k > 1, the z test is used
    assert any("no heterogeneity can be estimated" in w for w in res.warnings)
    assert any("Knapp-Hartung needs k > 1" in w for w in res.warnings)
    assert res.to_dict()["i2"] == 0 and res.to_dict()["q_p"] == 1


def test_k2_works() -> None:
    d = dataset("bcg_k2")
    for method in METHODS:
        res = fit(d["yi"], d["vi"], method=method)
        assert res.k == 2 and np.isfinite(res.estimate) and res.ci_low < res.estimate < res.ci_high


def test_boundary_and_identical_effects_are_reported() -> None:
    d = dataset("li_or")
    he = fit(d["yi"], d["vi"], method="HE")
    assert he.tau2 == 0
    assert any("zero boundary" in w and "negative" in w for w in he.warnings)
    d = dataset("identical")
    res = fit(d["yi"], d["vi"])
    assert res.tau2 == 0 and res.q == pytest.approx(0, abs=1e-20)
    assert any("identical" in w for w in res.warnings)
    kh = fit(d["yi"], d["vi"], knha=True)
    assert kh.se == 0 and any("standard errors are 0" in w for w in kh.warnings)


def test_nonconvergence_is_reported_and_resolved() -> None:
    ref = fit(BCG["yi"], BCG["vi"], method="REML")
    res = fit(BCG["yi"], BCG["vi"], method="REML", maxiter=2)
    assert any("Fisher scoring did not converge" in w for w in res.warnings)
    assert res.tau2 == pytest.approx(ref.tau2, rel=1e-9)  # the likelihood maximised another way


# bootstrap resamples of BCG (1-based trial numbers) whose REML likelihood defeats Fisher scoring:
# metafor 3.8-1 stops ("Fisher scoring algorithm did not converge") on the first two and returns the
# local maximum τ² = 0 on the third; PyMARE's optimiser finds the values below.
HARD = [([1, 10, 6, 3, 4, 1, 2, 7, 10, 1, 10, 7, 1], 0.0585392, "did not converge"),
        ([8, 13, 13, 11, 13, 1, 5, 5, 5, 11, 9, 5, 11], 0.0145578, "did not converge"),
        ([2, 1, 1, 3, 6, 1, 1, 2, 1, 1, 6, 2, 5], 0.0, "likelihood is higher at τ² = 0.0767547")]


@pytest.mark.parametrize("rows, tau2, message", HARD)
def test_multimodal_reml_likelihoods_are_reported(rows, tau2, message) -> None:
    i = np.asarray(rows) - 1
    res = fit(np.asarray(BCG["yi"])[i], np.asarray(BCG["vi"])[i], method="REML")
    assert res.tau2 == pytest.approx(tau2, abs=1e-7)
    assert any(message in w for w in res.warnings), res.warnings


def test_fe_with_knha_warns() -> None:
    res = fit(BCG["yi"], BCG["vi"], method="FE", knha=True)
    assert any("not meant for the common-effect" in w for w in res.warnings)


@pytest.mark.parametrize("bad", [0.0, -0.1, np.nan])
def test_bad_variance_is_an_input_error_naming_the_row(bad: float) -> None:
    vi = list(BCG["vi"])
    vi[3] = bad
    with pytest.raises(InputError, match=r"row 4 \(Hart & Sutherland 1977\)") as info:
        fit(BCG["yi"], vi, labels=BCG["labels"])
    assert info.value.field == "vi"


def test_redundant_predictors_are_dropped_as_metafor() -> None:
    # rma(yi, vi, mods = ~ one) / ~ ablat + ablat2: "Redundant predictors dropped from the model."
    res = fit(BCG["yi"], BCG["vi"], moderators={"one": np.ones(13)})
    ref = fit(BCG["yi"], BCG["vi"])
    assert res.p_params == 1 and res.tau2 == ref.tau2 and res.estimate == ref.estimate
    assert any("redundant predictors dropped" in w and "one" in w for w in res.warnings)
    ablat = np.asarray(BCG["mods"]["ablat"], dtype=float)
    res = fit(BCG["yi"], BCG["vi"], moderators={"ablat": ablat, "lat2": 2 * ablat + 1})
    assert [c.name for c in res.coefficients] == ["intrcpt", "ablat"]
    assert res.tau2 == fit(BCG["yi"], BCG["vi"], moderators={"ablat": ablat}).tau2
    # a text moderator with one level: R stops ("contrasts ..."); evsynth drops it and says so
    res = fit(BCG["yi"], BCG["vi"], moderators={"g": ["a"] * 13})
    assert res.p_params == 1 and any("single level" in w for w in res.warnings)


def test_other_input_errors() -> None:
    with pytest.raises(InputError, match="unknown method"):
        fit(BCG["yi"], BCG["vi"], method="XX")
    with pytest.raises(InputError):
        fit([1, 2], [0.1])
    with pytest.raises(InputError, match="yi"):
        fit([1, np.inf], [0.1, 0.1])
    with pytest.raises(InputError, match="full rank"):
        design_matrix(np.ones(13), 13)
    with pytest.raises(InputError, match="too few"):
        fit(BCG["yi"][:2], BCG["vi"][:2], moderators=BCG["mods"]["ablat"][:2])
    with pytest.raises(InputError):
        fit(BCG["yi"], BCG["vi"], moderators=BCG["mods"]["ablat"][:5])


def test_result_objects() -> None:
    res = fit(BCG["yi"], BCG["vi"], labels=BCG["labels"], measure="RR")
    assert isinstance(res, MetaResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.tau2 = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.yi[0] = 1.0
    frame = res.to_frame()
    assert list(frame["name"]) == ["intrcpt"]
    sf = res.studies_frame()
    assert list(sf["label"]) == BCG["labels"] and sf["weight"].sum() == pytest.approx(100)
    d = res.to_dict()
    json.dumps(d)
    for key in ("k", "estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "h2", "q", "q_p",
                "stat", "p"):
        assert key in d
    assert "coefficients" not in d
    text = res.summary()
    assert "Random-Effects Model (k = 13" in text and "I^2" in text and "Prediction interval" in text


def test_moderators_named_as_metafor_and_categorical() -> None:
    res = fit(BCG["yi"], BCG["vi"], moderators=BCG["mods"]["ablat"])
    assert [c.name for c in res.coefficients] == ["intrcpt", "mods"]
    res = fit(BCG["yi"], BCG["vi"], moderators={"alloc": BCG["groups"]["alloc"]})
    assert [c.name for c in res.coefficients] == ["intrcpt", "allocrandom", "allocsystematic"]
    d = res.to_dict()
    assert [c["name"] for c in d["coefficients"]] == ["intrcpt", "allocrandom", "allocsystematic"]
    assert {"qm", "r2"} <= set(d)
    grid = res.predict(np.array([[0, 0], [1, 0], [0, 1]]))
    close(grid.estimate, [res.beta[0], res.beta[0] + res.beta[1], res.beta[0] + res.beta[2]])
    with pytest.raises(InputError):
        res.predict(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(InputError):
        fit(BCG["yi"], BCG["vi"]).predict([1.0])


@pytest.mark.parametrize("method", ["DL", "REML", "ML", "HE"])
def test_cross_check_with_pymare(method: str) -> None:
    from pymare import estimators

    y = np.asarray(BCG["yi"])[:, None]
    v = np.asarray(BCG["vi"])[:, None]
    est = {"DL": estimators.DerSimonianLaird(), "HE": estimators.Hedges(),
           "ML": estimators.VarianceBasedLikelihoodEstimator(method="ml"),
           "REML": estimators.VarianceBasedLikelihoodEstimator(method="reml")}[method]
    est.fit(y, v, np.ones_like(y))
    res = fit(BCG["yi"], BCG["vi"], method=method)
    # PyMARE optimises the likelihood numerically: agreement to ~1e-6 (metafor's reference is tighter)
    assert res.tau2 == pytest.approx(float(np.ravel(est.params_["tau2"])[0]), rel=1e-5, abs=1e-7)
    assert res.estimate == pytest.approx(float(np.ravel(est.params_["fe_params"])[0]), rel=1e-5)


# ------------------------------------------------------------------ invariants
effects = st.integers(min_value=2, max_value=10).flatmap(
    lambda k: st.tuples(
        st.lists(st.floats(-3, 3, allow_nan=False), min_size=k, max_size=k),
        st.lists(st.floats(0.01, 2.0, allow_nan=False), min_size=k, max_size=k),
    )
)


@settings(max_examples=40, deadline=None)
@given(effects, st.sampled_from(METHODS), st.booleans(), st.randoms(use_true_random=False))
def test_order_invariance(data, method, knha, rnd) -> None:
    yi, vi = map(np.asarray, data)
    perm = list(range(len(yi)))
    rnd.shuffle(perm)
    a = fit(yi, vi, method=method, knha=knha)
    b = fit(yi[perm], vi[perm], method=method, knha=knha)
    for name in ("estimate", "se", "tau2", "q", "ci_low", "ci_high", "pi_low", "pi_high"):
        assert getattr(b, name) == pytest.approx(getattr(a, name), rel=1e-7, abs=1e-9), name
    np.testing.assert_allclose(b.weights, a.weights[perm], rtol=1e-7, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(effects, st.sampled_from(METHODS), st.booleans())
def test_intervals_weights_and_ranges(data, method, knha) -> None:
    yi, vi = data
    res = fit(yi, vi, method=method, knha=knha)
    assert res.weights.sum() == pytest.approx(100.0)
    assert res.tau2 >= 0
    assert res.ci_low <= res.estimate <= res.ci_high
    assert res.pi_low <= res.ci_low + 1e-12 and res.pi_high >= res.ci_high - 1e-12
    assert 0 <= res.i2 <= 100
    if method != "FE":
        assert res.h2 >= 1 - 1e-12
        assert res.tau2_ci_low <= res.tau2_ci_high
    assert 0 <= res.p <= 1 and 0 <= res.q_p <= 1


@settings(max_examples=30, deadline=None)
@given(effects, st.floats(-5, 5, allow_nan=False))
def test_location_shift(data, c) -> None:
    yi, vi = map(np.asarray, data)
    a = fit(yi, vi)
    b = fit(yi + c, vi)
    assert b.estimate == pytest.approx(a.estimate + c, abs=1e-8)
    assert b.tau2 == pytest.approx(a.tau2, rel=1e-6, abs=1e-10)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.01, 2.0), min_size=2, max_size=10), st.floats(-2, 2))
def test_fe_equals_reml_when_tau2_is_zero(vi, y0) -> None:
    yi = [y0] * len(vi)
    reml = fit(yi, vi, method="REML")
    fe = fit(yi, vi, method="FE")
    assert reml.tau2 == 0
    assert reml.estimate == pytest.approx(fe.estimate) and reml.se == pytest.approx(fe.se)


def test_compare_with_pymare_shows_the_convention_differences() -> None:
    from evsynth.meta import compare_with_pymare

    res = fit(BCG["yi"], BCG["vi"], method="REML")
    c = compare_with_pymare(res)
    frame = c.to_frame()
    assert frame.loc["tau2", "pymare"] == pytest.approx(res.tau2, rel=1e-5)
    assert frame.loc["estimate", "pymare"] == pytest.approx(res.estimate, rel=1e-6)
    # PyMARE's default Knapp-Hartung CI is wider: [-1.108, -0.321] vs metafor's [-1.067, -0.362]
    assert frame.loc["ci_low", "pymare"] == pytest.approx(-1.108, abs=1e-3)
    close([frame.loc["ci_low", "evsynth"], frame.loc["ci_high", "evsynth"]], [-1.0668976757, -0.3621670210])
    # PyMARE's I² is Q-based (92.12%), evsynth's is metafor's from τ² (92.22%)
    assert frame.loc["i2", "pymare"] == pytest.approx(92.117, abs=1e-3)
    assert res.i2 == pytest.approx(92.2214, abs=1e-3)
    assert any("Knapp-Hartung" in n for n in c.notes) and any("Q-based" in n for n in c.notes)
    dl = compare_with_pymare(fit(BCG["yi"], BCG["vi"], method="DL", moderators={"ablat": BCG["mods"]["ablat"]}))
    assert dl.to_frame().loc["i2", "pymare"] == pytest.approx(dl.evsynth["i2"], rel=1e-8)
    with pytest.raises(InputError, match="no PM"):
        compare_with_pymare(fit(BCG["yi"], BCG["vi"], method="PM"))


def test_level_as_proportion_and_bad_level() -> None:
    a = fit(BCG["yi"], BCG["vi"], level=90)
    b = fit(BCG["yi"], BCG["vi"], level=0.90)
    assert a.ci_low == b.ci_low and a.level == 90
    with pytest.raises(InputError, match="level"):
        fit(BCG["yi"], BCG["vi"], level=150)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("c", [1e-3, 1e3])
def test_scale_equivariance_large_and_small_tau2(method: str, c: float) -> None:
    # yi -> c·yi, vi -> c²·vi scales τ² by c² and the estimate by c; large τ² must still converge.
    # tol=1e-12: metafor's default tol (uniroot's absolute tolerance for PM, ~1.2e-4) is not scale-free
    a = fit(BCG["yi"], BCG["vi"], method=method, tol=1e-12)
    b = fit(np.asarray(BCG["yi"]) * c, np.asarray(BCG["vi"]) * c**2, method=method, tol=1e-12)
    assert b.converged and not any("converge" in w for w in b.warnings)
    assert b.tau2 == pytest.approx(a.tau2 * c**2, rel=1e-8)
    assert b.estimate == pytest.approx(a.estimate * c, rel=1e-8)
    assert b.i2 == pytest.approx(a.i2, rel=1e-8)


@pytest.mark.parametrize("method", METHODS)
def test_fit_many_equals_fit_row_by_row(method: str) -> None:
    from evsynth.meta import fit_many

    y, v = np.asarray(BCG["yi"]), np.asarray(BCG["vi"])
    idx = np.random.default_rng(0).integers(0, y.size, size=(25, y.size))  # bootstrap resamples of BCG
    batch = fit_many(y[idx], v[idx], method=method, knha=method == "DL")
    for r in (0, 7, 24):
        one = fit(y[idx[r]], v[idx[r]], method=method, knha=method == "DL")
        close([batch.estimate[r], batch.se[r, 0], batch.tau2[r], batch.ci_low[r], batch.pi_high[r], batch.i2[r],
               batch.q[r]], [one.estimate, one.se, one.tau2, one.ci_low, one.pi_high, one.i2, one.q], method)
    assert len(batch.to_frame()) == 25 and batch.converged.all()
    with pytest.raises(InputError):
        fit_many(y[idx], np.zeros(13), method=method)
