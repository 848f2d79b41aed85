"""The effect-size result type and small array helpers shared by the measures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError

ArrayLike = Any  # scalars, sequences or numpy arrays of numbers

#: Measures :func:`~evsynth.effects.escalc` knows, by family.
BINARY_MEASURES = ("RR", "OR", "RD")
CONTINUOUS_MEASURES = ("MD", "SMD", "ROM")
PAIRED_MEASURES = ("MC", "SMCC", "SMCR")
PROPORTION_MEASURES = ("PR", "PLO", "PAS", "PFT")
GIVEN_MEASURES = ("GEN",)
MEASURES = BINARY_MEASURES + CONTINUOUS_MEASURES + PAIRED_MEASURES + PROPORTION_MEASURES + GIVEN_MEASURES


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class EffectSizes:
    """Observed effect sizes and their sampling variances (metafor's ``yi``/``vi``).

    Parameters
    ----------
    measure : str
        metafor's name of the measure (``"SMD"``, ``"PLO"``, ``"RR"``, ...).
    yi : ndarray
        Effect sizes (log scale for RR, OR, ROM; logit for PLO; ...).
    vi : ndarray
        Sampling variances.
    labels : tuple of str
        One label per row (study labels), or empty.
    study_ids, outcome_ids : tuple of str
        Where each row came from, when made from an :class:`~evsynth.extraction.Extraction`.
    ni : ndarray or None
        Total sample size per row, when known (needed by :func:`transf_ipft_hm`).
    notes : tuple of str
        What was done to the inputs (continuity corrections, dropped rows, ...).
    """

    measure: str
    yi: np.ndarray
    vi: np.ndarray
    labels: tuple[str, ...] = ()
    study_ids: tuple[str, ...] = ()
    outcome_ids: tuple[str, ...] = ()
    ni: np.ndarray | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        yi = _readonly(np.atleast_1d(self.yi))
        vi = _readonly(np.atleast_1d(self.vi))
        if yi.shape != vi.shape or yi.ndim != 1:
            raise ValueError(f"yi and vi must be 1-d of equal length, got {yi.shape} and {vi.shape}")
        object.__setattr__(self, "yi", yi)
        object.__setattr__(self, "vi", vi)
        if self.ni is not None:
            object.__setattr__(self, "ni", _readonly(np.atleast_1d(self.ni)))
        for name in ("labels", "study_ids", "outcome_ids"):
            value = tuple(str(v) for v in getattr(self, name))
            if value and len(value) != len(yi):
                raise ValueError(f"{name} has {len(value)} entries for {len(yi)} effect sizes")
            object.__setattr__(self, name, value)
        object.__setattr__(self, "notes", tuple(self.notes))

    def __len__(self) -> int:
        return int(self.yi.shape[0])

    @property
    def sei(self) -> np.ndarray:
        """Standard errors, ``sqrt(vi)``."""
        return np.sqrt(self.vi)

    def ci(self, level: float = 95.0) -> tuple[np.ndarray, np.ndarray]:
        """Wald confidence limits ``yi ± z * sei`` on the measure's own scale."""
        z = stats.norm.ppf(1 - (1 - level / 100) / 2)
        return self.yi - z * self.sei, self.yi + z * self.sei

    def to_frame(self, level: float = 95.0) -> pd.DataFrame:
        """One row per effect size: label, ids, yi, vi, sei, ci_lb, ci_ub (and ni)."""
        lo, hi = self.ci(level)
        n = len(self)
        data: dict[str, Any] = {
            "label": list(self.labels) if self.labels else [f"{i + 1}" for i in range(n)],
        }
        if self.study_ids:
            data["study_id"] = list(self.study_ids)
        if self.outcome_ids:
            data["outcome_id"] = list(self.outcome_ids)
        data.update({"measure": [self.measure] * n, "yi": self.yi, "vi": self.vi, "sei": self.sei,
                     "ci_lb": lo, "ci_ub": hi})
        if self.ni is not None:
            data["ni"] = self.ni
        return pd.DataFrame(data)


def _arr(x: ArrayLike | None, name: str) -> np.ndarray | None:
    """Float 1-d array of ``x`` (None stays None); non-numbers raise :class:`InputError`."""
    if x is None:
        return None
    try:
        a = np.atleast_1d(np.asarray(x, dtype=float))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric ({exc})", field=name) from None
    if a.ndim != 1:
        raise InputError(f"{name} must be one-dimensional", field=name)
    return a


def _need(columns: dict[str, np.ndarray | None], names: Sequence[str], measure: str) -> list[np.ndarray]:
    """The named columns, broadcast to one length; missing ones raise :class:`InputError`."""
    missing = [n for n in names if columns.get(n) is None]
    if missing:
        raise InputError(f"measure {measure} needs {', '.join(names)}; missing: {', '.join(missing)}",
                         field=missing[0])
    arrays = [columns[n] for n in names]
    try:
        return list(np.broadcast_arrays(*arrays))
    except ValueError:
        lengths = {n: len(a) for n, a in zip(names, arrays)}
        raise InputError(f"columns differ in length: {lengths}", field=names[0]) from None


def _check(condition: np.ndarray, message: str, name: str) -> None:
    """Raise :class:`InputError` naming the 1-based rows where ``condition`` holds."""
    bad = np.flatnonzero(np.asarray(condition, dtype=bool))
    if bad.size:
        rows = ", ".join(str(i + 1) for i in bad[:10])
        raise InputError(f"{message} (row(s) {rows})", field=name)


def _metafor_na(yi: ArrayLike, vi: ArrayLike, notes: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray,
                                                                                  tuple[str, ...]]:
    """What metafor's ``escalc`` does last: ±Inf or NaN in ``yi`` or ``vi`` makes both NA (NaN), and
    a negative ``vi`` becomes NA; a note names the rows recoded from ±Inf."""
    y, v = np.broadcast_arrays(np.asarray(yi, dtype=float), np.asarray(vi, dtype=float))
    y, v = y.copy(), v.copy()  # writable copies: the caller's arrays stay as they were
    inf = np.isinf(y) | np.isinf(v)
    out = list(notes)
    if inf.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(inf)[:10])
        out.append(f"yi or vi is ±Inf in row(s) {rows} (e.g. a zero cell without continuity correction); "
                   "recoded to NA as metafor's escalc does")
    bad = inf | np.isnan(y) | np.isnan(v)
    y[bad] = np.nan
    v[bad] = np.nan
    with np.errstate(invalid="ignore"):
        v[v < 0] = np.nan
    return y, v, tuple(out)


def _cmi(mi: np.ndarray) -> np.ndarray:
    """Exact small-sample correction of Hedges' g, ``Γ(m/2) / (√(m/2) Γ((m-1)/2))``.

    NaN where ``mi <= 1`` (as metafor's ``.cmicalc``).
    """
    from scipy.special import gammaln

    mi = np.asarray(mi, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.exp(gammaln(mi / 2) - np.log(np.sqrt(mi / 2)) - gammaln((mi - 1) / 2))
    return np.where(mi <= 1, np.nan, out)
