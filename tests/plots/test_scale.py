"""Analysis-scale <-> natural-unit mapping used by every forest-type axis (property tests)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evsynth.plots._scale import scale_for


@pytest.mark.parametrize("measure", ["RR", "OR", "PLO", "PAS", "SMD", "ZCOR"])
@given(x=st.floats(min_value=-1.4, max_value=1.4))
@settings(max_examples=50, deadline=None)
def test_forward_inverts_back(measure, x):
    s = scale_for(measure)
    if measure == "PAS":
        x = abs(x)  # arcsine scale lives on [0, pi/2]
    assert float(s.forward(s.back(np.asarray(x)))) == pytest.approx(x, abs=1e-9)


@pytest.mark.parametrize("measure", ["RR", "PLO", "PFT", "MD"])
@given(lo=st.floats(min_value=-4, max_value=3), width=st.floats(min_value=0.05, max_value=6))
@settings(max_examples=60, deadline=None)
def test_ticks_inside_range_sorted_and_labelled(measure, lo, width):
    s = scale_for(measure, ni=[11, 29, 12, 34] if measure == "PFT" else None)
    if measure == "PFT":
        lo, width = 0.1 + abs(lo) / 10, min(width, 1.2)
    hi = lo + width
    pos, labels = s.tick_positions(lo, hi)
    assert len(pos) == len(labels)
    assert np.all(np.diff(pos) > 0)
    assert np.all((pos >= lo - 1e-9) & (pos <= hi + 1e-9))
    if s.kind != "identity":
        # each label is the back-transformed tick
        back = s.back(np.asarray(pos))
        assert np.allclose([float(l.replace("\u2212", "-")) for l in labels], back, rtol=0.02, atol=0.006)


def test_ratio_scale_marks_no_effect_at_zero():
    s = scale_for("RR")
    pos, labels = s.tick_positions(-1.0, 1.0)
    assert labels[list(pos).index(0.0)] == "1"
    assert s.null == 0.0 and scale_for("PLO").null is None
