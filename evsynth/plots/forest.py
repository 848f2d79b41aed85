"""Forest plots in the RevMan / R ``meta`` layout.

:func:`forest_plot` draws one :class:`~evsynth.meta.MetaResult` (or a
:class:`~evsynth.meta.SubgroupResult`) as a table: study label, per-arm
columns, squares sized by weight with CI whiskers (arrows where clipped),
effect and CI as text, weight %, the pooled diamond, the prediction
interval, heterogeneity and the test for the overall effect.
"""

from __future__ import annotations

import textwrap
from typing import Any, Mapping, Sequence

import numpy as np

from . import _style
from ._scale import Scale, scale_for
from ._table import Row, render

__all__ = ["forest_plot", "arm_columns", "heterogeneity_text", "overall_test_text", "prediction_caveat_text"]


def arm_columns(
    name: str,
    *,
    events: Sequence[Any] | None = None,
    total: Sequence[Any] | None = None,
    mean: Sequence[Any] | None = None,
    sd: Sequence[Any] | None = None,
) -> dict[str, list[str]]:
    """Per-arm text columns for :func:`forest_plot`.

    Parameters
    ----------
    name : str
        Arm name, shown once above its columns ("Vaccine").
    events, total : sequence, optional
        Events / total for binary outcomes.
    mean, sd : sequence, optional
        Mean and SD for continuous outcomes (with ``total`` as n).

    Returns
    -------
    dict
        ``{"<name>\\nEvents": [...], "<name>\\nTotal": [...]}`` (or Mean/SD/Total);
        missing values show as blank.
    """
    out: dict[str, list[str]] = {}

    def col(values: Sequence[Any], fmt: str) -> list[str]:
        return ["" if v is None or (isinstance(v, float) and not np.isfinite(v)) else format(v, fmt) for v in values]

    if mean is not None:
        out[f"{name}\nMean"] = col(mean, ".1f")
        if sd is not None:
            out[f"{name}\nSD"] = col(sd, ".1f")
    if events is not None:
        out[f"{name}\nEvents"] = col(events, "g")
    if total is not None:
        out[f"{name}\nTotal"] = col(total, "g")
    return out


def _ci_text(scale: Scale, est: float, lo: float, hi: float, digits: int = 2) -> str:
    e, l, h = (float(scale.back(np.asarray(v))) for v in (est, lo, hi))
    f = _style.fmt_num
    return f"{f(e, digits)} [{f(l, digits)}, {f(h, digits)}]"


def heterogeneity_text(res: Any) -> str:
    """``Heterogeneity: τ² = … [CI]; I² = …% [CI]; Q = … (df = …), p = …`` of a fit.

    The bracketed intervals are Q-profile CIs (metafor's ``confint``), shown when the fit has them.
    """
    tau2 = getattr(res, "tau2", float("nan"))
    lo, hi = getattr(res, "tau2_ci_low", float("nan")), getattr(res, "tau2_ci_high", float("nan"))
    t_ci = i_ci = ""
    if np.isfinite(lo) and np.isfinite(hi) and hasattr(res, "vi"):
        from ..meta.heterogeneity import heterogeneity

        h = heterogeneity(res)
        t_ci = f" [{_style.fmt_num(lo, 3)}, {_style.fmt_num(hi, 3)}]"
        i_ci = f" [{h.i2_ci[0]:.0f}%, {h.i2_ci[1]:.0f}%]"
    return (
        f"Heterogeneity: \u03c4\u00b2 = {_style.fmt_num(tau2, 3)}{t_ci}; I\u00b2 = {res.i2:.0f}%{i_ci}; "
        f"Q = {_style.fmt_num(res.q, 2)}, df = {int(res.q_df)} ({_style.fmt_p(res.q_p)})"
    )


def prediction_caveat_text(res: Any) -> str:
    """Why the prediction interval cannot be read as the spread of true effects ('' when it can)."""
    if not hasattr(res, "vi") or str(getattr(res, "method", "")) == "FE":
        return ""
    from ..meta.heterogeneity import MIN_K_PI

    if float(res.tau2) == 0.0:
        return "Prediction interval = CI only because \u03c4\u00b2 was estimated at 0 (truncated)" + (
            f"; k = {int(res.k)}" if int(res.k) < MIN_K_PI else "")
    if int(res.k) < MIN_K_PI:
        return f"Prediction interval from k = {int(res.k)} studies: \u03c4\u00b2 poorly estimated"
    return ""


