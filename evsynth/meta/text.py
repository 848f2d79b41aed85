"""A plain-text summary of a fit, laid out like metafor's ``print.rma.uni``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ._estimators import METHOD_NAMES as _METHOD_NAMES

if TYPE_CHECKING:  # annotations only: text imports neither models nor regression
    from .models import MetaResult

__all__ = ["format_result", "format_transformed", "transformed_values"]


def _f(x: float | None, d: int = 4) -> str:
    if x is None or not math.isfinite(float(x)):
        return "NA"
    return f"{float(x):.{d}f}"


def _p(p: float | None) -> str:
    if p is None or not math.isfinite(float(p)):
        return "NA"
    return "<.0001" if p < 1e-4 else f"{p:.4f}"


def format_result(res: Any) -> str:
    """The summary text of a :class:`~evsynth.meta.MetaResult` (model, heterogeneity, test of moderators,
    coefficient table, PI)."""
    fe = res.method == "FE"
    lines = []
    kind = "Fixed-Effects" if fe else "Random-Effects"
    if res.p_params > 1:
        kind = "Fixed-Effects with Moderators" if fe else "Mixed-Effects"
    lines.append(f"{kind} Model (k = {res.k}; "
                 + ("" if fe else f"tau^2 estimator: {res.method}, {_METHOD_NAMES[res.method]}; ")
                 + f"measure: {res.measure})")
    lines.append("")
    if not fe:
        resid = "residual " if res.p_params > 1 else ""
        ci = ""
        if math.isfinite(res.tau2_ci_low):
            ci = f" [{res.level:g}% CI: {_f(res.tau2_ci_low)}, {_f(res.tau2_ci_high)}]"
        lines.append(f"tau^2 ({resid}heterogeneity): {_f(res.tau2)} (SE = {_f(res.se_tau2)}){ci}")
        lines.append(f"tau ({resid}heterogeneity):   {_f(math.sqrt(res.tau2))}")
    lines.append(f"I^2 ({'residual ' if res.p_params > 1 else ''}heterogeneity / total variability): "
                 f"{_f(res.i2, 2)}%")
    lines.append(f"H^2 (total variability / sampling variability): {_f(res.h2, 2)}")
    if res.r2 is not None:
        lines.append(f"R^2 (amount of heterogeneity accounted for): {_f(res.r2, 2)}%")
    lines.append("")
    qname = "QE" if res.p_params > 1 else "Q"
    lines.append(f"Test for {'Residual ' if res.p_params > 1 else ''}Heterogeneity:")
    lines.append(f"{qname}(df = {res.q_df}) = {_f(res.q)}, p-val = {_p(res.q_p)}")
    lines.append("")
    if res.p_params > 1:
        m = res.p_params - 1
        if res.knha:
            lines.append(f"Test of Moderators (coefficients 2:{res.p_params}):")
            lines.append(f"F(df1 = {m}, df2 = {res.k - res.p_params}) = {_f(res.qm)}, p-val = {_p(res.qm_p)}")
        else:
            lines.append(f"Test of Moderators (coefficients 2:{res.p_params}):")
            lines.append(f"QM(df = {m}) = {_f(res.qm)}, p-val = {_p(res.qm_p)}")
        lines.append("")
    lines.append("Model Results:")
    lines.append("")
    st = res.stat_name + "val"
    header = f"{'':>10} {'estimate':>10} {'se':>8} {st:>8} {'pval':>8} {'ci.lb':>9} {'ci.ub':>9}"
    lines.append(header)
    for c in res.coefficients:
        lines.append(f"{c.name:>10} {_f(c.estimate):>10} {_f(c.se):>8} {_f(c.stat):>8} {_p(c.p):>8} "
                     f"{_f(c.ci_low):>9} {_f(c.ci_high):>9}")
    lines.append("")
    at = " at moderators = 0" if res.p_params > 1 else ""
    if fe:
        lines.append("Prediction interval: equals the CI under the common-effect model")
    else:
        lines.append(f"Prediction interval{at} ({res.level:g}%): [{_f(res.pi_low)}, {_f(res.pi_high)}]")
    if res.knha:
        lines.append(f"Knapp-Hartung adjustment: t on {int(res.df)} df, s^2 = {_f(res.s2w)}")
    for w in res.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines)


def transformed_values(res: MetaResult, transf: Any = "auto") -> dict[str, Any] | None:
    """The pooled estimate, CI and prediction interval back-transformed (None: no transformation applies).

    ``transf`` as :meth:`MetaResult.predict`; ``"auto"`` shows RR, OR and ROM as ratios and PLO/PAS as
    proportions. Models with moderators are not transformed here (use ``predict(newmods=..., transf=...)``).
    """
    from .transf import resolve

    t = resolve(transf, res.measure)
    if t is None or res.p_params > 1:
        return None
    pred = res.predict(transf=t.function)
    values = {name: float(getattr(pred, name)[0]) for name in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")}
    return {"transf": t.name, **{k: (v if np.isfinite(v) else None) for k, v in values.items()}}


def format_transformed(res: MetaResult, transf: Any = "auto") -> str:
    """metafor's ``predict(res, transf=...)`` print, or "" when no transformation applies."""
    values = transformed_values(res, transf)
    if values is None:
        return ""
    head = f"{'pred':>8} {'ci.lb':>8} {'ci.ub':>8} {'pi.lb':>8} {'pi.ub':>8}"
    row = " ".join(f"{_f(values[k]):>8}" for k in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"))
    r_name = values["transf"] if values["transf"] == "exp" else f"transf.{values['transf']}"
    return f"Back-transformed ({values['transf']}), as metafor's predict(res, transf = {r_name}):\n\n{head}\n{row}"
