"""Meta-regression: the design matrix from moderators, R² as metafor computes it.

A meta-regression is :func:`evsynth.meta.fit` with ``moderators``;
:func:`meta_regression` is the same call with the moderators required. The model
is metafor's ``rma(yi, vi, mods = ~ ...)``:

* the coefficients are named as metafor names them: ``"intrcpt"``, then the moderator
  names; a text (categorical) moderator ``alloc`` becomes treatment dummies
  ``allocrandom``, ``allocsystematic`` … against its first level in sorted order, as R's
  ``factor()`` does — sorted as R sorts text (ICU root collation: case-insensitive first,
  lower case before upper case; ``"alt" < "Other" < "rand"``, see :func:`r_sort_key`); a
  column of R's logical values (``TRUE``/``FALSE``, ``T``/``F``) becomes ``nameTRUE``;
* redundant predictors (a constant moderator, one collinear with others) are dropped with a
  warning, as metafor does (:func:`drop_redundant`, R's ``lm`` pivoting with tolerance
  1e-7); a text moderator with a single level is dropped the same way (R stops there with
  "contrasts can be applied only to factors with 2 or more levels");
* ``qm`` is the omnibus test of all coefficients but the intercept (χ² on m df, or F on
  m and k − p df under Knapp–Hartung);
* ``r2`` is metafor's pseudo-R² in percent: ``max(0, 100·(τ²₀ − τ²)/τ²₀)`` with τ²₀ the
  τ² of the model without moderators fitted with the same estimator (0 when τ²₀ = 0; when
  both are zero up to rounding, ~1e-13, the ratio is arbitrary, in metafor too); for the
  common-effect model the adjusted R² of the weighted least-squares regression.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import InputError

__all__ = ["design_matrix", "model_matrix", "drop_redundant", "expand_moderator", "r_sort_key",
           "pseudo_r2"]


def _is_numeric(values: Sequence[Any]) -> bool:
    try:
        np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


#: R's ICU root collation of the printable ASCII characters (``sort()`` of them in R 4.2 with
#: ICU): space, punctuation and symbols, digits, then letters with lower case first.
_ASCII_ORDER = (" _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789"
                + "".join(c + c.upper() for c in "abcdefghijklmnopqrstuvwxyz"))


def _primary(ch: str) -> int:
    lo = ch.lower()
    i = _ASCII_ORDER.find(lo)
    if i >= 0:
        # letters: the lower-case position; the upper-case one differs only at the tertiary level
        return i
    return 1000 + ord(lo)


def r_sort_key(text: str) -> tuple:
    """Sort key that orders text as R's ``sort()``/``factor()`` do with ICU (root collation).

    Three levels, as ICU compares them: base characters (case- and accent-insensitive;
    punctuation < digits < letters), then accents, then case (lower before upper). Exact for
    ASCII and accented Latin letters; other characters fall back to code-point order.
    """
    import unicodedata

    base: list[int] = []
    accents: list[int] = []
    case: list[int] = []
    for ch in unicodedata.normalize("NFD", str(text)):
        if unicodedata.combining(ch):
            if accents:
                accents[-1] = accents[-1] * 4096 + ord(ch)
            continue
        folded = ch.casefold()
        for j, f in enumerate(folded):
            base.append(_primary(f))
            accents.append(0)
            case.append(2 if len(folded) > 1 else (1 if ch != ch.lower() else 0))
    return tuple(base), tuple(accents), tuple(case), str(text)


_LOGICAL = {"TRUE": True, "T": True, "true": True, "True": True,
            "FALSE": False, "F": False, "false": False, "False": False}


def _items(moderators: Any) -> list[tuple[str, list]]:
    if hasattr(moderators, "columns"):  # DataFrame
        return [(str(c), list(moderators[c])) for c in moderators.columns]
    if hasattr(moderators, "name") and getattr(moderators, "ndim", 0) == 1:  # pandas Series
        return [(str(moderators.name) if moderators.name is not None else "mods", list(moderators))]
    if isinstance(moderators, Mapping):
        return [(str(n), list(v)) for n, v in moderators.items()]
    arr = np.asarray(moderators, dtype=object)
    if arr.ndim == 1:
        return [("mods", list(arr))]
    if arr.ndim == 2:
        return [(f"mods{j + 1}", list(arr[:, j])) for j in range(arr.shape[1])]
    raise InputError("moderators must be 1-d or 2-d", field="moderators")


def expand_moderator(name: str, values: Sequence[Any], *, missing_ok: bool = False
                     ) -> tuple[list[np.ndarray], list[str], list[str]]:
    """The model-matrix columns of one moderator, their names and notes.

    Numbers give one column; text gives R's treatment dummies against the first level in
    R's sort order; R's logical values (``TRUE``/``FALSE``/``T``/``F``) give ``nameTRUE``.
    With ``missing_ok`` missing values (None, NaN, ``""``) become NaN in every column of the
    row (the caller leaves such rows out); otherwise they raise :class:`InputError`.
    """
    notes: list[str] = []
    if _is_numeric(values):
        x = np.asarray(values, dtype=float)
        bad = np.flatnonzero(~np.isfinite(x) & ~(np.isnan(x) if missing_ok else False))
        if bad.size:
            raise InputError(f"moderator {name!r} is missing or not finite in row {bad[0] + 1}", field=name)
        return [x], [name], notes
    text = [None if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "" else str(v)
            for v in values]
    miss = np.array([t is None for t in text])
    if miss.any() and not missing_ok:
        raise InputError(f"moderator {name!r} has a missing value in row {int(np.flatnonzero(miss)[0]) + 1}",
                         field=name)
    present = [t for t in text if t is not None]
    if present and all(t in _LOGICAL for t in present):
        text = [None if t is None else ("TRUE" if _LOGICAL[t] else "FALSE") for t in text]
        levels = sorted({t for t in text if t is not None})
    else:
        levels = sorted({t for t in text if t is not None}, key=r_sort_key)
    if len(levels) < 2:
        notes.append(f"moderator {name!r} has a single level ({levels[0] if levels else 'none'}) and was "
                     "dropped (R stops: contrasts can be applied only to factors with 2 or more levels)")
    cols, names = [], []
    for lev in levels[1:]:
        cols.append(np.array([np.nan if t is None else (1.0 if t == lev else 0.0) for t in text]))
        names.append(f"{name}{lev}")
    return cols, names, notes


def _build(moderators: Any, k: int) -> tuple[np.ndarray, tuple[str, ...], list[str]]:
    names = ["intrcpt"]
    cols = [np.ones(k)]
    notes: list[str] = []
    if moderators is None:
        return np.ones((k, 1)), ("intrcpt",), notes
    for name, values in _items(moderators):
        if len(values) != k:
            raise InputError(f"moderator {name!r} has {len(values)} values for {k} studies", field=name)
        c, n, nt = expand_moderator(name, values)
        cols += c
        names += n
        notes += nt
    return np.column_stack(cols), tuple(names), notes


def drop_redundant(X: np.ndarray, names: Sequence[str], tol: float = 1e-7
                   ) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """Drop predictors that are linear combinations of earlier ones, as metafor does.

    metafor fits ``lm(yi ~ X - 1)`` and drops the columns whose coefficient is NA: R's QR
    with limited pivoting (LINPACK ``dqrdc2``, tolerance 1e-7) declares a column redundant
    when its norm after projecting out the columns before it falls below ``tol`` times its
    own norm. Returns ``(X, names, dropped_names)``.
    """
    k, p = X.shape
    keep: list[int] = []
    Q = np.zeros((k, 0))
    for j in range(p):
        x = X[:, j]
        nrm = float(np.linalg.norm(x))
        r = x - Q @ (Q.T @ x)
        r = r - Q @ (Q.T @ r)
        rn = float(np.linalg.norm(r))
        if nrm == 0.0 or rn < tol * nrm:
            continue
        keep.append(j)
        Q = np.column_stack([Q, r / rn])
    dropped = tuple(names[j] for j in range(p) if j not in keep)
    return X[:, keep], tuple(names[j] for j in keep), dropped


def check_rank(X: np.ndarray, evtol: float = 1e-7) -> None:
    """metafor's check on the eigenvalues of ``X'X`` (``evtol``): an :class:`InputError` if any is ≤ 1e-7."""
    ev = np.linalg.eigvalsh(X.T @ X)
    if np.any(ev <= evtol):
        raise InputError("model matrix not of full rank (a moderator is constant or collinear with others); "
                         "cannot fit the meta-regression", field="moderators")


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
        Wrong length, missing values, or a constant moderator / collinear design
        (:func:`evsynth.meta.fit` drops such predictors instead, as metafor).
    """
    X, names, _ = _build(moderators, k)
    check_rank(X)
    return X, names


