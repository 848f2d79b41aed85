"""Back-transformations for displaying results (metafor's ``transf=``): ratios as ratios, logits as proportions.

:func:`resolve` turns what a user passes as ``transf`` (a function, a name such as ``"exp"``, or
``"auto"`` for the measure's own back-transformation) into a named function. Only increasing
functions are offered by name, so limits stay in order; a user's function may decrease, and the
limits are then swapped, as they must be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..errors import InputError

__all__ = ["Transform", "resolve", "TRANSFORMS", "AUTO"]


def _ilogit(x: Any) -> np.ndarray:
    from ..effects import transf_ilogit

    return transf_ilogit(x)


def _iarcsin(x: Any) -> np.ndarray:
    from ..effects import transf_iarcsin

    return transf_iarcsin(x)


#: Transformations by name (metafor's ``exp``, ``transf.ilogit``, ``transf.iarcsin``).
TRANSFORMS: dict[str, Callable[[Any], np.ndarray]] = {"exp": np.exp, "ilogit": _ilogit, "iarcsin": _iarcsin}

#: What ``transf="auto"`` uses for each measure: log measures as ratios, logits and arcsines as
#: proportions. Other measures (MD, SMD, RD, PR, GEN, and PFT, which needs each study's n) stay as fitted.
AUTO: dict[str, str] = {"RR": "exp", "OR": "exp", "ROM": "exp", "PLO": "ilogit", "PAS": "iarcsin"}


@dataclass(frozen=True)
class Transform:
    """A named back-transformation."""

    name: str
    function: Callable[[Any], np.ndarray]

    def __call__(self, x: Any) -> np.ndarray:
        return np.asarray(self.function(np.asarray(x, dtype=float)), dtype=float)

    def limits(self, low: Any, high: Any) -> tuple[np.ndarray, np.ndarray]:
        """Transformed interval limits, in order (swapped by a decreasing function)."""
        a, b = self(low), self(high)
        return np.fmin(a, b), np.fmax(a, b)


def resolve(transf: Any, measure: str = "GEN") -> Transform | None:
    """The transformation ``transf`` names for results on ``measure``'s scale (None: none).

    Parameters
    ----------
    transf : callable, str, bool or None
        A function (``np.exp``), a name (``"exp"``, ``"ilogit"``, ``"iarcsin"``), ``"auto"`` or
        ``True`` (the measure's back-transformation, see :data:`AUTO`), or ``None``/``"none"``/
        ``False`` (no transformation).
    measure : str
        The effect measure of the fit.

    Raises
    ------
    InputError
        An unknown name.
    """
    if transf is None or transf is False:
        return None
    if callable(transf):
        return Transform(getattr(transf, "__name__", "transf"), transf)
    name = str(transf).strip().lower()
    if name in ("none", ""):
        return None
    if name in ("auto", "true") or transf is True:
        chosen = AUTO.get(str(measure).upper())
        return None if chosen is None else Transform(chosen, TRANSFORMS[chosen])
    if name.startswith("transf."):
        name = name[len("transf."):]
    if name not in TRANSFORMS:
        raise InputError(f"unknown transf {transf!r}; known: auto, none, {', '.join(TRANSFORMS)}", field="transf")
    return Transform(name, TRANSFORMS[name])
