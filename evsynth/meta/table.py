"""A meta-analysis from a CSV table with metafor's column names (what ``evsynth meta`` runs).

Columns by measure (metafor's ``escalc`` names): ``yi, vi`` (GEN); ``m1i, sd1i, n1i, m2i,
sd2i, n2i`` (MD, SMD); ``ai, bi, ci, di`` (RR, OR, RD); ``xi, ni`` (PLO, PR, PFT). An optional
``study`` column labels the rows; moderator columns are named on the command line. Effect
sizes come from :func:`evsynth.effects.escalc` (metafor's defaults: ``add=1/2``,
``to="only0"`` for 2×2 tables, exact Hedges correction for SMD).

Missing values — an empty cell, ``NA`` or ``NaN`` (R's ``read.csv`` reads all three as NA) in
an outcome or moderator column, or an effect size that cannot be computed (metafor's ``escalc``
gives NA, e.g. SMD with n1i + n2i ≤ 3) — leave the row out of the analysis, as ``rma()`` does
(``na.action = "na.omit"``); the result's ``warnings`` name every row left out (file line,
study, column). ``missing="error"`` makes them an :class:`~evsynth.errors.InputError` instead.
Factor levels of a text moderator are taken from all rows with a value (R's ``model.frame``
before the rows are dropped), so the reference level is R's. A value that is present but not a
number, and a sampling variance ≤ 0 in a row that is analysed, stay input errors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .._csvread import read_csv_file
from ..errors import InputError
from .models import MetaResult, fit
from .regression import expand_moderator

__all__ = ["COLUMNS", "read_effects_table", "meta_from_csv"]

#: Input columns of each measure the ``meta`` command takes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "GEN": ("yi", "vi"),
    "MD": ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
    "SMD": ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
    "RR": ("ai", "bi", "ci", "di"),
    "OR": ("ai", "bi", "ci", "di"),
    "RD": ("ai", "bi", "ci", "di"),
    "PLO": ("xi", "ni"),
    "PR": ("xi", "ni"),
    "PFT": ("xi", "ni"),
}


#: Cells read as missing (R's ``read.csv``: ``na.strings = "NA"``, and an empty numeric field).
MISSING = ("", "NA", "NaN")


@dataclass
class _Table:
    yi: np.ndarray
    vi: np.ndarray
    labels: list[str]
    raw_mods: dict[str, list]
    design: dict[str, list]
    notes: list[str]


def _read(path: Path, measure: str, moderators: Sequence[str], missing: str) -> _Table:
    m = measure.upper()
    if m not in COLUMNS:
        raise InputError(f"unknown measure {measure!r}; use one of {', '.join(COLUMNS)}", path=path,
                         field="measure")
    if missing not in ("omit", "error"):
        raise InputError(f"missing must be 'omit' or 'error', not {missing!r}", field="missing")
    # the shared strict reader: UTF-8, quotes closed, one-line cells, every row as wide as the header
    table = read_csv_file(path, skipinitialspace=True)
    table.raise_first()
    if not table.header:
        raise InputError("the file is empty", path=path, line=1)
    if not table.rows:
        raise InputError("no data rows", path=path, line=1)
    frame = pd.DataFrame([row.cells for row in table.rows], columns=[c.strip() for c in table.header], dtype=str)
    line = [row.line for row in table.rows]  # file line of each row (the header is line 1)
    twice = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if twice:
        raise InputError("column named more than once in the header", path=path, line=1, field=twice[0])
    need = COLUMNS[m]
    absent = [c for c in (*need, *moderators) if c not in frame.columns]
    if absent:
        raise InputError(f"column(s) {', '.join(absent)} missing (measure {m} needs {', '.join(need)}); "
                         f"the file has {', '.join(frame.columns)}", path=path, field=absent[0])
    n = len(frame)
    labels = (list(frame["study"].str.strip()) if "study" in frame.columns
              else [f"Study {i + 1}" for i in range(n)])
    why: dict[int, list[str]] = {}  # row -> reasons it is left out

    def miss(i: int, c: str, what: str = "value") -> None:
        if missing == "error":
            raise InputError(f"{what} is missing", path=path, line=line[i], field=c)
        why.setdefault(i, []).append(f"{c} missing")

    cols: dict[str, np.ndarray] = {}
    for c in need:
        raw = frame[c].str.strip()
        isna = raw.isin(MISSING).to_numpy()
        num = pd.to_numeric(raw.where(~isna, "nan"), errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(num) & ~isna)
        if bad.size:
            i = int(bad[0])
            raise InputError(f"value is not a number ({raw.iloc[i]!r})", path=path, line=line[i], field=c)
        for i in np.flatnonzero(isna):
            miss(int(i), c)
        cols[c] = num
    from ..effects import escalc

    if m == "GEN":  # given values; a variance <= 0 is checked below, on the rows analysed
        yi, vi = cols["yi"].copy(), cols["vi"].copy()
    else:
        try:
            es = escalc(m, **cols)
        except InputError as exc:
            raise InputError(exc.message, path=path, line=exc.line, field=exc.field) from None
        yi, vi = np.array(es.yi, dtype=float), np.array(es.vi, dtype=float)
    field = "yi" if m == "GEN" else ", ".join(need)
    for i in np.flatnonzero(np.isnan(yi) | np.isnan(vi)):
        if int(i) in why:
            continue
        reason = f"escalc gives NA for {m} from these values"
        if m == "SMD":
            reason += " (needs n1i + n2i > 3 and a pooled SD > 0)"
        if missing == "error":
            raise InputError(f"the effect size cannot be computed for this row ({labels[i]}): {reason}", path=path,
                             line=line[int(i)], field=field)
        why.setdefault(int(i), []).append(reason)
    raw_mods: dict[str, list] = {}
    design: dict[str, list] = {}
    notes: list[str] = []
    for c in moderators:
        raw = frame[c].str.strip()
        vals = [None if t in MISSING else t for t in raw]
        for i in (i for i, t in enumerate(vals) if t is None):
            miss(i, c, "moderator value")
        try:
            raw_mods[c] = list(np.asarray(vals, dtype=float))
        except ValueError:
            raw_mods[c] = vals
        try:
            dcols, dnames, dnotes = expand_moderator(c, raw_mods[c], missing_ok=True)
        except InputError as exc:
            raise InputError(exc.message, path=path, field=c) from None
        notes += dnotes
        for name, col in zip(dnames, dcols):
            design[name] = list(col)
    keep = np.array([i not in why for i in range(n)])
    if why:
        rows = "; ".join(f"line {line[i]} ({labels[i]}): {', '.join(why[i])}" for i in sorted(why))
        notes.insert(0, f"{len(why)} row(s) with missing values left out of the analysis, as metafor does "
                        f"(na.omit): {rows}")
    if not keep.any():
        raise InputError("no row is left to analyse: every row has a missing value", path=path)
    idx = np.flatnonzero(keep)
    inf = [i for i in idx if np.isinf(yi[i]) or np.isinf(vi[i])]
    if inf:
        i = int(inf[0])
        raise InputError(f"the effect size of this row ({labels[i]}) is infinite", path=path, line=line[i], field=field)
    bad = [i for i in idx if vi[i] <= 0]
    if bad:
        i = int(bad[0])
        raise InputError(f"sampling variance is {vi[i]:g} for {labels[i]}; it must be > 0", path=path, line=line[i],
                         field="vi" if m == "GEN" else field)
    return _Table(yi[idx], vi[idx], [labels[i] for i in idx], {c: [v[i] for i in idx] for c, v in raw_mods.items()},
                  {c: [v[i] for i in idx] for c, v in design.items()}, notes)


def read_effects_table(path: str | os.PathLike[str], measure: str, moderators: Sequence[str] = (), *,
                       missing: str = "omit") -> tuple[np.ndarray, np.ndarray, list[str], dict[str, list]]:
    """Read a CSV and compute ``(yi, vi, labels, moderators)`` of the rows that are analysed.

    Parameters
    ----------
    missing : {"omit", "error"}
        Rows with a missing value (empty, ``NA``, ``NaN``) or an effect size that cannot be
        computed are left out (``"omit"``, metafor's ``na.omit``) or raise (``"error"``).

    Raises
    ------
    InputError
        Unreadable file, unknown measure, a missing column, a non-numeric value, a variance
        ≤ 0, no row left — naming file, row (the header is row 1) and column.
    """
    t = _read(Path(path), measure, moderators, missing)
    return t.yi, t.vi, t.labels, t.raw_mods


def meta_from_csv(
    path: str | os.PathLike[str],
    *,
    measure: str = "GEN",
    method: str = "REML",
    knha: bool = False,
    moderators: Sequence[str] = (),
    level: float = 95.0,
    missing: str = "omit",
    **control: float,
) -> MetaResult:
    """Read a CSV table (metafor's column names), compute effect sizes and fit.

    Rows with missing values are left out as metafor does (``missing="omit"``, named in the
    result's ``warnings``) or raise (``missing="error"``). ``control`` (``threshold``,
    ``maxiter``, ``tol``) is passed to :func:`evsynth.meta.fit`.

    Returns
    -------
    MetaResult
    """
    path = Path(path)
    t = _read(path, measure, moderators, missing)
    try:
        res = fit(t.yi, t.vi, method=method, knha=knha, moderators=t.design or None, labels=t.labels,
                  measure=measure.upper(), level=level, **control)
    except InputError as exc:
        raise InputError(exc.message, path=path, line=exc.line, field=exc.field) from None
    if t.notes:
        res = replace(res, warnings=(*t.notes, *res.warnings))
    return res
