"""Heterogeneity stated with its uncertainty: τ², τ, I², H² with Q-profile confidence intervals.

:func:`heterogeneity` turns a fitted :class:`~evsynth.meta.MetaResult` into the numbers metafor's
``confint(res)`` prints (Q-profile CI for τ², and I², H² and τ from its bounds, using the same
"typical" within-study variance s² = (k − p) / tr(P) as the fit), together with the prediction
interval and a caveat when that interval cannot be read as the spread of true effects (τ²
estimated at 0, so the interval equals the CI; or fewer than :data:`MIN_K_PI` studies).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["MIN_K_PI", "Heterogeneity", "heterogeneity", "typical_variance"]

#: Fewest studies for which a prediction interval is read without a caveat (IntHout et al.
#: BMJ Open 2016;6:e010247 advise caution below 5; the Cochrane Handbook 10.10.4.3 likewise).
MIN_K_PI = 5


@dataclass(frozen=True)
class Heterogeneity:
    """Heterogeneity of one fit with its Q-profile CIs (metafor's ``confint.rma.uni``).

    ``i2`` and its bounds are in percent. Bounds are NaN for a common-effect fit or k ≤ p.
    ``pi_caveat`` is empty when the prediction interval can be read as it stands.
    """

    k: int
    method: str
    level: float
    tau2: float
    tau2_ci: tuple[float, float]
    tau: float
    tau_ci: tuple[float, float]
    i2: float
    i2_ci: tuple[float, float]
    h2: float
    h2_ci: tuple[float, float]
    q: float
    q_df: int
    q_p: float
    typical_vi: float
    pi: tuple[float, float]
    pi_caveat: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN → None)."""
        from ..situate import jsonable

        return jsonable(self)

    def text(self, digits: int = 2) -> str:
        """One sentence: ``τ² = 0.00 (95% CI 0.00 to 1.23); I² = 0% (0% to 85%); Q = 1.2 (df 3, p = 0.75)``."""
        lv = f"{self.level:g}%"

        def ci(pair: tuple[float, float], fmt: str) -> str:
            lo, hi = pair
            if not (math.isfinite(lo) and math.isfinite(hi)):
                return "CI not estimable"
            return f"{lv} CI {format(lo, fmt)} to {format(hi, fmt)}"

        f = f".{digits}f"
        return (f"τ² = {self.tau2:{f}} ({ci(self.tau2_ci, f)}); I² = {self.i2:.0f}% "
                f"({ci(self.i2_ci, '.0f').replace(' to ', '% to ')}{'%' if math.isfinite(self.i2_ci[1]) else ''}); "
                f"Q = {self.q:.2f} (df {self.q_df}, p = {self.q_p:.2g})")


def typical_variance(vi: Any, X: Any | None = None) -> float:
    """s² = (k − p) / tr(P) with P = W − W X (X'WX)⁻¹ X'W, W = diag(1/vᵢ) (metafor's ``vi.avg``)."""
    v = np.asarray(vi, dtype=float)
    k = v.size
    X = np.ones((k, 1)) if X is None or np.size(X) == 0 else np.asarray(X, dtype=float)
    p = X.shape[1]
    if k <= p:
        return float("nan")
    w = 1.0 / v
    xtwx = X.T @ (w[:, None] * X)
    tr = w.sum() - np.trace(np.linalg.solve(xtwx, X.T @ ((w**2)[:, None] * X)))
    return float((k - p) / tr)


def heterogeneity(res: Any) -> Heterogeneity:
    """τ², τ, I², H² of ``res`` with their Q-profile CIs, and the prediction interval's caveat.

    Parameters
    ----------
    res : MetaResult
        From :func:`evsynth.meta.fit` (any estimator; the CI is Q-profile whatever the estimator,
        as in metafor).

    Returns
    -------
    Heterogeneity
    """
    nan = float("nan")
    X = getattr(res, "X", None)
    s2 = typical_variance(res.vi, X if X is not None and X.shape[0] == len(res.vi) else None)
    lo, hi = float(res.tau2_ci_low), float(res.tau2_ci_high)

    def i2(t: float) -> float:
        return 100.0 * t / (s2 + t) if math.isfinite(t) and math.isfinite(s2) else nan

    def h2(t: float) -> float:
        return t / s2 + 1.0 if math.isfinite(t) and math.isfinite(s2) else nan

    def root(t: float) -> float:
        return math.sqrt(t) if math.isfinite(t) and t >= 0 else nan

    k = int(res.k)
    caveat = ""
    if k < 2:
        caveat = "a single study: heterogeneity and the prediction interval cannot be estimated"
    elif str(res.method) == "FE":
        caveat = "common-effect model: no prediction interval beyond the CI (τ² assumed 0)"
    elif float(res.tau2) == 0.0:
        caveat = ("τ² was estimated at 0 (truncated), so the prediction interval equals the confidence interval; "
                  "this does not show that the true effects agree"
                  + (f", and with k = {k} studies τ² is poorly estimated" if k < MIN_K_PI else ""))
    elif k < MIN_K_PI:
        caveat = (f"with k = {k} studies (fewer than {MIN_K_PI}) τ² and hence the prediction interval are "
                  "poorly estimated")
    return Heterogeneity(
        k=k, method=str(res.method), level=float(res.level), tau2=float(res.tau2), tau2_ci=(lo, hi),
        tau=root(float(res.tau2)), tau_ci=(root(lo), root(hi)), i2=float(res.i2), i2_ci=(i2(lo), i2(hi)),
        h2=float(res.h2), h2_ci=(h2(lo), h2(hi)), q=float(res.q), q_df=int(res.q_df), q_p=float(res.q_p),
        typical_vi=s2, pi=(float(res.pi_low), float(res.pi_high)), pi_caveat=caveat,
    )
