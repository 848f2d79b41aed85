"""Running the analyses a ``review.toml`` declares: rows → effect sizes → random-effects fit.

:func:`analysis_effects` and :func:`analysis_fit` compute one declared
:class:`~evsynth.project.Analysis` from an :class:`~evsynth.extraction.Extraction`;
:func:`summarise_fit` gives the numbers ``results.json`` holds for it, on the
model scale and back-transformed.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .model import Analysis

__all__ = ["row_spec", "analysis_effects", "analysis_fit", "review_effects", "review_fit", "summarise_fit",
           "back_transformed", "natural_scale", "RATIO_MEASURES", "responder_effects", "responder_fit"]

#: Measures fitted on the log scale and shown as ratios.
RATIO_MEASURES = ("RR", "OR", "ROM")
_NATURAL = ("PLO", "PR", "PAS", "PFT") + RATIO_MEASURES


def natural_scale(measure: str) -> bool:
    """True when ``measure`` is back-transformed for display (proportions, ratios)."""
    return measure.upper() in _NATURAL


def back_transformed(measure: str, x: Any, ni: Any = None) -> float | None:
    """One value from the analysis scale to the natural one (None for missing or non-finite)."""
    from ..effects import back_transform

    if x is None or not np.isfinite(x):
        return None
    if not natural_scale(measure):
        return float(x)
    return float(back_transform(measure, x, ni))


def row_spec(analysis: Analysis, *, timepoint: str | None = None, where: Mapping[str, Any] | None = None) -> Any:
    """The :class:`~evsynth.effects.RowSpec` of a declared analysis."""
    from ..effects import RowSpec

    return RowSpec(arm=analysis.arm, control=analysis.control, outcome=analysis.outcome,
                   outcome_type=analysis.outcome_type, timepoint=timepoint or analysis.timepoint,
                   role=analysis.role, where=where)


def analysis_effects(extraction: Any, analysis: Analysis, *, measure: str | None = None,
                     timepoint: str | None = None, where: Mapping[str, Any] | None = None,
                     **escalc_options: Any) -> Any:
    """Effect sizes of a declared analysis (``measure``/``timepoint``/``where`` override it)."""
    from ..effects import arm_effects

    return arm_effects(extraction, row_spec(analysis, timepoint=timepoint, where=where),
                       measure or analysis.measure, **escalc_options)


def analysis_fit(extraction: Any, analysis: Analysis, *, method: str | None = None, knha: bool | None = None,
                 measure: str | None = None, **kwargs: Any) -> tuple[Any, Any]:
    """Effect sizes and the random-effects fit of a declared analysis.

    Returns
    -------
    (EffectSizes, MetaResult)
    """
    from ..meta import fit

    es = analysis_effects(extraction, analysis, measure=measure, **kwargs)
    res = fit(es.yi, es.vi, method=method or analysis.method, knha=analysis.knha if knha is None else knha,
              level=analysis.level, measure=es.measure, labels=list(es.labels))
    return es, res


def summarise_fit(res: Any, ni: Any = None) -> dict[str, Any]:
    """estimate, ci_low, ci_high, tau2, i2 (percent), q, q_p, pi_low, pi_high, k on the model scale,
    and the same back-transformed under ``natural`` (ratios for RR/OR/ROM, proportions for PLO/PR/PAS/PFT)."""
    model = {"estimate": float(res.estimate), "se": float(res.se), "ci_low": float(res.ci_low),
             "ci_high": float(res.ci_high), "pi_low": _f(getattr(res, "pi_low", None)),
             "pi_high": _f(getattr(res, "pi_high", None)), "tau2": float(res.tau2), "i2": float(res.i2),
             "q": float(res.q), "q_p": float(res.q_p), "k": int(res.k)}
    bt = {key: back_transformed(res.measure, model[key], ni)
          for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")}
    return {**model, "measure": str(res.measure), "method": str(res.method), "knha": bool(getattr(res, "knha", False)),
            "level": float(getattr(res, "level", 95.0)), "natural": {**bt, "scale": _scale_name(res.measure)}}


def _f(v: Any) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def _scale_name(measure: str) -> str:
    m = measure.upper()
    if m in RATIO_MEASURES:
        return "ratio"
    if m in ("PLO", "PR", "PAS", "PFT"):
        return "proportion"
    return "as fitted"


def review_effects(extraction: Any, measure: str | None = None, timepoint: str | None = None,
                   cutoff: float | None = None, **escalc_options: Any) -> Any:
    """Effect sizes of the review's main analysis (``review.toml``), with the measure, timepoint or cut-off changed.

    A two-group measure (RR, OR, RD, MD, SMD, ROM) asked of a single-group main analysis uses the
    first declared analysis with a control arm for the same arm; ``cutoff`` swaps in the rows with
    that ``cutoff_percent`` (as an ``alternatives`` sensitivity analysis does).
    """
    from dataclasses import replace

    from ..effects.rows import TWO_GROUP_MEASURES
    from ..errors import InputError

    review = getattr(extraction, "review", None)
    analysis = getattr(review, "main_analysis", None)
    if analysis is None:
        raise InputError("review.toml declares no analysis ([[analyses]])", field="analyses")
    m = (measure or analysis.measure).upper()
    if m in TWO_GROUP_MEASURES and not analysis.control:
        analysis = next((a for a in review.analyses if a.control and a.arm == analysis.arm), analysis)
    elif m not in TWO_GROUP_MEASURES:
        analysis = replace(analysis, control=())
    return analysis_effects(extraction, analysis, measure=m, timepoint=timepoint,
                            where={"cutoff_percent": cutoff} if cutoff is not None else None, **escalc_options)


def review_fit(extraction: Any, *, measure: str | None = None, method: str | None = None, **kwargs: Any
               ) -> tuple[Any, Any]:
    """:func:`review_effects` and its random-effects fit (the main analysis's method unless ``method``)."""
    from ..meta import fit

    es = review_effects(extraction, measure, **kwargs)
    analysis = extraction.review.main_analysis
    res = fit(es.yi, es.vi, method=method or analysis.method, knha=analysis.knha, level=analysis.level,
              measure=es.measure, labels=list(es.labels))
    return es, res


#: Earlier names (the shipped review's main analysis is its responder analysis).
responder_effects = review_effects
responder_fit = review_fit
