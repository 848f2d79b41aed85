"""Rows of re-fitted estimates (leave-one-out, cumulative) as a forest-type table."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _style
from ._scale import scale_for
from ._table import Row, render
from .forest import _ci_text, _model_label


def series_plot(
    frame: Any,
    overall: Any,
    *,
    label_column: str,
    label_header: str,
    row_prefix: str = "",
    title: str | None,
    ni: Sequence[float] | None,
    xlim: tuple[float, float] | None,
    plot_width: float,
    ax: Any,
):
    """Draw one row per re-fit and the full analysis (``overall``) as a diamond.

    ``frame`` is the ``to_frame()`` of :func:`evsynth.meta.leave_one_out` or
    :func:`evsynth.meta.cumulative`: ``label_column`` names the row, and
    ``estimate``, ``ci_low``, ``ci_high``, ``i2``, ``tau2`` give the re-fit.
    """
    scale = scale_for(getattr(overall, "measure", "GEN"), ni)
    labels = frame[label_column].to_numpy()
    est, lo, hi, i2, tau2 = (frame[c].to_numpy(dtype=float) for c in ("estimate", "ci_low", "ci_high", "i2", "tau2"))
    rows: list[Row] = []
    for i in range(len(est)):
        right = [_ci_text(scale, est[i], lo[i], hi[i])]
        right.append(f"{i2[i]:.0f}%" if np.isfinite(i2[i]) else "")
        right.append(_style.fmt_num(float(tau2[i]), 3))
        rows.append(Row("study", label=f"{row_prefix}{labels[i]}", right=right, est=float(est[i]), lo=float(lo[i]),
                        hi=float(hi[i]), gid=str(i)))
    rows.append(Row("blank", height=0.4))
    rows.append(Row("pooled", label=f"All studies ({getattr(overall, 'method', 'REML')})",
                    right=[_ci_text(scale, overall.estimate, overall.ci_low, overall.ci_high), f"{overall.i2:.0f}%",
                           _style.fmt_num(float(overall.tau2), 3)],
                    est=overall.estimate, lo=overall.ci_low, hi=overall.ci_high, gid="overall", bold=True))
    fig = render(
        rows,
        scale=scale,
        left_headers=[label_header],
        right_headers=[f"{scale.name}\n[{float(getattr(overall, 'level', 95.0)):g}% CI]", "I\u00b2", "\u03c4\u00b2"],
        xlim=xlim,
        favours=None,
        refline=scale.null if scale.null is not None else overall.estimate,
        title=title,
        plot_width=plot_width,
        ax=ax,
        refline_dashed=scale.null is None,
    )
    return fig
