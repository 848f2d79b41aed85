"""Random-effects (and common-effect) meta-analysis and meta-regression: :func:`fit`.

``fit(yi, vi, method="REML")`` returns what metafor's ``rma(yi, vi, method=..., test=...)``,
``predict()`` and ``confint()`` report, as one frozen :class:`MetaResult`, agreeing with
metafor 3.8-1 to 1e-6 (``tests/reference/metafor``).

Conventions (metafor's; where PyMARE differs, it is said):

* **Inference** is Wald (z) by default. ``knha=True`` gives the Hartung–Knapp–Sidik–Jonkman
  method: t on k − p df with the variance of the coefficients multiplied by
  ``s² = Σwᵢ(yᵢ − xᵢ'b)²/(k − p)``, *not* truncated at 1 (metafor's ``test="knha"``).
  PyMARE applies Knapp–Hartung by default (``small_sample_correction="knapp-hartung"``);
  evsynth, like metafor, does not.
* **Q** is Cochran's Q with weights 1/vᵢ; **I²** and **H²** are computed from the fitted τ²:
  ``I² = 100·τ²/(τ² + s²)``, ``H² = (τ² + s²)/s²`` with the "typical" within-study variance
  ``s² = (k − p)/tr(P)`` (for DL this equals the Q-based I²; for other estimators it does
  not). PyMARE and many packages report the Q-based I² whatever the estimator. For the
  common-effect model (``"FE"``) I² = max(0, 100·(Q − (k − p))/Q) and H² = Q/(k − p).
* **Prediction interval**: estimate ± crit·√(se² + τ²), crit from N(0, 1), or from t(k − p)
  under knha (metafor's ``predict()``; PyMARE has none).
* **τ² confidence interval**: Q-profile (``confint.rma.uni``), searched on [0, max(100, 10τ²)].
* With moderators ``estimate``/``se``/``ci_*``/``stat``/``p`` are those of the intercept and the
  prediction interval is at all moderators = 0; ``coefficients`` holds every coefficient.
* Small k: k = 1 returns the study's own estimate with a warning, τ² = 0 and metafor's
  placeholders Q = 0, ``q_p`` = 1, I² = 0, H² = 1 (the warning says they are not estimates).
  τ² on the zero boundary, identical effects, truncated estimates and non-convergence are
  reported in ``warnings``. A variance ≤ 0 or a missing value is an :class:`InputError`.
* SMD variances: :func:`evsynth.effects.escalc` uses metafor's large-sample formula with the
  exact Hedges correction; PyMARE's converters use another variance formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import InputError
from . import _estimators as _est
from .regression import model_matrix, pseudo_r2

__all__ = ["Coefficient", "MetaResult", "Prediction", "fit", "validate_inputs", "METHODS"]

METHODS = _est.METHODS
_METHOD_NAMES = _est.METHOD_NAMES


@dataclass(frozen=True)
class Coefficient:
    """One model coefficient (metafor's row of ``coef(summary(res))``)."""

    name: str
    estimate: float
    se: float
    stat: float
    p: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True, eq=False)
class Prediction:
    """Predicted (average) effects, as metafor's ``predict()``; arrays of equal length."""

    estimate: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    pi_low: np.ndarray
    pi_high: np.ndarray
    newmods: np.ndarray | None = None
    transf: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per prediction: estimate, se, ci_low, ci_high, pi_low, pi_high (and the moderators)."""
        frame = pd.DataFrame({"estimate": self.estimate, "se": self.se, "ci_low": self.ci_low,
                              "ci_high": self.ci_high, "pi_low": self.pi_low, "pi_high": self.pi_high})
        if self.newmods is not None:
            for j in range(self.newmods.shape[1]):
                frame[f"x{j + 1}"] = self.newmods[:, j]
        return frame

    def transformed(self, transf: Any, measure: str = "GEN") -> "Prediction":
        """The prediction back-transformed (see :meth:`MetaResult.predict`); ``se`` becomes NaN, as metafor's."""
        from .transf import resolve

        t = resolve(transf, measure)
        if t is None:
            return self
        ci = t.limits(self.ci_low, self.ci_high)
        pi = t.limits(self.pi_low, self.pi_high)
        return Prediction(t(self.estimate), np.full_like(self.se, np.nan), *ci, *pi, self.newmods, t.name)


