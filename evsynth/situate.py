"""Where a new trial sits against the evidence: the numbers behind the evidence map.

:func:`situate_trial` compares the trial's values of the two covariates that
``review.toml`` ``[situate]`` names (``x`` and ``y``, e.g. a dose and a
duration) with every completed study in ``extracted/``: the largest and
smallest prior values (and which studies have them), the multiples the trial
represents, an optional threshold (``floor``, e.g. a guideline), the pooled
estimate of the declared analysis for the prior studies and, only when
enough studies allow it, a meta-regression prediction at the trial's ``x``,
labelled as an extrapolation.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Mapping, Sequence

import numpy as np

from .errors import InputError, NotFoundError
from ._situate_summary import situation_summary
from .situate_notes import comparability_note, value_flag

__all__ = [
    "MIN_K_METAREGRESSION",
    "PriorStudy",
    "RegimenGap",
    "PooledEstimate",
    "Prediction",
    "TrialSituation",
    "situate_trial",
    "situation_summary",
    "situate_from_review",
    "pooled_estimate",
    "analysis_for_situation",
    "back_transformed",
    "jsonable",
]

#: Fewest studies for a meta-regression: the Cochrane Handbook (chapter 10.11.5.1) advises that
#: meta-regression "should generally not be considered when there are fewer than ten studies".
MIN_K_METAREGRESSION = 10


@dataclass(frozen=True)
class PriorStudy:
    """A completed study's position as extracted (None = not reported)."""

    study_id: str
    label: str
    design: str
    group: str | None
    x: float | None
    y: float | None
    n_patients: int | None
    exposures: int | None = None
    #: (covariate, flag text) for each value that is derived or uncertain in ``provenance.csv``.
    flags: tuple[tuple[str, str], ...] = ()

    def flag(self, name: str) -> str | None:
        """The derived/uncertain flag of covariate ``name`` as text, or None when the value is plain."""
        return next((text for field, text in self.flags if field == name), None)


@dataclass(frozen=True)
class RegimenGap:
    """The trial against a set of prior studies (``basis``).

    Multiples are trial / prior: ``*_multiple_of_largest`` = (trial low, trial high)
    divided by the largest prior value; ``*_multiple_range`` = trial low / largest
    prior to trial high / smallest prior (the whole span). ``equivalent_*`` is
    ``x`` multiplied per group as ``review.toml`` ``[situate] equivalence`` says.
    """

    basis: str
    x_max: float | None
    x_max_studies: tuple[str, ...]
    x_min: float | None
    x_min_studies: tuple[str, ...]
    x_multiple_of_largest: tuple[float, float] | None
    x_multiple_range: tuple[float, float] | None
    equivalent_x_max: float | None
    equivalent_x_max_studies: tuple[str, ...]
    equivalent_multiple_of_largest: tuple[float, float] | None
    y_max: float | None
    y_max_studies: tuple[str, ...]
    y_min: float | None
    y_min_studies: tuple[str, ...]
    y_multiple_of_largest: tuple[float, float] | None
    y_multiple_range: tuple[float, float] | None
    studies: tuple[str, ...]
    #: The studies that report ``x`` / ``y`` (the values compared).
    x_studies: tuple[str, ...] = ()
    y_studies: tuple[str, ...] = ()
    #: ("label:x" or "label:y", flag text) for extremes that rest on a derived or uncertain value.
    flags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PooledEstimate:
    """Random-effects pooled estimate, back-transformed (proportion, ratio) where the measure calls for it."""

    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float | None
    pi_high: float | None
    k: int
    n_patients: int | None
    method: str
    measure: str
    level: float
    i2: float
    tau2: float
    studies: tuple[str, ...]


@dataclass(frozen=True)
class Prediction:
    """Meta-regression prediction at the trial's ``x`` (an extrapolation when outside the data)."""

    x: float
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float | None
    pi_high: float | None
    k: int
    extrapolation: bool
    data_range: tuple[float, float]


