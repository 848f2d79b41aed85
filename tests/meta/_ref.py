"""The metafor 3.8-1 reference data (``tests/reference/metafor/reference.json``) and a comparison helper."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np

REF_DIR = Path(__file__).resolve().parents[1] / "reference" / "metafor"
RTOL = 1e-6
ATOL = 1e-6


@functools.lru_cache(maxsize=1)
def reference() -> dict[str, Any]:
    """The parsed reference file."""
    return json.loads((REF_DIR / "reference.json").read_text(encoding="utf-8"))


def control() -> dict[str, float]:
    """The reference run's ``rma(control = ...)`` as :func:`evsynth.meta.fit` keywords (threshold, tol, maxiter)."""
    c = reference()["control"]
    return {"threshold": float(c["threshold"]), "tol": float(c["tol"]), "maxiter": int(c["maxiter"])}


def dataset(name: str) -> dict[str, Any]:
    return reference()["datasets"][name]


def arr(x: Any) -> np.ndarray:
    """A float array from JSON (null → NaN)."""
    if x is None:
        return np.array([np.nan])
    return np.array([np.nan if v is None else v for v in np.atleast_1d(np.asarray(x, dtype=object))], dtype=float)


def close(mine: Any, ref: Any, what: str = "") -> None:
    """Assert agreement at 1e-6 relative with an absolute floor of 1e-6 (NaN matches NaN)."""
    a = np.atleast_1d(np.asarray(mine, dtype=float))
    b = arr(ref)
    assert a.shape == b.shape, f"{what}: shape {a.shape} vs metafor {b.shape}"
    ok = np.isclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
    assert ok.all(), f"{what}: evsynth {a[~ok]} vs metafor {b[~ok]}"
