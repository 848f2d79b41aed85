"""Many meta-analyses at once: :func:`fit_many` (vectorised over data sets).

The same estimators and inference as :func:`evsynth.meta.fit` (metafor's), run on a batch
of data sets of equal size in one numpy pass — e.g. bootstrap resamples or simulation
replicates. Rows of ``yi``/``vi`` are data sets; a ``mask`` leaves studies out of a row.
Faster than looping over :func:`fit` by orders of magnitude (and than PyMARE's vectorised
estimators; see ``benchmarks/meta_bench.py``); no τ² CI, R² or warnings per row — rows that
did not converge are flagged in ``converged``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from . import _estimators as _est
from .regression import design_matrix

__all__ = ["BatchResult", "fit_many"]


@dataclass(frozen=True, eq=False)
class BatchResult:
    """One fitted model per row (arrays of length B; ``beta``/``se`` are (B, p))."""

    method: str
    knha: bool
    names: tuple[str, ...]
    k: np.ndarray
    beta: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    pi_low: np.ndarray
    pi_high: np.ndarray
    tau2: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    q: np.ndarray
    q_p: np.ndarray
    qm: np.ndarray
    qm_p: np.ndarray
    converged: np.ndarray

    @property
    def estimate(self) -> np.ndarray:
        """The pooled estimate (intercept) of each data set."""
        return self.beta[:, 0]

    def to_frame(self) -> pd.DataFrame:
        """One row per data set: k, estimate, se, CI, PI, τ², I², H², Q, Q p, converged."""
        return pd.DataFrame({"k": self.k, "estimate": self.beta[:, 0], "se": self.se[:, 0], "ci_low": self.ci_low,
                             "ci_high": self.ci_high, "pi_low": self.pi_low, "pi_high": self.pi_high,
                             "tau2": self.tau2, "i2": self.i2, "h2": self.h2, "q": self.q, "q_p": self.q_p,
                             "converged": self.converged})


def fit_many(
    yi: Any,
    vi: Any,
    *,
    method: str = "REML",
    knha: bool = False,
    moderators: Any = None,
    mask: Any = None,
    level: float = 95.0,
) -> BatchResult:
    """Fit one model per row of ``yi``/``vi`` (shape ``(B, k)``; ``vi`` may be ``(k,)``).

    Parameters
    ----------
    moderators : optional
        Shared by all rows (as for :func:`evsynth.meta.fit`, k values per moderator).
    mask : array_like of bool, optional
        ``(B, k)``: False leaves a study out of that row's analysis.

    Raises
    ------
    InputError
        Bad shapes, missing values or variances ≤ 0, unknown method.
    """
    m = str(method).upper()
    if m not in _est.METHODS:
        raise InputError(f"unknown method {method!r}; known: {', '.join(_est.METHODS)}", field="method")
    y = np.atleast_2d(np.asarray(yi, dtype=float))
    v = np.broadcast_to(np.asarray(vi, dtype=float), y.shape) if np.ndim(vi) <= 2 else None
    if v is None or y.ndim != 2:
        raise InputError("yi must be (B, k) and vi (B, k) or (k,)", field="vi")
    msk = np.ones(y.shape) if mask is None else np.broadcast_to(np.asarray(mask, dtype=bool), y.shape).astype(float)
    use = msk > 0
    if not np.all(np.isfinite(y[use])) or not np.all(np.isfinite(v[use])):
        raise InputError("yi and vi must be finite for every included study", field="yi")
    if np.any(v[use] <= 0):
        r, c = np.argwhere(use & (v <= 0))[0]
        raise InputError(f"data set {r + 1}, study {c + 1}: sampling variance must be > 0", field="vi")
    X, names = design_matrix(moderators, y.shape[1])
    bf = _est.fit_batch(m, y, v, X, msk, knha=knha, level=level)
    half = bf.crit * np.sqrt(bf.se[:, 0] ** 2 + bf.tau2)
    return BatchResult(m, bool(knha), names, bf.k.astype(int), bf.beta, bf.se, bf.ci_lb[:, 0], bf.ci_ub[:, 0],
                       bf.beta[:, 0] - half, bf.beta[:, 0] + half, bf.tau2, bf.i2, bf.h2, bf.qe, bf.qe_p, bf.qm,
                       bf.qm_p, bf.tau2fit.converged)
