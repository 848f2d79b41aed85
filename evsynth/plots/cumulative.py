"""Cumulative forest plot: the pooled estimate as studies are added in order."""

from __future__ import annotations

from typing import Any, Sequence

from ._series import series_plot

__all__ = ["cumulative_plot"]


def cumulative_plot(
    res: Any,
    *,
    order: Sequence[int] | None = None,
    cum: Any = None,
    ni: Sequence[float] | None = None,
    xlim: tuple[float, float] | None = None,
    title: str | None = None,
    plot_width: float = 2.0,
    ax: Any = None,
):
    """Cumulative meta-analysis as a forest-type plot (one row per added study).

    Parameters
    ----------
    res : MetaResult
        The full analysis (drawn as the diamond at the bottom).
    order : sequence of int, optional
        Order in which studies are added (e.g. by year); passed to
        :func:`evsynth.meta.cumulative`.
    cum : result of :func:`evsynth.meta.cumulative`, optional
        Computed from ``res`` and ``order`` when not given (its ``to_frame()``
        columns ``added``, ``estimate``, ``ci_low``, ``ci_high``, ``i2``, ``tau2`` are drawn).
    ni, xlim, title, plot_width, ax
        As for :func:`~evsynth.plots.forest_plot`.

    Returns
    -------
    matplotlib.figure.Figure
        Row ``i`` (gids ``square:<i>``, ``label:<i>``) is the analysis of the
        first ``i + 1`` studies ("+ <study>").
    """
    if cum is None:
        from ..meta import cumulative

        cum = cumulative(res, order=order)
    frame = cum.to_frame() if hasattr(cum, "to_frame") else cum
    return series_plot(frame, res, label_column="added", label_header="Adding study",
                       row_prefix="+ ", title=title, ni=ni, xlim=xlim, plot_width=plot_width, ax=ax)
