"""Two-group binary outcomes: log risk ratio (RR), log odds ratio (OR), risk difference (RD).

Cells follow metafor: ``ai``/``bi`` events/non-events in group 1, ``ci``/``di`` in
group 2 (``bi``/``di`` may be given as group sizes ``n1i``/``n2i`` instead).
Zero cells get metafor's continuity correction: ``add=1/2`` to all four cells of
the studies with a zero cell (``to="only0"``); ``to`` may also be ``"all"``,
``"if0all"`` or ``"none"``, and ``drop00=True`` sets studies without events (or
without non-events) in both groups to NaN.
"""

from __future__ import annotations

import numpy as np

from ._core import ArrayLike, EffectSizes, _arr, _check, _metafor_na
from ..errors import InputError

_TO = ("only0", "all", "if0all", "none")


def _cells(
    ai: ArrayLike, bi: ArrayLike | None, ci: ArrayLike, di: ArrayLike | None,
    n1i: ArrayLike | None, n2i: ArrayLike | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    a, c = _arr(ai, "ai"), _arr(ci, "ci")
    b, d = _arr(bi, "bi"), _arr(di, "di")
    n1, n2 = _arr(n1i, "n1i"), _arr(n2i, "n2i")
    if a is None or c is None:
        raise InputError("binary measures need ai and ci (events in each group)", field="ai" if a is None else "ci")
    if b is None:
        if n1 is None:
            raise InputError("give bi or n1i", field="bi")
        b = n1 - a
    elif n1 is not None:
        _check(~np.isclose(n1, a + b) & ~np.isnan(n1), "n1i is not ai + bi", "n1i")
    if d is None:
        if n2 is None:
            raise InputError("give di or n2i", field="di")
        d = n2 - c
    elif n2 is not None:
        _check(~np.isclose(n2, c + d) & ~np.isnan(n2), "n2i is not ci + di", "n2i")
    try:
        a, b, c, d = np.broadcast_arrays(a, b, c, d)
    except ValueError:
        raise InputError("ai, bi, ci, di differ in length", field="ai") from None
    _check((a < 0) | (c < 0), "event counts are negative", "ai")
    _check(b < 0, "events exceed the group size (ai > n1i)", "ai")
    _check(d < 0, "events exceed the group size (ci > n2i)", "ci")
    return a.astype(float), b.astype(float), c.astype(float), d.astype(float)


def _correct(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray, add: float, to: str, drop00: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    if to not in _TO:
        raise InputError(f"to must be one of {', '.join(_TO)}, not {to!r}", field="to")
    notes: list[str] = []
    a, b, c, d = (x.copy() for x in (a, b, c, d))
    if drop00:
        id00 = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
        for x in (a, b, c, d):
            x[id00] = np.nan
        if id00.any():
            notes.append(f"drop00: {int(id00.sum())} row(s) without events (or non-events) in both groups set to NaN")
    if to == "all":
        mask = np.ones_like(a, dtype=bool)
    else:
        id0 = (a == 0) | (b == 0) | (c == 0) | (d == 0)
        mask = id0 if to == "only0" else (np.full_like(a, id0.any(), dtype=bool) if to == "if0all"
                                           else np.zeros_like(a, dtype=bool))
    if add and mask.any():
        for x in (a, b, c, d):
            x[mask] += add
        notes.append(f"added {add:g} to each cell of {int(mask.sum())} row(s) (to={to!r})")
    return a, b, c, d, tuple(notes)


def two_by_two(
    measure: str,
    ai: ArrayLike,
    ci: ArrayLike,
    *,
    bi: ArrayLike | None = None,
    di: ArrayLike | None = None,
    n1i: ArrayLike | None = None,
    n2i: ArrayLike | None = None,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool = False,
    vtype: str = "LS",
) -> EffectSizes:
    """RR, OR or RD from 2×2 tables, as metafor's ``escalc``.

    Parameters
    ----------
    measure : {"RR", "OR", "RD"}
    ai, ci : array_like
        Events in group 1 (treatment) and group 2 (control).
    bi, di : array_like, optional
        Non-events; or give ``n1i``/``n2i``.
    n1i, n2i : array_like, optional
        Group sizes.
    add, to, drop00
        Continuity correction (metafor's defaults: 1/2 to the cells of tables with a zero).
    vtype : {"LS", "UB"}
        Variance of RD: large-sample (``p(1-p)/n``) or unbiased (``p(1-p)/(n-1)``).

    Returns
    -------
    EffectSizes
        ``yi`` = log RR, log OR or RD; ``vi`` its large-sample variance.
    """
    measure = measure.upper()
    a, b, c, d = _cells(ai, bi, ci, di, n1i, n2i)
    n_total = a + b + c + d
    a, b, c, d, notes = _correct(a, b, c, d, add, to, drop00)
    n1, n2 = a + b, c + d
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = a / n1, c / n2
        if measure == "RR":
            yi = np.log(p1) - np.log(p2)
            vi = 1 / a - 1 / n1 + 1 / c - 1 / n2
        elif measure == "OR":
            yi = np.log(p1 / (1 - p1)) - np.log(p2 / (1 - p2))
            vi = 1 / a + 1 / b + 1 / c + 1 / d
        elif measure == "RD":
            yi = p1 - p2
            if vtype == "LS":
                vi = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
            elif vtype == "UB":
                vi = p1 * (1 - p1) / (n1 - 1) + p2 * (1 - p2) / (n2 - 1)
            else:
                raise InputError(f"vtype for RD must be LS or UB, not {vtype!r}", field="vtype")
        else:
            raise InputError(f"not a binary measure: {measure!r}", field="measure")
    yi, vi, notes = _metafor_na(yi, vi, notes)
    return EffectSizes(measure, yi, vi, ni=n_total, notes=notes)


def rr(ai: ArrayLike, ci: ArrayLike, **kwargs: object) -> EffectSizes:
    """Log risk ratio; see :func:`two_by_two`."""
    return two_by_two("RR", ai, ci, **kwargs)  # type: ignore[arg-type]


def odds_ratio(ai: ArrayLike, ci: ArrayLike, **kwargs: object) -> EffectSizes:
    """Log odds ratio; see :func:`two_by_two`."""
    return two_by_two("OR", ai, ci, **kwargs)  # type: ignore[arg-type]


def rd(ai: ArrayLike, ci: ArrayLike, **kwargs: object) -> EffectSizes:
    """Risk difference; see :func:`two_by_two`."""
    return two_by_two("RD", ai, ci, **kwargs)  # type: ignore[arg-type]
