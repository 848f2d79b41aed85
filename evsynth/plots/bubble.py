"""Bubble plot of a meta-regression on one moderator."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _style
from ._scale import scale_for

__all__ = ["bubble_plot"]


def bubble_plot(
    res: Any,
    x: Sequence[float],
    *,
    xlabel: str = "Moderator",
    log_x: bool = False,
    x_range: tuple[float, float] | None = None,
    ni: Sequence[float] | None = None,
    label_points: bool = True,
    show_pi: bool = False,
    note: str | None = None,
    title: str | None = None,
    ax: Any = None,
):
    """Meta-regression bubble plot: studies sized by weight, fitted line, CI band.

    Parameters
    ----------
    res : MetaResult
        A fit with one moderator (``evsynth.meta.fit(..., moderators=x)``);
        the line and band come from ``res.predict(newmods=grid)``.
    x : sequence of float
        The moderator value of each study (same order as ``res.yi``).
    xlabel : str
    log_x : bool
        Log-scaled x axis (the moderator is still used as given).
    x_range : (float, float), optional
        Range of the fitted line; default the data's range. A range beyond
        the data is drawn dashed and labelled as extrapolation.
    ni : sequence of float, optional
        Study sizes (Freeman-Tukey back-transform of tick labels).
    label_points, show_pi : bool
    note : str, optional
        Text in the lower corner (e.g. "k = 5").
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        gids: ``bubbles`` (offsets = (x, yi), sizes ∝ weight), ``fit`` (line within
        the data), ``extrapolation`` (line beyond), ``ci-band``, ``pi-band``.
    """
    x = np.asarray(x, dtype=float)
    yi = np.asarray(res.yi, dtype=float)
    if len(x) != len(yi):
        from ..errors import InputError

        raise InputError(f"x has {len(x)} values for {len(yi)} studies", field="x")
    scale = scale_for(getattr(res, "measure", "GEN"), ni)
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    g_lo, g_hi = x_range if x_range else (lo, hi)
    grid = np.geomspace(g_lo, g_hi, 120) if log_x and g_lo > 0 else np.linspace(g_lo, g_hi, 120)
    pred = res.predict(newmods=grid)
    w = np.asarray(res.weights, dtype=float)
    with _style.style():
        fig, ax = _style.figure_and_axes(ax, _style.SINGLE_COLUMN, 2.8)
        ax.fill_between(grid, pred.ci_low, pred.ci_high, facecolor=_style.LIGHT_GREY, edgecolor="none",
                        alpha=0.6, gid="ci-band", label=f"{getattr(res, 'level', 95):g}% CI")
        if show_pi:
            ax.plot(grid, pred.pi_low, ls=":", color=_style.GREY, gid="pi-band", label="Prediction interval")
            ax.plot(grid, pred.pi_high, ls=":", color=_style.GREY)
        inside = (grid >= lo) & (grid <= hi)
        ax.plot(grid[inside], pred.estimate[inside], color=_style.ACCENT, lw=1.2, gid="fit", label="Fitted")
        if (~inside).any():
            ax.plot(np.where(inside, np.nan, grid), pred.estimate, color=_style.ACCENT, lw=1.0, ls="--",
                    gid="extrapolation", label="Extrapolation")
        sizes = 20 + 280 * w / w.max() if w.max() > 0 else np.full_like(w, 40)
        ax.scatter(x, yi, s=sizes, facecolor="white", edgecolor=_style.INK, linewidths=0.8, alpha=0.9, zorder=3,
                   gid="bubbles")
        if label_points:
            for xv, yv, lab in zip(x, yi, res.labels):
                ax.annotate(str(lab), (xv, yv), xytext=(5, 4), textcoords="offset points",
                            fontsize=_style.SMALL_FONT_SIZE - 1)
        if log_x:
            ax.set_xscale("log")
        lo_y, hi_y = ax.get_ylim()
        ticks, labels = scale.tick_positions(lo_y, hi_y)
        ax.set_yticks(ticks, labels)
        ax.set_ylabel(scale.name, fontsize=_style.FONT_SIZE)
        ax.set_xlabel(xlabel, fontsize=_style.FONT_SIZE)
        ax.tick_params(labelsize=_style.SMALL_FONT_SIZE)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(loc="best", frameon=False, fontsize=_style.SMALL_FONT_SIZE)
        if note:
            ax.text(0.99, 0.01, note, transform=ax.transAxes, ha="right", va="bottom",
                    fontsize=_style.SMALL_FONT_SIZE - 0.5, fontstyle="italic", gid="note")
        if title:
            ax.set_title(title, loc="left", fontsize=_style.FONT_SIZE + 1)
    return fig
