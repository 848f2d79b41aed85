"""Invariants of the effect sizes (hypothesis) and their handling of bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsynth.effects import (
    EffectSizes,
    across_correlations,
    back_transform,
    conv_fivenum,
    crossover,
    escalc,
    gen,
    rescale,
    transf_ilogit,
    transf_ipft,
    transf_logit,
    vas10_to_100,
    vas100_to_10,
)
from evsynth.errors import InputError

counts = st.integers(min_value=0, max_value=60)
sizes = st.integers(min_value=1, max_value=60)


@st.composite
def tables(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n1, n2 = draw(sizes), draw(sizes)
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n2)), n2


@settings(max_examples=150, deadline=None)
@given(tables(), st.sampled_from(["RR", "OR", "RD"]))
def test_swapping_groups_negates_yi_and_keeps_vi(t: tuple[int, int, int, int], measure: str) -> None:
    a, n1, c, n2 = t
    fwd = escalc(measure, ai=[a], n1i=[n1], ci=[c], n2i=[n2])
    rev = escalc(measure, ai=[c], n1i=[n2], ci=[a], n2i=[n1])
    np.testing.assert_allclose(rev.yi, -fwd.yi, atol=1e-12)
    np.testing.assert_allclose(rev.vi, fwd.vi, rtol=1e-12)


@settings(max_examples=150, deadline=None)
@given(tables())
def test_or_of_events_is_minus_or_of_non_events(t: tuple[int, int, int, int]) -> None:
    a, n1, c, n2 = t
    ev = escalc("OR", ai=[a], n1i=[n1], ci=[c], n2i=[n2])
    non = escalc("OR", ai=[n1 - a], n1i=[n1], ci=[n2 - c], n2i=[n2])
    np.testing.assert_allclose(non.yi, -ev.yi, atol=1e-12)
    np.testing.assert_allclose(non.vi, ev.vi, rtol=1e-12)


finite = st.floats(min_value=-100, max_value=100, allow_nan=False)
sds = st.floats(min_value=0.1, max_value=50)
ns = st.integers(min_value=2, max_value=200)


@settings(max_examples=150, deadline=None)
@given(finite, finite, sds, sds, ns, ns, st.sampled_from(["MD", "SMD"]))
def test_two_group_sign_flips_when_groups_swap(m1: float, m2: float, s1: float, s2: float, n1: int, n2: int,
                                               measure: str) -> None:
    fwd = escalc(measure, m1i=m1, m2i=m2, sd1i=s1, sd2i=s2, n1i=n1, n2i=n2)
    rev = escalc(measure, m1i=m2, m2i=m1, sd1i=s2, sd2i=s1, n1i=n2, n2i=n1)
    np.testing.assert_allclose(rev.yi, -fwd.yi, atol=1e-9)
    np.testing.assert_allclose(rev.vi, fwd.vi, rtol=1e-9)


@settings(max_examples=100, deadline=None)
@given(ns)
def test_hedges_correction_is_below_one_and_tends_to_one(n: int) -> None:
    es = escalc("SMD", m1i=1.0, m2i=0.0, sd1i=1.0, sd2i=1.0, n1i=n, n2i=n)
    assert 0 < es.yi[0] < 1
    if n >= 200:
        assert es.yi[0] > 0.99


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(1, n - 1) if n > 1 else st.just(0), st.just(n))))
def test_plo_back_transform_inverts(xn: tuple[int, int]) -> None:
    x, n = xn
    if x == 0:
        return
    es = escalc("PLO", xi=[x], ni=[n])
    np.testing.assert_allclose(transf_ilogit(es.yi), x / n, rtol=1e-12)
    np.testing.assert_allclose(back_transform("PLO", es.yi), x / n, rtol=1e-12)
    np.testing.assert_allclose(transf_logit(transf_ilogit(es.yi)), es.yi, atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_pft_back_transform_with_own_n_inverts(xn: tuple[int, int]) -> None:
    x, n = xn
    es = escalc("PFT", xi=[x], ni=[n])
    np.testing.assert_allclose(transf_ipft(es.yi, n), x / n, atol=1e-9)
    np.testing.assert_allclose(back_transform("PFT", es.yi, ni=[n]), x / n, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 100), st.floats(0.01, 40))
def test_vas_rescaling_round_trips(mean: float, sd: float) -> None:
    assert vas10_to_100(vas100_to_10(mean)) == pytest.approx(mean)
    assert vas100_to_10(sd, kind="sd") == pytest.approx(sd / 10)
    assert rescale(100, source=(0, 100), target=(10, 0)) == pytest.approx(0)


@settings(max_examples=100, deadline=None)
@given(st.floats(-50, 50), st.floats(0.5, 30), st.floats(0.1, 20), st.integers(5, 500))
def test_fivenum_symmetric_summaries_give_mean_equal_median(median: float, half_range: float, half_iqr: float,
                                                            n: int) -> None:
    half_iqr = min(half_iqr, half_range)
    res = conv_fivenum(min=[median - half_range, np.nan], q1=[median - half_iqr, median - half_iqr],
                       median=[median, median], q3=[median + half_iqr, median + half_iqr],
                       max=[median + half_range, np.nan], n=[n, n])
    np.testing.assert_allclose(res.mean, median, atol=1e-9)
    assert not res.skewed.any() and np.all(res.sd > 0)


def test_zero_cells_get_metafor_correction_and_a_note() -> None:
    es = escalc("RR", ai=[0, 5], n1i=[10, 10], ci=[3, 5], n2i=[10, 10])
    np.testing.assert_allclose(es.yi[0], np.log(0.5 / 11) - np.log(3.5 / 11))
    assert es.yi[1] == 0 and "added 0.5" in es.notes[0]
    none = escalc("RR", ai=[0], n1i=[10], ci=[3], n2i=[10], to="none")
    # log(0) = -Inf: metafor's escalc recodes yi and vi to NA ("Recoded to NAs"), and says so
    assert np.isnan(none.yi[0]) and np.isnan(none.vi[0]) and "recoded to NA" in none.notes[-1]
    dropped = escalc("OR", ai=[0], n1i=[10], ci=[0], n2i=[10], drop00=True)
    assert np.isnan(dropped.yi[0])


def test_crossover_is_paired_mean_change_with_assumed_correlation() -> None:
    es = crossover([40.0], [55.0], [12.0], [14.0], [11], ri=0.5)
    assert es.measure == "MC"
    np.testing.assert_allclose(es.yi, -15.0)
    np.testing.assert_allclose(es.vi, (144 + 196 - 2 * 0.5 * 12 * 14) / 11)
    lo = crossover([40.0], [55.0], [12.0], [14.0], [11], ri=0.0)
    hi = crossover([40.0], [55.0], [12.0], [14.0], [11], ri=0.9)
    assert hi.vi[0] < es.vi[0] < lo.vi[0]


def test_across_correlations_repeats_effect_and_analysis() -> None:
    res = across_correlations(
        lambda r: escalc("SMCC", m1i=[70, 60], m2i=[45, 50], sd1i=[15, 10], sd2i=[20, 12], ni=[11, 29], ri=[r, r]),
        ri_values=(0.2, 0.5, 0.8),
        analysis=lambda es: float(np.average(es.yi, weights=1 / es.vi)),
    )
    assert [r.ri for r in res.runs] == [0.2, 0.5, 0.8]
    assert res.runs[0].result != res.runs[2].result
    frame = res.to_frame()
    assert len(frame) == 6 and set(frame["ri"]) == {0.2, 0.5, 0.8}
    with pytest.raises(InputError):
        across_correlations(lambda r: gen([0.1], [0.1]), ri_values=(1.5,))


def test_effect_sizes_are_frozen_and_tabulate() -> None:
    es = escalc("PLO", xi=[8, 17], ni=[11, 29], slab=["A", "B"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        es.measure = "PR"  # type: ignore[misc]
    with pytest.raises(ValueError):
        es.yi[0] = 1.0
    frame = es.to_frame()
    assert list(frame["label"]) == ["A", "B"]
    assert {"yi", "vi", "sei", "ci_lb", "ci_ub"} <= set(frame.columns)
    assert isinstance(es, EffectSizes) and len(es) == 2


def test_gen_takes_se() -> None:
    es = escalc("GEN", yi=[0.2], sei=[0.5])
    assert es.vi[0] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("measure", "kwargs", "field"),
    [
        ("XYZ", {}, "measure"),
        ("RR", {"ai": [5], "n1i": [4], "ci": [1], "n2i": [10]}, "ai"),
        ("RR", {"ai": [-1], "n1i": [4], "ci": [1], "n2i": [10]}, "ai"),
        ("SMD", {"m1i": [1], "m2i": [0], "sd1i": [-1], "sd2i": [1], "n1i": [5], "n2i": [5]}, "sd1i"),
        ("SMD", {"m1i": [1], "m2i": [0], "sd1i": [1], "n1i": [5], "n2i": [5]}, "sd2i"),
        ("PLO", {"xi": [12], "ni": [10]}, "xi"),
        ("SMCC", {"m1i": [1], "m2i": [0], "sd1i": [1], "sd2i": [1], "ni": [5], "ri": [1.2]}, "ri"),
        ("PR", {"xi": [1], "ni": [5], "sd1i": [2]}, "sd1i"),
        ("ROM", {"m1i": [1], "m2i": [-2], "sd1i": [1], "sd2i": [1], "n1i": [5], "n2i": [5]}, "m1i"),
    ],
)
def test_bad_input_names_the_field(measure: str, kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        escalc(measure, **kwargs)
    assert err.value.field == field