@dataclass(frozen=True, eq=False)
class MetaResult:
    """A fitted meta-analysis (metafor's ``rma.uni`` object, with ``predict`` and ``confint``).

    Attributes follow ``docs``/``notes`` of the agreed interface: ``i2`` and ``r2`` are in
    percent, ``weights`` in percent (sum 100), ``stat`` is z (or t under knha). Values are
    on the analysis scale (log RR, logit, ...).
    """

    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    tau2: float
    tau2_ci_low: float
    tau2_ci_high: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    stat: float
    p: float
    method: str
    knha: bool
    measure: str
    level: float
    yi: np.ndarray = field(repr=False)
    vi: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    labels: tuple[str, ...] = field(repr=False)
    coefficients: tuple[Coefficient, ...]
    qm: float
    qm_p: float
    r2: float | None
    warnings: tuple[str, ...]
    se_tau2: float = float("nan")
    df: float = float("inf")
    X: np.ndarray = field(default_factory=lambda: np.ones((0, 1)), repr=False)
    vb: np.ndarray = field(default_factory=lambda: np.zeros((1, 1)), repr=False)
    s2w: float = 1.0
    converged: bool = True
    iterations: int = 0
    qm_df: tuple[float, float] = (1.0, float("inf"))
    control: tuple[tuple[str, float], ...] = ()

    # ------------------------------------------------------------------ views
    @property
    def p_params(self) -> int:
        """Number of coefficients p (1 without moderators)."""
        return int(self.X.shape[1])

    @property
    def stat_name(self) -> str:
        """``"t"`` under Knapp-Hartung, else ``"z"``."""
        return "t" if self.knha else "z"

    @property
    def beta(self) -> np.ndarray:
        """The coefficients as an array (intercept first)."""
        return np.array([c.estimate for c in self.coefficients])

    @property
    def moderator_names(self) -> tuple[str, ...]:
        """Names of the coefficients other than the intercept."""
        return tuple(c.name for c in self.coefficients[1:])

    def to_frame(self, transf: Any = None) -> pd.DataFrame:
        """The model as a table: one row per coefficient, labelled by its name (``intrcpt``, moderators).

        Columns: ``name``, ``estimate``, ``se``, ``stat``, ``p``, ``ci_low``, ``ci_high``, the
        prediction interval ``pi_low``/``pi_high`` (models without moderators), and the model's
        ``k``, ``tau2`` (with ``tau2_ci_low``/``tau2_ci_high``), ``i2`` (%), ``h2``, ``q``, ``q_df``,
        ``q_p``, ``method``, ``measure``.

        Parameters
        ----------
        transf : callable, str or None
            Back-transform estimate and limits, as :meth:`predict` (e.g. ``"exp"`` or ``"auto"``
            for RR and OR as ratios); ``se`` is then NaN and ``transf`` names the function.
            Moderator coefficients are never transformed (they are differences, not effects).
        """
        frame = pd.DataFrame([c.__dict__ for c in self.coefficients])
        frame.index = pd.Index([c.name for c in self.coefficients])
        frame["pi_low"] = [self.pi_low] + [np.nan] * (len(frame) - 1) if self.p_params == 1 else np.nan
        frame["pi_high"] = [self.pi_high] + [np.nan] * (len(frame) - 1) if self.p_params == 1 else np.nan
        for key in ("k", "tau2", "tau2_ci_low", "tau2_ci_high", "i2", "h2", "q", "q_df", "q_p", "method", "measure"):
            frame[key] = getattr(self, key)
        if transf is not None and self.p_params == 1:
            from .transf import resolve

            t = resolve(transf, self.measure)
            if t is not None:
                frame["estimate"] = t(frame["estimate"])
                frame["ci_low"], frame["ci_high"] = t.limits(frame["ci_low"], frame["ci_high"])
                frame["pi_low"], frame["pi_high"] = t.limits(frame["pi_low"], frame["pi_high"])
                frame["se"] = np.nan
                frame["transf"] = t.name
        elif transf is not None:
            raise InputError("transf applies to a model without moderators; use predict(newmods=..., transf=...)",
                             field="transf")
        return frame

    def studies_frame(self) -> pd.DataFrame:
        """One row per study: label, yi, vi, se, ci_low, ci_high (normal), weight (%)."""
        se = np.sqrt(self.vi)
        z = stats.norm.isf((100 - self.level) / 200)
        return pd.DataFrame({"label": list(self.labels), "yi": self.yi, "vi": self.vi, "se": se,
                             "ci_low": self.yi - z * se, "ci_high": self.yi + z * se, "weight": self.weights})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the CLI's keys, then details); NaN becomes ``None``."""

        def c(x: Any) -> Any:
            if x is None:
                return None
            x = float(x)
            return x if np.isfinite(x) else None

        out: dict[str, Any] = {
            "k": int(self.k), "estimate": c(self.estimate), "se": c(self.se), "ci_low": c(self.ci_low),
            "ci_high": c(self.ci_high), "pi_low": c(self.pi_low), "pi_high": c(self.pi_high), "tau2": c(self.tau2),
            "i2": c(self.i2), "h2": c(self.h2), "q": c(self.q), "q_p": c(self.q_p), "stat": c(self.stat),
            "p": c(self.p),
        }
        if self.p_params > 1:
            out["coefficients"] = [{"name": co.name, "estimate": c(co.estimate), "se": c(co.se), "stat": c(co.stat),
                                    "p": c(co.p), "ci_low": c(co.ci_low), "ci_high": c(co.ci_high)}
                                   for co in self.coefficients]
            out["qm"] = c(self.qm)
            out["qm_p"] = c(self.qm_p)
            out["r2"] = c(self.r2)
        out.update({"method": self.method, "knha": bool(self.knha), "measure": self.measure, "level": self.level,
                    "stat_name": self.stat_name, "df": c(self.df) if self.knha else None, "q_df": int(self.q_df),
                    "tau2_ci_low": c(self.tau2_ci_low), "tau2_ci_high": c(self.tau2_ci_high),
                    "se_tau2": c(self.se_tau2), "warnings": list(self.warnings)})
        return out

    def predict(self, newmods: Any = None, *, transf: Any = None) -> Prediction:
        """Predicted average effect with CI and prediction interval (metafor's ``predict``).

        Parameters
        ----------
        newmods : array_like, optional
            Moderator values: shape ``(n,)`` with one moderator, ``(n, p − 1)`` otherwise
            (no intercept column). Default: the pooled estimate (no moderators) or the
            fitted value of every study (with moderators).
        transf : callable, str or None, optional
            Back-transformation of the estimate and the limits, as metafor's ``transf=``:
            a function (``np.exp``), a name (``"exp"``, ``"ilogit"``, ``"iarcsin"``) or
            ``"auto"`` (the measure's own: RR, OR, ROM as ratios, PLO and PAS as
            proportions). ``se`` is then NaN (metafor drops it too).

        Examples
        --------
        >>> res = fit([-0.89, -1.59, -1.35], [0.33, 0.19, 0.42], measure="RR")
        >>> pred = res.predict(transf="exp")  # a risk ratio, with CI and prediction interval
        >>> round(float(pred.estimate[0]), 3), pred.transf
        (0.262, 'exp')
        """
        p = self.p_params
        if newmods is None:
            Xn = np.ones((1, 1)) if p == 1 else self.X
        else:
            nm = np.asarray(newmods, dtype=float)
            if p == 1:
                raise InputError("the model has no moderators; predict() takes no newmods", field="newmods")
            nm = nm.reshape(-1, 1) if nm.ndim <= 1 and p == 2 else np.atleast_2d(nm)
            if nm.shape[1] != p - 1:
                raise InputError(f"newmods has {nm.shape[1]} columns for {p - 1} moderators", field="newmods")
            Xn = np.column_stack([np.ones(nm.shape[0]), nm])
        pred = Xn @ self.beta
        vpred = np.einsum("ni,ij,nj->n", Xn, self.vb, Xn)
        se = np.sqrt(np.where(vpred < 0, np.nan, vpred))
        crit = self._crit()
        half = crit * np.sqrt(se**2 + self.tau2)
        out = Prediction(pred, se, pred - crit * se, pred + crit * se, pred - half, pred + half,
                         None if newmods is None else Xn[:, 1:])
        return out.transformed(transf, self.measure)

    def _crit(self) -> float:
        a = (100.0 - self.level) / 100.0
        if self.knha:
            return float(stats.t.isf(a / 2, self.df)) if self.df > 0 else float("nan")
        return float(stats.norm.isf(a / 2))

    def summary(self) -> str:
        """A text summary like metafor's ``print.rma``."""
        from .text import format_result

        return format_result(self)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.summary()


