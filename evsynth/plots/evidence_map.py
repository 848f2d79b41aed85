"""Evidence map: where each study sits on two study-level covariates (log axes), and a new trial's region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from matplotlib.patches import Rectangle

from . import _style

__all__ = ["evidence_map", "MapPoint", "TrialRegion", "Reference"]


@dataclass(frozen=True)
class MapPoint:
    """One study on the map.

    Attributes
    ----------
    label : str
    x, y : float
        Position (two study-level covariates, e.g. a dose and a duration).
    n : int or None
        Patients (marker size).
    group : str or None
        Marker shape: the first of ``evidence_map(groups=...)`` is a circle, the others triangles.
    effect : float or None
        The study's effect on the natural scale (colour); None draws a hollow marker.
    """

    label: str
    x: float
    y: float
    n: int | None = None
    group: str | None = None
    effect: float | None = None


@dataclass(frozen=True)
class TrialRegion:
    """A trial's planned values as a region: ranges of ``x`` and ``y``."""

    label: str
    x_low: float
    x_high: float
    y_low: float
    y_high: float


@dataclass(frozen=True)
class Reference:
    """A reference line (e.g. a guideline floor): ``axis`` ``"x"`` (vertical) or ``"y"`` (horizontal)."""

    axis: str
    value: float
    label: str = ""


def _limits(values: Sequence[float]) -> tuple[float, float]:
    vals = [v for v in values if v is not None and v > 0]
    if not vals:
        return 0.1, 10.0
    return min(vals) / 2.0, max(vals) * 2.0


def _ticks(lim: tuple[float, float]) -> list[float]:
    """1-1.5-2-3-5 ticks per decade inside ``lim``."""
    lo, hi = np.floor(np.log10(lim[0])), np.ceil(np.log10(lim[1]))
    out = [m * 10.0 ** e for e in np.arange(lo, hi + 1) for m in (1, 1.5, 2, 3, 5)]
    out = [float(f"{v:.6g}") for v in out if lim[0] <= v <= lim[1]]
    return out if len(out) <= 12 else out[::2]


def _span(lo: float, hi: float) -> str:
    return f"{lo:g}" if lo == hi else f"{lo:g}\u2013{hi:g}"


def _size(n: int | None) -> float:
    return 18.0 + 5.0 * (n if n else 4)


def _overlaps(box, boxes) -> bool:
    return any(box.overlaps(b) for b in boxes)


