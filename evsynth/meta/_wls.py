"""Batched weighted least squares and the ML / REML log-likelihood.

The linear algebra shared by the τ² estimators (:mod:`evsynth.meta._estimators`) and the
batched ``rma.uni`` fit: bringing inputs to batch shapes (``y``, ``v``, mask ``m`` of shape
``(B, k)``, design ``X`` of shape ``(B, k, p)``), weighted least squares of every analysis at
once, the generalised Q statistic, and the ML / REML log-likelihood and its score in τ².
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class _Wls:
    """Weighted least squares of a batch: coefficients, (X'WX)⁻¹, residuals, weights."""

    beta: np.ndarray  # (B, p)
    ainv: np.ndarray  # (B, p, p)
    resid: np.ndarray  # (B, k)
    w: np.ndarray  # (B, k), zero where masked out
    xw: np.ndarray  # (B, k, p) = X * w

    @property
    def rss(self) -> np.ndarray:
        """Σ wᵢ rᵢ² (= y'Py, the generalised Q)."""
        return np.einsum("bk,bk->b", self.w, self.resid**2)

    def tr_p(self, X: np.ndarray) -> np.ndarray:
        """tr(P) = Σw − tr((X'WX)⁻¹ X'W²X)."""
        xw2x = np.einsum("bki,bkj->bij", self.xw * self.w[..., None], X)
        return self.w.sum(-1) - np.einsum("bij,bji->b", self.ainv, xw2x)


def _inv(a: np.ndarray) -> np.ndarray:
    if a.shape[-1] == 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 / a
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        out = np.full_like(a, np.nan)
        for i in range(a.shape[0]):
            try:
                out[i] = np.linalg.inv(a[i])
            except np.linalg.LinAlgError:
                pass
        return out


def wls(y: np.ndarray, w: np.ndarray, X: np.ndarray) -> _Wls:
    """Weighted least squares for a batch (``w`` already zero for left-out studies)."""
    xw = X * w[..., None]
    a = np.einsum("bki,bkj->bij", xw, X)
    ainv = _inv(a)
    beta = np.einsum("bij,bj->bi", ainv, np.einsum("bki,bk->bi", xw, y))
    resid = y - np.einsum("bki,bi->bk", X, beta)
    return _Wls(beta, ainv, resid, w, xw)


def broadcast(y: np.ndarray, v: np.ndarray, X: np.ndarray, m: np.ndarray | None):
    """Bring inputs to batch shapes: y, v, m → (B, k); X → (B, k, p)."""
    y = np.atleast_2d(np.asarray(y, dtype=float))
    v = np.atleast_2d(np.asarray(v, dtype=float))
    y, v = np.broadcast_arrays(y, v)
    B, k = y.shape
    m = np.ones((B, k)) if m is None else np.broadcast_to(np.asarray(m, dtype=float), (B, k))
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = np.broadcast_to(X, (B, *X.shape))
    # left-out studies contribute nothing; give them harmless values
    y = np.where(m > 0, y, 0.0)
    v = np.where(m > 0, v, 1.0)
    return y, v, X, m


def _ll(method: str, y, v, X, m, tau2) -> np.ndarray:
    """ML or REML log-likelihood (metafor's, without the constant log|X'X| term)."""
    w = m / (v + tau2[:, None])
    f = wls(y, w, X)
    k = m.sum(-1)
    p = X.shape[-1]
    logv = np.where(m > 0, np.log(v + tau2[:, None]), 0.0).sum(-1)
    if method == "ML":
        return -0.5 * k * np.log(2 * np.pi) - 0.5 * logv - 0.5 * f.rss
    _, logdet = np.linalg.slogdet(np.einsum("bki,bkj->bij", f.xw, X))
    return -0.5 * (k - p) * np.log(2 * np.pi) - 0.5 * logv - 0.5 * logdet - 0.5 * f.rss


def _score(method: str, y, v, X, m, t) -> np.ndarray:
    """Twice the derivative of the ML / REML log-likelihood in τ² (batched)."""
    f = wls(y, m / (v + t[:, None]), X)
    w = f.w
    pr = w * f.resid
    ypppy = np.einsum("bk,bk->b", pr, pr)
    if method == "ML":
        return ypppy - w.sum(-1)
    return ypppy - f.tr_p(X)


def q_gen(y: np.ndarray, v: np.ndarray, X: np.ndarray, tau2: float) -> float:
    """The generalised Q statistic Σ wᵢ(yᵢ − xᵢ'b)² with wᵢ = 1/(vᵢ + τ²) (metafor's ``.QE.func``)."""
    y2, v2, X2, m2 = broadcast(y, v, X, None)
    return float(wls(y2, m2 / (v2 + tau2), X2).rss[0])
