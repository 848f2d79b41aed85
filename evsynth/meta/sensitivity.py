"""Leave-one-out, cumulative meta-analysis and influence diagnostics (metafor's
``leave1out``, ``cumul``, ``influence``/``rstudent``), each as one batched fit.

All refits use the estimator, inference (z or Knapp–Hartung) and level of the given
:class:`~evsynth.meta.MetaResult`. A refit on a single study follows metafor: τ² = 0,
Q = 0 (p = 1), I² = 0, H² = 1, and the z test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from . import _estimators as _est
from .models import MetaResult

__all__ = ["LeaveOneOutResult", "CumulativeResult", "InfluenceResult", "leave_one_out", "cumulative", "influence"]



def _batch(res: MetaResult, mask: np.ndarray, X: np.ndarray | None = None) -> _est.BatchFit:
    X = res.X if X is None else X
    return _est.fit_batch(res.method, np.broadcast_to(res.yi, mask.shape), np.broadcast_to(res.vi, mask.shape), X,
                          mask, knha=res.knha, level=res.level, **_est.control_kwargs(res.control))


def _pi(bf: _est.BatchFit, res: MetaResult) -> tuple[np.ndarray, np.ndarray]:
    half = bf.crit * np.sqrt(bf.se[:, 0] ** 2 + bf.tau2)
    return bf.beta[:, 0] - half, bf.beta[:, 0] + half


@dataclass(frozen=True, eq=False)
class _Series:
    """Rows of refitted pooled estimates (one per omitted or added study)."""

    labels: tuple[str, ...]
    k: np.ndarray
    estimate: np.ndarray
    se: np.ndarray
    stat: np.ndarray
    p: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    pi_low: np.ndarray
    pi_high: np.ndarray
    q: np.ndarray
    q_p: np.ndarray
    tau2: np.ndarray
    i2: np.ndarray
    h2: np.ndarray

    _label_column = "label"

    def to_frame(self) -> pd.DataFrame:
        """One row per refit."""
        cols = {self._label_column: list(self.labels)}
        for name in ("k", "estimate", "se", "stat", "p", "ci_low", "ci_high", "pi_low", "pi_high", "q", "q_p",
                     "tau2", "i2", "h2"):
            cols[name] = getattr(self, name)
        return pd.DataFrame(cols)


@dataclass(frozen=True, eq=False)
class LeaveOneOutResult(_Series):
    """Pooled results omitting each study in turn (``labels`` = the omitted study)."""

    _label_column = "omitted"


@dataclass(frozen=True, eq=False)
class CumulativeResult(_Series):
    """Pooled results as studies are added in ``order`` (``labels`` = the added study)."""

    order: tuple[int, ...] = ()
    _label_column = "added"


def _series(cls, res: MetaResult, mask: np.ndarray, labels: Sequence[str], **extra: Any):
    bf = _batch(res, mask, np.ones((res.k, 1)))
    lo, hi = _pi(bf, res)
    return cls(tuple(labels), bf.k.astype(int), bf.beta[:, 0], bf.se[:, 0], bf.stat[:, 0], bf.pval[:, 0],
               bf.ci_lb[:, 0], bf.ci_ub[:, 0], lo, hi, bf.qe, bf.qe_p, bf.tau2, bf.i2, bf.h2, **extra)


def _need_int_only(res: MetaResult, what: str) -> None:
    if res.p_params != 1:
        raise InputError(f"{what} is for models without moderators (as in metafor)", field="moderators")


def leave_one_out(res: MetaResult) -> LeaveOneOutResult:
    """Refit omitting each study in turn (metafor's ``leave1out``).

    Returns
    -------
    LeaveOneOutResult
        ``to_frame()`` columns: omitted, k, estimate, se, stat, p, ci_low, ci_high, pi_low,
        pi_high, q, q_p, tau2, i2, h2.
    """
    _need_int_only(res, "leave-one-out")
    if res.k < 2:
        raise InputError("leave-one-out needs k >= 2 studies", field="yi")
    mask = 1.0 - np.eye(res.k)
    return _series(LeaveOneOutResult, res, mask, res.labels)


def cumulative(res: MetaResult, order: Sequence[int] | None = None) -> CumulativeResult:
    """Cumulative meta-analysis: refit as studies are added in ``order`` (metafor's ``cumul``).

    Parameters
    ----------
    order : sequence of int, optional
        0-based study indices in the order of addition (e.g. ``np.argsort(year)``); default:
        the order of the data.
    """
    _need_int_only(res, "cumulative meta-analysis")
    k = res.k
    o = np.arange(k) if order is None else np.asarray(order, dtype=int)
    if sorted(o.tolist()) != list(range(k)):
        raise InputError(f"order must be a permutation of 0..{k - 1}", field="order")
    mask = np.zeros((k, k))
    for i in range(k):
        mask[i, o[: i + 1]] = 1.0
    return _series(CumulativeResult, res, mask, [res.labels[j] for j in o], order=tuple(int(j) for j in o))


@dataclass(frozen=True, eq=False)
class InfluenceResult:
    """Case-deletion diagnostics (metafor's ``influence.rma.uni`` and ``rstudent``)."""

    labels: tuple[str, ...]
    rstudent: np.ndarray
    resid: np.ndarray
    se_resid: np.ndarray
    dffits: np.ndarray
    cook_d: np.ndarray
    cov_r: np.ndarray
    tau2_del: np.ndarray
    q_del: np.ndarray
    hat: np.ndarray
    weight: np.ndarray
    dfbetas: np.ndarray  # (k, p)
    influential: np.ndarray
    coefficient_names: tuple[str, ...] = ("intrcpt",)

    def to_frame(self) -> pd.DataFrame:
        """One row per study: rstudent, dffits, cook_d, cov_r, tau2_del, q_del, hat, weight,
        dfbetas (``dfbs_<coefficient>``), influential."""
        frame = pd.DataFrame({"label": list(self.labels), "rstudent": self.rstudent, "dffits": self.dffits,
                              "cook_d": self.cook_d, "cov_r": self.cov_r, "tau2_del": self.tau2_del,
                              "q_del": self.q_del, "hat": self.hat, "weight": self.weight})
        for j, name in enumerate(self.coefficient_names):
            frame[f"dfbs_{name}"] = self.dfbetas[:, j]
        frame["influential"] = self.influential
        return frame


def influence(res: MetaResult) -> InfluenceResult:
    """Studentised deleted residuals, DFFITS, Cook's distance, covariance ratio, hat values,
    DFBETAS and metafor's "influential" flag, from one batched leave-one-out refit."""
    k, p = res.k, res.p_params
    if k < p + 2:
        raise InputError(f"influence diagnostics need k >= {p + 2} studies", field="yi")
    X = np.asarray(res.X)
    y, v = np.asarray(res.yi), np.asarray(res.vi)
    mask = 1.0 - np.eye(k)
    bf = _batch(res, mask, X)
    btt = np.arange(p)  # metafor's influence(): Cook's distance and cov.r over all coefficients
    beta = res.beta
    vb = np.asarray(res.vb)
    # hat values of the full model: diag(X (X'WX)^-1 X'W)
    w = 1.0 / (v + res.tau2)
    A = np.linalg.inv(X.T @ (X * w[:, None]))
    hat = np.einsum("ij,jk,ik->i", X, A, X) * w
    hat = np.where(hat > 1 - 10 * np.finfo(float).eps, 1.0, hat)
    delpred = np.einsum("ij,ij->i", X, bf.beta)
    vdelpred = np.einsum("bi,bij,bj->b", X, bf.vb, X)
    s2w = bf.s2w
    tau2_del = bf.tau2
    pred_full = X @ beta
    dffits = (pred_full - delpred) / np.sqrt(s2w * hat * (tau2_del + v))
    # vb.del: (X' diag(1/(v + tau2_del)) X)^-1 over all k studies
    wd = 1.0 / (v[None, :] + tau2_del[:, None])
    vbdel = np.linalg.inv(np.einsum("ki,bk,kj->bij", X, wd, X))
    dfb = beta[None, :] - bf.beta
    dfbetas = dfb / np.sqrt(s2w[:, None] * np.einsum("bii->bi", vbdel))
    svb = np.linalg.inv(vb[np.ix_(btt, btt)])
    db = dfb[:, btt]
    cook = np.einsum("bi,ij,bj->b", db, svb, db)
    cov_r = np.linalg.det(bf.vb[:, btt][:, :, btt]) / np.linalg.det(vb[np.ix_(btt, btt)])
    resid = y - delpred
    resid = np.where(np.abs(resid) < 100 * np.finfo(float).eps, 0.0, resid)
    se_resid = np.sqrt(v * s2w + vdelpred + tau2_del * s2w)
    with np.errstate(divide="ignore", invalid="ignore"):
        rst = resid / se_resid
    m = len(btt)
    infl = ((np.abs(dffits) > 3 * np.sqrt(p / (k - p))) | (stats.chi2.cdf(cook, m) > 0.5) | (hat > 3 * p / k)
            | np.any(np.abs(dfbetas) > 1, axis=1))
    return InfluenceResult(res.labels, rst, resid, se_resid, dffits, cook, cov_r, tau2_del, bf.qe, hat,
                           np.asarray(res.weights), dfbetas, infl, tuple(c.name for c in res.coefficients))
