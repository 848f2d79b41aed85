"""Meta-regression: the design matrix from moderators, R² as metafor computes it.

A meta-regression is :func:`evsynth.meta.fit` with ``moderators``;
:func:`meta_regression` is the same call with the moderators required. The model
is metafor's ``rma(yi, vi, mods = ~ ...)``:

* the coefficients are named as metafor names them: ``"intrcpt"``, then the moderator
  names; a text (categorical) moderator ``alloc`` becomes treatment dummies
  ``allocrandom``, ``allocsystematic`` … against its first level in sorted order, as R's
  ``factor()`` does;
* ``qm`` is the omnibus test of all coefficients but the intercept (χ² on m df, or F on
  m and k − p df under Knapp–Hartung);
* ``r2`` is metafor's pseudo-R² in percent: ``max(0, 100·(τ²₀ − τ²)/τ²₀)`` with τ²₀ the
  τ² of the model without moderators fitted with the same estimator (0 when τ²₀ = 0); for
  the common-effect model the adjusted R² of the weighted least-squares regression.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import InputError

__all__ = ["design_matrix", "meta_regression", "pseudo_r2"]


def _is_numeric(values: Sequence[Any]) -> bool:
    try:
        np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def design_matrix(moderators: Any, k: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """The model matrix ``X`` (intercept first) and its column names.

    Parameters
    ----------
    moderators : None, array_like, mapping or DataFrame
        ``None`` (intercept only); a 1-d array (named ``"mods"``, as metafor names an
        unnamed vector); a 2-d array (columns ``"mods1"``, ``"mods2"`` …); a mapping or
        DataFrame of name → values. Text columns become treatment dummies.
    k : int
        Number of studies.

    Raises
    ------
    InputError
        Wrong length, missing values, or a constant moderator / collinear design.
    """
    names = ["intrcpt"]
    cols = [np.ones(k)]
    if moderators is None:
        return np.ones((k, 1)), ("intrcpt",)
    if hasattr(moderators, "columns"):  # DataFrame
        items = [(str(c), list(moderators[c])) for c in moderators.columns]
    elif hasattr(moderators, "name") and getattr(moderators, "ndim", 0) == 1:  # pandas Series
        items = [(str(moderators.name) if moderators.name is not None else "mods", list(moderators))]
    elif isinstance(moderators, Mapping):
        items = [(str(n), list(v)) for n, v in moderators.items()]
    else:
        arr = np.asarray(moderators, dtype=object)
        if arr.ndim == 1:
            items = [("mods", list(arr))]
        elif arr.ndim == 2:
            items = [(f"mods{j + 1}", list(arr[:, j])) for j in range(arr.shape[1])]
        else:
            raise InputError("moderators must be 1-d or 2-d", field="moderators")
    for name, values in items:
        if len(values) != k:
            raise InputError(f"moderator {name!r} has {len(values)} values for {k} studies", field=name)
        if _is_numeric(values):
            x = np.asarray(values, dtype=float)
            bad = np.flatnonzero(~np.isfinite(x))
            if bad.size:
                raise InputError(f"moderator {name!r} is missing or not finite in row {bad[0] + 1}", field=name)
            cols.append(x)
            names.append(name)
        else:
            text = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]
            if any(t is None or t == "" for t in text):
                raise InputError(f"moderator {name!r} has a missing value in row "
                                 f"{next(i for i, t in enumerate(text) if t in (None, '')) + 1}", field=name)
            levels = sorted(set(text))
            for lev in levels[1:]:
                cols.append(np.array([1.0 if t == lev else 0.0 for t in text]))
                names.append(f"{name}{lev}")
    X = np.column_stack(cols)
    ev = np.linalg.eigvalsh(X.T @ X)
    if np.any(ev <= 1e-7):  # metafor's evtol check on crossprod(X)
        raise InputError("model matrix not of full rank (a moderator is constant or collinear with others); "
                         "cannot fit the meta-regression", field="moderators")
    return X, tuple(names)


def pseudo_r2(method: str, yi: np.ndarray, vi: np.ndarray, X: np.ndarray, tau2: float, tau2_null: float) -> float:
    """metafor's R² (percent) of a model with moderators.

    Parameters
    ----------
    method : str
        The estimator; ``"FE"`` uses the adjusted R² of the weighted regression.
    tau2, tau2_null : float
        τ² of the model with and without moderators (same estimator).
    """
    if method == "FE":
        if np.ptp(yi) == 0:
            return 0.0
        w = 1.0 / vi
        k, p = X.shape
        A = X.T @ (X * w[:, None])
        b = np.linalg.solve(A, X.T @ (w * yi))
        rss = float(np.sum(w * (yi - X @ b) ** 2))
        ybar = float(np.sum(w * yi) / np.sum(w))
        tss = float(np.sum(w * (yi - ybar) ** 2))
        adj = 1 - (rss / tss) * (k - 1) / (k - p)
        return max(0.0, 100 * adj)
    if tau2_null == 0:
        return 0.0
    return max(0.0, 100 * (tau2_null - tau2) / tau2_null)


def meta_regression(yi: Any, vi: Any, moderators: Any, **kwargs: Any):
    """Meta-regression: :func:`evsynth.meta.fit` with ``moderators`` required.

    Returns
    -------
    MetaResult
        ``coefficients`` (intercept first), ``qm``, ``qm_p``, ``r2``.
    """
    from .models import fit

    if moderators is None:
        raise InputError("meta_regression needs moderators", field="moderators")
    return fit(yi, vi, moderators=moderators, **kwargs)
