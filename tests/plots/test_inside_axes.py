"""Everything a plot function draws stays inside the axes (or figure) it is handed, at any size.

Measured on the drawn figure: every visible artist's extent (``get_tightbbox``, which accounts for
clipping) is compared with the handed axes' box, after the figure's layout engine has run.

* Table-type figures (forest, subgroup forest, cumulative, leave-one-out, PRISMA) draw their text
  columns too: everything lies inside the given axes, in a 1×2 layout beside a funnel plot, with
  and without constrained layout, at several figure sizes.
* Axis-type figures (funnel, bubble, evidence map) have tick labels, axis labels, a colourbar and a
  footnote outside the data area, as any matplotlib plot: in a constrained 1×2 layout they stay
  inside the figure and off the neighbouring panel.
* A figure the function makes itself (``ax=None``) holds everything it draws.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.spines import Spine
from matplotlib.text import Text

from evsynth.meta import cumulative, fit, leave_one_out, subgroup
from evsynth.plots import (
    arm_columns,
    bubble_plot,
    cumulative_plot,
    evidence_map,
    forest_plot,
    funnel_plot,
    leave_one_out_plot,
    prisma_diagram,
)
from evsynth.plots.evidence_map import MapPoint, TrialRegion

from ._bcg import ABLAT, ALLOC, CNEG, CPOS, LABELS, TNEG, TPOS, VI, YEAR, YI

TOL = 1.0  # pixels

RES = fit(YI, VI, method="REML", measure="RR", labels=list(LABELS))
REG = fit(YI, VI, method="REML", measure="RR", labels=list(LABELS), moderators=np.array(ABLAT, dtype=float))
COLUMNS = {**arm_columns("Vaccinated", events=TPOS, total=np.add(TPOS, TNEG)),
           **arm_columns("Control", events=CPOS, total=np.add(CPOS, CNEG))}
COUNTS = dict(identified={"PubMed": 120, "Embase": 80, "ClinicalTrials.gov": 3}, duplicates_removed=40,
              screened=163, excluded_screening=140, sought=23, not_retrieved=2, assessed=21,
              excluded_fulltext={"wrong population": 8, "not intravenous": 5}, included_studies=6,
              included_reports=7)
POINTS = [MapPoint("Graven-Nielsen 2000", 0.3, 30, 29, "racemic", 17 / 29),
          MapPoint("Noppers 2011", 0.5, 30, 12, "S", 8 / 12),
          MapPoint("Sörensen 1997", 0.3, 10, 18, "racemic", None),
          MapPoint("Cohen 2006", 0.1, 7, 30, "racemic", 0.5)]
FOOTNOTE = ("Colour: proportion of responders shortly after the infusion. A dose-response line across the gap "
            "between the prior studies and the trial would be an extrapolation from k = 4 studies.")

TABLE_PLOTS = {
    "forest": lambda ax: forest_plot(RES, columns=COLUMNS, favours=("Favours vaccine", "Favours control"),
                                     title="BCG vaccine trials", ax=ax),
    "forest-subgroups": lambda ax: forest_plot(subgroup(YI, VI, list(ALLOC), labels=list(LABELS)), ax=ax),
    "cumulative": lambda ax: cumulative_plot(RES, cum=cumulative(RES, order=list(np.argsort(YEAR))),
                                             title="Cumulative", ax=ax),
    "leave-one-out": lambda ax: leave_one_out_plot(RES, loo=leave_one_out(RES), ax=ax),
    "prisma": lambda ax: prisma_diagram(COUNTS, title="PRISMA", note="Counts from a test store.", ax=ax),
}
AXIS_PLOTS = {
    "funnel": lambda ax: funnel_plot(RES, title="Funnel", ax=ax),
    "bubble": lambda ax: bubble_plot(REG, ABLAT, xlabel="Absolute latitude", note="k = 13", title="Bubble", ax=ax),
    "evidence-map": lambda ax: evidence_map(POINTS, trial=TrialRegion("Trial X", 1.5, 2.0, 180, 240),
                                            not_shown=["Hanna 2016 (case report)", "Gupta 2023 (case report)"],
                                            note=FOOTNOTE, title="Evidence map", ax=ax),
}
SIZES = [(5.0, 3.2), (9.0, 4.5), (7.0, 9.0)]


def _extents(ax: Axes, renderer) -> list[tuple[object, object]]:
    """(artist, window extent) of everything drawn in ``ax`` and its child (inset) axes."""
    out = []
    for a in ax.get_children():
        if not a.get_visible() or a is ax.patch:
            continue
        if isinstance(a, Axes):
            out += _extents(a, renderer)
            continue
        if isinstance(a, Axis):
            if ax.axison:
                bb = a.get_tightbbox(renderer)
                if bb is not None:
                    out.append((a, bb))
            continue
        if isinstance(a, Spine) and not (ax.axison and ax.get_frame_on()):
            continue  # not drawn (matplotlib's Axes.draw leaves them out)
        if isinstance(a, Text) and not a.get_text().strip():
            continue
        bb = a.get_tightbbox(renderer)
        if bb is None or not all(math.isfinite(v) for v in bb.bounds) or (bb.width == 0 and bb.height == 0):
            continue
        out.append((a, bb))
    return out


def _outside(extents, box) -> list[str]:
    bad = []
    for artist, bb in extents:
        if bb.x0 < box.x0 - TOL or bb.x1 > box.x1 + TOL or bb.y0 < box.y0 - TOL or bb.y1 > box.y1 + TOL:
            label = artist.get_text() if isinstance(artist, Text) else ""
            bad.append(f"{type(artist).__name__} gid={artist.get_gid()!r} {label[:40]!r} extent={bb.bounds} "
                       f"box={box.bounds}")
    return bad


def _draw(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


@pytest.mark.parametrize("layout", [None, "constrained"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]:g}x{s[1]:g}")
@pytest.mark.parametrize("name", list(TABLE_PLOTS))
def test_table_plots_stay_inside_the_given_axes(name, size, layout):
    for slot in (0, 1):  # beside a funnel plot, on either side
        fig, axes = plt.subplots(1, 2, figsize=size, layout=layout)
        try:
            out = TABLE_PLOTS[name](axes[slot])
            assert out is fig
            funnel_plot(RES, ax=axes[1 - slot])
            renderer = _draw(fig)
            box = axes[slot].get_window_extent(renderer)
            extents = _extents(axes[slot], renderer)
            assert len(extents) > 10
            assert _outside(extents, box) == [], f"{name} at {size} in slot {slot}"
        finally:
            plt.close(fig)


@pytest.mark.parametrize("size", SIZES[1:], ids=lambda s: f"{s[0]:g}x{s[1]:g}")
@pytest.mark.parametrize("name", list(AXIS_PLOTS))
def test_axis_plots_stay_in_the_figure_and_off_the_neighbour(name, size):
    fig, axes = plt.subplots(1, 2, figsize=size, layout="constrained")
    try:
        forest_plot(RES, ax=axes[0])
        AXIS_PLOTS[name](axes[1])
        renderer = _draw(fig)
        figbox = fig.bbox
        neighbour = axes[0].get_window_extent(renderer)
        mine = [ax for ax in fig.axes if ax is not axes[0]]  # the plot and its colourbar
        extents = [e for ax in mine for e in _extents(ax, renderer)]
        assert _outside(extents, figbox) == [], f"{name} at {size}"
        overlapping = [f"{type(a).__name__} {a.get_gid()!r}" for a, bb in extents
                       if bb.x0 < neighbour.x1 - TOL and bb.y1 > neighbour.y0 and bb.y0 < neighbour.y1]
        assert overlapping == [], f"{name} runs over the forest plot beside it"
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", list(TABLE_PLOTS) + list(AXIS_PLOTS))
def test_a_figure_made_by_the_function_holds_everything(name):
    make = {**TABLE_PLOTS, **AXIS_PLOTS}[name]
    fig = make(None)
    try:
        renderer = _draw(fig)
        extents = [e for ax in fig.axes for e in _extents(ax, renderer)]
        assert extents
        assert _outside(extents, fig.bbox) == [], name
    finally:
        plt.close(fig)


def test_forest_font_shrinks_to_fit_a_small_axes_and_not_beyond_its_natural_size():
    def label_size(fig):
        return next(t for t in fig.findobj(Text) if t.get_gid() == "label:0").get_fontsize()

    alone = forest_plot(RES, columns=COLUMNS)
    small, ax = plt.subplots(figsize=(4, 3))
    forest_plot(RES, columns=COLUMNS, ax=ax)
    large, ax = plt.subplots(figsize=(20, 10))
    forest_plot(RES, columns=COLUMNS, ax=ax)
    try:
        assert label_size(small) < label_size(alone)
        assert label_size(large) == label_size(alone) == pytest.approx(8.0)
    finally:
        for f in (alone, small, large):
            plt.close(f)
