"""Random-effects meta-analysis that agrees with R metafor 3.8-1, with every sensitivity analysis.

* :func:`fit` — random-effects (τ² by REML, DL, PM, ML, HE, SJ, EB, HS) or common-effect
  (``"FE"``) model, Wald or Knapp–Hartung inference, prediction interval, Q-profile CI for τ²,
  meta-regression with moderators (QM, R²). Returns a :class:`MetaResult`.
* :func:`leave_one_out`, :func:`cumulative`, :func:`influence` (studentised residuals, DFFITS,
  Cook's distance, hat values, DFBETAS), :func:`subgroup` (test for subgroup differences),
  :func:`permutation_test`, :func:`gosh` (vectorised over all permutations / subsets),
  :func:`egger_test`.
* :func:`fit_many` — one model per row of a (B, k) batch of data sets, vectorised.
* :func:`meta_from_csv` — what ``evsynth meta FILE.csv`` runs.
* :func:`compare_with_pymare` — PyMARE's fit with its own defaults beside evsynth's.

PyMARE is the project's meta-analysis dependency; its conventions differ from metafor's in ways
this package does not follow: PyMARE applies Knapp–Hartung by default, reports the Q-based I²
whatever the estimator, has no prediction interval, no PM / SJ / EB / HS estimators, and its SMD
variance formula differs from metafor's. evsynth implements metafor's formulas itself (batched
numpy, see :mod:`evsynth.meta._estimators`) and the test suite cross-checks DL, HE, ML and REML
against PyMARE's estimators. Every result is a frozen dataclass with ``to_frame()``; nothing
prints.
"""

from ._estimators import METHODS
from .batch import BatchResult, fit_many
from .bias import EggerResult, egger_test
from .heterogeneity import Heterogeneity, heterogeneity
from .models import Coefficient, MetaResult, Prediction, fit, meta_regression
from .pymare_compat import PymareComparison, compare_with_pymare
from .regression import design_matrix
from .resampling import GoshResult, PermutationResult, gosh, permutation_test
from .sensitivity import (
    CumulativeResult,
    InfluenceResult,
    LeaveOneOutResult,
    cumulative,
    influence,
    leave_one_out,
)
from .subgroup import SubgroupResult, subgroup
from .table import meta_from_csv, read_effects_table
from .text import format_result

__all__ = [
    "METHODS",
    "fit",
    "MetaResult",
    "Coefficient",
    "Prediction",
    "meta_regression",
    "design_matrix",
    "leave_one_out",
    "LeaveOneOutResult",
    "cumulative",
    "CumulativeResult",
    "influence",
    "InfluenceResult",
    "subgroup",
    "SubgroupResult",
    "permutation_test",
    "PermutationResult",
    "gosh",
    "GoshResult",
    "egger_test",
    "EggerResult",
    "meta_from_csv",
    "read_effects_table",
    "format_result",
    "heterogeneity",
    "Heterogeneity",
    "fit_many",
    "BatchResult",
    "compare_with_pymare",
    "PymareComparison",
]
