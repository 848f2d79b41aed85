"""Bubble, leave-one-out and cumulative plots on fits from evsynth.meta (BCG data)."""

from __future__ import annotations

import numpy as np
import pytest

from evsynth.errors import InputError
from evsynth.meta import cumulative, fit, leave_one_out, subgroup
from evsynth.plots import bubble_plot, cumulative_plot, forest_plot, leave_one_out_plot

from ._bcg import ABLAT, ALLOC, LABELS, VI, YEAR, YI


def _gid(fig, gid):
    found = fig.findobj(lambda a: a.get_gid() == gid)
    assert found, gid
    return found[0]


@pytest.fixture(scope="module")
def res():
    return fit(YI, VI, method="REML", measure="RR", labels=list(LABELS))


def test_bubble_points_line_and_band():
    x = np.array(ABLAT, dtype=float)
    reg = fit(YI, VI, method="REML", measure="RR", labels=list(LABELS), moderators=x)
    fig = bubble_plot(reg, x, xlabel="Absolute latitude")
    pts = _gid(fig, "bubbles")
    assert np.allclose(pts.get_offsets(), np.column_stack([x, YI]))
    sizes = pts.get_sizes()
    assert np.argmax(sizes) == np.argmax(reg.weights)
    line = _gid(fig, "fit")
    xs, ys = line.get_xdata(), line.get_ydata()
    coef = np.polyfit(xs, ys, 1)  # straight line = intercept + slope * x of the fit
    assert coef[0] == pytest.approx(reg.coefficients[1].estimate, rel=1e-6)
    assert coef[1] == pytest.approx(reg.coefficients[0].estimate, rel=1e-6)
    assert xs.min() == pytest.approx(x.min()) and xs.max() == pytest.approx(x.max())
    assert not fig.findobj(lambda a: a.get_gid() == "extrapolation")
    band = _gid(fig, "ci-band")
    assert band is not None


def test_bubble_extrapolation_drawn_dashed():
    x = np.array(ABLAT, dtype=float)
    reg = fit(YI, VI, measure="RR", labels=list(LABELS), moderators=x)
    fig = bubble_plot(reg, x, x_range=(0, 70))
    ext = _gid(fig, "extrapolation")
    assert ext.get_linestyle() == "--"
    with pytest.raises(InputError):
        bubble_plot(reg, x[:3])


def test_leave_one_out_rows_match_refits(res):
    fig = leave_one_out_plot(res)
    frame = leave_one_out(res).to_frame()
    for i, lab in enumerate(LABELS):
        assert _gid(fig, f"label:{i}").get_text() == f"Omitting {lab}"
        assert _gid(fig, f"square:{i}").get_offsets()[0][0] == pytest.approx(frame["estimate"][i])
    xs = _gid(fig, "diamond:overall").get_xy()[:4, 0]
    assert min(xs) == pytest.approx(res.ci_low) and max(xs) == pytest.approx(res.ci_high)


def test_cumulative_rows_in_year_order(res):
    order = list(np.argsort(YEAR, kind="stable"))
    fig = cumulative_plot(res, order=order)
    frame = cumulative(res, order=order).to_frame()
    assert _gid(fig, "label:0").get_text() == f"+ {LABELS[order[0]]}"
    last = len(LABELS) - 1
    assert _gid(fig, f"square:{last}").get_offsets()[0][0] == pytest.approx(res.estimate)
    assert _gid(fig, "square:1").get_offsets()[0][0] == pytest.approx(frame["estimate"][1])


def test_forest_from_meta_subgroup():
    sub = subgroup(YI, VI, list(ALLOC), method="REML", measure="RR", labels=list(LABELS))
    fig = forest_plot(sub)
    for name, g in sub.groups.items():
        xs = _gid(fig, f"diamond:{name}").get_xy()[:4, 0]
        assert min(xs) == pytest.approx(g.ci_low) and max(xs) == pytest.approx(g.ci_high)
    assert _gid(fig, "note:subgroups").get_text().startswith("Test for subgroup differences: Q = ")
