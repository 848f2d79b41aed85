"""A table of rows beside an interval plot: the engine of every forest-type figure.

Each row has text cells left of the plot (label, per-arm columns), an
optional mark in the plot (square + whisker, diamond, prediction bar) and
text cells right of it (effect [CI], weight). Column widths are measured
from the texts; a new figure grows with the rows and columns, and a given
axes is split into the columns with the font scaled down where needed, so
nothing is drawn outside it.

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

ROW_IN = 0.19  # inches per row unit at the natural font size
PAD_PT = 10.0  # gap between columns, points at the natural font size
MIN_PLOT_IN = 1.2  # narrowest plot column (inches at the natural size) when fitting a given axes
MARGIN_IN = 0.05  # figure margin when the function makes the figure
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


@dataclass(frozen=True)
class _Layout:
    """Natural sizes (font :data:`_style.FONT_SIZE`): column widths in points, heights in row units / inches."""

    left_w: tuple[float, ...]
    right_w: tuple[float, ...]
    span_w: float  # points: widest note spanning the plot
    title_w: float  # points
    header_h: float  # row units
    bottom: float  # row units (negative): the table's lowest edge
    axis_h: float  # inches below the rows: ticks, tick labels, axis label, favours
    title_h: float  # inches above the header

    @property
    def lw(self) -> float:
        return sum(self.left_w) / 72.0

    @property
    def rw(self) -> float:
        return sum(self.right_w) / 72.0

    def natural_width(self, plot_width: float) -> float:
        return max(self.lw + plot_width + self.rw, self.span_w / 72.0, self.title_w / 72.0)

    def natural_height(self) -> float:
        return -self.bottom * ROW_IN + self.axis_h + self.title_h

    def scale(self, width_in: float, height_in: float) -> float:
        """Font scale (≤ 1) at which the table fits a ``width_in`` × ``height_in`` box."""
        need_w = max(self.lw + MIN_PLOT_IN + self.rw, self.span_w / 72.0, self.title_w / 72.0)
        return float(min(1.0, width_in / need_w, height_in / self.natural_height()))


def _col_width(texts: Sequence[str], bold: Sequence[bool]) -> float:
    return max((_style.text_width_pt(t, _style.FONT_SIZE, bold=b) for t, b in zip(texts, bold)), default=0.0)


def _measure(rows: list[Row], left_headers: Sequence[str], right_headers: Sequence[str], *, favours: bool,
             title: str | None, xlabel: str | None) -> _Layout:
    y = 0.0
    header_h = 2.0 if any("\n" in h for h in list(left_headers) + list(right_headers)) else 1.2
    y -= header_h
    for row in rows:
        row.y = y - row.height / 2
        y -= row.height
    table = [r for r in rows if not r.span]
    def head(c: int, h: str) -> str:  # a shared first line ("Arm\nEvents") is drawn once across its columns
        return h if c == 0 else h.rpartition("\n")[2]

    left_w = []
    for c, h in enumerate(left_headers):
        texts = [head(c, h)] + [r.label if c == 0 else (r.cells[c - 1] if c - 1 < len(r.cells) else "") for r in table]
        left_w.append(_col_width(texts, [True] + [r.bold for r in table]) + PAD_PT)
    right_w = []
    for c, h in enumerate(right_headers):
        texts = [head(c, h)] + [r.right[c] if c < len(r.right) else "" for r in rows]
        right_w.append(_col_width(texts, [True] + [r.bold for r in rows]) + PAD_PT)
    span_w = max((_style.text_width_pt(r.label, _style.SMALL_FONT_SIZE) for r in rows if r.span), default=0.0)
    title_w = _style.text_width_pt(title, _style.FONT_SIZE + 1, bold=True) if title else 0.0
    axis_h = 0.35 + (0.15 if favours else 0.0) + (0.17 if xlabel else 0.0)
    return _Layout(tuple(left_w), tuple(right_w), span_w + 2.0, title_w + 2.0, header_h, y, axis_h,
                   0.3 if title else 0.0)


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
    """Draw ``rows`` inside ``ax`` (or a new figure); return the Figure.

    Every artist stays inside the given axes: its area is split into the
    left text columns, the plot column and the right text columns (inset
    axes), with the font scaled down where the natural size does not fit.
    ``fig.evsynth_axes`` holds ``table`` (the given axes), ``left``,
    ``plot`` and ``right``.
    """
    layout = _measure(rows, left_headers, right_headers, favours=bool(favours), title=title, xlabel=xlabel)
    marks = [r for r in rows if r.kind in ("study", "pooled", "pi") and np.isfinite(r.est)]
    if xlim is None:
        xlim = auto_xlim(marks, refline)
    created = ax is None
    with _style.style():
        if created:
            from matplotlib import pyplot as plt

            width = layout.natural_width(plot_width) + 2 * MARGIN_IN
            height = layout.natural_height() + 2 * MARGIN_IN
            fig = plt.figure(figsize=(width, height))
            ax = fig.add_axes([MARGIN_IN / width, MARGIN_IN / height, 1 - 2 * MARGIN_IN / width,
                               1 - 2 * MARGIN_IN / height])
        fig = ax.figure
        ax.axis("off")
        bbox = ax.get_position()
        w_in, h_in = bbox.width * fig.get_figwidth(), bbox.height * fig.get_figheight()
        s = 1.0 if created else layout.scale(w_in, h_in)  # a new figure has the natural size
        for _ in range(4):
            parts = _draw(ax, rows, layout, s, (w_in, h_in), scale=scale, left_headers=left_headers,
                          right_headers=right_headers, xlim=xlim, favours=favours, refline=refline, title=title,
                          xlabel=xlabel, refline_dashed=refline_dashed)
            shrink = _overflow(ax, parts)
            if shrink >= 1.0:
                break
            for part in parts.values():
                part.remove()
            s *= shrink
    fig.evsynth_axes = {"table": ax, "plot": parts["plot"], "left": parts["left"], "right": parts["right"]}
    return fig


def _overflow(container, parts) -> float:
    """1.0 when everything drawn lies inside ``container``; else the factor to shrink the font by."""
    from matplotlib.transforms import Bbox

    renderer = _style.renderer(container.figure)
    box = container.get_window_extent(renderer)
    boxes = [p.get_tightbbox(renderer) for p in parts.values()]
    u = Bbox.union([b for b in boxes if b is not None])
    over_x = max(0.0, box.x0 - u.x0) + max(0.0, u.x1 - box.x1)
    over_y = max(0.0, box.y0 - u.y0) + max(0.0, u.y1 - box.y1)
    if over_x <= 0.5 and over_y <= 0.5:
        return 1.0
    fx = (box.width - over_x - 1) / box.width
    fy = (box.height - over_y - 1) / box.height
    return max(0.2, min(fx, fy) * 0.98)


def _draw(container, rows: list[Row], layout: _Layout, s: float, size: tuple[float, float], *, scale: Scale,
          left_headers: Sequence[str], right_headers: Sequence[str], xlim: tuple[float, float],
          favours: tuple[str, str] | None, refline: float | None, title: str | None, xlabel: str | None,
          refline_dashed: bool) -> dict:
    from matplotlib.transforms import blended_transform_factory, offset_copy

    fig = container.figure
    w_in, h_in = size
    fs, small = _style.FONT_SIZE * s, _style.SMALL_FONT_SIZE * s
    b = s * layout.axis_h / h_in
    t = 1.0 - s * layout.title_h / h_in
    lw, rw = s * layout.lw / w_in, s * layout.rw / w_in
    LW, RW = sum(layout.left_w), sum(layout.right_w)
    ax = container.inset_axes([lw, b, max(1.0 - lw - rw, 1e-3), t - b])
    axl = container.inset_axes([0.0, b, lw, t - b], sharey=ax)
    axr = container.inset_axes([1.0 - rw, b, rw, t - b], sharey=ax)
    parts = {"left": axl, "plot": ax, "right": axr}
    for a, w in ((axl, LW), (axr, RW)):
        a.set_xlim(0, max(w, 1e-3))
        a.axis("off")
    ax.set_ylim(layout.bottom, 0.0)
    x0, x1 = xlim
    ax.set_xlim(x0, x1)
    ax.patch.set_visible(False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.tick_params(axis="x", labelsize=small, length=3.5 * s, pad=3.5 * s)
    ticks, labels = scale.tick_positions(x0, x1)
    ax.set_xticks(ticks, labels)
    if xlabel:
        ax.set_xlabel(xlabel, labelpad=2 * s, fontsize=fs)
    # --- header -------------------------------------------------------------
    pad = PAD_PT
    hy = -layout.header_h / 2
    _draw_headers(axl, left_headers, layout.left_w, hy, fs, align_first_left=True)
    _draw_headers(axr, right_headers, layout.right_w, hy, fs, align_first_left=False)
    hline = dict(color=_style.INK, lw=0.6, clip_on=False)
    for a, w in ((axl, LW), (axr, RW)):
        a.plot([0, w], [-layout.header_h, -layout.header_h], **hline)
    ax.plot([x0, x1], [-layout.header_h, -layout.header_h], **hline)
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
        for n, seg in enumerate(s_ for s_ in segments if any(r.kind in ("study", "pooled") for r in s_)):
            top = max(r.y + r.height / 2 for r in seg if r.kind in ("study", "pooled"))
            bottom = min(r.y - r.height / 2 for r in seg if r.kind in ("study", "pooled"))
            ax.plot([refline, refline], [bottom, top], color=_style.INK, lw=0.6, ls="--" if refline_dashed else "-",
                    gid="refline" if n == 0 else f"refline:{n}", zorder=1)
    n_left, n_right = len(left_headers), len(right_headers)
    for row in rows:
        weight = "bold" if row.bold else "normal"
        style = "italic" if row.italic else "normal"
        if row.span:
            axl.text(0.0, row.y, row.label, ha="left", va="center", fontsize=small, gid=f"note:{row.gid}",
                     clip_on=False)
            continue
        if row.label:
            axl.text(0.0, row.y, row.label, ha="left", va="center", fontweight=weight, fontstyle=style,
                     fontsize=fs, gid=f"label:{row.gid}", clip_on=False, linespacing=1.0)
        xc = layout.left_w[0]
        for c, text in enumerate(row.cells):
            if c + 1 >= n_left:
                break
            xc += layout.left_w[c + 1]
            axl.text(xc - pad, row.y, text, ha="right", va="center", fontweight=weight, fontsize=fs,
                     gid=f"cell:{row.gid}:{c}", clip_on=False)
        xc = 0.0
        for c, text in enumerate(row.right):
            if c >= n_right:
                break
            xc += layout.right_w[c]
            axr.text(xc - pad / 2, row.y, text, ha="right", va="center", fontweight=weight, fontsize=fs,
                     gid=f"right:{row.gid}:{c}", clip_on=False)
        if row.kind == "study" and np.isfinite(row.est):
            _draw_study(ax, row, x0, x1, wmax, s)
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
                    _arrow(ax, x0 if side == "left" else x1, row.y, side, f"{row.gid}", s)
    # --- favours and title ---------------------------------------------------
    if favours:
        mid = refline if refline is not None else (x0 + x1) / 2
        off_pts = -(17 if not xlabel else 30) * s  # below the tick labels (and the axis label)
        tr = offset_copy(blended_transform_factory(ax.transData, ax.transAxes), fig=fig, y=off_pts, units="points")
        ax.text(mid - (x1 - x0) * 0.02, 0, favours[0], ha="right", va="top", transform=tr,
                fontsize=small, gid="favours:left", fontstyle="italic")
        ax.text(mid + (x1 - x0) * 0.02, 0, favours[1], ha="left", va="top", transform=tr,
                fontsize=small, gid="favours:right", fontstyle="italic")
    if title:
        parts["title"] = container.text(0.0, 1.0, title, ha="left", va="top", fontweight="bold",
                                        fontsize=(_style.FONT_SIZE + 1) * s, transform=container.transAxes,
                                        gid="title", clip_on=False)
    return parts


def _draw_headers(a, headers: Sequence[str], widths: Sequence[float], y: float, fs: float, *,
                  align_first_left: bool) -> None:
    """Column headers; a shared first line ("Arm\\nEvents", "Arm\\nTotal") is drawn once."""
    x = 0.0
    inset = PAD_PT * (1 if align_first_left else 0.5)
    groups: list[tuple[str, float, float]] = []
    for c, (h, w) in enumerate(zip(headers, widths)):
        top, _, bottom = h.partition("\n") if "\n" in h else ("", "", h)
        if c == 0 and align_first_left:
            a.text(x, y, h, ha="left", va="center", fontweight="bold", fontsize=fs, gid=f"header:{c}",
                   linespacing=1.1, clip_on=False)
        elif top:
            a.text(x + w - inset, y - 0.45, bottom, ha="right", va="center", fontweight="bold", fontsize=fs,
                   gid=f"header:{c}", clip_on=False)
            if groups and groups[-1][0] == top:
                groups[-1] = (top, groups[-1][1], x + w)
            else:
                groups.append((top, x, x + w))
        else:
            a.text(x + w - inset, y, bottom, ha="right", va="center", fontweight="bold", fontsize=fs,
                   gid=f"header:{c}", clip_on=False)
        x += w
    for name, xa, xb in groups:
        a.text((xa + xb) / 2 + PAD_PT / 4, y + 0.45, name, ha="center", va="center", fontweight="bold", fontsize=fs,
               gid=f"header-group:{name}", clip_on=False)


def _arrow(ax, x: float, y: float, side: str, gid: str, s: float) -> None:
    marker = "<" if side == "left" else ">"
    ax.plot([x], [y], marker=marker, markersize=4 * s, color=_style.INK, clip_on=False, gid=f"arrow:{gid}:{side}",
            zorder=4, linestyle="none")


def _draw_study(ax, row: Row, x0: float, x1: float, wmax: float | None, s: float) -> None:
    lo, hi = max(row.lo, x0), min(row.hi, x1)
    if hi > lo:
        ax.plot([lo, hi], [row.y, row.y], color=_style.INK, lw=0.8, gid=f"ci:{row.gid}", zorder=2,
                solid_capstyle="butt")
    if row.lo < x0:
        _arrow(ax, x0, row.y, "left", row.gid, s)
    if row.hi > x1:
        _arrow(ax, x1, row.y, "right", row.gid, s)
    if x0 <= row.est <= x1:
        if wmax and row.weight is not None and np.isfinite(row.weight):
            size = max(MARKER_MAX_PT2 * row.weight / wmax, 8.0)
        else:
            size = 22.0
        ax.scatter([row.est], [row.y], s=size * s * s, marker="s", color=_style.GREY, edgecolors=_style.INK,
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
