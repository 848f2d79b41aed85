"""Contour-enhanced funnel plot."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _style
from ._scale import scale_for

__all__ = ["funnel_plot"]

#: Significance contours (two-sided p) and their greys, darkest = most significant.
_CONTOURS = ((0.10, "#f0f0f0"), (0.05, "#d0d0d0"), (0.01, "#a8a8a8"))


def funnel_plot(
    res: Any,
    *,
    contours: Sequence[float] = (0.10, 0.05, 0.01),
    ni: Sequence[float] | None = None,
    label_points: bool = False,
    title: str | None = None,
    ax: Any = None,
):
    """Funnel plot with significance contours (Peters et al. 2008).

    Studies are plotted at (effect, standard error) with the SE axis
    inverted. Shaded bands mark where a study's own two-sided test against
    no effect would reach p < 0.10, 0.05 and 0.01; the dashed lines are the
    pseudo 95% confidence limits around the pooled estimate.

    Parameters
    ----------
    res : MetaResult
        Uses ``yi``, ``vi``, ``estimate``, ``measure``, ``labels``.
    contours : sequence of float
        Two-sided p-values of the shaded contours (subset of 0.10, 0.05, 0.01).
    ni : sequence of float, optional
        Study sizes (Freeman-Tukey back-transform of tick labels).
    label_points : bool
        Write each study's label beside its point.
    title : str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Points have gid ``studies``; the pooled line ``pooled``; contour
        regions ``contour:<p>``; pseudo-CI lines ``pseudo-ci``.
    """
    from scipy import stats

    with _style.style():
        fig, ax = _style.figure_and_axes(ax, _style.SINGLE_COLUMN, 3.0)
        yi = np.asarray(res.yi, dtype=float)
        se = np.sqrt(np.asarray(res.vi, dtype=float))
        scale = scale_for(getattr(res, "measure", "GEN"), ni)
        null = scale.null if scale.null is not None else None
        se_max = float(se.max()) * 1.08 if len(se) else 1.0
        grid = np.linspace(0, se_max, 100)
        centre = 0.0 if null is None else null
        # Significance contours are around no effect; for single-group measures
        # (no null) they are omitted.
        if null is not None:
            for p, colour in sorted(_CONTOURS, key=lambda c: -c[0]):
                if not any(abs(p - c) < 1e-12 for c in contours):
                    continue
                zc = stats.norm.ppf(1 - p / 2)
                # Region between the contour for p and infinity: shade where |z| > zc,
                # drawn as outer band (white inside for non-significant).
                ax.fill_betweenx(grid, centre + zc * grid, centre + 50 * se_max, color=colour, lw=0,
                                 gid=f"contour:{p:g}", zorder=0)
                ax.fill_betweenx(grid, centre - 50 * se_max, centre - zc * grid, color=colour, lw=0, zorder=0)
        z = stats.norm.ppf(0.975)
        ax.plot(res.estimate - z * grid, grid, ls="--", color=_style.GREY, lw=0.7, gid="pseudo-ci")
        ax.plot(res.estimate + z * grid, grid, ls="--", color=_style.GREY, lw=0.7)
        ax.axvline(res.estimate, color=_style.ACCENT, lw=0.9, gid="pooled")
        if null is not None:
            ax.axvline(null, color=_style.INK, lw=0.5, ls=":", gid="null")
        ax.scatter(yi, se, s=18, marker="o", facecolor="white", edgecolor=_style.INK, linewidths=0.8,
                   zorder=3, gid="studies")
        if label_points:
            for x, y, lab in zip(yi, se, res.labels):
                ax.annotate(str(lab), (x, y), xytext=(3, 2), textcoords="offset points",
                            fontsize=_style.SMALL_FONT_SIZE - 1)
        ax.set_ylim(se_max, 0)
        width = max(np.max(np.abs(yi - res.estimate)) if len(yi) else 1.0, z * se_max) * 1.1
        ax.set_xlim(res.estimate - width, res.estimate + width)
        ticks, labels = scale.tick_positions(*ax.get_xlim())
        ax.set_xticks(ticks, labels)
        ax.set_xlabel(scale.name + (" (log scale)" if scale.kind == "ratio" else ""), fontsize=_style.FONT_SIZE)
        ax.set_ylabel("Standard error", fontsize=_style.FONT_SIZE)
        ax.tick_params(labelsize=_style.SMALL_FONT_SIZE)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if null is not None:
            from matplotlib.patches import Patch

            handles = [Patch(facecolor=c, edgecolor=_style.GREY, lw=0.4, label=f"p < {p:g}")
                       for p, c in _CONTOURS if any(abs(p - q) < 1e-12 for q in contours)]
            # Inside the axes (lower corner away from the pooled estimate), so nothing is drawn outside it.
            ax.legend(handles=handles, loc="lower left" if res.estimate > centre else "lower right", frameon=True,
                      framealpha=0.9, edgecolor="none", handlelength=1.2, fontsize=_style.SMALL_FONT_SIZE - 0.5,
                      title="Own test vs no effect", title_fontsize=_style.SMALL_FONT_SIZE - 0.5)
        if title:
            ax.set_title(title, loc="left", fontsize=_style.FONT_SIZE + 1)
    return fig
