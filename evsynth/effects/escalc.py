"""``escalc(measure, **columns)``: one entry point with metafor's argument names."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ._core import BINARY_MEASURES, CONTINUOUS_MEASURES, MEASURES, PAIRED_MEASURES, PROPORTION_MEASURES
from ._core import ArrayLike, EffectSizes, _arr, _need
from .binary import two_by_two
from .continuous import paired, two_group_continuous
from .proportions import proportion
from ..errors import InputError

_ALLOWED = {
    **{m: {"ai", "bi", "ci", "di", "n1i", "n2i"} for m in BINARY_MEASURES},
    **{m: {"m1i", "m2i", "sd1i", "sd2i", "n1i", "n2i"} for m in CONTINUOUS_MEASURES},
    **{m: {"m1i", "m2i", "sd1i", "sd2i", "ni", "ri"} for m in PAIRED_MEASURES},
    **{m: {"xi", "mi", "ni"} for m in PROPORTION_MEASURES},
    "GEN": {"yi", "vi", "sei", "ni"},
}


def _column(data: Any, value: Any, argument: str) -> Any:
    """``data[value]`` when ``value`` is a column name, else ``value`` itself (an array)."""
    if not isinstance(value, str):
        return value
    try:
        names = list(data.keys())
    except AttributeError:
        raise InputError(f"data= must be a DataFrame or a mapping of columns, got {type(data).__name__}",
                         field="data") from None
    if value not in names:
        raise InputError(f"{argument}={value!r}: no such column in data (columns: {', '.join(map(str, names))})",
                         field=argument)
    column = data[value]
    return column.to_numpy() if hasattr(column, "to_numpy") else column


def gen(yi: ArrayLike, vi: ArrayLike | None = None, *, sei: ArrayLike | None = None,
        ni: ArrayLike | None = None) -> EffectSizes:
    """Effect sizes given directly (metafor's ``measure="GEN"``): ``yi`` with ``vi`` or ``sei``."""
    y = _arr(yi, "yi")
    v = _arr(vi, "vi")
    if v is None:
        s = _arr(sei, "sei")
        if s is None:
            raise InputError("GEN needs vi or sei", field="vi")
        v = s**2
    y, v = _need({"yi": y, "vi": v}, ("yi", "vi"), "GEN")
    if np.any(v < 0):
        raise InputError("sampling variances are negative", field="vi")
    return EffectSizes("GEN", y, v, ni=_arr(ni, "ni"))


def escalc(
    measure: str,
    *,
    add: float | None = None,
    to: str = "only0",
    drop00: bool = False,
    vtype: str = "LS",
    slab: Sequence[str] | str | None = None,
    data: Any = None,
    **columns: ArrayLike | str,
) -> EffectSizes:
    """Compute effect sizes and sampling variances like metafor's ``escalc``.

    Parameters
    ----------
    measure : str
        One of RR, OR, RD (2×2 tables: ``ai, bi, ci, di`` or ``ai, ci, n1i, n2i``);
        MD, SMD, ROM (``m1i, m2i, sd1i, sd2i, n1i, n2i``); MC, SMCC, SMCR
        (``m1i, m2i, sd1i, sd2i, ni, ri``); PR, PLO, PAS, PFT (``xi, ni`` or
        ``xi, mi``); GEN (``yi`` with ``vi`` or ``sei``).
    add, to, drop00 : optional
        Continuity correction as metafor (``add=1/2`` — 0 for PAS and PFT —,
        ``to="only0"``, ``drop00=False``).
    vtype : str
        Variance type (``"LS"`` default; see the measure's function for others).
    slab : sequence of str or str, optional
        Study labels (with ``data``: a column name, as metafor's ``slab=``).
    data : DataFrame or mapping, optional
        Where the columns are, as metafor's ``data=``: a string given for a column
        (``ai="tpos"``) names a column of ``data``.
    **columns : array_like or str
        The data, with metafor's argument names (arrays, or column names of ``data``).

    Returns
    -------
    EffectSizes
        ``yi`` and ``vi`` (``.to_frame()`` for a table, in the rows' order).

    Raises
    ------
    InputError
        Unknown measure, unknown or missing columns (or a column name not in
        ``data``), impossible values.

    Examples
    --------
    >>> import pandas as pd
    >>> bcg = pd.DataFrame({"trial": ["Aronson 1948", "Ferguson & Simes 1949"], "tpos": [4, 6],
    ...                     "tneg": [119, 300], "cpos": [11, 29], "cneg": [128, 274]})
    >>> es = escalc("RR", ai="tpos", bi="tneg", ci="cpos", di="cneg", data=bcg, slab="trial")
    >>> es.to_frame()[["label", "yi", "vi"]].round(4)
                       label      yi      vi
    0           Aronson 1948 -0.8893  0.3256
    1  Ferguson & Simes 1949 -1.5854  0.1946
    """
    if data is not None:
        columns = {k: _column(data, v, k) for k, v in columns.items()}
        if isinstance(slab, str):
            slab = _column(data, slab, "slab")
    elif isinstance(slab, str) or any(isinstance(v, str) for v in columns.values()):
        name = "slab" if isinstance(slab, str) else next(k for k, v in columns.items() if isinstance(v, str))
        raise InputError(f"{name} names a column, but no data= was given", field=name)
    m = measure.upper()
    if m not in MEASURES:
        raise InputError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}", field="measure")
    extra = set(columns) - _ALLOWED[m]
    if extra:
        raise InputError(f"measure {m} does not take {', '.join(sorted(extra))}", field=sorted(extra)[0])
    c = columns.get
    if m in BINARY_MEASURES:
        es = two_by_two(m, c("ai"), c("ci"), bi=c("bi"), di=c("di"), n1i=c("n1i"), n2i=c("n2i"),
                        add=0.5 if add is None else add, to=to, drop00=drop00, vtype=vtype)
    elif m in CONTINUOUS_MEASURES:
        es = two_group_continuous(m, c("m1i"), c("m2i"), c("sd1i"), c("sd2i"), c("n1i"), c("n2i"), vtype=vtype)
    elif m in PAIRED_MEASURES:
        es = paired(m, c("m1i"), c("m2i"), c("sd1i"), c("sd2i"), c("ni"), c("ri"), vtype=vtype)
    elif m in PROPORTION_MEASURES:
        es = proportion(m, c("xi"), c("ni"), mi=c("mi"), add=add, to=to, vtype=vtype)
    else:
        es = gen(c("yi"), c("vi"), sei=c("sei"), ni=c("ni"))
    if slab is not None:
        from dataclasses import replace

        es = replace(es, labels=tuple(str(s) for s in slab))
    return es