def overall_test_text(res: Any) -> str:
    """``Test for overall effect: z = …, p = …`` (``t(df)`` with Knapp-Hartung)."""
    stat = "t" if getattr(res, "knha", False) else "z"
    df = f"({int(res.k) - 1})" if stat == "t" else ""
    return f"Test for overall effect: {stat}{df} = {_style.fmt_num(res.stat, 2)} ({_style.fmt_p(res.p)})"


def _model_label(res: Any, prefix: str = "Random-effects model") -> str:
    method = str(getattr(res, "method", "REML"))
    if method.upper() in ("FE", "EE", "CE"):
        prefix = "Common-effect model" if prefix == "Random-effects model" else prefix
        return prefix
    knha = ", Knapp-Hartung" if getattr(res, "knha", False) else ""
    return f"{prefix} ({method}{knha})"


def _wrap(label: str, width: int) -> tuple[str, float]:
    lines = textwrap.wrap(str(label), width=width) or [""]
    return "\n".join(lines), 1.0 + 0.75 * (len(lines) - 1)


def _study_rows(res: Any, idx: Sequence[int], scale: Scale, columns: Mapping[str, Sequence[Any]],
                weights: np.ndarray, wrap: int, z: float) -> list[Row]:
    rows = []
    yi = np.asarray(res.yi, dtype=float)
    se = np.sqrt(np.asarray(res.vi, dtype=float))
    labels = list(res.labels)
    for i in idx:
        lo, hi = yi[i] - z * se[i], yi[i] + z * se[i]
        text, h = _wrap(labels[i], wrap)
        cells = [str(vals[i]) for vals in columns.values()]
        rows.append(Row(
            "study", label=text, cells=cells,
            right=[_ci_text(scale, yi[i], lo, hi), f"{weights[i]:.1f}%"],
            est=yi[i], lo=lo, hi=hi, weight=float(weights[i]), gid=str(i), height=h,
        ))
    return rows


def _pooled_rows(res: Any, scale: Scale, name: str, label: str, *, show_pi: bool, weight_total: float | None,
                 notes: bool, ncols: int) -> list[Row]:
    rows = [Row("pooled", label=label, cells=[""] * ncols,
                right=[_ci_text(scale, res.estimate, res.ci_low, res.ci_high),
                       "" if weight_total is None else f"{weight_total:.1f}%".replace("100.0%", "100%")],
                est=res.estimate, lo=res.ci_low, hi=res.ci_high, gid=name, bold=True)]
    pi_lo, pi_hi = getattr(res, "pi_low", float("nan")), getattr(res, "pi_high", float("nan"))
    if show_pi and res.k >= 3 and np.isfinite(pi_lo) and np.isfinite(pi_hi):
        back = [float(scale.back(np.asarray(v))) for v in (pi_lo, pi_hi)]
        rows.append(Row("pi", label="Prediction interval",
            right=[f"[{_style.fmt_num(back[0])}, {_style.fmt_num(back[1])}]", ""],
            est=res.estimate, lo=pi_lo, hi=pi_hi, gid=name, italic=True))
        caveat = prediction_caveat_text(res)
        if notes and caveat:
            rows.append(Row("text", label=caveat, span=True, gid=f"picaveat:{name}"))
    if notes and res.k >= 2:
        rows.append(Row("text", label=heterogeneity_text(res), span=True, gid=f"het:{name}"))
    if notes and scale.null is not None:
        # A test "against 0" means nothing for a single-group proportion (logit 0 = 0.5), so it is left out there.
        rows.append(Row("text", label=overall_test_text(res), span=True, gid=f"test:{name}"))
    return rows


