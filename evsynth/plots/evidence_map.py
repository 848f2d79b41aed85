"""Evidence map: where each study sits in dose × infusion duration, and the new trial's regimen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from matplotlib.patches import Rectangle

from . import _style

__all__ = ["evidence_map", "MapPoint", "TrialRegion"]


@dataclass(frozen=True)
class MapPoint:
    """One study on the map.

    Attributes
    ----------
    label : str
    dose_mg_per_kg, minutes : float
        Position (per-infusion dose and infusion length).
    n : int or None
        Patients (marker size).
    enantiomer : str
        ``racemic`` or ``S`` (marker shape).
    effect : float or None
        Proportion of responders (colour); None draws a hollow marker.
    """

    label: str
    dose_mg_per_kg: float
    minutes: float
    n: int | None = None
    enantiomer: str = "racemic"
    effect: float | None = None


@dataclass(frozen=True)
class TrialRegion:
    """A trial's regimen as a region: dose and duration ranges."""

    label: str
    dose_low: float
    dose_high: float
    minutes_low: float
    minutes_high: float


def _size(n: int | None) -> float:
    return 18.0 + 5.0 * (n if n else 4)


def _overlaps(box, boxes) -> bool:
    return any(box.overlaps(b) for b in boxes)


def evidence_map(
    points: Iterable[MapPoint],
    *,
    trial: TrialRegion | None = None,
    reference_weight_kg: float = 70.0,
    guideline_minutes: float | None = 120.0,
    guideline_total_mg: float | None = 80.0,
    not_shown: Sequence[str] = (),
    note: str | None = None,
    effect_label: str = "Responders (proportion, \u226550% pain reduction)",
    xlim: tuple[float, float] = (0.05, 4.0),
    ylim: tuple[float, float] = (4.0, 800.0),
    title: str | None = None,
    ax: Any = None,
):
    """Map studies by dose (mg/kg) and infusion minutes, both on log axes.

    Marker area grows with n, colour shows the proportion of responders
    (viridis, with a colourbar; hollow = no effect reported), shape the
    enantiomer (circle racemic, triangle S-ketamine). The trial's regimen is a
    hatched region; the consensus-guideline floor (infusion ≥ 2 h and total
    ≥ 80 mg, converted to mg/kg at ``reference_weight_kg``) is drawn as two
    dashed lines. Studies at the same position share one label.

    Parameters
    ----------
    points : iterable of MapPoint
    trial : TrialRegion, optional
    reference_weight_kg : float
        Body weight used to convert the guideline's total dose into mg/kg
        (stated on the plot).
    guideline_minutes, guideline_total_mg : float or None
        The guideline floor; None omits a line.
    not_shown : sequence of str
        Studies that could not be placed (listed in a footnote).
    note : str, optional
        Extra footnote text.
    effect_label, xlim, ylim, title, ax
        Colourbar label, axis ranges (mg/kg; minutes), title, axes.

    Returns
    -------
    matplotlib.figure.Figure
        gids: ``study:<label>`` (one scatter per study), ``trial-region``,
        ``guideline-minutes``, ``guideline-dose``, ``colorbar``,
        ``label:<text>``, ``not-shown``.
    """
    import matplotlib as mpl

    points = list(points)
    cmap = mpl.colormaps["viridis"]
    norm = mpl.colors.Normalize(vmin=0.0, vmax=1.0)
    with _style.style():
        fig, ax = _style.figure_and_axes(ax, _style.DOUBLE_COLUMN * 0.78, 4.0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_xlabel("Ketamine dose per infusion (mg/kg, log scale)", fontsize=_style.FONT_SIZE)
        ax.set_ylabel("Infusion duration (minutes, log scale)", fontsize=_style.FONT_SIZE)
        ax.tick_params(labelsize=_style.SMALL_FONT_SIZE)
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

        xt = [v for v in (0.05, 0.1, 0.2, 0.3, 0.5, 1, 1.5, 2, 3, 4) if xlim[0] <= v <= xlim[1]]
        yt = [v for v in (5, 10, 15, 30, 60, 120, 180, 240, 360) if ylim[0] <= v <= ylim[1]]
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
        if guideline_minutes:
            ax.axhline(guideline_minutes, color=_style.ACCENT2, ls="--", lw=0.9, gid="guideline-minutes", zorder=1)
        if guideline_total_mg:
            g_dose = guideline_total_mg / reference_weight_kg
            ax.axvline(g_dose, color=_style.ACCENT2, ls="--", lw=0.9, gid="guideline-dose", zorder=1)
            ax.text(g_dose * 0.97, ylim[0] * 1.08, f"\u2265 {guideline_total_mg:g} mg total\n= {g_dose:.2f} mg/kg "
                    f"at {reference_weight_kg:g} kg", ha="right", va="bottom", fontsize=_style.SMALL_FONT_SIZE - 0.5,
                    color=_style.ACCENT2, gid="guideline-dose-label")
        if guideline_minutes:
            ax.text(xlim[0] * 1.08, guideline_minutes * 1.05, f"Consensus guideline floor: infusion \u2265 "
                    f"{guideline_minutes / 60:g} h", ha="left", va="bottom", fontsize=_style.SMALL_FONT_SIZE - 0.5,
                    color=_style.ACCENT2, gid="guideline-minutes-label")
        if trial is not None:
            rect = Rectangle((trial.dose_low, trial.minutes_low), trial.dose_high - trial.dose_low,
                             trial.minutes_high - trial.minutes_low, facecolor="#dbe5f1", edgecolor=_style.ACCENT,
                             hatch="\\\\\\", lw=1.0, gid="trial-region", zorder=2)
            ax.add_patch(rect)
            ax.text(trial.dose_low, trial.minutes_high * 1.08,
                    f"{trial.label}\n{trial.dose_low:g}\u2013{trial.dose_high:g} mg/kg\n"
                    f"{trial.minutes_low:g}\u2013{trial.minutes_high:g} min",
                    ha="left", va="bottom", fontsize=_style.SMALL_FONT_SIZE, fontweight="bold",
                    color=_style.ACCENT, gid="trial-label")
        # Studies: largest first so small markers stay visible on top.
        groups: dict[tuple[float, float], list[MapPoint]] = {}
        for p in sorted(points, key=lambda p: -(p.n or 0)):
            groups.setdefault((round(p.dose_mg_per_kg, 6), round(p.minutes, 6)), []).append(p)
            marker = "^" if str(p.enantiomer).upper().startswith("S") else "o"
            if p.effect is None:
                face = "none"
            else:
                face = cmap(norm(p.effect))
            ax.scatter([p.dose_mg_per_kg], [p.minutes], s=_size(p.n), marker=marker, facecolors=[face],
                       edgecolors=_style.INK, linewidths=0.9, zorder=4, gid=f"study:{p.label}")
        sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        cbar = fig.colorbar(sm, ax=ax, fraction=0.04, pad=0.02)
        cbar.set_label(effect_label, fontsize=_style.SMALL_FONT_SIZE)
        cbar.ax.tick_params(labelsize=_style.SMALL_FONT_SIZE)
        cbar.ax.set_gid("colorbar")
        # Legend: shape (enantiomer), hollow (no effect), size (n).
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], marker="o", ls="none", mfc="#bbbbbb", mec=_style.INK, ms=6, label="Racemic ketamine"),
            Line2D([], [], marker="^", ls="none", mfc="#bbbbbb", mec=_style.INK, ms=6, label="S-ketamine"),
            Line2D([], [], marker="o", ls="none", mfc="none", mec=_style.INK, ms=6, label="No responder data"),
        ]
        for n in (10, 30):
            handles.append(Line2D([], [], marker="o", ls="none", mfc="white", mec=_style.GREY,
                                  ms=float(np.sqrt(_size(n))), label=f"n = {n}"))
        if trial is not None:
            handles.append(Rectangle((0, 0), 1, 1, facecolor="#dbe5f1", edgecolor=_style.ACCENT, hatch="\\\\\\",
                                     label=f"{trial.label} regimen"))
        handles.append(Line2D([], [], color=_style.ACCENT2, ls="--", label="Guideline floor"))
        foot = []
        if not_shown:
            foot.append("Not placed (dose per kg or duration not reported): " + "; ".join(not_shown) + ".")
        if note:
            foot.append(note)
        _legend_and_footnote(fig, ax, handles, "\n".join(foot))
        _wrap_long_labels(fig, ax, cbar)
        _place_labels(fig, ax, groups)
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
    for line in ax.lines:  # the guideline lines: labels should not cross them
        if str(line.get_gid()).startswith("guideline"):
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
    for (dose, minutes), members in groups.items():
        text = "; ".join(sorted(dict.fromkeys(p.label for p in members)))
        radius = max(np.sqrt(_size(p.n)) / 2 for p in members) + 2
        fallback = None
        for ux, uy in offsets:
            dx, dy = ux * radius, uy * radius
            ha = "left" if dx > 0 else ("right" if dx < 0 else "center")
            va = "bottom" if dy > 0 else ("top" if dy < 0 else "center")
            t = ax.annotate(text, (dose, minutes), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
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
            t = ax.annotate(text, (dose, minutes), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                            fontsize=_style.SMALL_FONT_SIZE, gid=f"label:{text}", zorder=5,
                            annotation_clip=True, clip_on=fallback is None)
            t.set_in_layout(False)
            taken.append(t.get_window_extent(renderer))