@dataclass(frozen=True)
class TrialSituation:
    """Where a trial stands against the evidence (see :func:`situate_trial`)."""

    nct_id: str
    trial_label: str
    trial_study_id: str
    x: tuple[float | None, float | None]
    y: tuple[float | None, float | None]
    total_at_reference: tuple[float | None, float | None]
    trial_meets_floor: bool | None
    prior_meeting_floor: tuple[str, ...]
    prior: tuple[PriorStudy, ...]
    not_placed: tuple[str, ...]
    all_prior: RegimenGap
    pooled_prior: RegimenGap | None
    pooled: PooledEstimate | None
    prediction: tuple[Prediction, ...]
    metaregression_note: str
    min_k_metaregression: int
    notes: tuple[str, ...]
    x_name: str = "x"
    #: Prior studies whose meeting the threshold rests on a derived or uncertain value (with its flag);
    #: never among ``prior_meeting_floor``.
    prior_possibly_meeting_floor: tuple[str, ...] = ()
    y_name: str = "y"
    x_unit: str = ""
    y_unit: str = ""
    config: Any = None
    status: str | None = None
    population: str | None = None
    prior_exposure: tuple[Any, Any] = (None, None)
    registered_outcomes: tuple[str, ...] = ()
    comparability_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready dict (tuples become lists)."""
        d = jsonable({k: v for k, v in dataclasses.asdict(self).items() if k != "config"})
        return d


def jsonable(value: Any) -> Any:
    """JSON-ready copy: dataclasses to dicts, tuples and arrays to lists, numpy scalars to Python,
    NaN and infinities to None, paths to strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, PurePath):
        return str(value)
    return value


def _find_trial(extraction: Any, nct_id: str) -> Any:
    for s in extraction.studies:
        if (getattr(s, "nct_id", None) or "").upper() == nct_id.upper():
            return s
    raise NotFoundError(f"{nct_id} is not among the studies in {getattr(extraction, 'folder', 'extracted')}/"
                        " (studies.csv nct_id)")


def _extremes(items: Sequence[tuple[str, float]]) -> tuple[float | None, tuple[str, ...], float | None, tuple[str, ...]]:
    if not items:
        return None, (), None, ()
    hi = max(v for _, v in items)
    lo = min(v for _, v in items)
    return (hi, tuple(l for l, v in items if v == hi), lo, tuple(l for l, v in items if v == lo))


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _pair(a: float | None, b: float | None) -> tuple[float, float] | None:
    return None if a is None or b is None else (a, b)


def _gap(basis: str, prior: Sequence[PriorStudy], x: tuple, y: tuple, equivalence: Mapping[str, float],
         xname: str = "", yname: str = "") -> RegimenGap:
    xs = [(p.label, p.x) for p in prior if p.x is not None]
    ys = [(p.label, p.y) for p in prior if p.y is not None]
    eq = [(p.label, p.x * equivalence.get(p.group or "", 1.0)) for p in prior if p.x is not None]
    x_hi, x_hi_s, x_lo, x_lo_s = _extremes(xs)
    y_hi, y_hi_s, y_lo, y_lo_s = _extremes(ys)
    e_hi, e_hi_s, _, _ = _extremes(eq)
    t_xlo, t_xhi = x
    t_ylo, t_yhi = y
    return RegimenGap(
        basis=basis,
        x_max=x_hi, x_max_studies=x_hi_s, x_min=x_lo, x_min_studies=x_lo_s,
        x_multiple_of_largest=_pair(_ratio(t_xlo, x_hi), _ratio(t_xhi, x_hi)),
        x_multiple_range=_pair(_ratio(t_xlo, x_hi), _ratio(t_xhi, x_lo)),
        equivalent_x_max=e_hi, equivalent_x_max_studies=e_hi_s,
        equivalent_multiple_of_largest=_pair(_ratio(t_xlo, e_hi), _ratio(t_xhi, e_hi)),
        y_max=y_hi, y_max_studies=y_hi_s, y_min=y_lo, y_min_studies=y_lo_s,
        y_multiple_of_largest=_pair(_ratio(t_ylo, y_hi), _ratio(t_yhi, y_hi)),
        y_multiple_range=_pair(_ratio(t_ylo, y_hi), _ratio(t_yhi, y_lo)),
        studies=tuple(p.label for p in prior),
        x_studies=tuple(l for l, _ in xs), y_studies=tuple(l for l, _ in ys),
        flags=tuple((f"{p.label}:{axis}", text) for p in prior for axis, field in (("x", xname), ("y", yname))
                    if (text := p.flag(field)) and p.label in (x_hi_s + x_lo_s if axis == "x" else y_hi_s + y_lo_s)),
    )


