"""A table of rows beside an interval plot: the engine of every forest-type figure.

Each row has text cells left of the plot (label, per-arm columns), an
optional mark in the plot (square + whisker, diamond, prediction bar) and
text cells right of it (effect [CI], weight). Layout is in inches, so the
figure grows with the number of rows and text never overlaps the plot.

Artists carry ``gid`` values so tests (and users) can find them:
``square:<i>``, ``ci:<i>``, ``arrow:<i>:left|right``, ``diamond:<name>``,
``pi:<name>``, ``label:<i>``, ``cell:<i>:<col>``, ``right:<i>:<col>``,
``note:<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from matplotlib.patches import Polygon, Rectangle

from . import _style
from ._scale import Scale

ROW_IN = 0.19  # inches per row unit
CHAR_IN = 0.062  # average width of one character at 8 pt, inches
PAD_IN = 0.14  # gap between columns
MARKER_MAX_PT2 = 110.0


@dataclass
class Row:
    """One table row. ``kind``: header, study, pooled, pi, group, text, blank."""

    kind: str
    label: str = ""
    cells: Sequence[str] = ()
    right: Sequence[str] = ()
    est: float = float("nan")
    lo: float = float("nan")
    hi: float = float("nan")
    weight: float | None = None
    gid: str = ""
    bold: bool = False
    italic: bool = False
    span: bool = False  # text may run across the plot column (notes)
    height: float = 1.0
    y: float = field(default=0.0, init=False)


def _width(texts: Sequence[str]) -> float:
    longest = max((len(line) for t in texts for line in str(t).split("\n")), default=0)
    return longest * CHAR_IN * 1.08


def render(
    rows: list[Row],
    *,
    scale: Scale,
    left_headers: Sequence[str],
    right_headers: Sequence[str],
    xlim: tuple[float, float] | None = None,
    favours: tuple[str, str] | None = None,
    refline: float | None = None,
    title: str | None = None,
    plot_width: float = 2.0,
    ax=None,
    xlabel: str | None = None,
    refline_dashed: bool = False,
):
    """Draw ``rows``; return the Figure (``fig.evsynth_axes`` holds the axes)."""
    from matplotlib.transforms import blended_transform_factory

    with _style.style():
        # --- layout in inches -------------------------------------------------
        y = 0.0
        header_h = 2.0 if any("\n" in h for h in list(left_headers) + list(right_headers)) else 1.2
        y -= header_h
        for row in rows:
            row.y = y - row.height / 2
            y -= row.height
        table_bottom = y
        n_left = len(left_headers)
        n_right = len(right_headers)
        left_cols = [[h] + [r.label if c == 0 else (r.cells[c - 1] if c - 1 < len(r.cells) else "")
                            for r in rows if not r.span] for c, h in enumerate(left_headers)]
        left_w = [_width(col) + PAD_IN for col in left_cols]
        right_cols = [[h] + [r.right[c] if c < len(r.right) else "" for r in rows] for c, h in enumerate(right_headers)]
        right_w = [_width(col) + PAD_IN for col in right_cols]
        lw, rw = sum(left_w), sum(right_w)
        span_w = max((_width([r.label]) for r in rows if r.span), default=0.0)
        axis_h = 0.5 if favours else 0.35
        title_h = 0.3 if title else 0.0
        height_in = (-table_bottom) * ROW_IN
        if ax is None:
            width = max(lw + plot_width + rw, span_w + 0.1) + 0.1
            fig_h = height_in + axis_h + title_h + 0.1
            from matplotlib.figure import Figure

            fig = Figure(figsize=(width, fig_h))
            ax = fig.add_axes([
                (0.05 + lw) / width,
                (axis_h) / fig_h,
                plot_width / width,
                height_in / fig_h,
            ])
        else:
            fig = ax.figure
            bbox = ax.get_position()
            plot_width = bbox.width * fig.get_figwidth()
        ax.set_ylim(table_bottom, 0.0)
        axl = ax.inset_axes([-lw / plot_width, 0, lw / plot_width, 1], sharey=ax)
        axr = ax.inset_axes([1, 0, rw / plot_width, 1], sharey=ax)
        for a, w in ((axl, lw), (axr, rw)):
            a.set_xlim(0, max(w, 1e-3))
            a.axis("off")
        # --- x range -------------------------------------------------------------
        marks = [r for r in rows if r.kind in ("study", "pooled", "pi") and np.isfinite(r.est)]
        if xlim is None:
            xlim = auto_xlim(marks, refline)
        x0, x1 = xlim
        ax.set_xlim(x0, x1)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", left=False, labelleft=False)
        ticks, labels = scale.tick_positions(x0, x1)
        ax.set_xticks(ticks, labels)
        if xlabel:
            ax.set_xlabel(xlabel, labelpad=2)
        # --- header -------------------------------------------------------------
        hy = -header_h / 2
        _draw_headers(axl, left_headers, left_w, hy, align_first_left=True)
        _draw_headers(axr, right_headers, right_w, hy, align_first_left=False)
        for a, w in ((axl, lw), (axr, rw)):
            a.plot([0, w], [-header_h, -header_h], color=_style.INK, lw=0.6, clip_on=False)
        ax.plot([x0, x1], [-header_h, -header_h], color=_style.INK, lw=0.6, clip_on=False)
        # --- rows ---------------------------------------------------------------
        weights = [r.weight for r in rows if r.kind == "study" and r.weight is not None and np.isfinite(r.weight)]
        wmax = max(weights) if weights else None
        plotted = [r for r in rows if r.kind in ("study", "pooled")]
        if refline is not None and plotted:
            # One segment per block of marks, so the line never runs through notes spanning the plot.
            segments: list[list[Row]] = [[]]
            last = max(i for i, r in enumerate(rows) if r.kind in ("study", "pooled"))
            for r in rows[: last + 1]:
                if r.span:
                    segments.append([])
                elif r.kind in ("study", "pooled", "pi", "blank", "group"):
                    segments[-1].append(r)
            for n, seg in enumerate(s for s in segments if any(r.kind in ("study", "pooled") for r in s)):
                top = max(r.y + r.height / 2 for r in seg if r.kind in ("study", "pooled"))
                bottom = min(r.y - r.height / 2 for r in seg if r.kind in ("study", "pooled"))
                ax.plot([refline, refline], [bottom, top], color=_style.INK, lw=0.6, ls="--" if refline_dashed else "-",
                        gid="refline" if n == 0 else f"refline:{n}", zorder=1)
        for i, row in enumerate(rows):
            weight = "bold" if row.bold else "normal"
            style = "italic" if row.italic else "normal"
            if row.span:
                axl.text(0.0, row.y, row.label, ha="left", va="center", fontsize=_style.SMALL_FONT_SIZE,
                         gid=f"note:{row.gid}", clip_on=False)
                continue
            if row.label:
                axl.text(0.0, row.y, row.label, ha="left", va="center", fontweight=weight, fontstyle=style,
                         gid=f"label:{row.gid}", clip_on=False, linespacing=1.0)
            xc = left_w[0]
            for c, text in enumerate(row.cells):
                if c + 1 >= n_left:
                    break
                xc += left_w[c + 1]
                axl.text(xc - PAD_IN, row.y, text, ha="right", va="center", fontweight=weight,
                         gid=f"cell:{row.gid}:{c}", clip_on=False)
            xc = 0.0
            for c, text in enumerate(row.right):
                if c >= n_right:
                    break
                xc += right_w[c]
                axr.text(xc - PAD_IN / 2, row.y, text, ha="right", va="center", fontweight=weight,
                         gid=f"right:{row.gid}:{c}", clip_on=False)
            if row.kind == "study" and np.isfinite(row.est):
                _draw_study(ax, row, x0, x1, wmax)
            elif row.kind == "pooled" and np.isfinite(row.est):
                poly = Polygon([(row.lo, row.y), (row.est, row.y + 0.36), (row.hi, row.y), (row.est, row.y - 0.36)],
                               closed=True, facecolor=_style.ACCENT, edgecolor=_style.INK, lw=0.6,
                               gid=f"diamond:{row.gid}", zorder=3)
                ax.add_patch(poly)
            elif row.kind == "pi" and np.isfinite(row.lo):
                lo, hi = max(row.lo, x0), min(row.hi, x1)
                rect = Rectangle((lo, row.y - 0.18), hi - lo, 0.36, facecolor="white", edgecolor=_style.INK,
                                 hatch="/////", lw=0.6, gid=f"pi:{row.gid}", zorder=3)
                ax.add_patch(rect)
                for side, v in (("left", row.lo), ("right", row.hi)):
                    if (side == "left" and v < x0) or (side == "right" and v > x1):
                        _arrow(ax, x0 if side == "left" else x1, row.y, side, f"{row.gid}")
        # --- favours and title ---------------------------------------------------
        if favours:
            from matplotlib.transforms import offset_copy

            mid = refline if refline is not None else (x0 + x1) / 2
            off_pts = -17 if not xlabel else -30  # below the tick labels (and the axis label)
            t = offset_copy(blended_transform_factory(ax.transData, ax.transAxes), fig=fig, y=off_pts, units="points")
            ax.text(mid - (x1 - x0) * 0.02, 0, favours[0], ha="right", va="top", transform=t,
                    fontsize=_style.SMALL_FONT_SIZE, gid="favours:left", fontstyle="italic")
            ax.text(mid + (x1 - x0) * 0.02, 0, favours[1], ha="left", va="top", transform=t,
                    fontsize=_style.SMALL_FONT_SIZE, gid="favours:right", fontstyle="italic")
        if title:
            axl.text(0.0, 1.0, title, ha="left", va="bottom", fontweight="bold", fontsize=_style.FONT_SIZE + 1,
                     transform=blended_transform_factory(axl.transData, axl.transAxes), gid="title",
                     clip_on=False)
    fig.evsynth_axes = {"plot": ax, "left": axl, "right": axr}
    return fig


def _draw_headers(a, headers: Sequence[str], widths: Sequence[float], y: float, *, align_first_left: bool) -> None:
    """Column headers; a shared first line ("Vaccine\\nEvents", "Vaccine\\nTotal") is drawn once."""
    x = 0.0
    groups: list[tuple[str, float, float]] = []
    for c, (h, w) in enumerate(zip(headers, widths)):
        top, _, bottom = h.partition("\n") if "\n" in h else ("", "", h)
        if c == 0 and align_first_left:
            a.text(x, y, h, ha="left", va="center", fontweight="bold", gid=f"header:{c}", linespacing=1.1)
        elif top:
            a.text(x + w - PAD_IN * (1 if align_first_left else 0.5), y - 0.45, bottom, ha="right", va="center",
                   fontweight="bold", gid=f"header:{c}")
            if groups and groups[-1][0] == top:
                groups[-1] = (top, groups[-1][1], x + w)
            else:
                groups.append((top, x, x + w))
        else:
            a.text(x + w - PAD_IN * (1 if align_first_left else 0.5), y, bottom, ha="right", va="center",
                   fontweight="bold", gid=f"header:{c}")
        x += w
    for name, xa, xb in groups:
        a.text((xa + xb) / 2 + PAD_IN / 4, y + 0.45, name, ha="center", va="center", fontweight="bold",
               gid=f"header-group:{name}")


def _arrow(ax, x: float, y: float, side: str, gid: str) -> None:
    marker = "<" if side == "left" else ">"
    ax.plot([x], [y], marker=marker, markersize=4, color=_style.INK, clip_on=False, gid=f"arrow:{gid}:{side}",
            zorder=4, linestyle="none")


def _draw_study(ax, row: Row, x0: float, x1: float, wmax: float | None) -> None:
    lo, hi = max(row.lo, x0), min(row.hi, x1)
    if hi > lo:
        ax.plot([lo, hi], [row.y, row.y], color=_style.INK, lw=0.8, gid=f"ci:{row.gid}", zorder=2,
                solid_capstyle="butt")
    if row.lo < x0:
        _arrow(ax, x0, row.y, "left", row.gid)
    if row.hi > x1:
        _arrow(ax, x1, row.y, "right", row.gid)
    if x0 <= row.est <= x1:
        if wmax and row.weight is not None and np.isfinite(row.weight):
            size = max(MARKER_MAX_PT2 * row.weight / wmax, 8.0)
        else:
            size = 22.0
        ax.scatter([row.est], [row.y], s=size, marker="s", color=_style.GREY, edgecolors=_style.INK,
                   linewidths=0.5, gid=f"square:{row.gid}", zorder=3)


def auto_xlim(rows: Sequence[Row], refline: float | None) -> tuple[float, float]:
    """A range showing every pooled mark and most study intervals.

    Study intervals much wider than the rest are clipped (drawn with an arrow).
    """
    core = [v for r in rows for v in (r.est,) if np.isfinite(v)]
    core += [v for r in rows if r.kind == "pooled" for v in (r.lo, r.hi) if np.isfinite(v)]
    if refline is not None:
        core.append(refline)
    allv = core + [v for r in rows for v in (r.lo, r.hi) if np.isfinite(v)]
    lo, hi = min(allv), max(allv)
    c_lo, c_hi = min(core), max(core)
    c_span = max(c_hi - c_lo, 1e-6)
    lo = max(lo, c_lo - 1.5 * c_span)
    hi = min(hi, c_hi + 1.5 * c_span)
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad
