"""Rows of re-fitted estimates (leave-one-out, cumulative) as a forest-type table."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _style
from ._scale import scale_for
from ._table import Row, render
from .forest import _ci_text, _model_label


def _column(frame: Any, names: Sequence[str], required: bool = True) -> np.ndarray | None:
    for name in names:
        if name in frame.columns:
            return frame[name].to_numpy()
    if required:
        raise KeyError(f"result frame has none of the columns {list(names)}; has {list(frame.columns)}")
    return None


def series_plot(
    frame: Any,
    overall: Any,
    *,
    label_names: Sequence[str],
    label_header: str,
    row_prefix: str = "",
    title: str | None,
    ni: Sequence[float] | None,
    xlim: tuple[float, float] | None,
    plot_width: float,
    ax: Any,
):
    """Draw one row per re-fit (``frame``) and the full analysis (``overall``) as a diamond."""
    scale = scale_for(getattr(overall, "measure", "GEN"), ni)
    labels = _column(frame, label_names)
    est = _column(frame, ("estimate", "pred", "b"))
    lo = _column(frame, ("ci_low", "ci.lb", "ci_lb"))
    hi = _column(frame, ("ci_high", "ci.ub", "ci_ub"))
    i2 = _column(frame, ("i2", "I2"), required=False)
    tau2 = _column(frame, ("tau2",), required=False)
    rows: list[Row] = []
    for i in range(len(est)):
        right = [_ci_text(scale, est[i], lo[i], hi[i])]
        right.append("" if i2 is None or not np.isfinite(i2[i]) else f"{i2[i]:.0f}%")
        right.append("" if tau2 is None or not np.isfinite(tau2[i]) else _style.fmt_num(float(tau2[i]), 3))
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
