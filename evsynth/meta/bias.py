"""Small-study effects: Egger's regression test (metafor's ``regtest``).

``egger_test(res)`` adds the standard error (``predictor="sei"``, or the variance
``"vi"``) as a moderator to the model of ``res`` — same estimator, same z / Knapp–Hartung
inference — and tests its coefficient (metafor's default ``model="rma"``).
``model="lm"`` is the classic Egger test: weighted least squares of yᵢ on seᵢ with weights
1/vᵢ and a t test on k − 2 df (metafor's ``regtest(..., model = "lm")``). The intercept of the
model is the "limit estimate" (the effect as seᵢ → 0).

With fewer than 10 studies the test has too little power to distinguish chance from
asymmetry (Cochrane Handbook 13.3.5.4); the result then carries a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import InputError
from ._estimators import control_kwargs
from .models import MetaResult, fit

__all__ = ["EggerResult", "egger_test"]


@dataclass(frozen=True)
class EggerResult:
    """Egger's regression test for funnel-plot asymmetry."""

    k: int
    stat: float
    p: float
    df: float
    stat_name: str
    slope: float
    slope_se: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float
    model: str
    predictor: str
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row: the test statistic, its p-value and the limit estimate."""
        return pd.DataFrame([self.__dict__]).drop(columns=["warnings"])


def egger_test(res: MetaResult, *, model: str = "rma", predictor: str = "sei") -> EggerResult:
    """Egger's regression test on the studies of ``res`` (without moderators).

    Parameters
    ----------
    res : MetaResult
    model : {"rma", "lm"}
        ``"rma"`` (metafor's default: the meta-regression of ``res`` with the predictor) or
        ``"lm"`` (the classic weighted regression).
    predictor : {"sei", "vi"}
        Standard error (Egger) or sampling variance.
    """
    if res.p_params != 1:
        raise InputError("egger_test is for models without moderators", field="moderators")
    if model not in ("rma", "lm"):
        raise InputError("model must be 'rma' or 'lm'", field="model")
    if predictor not in ("sei", "vi"):
        raise InputError("predictor must be 'sei' or 'vi'", field="predictor")
    if res.k < 3:
        raise InputError(f"Egger's test needs k >= 3 studies (k = {res.k})", field="yi")
    x = res.vi**0.5 if predictor == "sei" else res.vi
    if model == "rma":  # metafor's regtest refits with the model's control
        r = fit(res.yi, res.vi, method=res.method, knha=res.knha, moderators={predictor: x}, level=res.level,
                measure=res.measure, **control_kwargs(res.control))
    else:  # lm(yi ~ x, weights = 1/vi): the FE fit with s² = RSS/(k − p) and t(k − p)
        r = fit(res.yi, res.vi, method="FE", knha=True, moderators={predictor: x}, level=res.level,
                measure=res.measure)
    c0, c1 = r.coefficients
    warns = []
    if res.k < 10:
        warns.append(f"k = {res.k} < 10: Egger's test has low power; asymmetry cannot be judged reliably "
                     "(Cochrane Handbook 13.3.5.4)")
    knha = r.knha
    return EggerResult(k=res.k, stat=c1.stat, p=c1.p, df=r.df if knha else float("inf"),
                       stat_name="t" if knha else "z", slope=c1.estimate, slope_se=c1.se, limit_estimate=c0.estimate,
                       limit_ci_low=c0.ci_low, limit_ci_high=c0.ci_high, model=model, predictor=predictor,
                       warnings=tuple(warns))
