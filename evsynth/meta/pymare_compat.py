"""Side by side: evsynth (metafor's conventions) and PyMARE on the same data.

PyMARE is the project's meta-analysis dependency. Its DL, HE, ML and REML τ² agree with
evsynth (and metafor) up to PyMARE's optimiser tolerance, but its defaults differ in ways a
user can stumble on. :func:`compare_with_pymare` fits the model of a
:class:`~evsynth.meta.MetaResult` with PyMARE's own estimator and defaults and lays the two
out next to each other, so the differences are visible rather than surprising:

* PyMARE applies Knapp–Hartung by default (``small_sample_correction="knapp-hartung"``), so its
  CI is wider than metafor's default Wald CI (bcg, REML: [−1.108, −0.321] vs [−1.067, −0.362]);
* PyMARE's I² is always Cochran's Q-based ``(Q − df)/Q``; metafor's (and evsynth's) is
  computed from the fitted τ² and equals the Q-based one only for DL (and FE);
* PyMARE has no prediction interval, no PM, SJ, EB or HS estimators.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from .models import MetaResult

__all__ = ["PymareComparison", "compare_with_pymare"]


@dataclass(frozen=True)
class PymareComparison:
    """Both packages' pooled estimate (intercept), CI, τ² and I² for one model."""

    method: str
    evsynth: dict[str, float]
    pymare: dict[str, float]
    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """Rows estimate, se, ci_low, ci_high, tau2, i2, q; columns evsynth, pymare."""
        return pd.DataFrame({"evsynth": self.evsynth, "pymare": self.pymare})


def _estimator(method: str):
    from pymare import estimators

    if method == "DL":
        return estimators.DerSimonianLaird()
    if method == "HE":
        return estimators.Hedges()
    if method in ("ML", "REML"):
        return estimators.VarianceBasedLikelihoodEstimator(method=method.lower())
    if method == "FE":
        return estimators.WeightedLeastSquares(tau2=0)
    raise InputError(f"PyMARE has no {method} estimator (it has DL, HE, ML, REML and FE)", field="method")


def compare_with_pymare(res: MetaResult) -> PymareComparison:
    """Fit ``res``'s data and moderators with PyMARE (its defaults) and compare.

    Raises
    ------
    InputError
        For estimators PyMARE does not have (PM, SJ, EB, HS).
    """
    from pymare import Dataset

    est = _estimator(res.method)
    X = np.asarray(res.X)[:, 1:]
    ds = Dataset(y=np.asarray(res.yi), v=np.asarray(res.vi), X=X if X.shape[1] else None, add_intercept=True)
    est.fit_dataset(ds)
    summary = est.summary()
    fe = summary.get_fe_stats()
    het = summary.get_heterogeneity_stats()
    mine = {"estimate": res.estimate, "se": res.se, "ci_low": res.ci_low, "ci_high": res.ci_high, "tau2": res.tau2,
            "i2": res.i2, "q": res.q}
    theirs = {"estimate": float(np.ravel(fe["est"])[0]), "se": float(np.ravel(fe["se"])[0]),
              "ci_low": float(np.ravel(fe["ci_l"])[0]), "ci_high": float(np.ravel(fe["ci_u"])[0]),
              "tau2": float(np.ravel(summary.tau2)[0]) if summary.tau2 is not None else 0.0,
              "i2": float(np.ravel(het["I^2"])[0]), "q": float(np.ravel(het["Q"])[0])}
    notes = []
    if not res.knha and res.method != "FE":
        notes.append("PyMARE applies Knapp-Hartung by default; evsynth (like metafor) uses the z test unless knha=True")
    if res.method not in ("DL", "FE"):
        notes.append("PyMARE's I² is Q-based; evsynth's (like metafor's) is computed from the fitted τ²")
    if res.method in ("ML", "REML"):
        notes.append("PyMARE optimises the likelihood numerically; evsynth runs metafor's Fisher scoring to 1e-12")
    return PymareComparison(res.method, mine, theirs, tuple(notes))