def _prior(extraction: Any, trial_id: str, cfg: Any) -> list[PriorStudy]:
    out = []
    names = [cfg.x, cfg.y, *(f.covariate for f in cfg.floor), *(f"{f.covariate}_high" for f in cfg.floor),
             *(f.fallback for f in cfg.floor if f.fallback), *([cfg.exposures] if cfg.exposures else [])]
    for s in extraction.studies:
        if s.study_id == trial_id or s.status != "completed":
            continue
        flags = tuple((n, text) for n in dict.fromkeys(names)
                      if s.covariates.get(n) is not None and (text := value_flag(extraction, "studies", s.study_id, n)))
        out.append(PriorStudy(s.study_id, s.label, s.design, s.covariates.get(cfg.shape) if cfg.shape else None,
                              s.covariates.get(cfg.x), s.covariates.get(cfg.y), s.n_patients,
                              s.covariates.get(cfg.exposures) if cfg.exposures else None, flags))
    return out


def back_transformed(measure: str, x: Any, ni: Any = None) -> float | None:
    """One value from the analysis scale to the natural one (None for missing or non-finite)."""
    from .project.analyses import back_transformed as _bt

    return _bt(measure, x, ni)


def pooled_estimate(res: Any, ni: Any = None) -> PooledEstimate:
    """The pooled estimate of ``res`` back-transformed, with k and the number of patients.

    Parameters
    ----------
    res : MetaResult
    ni : array_like, optional
        Study sizes of the fitted studies (patients; the Freeman-Tukey back-transform needs them).
    """
    bt = lambda v: back_transformed(res.measure, v, ni)  # noqa: E731
    n = int(np.sum(ni)) if ni is not None and len(ni) else None
    return PooledEstimate(
        estimate=bt(res.estimate), ci_low=bt(res.ci_low), ci_high=bt(res.ci_high),
        pi_low=bt(getattr(res, "pi_low", None)), pi_high=bt(getattr(res, "pi_high", None)),
        k=int(res.k), n_patients=n, method=str(res.method) + (" + Knapp-Hartung" if getattr(res, "knha", False) else ""),
        measure=str(res.measure), level=float(getattr(res, "level", 95.0)), i2=float(res.i2), tau2=float(res.tau2),
        studies=tuple(res.labels),
    )


def _config(extraction: Any) -> Any:
    review = getattr(extraction, "review", None)
    cfg = getattr(review, "situate", None)
    if cfg is None:
        raise InputError("the review declares no trial to situate: add a [situate] table to review.toml "
                         "(trial, x, y)", path=getattr(review, "path", None), field="situate")
    return cfg


def analysis_for_situation(extraction: Any) -> Any:
    """The declared analysis whose estimates the situation quotes (``[situate] analysis``), or None."""
    cfg = _config(extraction)
    review = extraction.review
    if cfg.analysis:
        return review.analysis(cfg.analysis)
    return review.main_analysis


def _floor_value(study: Any, floor: Any) -> tuple[float | None, bool]:
    """(value, ranged): the study's value for one floor condition (the top of a range, or the fallback)."""
    v = study.covariates.get(floor.covariate)
    if v is not None:
        return v, False
    hi = study.covariates.get(f"{floor.covariate}_high")
    if hi is not None:
        return hi, True
    if floor.fallback and study.covariates.get(floor.fallback) is not None:
        return study.covariates[floor.fallback] * floor.fallback_factor, False
    return None, False


