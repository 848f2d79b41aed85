"""A meta-analysis from a CSV table with metafor's column names (what ``evsynth meta`` runs).

Columns by measure (metafor's ``escalc`` names): ``yi, vi`` (GEN); ``m1i, sd1i, n1i, m2i,
sd2i, n2i`` (MD, SMD); ``ai, bi, ci, di`` (RR, OR, RD); ``xi, ni`` (PLO, PR, PFT). An optional
``study`` column labels the rows; moderator columns are named on the command line. Effect
sizes come from :func:`evsynth.effects.escalc` (metafor's defaults: ``add=1/2``,
``to="only0"`` for 2×2 tables, exact Hedges correction for SMD).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError
from .models import MetaResult, fit

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


def read_effects_table(path: str | os.PathLike[str], measure: str, moderators: Sequence[str] = ()
                       ) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, list]]:
    """Read a CSV and compute ``(yi, vi, labels, moderators)``.

    Raises
    ------
    InputError
        Unreadable file, unknown measure, a missing column, a non-numeric or missing value,
        a variance ≤ 0 — naming file, row (the header is row 1) and column.
    """
    path = Path(path)
    m = measure.upper()
    if m not in COLUMNS:
        raise InputError(f"unknown measure {measure!r}; use one of {', '.join(COLUMNS)}", path=path,
                         field="measure")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the CSV: {exc}", path=path) from None
    frame.columns = [c.strip().lstrip("\ufeff") for c in frame.columns]
    if len(frame) == 0:
        raise InputError("no data rows", path=path)
    need = COLUMNS[m]
    missing = [c for c in (*need, *moderators) if c not in frame.columns]
    if missing:
        raise InputError(f"column(s) {', '.join(missing)} missing (measure {m} needs {', '.join(need)}); "
                         f"the file has {', '.join(frame.columns)}", path=path, field=missing[0])
    cols: dict[str, np.ndarray] = {}
    for c in need:
        raw = frame[c].str.strip()
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(num))
        if bad.size:
            i = int(bad[0])
            what = "missing" if raw.iloc[i] == "" else f"not a number ({raw.iloc[i]!r})"
            raise InputError(f"value is {what}", path=path, line=i + 2, field=c)
        cols[c] = num
    labels = (list(frame["study"].str.strip()) if "study" in frame.columns
              else [f"Study {i + 1}" for i in range(len(frame))])
    from ..effects import escalc

    try:
        es = escalc(m, **cols)
    except InputError as exc:
        raise InputError(exc.message, path=path, line=exc.line, field=exc.field) from None
    yi, vi = np.asarray(es.yi, dtype=float), np.asarray(es.vi, dtype=float)
    for name, arr in (("yi", yi), ("vi", vi)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise InputError(f"{name} cannot be computed for this row ({labels[bad[0]]})", path=path,
                             line=int(bad[0]) + 2, field=name if m == "GEN" else need[0])
    bad = np.flatnonzero(vi <= 0)
    if bad.size:
        i = int(bad[0])
        raise InputError(f"sampling variance is {vi[i]:g} for {labels[i]}; it must be > 0", path=path, line=i + 2,
                         field="vi" if m == "GEN" else ", ".join(need))
    mods: dict[str, list] = {}
    for c in moderators:
        raw = frame[c].str.strip()
        if (raw == "").any():
            i = int(np.flatnonzero((raw == "").to_numpy())[0])
            raise InputError("moderator value is missing", path=path, line=i + 2, field=c)
        num = pd.to_numeric(raw, errors="coerce")
        mods[c] = list(num.to_numpy(dtype=float)) if num.notna().all() else list(raw)
    return yi, vi, labels, mods


def meta_from_csv(
    path: str | os.PathLike[str],
    *,
    measure: str = "GEN",
    method: str = "REML",
    knha: bool = False,
    moderators: Sequence[str] = (),
    level: float = 95.0,
) -> MetaResult:
    """Read a CSV table (metafor's column names), compute effect sizes and fit.

    Returns
    -------
    MetaResult
    """
    yi, vi, labels, mods = read_effects_table(path, measure, moderators)
    try:
        return fit(yi, vi, method=method, knha=knha, moderators=mods or None, labels=labels,
                   measure=measure.upper(), level=level)
    except InputError as exc:
        raise InputError(exc.message, path=path, line=exc.line, field=exc.field) from None