def evidence_map(
    points: Iterable[MapPoint],
    *,
    trial: TrialRegion | None = None,
    references: Sequence[Reference] = (),
    xlabel: str = "x",
    ylabel: str = "y",
    xunit: str = "",
    yunit: str = "",
    groups: Mapping[str, str] | None = None,
    not_shown: Sequence[str] = (),
    note: str | None = None,
    effect_label: str = "Effect",
    effect_range: tuple[float, float] = (0.0, 1.0),
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    title: str | None = None,
    ax: Any = None,
):
    """Map studies by two covariates, both on log axes.

    Marker area grows with n, colour shows the study's effect (viridis, with a
    colourbar; hollow = no effect), shape the group (first group circle,
    others triangle). The trial's values are a hatched region; reference
    lines (e.g. a guideline floor) are dashed. Studies at the same position
    share one label.

    Parameters
    ----------
    points : iterable of MapPoint
    trial : TrialRegion, optional
    references : sequence of Reference
        Dashed reference lines with their labels.
    xlabel, ylabel, xunit, yunit : str
        Axis names and units.
    groups : mapping of str to str, optional
        Group value → legend label (order = marker order).
    not_shown : sequence of str
        Studies that could not be placed (listed in a footnote).
    note : str, optional
        Extra footnote text.
    effect_label, effect_range, xlim, ylim, title, ax
        Colourbar label and range, axis ranges (default: the data with a margin), title, axes.

    Returns
    -------
    matplotlib.figure.Figure
        gids: ``study:<label>`` (one scatter per study), ``trial-region``,
        ``reference-x``/``reference-y`` (and ``-label``), ``colorbar``,
        ``label:<text>``, ``not-shown``.
    """
    import matplotlib as mpl

    points = list(points)
    cmap = mpl.colormaps["viridis"]
    norm = mpl.colors.Normalize(vmin=effect_range[0], vmax=effect_range[1])
    xlim = xlim or _limits([p.x for p in points] + ([trial.x_low, trial.x_high] if trial else [])
                           + [r.value for r in references if r.axis == "x"])
    ylim = ylim or _limits([p.y for p in points] + ([trial.y_low, trial.y_high] if trial else [])
                           + [r.value for r in references if r.axis == "y"])
    group_names = dict(groups or {})
    for p in points:
        if p.group is not None and p.group not in group_names:
            group_names[p.group] = p.group
    first_group = next(iter(group_names), None)
    with _style.style():
        fig, ax = _style.figure_and_axes(ax, _style.DOUBLE_COLUMN * 0.78, 4.0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_xlabel(f"{xlabel} ({xunit + ', ' if xunit else ''}log scale)", fontsize=_style.FONT_SIZE)
        ax.set_ylabel(f"{ylabel} ({yunit + ', ' if yunit else ''}log scale)", fontsize=_style.FONT_SIZE)
        ax.tick_params(labelsize=_style.SMALL_FONT_SIZE)
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

        xt = _ticks(xlim)
        yt = _ticks(ylim)
        ax.xaxis.set_major_locator(FixedLocator(xt))
        ax.yaxis.set_major_locator(FixedLocator(yt))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.grid(True, which="major", color="#e6e6e6", lw=0.5, zorder=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        placed_artists = []
        for ref in references:
            if ref.axis == "y":
                ax.axhline(ref.value, color=_style.ACCENT2, ls="--", lw=0.9, gid="reference-y", zorder=1)
                ax.text(xlim[0] * 1.08, ref.value * 1.05, ref.label, ha="left", va="bottom",
                        fontsize=_style.SMALL_FONT_SIZE - 0.5, color=_style.ACCENT2, gid="reference-y-label")
            else:
                ax.axvline(ref.value, color=_style.ACCENT2, ls="--", lw=0.9, gid="reference-x", zorder=1)
                ax.text(ref.value * 0.97, ylim[0] * 1.08, ref.label, ha="right", va="bottom",
                        fontsize=_style.SMALL_FONT_SIZE - 0.5, color=_style.ACCENT2, gid="reference-x-label")
        if trial is not None:
            rect = Rectangle((trial.x_low, trial.y_low), trial.x_high - trial.x_low,
                             trial.y_high - trial.y_low, facecolor="#dbe5f1", edgecolor=_style.ACCENT,
                             hatch="\\\\\\", lw=1.0, gid="trial-region", zorder=2)
            ax.add_patch(rect)
            ax.text(trial.x_low, trial.y_high * 1.08,
                    f"{trial.label}\n{_span(trial.x_low, trial.x_high)} {xunit}\n"
                    f"{_span(trial.y_low, trial.y_high)} {yunit}",
                    ha="left", va="bottom", fontsize=_style.SMALL_FONT_SIZE, fontweight="bold",
                    color=_style.ACCENT, gid="trial-label")
        # Studies: largest first so small markers stay visible on top.
        placed: dict[tuple[float, float], list[MapPoint]] = {}
        for p in sorted(points, key=lambda p: -(p.n or 0)):
            placed.setdefault((round(p.x, 6), round(p.y, 6)), []).append(p)
            marker = "o" if p.group is None or p.group == first_group else "^"
            if p.effect is None:
                face = "none"
            else:
                face = cmap(norm(p.effect))
            ax.scatter([p.x], [p.y], s=_size(p.n), marker=marker, facecolors=[face],
                       edgecolors=_style.INK, linewidths=0.9, zorder=4, gid=f"study:{p.label}")
        sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        cbar = fig.colorbar(sm, ax=ax, fraction=0.04, pad=0.02)
        cbar.set_label(effect_label, fontsize=_style.SMALL_FONT_SIZE)
        cbar.ax.tick_params(labelsize=_style.SMALL_FONT_SIZE)
        cbar.ax.set_gid("colorbar")
        # Legend: shape (group), hollow (no effect), size (n).
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], marker="o" if i == 0 else "^", ls="none", mfc="#bbbbbb", mec=_style.INK, ms=6,
                          label=text) for i, text in enumerate(group_names.values())]
        handles.append(Line2D([], [], marker="o", ls="none", mfc="none", mec=_style.INK, ms=6, label="No effect size"))
        for n in (10, 30):
            handles.append(Line2D([], [], marker="o", ls="none", mfc="white", mec=_style.GREY,
                                  ms=float(np.sqrt(_size(n))), label=f"n = {n}"))
        if trial is not None:
            handles.append(Rectangle((0, 0), 1, 1, facecolor="#dbe5f1", edgecolor=_style.ACCENT, hatch="\\\\\\",
                                     label=f"{trial.label} regimen"))
        if references:
            handles.append(Line2D([], [], color=_style.ACCENT2, ls="--", label="Reference"))
        foot = []
        if not_shown:
            foot.append(f"Not placed ({xlabel.lower()} or {ylabel.lower()} not reported): " + "; ".join(not_shown) + ".")
        if note:
            foot.append(note)
        _legend_and_footnote(fig, ax, handles, "\n".join(foot))
        _wrap_long_labels(fig, ax, cbar)
        _place_labels(fig, ax, placed)
        if title:
            ax.set_title(title, loc="left", fontsize=_style.FONT_SIZE + 1)
    return fig