def model_matrix(moderators: Any, k: int) -> tuple[np.ndarray, tuple[str, ...], list[str]]:
    """What :func:`evsynth.meta.fit` uses: ``X``, names and warnings, with redundant predictors
    and single-level text moderators dropped (as metafor), then metafor's full-rank check."""
    X, names, notes = _build(moderators, k)
    X, names, dropped = drop_redundant(X, names)
    if dropped:
        notes.append(f"redundant predictors dropped from the model: {', '.join(dropped)} (a constant moderator "
                     "or one collinear with others; metafor drops them with the same warning)")
    check_rank(X)
    return X, names, notes


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
        if k == p:  # no residual df: R's summary.lm gives NaN (or -Inf, depending on rounding)
            return float("nan")
        rss = float(np.sum(w * (yi - X @ b) ** 2))
        ybar = float(np.sum(w * yi) / np.sum(w))
        tss = float(np.sum(w * (yi - ybar) ** 2))
        adj = 1 - (rss / tss) * (k - 1) / (k - p)
        return max(0.0, 100 * adj)
    # as metafor: 0 only for τ²₀ = 0 exactly. Near the zero boundary τ² and τ²₀ are rounding-level
    # numbers (iterations stopping at ~1e-13, HE's difference rounding to ~1e-17) and their ratio is
    # arbitrary, in metafor and here alike
    if tau2_null == 0:
        return 0.0
    return max(0.0, 100 * (tau2_null - tau2) / tau2_null)
