"""Large k: the τ² standard errors use traces of metafor's k×k matrices computed in O(k) memory."""

from __future__ import annotations

import numpy as np
import pytest

from evsynth.meta import _estimators as est


def _explicit(w: np.ndarray, X: np.ndarray, v: np.ndarray) -> dict[str, float]:
    """metafor's formulas with the k×k matrices formed (small k only)."""
    W, V = np.diag(w), np.diag(v)
    P = W - W @ X @ np.linalg.inv(X.T @ W @ X) @ X.T @ W
    PV = P @ V
    return {"P": np.trace(P), "PP": np.sum(P * P), "PV": np.trace(PV), "PVPV": np.sum(PV * PV.T),
            "VPP": np.sum(PV * P)}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [1, 2, 4])
def test_traces_equal_the_matrix_formulas(seed: int, p: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(p + 2, 40))
    X = np.column_stack([np.ones(k), *(rng.normal(size=k) for _ in range(p - 1))])
    w, v = rng.uniform(0.1, 20, k), rng.uniform(0.01, 2, k)
    fast, slow = est._p_traces(w, X, v), _explicit(w, X, v)
    assert fast.keys() == slow.keys()
    for key in fast:
        assert fast[key] == pytest.approx(slow[key], rel=1e-10), key


def test_se_tau2_at_large_k_needs_no_k_by_k_matrix() -> None:
    import tracemalloc

    rng = np.random.default_rng(0)
    k = 20_000
    y, v = rng.normal(0.3, 0.3, k), rng.uniform(0.01, 0.2, k)
    X = np.column_stack([np.ones(k), rng.normal(size=k)])
    tracemalloc.start()
    try:
        for method in ("REML", "DL", "HE", "HS", "SJ"):
            assert np.isfinite(est.se_tau2(method, y, v, X, 0.05, 0.1))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * k * k / 100  # a k×k float matrix would be 3.2 GB; this is a few arrays of k