def situate_trial(
    extraction: Any,
    nct_id: str | None = None,
    meta_result: Any = None,
    *,
    effects: Any = None,
    min_k: int | None = None,
) -> TrialSituation:
    """Place a trial against the completed studies of ``extraction`` as its ``review.toml`` ``[situate]`` says.

    Parameters
    ----------
    extraction : Extraction
        From :func:`evsynth.extraction.load_extracted` (its ``review`` declares ``[situate]``).
    nct_id : str, optional
        The trial (default: ``[situate] trial``).
    meta_result : MetaResult, optional
        The fit of the prior studies; computed from the declared ``[situate] analysis`` when not
        given. Pass ``effects`` (the :class:`~evsynth.effects.EffectSizes` it was fitted on) with it
        so the Freeman-Tukey back-transform has its ``ni``.
    effects : EffectSizes, optional
    min_k : int, optional
        Fewest studies for a meta-regression prediction (default ``[situate] min_k_metaregression``, 10).

    Returns
    -------
    TrialSituation

    Raises
    ------
    NotFoundError
        No study in ``extraction`` has this NCT id.
    InputError
        No ``[situate]`` in review.toml, or the trial has no ``x``/``y`` values in ``extracted/``.
    """
    cfg = _config(extraction)
    nct_id = nct_id or cfg.trial
    min_k = cfg.min_k_metaregression if min_k is None else min_k
    trial = _find_trial(extraction, nct_id)
    x = trial.range(cfg.x)
    y = trial.range(cfg.y)
    if x == (None, None) or y == (None, None):
        raise InputError(f"{nct_id} has no {cfg.x} or {cfg.y} in studies.csv (review.toml [situate] x, y)",
                         field=cfg.x)
    prior = _prior(extraction, trial.study_id, cfg)
    notes: list[str] = []
    not_placed = tuple(f"{p.label} ({p.design.replace('_', ' ')})" for p in prior if p.x is None or p.y is None)
    all_gap = _gap(f"the {len(prior)} completed studies", prior, x, y, cfg.equivalence, cfg.x, cfg.y)
    scale = cfg.reference_scale
    total = tuple(None if (v is None or scale is None) else v * scale for v in x)
    meets = None
    prior_meeting: list[str] = []
    prior_possibly: list[str] = []
    if cfg.floor:
        def passes(values: Mapping[str, float | None]) -> bool:
            return all(values.get(f.covariate) is not None and values[f.covariate] >= f.minimum for f in cfg.floor)

        lows = {f.covariate: trial.range(f.covariate)[0] for f in cfg.floor}
        for f in cfg.floor:
            if lows[f.covariate] is None and f.fallback and trial.range(f.fallback)[0] is not None:
                lows[f.covariate] = trial.range(f.fallback)[0] * f.fallback_factor
        if all(v is not None for v in lows.values()):
            meets = passes(lows)
        for p in prior:
            s = extraction.study(p.study_id)
            values, ranged = {}, []
            for f in cfg.floor:
                values[f.covariate], r = _floor_value(s, f)
                if r:
                    ranged.append(f)
            if passes(values):
                extra = "".join(f" (at its highest {cfg.x_name if f.fallback == cfg.x and cfg.x_name else 'value'}, "
                                f"{values[f.covariate]:g} {f.unit})".replace(" )", ")") for f in ranged)
                flagged = [f"{_noun(extraction.review, n.removesuffix('_high'))}"
                           f"{' (highest)' if n.endswith('_high') else ''} {text}" for n, text in p.flags
                           if n in {f.covariate for f in cfg.floor} | {f"{f.covariate}_high" for f in ranged}]
                # A study meets the threshold only on values that stand as reported; one whose
                # meeting it rests on a derived or uncertain value is listed apart, with the flag.
                if flagged:
                    prior_possibly.append(f"{p.label}{extra} [{'; '.join(flagged)}]")
                else:
                    prior_meeting.append(p.label + extra)
    es, res = effects, meta_result
    pooled = pooled_gap = None
    if res is None:
        try:
            analysis = analysis_for_situation(extraction)
            if analysis is None:
                raise InputError("no analysis declared in review.toml")
            from .project.analyses import analysis_fit

            es, res = analysis_fit(extraction, analysis)
        except InputError as exc:
            notes.append(f"No pooled estimate: {exc}")
    if res is not None:
        if es is not None:
            pooled = pooled_estimate(res, es.ni)
        elif res.measure != "PFT":
            pooled = pooled_estimate(res)
        else:
            notes.append("No pooled estimate: a Freeman-Tukey fit needs its effect sizes (study sizes) to be "
                         "back-transformed; pass effects=.")
        in_fit = set(res.labels)
        pooled_prior = [p for p in prior if p.label in in_fit]
        pooled_gap = _gap(f"the {len(pooled_prior)} studies in the pooled analysis", pooled_prior, x, y,
                          cfg.equivalence, cfg.x, cfg.y)
    predictions, mr_note = _metaregression(res, prior, x, min_k, cfg)
    from .extraction.vocab import STATUSES

    registered = tuple(o.outcome.replace("_", " ") + (f" ({o.scale})" if o.scale else "")
                       + (f": {o.finding}" if o.finding else "")
                       for o in getattr(extraction, "outcomes", ()) if o.study_id == trial.study_id)
    in_fit = set(res.labels) if res is not None else set()
    return TrialSituation(
        nct_id=nct_id.upper(), trial_label=trial.label, trial_study_id=trial.study_id, x=x, y=y,
        total_at_reference=total, trial_meets_floor=meets, prior_meeting_floor=tuple(prior_meeting),
        prior_possibly_meeting_floor=tuple(prior_possibly),
        prior=tuple(prior), not_placed=not_placed, all_prior=all_gap, pooled_prior=pooled_gap, pooled=pooled,
        prediction=predictions, metaregression_note=mr_note, min_k_metaregression=min_k, notes=tuple(notes),
        x_name=_noun(extraction.review, cfg.x), y_name=_noun(extraction.review, cfg.y),
        x_unit=_unit(extraction.review, cfg.x), y_unit=_unit(extraction.review, cfg.y), config=cfg,
        status=STATUSES.get(trial.status, trial.status), population=trial.population,
        prior_exposure=trial.range(cfg.prior_exposure) if cfg.prior_exposure else (None, None),
        registered_outcomes=registered,
        comparability_note=comparability_note(trial, [p for p in prior if p.label in in_fit], cfg,
                                              extraction),
    )


