"""Permutation tests and GOSH plots' data, vectorised over all permutations / subsets.

:func:`permutation_test` is metafor's ``permutest``: without moderators the signs of the
yᵢ are flipped at random (exactly, over all 2ᵏ sign vectors, when 2ᵏ ≤ ``n``); with
moderators the rows of the model matrix are permuted (all k! orders when k! ≤ ``n``). The
first random permutation is the observed data, as in metafor. p-values are the proportion
of permutations whose |test statistic| (QM for the omnibus test) reaches the observed one
(tolerance √ε). Every permuted data set is fitted in one batched pass of the estimator
(closed form for DL/HE/…, batched Fisher scoring for REML/ML, batched Newton for PM/EB).

:func:`gosh` is metafor's ``gosh``: the model of ``res`` fitted to all subsets of ≥ p
studies (when there are at most ``n_subsets`` of them) or to ``n_subsets`` random subsets
(subset size drawn from Binomial(k, ½) restricted to p … k, then the studies at random).
As in metafor's fast path for the FE and DL models without moderators, H² of those subsets
is Q/(k − 1) (it can be below 1, where ``fit`` reports H² = 1 for DL).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _estimators as _est
from .models import MetaResult

__all__ = ["PermutationResult", "GoshResult", "permutation_test", "gosh"]

_COMPTOL = float(np.finfo(float).eps ** 0.5)
_CHUNK = 20000



@dataclass(frozen=True, eq=False)
class PermutationResult:
    """Permutation p-values for each coefficient and for the omnibus test (QM)."""

    names: tuple[str, ...]
    estimate: np.ndarray
    stat: np.ndarray
    p: np.ndarray  # permutation p-value per coefficient
    qm: float
    qm_p: float  # permutation p-value of QM
    iterations: int
    exact: bool
    seed: int | None
    stat_perm: np.ndarray  # (iterations, p)
    qm_perm: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: name, estimate, stat, p (permutation)."""
        return pd.DataFrame({"name": list(self.names), "estimate": self.estimate, "stat": self.stat, "p": self.p})


def _fit_chunks(res: MetaResult, y: np.ndarray, X: np.ndarray, m: np.ndarray | None = None, btt=None):
    """Fit a batch in chunks; returns (beta, stat, qm, k, qe, i2, h2, tau2)."""
    out = []
    B = y.shape[0]
    for s in range(0, B, _CHUNK):
        sl = slice(s, min(B, s + _CHUNK))
        Xs = X if X.ndim == 2 else X[sl]
        ms = None if m is None else m[sl]
        v = np.broadcast_to(res.vi, y[sl].shape)
        out.append(_est.fit_batch(res.method, y[sl], v, Xs, ms, knha=res.knha, level=res.level, btt=btt,
                                  **_est.control_kwargs(res.control)))
    cat = lambda name: np.concatenate([getattr(o, name) for o in out])  # noqa: E731
    return {n: cat(n) for n in ("beta", "stat", "qm", "k", "qe", "i2", "h2", "tau2")}


def permutation_test(res: MetaResult, n: int = 1000, seed: int | None = None, *, exact: bool | None = None
                     ) -> PermutationResult:
    """Permutation test of the coefficients of ``res`` (metafor's ``permutest``).

    Parameters
    ----------
    res : MetaResult
    n : int
        Number of iterations (the observed data counts as the first).
    seed : int, optional
        Seed of the random generator (results are reproducible with the same seed).
    exact : bool, optional
        Force the exact test (all sign vectors / permutations); default: exact when the
        number of them is at most ``n``.
    """
    k, p = res.k, res.p_params
    y0 = np.asarray(res.yi)
    X0 = np.asarray(res.X)
    btt = np.arange(1, p) if p > 1 else np.array([0])
    rng = np.random.default_rng(seed)
    if p == 1:
        n_exact = 2**k
        is_exact = exact if exact is not None else n_exact <= n
        if is_exact:
            signs = np.array(list(itertools.product((1.0, -1.0), repeat=k)))
        else:
            signs = rng.choice(np.array([-1.0, 1.0]), size=(n, k))
            signs[0] = 1.0
        Y = signs * y0[None, :]
        Xb = X0
    else:
        n_exact = math.factorial(k)
        is_exact = exact if exact is not None else n_exact <= n
        if is_exact:
            perms = np.array(list(itertools.permutations(range(k))))
        else:
            perms = np.argsort(rng.random((n, k)), axis=1)
            perms[0] = np.arange(k)
        Y = np.broadcast_to(y0, (perms.shape[0], k))
        Xb = X0[perms]
    f = _fit_chunks(res, Y, Xb, btt=btt)
    z_obs = np.array([c.stat for c in res.coefficients])
    zp = f["stat"]
    with np.errstate(invalid="ignore"):
        pv = np.nanmean(np.abs(zp) >= np.abs(z_obs)[None, :] - _COMPTOL, axis=0)
        qm_obs = res.qm
        qmp = float(np.nanmean(f["qm"] >= qm_obs - _COMPTOL))
    pv = np.minimum(pv, 1.0)
    return PermutationResult(tuple(c.name for c in res.coefficients), res.beta, z_obs, pv, float(qm_obs), qmp,
                             int(Y.shape[0]), bool(is_exact), seed, zp, f["qm"])


