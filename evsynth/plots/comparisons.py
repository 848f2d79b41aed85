"""Every controlled comparison at every timepoint, one row each, nothing pooled."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _style

__all__ = ["comparisons_plot"]

_NULL = {"RR": 1.0, "OR": 1.0, "RD": 0.0}
_NAMES = {"RR": "Risk ratio", "OR": "Odds ratio", "RD": "Risk difference"}


def comparisons_plot(comparisons: Sequence[Any], *, title: str | None = None, treatment: str = "Intervention",
                     control: str = "Control", ax: Any = None):
    """Forest-style plot of :func:`~evsynth.effects.comparisons.controlled_comparisons`, without a pooled row.

    Drawn by the forest plot's table engine, so everything (labels, counts, effect text, the
    footnote) stays inside ``ax`` when one is given.

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
        Rows have gids ``square:<i>`` (the estimate), ``ci:<i>`` (its CI), ``label:<i>``,
        ``cell:<i>:0`` (counts), ``right:<i>:0`` (effect [95% CI]); the footnote ``note:foot``.
    """
    from ._scale import scale_for
    from ._table import Row, render

    rows = list(comparisons)
    if not rows:
        with _style.style():
            fig, ax = _style.figure_and_axes(ax, _style.SINGLE_COLUMN, 1.0)
            ax.set_axis_off()
            ax.text(0.5, 0.5, "No study has a control arm", ha="center", va="center", transform=ax.transAxes)
        return fig
    m = rows[0].measure
    scale = scale_for(m)
    table: list[Row] = []
    for i, c in enumerate(rows):
        lo, est, hi = (float(scale.forward(np.asarray(v))) for v in (c.ci_low, c.estimate, c.ci_high))
        mark = " *" if c.notes else ""
        table.append(Row("study", label=f"{c.label}, {c.timepoint or 'time not stated'}", cells=[c.counts()],
                         right=[f"{c.estimate:.2f} [{c.ci_low:.2f}, {c.ci_high:.2f}]{mark}"], est=est, lo=lo, hi=hi,
                         gid=str(i)))
    notes = sorted({n for c in rows for n in c.notes})
    foot = "Each row is one timepoint of one study; rows are not pooled."
    if notes:
        foot += " * " + "; ".join(notes) + "."
    table.append(Row("blank", height=0.4))
    table.append(Row("text", label=foot, span=True, gid="foot"))
    null = _NULL.get(m)
    return render(table, scale=scale, left_headers=["Study, timepoint", f"{treatment} vs {control}\nevents/total"],
                  right_headers=[f"{m}\n[95% CI]"], favours=(f"More events with {control.lower()}",
                                                             f"More events with {treatment.lower()}"),
                  refline=None if null is None else float(scale.forward(np.asarray(null))), title=title, ax=ax,
                  xlabel=_NAMES.get(m, m) + (" (log scale)" if m in ("RR", "OR") else ""))