def situate_from_review(extraction: Any, **kwargs: Any) -> TrialSituation:
    """:func:`situate_trial` for the trial ``review.toml`` names."""
    return situate_trial(extraction, None, **kwargs)


def _xname(cfg: Any) -> str:
    return cfg.x_name or cfg.x.replace("_", " ")


def _metaregression(res: Any, prior: Sequence[PriorStudy], x: tuple, min_k: int, cfg: Any
                    ) -> tuple[tuple[Prediction, ...], str]:
    name = _xname(cfg)
    if res is None:
        return (), "No meta-regression: there is no pooled analysis."
    by_label = {p.label: p for p in prior}
    xv = [by_label[l].x if l in by_label else None for l in res.labels]
    usable = [i for i, v in enumerate(xv) if v is not None]
    k = len(usable)
    if k < min_k:
        return (), (f"No meta-regression on {name}: k = {k} studies with a {name} and an effect size, fewer than "
                    f"the {min_k} the Cochrane Handbook (10.11.5.1) asks for; any {name}-response line would be "
                    "an extrapolation from too few studies.")
    xs = np.array([xv[i] for i in usable], dtype=float)
    if np.ptp(xs) == 0:
        return (), f"No meta-regression on {name}: all {k} studies have the same value."
    from .meta import fit

    yi = np.asarray(res.yi, dtype=float)[usable]
    vi = np.asarray(res.vi, dtype=float)[usable]
    mr = fit(yi, vi, method=res.method, moderators=xs, measure=res.measure, labels=[res.labels[i] for i in usable])
    targets = sorted({d for d in x if d is not None})
    pred = mr.predict(newmods=np.array(targets))
    out = []
    for j, d in enumerate(targets):
        bt = lambda values: back_transformed(res.measure, values[j])  # noqa: E731
        out.append(Prediction(d, bt(pred.estimate), bt(pred.ci_low), bt(pred.ci_high), bt(pred.pi_low),
                              bt(pred.pi_high), k, bool(d > xs.max() or d < xs.min()),
                              (float(xs.min()), float(xs.max()))))
    return tuple(out), (f"Meta-regression on {name} (k = {k}); predictions at the trial's {name} are an "
                        f"extrapolation beyond the studied values." if any(p.extrapolation for p in out)
                        else f"Meta-regression on {name} (k = {k}).")


def _unit(review: Any, name: str) -> str:
    try:
        return review.covariate(name).unit
    except (KeyError, AttributeError):
        return ""


def _noun(review: Any, name: str) -> str:
    cfg = getattr(review, "situate", None)
    if cfg is not None and name == cfg.x and cfg.x_name:
        return cfg.x_name
    if cfg is not None and name == cfg.y and cfg.y_name:
        return cfg.y_name
    try:
        label = review.covariate(name).label
    except (KeyError, AttributeError):
        label = ""
    return (label or name.replace("_", " ")).lower()