# ---------------------------------------------------------------------- fitting
def validate_inputs(yi: Any, vi: Any, labels: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray,
                                                                                      tuple[str, ...]]:
    """Check effect sizes and variances; return float arrays and labels.

    Raises
    ------
    InputError
        Lengths differ, a value is missing or not finite, or a variance is ≤ 0 (the row is
        named: 1-based row number and label).
    """
    y = np.atleast_1d(np.asarray(yi, dtype=float)).ravel()
    v = np.atleast_1d(np.asarray(vi, dtype=float)).ravel()
    if y.shape != v.shape:
        raise InputError(f"yi has {y.size} values and vi {v.size}", field="vi")
    if y.size == 0:
        raise InputError("no studies to pool (k = 0)", field="yi")
    labs = tuple(str(s) for s in labels) if labels is not None and len(labels) else tuple(
        f"Study {i + 1}" for i in range(y.size))
    if len(labs) != y.size:
        raise InputError(f"{len(labs)} labels for {y.size} studies", field="labels")

    def where(i: int) -> str:
        return f"row {i + 1} ({labs[i]})"

    for name, arr in (("yi", y), ("vi", v)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise InputError(f"{where(bad[0])}: {name} is missing or not finite", field=name)
    bad = np.flatnonzero(v <= 0)
    if bad.size:
        raise InputError(f"{where(bad[0])}: sampling variance vi = {v[bad[0]]:g} must be > 0", field="vi")
    return y, v, labs


def _qprofile(y: np.ndarray, v: np.ndarray, X: np.ndarray, tau2: float, level: float) -> tuple[float, float, list[str]]:
    """Q-profile CI for τ² (metafor's ``confint.rma.uni``, ``type="QP"``)."""
    k, p = X.shape
    a = (100.0 - level) / 100.0
    crit_u = stats.chi2.isf(a / 2, k - p)
    crit_l = stats.chi2.ppf(a / 2, k - p)
    tmax = max(100.0, 10 * tau2)
    notes: list[str] = []

    def q(t: float) -> float:
        return _est.q_gen(y, v, X, t)

    q0, qmax = q(0.0), q(tmax)

    def root(target: float) -> float:
        return float(optimize.brentq(lambda t: q(t) - target, 0.0, tmax, xtol=1e-14, rtol=4 * np.finfo(float).eps,
                                     maxiter=1000))

    if q0 < crit_l:
        lb = ub = 0.0
        notes.append("the Q-profile confidence interval for τ² is the null set {0} (Q(0) below the lower "
                      "critical value); reported as [0, 0]")
        return lb, ub, notes
    if qmax > crit_l:
        ub = tmax
        notes.append(f"upper bound of the τ² CI is beyond the search limit {tmax:g}")
    else:
        ub = root(crit_l)
    if qmax > crit_u:
        lb = ub = tmax
    elif q0 < crit_u:
        lb = 0.0
    else:
        lb = root(crit_u)
    return lb, ub, notes


def fit(
    yi: Any,
    vi: Any,
    *,
    method: str = "REML",
    knha: bool = False,
    moderators: Any = None,
    labels: Sequence[str] | None = None,
    measure: str = "GEN",
    level: float = 95.0,
    threshold: float = _est.THRESHOLD,
    maxiter: int = _est.MAXITER,
    tol: float = _est.TOL,
) -> MetaResult:
    """Fit a random-effects (or common-effect) meta-analysis or meta-regression.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances (``vi > 0``).
    method : str
        τ² estimator: ``"REML"`` (default), ``"DL"``, ``"PM"``, ``"ML"``, ``"HE"``, ``"SJ"``,
        ``"EB"``, ``"HS"``, or ``"FE"`` for the common-effect model.
    knha : bool
        Hartung–Knapp–Sidik–Jonkman inference (t on k − p df, metafor's ``test="knha"``).
    moderators : array_like, mapping or DataFrame, optional
        Meta-regression moderators (see :func:`evsynth.meta.regression.design_matrix`); redundant
        predictors are dropped with a warning, as metafor drops them.
    labels : sequence of str, optional
        Study labels.
    measure : str
        The effect measure (recorded; the analysis scale is the measure's, e.g. log RR).
    level : float
        Confidence level in percent.
    threshold, maxiter : optional
        Convergence of the iterative estimators (absolute change in τ²; default 1e-12, metafor's
        is 1e-5).
    tol : optional
        metafor's ``control$tol`` (default ``.Machine$double.eps^0.25``, as metafor): the
        tolerance of ``uniroot`` for PM and the margin of the ML/REML check that the likelihood
        at τ² = 0 is not higher. ``tol=1e-12`` gives the PM root to machine precision.

    Returns
    -------
    MetaResult

    Raises
    ------
    InputError
        Missing values, a variance ≤ 0, unknown method, too few studies for the moderators.
    """
    m = str(method).upper()
    level = float(level)
    if 0 < level < 1:  # metafor accepts 0.95 as well as 95
        level *= 100
    if not 0 < level < 100:
        raise InputError(f"level must be a percentage between 0 and 100, got {level:g}", field="level")
    if m not in METHODS:
        raise InputError(f"unknown method {method!r}; known: {', '.join(METHODS)}", field="method")
    y, v, labs = validate_inputs(yi, vi, labels)
    k = y.size
    X, names, warns = model_matrix(moderators, k)
    p = X.shape[1]
    if p > 1 and k < p + (0 if m == "FE" else 1):
        raise InputError(f"k = {k} studies are too few for {p} coefficients and τ²", field="moderators")
    if k == 1 and knha:
        warns.append("k = 1: Knapp-Hartung needs k > 1; using the z test")
        knha = False
    if knha and m == "FE":
        warns.append("Knapp-Hartung is not meant for the common-effect (FE) model (metafor warns the same)")
    if v.max() / v.min() >= 1e7:
        warns.append("ratio of largest to smallest sampling variance is extremely large; results may be unstable")
    bf = _est.fit_batch("FE" if k == 1 else m, y, v, X, knha=knha, level=level, threshold=threshold,
                        maxiter=maxiter, tol=tol)
    tf = bf.tau2fit
    tau2 = float(bf.tau2[0])
    converged = bool(tf.converged[0])
    if k == 1:
        warns.append("k = 1: a single study; no heterogeneity can be estimated (τ² = 0; I² = 0, H² = 1, Q = 0 "
                     "with p = 1 are metafor's placeholders, not estimates)")
    else:
        if not converged:
            warns.append(f"{m}: the τ² iterations did not converge in {maxiter} iterations; τ² = {tau2:g} is the "
                         "last iterate")
        if tf.fallback is not None and bool(tf.fallback[0]):
            if m == "PM":
                warns.append("PM: the root of Q(τ²) = k − p is above metafor's search limit tau2.max = "
                             "max(100, 10·mad(yi)²) (metafor stops with \"Value of 'tau2.max' too low\"); evsynth "
                             "continued the search beyond it")
            elif m == "EB":
                warns.append("EB: the scoring iterations did not converge (metafor stops with an error here); τ² is the "
                             "root of Q(τ²) = k − p found by Newton's method")
            else:
                warns.append(f"{m}: Fisher scoring did not converge (metafor stops with an error here); τ² is the "
                             "maximum of the likelihood found by a grid search and root-finding on the score")
        if m in ("ML", "REML") and k > p:
            t_best, ll_best = _est.maximise_ll(m, y, v, X)
            yb, vb_, Xb, mb = _est.broadcast(y, v, X, None)
            ll_hat = float(_est._ll(m, yb, vb_, Xb, mb, np.array([tau2]))[0])
            if ll_best > ll_hat + 1e-8 * max(1.0, abs(ll_hat)):
                warns.append(f"the {m} likelihood is higher at τ² = {t_best:.6g} (log-likelihood {ll_best:.4f} vs "
                             f"{ll_hat:.4f} at the reported τ² = {tau2:.6g}): metafor's Fisher scoring, which "
                             "evsynth follows, stops at a local maximum here; check the profile likelihood")
        if bool(tf.local_max[0]):
            warns.append("Fisher scoring may have got stuck at a local maximum; τ² set to 0 as metafor does "
                         "(check the profile likelihood)")
        if np.ptp(y) == 0:
            warns.append("all effect sizes are identical; τ² = 0 and Q = 0")
        elif m != "FE" and tau2 == 0:
            why = " (the untruncated estimate was negative)" if m in ("DL", "HE", "HS", "SJ") and tf.truncated[0] else ""
            warns.append(f"τ² estimate is on the zero boundary{why}: the random-effects model reduces to the "
                         "common-effect model")
    if knha and float(bf.s2w[0]) == 0.0:
        warns.append("Knapp-Hartung: the weighted residual sum of squares is 0, so standard errors are 0")
    # coefficients
    coefs = tuple(Coefficient(names[j], float(bf.beta[0, j]), float(bf.se[0, j]), float(bf.stat[0, j]),
                              float(bf.pval[0, j]), float(bf.ci_lb[0, j]), float(bf.ci_ub[0, j])) for j in range(p))
    w = bf.weights[0]
    weights = 100 * w / w.sum()
    # τ² CI and se
    t_lo = t_hi = float("nan")
    se_t2 = float("nan")
    if m != "FE" and k > p:
        t_lo, t_hi, notes = _qprofile(y, v, X, tau2, level)
        warns.extend(notes)
        tau2_0 = None
        if m == "SJ":
            tau2_0 = float(np.mean((y - y.mean()) ** 2))
        se_t2 = _est.se_tau2(m, y, v, X, tau2, tau2_0)
    # R²
    r2 = None
    if p > 1:
        if m == "FE":
            r2 = pseudo_r2(m, y, v, X, 0.0, 0.0)
        else:
            null = _est.fit_batch(m, y, v, np.ones((k, 1)), threshold=threshold, maxiter=maxiter, tol=tol)
            r2 = pseudo_r2(m, y, v, X, tau2, float(null.tau2[0]))
    q_df = k - p
    # k = 1 (and k = p): metafor's QE = 0, QEp = 1, I² = 0, H² = 1
    i2, h2, q, q_p = float(bf.i2[0]), float(bf.h2[0]), float(bf.qe[0]), float(bf.qe_p[0])
    mq = p - 1 if p > 1 else 1
    res = MetaResult(
        k=k, estimate=coefs[0].estimate, se=coefs[0].se, ci_low=coefs[0].ci_low, ci_high=coefs[0].ci_high,
        pi_low=float("nan"), pi_high=float("nan"), tau2=tau2, tau2_ci_low=t_lo, tau2_ci_high=t_hi, i2=i2, h2=h2,
        q=q, q_df=q_df, q_p=q_p, stat=coefs[0].stat, p=coefs[0].p, method=m, knha=bool(knha), measure=str(measure),
        level=float(level), yi=_ro(y), vi=_ro(v), weights=_ro(weights), labels=labs, coefficients=coefs,
        qm=float(bf.qm[0]), qm_p=float(bf.qm_p[0]), r2=r2, warnings=tuple(warns), se_tau2=se_t2,
        df=float(bf.df[0]), X=_ro(X), vb=_ro(bf.vb[0]), s2w=float(bf.s2w[0]), converged=converged,
        iterations=int(tf.iterations[0]), qm_df=(float(mq), float(k - p) if knha else float("inf")),
        control=(("threshold", float(threshold)), ("maxiter", float(maxiter)), ("tol", float(tol))),
    )
    # prediction interval at the pooled estimate (or at all moderators = 0)
    xs = np.zeros(p)
    xs[0] = 1.0
    pred = float(xs @ res.beta)
    se0 = float(np.sqrt(xs @ res.vb @ xs))
    crit = res._crit()
    half = crit * np.sqrt(se0**2 + tau2)
    object.__setattr__(res, "pi_low", pred - half)
    object.__setattr__(res, "pi_high", pred + half)
    return res


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


def meta_regression(yi: Any, vi: Any, moderators: Any, **kwargs: Any) -> MetaResult:
    """Meta-regression: :func:`fit` with ``moderators`` required.

    Returns
    -------
    MetaResult
        ``coefficients`` (intercept first), ``qm``, ``qm_p``, ``r2``.
    """
    if moderators is None:
        raise InputError("meta_regression needs moderators", field="moderators")
    return fit(yi, vi, moderators=moderators, **kwargs)