@dataclass(frozen=True, eq=False)
class GoshResult:
    """Fits of the model to subsets of the studies (metafor's ``gosh``)."""

    incl: np.ndarray  # (n, k) bool: studies in each subset
    k: np.ndarray
    q: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    tau2: np.ndarray
    beta: np.ndarray  # (n, p)
    names: tuple[str, ...]
    exact: bool
    seed: int | None

    @property
    def estimate(self) -> np.ndarray:
        """The pooled estimate (intercept) of each subset."""
        return self.beta[:, 0]

    def to_frame(self) -> pd.DataFrame:
        """One row per subset: k, q, i2, h2, tau2 and the coefficients (``estimate`` without
        moderators)."""
        frame = pd.DataFrame({"k": self.k, "q": self.q, "i2": self.i2, "h2": self.h2, "tau2": self.tau2})
        if self.beta.shape[1] == 1:
            frame["estimate"] = self.beta[:, 0]
        else:
            for j, name in enumerate(self.names):
                frame[name] = self.beta[:, j]
        return frame


def gosh(res: MetaResult, n_subsets: int | None = None, seed: int | None = None) -> GoshResult:
    """Fit the model of ``res`` to subsets of its studies (GOSH plot data).

    Parameters
    ----------
    n_subsets : int, optional
        Number of random subsets; when all subsets of ≥ p studies number at most this (or
        at most 10⁶ when not given) they are all fitted instead.
    seed : int, optional
        Seed for the random subsets.
    """
    k, p = res.k, res.p_params
    total = sum(math.comb(k, j) for j in range(p, k + 1))
    limit = 10**6 if n_subsets is None else int(n_subsets)
    exact = total <= limit
    rng = np.random.default_rng(seed)
    if exact:
        codes = np.arange(1, 2**k, dtype=np.int64)
        incl = ((codes[:, None] >> np.arange(k)[None, :]) & 1).astype(bool)
        incl = incl[incl.sum(1) >= p]
    else:
        sizes = np.arange(p, k + 1)
        prob = np.array([math.comb(k, j) for j in sizes], dtype=float)
        prob /= prob.sum()
        size = rng.choice(sizes, size=limit, p=prob)
        order = np.argsort(rng.random((limit, k)), axis=1)
        ranks = np.argsort(order, axis=1)
        incl = ranks < size[:, None]
    m = incl.astype(float)
    X = np.asarray(res.X)
    valid = np.ones(incl.shape[0], dtype=bool)
    if p > 1:
        xtx = np.einsum("ki,bk,kj->bij", X, m, X)
        valid = np.linalg.eigvalsh(xtx)[:, 0] > 1e-7
    Y = np.broadcast_to(np.asarray(res.yi), m.shape)
    f = _fit_chunks(res, Y, X, m)
    for key in ("beta", "qe", "i2", "h2", "tau2"):
        arr = f[key]
        arr[~valid] = np.nan
    if p == 1 and res.method in ("FE", "DL"):
        # metafor's gosh() fast path for these models reports H² = Q/(k − 1), which can be < 1
        kk = incl.sum(1)
        with np.errstate(divide="ignore", invalid="ignore"):
            f["h2"] = np.where(kk > 1, f["qe"] / (kk - 1), 1.0)
    order = np.argsort(incl.sum(1), kind="stable")
    return GoshResult(incl[order], incl.sum(1)[order], f["qe"][order], f["i2"][order], f["h2"][order],
                      f["tau2"][order], f["beta"][order], tuple(c.name for c in res.coefficients), exact, seed)
