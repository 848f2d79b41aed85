"""Conversions of reported summaries to what the effect sizes need.

* :func:`conv_fivenum` — mean and SD from median with IQR and/or range, with the
  methods metafor's ``conv.fivenum`` recommends (metafor ≥ 4.0; 3.8-1 does not
  have it): mean by Luo et al. (2018), SD by Wan et al. (2014) from the range or
  the IQR alone, by Shi et al. (2020) from both; a skewness test (Shi et al.)
  refuses the conversion when the data look skewed (``test=True``), and
  samples under 5 are not converted.
* :func:`se_to_sd`, :func:`ci_to_sd` (t distribution with n − 1 df by default),
  :func:`se_to_vi`, :func:`ci_to_vi` (Wald interval → variance, as ``conv.wald``).
* :func:`rescale` — e.g. VAS 0–100 ↔ 0–10 (means move and stretch, SDs stretch).

All functions are vectorised and return NaN where a row cannot be converted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._core import ArrayLike, _arr
from ..errors import InputError


@dataclass(frozen=True)
class FiveNumConversion:
    """Result of :func:`conv_fivenum`.

    Attributes
    ----------
    mean, sd : ndarray
        Estimated means and SDs (NaN where not converted).
    case : ndarray of str
        ``"range"`` (min/median/max), ``"iqr"`` (q1/median/q3), ``"both"``, or ``""``.
    tval, crit : ndarray
        Skewness statistic and its critical value.
    skewed : ndarray of bool
        Whether the skewness test was significant (then mean and SD are NaN when ``test=True``).
    """

    mean: np.ndarray
    sd: np.ndarray
    case: np.ndarray
    tval: np.ndarray
    crit: np.ndarray
    skewed: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """The result as a table."""
        return pd.DataFrame({"mean": self.mean, "sd": self.sd, "case": self.case, "tval": self.tval,
                             "crit": self.crit, "skewed": self.skewed})


def _fill(x: np.ndarray | None, k: int) -> np.ndarray:
    return np.full(k, np.nan) if x is None else np.broadcast_to(x, (k,)).astype(float)


def conv_fivenum(
    min: ArrayLike | None = None,  # noqa: A002 - metafor's argument name
    q1: ArrayLike | None = None,
    median: ArrayLike | None = None,
    q3: ArrayLike | None = None,
    max: ArrayLike | None = None,  # noqa: A002
    n: ArrayLike | None = None,
    *,
    test: bool = True,
) -> FiveNumConversion:
    """Estimate mean and SD from the median with range and/or IQR (normal data).

    Parameters
    ----------
    min, q1, median, q3, max : array_like, optional
        The reported summaries; give min/median/max, q1/median/q3, or all five.
    n : array_like
        Sample sizes (rows with ``n < 5`` are not converted).
    test : bool
        Refuse rows whose summaries look skewed (Shi et al.'s test), as metafor.

    Returns
    -------
    FiveNumConversion

    Notes
    -----
    With ``ξ = 2 Φ⁻¹((n − 0.375)/(n + 0.25))`` and ``η = 2 Φ⁻¹((0.75n − 0.125)/(n + 0.25))``:

    * range: mean ``w (a+b)/2 + (1−w) m``, ``w = 4/(4 + n^0.75)``; SD ``(b−a)/ξ``.
    * IQR: mean ``w (q1+q3)/2 + (1−w) m``, ``w = 0.7 + 0.39/n``; SD ``(q3−q1)/η``.
    * both: mean ``w1 (a+b)/2 + w2 (q1+q3)/2 + (1−w1−w2) m`` with ``w1 = 2.2/(2.2 + n^0.75)``,
      ``w2 = 0.7 − 0.72/n^0.55``; SD ``w (b−a)/ξ + (1−w)(q3−q1)/η``, ``w = 1/(1 + 0.07 n^0.6)``.
    """
    arrays = {k: _arr(v, k) for k, v in dict(min=min, q1=q1, median=median, q3=q3, max=max, n=n).items()}
    if arrays["n"] is None:
        raise InputError("conv_fivenum needs n", field="n")
    k = int(np.max([len(a) for a in arrays.values() if a is not None]))
    try:
        a, lo, m, hi, b, nn = (_fill(arrays[x], k) for x in ("min", "q1", "median", "q3", "max", "n"))
    except ValueError:
        raise InputError("conv_fivenum: columns differ in length", field="median") from None
    nn = np.where(nn < 5, np.nan, nn)
    stacked = np.vstack([a, lo, m, hi, b])
    unsorted = _unsorted(stacked)
    if unsorted.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(unsorted)[:10])
        raise InputError(f"min <= q1 <= median <= q3 <= max does not hold (row(s) {rows})", field="median")
    has = ~np.isnan(stacked)
    ok = has[2] & ~np.isnan(nn)
    case_range = ok & has[0] & ~has[1] & ~has[3] & has[4]
    case_iqr = ok & ~has[0] & has[1] & has[3] & ~has[4]
    case_both = ok & has[0] & has[1] & has[3] & has[4]
    mean = np.full(k, np.nan)
    sd = np.full(k, np.nan)
    tval = np.full(k, np.nan)
    crit = np.full(k, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        xi = 2 * stats.norm.ppf((nn - 0.375) / (nn + 0.25))
        eta = 2 * stats.norm.ppf((0.75 * nn - 0.125) / (nn + 0.25))
        t1 = np.abs((a + b - 2 * m) / (b - a))
        t2 = np.abs((lo + hi - 2 * m) / (hi - lo))
        # range
        c = case_range
        tval[c] = t1[c]
        crit[c] = (1 / np.log(nn + 9) + 2.5 / (nn + 1))[c]
        w = 4 / (4 + nn**0.75)
        mean[c] = (w * (a + b) / 2 + (1 - w) * m)[c]
        sd[c] = ((b - a) / xi)[c]
        # iqr
        c = case_iqr
        tval[c] = t2[c]
        crit[c] = (2.65 / np.sqrt(nn) - 6 / nn**2)[c]
        w = 0.7 + 0.39 / nn
        mean[c] = (w * (lo + hi) / 2 + (1 - w) * m)[c]
        sd[c] = ((hi - lo) / eta)[c]
        # both
        c = case_both
        tval[c] = np.maximum(2.65 * np.log(0.6 * nn) / np.sqrt(nn) * t1, t2)[c]
        crit[c] = (3 / np.sqrt(nn) - 40 / nn**3)[c]
        w1 = 2.2 / (2.2 + nn**0.75)
        w2 = 0.7 - 0.72 / nn**0.55
        mean[c] = (w1 * (a + b) / 2 + w2 * (lo + hi) / 2 + (1 - w1 - w2) * m)[c]
        w = 1 / (1 + 0.07 * nn**0.6)
        sd[c] = (w * (b - a) / xi + (1 - w) * (hi - lo) / eta)[c]
    skewed = ~np.isnan(tval) & (tval >= crit)
    if test:
        mean[skewed] = np.nan
        sd[skewed] = np.nan
    case = np.where(case_range, "range", np.where(case_iqr, "iqr", np.where(case_both, "both", "")))
    return FiveNumConversion(mean, sd, case, tval, crit, skewed)


def _unsorted(stacked: np.ndarray) -> np.ndarray:
    """Per column, whether the non-missing values are out of order."""
    out = np.zeros(stacked.shape[1], dtype=bool)
    for j in range(stacked.shape[1]):
        col = stacked[:, j]
        col = col[~np.isnan(col)]
        out[j] = bool(np.any(np.diff(col) < 0))
    return out


def se_to_sd(se: ArrayLike, n: ArrayLike) -> np.ndarray:
    """SD from the standard error of a mean: ``se · √n``."""
    se, n = np.asarray(se, dtype=float), np.asarray(n, dtype=float)
    return se * np.sqrt(n)


def ci_to_sd(lower: ArrayLike, upper: ArrayLike, n: ArrayLike, *, level: float = 95.0,
             dist: str = "t") -> np.ndarray:
    """SD from a confidence interval of a mean: ``√n (upper − lower) / (2 q)``.

    Parameters
    ----------
    lower, upper, n : array_like
    level : float
        Confidence level in percent.
    dist : {"t", "norm"}
        ``q`` from the t distribution with ``n − 1`` df (right for small n; Cochrane
        Handbook 6.5.2.2) or the normal distribution.
    """
    lower, upper, n = (np.asarray(v, dtype=float) for v in (lower, upper, n))
    p = 1 - (1 - level / 100) / 2
    if dist == "t":
        q = stats.t.ppf(p, n - 1)
    elif dist == "norm":
        q = stats.norm.ppf(p)
    else:
        raise InputError(f"dist must be 't' or 'norm', not {dist!r}", field="dist")
    return np.sqrt(n) * (upper - lower) / (2 * q)


def se_to_vi(sei: ArrayLike) -> np.ndarray:
    """Sampling variance from a standard error, ``sei²``."""
    return np.asarray(sei, dtype=float) ** 2


def ci_to_vi(lower: ArrayLike, upper: ArrayLike, *, level: float = 95.0, log: bool = False) -> np.ndarray:
    """Sampling variance from a Wald-type confidence interval, ``((upper − lower) / (2 z))²``.

    Parameters
    ----------
    lower, upper : array_like
        CI limits.
    level : float
        Confidence level in percent.
    log : bool
        Take logs of the limits first (intervals of RR, OR, ... reported on the ratio scale).
    """
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    if log:
        lower, upper = np.log(lower), np.log(upper)
    z = stats.norm.ppf(1 - (1 - level / 100) / 2)
    return ((upper - lower) / (2 * z)) ** 2


def ci_to_yi(lower: ArrayLike, upper: ArrayLike, *, log: bool = False) -> np.ndarray:
    """Point estimate as the midpoint of a symmetric (Wald) interval (on the log scale if ``log``)."""
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    if log:
        lower, upper = np.log(lower), np.log(upper)
    return (lower + upper) / 2


def rescale(x: ArrayLike, *, source: tuple[float, float] = (0, 100), target: tuple[float, float] = (0, 10),
            kind: str = "mean") -> np.ndarray:
    """Move values between scales, e.g. VAS 0–100 mm to 0–10 cm.

    Parameters
    ----------
    x : array_like
        Means (or single scores) when ``kind="mean"``; SDs, SEs or mean
        differences when ``kind="sd"`` (these only stretch).
    source, target : (low, high)
        The scales' ends.
    kind : {"mean", "sd"}
    """
    x = np.asarray(x, dtype=float)
    factor = (target[1] - target[0]) / (source[1] - source[0])
    if kind == "mean":
        return target[0] + (x - source[0]) * factor
    if kind == "sd":
        return x * abs(factor)
    raise InputError(f"kind must be 'mean' or 'sd', not {kind!r}", field="kind")


def vas100_to_10(x: ArrayLike, kind: str = "mean") -> np.ndarray:
    """VAS 0–100 → 0–10 (e.g. to pool with NRS 0–10)."""
    return rescale(x, source=(0, 100), target=(0, 10), kind=kind)


def vas10_to_100(x: ArrayLike, kind: str = "mean") -> np.ndarray:
    """VAS/NRS 0–10 → 0–100."""
    return rescale(x, source=(0, 10), target=(0, 100), kind=kind)