def forest_plot(
    res: Any,
    *,
    columns: Mapping[str, Sequence[Any]] | None = None,
    favours: tuple[str, str] | None = None,
    xlim: tuple[float, float] | None = None,
    ni: Sequence[float] | None = None,
    label_header: str = "Study",
    title: str | None = None,
    show_pi: bool = True,
    wrap: int = 30,
    plot_width: float = 2.0,
    ax: Any = None,
):
    """Forest plot of a meta-analysis in the RevMan / R ``meta`` layout.

    Parameters
    ----------
    res : MetaResult or SubgroupResult
        From :func:`evsynth.meta.fit` (uses ``yi``, ``vi``, ``labels``,
        ``weights``, the pooled estimate, CI, prediction interval and
        heterogeneity statistics) or :func:`evsynth.meta.subgroup` (then one
        block per group with its own diamond, and the test for subgroup
        differences).
    columns : mapping of str to sequence, optional
        Extra text columns between label and plot, in the order of
        ``res.labels`` (see :func:`arm_columns`). A header "Arm\\nEvents" puts
        "Arm" once above consecutive columns that share it.
    favours : (str, str), optional
        Labels under the axis, left and right of no effect, e.g.
        ``("Favours vaccine", "Favours placebo")``.
    xlim : (float, float), optional
        Axis limits on the analysis scale (log RR, logit); whiskers beyond
        them end in arrows. Default: every pooled mark and most study CIs.
    ni : sequence of float, optional
        Study sizes, for the Freeman-Tukey back-transform (``PFT``).
    label_header, title : str, optional
    show_pi : bool
        Draw the prediction interval (k >= 3).
    wrap : int
        Wrap study labels longer than this many characters.
    plot_width : float
        Width of the plot column in inches of a new figure (with ``ax``, the
        plot column takes what the text columns leave).
    ax : matplotlib Axes, optional
        Axes for the whole table: label and arm columns, the plot column and
        the effect and weight columns are drawn inside it (inset axes), with the
        font scaled down where the axes is smaller than the table's natural size.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.evsynth_axes`` maps ``table`` (the given or new axes) and
        ``plot``/``left``/``right`` (its columns) to the axes.
        Artists have ``gid`` values: ``square:<i>``, ``ci:<i>``, ``diamond:overall``,
        ``diamond:<group>``, ``pi:overall``, ``label:<i>``, ``right:<i>:0`` (effect
        text), ``right:<i>:1`` (weight), ``note:het:overall``, ``note:test:overall``,
        ``note:subgroups``.
    """
    from scipy import stats

    sub = res if hasattr(res, "groups") and hasattr(res, "overall") else None
    overall = sub.overall if sub is not None else res
    scale = scale_for(getattr(overall, "measure", "GEN"), ni)
    columns = dict(columns or {})
    k = len(overall.yi)
    for header, values in columns.items():
        if len(values) != k:
            from ..errors import InputError

            raise InputError(f"column {header!r} has {len(values)} values for {k} studies", field=header)
    level = float(getattr(overall, "level", 95.0))
    z = float(stats.norm.ppf(0.5 + level / 200.0))
    weights = np.asarray(overall.weights, dtype=float)
    ncols = len(columns)
    rows: list[Row] = []
    if sub is None:
        rows += _study_rows(overall, range(k), scale, columns, weights, wrap, z)
        rows.append(Row("blank", height=0.4))
        rows += _pooled_rows(overall, scale, "overall", _model_label(overall), show_pi=show_pi,
                             weight_total=float(weights.sum()), notes=True, ncols=ncols)
    else:
        labels = list(overall.labels)
        used: set[int] = set()
        for gname, gres in sub.groups.items():
            idx = []
            for lab in gres.labels:
                j = next(j for j, l in enumerate(labels) if l == lab and j not in used)
                used.add(j)
                idx.append(j)
            rows.append(Row("group", label=str(gname), bold=True, gid=f"group:{gname}"))
            rows += _study_rows(overall, idx, scale, columns, weights, wrap, z)
            rows += _pooled_rows(gres, scale, str(gname), _model_label(gres, "Subtotal"), show_pi=False,
                                 weight_total=float(weights[idx].sum()), notes=False, ncols=ncols)
            if gres.k >= 2:
                rows.append(Row("text", label=heterogeneity_text(gres), span=True, gid=f"het:{gname}"))
            rows.append(Row("blank", height=0.5))
        rows += _pooled_rows(overall, scale, "overall", _model_label(overall), show_pi=show_pi,
                             weight_total=float(weights.sum()), notes=True, ncols=ncols)
        rows.append(Row("text", span=True, gid="subgroups", label=(
            f"Test for subgroup differences: Q = {_style.fmt_num(sub.q_between, 2)}, "
            f"df = {int(sub.df_between)} ({_style.fmt_p(sub.p_between)})")))
    ci_head = f"{scale.name}\n[{level:g}% CI]"
    return render(
        rows,
        scale=scale,
        left_headers=[label_header] + list(columns),
        right_headers=[ci_head, "Weight"],
        xlim=xlim,
        favours=favours,
        refline=scale.null,
        title=title,
        plot_width=plot_width,
        ax=ax,
    )
