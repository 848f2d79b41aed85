"""Funnel plot content."""

from __future__ import annotations

import numpy as np
import pytest

from evsynth.plots import funnel_plot

from ._bcg import VI, YI, RmaFit


def _gid(fig, gid):
    found = fig.findobj(lambda a: a.get_gid() == gid)
    assert found, gid
    return found[0]


def test_points_at_effect_and_se_with_inverted_axis():
    fig = funnel_plot(RmaFit())
    pts = _gid(fig, "studies").get_offsets()
    assert np.allclose(pts[:, 0], YI)
    assert np.allclose(pts[:, 1], np.sqrt(VI))
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    assert lo > hi == 0  # SE grows downwards
    assert _gid(fig, "pooled").get_xdata()[0] == pytest.approx(RmaFit().estimate)


def test_contours_and_pseudo_ci():
    fig = funnel_plot(RmaFit())
    for p in ("0.1", "0.05", "0.01"):
        _gid(fig, f"contour:{p}")
    line = _gid(fig, "pseudo-ci")
    x, y = line.get_xdata(), line.get_ydata()
    assert np.allclose(x, RmaFit().estimate - 1.959964 * y, atol=1e-5)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "1" in labels  # back-transformed risk ratios


def test_only_requested_contours():
    fig = funnel_plot(RmaFit(), contours=(0.05,))
    assert fig.findobj(lambda a: a.get_gid() == "contour:0.05")
    assert not fig.findobj(lambda a: a.get_gid() == "contour:0.01")
