"""Continuous outcomes: two groups (MD, SMD, ROM) and paired / pre-post (MC, SMCC, SMCR).

Formulas and defaults are metafor's ``escalc`` (``vtype="LS"``):

* MD: ``m1i - m2i``, ``vi = sd1i²/n1i + sd2i²/n2i`` (``vtype="HO"``: pooled SD).
* SMD: Hedges' g, ``c(m) (m1i - m2i) / s_pooled`` with the exact correction
  ``c(m) = Γ(m/2) / (√(m/2) Γ((m-1)/2))``, ``m = n1i + n2i - 2``, and
  ``vi = 1/n1i + 1/n2i + yi²/(2 (n1i + n2i))`` (``"UB"`` and ``"LS2"`` also).
* ROM: ``log(m1i/m2i)``, ``vi = sd1i²/(n1i m1i²) + sd2i²/(n2i m2i²)``.
* MC: ``m1i - m2i``, ``vi = (sd1i² + sd2i² - 2 ri sd1i sd2i)/ni``.
* SMCC: change standardised by the SD of the change scores, ``vi = 1/ni + yi²/(2 ni)``.
* SMCR: change standardised by the first (pre) SD, ``vi = 2(1-ri)/ni + yi²/(2 ni)``.

Paired measures take ``m1i``/``sd1i`` as the first and ``m2i``/``sd2i`` as the
second measurement; in metafor the sign is ``m1i - m2i``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from ._core import ArrayLike, EffectSizes, _arr, _check, _cmi, _metafor_na, _need
from ..errors import InputError


def _cols(**kw: ArrayLike | None) -> dict[str, np.ndarray | None]:
    return {k: _arr(v, k) for k, v in kw.items()}


def two_group_continuous(
    measure: str,
    m1i: ArrayLike, m2i: ArrayLike, sd1i: ArrayLike, sd2i: ArrayLike, n1i: ArrayLike, n2i: ArrayLike,
    *, vtype: str = "LS",
) -> EffectSizes:
    """MD, SMD or ROM from group means, SDs and sizes, as metafor's ``escalc``.

    Parameters
    ----------
    measure : {"MD", "SMD", "ROM"}
    m1i, m2i, sd1i, sd2i, n1i, n2i : array_like
        Means, standard deviations and sizes of group 1 (treatment) and group 2.
    vtype : str
        ``"LS"`` (default); MD also ``"HO"``/``"UB"``; SMD also ``"UB"``/``"LS2"``; ROM also ``"HO"``.

    Returns
    -------
    EffectSizes
    """
    measure = measure.upper()
    cols = _cols(m1i=m1i, m2i=m2i, sd1i=sd1i, sd2i=sd2i, n1i=n1i, n2i=n2i)
    m1, m2, s1, s2, n1, n2 = _need(cols, ("m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i"), measure)
    _check((s1 < 0) | (s2 < 0), "standard deviations are negative", "sd1i")
    _check((n1 <= 0) | (n2 <= 0), "group sizes are <= 0", "n1i")
    mi = n1 + n2 - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        sdp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / mi)
        if measure == "MD":
            yi = m1 - m2
            if vtype in ("LS", "UB"):
                vi = s1**2 / n1 + s2**2 / n2
            elif vtype == "HO":
                vi = sdp**2 * (1 / n1 + 1 / n2)
            else:
                raise InputError(f"vtype for MD must be LS, UB or HO, not {vtype!r}", field="vtype")
        elif measure == "SMD":
            cmi = _cmi(mi)
            di = (m1 - m2) / sdp
            yi = cmi * di
            if vtype == "LS":
                vi = 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))
            elif vtype == "UB":
                vi = 1 / n1 + 1 / n2 + (1 - (mi - 2) / (mi * cmi**2)) * yi**2
            elif vtype == "LS2":
                vi = cmi**2 * (1 / n1 + 1 / n2 + di**2 / (2 * (n1 + n2)))
            else:
                raise InputError(f"vtype for SMD must be LS, UB or LS2, not {vtype!r}", field="vtype")
        elif measure == "ROM":
            _check((m1 / m2) <= 0, "ROM needs means of the same sign (positive ratio)", "m1i")
            yi = np.log(m1 / m2)
            if vtype == "LS":
                vi = s1**2 / (n1 * m1**2) + s2**2 / (n2 * m2**2)
            elif vtype == "HO":
                vi = sdp**2 / (n1 * m1**2) + sdp**2 / (n2 * m2**2)
            else:
                raise InputError(f"vtype for ROM must be LS or HO, not {vtype!r}", field="vtype")
        else:
            raise InputError(f"not a two-group continuous measure: {measure!r}", field="measure")
    yi, vi, notes = _metafor_na(yi, vi)
    return EffectSizes(measure, yi, vi, ni=n1 + n2, notes=notes)


def paired(
    measure: str,
    m1i: ArrayLike, m2i: ArrayLike, sd1i: ArrayLike, sd2i: ArrayLike | None, ni: ArrayLike, ri: ArrayLike,
    *, vtype: str = "LS",
) -> EffectSizes:
    """MC, SMCC or SMCR for paired data (pre-post, or both periods of a crossover).

    Parameters
    ----------
    measure : {"MC", "SMCC", "SMCR"}
    m1i, m2i : array_like
        Means at the first and second measurement (``yi`` is based on ``m1i - m2i``).
    sd1i, sd2i : array_like
        Their SDs (SMCR needs only ``sd1i``).
    ni : array_like
        Number of patients (pairs).
    ri : array_like
        Correlation between the two measurements; usually assumed (see
        :func:`across_correlations`).
    vtype : {"LS", "LS2"}

    Returns
    -------
    EffectSizes
    """
    measure = measure.upper()
    cols = _cols(m1i=m1i, m2i=m2i, sd1i=sd1i, sd2i=sd2i, ni=ni, ri=ri)
    names = ("m1i", "m2i", "sd1i", "ni", "ri") if measure == "SMCR" else ("m1i", "m2i", "sd1i", "sd2i", "ni", "ri")
    arrays = dict(zip(names, _need(cols, names, measure)))
    m1, m2, s1, n, r = arrays["m1i"], arrays["m2i"], arrays["sd1i"], arrays["ni"], arrays["ri"]
    _check(s1 < 0, "standard deviations are negative", "sd1i")
    _check(np.abs(r) > 1, "correlations are > 1 or < -1", "ri")
    _check(n <= 0, "sample sizes are <= 0", "ni")
    if vtype not in ("LS", "LS2") or (measure == "MC" and vtype != "LS"):
        raise InputError(f"vtype {vtype!r} not available for {measure}", field="vtype")
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure in ("MC", "SMCC"):
            s2 = arrays["sd2i"]
            _check(s2 < 0, "standard deviations are negative", "sd2i")
            var_d = s1**2 + s2**2 - 2 * r * s1 * s2
            if measure == "MC":
                yi, vi, notes = _metafor_na(m1 - m2, var_d / n)
                return EffectSizes("MC", yi, vi, ni=n, notes=notes)
            cmi = _cmi(n - 1)
            di = (m1 - m2) / np.sqrt(var_d)
            yi = cmi * di
            vi = 1 / n + yi**2 / (2 * n) if vtype == "LS" else cmi**2 * (1 / n + di**2 / (2 * n))
            yi, vi, notes = _metafor_na(yi, vi)
            return EffectSizes("SMCC", yi, vi, ni=n, notes=notes)
        if measure == "SMCR":
            cmi = _cmi(n - 1)
            di = (m1 - m2) / s1
            yi = cmi * di
            if vtype == "LS":
                vi = 2 * (1 - r) / n + yi**2 / (2 * n)
            else:
                vi = cmi**2 * (2 * (1 - r) / n + di**2 / (2 * n))
            yi, vi, notes = _metafor_na(yi, vi)
            return EffectSizes("SMCR", yi, vi, ni=n, notes=notes)
    raise InputError(f"not a paired measure: {measure!r}", field="measure")


def crossover(
    m_treat: ArrayLike, m_control: ArrayLike, sd_treat: ArrayLike, sd_control: ArrayLike, ni: ArrayLike,
    *, ri: ArrayLike = 0.5, measure: str = "MC",
) -> EffectSizes:
    """A crossover trial analysed as paired data with an assumed within-person correlation.

    Each patient is measured under treatment and under control, so the
    comparison is paired: ``yi`` = treatment − control (``MC``) or that
    difference standardised by the SD of the differences (``SMCC``).

    Parameters
    ----------
    m_treat, m_control, sd_treat, sd_control : array_like
        Period means and SDs under treatment and under control.
    ni : array_like
        Patients who completed both periods.
    ri : array_like
        Assumed within-person correlation (default 0.5; vary it with
        :func:`across_correlations`).
    measure : {"MC", "SMCC"}

    Returns
    -------
    EffectSizes
    """
    if measure.upper() not in ("MC", "SMCC"):
        raise InputError("crossover measure must be MC or SMCC", field="measure")
    return paired(measure, m_treat, m_control, sd_treat, sd_control, ni, ri)


@dataclass(frozen=True)
class CorrelationRun:
    """One assumed correlation, its effect sizes and the analysis of them."""

    ri: float
    effects: EffectSizes
    result: Any = None


@dataclass(frozen=True)
class CorrelationSensitivity:
    """The same analysis repeated across assumed correlations (see :func:`across_correlations`)."""

    runs: tuple[CorrelationRun, ...]

    def to_frame(self) -> pd.DataFrame:
        """Long table: ri, label, yi, vi (plus estimate/ci of the analysis when it has them)."""
        frames = []
        for run in self.runs:
            f = run.effects.to_frame()
            f.insert(0, "ri", run.ri)
            for attr in ("estimate", "ci_low", "ci_high"):
                if run.result is not None and hasattr(run.result, attr):
                    f[f"analysis_{attr}"] = getattr(run.result, attr)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)


def across_correlations(
    effect: Callable[[float], EffectSizes],
    ri_values: Iterable[float] = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8),
    analysis: Callable[[EffectSizes], Any] | None = None,
) -> CorrelationSensitivity:
    """Repeat an effect-size computation (and an analysis of it) across assumed correlations.

    Parameters
    ----------
    effect : callable
        ``effect(ri) -> EffectSizes``, e.g.
        ``lambda r: escalc("SMCC", m1i=..., m2i=..., sd1i=..., sd2i=..., ni=..., ri=r)``.
    ri_values : iterable of float
        Correlations to try (each in [-1, 1]).
    analysis : callable, optional
        ``analysis(effects) -> result``, e.g.
        ``lambda es: evsynth.meta.fit(es.yi, es.vi)``.

    Returns
    -------
    CorrelationSensitivity
    """
    runs = []
    for r in ri_values:
        r = float(r)
        if not -1 <= r <= 1:
            raise InputError(f"correlation {r} outside [-1, 1]", field="ri")
        es = effect(r)
        runs.append(CorrelationRun(r, es, analysis(es) if analysis is not None else None))
    return CorrelationSensitivity(tuple(runs))
