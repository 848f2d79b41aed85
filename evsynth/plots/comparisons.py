"""Every controlled comparison at every timepoint, one row each, nothing pooled."""

from __future__ import annotations

import math
from typing import Any, Sequence

from . import _style

__all__ = ["comparisons_plot"]

_NULL = {"RR": 1.0, "OR": 1.0, "RD": 0.0}
_NAMES = {"RR": "Risk ratio", "OR": "Odds ratio", "RD": "Risk difference"}


def comparisons_plot(comparisons: Sequence[Any], *, title: str | None = None, treatment: str = "Intervention",
                     control: str = "Control", ax: Any = None):
    """Forest-style plot of :func:`~evsynth.effects.comparisons.controlled_comparisons`, without a pooled row.

    Parameters
    ----------
    comparisons : sequence of Comparison
    title : str, optional
    treatment, control : str
        Column headers of the counts and the favours labels.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Points have gids ``cmp:<i>``, CI lines ``cmpci:<i>``.
    """
    rows = list(comparisons)
    with _style.style():
        fig, ax = _style.figure_and_axes(ax, _style.DOUBLE_COLUMN * 0.75, 1.2 + 0.3 * max(len(rows), 1))
        if not rows:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "No study has a control arm", ha="center", va="center", transform=ax.transAxes)
            return fig
        m = rows[0].measure
        log = m in ("RR", "OR")
        for i, c in enumerate(rows):
            ax.plot([c.ci_low, c.ci_high], [i, i], color=_style.INK, gid=f"cmpci:{i}")
            ax.plot([c.estimate], [i], marker="s", color=_style.ACCENT, markersize=5, linestyle="none",
                    gid=f"cmp:{i}")
        if log:
            ax.set_xscale("log")
        ax.axvline(_NULL[m], color=_style.GREY, linewidth=0.6)
        lo = min(c.ci_low for c in rows)
        hi = max(c.ci_high for c in rows)
        if log:
            lo, hi = min(lo, 0.5), max(hi, 2.0)
            ax.set_xlim(lo / 1.3, hi * 1.3)
            ticks = [v for v in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
                     if lo / 1.3 <= v <= hi * 1.3]
            ax.set_xticks(ticks)
            ax.set_xticklabels([f"{v:g}" for v in ticks])
            ax.minorticks_off()
        ax.set_ylim(len(rows) - 0.5, -1.2)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{c.label}, {c.timepoint or 'time not stated'}" for c in rows])
        ax.tick_params(axis="y", length=0)
        for side in ("right", "top", "left"):
            ax.spines[side].set_visible(False)
        trans = ax.get_yaxis_transform()
        ax.text(1.02, -1.0, f"{treatment} vs {control}", transform=trans, fontweight="bold", va="center")
        ax.text(1.42, -1.0, f"{m} [95% CI]", transform=trans, fontweight="bold", va="center")
        for i, c in enumerate(rows):
            ax.text(1.02, i, c.counts(), transform=trans, va="center")
            mark = " *" if c.notes else ""
            ax.text(1.42, i, f"{c.estimate:.2f} [{c.ci_low:.2f}, {c.ci_high:.2f}]{mark}", transform=trans,
                    va="center")
        ax.set_xlabel(f"{_NAMES.get(m, m)} ({'log scale; ' if log else ''}> {_NULL[m]:g}: more events with {treatment.lower()})")
        notes = sorted({n for c in rows for n in c.notes})
        foot = "Each row is one timepoint of one study; rows are not pooled."
        if notes:
            foot += " * " + "; ".join(notes) + "."
        ax.text(0.0, -0.32 if len(rows) < 5 else -0.15, foot, transform=ax.transAxes, fontsize=_style.SMALL_FONT_SIZE,
                va="top")
        if title:
            ax.set_title(title, loc="left")
        if not math.isfinite(lo):
            ax.set_xlim(auto=True)
    return fig
