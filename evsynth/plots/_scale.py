"""The scale a measure is analysed on, and how to show it back to readers.

Effects are pooled on an analysis scale (log risk ratio, logit proportion,
Freeman-Tukey double arcsine, ...). Figures keep that scale on the axis (so a
diamond's vertices are the pooled estimate and its CI in the result's own
units) but label the ticks and the text in the natural units (risk ratio,
proportion).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..effects import (
    transf_arcsin,
    transf_iarcsin,
    transf_ilogit,
    transf_ipft_hm,
    transf_logit,
    transf_pft,
)

_RATIO = {"RR", "OR", "HR", "IRR", "ROM", "PETO", "CVR", "VR", "IRLN", "PLN", "OR2DN", "OR2DL", "MPRR", "MPOR"}
_PROPORTION_IDENTITY = {"PR"}

# Candidate ticks in order of preference (the nicest first); thinned to fit.
_RATIO_TICKS = (1.0, 0.5, 2.0, 0.1, 10.0, 0.2, 5.0, 0.01, 100.0, 0.25, 4.0, 0.02, 50.0, 0.05, 20.0, 0.3, 0.7,
                1.5, 3.0, 0.4, 0.6, 0.8, 1.25)
_PROP_TICKS = (0.5, 0.1, 0.9, 0.01, 0.99, 0.2, 0.8, 0.05, 0.95, 0.3, 0.7, 0.02, 0.98, 0.4, 0.6)

_NAMES = {
    "RR": "Risk ratio",
    "OR": "Odds ratio",
    "PETO": "Odds ratio (Peto)",
    "HR": "Hazard ratio",
    "IRR": "Rate ratio",
    "ROM": "Ratio of means",
    "RD": "Risk difference",
    "MD": "Mean difference",
    "SMD": "Std. mean difference",
    "SMCR": "Std. mean change",
    "PLO": "Proportion",
    "PFT": "Proportion",
    "PAS": "Proportion",
    "PR": "Proportion",
    "PLN": "Proportion",
    "ZCOR": "Correlation",
    "COR": "Correlation",
    "GEN": "Estimate",
}


@dataclass(frozen=True)
class Scale:
    """How one measure is shown.

    Attributes
    ----------
    measure : str
    name : str
        Human name of the back-transformed measure ("Risk ratio", "Proportion").
    back : callable
        Analysis scale -> natural units (vectorised).
    forward : callable
        Natural units -> analysis scale (for tick positions).
    null : float or None
        Analysis-scale value of no effect (0 for differences and log ratios;
        None for single-group proportions).
    ticks : tuple of float
        Candidate tick values in natural units.
    kind : str
        ``"ratio"``, ``"proportion"`` or ``"identity"``.
    """

    measure: str
    name: str
    back: Callable[[np.ndarray], np.ndarray]
    forward: Callable[[np.ndarray], np.ndarray]
    null: float | None
    ticks: tuple[float, ...]
    kind: str

    def tick_positions(self, lo: float, hi: float, max_ticks: int = 7) -> tuple[np.ndarray, list[str]]:
        """Tick positions (analysis scale) within ``[lo, hi]`` and their labels."""
        if self.kind == "identity":
            from matplotlib.ticker import MaxNLocator

            pos = MaxNLocator(nbins=max_ticks - 1).tick_values(lo, hi)
            pos = pos[(pos >= lo - 1e-12) & (pos <= hi + 1e-12)]
            return pos, [_tick_text(v) for v in pos]
        vals = np.array(self.ticks)
        pos = np.asarray(self.forward(vals), dtype=float)
        keep = (pos >= lo - 1e-9) & (pos <= hi + 1e-9) & np.isfinite(pos)
        vals, pos = vals[keep], pos[keep]
        # Thin out ticks closer than ~1/12 of the range, always keeping the null.
        span = hi - lo
        chosen: list[int] = []
        for i in range(len(vals)):
            if all(abs(pos[i] - pos[j]) >= span / 9 for j in chosen):
                chosen.append(i)
            if len(chosen) >= max_ticks:
                break
        chosen.sort(key=lambda i: pos[i])  # candidates come in order of preference, not value
        return pos[chosen], [_tick_text(vals[i]) for i in chosen]


def _tick_text(v: float) -> str:
    if abs(v - round(v)) < 1e-9 and abs(v) >= 1:
        return str(int(round(v))).replace("-", "\u2212")
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace("-", "\u2212")


def scale_for(measure: str, ni: Sequence[float] | None = None) -> Scale:
    """The :class:`Scale` of a measure (metafor's measure codes).

    Parameters
    ----------
    measure : str
        ``RR``, ``OR``, ``PLO``, ``PFT``, ``SMD``, ... (``GEN`` for anything else).
    ni : sequence of float, optional
        Study sizes; the Freeman-Tukey back-transform uses their harmonic mean
        (without them, ``sin(t)**2`` is used, exact only as n grows).
    """
    m = (measure or "GEN").upper()
    name = _NAMES.get(m, "Estimate")
    if m in _RATIO:
        return Scale(m, name if m != "PLN" else "Proportion", np.exp, np.log, 0.0 if m != "PLN" else None,
                     _RATIO_TICKS if m != "PLN" else _PROP_TICKS, "ratio" if m != "PLN" else "proportion")
    if m == "PLO":
        return Scale(m, name, transf_ilogit, transf_logit, None, _PROP_TICKS, "proportion")
    if m in ("PFT", "PAS"):
        if m == "PFT" and ni is not None and len(ni):
            nhm = float(1.0 / np.mean(1.0 / np.asarray(ni, dtype=float)))
            return Scale(m, name, lambda t: transf_ipft_hm(t, ni), lambda p: transf_pft(p, nhm), None, _PROP_TICKS,
                         "proportion")
        # Without study sizes the Freeman-Tukey scale is shown as the arcsine one (exact as n grows).
        return Scale(m, name, transf_iarcsin, transf_arcsin, None, _PROP_TICKS, "proportion")
    if m == "ZCOR":
        return Scale(m, name, np.tanh, np.arctanh, 0.0, (-0.9, -0.5, -0.25, 0.0, 0.25, 0.5, 0.9), "proportion")
    if m == "PR":
        return Scale(m, name, lambda x: np.asarray(x, dtype=float), lambda x: np.asarray(x, dtype=float), None,
                     (0.0, 0.2, 0.4, 0.6, 0.8, 1.0), "identity")
    return Scale(m, name, lambda x: np.asarray(x, dtype=float), lambda x: np.asarray(x, dtype=float), 0.0, (), "identity")
