"""Single proportions (PR, PLO, PAS, PFT) and their back-transformations.

As metafor's ``escalc`` (``xi`` events of ``ni``):

* PR: ``xi/ni``, ``vi = p(1-p)/ni`` (``vtype="UB"``: ``/(ni-1)``).
* PLO: ``log(p/(1-p))``, ``vi = 1/xi + 1/(ni-xi)``.
* PAS: ``asin(√p)``, ``vi = 1/(4 ni)``.
* PFT: Freeman–Tukey double arcsine
  ``½ [asin √(xi/(ni+1)) + asin √((xi+1)/(ni+1))]``, ``vi = 1/(4 ni + 2)``.

PR and PLO get metafor's continuity correction (``add=1/2`` to ``xi`` and
``ni - xi`` where either is 0); PAS and PFT need none (metafor's default ``add=0``).
Back-transformations mirror metafor's ``transf.*`` functions.
"""

from __future__ import annotations

import numpy as np

from ._core import ArrayLike, EffectSizes, _arr, _check, _metafor_na
from ..errors import InputError


def proportion(
    measure: str,
    xi: ArrayLike,
    ni: ArrayLike | None = None,
    *,
    mi: ArrayLike | None = None,
    add: float | None = None,
    to: str = "only0",
    vtype: str = "LS",
) -> EffectSizes:
    """PR, PLO, PAS or PFT from event counts.

    Parameters
    ----------
    measure : {"PR", "PLO", "PAS", "PFT"}
    xi : array_like
        Events (e.g. responders).
    ni : array_like, optional
        Totals; or give ``mi`` (non-events).
    add : float, optional
        Continuity correction; default 1/2 for PR and PLO, 0 for PAS and PFT (metafor).
    to : {"only0", "all", "if0all", "none"}
    vtype : {"LS", "UB"}
        Variance of PR.

    Returns
    -------
    EffectSizes
        ``ni`` holds the uncorrected totals (for :func:`transf_ipft_hm`).
    """
    measure = measure.upper()
    if measure not in ("PR", "PLO", "PAS", "PFT"):
        raise InputError(f"not a proportion measure: {measure!r}", field="measure")
    x = _arr(xi, "xi")
    n, m = _arr(ni, "ni"), _arr(mi, "mi")
    if x is None:
        raise InputError("proportions need xi (events)", field="xi")
    if m is None:
        if n is None:
            raise InputError("give ni or mi", field="ni")
        try:
            x, n = np.broadcast_arrays(x, n)
        except ValueError:
            raise InputError("xi and ni differ in length", field="ni") from None
        m = n - x
    else:
        x, m = np.broadcast_arrays(x, m)
        if n is not None:
            _check(~np.isclose(n, x + m), "ni is not xi + mi", "ni")
    x, m = x.astype(float), m.astype(float)
    _check(x < 0, "event counts are negative", "xi")
    _check(m < 0, "events exceed the total (xi > ni)", "xi")
    _check(x + m <= 0, "totals are <= 0", "ni")
    n_u = x + m
    if add is None:
        add = 0.0 if measure in ("PAS", "PFT") else 0.5
    if to not in ("only0", "all", "if0all", "none"):
        raise InputError(f"to must be only0, all, if0all or none, not {to!r}", field="to")
    notes: list[str] = []
    if to == "all":
        mask = np.ones_like(x, dtype=bool)
    elif to == "none":
        mask = np.zeros_like(x, dtype=bool)
    else:
        id0 = (x == 0) | (m == 0)
        mask = id0 if to == "only0" else np.full_like(x, id0.any(), dtype=bool)
    if add and mask.any():
        x, m = x + add * mask, m + add * mask
        notes.append(f"added {add:g} to events and non-events of {int(mask.sum())} row(s) (to={to!r})")
    n = x + m
    p = x / n
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "PR":
            yi = p
            if vtype == "LS":
                vi = p * (1 - p) / n
            elif vtype == "UB":
                vi = p * (1 - p) / (n - 1)
            else:
                raise InputError(f"vtype for PR must be LS or UB, not {vtype!r}", field="vtype")
        elif measure == "PLO":
            yi = np.log(p / (1 - p))
            vi = 1 / x + 1 / m
        elif measure == "PAS":
            yi = np.arcsin(np.sqrt(p))
            vi = 1 / (4 * n)
        else:
            yi = 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))
            vi = 1 / (4 * n + 2)
    yi, vi, notes_t = _metafor_na(yi, vi, notes)
    return EffectSizes(measure, yi, vi, ni=n_u, notes=notes_t)


