"""Leave-one-out plot: the pooled estimate with each study omitted in turn."""

from __future__ import annotations

from typing import Any, Sequence

from ._series import series_plot

__all__ = ["leave_one_out_plot"]


def leave_one_out_plot(
    res: Any,
    *,
    loo: Any = None,
    ni: Sequence[float] | None = None,
    xlim: tuple[float, float] | None = None,
    title: str | None = None,
    plot_width: float = 2.0,
    ax: Any = None,
):
    """Forest-type plot of the pooled estimate omitting each study in turn.

    Parameters
    ----------
    res : MetaResult
        The full analysis (drawn as the diamond at the bottom).
    loo : result of :func:`evsynth.meta.leave_one_out`, optional
        Computed from ``res`` when not given (its ``to_frame()`` columns
        ``omitted``, ``estimate``, ``ci_low``, ``ci_high``, ``i2``, ``tau2`` are drawn).
    ni, xlim, title, plot_width, ax
        As for :func:`~evsynth.plots.forest_plot`.

    Returns
    -------
    matplotlib.figure.Figure
        Rows have gids ``square:<i>``/``ci:<i>``/``label:<i>`` ("Omitting <study>");
        the full analysis ``diamond:overall``.
    """
    if loo is None:
        from ..meta import leave_one_out

        loo = leave_one_out(res)
    frame = loo.to_frame() if hasattr(loo, "to_frame") else loo
    return series_plot(frame, res, label_column="omitted", label_header="Omitted study",
                       row_prefix="Omitting ", title=title, ni=ni, xlim=xlim, plot_width=plot_width, ax=ax)
