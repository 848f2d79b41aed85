"""Effect sizes and sampling variances, as metafor's ``escalc``, and conversions.

Pure, vectorised functions returning :class:`EffectSizes` (``yi``, ``vi``):

* :func:`escalc` — the dispatcher, metafor's measure and argument names.
* two-group continuous (MD, SMD, ROM), paired (MC, SMCC, SMCR), :func:`crossover`,
  :func:`across_correlations`; binary (RR, OR, RD); single proportions
  (PR, PLO, PAS, PFT) with back-transformations; GEN.
* conversions: :func:`conv_fivenum`, :func:`se_to_sd`, :func:`ci_to_sd`,
  :func:`se_to_vi`, :func:`ci_to_vi`, :func:`rescale`, :func:`vas100_to_10`.
* :func:`arm_effects` — effect sizes of the ``outcomes.csv`` rows a :class:`RowSpec` selects.
"""

from ._core import MEASURES, EffectSizes
from .binary import odds_ratio, rd, rr, two_by_two
from .comparisons import (
    CONTROL_ARMS,
    Comparison,
    TimepointSwap,
    controlled_comparisons,
    cutoff_phrase,
    later_timepoint_rows,
)
from .continuous import (
    CorrelationRun,
    CorrelationSensitivity,
    across_correlations,
    crossover,
    paired,
    two_group_continuous,
)
from .conversions import (
    FiveNumConversion,
    ci_to_sd,
    ci_to_vi,
    ci_to_yi,
    conv_fivenum,
    rescale,
    se_to_sd,
    se_to_vi,
    vas10_to_100,
    vas100_to_10,
)
from .escalc import escalc, gen
from .proportions import (
    back_transform,
    proportion,
    transf_arcsin,
    transf_iarcsin,
    transf_ilogit,
    transf_ipft,
    transf_ipft_hm,
    transf_logit,
    transf_pft,
)
from .rows import SINGLE_GROUP_MEASURES, TWO_GROUP_MEASURES, RowSpec, arm_effects, select_rows

__all__ = [
    "CONTROL_ARMS",
    "Comparison",
    "TimepointSwap",
    "controlled_comparisons",
    "cutoff_phrase",
    "later_timepoint_rows",
    "MEASURES",
    "EffectSizes",
    "escalc",
    "gen",
    "two_by_two",
    "rr",
    "odds_ratio",
    "rd",
    "two_group_continuous",
    "paired",
    "crossover",
    "across_correlations",
    "CorrelationRun",
    "CorrelationSensitivity",
    "proportion",
    "back_transform",
    "transf_logit",
    "transf_ilogit",
    "transf_arcsin",
    "transf_iarcsin",
    "transf_pft",
    "transf_ipft",
    "transf_ipft_hm",
    "FiveNumConversion",
    "conv_fivenum",
    "se_to_sd",
    "ci_to_sd",
    "se_to_vi",
    "ci_to_vi",
    "ci_to_yi",
    "rescale",
    "vas100_to_10",
    "vas10_to_100",
    "arm_effects",
    "select_rows",
    "RowSpec",
    "SINGLE_GROUP_MEASURES",
    "TWO_GROUP_MEASURES",
]