def _legend_and_footnote(fig, ax, handles: list, foot: str) -> None:
    """The legend below the axis label and the footnote below the legend, both as wide as the axes at most.

    Offsets are in points from the axes' bottom edge, so they hold when a layout engine resizes the
    axes; the legend takes as many columns as fit the axes' width and the footnote is wrapped to it.
    """
    from matplotlib.transforms import offset_copy

    renderer = _style.renderer(fig)
    _settle(fig)
    px = 72.0 / fig.dpi
    box = ax.get_window_extent(renderer)
    below = (box.y0 - ax.xaxis.get_tightbbox(renderer).y0) * px + 4.0
    width_pt = box.width * px
    legend = None
    for ncol in (4, 3, 2, 1):
        legend = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, frameon=False,
                           bbox_transform=offset_copy(ax.transAxes, fig=fig, y=-below, units="points"),
                           labelspacing=1.1, handletextpad=0.5, columnspacing=1.2, fontsize=_style.SMALL_FONT_SIZE)
        if legend.get_window_extent(renderer).width * px <= width_pt:
            break
    if foot:
        below += legend.get_window_extent(renderer).height * px + 2.0
        size = _style.SMALL_FONT_SIZE - 0.5
        text = _style.wrap_to_width(foot, width_pt - 2.0, size, italic=True)
        ax.text(0.0, 0.0, text, transform=offset_copy(ax.transAxes, fig=fig, y=-below, units="points"), ha="left",
                va="top", fontsize=size, fontstyle="italic", gid="not-shown")


def _wrap_long_labels(fig, ax, cbar) -> None:
    """Wrap the y-axis and colourbar labels to the height they run along (short figures)."""
    renderer = _style.renderer(fig)
    _settle(fig)
    px = 72.0 / fig.dpi
    for axis, length in ((ax.yaxis, ax.get_window_extent(renderer).height),
                         (cbar.ax.yaxis, cbar.ax.get_window_extent(renderer).height)):
        label = axis.label
        text = label.get_text().replace("\n", " ")
        label.set_text(_style.wrap_to_width(text, max(length * px - 4.0, 30.0), label.get_fontsize()))
    _settle(fig)


def _settle(fig) -> None:
    """Let the figure's layout engine (constrained layout) place the axes now, before measuring."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)


def _place_labels(fig, ax, groups: Mapping[tuple[float, float], list[MapPoint]]) -> None:
    """Greedy label placement: first candidate offset whose box hits no label, marker or legend."""
    renderer = _style.renderer(fig)
    _settle(fig)
    taken = []
    legend = ax.get_legend()
    if legend is not None:
        taken.append(legend.get_window_extent(renderer))
    for t in ax.texts:
        taken.append(t.get_window_extent(renderer))
    for patch in ax.patches:
        taken.append(patch.get_window_extent(renderer))
    for line in ax.lines:  # the reference lines: labels should not cross them
        if str(line.get_gid()).startswith("reference"):
            taken.append(line.get_window_extent(renderer).padded(4))
    from matplotlib.transforms import Bbox

    markers: dict[str, Bbox] = {}
    for coll in ax.collections:
        gid = str(coll.get_gid())
        if not gid.startswith("study:"):
            continue
        half = np.sqrt(coll.get_sizes()[0]) / 2 * fig.dpi / 72
        x, y = ax.transData.transform(coll.get_offsets()[0])
        markers[gid] = Bbox([[x - half, y - half], [x + half, y + half]])
    taken.extend(markers.values())
    offsets = [(1, 1), (1, -1), (0, 1.4), (0, -1.4), (-1, 1), (-1, -1), (1.6, 0), (-1.6, 0), (1.5, 1.5), (1.5, -1.5),
               (-1.5, 1.5), (-1.5, -1.5)]
    for (px, py), members in groups.items():
        text = "; ".join(sorted(dict.fromkeys(p.label for p in members)))
        radius = max(np.sqrt(_size(p.n)) / 2 for p in members) + 2
        fallback = None
        for ux, uy in offsets:
            dx, dy = ux * radius, uy * radius
            ha = "left" if dx > 0 else ("right" if dx < 0 else "center")
            va = "bottom" if dy > 0 else ("top" if dy < 0 else "center")
            t = ax.annotate(text, (px, py), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                            fontsize=_style.SMALL_FONT_SIZE, gid=f"label:{text}", zorder=5,
                            bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))
            t.set_in_layout(False)  # placed inside the axes: it must not move them
            box = t.get_window_extent(renderer).padded(3)  # margin: saved fonts may render slightly wider
            frame = ax.get_window_extent(renderer)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not _overlaps(box, taken):
                taken.append(box)
                break
            if inside and fallback is None:
                fallback = (dx, dy, ha, va)
            t.remove()
        else:
            # Nowhere free: the first place inside the axes (overlapping), else on the marker, clipped.
            dx, dy, ha, va = fallback or (0.0, 0.0, "center", "center")
            t = ax.annotate(text, (px, py), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                            fontsize=_style.SMALL_FONT_SIZE, gid=f"label:{text}", zorder=5,
                            annotation_clip=True, clip_on=fallback is None)
            t.set_in_layout(False)
            taken.append(t.get_window_extent(renderer))