# --- back-transformations (metafor's transf.*) ----------------------------------------------


def transf_logit(p: ArrayLike) -> np.ndarray:
    """``log(p / (1 - p))``."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore"):
        return np.log(p / (1 - p))


def transf_ilogit(x: ArrayLike) -> np.ndarray:
    """Inverse logit, ``1 / (1 + exp(-x))`` (metafor's ``transf.ilogit``)."""
    from scipy.special import expit

    return expit(np.asarray(x, dtype=float))


def transf_arcsin(p: ArrayLike) -> np.ndarray:
    """``asin(√p)``."""
    return np.arcsin(np.sqrt(np.asarray(p, dtype=float)))


def transf_iarcsin(x: ArrayLike) -> np.ndarray:
    """Inverse of :func:`transf_arcsin`, ``sin(x)²`` (metafor's ``transf.iarcsin``)."""
    x = np.asarray(x, dtype=float)
    out = np.sin(x) ** 2
    out = np.where(x < 0, 0.0, out)
    return np.where(x > np.pi / 2, 1.0, out)


def transf_pft(p: ArrayLike, ni: ArrayLike) -> np.ndarray:
    """Freeman–Tukey double arcsine of a proportion ``p`` with total ``ni``."""
    p, ni = np.asarray(p, dtype=float), np.asarray(ni, dtype=float)
    x = p * ni
    return 0.5 * (np.arcsin(np.sqrt(x / (ni + 1))) + np.arcsin(np.sqrt((x + 1) / (ni + 1))))


def transf_ipft(x: ArrayLike, ni: ArrayLike) -> np.ndarray:
    """Inverse Freeman–Tukey transformation (Miller 1978), as metafor's ``transf.ipft``."""
    x, ni = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(ni, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sin(2 * x)
        z = 0.5 * (1 - np.sign(np.cos(2 * x)) * np.sqrt(1 - (s + (s - 1 / s) / ni) ** 2))
    z = np.where(np.isnan(z), np.nan, z)
    z = np.where(x > transf_pft(1.0, ni), 1.0, z)
    return np.where(x < transf_pft(0.0, ni), 0.0, z)


def transf_ipft_hm(x: ArrayLike, ni: ArrayLike) -> np.ndarray:
    """Inverse Freeman–Tukey with the harmonic mean of the ``ni`` (metafor's ``transf.ipft.hm``).

    Used to back-transform a pooled PFT estimate (and its CI), for which no
    single ``n`` exists.
    """
    ni = np.asarray(ni, dtype=float)
    nhm = 1 / np.nanmean(1 / ni)
    return transf_ipft(x, np.full(np.shape(np.asarray(x)), nhm))


def back_transform(measure: str, x: ArrayLike, ni: ArrayLike | None = None) -> np.ndarray:
    """Back to the proportion scale for display: PLO → ilogit, PAS → iarcsin, PFT → ipft.hm.

    Parameters
    ----------
    measure : str
        ``PR``, ``PLO``, ``PAS`` or ``PFT`` (RR, OR, ROM: ``exp``; others unchanged).
    x : array_like
        Values on the measure's scale (effect sizes, a pooled estimate, CI limits).
    ni : array_like, optional
        Study totals, needed for PFT (harmonic mean).
    """
    measure = measure.upper()
    x = np.asarray(x, dtype=float)
    if measure == "PLO":
        return transf_ilogit(x)
    if measure == "PAS":
        return transf_iarcsin(x)
    if measure == "PFT":
        if ni is None:
            raise InputError("back-transforming PFT needs the study totals ni", field="ni")
        return transf_ipft_hm(x, ni)
    if measure in ("RR", "OR", "ROM"):
        return np.exp(x)
    return x
