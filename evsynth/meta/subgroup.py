"""Subgroup analysis with the test for subgroup differences.

Each subgroup is fitted separately (its own τ², as R ``meta``'s ``subgroup`` with separate
τ² and as ``rma(..., subset = group == g)`` in metafor). The test for subgroup differences is
the common-effect Q across the subgroup estimates, weights 1/seᵍ² (metafor:
``rma(est, sei = se, method = "FE")$QE``), on G − 1 df. The meta-regression test with the
group as a factor (one τ² shared by all subgroups, metafor's ``rma(yi, vi, mods = ~ factor(g))``
QM) is reported beside it as ``qm_common_tau2``/``p_common_tau2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from .models import MetaResult, fit, validate_inputs

__all__ = ["SubgroupResult", "subgroup"]


@dataclass(frozen=True, eq=False)
class SubgroupResult:
    """Per-subgroup fits, the overall fit and the test for subgroup differences."""

    groups: dict[str, MetaResult]
    overall: MetaResult
    q_between: float
    df_between: int
    p_between: float
    qm_common_tau2: float = float("nan")
    p_common_tau2: float = float("nan")
    group_of: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per subgroup and one for all studies: k, estimate, se, CI, PI, τ², I², Q."""
        rows = []
        for name, r in [*self.groups.items(), ("Overall", self.overall)]:
            rows.append({"group": name, "k": r.k, "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low,
                         "ci_high": r.ci_high, "pi_low": r.pi_low, "pi_high": r.pi_high, "tau2": r.tau2, "i2": r.i2,
                         "q": r.q, "q_p": r.q_p})
        return pd.DataFrame(rows)


def subgroup(yi: Any, vi: Any, groups: Sequence[Any], **fit_kwargs: Any) -> SubgroupResult:
    """Fit each subgroup separately and test for subgroup differences.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    groups : sequence
        The subgroup of each study (text or numbers; subgroups in sorted order).
    **fit_kwargs
        Passed to :func:`evsynth.meta.fit` (``method``, ``knha``, ``labels``, ``measure``, ``level``).

    Returns
    -------
    SubgroupResult
    """
    if "moderators" in fit_kwargs:
        raise InputError("subgroup() does not take moderators", field="moderators")
    labels = fit_kwargs.pop("labels", None)
    y, v, labs = validate_inputs(yi, vi, labels)
    g = [str(x) for x in groups]
    if len(g) != y.size:
        raise InputError(f"{len(g)} group values for {y.size} studies", field="groups")
    if any(x in ("", "nan", "None") for x in g):
        raise InputError(f"row {next(i for i, x in enumerate(g) if x in ('', 'nan', 'None')) + 1}: "
                         "missing subgroup", field="groups")
    levels = sorted(set(g))
    if len(levels) < 2:
        raise InputError("subgroup analysis needs at least two subgroups", field="groups")
    ga = np.array(g)
    fits: dict[str, MetaResult] = {}
    for lev in levels:
        idx = np.flatnonzero(ga == lev)
        fits[lev] = fit(y[idx], v[idx], labels=[labs[i] for i in idx], **fit_kwargs)
    overall = fit(y, v, labels=labs, **fit_kwargs)
    est = np.array([r.estimate for r in fits.values()])
    w = 1.0 / np.array([r.se for r in fits.values()]) ** 2
    if not np.all(np.isfinite(w)):
        qb, pb = float("nan"), float("nan")
    else:
        mu = np.sum(w * est) / np.sum(w)
        qb = float(np.sum(w * (est - mu) ** 2))
        pb = float(stats.chi2.sf(qb, len(levels) - 1))
    try:
        mod = fit(y, v, labels=labs, moderators={"group": g}, **fit_kwargs)
        qm, qmp = mod.qm, mod.qm_p
    except InputError:
        qm, qmp = float("nan"), float("nan")
    return SubgroupResult(fits, overall, qb, len(levels) - 1, pb, qm, qmp, tuple(g))
