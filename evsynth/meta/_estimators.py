"""Batched τ² estimators and weighted least squares, as metafor's ``rma.uni`` computes them.

Everything here works on a *batch* of meta-analyses at once: ``y`` and ``v`` have shape
``(B, k)``, the design ``X`` has shape ``(k, p)`` (shared) or ``(B, k, p)``, and a mask
``m`` of shape ``(B, k)`` (1 = study included, 0 = left out) selects the studies of each
analysis. Leave-one-out, cumulative analyses, GOSH subsets and permutations are all batches
of this kind, so one vectorised numpy pass replaces hundreds of separate fits.

The formulas follow metafor 3.8-1 (``rma.uni``) line by line:

* ``FE`` — τ² = 0 (common/fixed effect).
* ``DL`` — ``(Q − (k − p)) / tr(P)`` with ``W = 1/v``.
* ``HE`` — ``(RSS − tr(P V)) / (k − p)`` from the unweighted fit.
* ``HS`` — ``(Q − k) / Σw`` (Hunter–Schmidt).
* ``SJ`` — ``τ₀² · Q(τ₀²) / (k − p)`` with ``τ₀² = Σ(yᵢ − ȳ)²/k``.
* ``PM`` — the root of the generalised Q equation ``Q(τ²) = k − p`` found as metafor finds it:
  τ² = 0 when Q(0) < k − p, else R's ``uniroot`` (Brent's ``zeroin``, reproduced step by step and
  batched in :func:`~evsynth.meta._zeroin.zeroin`) on [0, τ²max] with τ²max = max(100, 10·mad(yᵢ)²) and metafor's
  ``tol`` (default ``.Machine$double.eps^0.25`` ≈ 1.2e-4, so PM's τ² is exact only to about
  that much, in metafor and here alike; ``tol=1e-12`` gives the root to machine precision).
  Where the root lies above τ²max (metafor stops with "Value of 'tau2.max' too low") Newton's
  method continues the search from τ²max.
* ``EB`` — the same root, reached as metafor reaches it: scoring steps
  ``(Q(τ²)·k/(k − p) − k)/Σwᵢ`` from max(0, HE) with step halving at the zero bound, to
  ``threshold`` (so a root at 0 is approached as metafor approaches it: exactly 0 from a start
  at 0, ~1e-13 otherwise). Should the steps not converge (metafor stops with an error),
  Newton's method on Q(τ²) = k − p gives the root.
* ``ML`` and ``REML`` — metafor's Fisher scoring (start at max(0, HE), step halving at the zero
  bound), run to an absolute change below ``threshold`` (default 1e-12, metafor's default is
  1e-5; relative to τ² when τ² > 1), followed by metafor's check that the likelihood at τ² = 0
  is not larger by more than ``tol`` (then τ² = 0).

All estimates are truncated at 0 (``tau2.min = 0``).

The weighted least squares, batch shapes and ML / REML likelihood these build on live in
:mod:`evsynth.meta._wls`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._wls import _inv, _ll, _score, broadcast, q_gen, wls  # noqa: F401  (q_gen: re-exported for callers)
from ._zeroin import zeroin

#: The τ² estimators (and the common-effect model) evsynth implements.
METHODS = ("FE", "DL", "REML", "PM", "ML", "HE", "SJ", "EB", "HS")

#: Full names of the estimators (for summaries).
METHOD_NAMES = {
    "FE": "common-effect (fixed-effect) model",
    "DL": "DerSimonian-Laird",
    "REML": "restricted maximum likelihood",
    "PM": "Paule-Mandel",
    "ML": "maximum likelihood",
    "HE": "Hedges",
    "SJ": "Sidik-Jonkman",
    "EB": "empirical Bayes",
    "HS": "Hunter-Schmidt",
}

THRESHOLD = 1e-12
MAXITER = 1000
#: metafor's ``control$tol`` default, ``.Machine$double.eps^0.25``: ``uniroot``'s tolerance for PM
#: and the margin of the ML/REML check of the likelihood at τ² = 0.
TOL = float(np.finfo(float).eps ** 0.25)


def control_kwargs(control: Any) -> dict[str, Any]:
    """The convergence keywords of :func:`evsynth.meta.fit` from a result's ``control`` pairs.

    What a refit of that result (leave-one-out, permutations, Egger's test) passes on, as
    metafor's refits reuse the model's ``control``; a missing key takes the default.
    """
    c = dict(control)
    return {"threshold": float(c.get("threshold", THRESHOLD)), "maxiter": int(c.get("maxiter", MAXITER)),
            "tol": float(c.get("tol", TOL))}


@dataclass
class Tau2Fit:
    """τ² of each analysis of a batch, with convergence information."""

    tau2: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    truncated: np.ndarray  # the untruncated estimate was < 0 (or the maximum is on the bound)
    local_max: np.ndarray  # ML/REML: metafor's ll(0) > ll(τ²) check fired, τ² set to 0
    fallback: np.ndarray | None = None  # ML/REML: Fisher scoring failed, τ² from maximise_ll; PM: root > τ²max


def _he(y, v, X, m):
    k = m.sum(-1)
    p = X.shape[-1]
    f = wls(y, m, X)
    # tr(PV) with P = I − X(X'X)⁻¹X' (masked)
    xvx = np.einsum("bki,bkj->bij", f.xw * v[..., None], X)
    trpv = (m * v).sum(-1) - np.einsum("bij,bji->b", f.ainv, xvx)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (f.rss - trpv) / (k - p)


def _pm_root(y, v, X, m, target, *, start=None, maxiter=200):
    """Newton for Q(τ²) = target (Q decreasing, convex): monotone from the left."""
    B = y.shape[0]
    t = np.zeros(B) if start is None else np.asarray(start, dtype=float).copy()
    conv = np.zeros(B, dtype=bool)
    it = np.zeros(B, dtype=int)
    q0 = wls(y, m / (v + t[:, None]), X).rss
    below = q0 <= target  # root at (or below) the start: τ² = start (0)
    conv |= below
    for i in range(maxiter):
        act = ~conv
        if not act.any():
            break
        f = wls(y[act], m[act] / (v[act] + t[act, None]), X[act])
        q = f.rss
        pr = f.w * f.resid
        # dQ/dτ² = −y'PPy = −Σ(wᵢrᵢ)² (P y = W r)
        d = np.einsum("bk,bk->b", pr, pr)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = (q - target[act]) / d
        step = np.where(np.isfinite(step), step, 0.0)
        idx = np.flatnonzero(act)
        t[idx] = t[idx] + step
        it[idx] += 1
        # from the left Newton's steps are positive; a step <= 0 means rounding at the root
        done = (np.abs(step) <= 1e-14 * np.maximum(1.0, t[idx])) | (step <= 0)
        conv[idx[done]] = True
    return t, conv, it, below


def _mad(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    """R's ``mad()`` (constant 1.4826) of the included values of each row."""
    ym = np.where(m > 0, y, np.nan)
    med = np.nanmedian(ym, axis=-1)
    return 1.4826 * np.nanmedian(np.abs(ym - med[:, None]), axis=-1)


def _pm_uniroot(y, v, X, m, target, *, tol, maxiter):
    """Paule-Mandel as metafor: 0 if Q(0) < target, else uniroot on [0, τ²max], Newton beyond τ²max."""
    B = y.shape[0]
    t = np.zeros(B)
    conv = np.ones(B, dtype=bool)
    it = np.zeros(B, dtype=int)
    beyond = np.zeros(B, dtype=bool)
    tmax = np.maximum(100.0, 10 * _mad(y, m) ** 2)
    q0 = wls(y, m / v, X).rss
    below = q0 < target
    search = np.flatnonzero(~below)
    if search.size == 0:
        return t, conv, it, below, beyond
    ys, vs, Xs, ms, tg = y[search], v[search], X[search], m[search], target[search]
    qmax = wls(ys, ms / (vs + tmax[search, None]), Xs).rss
    high = qmax > tg
    if high.any():  # metafor stops here ("Value of 'tau2.max' too low"); evsynth goes on
        hi = np.flatnonzero(high)
        th, ch, ih, _ = _pm_root(ys[hi], vs[hi], Xs[hi], ms[hi], tg[hi], start=tmax[search][hi], maxiter=maxiter)
        t[search[hi]], conv[search[hi]], it[search[hi]] = th, ch, ih
        beyond[search[hi]] = True
    lo = np.flatnonzero(~high)
    if lo.size:
        yl, vl, Xl, ml, tl = ys[lo], vs[lo], Xs[lo], ms[lo], tg[lo]

        def f(idx, x):
            return wls(yl[idx], ml[idx] / (vl[idx] + x[:, None]), Xl[idx]).rss - tl[idx]

        r, c, i = zeroin(f, np.zeros(lo.size), tmax[search][lo], q0[search][lo] - tl, qmax[lo] - tl, tol, maxiter)
        t[search[lo]], conv[search[lo]], it[search[lo]] = np.maximum(r, 0.0), c, i
    return t, conv, it, below, beyond


def _fisher(method, y, v, X, m, start, threshold, maxiter):
    """metafor's Fisher scoring for ML, REML and its scoring iteration for EB (batched)."""
    B = y.shape[0]
    k = m.sum(-1)
    t = np.maximum(0.0, np.nan_to_num(start, nan=0.0))
    conv = np.zeros(B, dtype=bool)
    it = np.zeros(B, dtype=int)
    for _ in range(maxiter):
        act = np.flatnonzero(~conv)
        if act.size == 0:
            break
        Xa = X[act]
        f = wls(y[act], m[act] / (v[act] + t[act, None]), Xa)
        w = f.w
        pr = w * f.resid
        ypppy = np.einsum("bk,bk->b", pr, pr)
        if method == "ML":
            adj = (ypppy - w.sum(-1)) / (w**2).sum(-1)
        elif method == "EB":  # (Q(τ²)·k/(k − p) − k) / Σw
            ka = k[act]
            adj = (f.rss * ka / (ka - Xa.shape[-1]) - ka) / w.sum(-1)
        else:  # REML: (y'PPy − tr P) / tr(PP)
            xw2x = np.einsum("bki,bkj->bij", f.xw * w[..., None], Xa)
            xw3x = np.einsum("bki,bkj->bij", f.xw * (w**2)[..., None], Xa)
            trp = w.sum(-1) - np.einsum("bij,bji->b", f.ainv, xw2x)
            c = np.einsum("bij,bjk->bik", f.ainv, xw2x)
            trpp = (w**2).sum(-1) - 2 * np.einsum("bij,bji->b", f.ainv, xw3x) + np.einsum("bij,bji->b", c, c)
            adj = (ypppy - trp) / trpp
        adj = np.where(np.isfinite(adj), adj, 0.0)
        ta = t[act]
        # step halving at the bound, as metafor (while tau2 + adj < 0: adj <- adj/2)
        bad = ta + adj < 0
        if bad.any():
            with np.errstate(divide="ignore", invalid="ignore"):
                n = np.ceil(np.log2(-adj / ta))
            n = np.where(np.isfinite(n), np.maximum(n, 0), 0)
            adj = np.where(bad, np.where(ta > 0, adj / 2.0**n, 0.0), adj)
            adj = np.where(ta + adj < 0, adj / 2, adj)
            adj = np.where(ta + adj < 0, -ta, adj)
        t[act] = ta + adj
        it[act] += 1
        # metafor's criterion is |change| < threshold; relative above τ² = 1 so that rounding
        # (eps·τ²) cannot stall a large τ²
        conv[act[np.abs(adj) < threshold * np.maximum(1.0, t[act])]] = True
    return t, conv, it


def estimate_tau2(
    method: str,
    y: np.ndarray,
    v: np.ndarray,
    X: np.ndarray,
    m: np.ndarray,
    *,
    threshold: float = THRESHOLD,
    maxiter: int = MAXITER,
    tol: float = TOL,
    ll0check: bool = True,
) -> Tau2Fit:
    """τ² for every analysis of a batch (inputs as returned by :func:`~evsynth.meta._wls.broadcast`).

    Analyses with k ≤ p (a single study without moderators) get τ² = 0, as metafor's
    ``method="k1"``.
    """
    tf = _estimate_tau2(method, y, v, X, m, threshold=threshold, maxiter=maxiter, tol=tol, ll0check=ll0check)
    few = m.sum(-1) <= X.shape[-1]
    if few.any():
        tf.tau2 = np.where(few, 0.0, tf.tau2)
        tf.converged = tf.converged | few
        tf.truncated = tf.truncated & ~few
    return tf


def _estimate_tau2(method, y, v, X, m, *, threshold, maxiter, tol, ll0check) -> Tau2Fit:
    B = y.shape[0]
    k = m.sum(-1)
    p = X.shape[-1]
    ones = np.ones(B, dtype=bool)
    zeros_i = np.zeros(B, dtype=int)
    false = np.zeros(B, dtype=bool)
    if method == "FE":
        return Tau2Fit(np.zeros(B), ones, zeros_i, false, false)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "DL":
            f = wls(y, m / v, X)
            raw = (f.rss - (k - p)) / f.tr_p(X)
        elif method == "HE":
            raw = _he(y, v, X, m)
        elif method == "HS":
            f = wls(y, m / v, X)
            raw = (f.rss - k) / f.w.sum(-1)
        elif method == "SJ":
            ybar = (y * m).sum(-1) / k
            t0 = ((y - ybar[:, None]) ** 2 * m).sum(-1) / k
            f = wls(y, m / (v + t0[:, None]), X)
            raw = t0 * f.rss / (k - p)
        elif method == "PM":
            # k <= p (a single study): target inf gives τ² = 0 without a search
            t, conv, it, below, beyond = _pm_uniroot(y, v, X, m, np.where(k <= p, np.inf, k - p).astype(float),
                                                     tol=tol, maxiter=maxiter)
            return Tau2Fit(np.maximum(t, 0.0), conv, it, below, false, beyond)
        elif method == "EB":
            start = np.maximum(0.0, _he(y, v, X, m))
            t, conv, it = _fisher("EB", y, v, X, m, start, threshold, maxiter)
            fallback = ~conv & (k > p)
            if fallback.any():
                i = np.flatnonzero(fallback)
                t[i] = _pm_root(y[i], v[i], X[i], m[i], (k - p)[i].astype(float), maxiter=maxiter)[0]
                conv = conv | fallback
            return Tau2Fit(np.maximum(t, 0.0), conv, it, t <= threshold * 10, false, fallback)
        elif method in ("ML", "REML"):
            start = np.maximum(0.0, _he(y, v, X, m))
            t, conv, it = _fisher(method, y, v, X, m, start, threshold, maxiter)
            fallback = ~conv
            for i in np.flatnonzero(fallback):  # rare: Fisher scoring oscillates (metafor stops)
                t[i] = maximise_ll(method, y[i], v[i], X[i], m[i])[0]
            conv = conv | fallback
            local = np.zeros(B, dtype=bool)
            if ll0check:
                ll0 = _ll(method, y, v, X, m, np.zeros(B))
                ll1 = _ll(method, y, v, X, m, t)
                local = conv & (ll0 - ll1 > tol) & (t > threshold)
                t = np.where(local, 0.0, t)
            at_bound = t <= threshold * 10
            return Tau2Fit(np.maximum(t, 0.0), conv, it, at_bound, local, fallback)
        else:
            raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    raw = np.where(np.isfinite(raw), raw, 0.0)
    return Tau2Fit(np.maximum(raw, 0.0), ones, zeros_i, raw < 0, false)


#: Values (rows × studies) of one batch evaluated at once where a batch is an internal grid.
_CHUNK = 1 << 18


def maximise_ll(method: str, y: np.ndarray, v: np.ndarray, X: np.ndarray, m: np.ndarray | None = None
                ) -> tuple[float, float]:
    """Global maximum of the ML / REML likelihood of one analysis: (τ², log-likelihood).

    A grid over [0, 10⁴·s] (s = the larger of var(y) and the mean variance) locates the
    highest point; the root of the score in the neighbouring interval refines it to machine
    precision. Used when Fisher scoring does not converge, and to check its answer.
    """
    from scipy import optimize

    y1, v1, X1, m1 = broadcast(y, v, X[None] if X.ndim == 2 else X, m)
    keep = m1[0] > 0
    scale = max(float(np.var(y1[0][keep])), float(np.mean(v1[0][keep])), 1e-12)
    grid = np.concatenate([[0.0], np.geomspace(1e-8 * scale, 1e4 * scale, 400)])
    G = grid.size
    # the grid in chunks of about _CHUNK values (B × k) so memory stays linear in k with a small constant
    step = max(1, _CHUNK // y1.shape[1])
    ll = np.concatenate([
        _ll(method, *(np.repeat(a, part.size, axis=0) for a in (y1, v1, X1, m1)), part)
        for part in (grid[i:i + step] for i in range(0, G, step))
    ])
    g = int(np.nanargmax(ll))

    def score(t: float) -> float:
        return float(_score(method, y1, v1, X1, m1, np.array([t]))[0])

    if g == 0 and score(0.0) <= 0:
        return 0.0, float(ll[0])
    lo, hi = grid[max(g - 1, 0)], grid[min(g + 1, G - 1)]
    if score(lo) > 0 > score(hi):
        t = optimize.brentq(score, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    else:
        r = optimize.minimize_scalar(lambda x: -_ll(method, y1, v1, X1, m1, np.array([x]))[0], bounds=(lo, hi),
                                     method="bounded", options={"xatol": 1e-14})
        t = float(r.x)
    return float(t), float(_ll(method, y1, v1, X1, m1, np.array([t]))[0])


@dataclass
class BatchFit:
    """Everything ``rma.uni`` reports, for each analysis of a batch."""

    k: np.ndarray
    p: int
    tau2: np.ndarray
    beta: np.ndarray  # (B, p)
    vb: np.ndarray  # (B, p, p), scaled by s2w under knha
    se: np.ndarray
    stat: np.ndarray
    pval: np.ndarray
    ci_lb: np.ndarray
    ci_ub: np.ndarray
    crit: np.ndarray  # (B,) critical value of the CIs
    df: np.ndarray  # (B,) k − p under knha, inf otherwise
    s2w: np.ndarray
    qe: np.ndarray
    qe_p: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    vt: np.ndarray
    qm: np.ndarray
    qm_p: np.ndarray
    weights: np.ndarray  # (B, k) inverse-variance weights 1/(v + τ²), 0 if left out
    tau2fit: Tau2Fit


def fit_batch(
    method: str,
    y: np.ndarray,
    v: np.ndarray,
    X: np.ndarray,
    m: np.ndarray | None = None,
    *,
    knha: bool = False,
    level: float = 95.0,
    btt: np.ndarray | None = None,
    tau2: np.ndarray | None = None,
    threshold: float = THRESHOLD,
    maxiter: int = MAXITER,
    tol: float = TOL,
) -> BatchFit:
    """Fit ``rma(y, v, mods=X, method=method, test="knha" if knha else "z")`` for a batch.

    ``btt`` selects the coefficients tested by QM (default: all but the intercept, or the
    intercept when it is the only one). ``tau2`` fixes τ² instead of estimating it.
    """
    from scipy import stats

    y, v, X, m = broadcast(y, v, X, m)
    B, k_max = y.shape
    p = X.shape[-1]
    k = m.sum(-1)
    if tau2 is None:
        tf = estimate_tau2(method, y, v, X, m, threshold=threshold, maxiter=maxiter, tol=tol)
    else:
        t = np.broadcast_to(np.asarray(tau2, dtype=float), (B,)).copy()
        tf = Tau2Fit(t, np.ones(B, bool), np.zeros(B, int), np.zeros(B, bool), np.zeros(B, bool))
    t = tf.tau2
    w = m / (v + t[:, None])
    f = wls(y, w, X)
    beta = f.beta
    dfk = k - p
    # metafor switches knha to the z test when k = 1; with k = p > 1 (FE only) it keeps the t test on
    # 0 df: s² = 0 (or inf), and p-values and CIs are NA
    zrow = (k <= 1) if knha else np.ones(B, dtype=bool)
    if knha:
        rss = f.rss
        with np.errstate(divide="ignore", invalid="ignore"):
            # k = p: the fit is exact, RSS = 0 up to rounding (metafor: RSS <= eps gives s² = 0)
            s2w = np.where((rss <= np.finfo(float).eps) | (dfk <= 0), 0.0, rss / dfk)
        s2w = np.where(zrow, 1.0, s2w)
    else:
        s2w = np.ones(B)
    vb = f.ainv * s2w[:, None, None]
    se = np.sqrt(np.maximum(np.einsum("bii->bi", vb), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = beta / se
    a = (100.0 - level) / 100.0
    df = np.where(zrow, np.inf, dfk.astype(float))
    dfs = np.where(zrow | (df <= 0), 1.0, df)
    with np.errstate(invalid="ignore"):
        pval = np.where(zrow[:, None], 2 * stats.norm.sf(np.abs(stat)), 2 * stats.t.sf(np.abs(stat), dfs[:, None]))
        crit = np.where(zrow, stats.norm.isf(a / 2), stats.t.isf(a / 2, dfs))
        pval = np.where((df <= 0)[:, None], np.nan, pval)
        crit = np.where(df <= 0, np.nan, crit)
    ci_lb = beta - crit[:, None] * se
    ci_ub = beta + crit[:, None] * se
    # QM
    if btt is None:
        btt = np.arange(1, p) if p > 1 else np.array([0])
    vbb = vb[:, btt][:, :, btt]
    bb = beta[:, btt]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        qm = np.einsum("bi,bij,bj->b", bb, _inv(vbb), bb)
    # metafor: chol() of a singular covariance fails and QM is NA
    qm = np.where(np.isfinite(qm) & (np.linalg.det(vbb) > 0), qm, np.nan)
    mq = len(btt)
    qm = np.where(zrow, qm, qm / mq)
    with np.errstate(invalid="ignore"):
        qm_p = np.where(zrow, stats.chi2.sf(qm, mq), np.where(df > 0, stats.f.sf(qm, mq, dfs), np.nan))
    # heterogeneity: Q from the FE weights, I², H² from the fitted τ² (metafor's i2def = "1")
    fe = wls(y, m / v, X)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        qe = np.maximum(0.0, fe.rss)
        pos = dfk > 0
        qe = np.where(pos, qe, 0.0)
        qe_p = np.where(pos, stats.chi2.sf(qe, np.where(pos, dfk, 1)), 1.0)
        vt = np.where(pos, dfk / fe.tr_p(X), 0.0)
        if method == "FE":
            i2 = np.where(pos, np.maximum(0.0, np.nan_to_num(100 * (qe - dfk) / qe, nan=0.0, neginf=0.0)), 0.0)
            h2 = np.where(pos, qe / np.where(pos, dfk, 1), 1.0)
        else:
            i2 = np.where(pos, 100 * t / (vt + t), 0.0)
            h2 = np.where(pos, t / vt + 1, 1.0)
    return BatchFit(k=k, p=p, tau2=t, beta=beta, vb=vb, se=se, stat=stat, pval=pval, ci_lb=ci_lb, ci_ub=ci_ub,
                    crit=crit, df=df, s2w=s2w, qe=qe, qe_p=qe_p, i2=i2, h2=h2, vt=vt, qm=qm, qm_p=qm_p,
                    weights=w, tau2fit=tf)


def _p_traces(w: np.ndarray, X: np.ndarray, v: np.ndarray) -> dict[str, float]:
    """Traces of products of P = W − W X (X'WX)⁻¹ X'W and V = diag(v), without forming either.

    P and V are k×k; every trace below reduces to sums over studies and products of p×p
    matrices X' diag(u) X, so memory and time grow linearly in k (metafor forms the matrices).
    Keys: ``P`` tr(P), ``PP`` tr(P²) = ΣᵢⱼPᵢⱼ², ``PV`` tr(PV), ``PVPV`` tr(PVPV) = Σ(PV)∘(PV)',
    ``VPP`` tr(VP²) = Σ(PV)∘P.
    """
    A = np.linalg.inv(X.T @ (X * w[:, None]))

    def g(u: np.ndarray) -> np.ndarray:  # A X' diag(u) X
        return A @ (X.T @ (X * u[:, None]))

    w2, w3 = w**2, w**3
    g_w2, g_w2v = g(w2), g(w2 * v)
    return {
        "P": float(w.sum() - np.trace(g_w2)),
        "PP": float(w2.sum() - 2 * np.trace(g(w3)) + np.sum(g_w2 * g_w2.T)),
        "PV": float((w * v).sum() - np.trace(g_w2v)),
        "PVPV": float(((w * v) ** 2).sum() - 2 * np.trace(g(w3 * v**2)) + np.sum(g_w2v * g_w2v.T)),
        "VPP": float((v * w2).sum() - 2 * np.trace(g(v * w3)) + np.sum(g_w2 * g_w2v.T)),
    }


def se_tau2(method: str, y, v, X, tau2: float, tau2_0: float | None = None) -> float:
    """Standard error of τ² as metafor reports it (``se.tau2``); NaN for FE.

    metafor's formulas, with the traces of its k×k matrices computed in O(k) memory
    (:func:`_p_traces`).
    """
    y2, v2, X2, m2 = broadcast(y, v, X, None)
    k = float(m2.sum())
    p = X2.shape[-1]
    t = max(tau2, 0.0)
    Xs, vs, ms = X2[0], v2[0], m2[0]
    if method == "FE":
        return float("nan")
    if method in ("HS",):
        w = ms / vs
        tr = _p_traces(w, Xs, vs)
        return float(np.sqrt(1 / w.sum() ** 2 * (2 * (k - p) + 4 * t * tr["P"] + 2 * t**2 * tr["PP"])))
    if method == "HE":
        tr = _p_traces(ms, Xs, vs)
        return float(np.sqrt(1 / (k - p) ** 2 * (2 * tr["PVPV"] + 4 * t * tr["PV"] + 2 * t**2 * (k - p))))
    if method == "DL":
        tr = _p_traces(ms / vs, Xs, vs)
        return float(np.sqrt(1 / tr["P"] ** 2 * (2 * (k - p) + 4 * t * tr["P"] + 2 * t**2 * tr["PP"])))
    if method == "SJ":
        t0 = float(tau2_0)
        tr = _p_traces(ms / (vs + t0), Xs, vs)
        return float(np.sqrt(t0**2 / (k - p) ** 2 * (2 * tr["PVPV"] + 4 * t * tr["VPP"] + 2 * t**2 * tr["PP"])))
    w = ms / (vs + tau2)
    if method == "ML":
        return float(np.sqrt(2 / np.sum(w**2)))
    if method == "REML":
        return float(np.sqrt(2 / _p_traces(w, Xs, vs)["PP"]))
    # PM, EB
    return float(np.sqrt(2 * k**2 / (k - p) / w.sum() ** 2))
