"""Where a new trial's regimen sits against the evidence: the numbers behind the evidence map.

:func:`situate_trial` compares the trial's dose (mg/kg) and infusion length
with every completed study in ``extracted/``: the largest and smallest prior
values (and which studies have them), the multiples the trial represents, the
consensus-guideline floor, the pooled responder proportion of the prior
studies and, only when enough studies allow it, a meta-regression prediction
at the trial's dose, labelled as an extrapolation.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Sequence

import numpy as np

from .errors import InputError, NotFoundError

__all__ = [
    "MIN_K_METAREGRESSION",
    "REFERENCE_WEIGHT_KG",
    "S_KETAMINE_POTENCY",
    "GUIDELINE_MINUTES",
    "GUIDELINE_TOTAL_MG",
    "PriorStudy",
    "RegimenGap",
    "PooledProportion",
    "DosePrediction",
    "TrialSituation",
    "situate_trial",
    "situation_summary",
    "pooled_proportion",
    "back_transformed",
    "jsonable",
]

#: Fewest studies for a meta-regression: the Cochrane Handbook (chapter 10.11.5.1) advises that
#: meta-regression "should generally not be considered when there are fewer than ten studies".
MIN_K_METAREGRESSION = 10
#: Body weight (kg) used to turn the guideline's total dose into mg/kg.
REFERENCE_WEIGHT_KG = 70.0
#: ASRA/AAPM/ASA consensus guideline floor (as quoted by the NCT06916403 record): infusion of at
#: least two hours and a total dose of at least 80 mg.
GUIDELINE_MINUTES = 120.0
GUIDELINE_TOTAL_MG = 80.0
#: S-ketamine is roughly twice as potent as racemic ketamine (evidence notes); used only for the
#: racemic-equivalent comparison, which is reported beside the plain mg/kg one.
S_KETAMINE_POTENCY = 2.0
#: How a regimen value is named in sentences.
GUIDELINE_FIELD_NAMES = {"infusion_minutes": "infusion length", "total_dose_mg": "total dose",
                         "total_dose_mg_high": "highest total dose", "dose_mg_per_kg": "dose per kg",
                         "n_infusions": "number of infusions"}


@dataclass(frozen=True)
class PriorStudy:
    """A completed study's regimen as extracted (None = not reported)."""

    study_id: str
    label: str
    design: str
    enantiomer: str | None
    dose_mg_per_kg: float | None
    infusion_minutes: float | None
    total_dose_mg: float | None
    total_dose_mg_high: float | None
    n_patients: int | None
    n_infusions: int | None = None
    #: (field, flag text) for each regimen value that is derived or uncertain in ``provenance.csv``.
    flags: tuple[tuple[str, str], ...] = ()

    def flag(self, field: str) -> str | None:
        """The derived/uncertain flag of ``field`` as text, or None when the value is plain."""
        return next((text for name, text in self.flags if name == field), None)


@dataclass(frozen=True)
class RegimenGap:
    """The trial against a set of prior studies (``basis``).

    Multiples are trial / prior: ``*_multiple_of_largest`` = (trial low, trial high)
    divided by the largest prior value; ``*_multiple_range`` = trial low / largest
    prior to trial high / smallest prior (the whole span).
    """

    basis: str
    dose_max: float | None
    dose_max_studies: tuple[str, ...]
    dose_min: float | None
    dose_min_studies: tuple[str, ...]
    dose_multiple_of_largest: tuple[float, float] | None
    dose_multiple_range: tuple[float, float] | None
    racemic_equivalent_dose_max: float | None
    racemic_equivalent_dose_max_studies: tuple[str, ...]
    racemic_equivalent_multiple_of_largest: tuple[float, float] | None
    minutes_max: float | None
    minutes_max_studies: tuple[str, ...]
    minutes_min: float | None
    minutes_min_studies: tuple[str, ...]
    minutes_multiple_of_largest: tuple[float, float] | None
    minutes_multiple_range: tuple[float, float] | None
    studies: tuple[str, ...]
    #: The studies that report a dose in mg/kg / an infusion length (the values compared).
    dose_studies: tuple[str, ...] = ()
    minutes_studies: tuple[str, ...] = ()
    #: label → flag text for the extremes that rest on a derived or uncertain value.
    flags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PooledProportion:
    """Random-effects pooled proportion of responders, back-transformed."""

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
class DosePrediction:
    """Meta-regression prediction at the trial's dose (an extrapolation when outside the data)."""

    dose_mg_per_kg: float
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float | None
    pi_high: float | None
    k: int
    extrapolation: bool
    data_dose_range: tuple[float, float]


@dataclass(frozen=True)
class TrialSituation:
    """Where a trial stands against the evidence (see :func:`situate_trial`)."""

    nct_id: str
    trial_label: str
    trial_study_id: str
    dose_mg_per_kg: tuple[float | None, float | None]
    infusion_minutes: tuple[float | None, float | None]
    total_dose_mg_at_reference: tuple[float | None, float | None]
    reference_weight_kg: float
    trial_meets_guideline: bool | None
    prior_meeting_guideline: tuple[str, ...]
    prior: tuple[PriorStudy, ...]
    not_placed: tuple[str, ...]
    all_prior: RegimenGap
    pooled_prior: RegimenGap | None
    pooled: PooledProportion | None
    prediction: tuple[DosePrediction, ...]
    metaregression_note: str
    min_k_metaregression: int
    notes: tuple[str, ...]
    status: str | None = None
    population: str | None = None
    prior_infusions: tuple[int | None, int | None] = (None, None)
    registered_outcomes: tuple[str, ...] = ()
    comparability_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready dict (tuples become lists)."""
        return jsonable(self)


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


def _gap(basis: str, prior: Sequence[PriorStudy], dose: tuple, minutes: tuple) -> RegimenGap:
    doses = [(p.label, p.dose_mg_per_kg) for p in prior if p.dose_mg_per_kg is not None]
    mins = [(p.label, p.infusion_minutes) for p in prior if p.infusion_minutes is not None]
    racemic = [(p.label, p.dose_mg_per_kg * (S_KETAMINE_POTENCY if (p.enantiomer or "") == "S" else 1.0))
               for p in prior if p.dose_mg_per_kg is not None]
    d_hi, d_hi_s, d_lo, d_lo_s = _extremes(doses)
    m_hi, m_hi_s, m_lo, m_lo_s = _extremes(mins)
    r_hi, r_hi_s, _, _ = _extremes(racemic)
    t_dlo, t_dhi = dose
    t_mlo, t_mhi = minutes
    return RegimenGap(
        basis=basis,
        dose_max=d_hi, dose_max_studies=d_hi_s, dose_min=d_lo, dose_min_studies=d_lo_s,
        dose_multiple_of_largest=_pair(_ratio(t_dlo, d_hi), _ratio(t_dhi, d_hi)),
        dose_multiple_range=_pair(_ratio(t_dlo, d_hi), _ratio(t_dhi, d_lo)),
        racemic_equivalent_dose_max=r_hi, racemic_equivalent_dose_max_studies=r_hi_s,
        racemic_equivalent_multiple_of_largest=_pair(_ratio(t_dlo, r_hi), _ratio(t_dhi, r_hi)),
        minutes_max=m_hi, minutes_max_studies=m_hi_s, minutes_min=m_lo, minutes_min_studies=m_lo_s,
        minutes_multiple_of_largest=_pair(_ratio(t_mlo, m_hi), _ratio(t_mhi, m_hi)),
        minutes_multiple_range=_pair(_ratio(t_mlo, m_hi), _ratio(t_mhi, m_lo)),
        studies=tuple(p.label for p in prior),
        dose_studies=tuple(l for l, _ in doses), minutes_studies=tuple(l for l, _ in mins),
        flags=tuple((f"{p.label}:{f}", text) for p in prior for f, text in p.flags
                    if (f == "dose_mg_per_kg" and p.label in d_hi_s + d_lo_s)
                    or (f == "infusion_minutes" and p.label in m_hi_s + m_lo_s)),
    )


_REGIMEN_FIELDS = ("dose_mg_per_kg", "infusion_minutes", "total_dose_mg", "total_dose_mg_high", "n_infusions")


def value_flag(extraction: Any, table: str, record_id: str, field: str) -> str | None:
    """"derived, uncertain: <how>" for a value flagged in ``provenance.csv``, else None."""
    for p in getattr(extraction, "provenance", ()):
        if p.table == table and p.record_id == record_id and p.field == field:
            kinds = [k for k, on in (("derived", p.derived), ("uncertain", p.uncertain)) if on]
            if not kinds:
                return None
            why = "; ".join(x for x in (p.derivation, p.note) if x)
            return ", ".join(kinds) + (f": {why}" if why else "")
    return None


def _prior(extraction: Any, trial_id: str) -> list[PriorStudy]:
    out = []
    for s in extraction.studies:
        if s.study_id == trial_id or s.status != "completed":
            continue
        flags = tuple((f, text) for f in _REGIMEN_FIELDS
                      if getattr(s, f) is not None and (text := value_flag(extraction, "studies", s.study_id, f)))
        out.append(PriorStudy(s.study_id, s.label, s.design, s.enantiomer, s.dose_mg_per_kg, s.infusion_minutes,
                              s.total_dose_mg, s.total_dose_mg_high, s.n_patients, s.n_infusions, flags))
    return out


def comparability_note(trial: Any, pooled_prior: Sequence[PriorStudy]) -> str:
    """Why a trial of pre-treated patients cannot be set beside single-treatment responder rates ('' if it can).

    Computed from ``prior_infusions_low/high`` of the trial and ``n_infusions`` of the pooled studies.
    """
    lo, hi = getattr(trial, "prior_infusions_low", None), getattr(trial, "prior_infusions_high", None)
    if not lo and not hi:
        return ""
    prior_txt = f"{lo}" if hi in (None, lo) else f"{lo}\u2013{hi}" if lo is not None else f"{hi}"
    single = [p.label for p in pooled_prior if p.n_infusions == 1]
    unknown = [p.label for p in pooled_prior if p.n_infusions is None]
    more = [f"{p.label} ({p.n_infusions})" for p in pooled_prior if p.n_infusions not in (None, 1)]
    basis = []
    if single:
        basis.append("a single infusion in " + ", ".join(single))
    if more:
        basis.append("several infusions in " + ", ".join(more))
    if unknown:
        basis.append("number of infusions not reported in " + ", ".join(unknown))
    return (f"{trial.label} enrols patients who had already received at least {prior_txt} infusions before the one "
            "it assesses. Patients continue to further infusions when earlier ones were tolerated and helped, so "
            "its response is measured in a group selected by earlier response; the pooled proportion comes from "
            "patients assessed after their first infusion in a study (" + "; ".join(basis) + "; prior infusions "
            "not recorded for any of them). The two proportions answer different questions, and comparing the "
            "trial's responder rate with the pooled single-infusion rate would overstate the effect of an infusion.")


def responder_fit(extraction: Any, *, measure: str = "PLO", method: str = "REML", **kwargs: Any) -> tuple[Any, Any]:
    """Effect sizes and random-effects fit of the review's responder outcome.

    Returns
    -------
    (EffectSizes, MetaResult)
    """
    from .effects import responder_effects
    from .meta import fit

    es = responder_effects(extraction, measure=measure, **kwargs)
    res = fit(es.yi, es.vi, method=method, measure=es.measure, labels=list(es.labels))
    return es, res


def back_transformed(measure: str, x: Any, ni: Any = None) -> float | None:
    """One value from the analysis scale to the natural one (None for missing or non-finite)."""
    from .effects import back_transform

    if x is None or not np.isfinite(x):
        return None
    return float(back_transform(measure, x, ni))


def pooled_proportion(res: Any, ni: Any = None) -> PooledProportion:
    """The pooled estimate of ``res`` back-transformed, with k and the number of patients.

    Parameters
    ----------
    res : MetaResult
    ni : array_like, optional
        Study sizes of the fitted studies (patients; the Freeman-Tukey back-transform needs them).
    """
    bt = lambda v: back_transformed(res.measure, v, ni)  # noqa: E731
    n = int(np.sum(ni)) if ni is not None and len(ni) else None
    return PooledProportion(
        estimate=bt(res.estimate), ci_low=bt(res.ci_low), ci_high=bt(res.ci_high),
        pi_low=bt(getattr(res, "pi_low", None)), pi_high=bt(getattr(res, "pi_high", None)),
        k=int(res.k), n_patients=n, method=str(res.method) + (" + Knapp-Hartung" if getattr(res, "knha", False) else ""),
        measure=str(res.measure), level=float(getattr(res, "level", 95.0)), i2=float(res.i2), tau2=float(res.tau2),
        studies=tuple(res.labels),
    )


def situate_trial(
    extraction: Any,
    nct_id: str = "NCT06916403",
    meta_result: Any = None,
    *,
    effects: Any = None,
    reference_weight_kg: float = REFERENCE_WEIGHT_KG,
    min_k: int = MIN_K_METAREGRESSION,
) -> TrialSituation:
    """Place trial ``nct_id`` against the completed studies of ``extraction``.

    Parameters
    ----------
    extraction : Extraction
        From :func:`evsynth.extraction.load_extracted`; the trial is the study
        whose ``nct_id`` matches, its regimen ``dose_range()`` /
        ``infusion_range()``.
    nct_id : str
    meta_result : MetaResult, optional
        The responder meta-analysis of the prior studies; computed from
        ``extraction`` (logit proportions, REML) when not given. Pass
        ``effects`` (the :class:`~evsynth.effects.EffectSizes` it was fitted
        on) with it so the studies can be named and the Freeman-Tukey
        back-transform has its ``ni``.
    effects : EffectSizes, optional
    reference_weight_kg : float
        Body weight turning the guideline's 80 mg into mg/kg and the trial's
        mg/kg into a total dose.
    min_k : int
        Fewest studies for a meta-regression prediction (default 10).

    Returns
    -------
    TrialSituation

    Raises
    ------
    NotFoundError
        No study in ``extraction`` has this NCT id.
    InputError
        The trial has no dose or duration in ``extracted/``.
    """
    trial = _find_trial(extraction, nct_id)
    dose = trial.dose_range()
    minutes = trial.infusion_range()
    if dose == (None, None) or minutes == (None, None):
        raise InputError(f"{nct_id} has no dose (mg/kg) or infusion length in studies.csv", field="dose_mg_per_kg")
    prior = _prior(extraction, trial.study_id)
    notes: list[str] = []
    not_placed = tuple(f"{p.label} ({p.design.replace('_', ' ')})" for p in prior
                       if p.dose_mg_per_kg is None or p.infusion_minutes is None)
    all_gap = _gap(f"the {len(prior)} completed studies", prior, dose, minutes)
    total = tuple(None if d is None else d * reference_weight_kg for d in dose)
    meets = None
    if dose[0] is not None and minutes[0] is not None:
        meets = bool(minutes[0] >= GUIDELINE_MINUTES and dose[0] * reference_weight_kg >= GUIDELINE_TOTAL_MG)
    prior_meeting = []
    for p in prior:
        # A reported total (or the top of a reported range) counts as is; otherwise mg/kg at the reference weight.
        mg = next((v for v in (p.total_dose_mg, p.total_dose_mg_high) if v is not None), None)
        if mg is None and p.dose_mg_per_kg is not None:
            mg = p.dose_mg_per_kg * reference_weight_kg
        if p.infusion_minutes is not None and mg is not None and p.infusion_minutes >= GUIDELINE_MINUTES \
                and mg >= GUIDELINE_TOTAL_MG:
            ranged = p.total_dose_mg is None and p.total_dose_mg_high is not None
            notes_p = [f"at its highest dose, {mg:g} mg" if ranged else ""]
            notes_p += [f"{GUIDELINE_FIELD_NAMES[f]} {p.flag(f)}" for f in ("infusion_minutes", "total_dose_mg",
                                                                          "total_dose_mg_high") if p.flag(f)]
            notes_p = [n for n in notes_p if n]
            prior_meeting.append(p.label + (f" ({'; '.join(notes_p)})" if notes_p else ""))
    es = effects
    res = meta_result
    pooled = None
    pooled_gap = None
    if res is None:
        try:
            es, res = responder_fit(extraction)
        except InputError as exc:
            notes.append(f"No pooled responder proportion: {exc}")
    if res is not None:
        if es is not None:
            pooled = pooled_proportion(res, es.ni)
        elif res.measure != "PFT":
            pooled = pooled_proportion(res)
        else:
            notes.append("No pooled proportion: a Freeman-Tukey fit needs its effect sizes (study sizes) to be "
                         "back-transformed; pass effects=.")
        in_fit = set(res.labels)
        pooled_prior = [p for p in prior if p.label in in_fit]
        pooled_gap = _gap(f"the {len(pooled_prior)} studies in the pooled responder analysis", pooled_prior,
                          dose, minutes)
    predictions, mr_note = _metaregression(res, prior, dose, min_k)
    from .extraction.vocab import STATUSES

    registered = tuple(f"{o.outcome.replace('_', ' ')}" + (f" ({o.scale})" if o.scale else "")
                       + (f": {o.finding}" if o.finding else "")
                       for o in getattr(extraction, "outcomes", ()) if o.study_id == trial.study_id)
    in_fit = set(res.labels) if res is not None else set()
    return TrialSituation(
        nct_id=nct_id.upper(), trial_label=trial.label, trial_study_id=trial.study_id,
        dose_mg_per_kg=dose, infusion_minutes=minutes, total_dose_mg_at_reference=total,
        reference_weight_kg=reference_weight_kg, trial_meets_guideline=meets,
        prior_meeting_guideline=tuple(prior_meeting), prior=tuple(prior), not_placed=not_placed,
        all_prior=all_gap, pooled_prior=pooled_gap, pooled=pooled, prediction=predictions,
        metaregression_note=mr_note, min_k_metaregression=min_k, notes=tuple(notes),
        status=STATUSES.get(trial.status, trial.status), population=trial.population,
        prior_infusions=(getattr(trial, "prior_infusions_low", None), getattr(trial, "prior_infusions_high", None)),
        registered_outcomes=registered,
        comparability_note=comparability_note(trial, [p for p in prior if p.label in in_fit]),
    )


def _metaregression(res: Any, prior: Sequence[PriorStudy], dose: tuple, min_k: int
                    ) -> tuple[tuple[DosePrediction, ...], str]:
    if res is None:
        return (), "No meta-regression: there is no pooled responder analysis."
    by_label = {p.label: p for p in prior}
    x = [by_label[l].dose_mg_per_kg if l in by_label else None for l in res.labels]
    usable = [i for i, v in enumerate(x) if v is not None]
    k = len(usable)
    if k < min_k:
        return (), (f"No meta-regression on dose: k = {k} studies with a dose and a responder count, fewer than "
                    f"the {min_k} the Cochrane Handbook (10.11.5.1) asks for; any dose-response line would be "
                    "an extrapolation from too few studies.")
    xs = np.array([x[i] for i in usable], dtype=float)
    if np.ptp(xs) == 0:
        return (), f"No meta-regression on dose: all {k} studies used the same dose."
    from .meta import fit

    yi = np.asarray(res.yi, dtype=float)[usable]
    vi = np.asarray(res.vi, dtype=float)[usable]
    mr = fit(yi, vi, method=res.method, moderators=xs, measure=res.measure,
             labels=[res.labels[i] for i in usable])
    targets = sorted({d for d in dose if d is not None})
    pred = mr.predict(newmods=np.array(targets))
    out = []
    for j, d in enumerate(targets):
        bt = lambda values: back_transformed(res.measure, values[j])  # noqa: E731
        out.append(DosePrediction(d, bt(pred.estimate), bt(pred.ci_low), bt(pred.ci_high), bt(pred.pi_low),
                                  bt(pred.pi_high), k, bool(d > xs.max() or d < xs.min()),
                                  (float(xs.min()), float(xs.max()))))
    return tuple(out), (f"Meta-regression on dose (k = {k}); predictions at the trial's dose are an "
                        "extrapolation beyond the studied doses." if any(p.extrapolation for p in out)
                        else f"Meta-regression on dose (k = {k}).")


def _fmt(v: float | None, digits: int = 2) -> str:
    return "not reported" if v is None else f"{v:.{digits}g}" if digits == 0 else f"{v:g}"


def _range(pair: Sequence[float | None], unit: str) -> str:
    lo, hi = pair
    if lo is None and hi is None:
        return "not reported"
    if lo == hi or hi is None:
        return f"{lo:g} {unit}"
    return f"{lo:g}\u2013{hi:g} {unit}"


def _mult(pair: tuple[float, float] | None) -> str:
    if pair is None:
        return "not computable"
    lo, hi = pair
    return f"{lo:.1f}\u00d7" if abs(lo - hi) < 1e-9 else f"{lo:.1f}\u2013{hi:.1f}\u00d7"


def _named(labels: Sequence[str], gap: RegimenGap, field: str) -> str:
    """Study labels, each with its flag when the value is derived or uncertain."""
    flags = dict(gap.flags)
    return ", ".join(l + (f" \u2014 {flags[l + ':' + field]}" if l + ":" + field in flags else "") for l in labels)


def _gap_lines(gap: RegimenGap) -> list[str]:
    lines = [f"Compared with {gap.basis}:"]
    if gap.dose_max is not None:
        lines.append(f"  dose per kg, reported by {len(gap.dose_studies)} of {len(gap.studies)} "
                     f"({', '.join(gap.dose_studies)}): largest prior {gap.dose_max:g} mg/kg "
                     f"({_named(gap.dose_max_studies, gap, 'dose_mg_per_kg')}), smallest "
                     f"{gap.dose_min:g} mg/kg ({_named(gap.dose_min_studies, gap, 'dose_mg_per_kg')}); the trial gives "
                     f"{_mult(gap.dose_multiple_of_largest)} the largest and {_mult(gap.dose_multiple_range)} across "
                     "the prior range")
        if gap.racemic_equivalent_dose_max != gap.dose_max:
            lines.append(f"  racemic-equivalent dose (S-ketamine \u00d7{S_KETAMINE_POTENCY:g}): largest prior "
                         f"{gap.racemic_equivalent_dose_max:g} mg/kg ({', '.join(gap.racemic_equivalent_dose_max_studies)}); "
                         f"the trial gives {_mult(gap.racemic_equivalent_multiple_of_largest)} that")
    else:
        lines.append("  dose: no prior study reports a dose in mg/kg")
    if gap.minutes_max is not None:
        lines.append(f"  infusion length, reported by {len(gap.minutes_studies)} of {len(gap.studies)} "
                     f"({', '.join(gap.minutes_studies)}): longest prior {gap.minutes_max:g} min "
                     f"({_named(gap.minutes_max_studies, gap, 'infusion_minutes')}), "
                     f"shortest {gap.minutes_min:g} min ({_named(gap.minutes_min_studies, gap, 'infusion_minutes')}); "
                     "the trial infuses "
                     f"{_mult(gap.minutes_multiple_of_largest)} the longest and {_mult(gap.minutes_multiple_range)} "
                     "across the prior range")
    else:
        lines.append("  infusion: no prior study reports an infusion length")
    return lines


def situation_summary(s: TrialSituation) -> str:
    """Plain-text summary of a :class:`TrialSituation` (what ``evsynth situate`` prints)."""
    lines = [
        f"{s.nct_id}{'' if s.trial_label == s.nct_id else f' ({s.trial_label})'}: {_range(s.dose_mg_per_kg, 'mg/kg')} over "
        f"{_range(s.infusion_minutes, 'min')}"
        + (f" = {_range(tuple(round(v) if v else v for v in s.total_dose_mg_at_reference), 'mg')} total at "
           f"{s.reference_weight_kg:g} kg" if s.total_dose_mg_at_reference[0] else ""),
    ]
    if s.status:
        lines.append(f"Status: {s.status}.")
    if s.population:
        lines.append(f"Population: {s.population}.")
    for o in s.registered_outcomes:
        lines.append(f"Registered outcome: {o}.")
    if s.comparability_note:
        lines.append("Not comparable with the pooled proportion: " + s.comparability_note)
    if s.trial_meets_guideline is not None:
        lines.append(
            f"Consensus-guideline floor (\u2265 {GUIDELINE_MINUTES / 60:g} h and \u2265 {GUIDELINE_TOTAL_MG:g} mg "
            f"total, at {s.reference_weight_kg:g} kg): the trial {'meets' if s.trial_meets_guideline else 'does not meet'}"
            f" it; prior studies meeting it: {', '.join(s.prior_meeting_guideline) or 'none'}.")
    lines += _gap_lines(s.all_prior)
    if s.pooled_prior is not None and s.pooled_prior.studies != s.all_prior.studies:
        lines += _gap_lines(s.pooled_prior)
    if s.not_placed:
        lines.append("Not placed on the map (dose per kg or infusion length not reported): "
                     + "; ".join(s.not_placed) + ".")
    if s.pooled is not None:
        p = s.pooled
        lines.append(
            f"Pooled proportion of responders in prior studies: {p.estimate:.2f} ({p.level:g}% CI {p.ci_low:.2f} to "
            f"{p.ci_high:.2f}"
            + (f"; prediction interval {p.pi_low:.2f} to {p.pi_high:.2f}" if p.pi_low is not None else "")
            + f"), k = {p.k}" + (f", {p.n_patients} patients" if p.n_patients else "")
            + f", {p.method}, {p.measure} scale, I\u00b2 = {p.i2:.0f}%.")
        if p.pi_low is not None and (p.tau2 == 0 or p.k < 5):
            lines.append("  The prediction interval " + ("equals the CI only because τ² was estimated at 0 (truncated)"
                                                        if p.tau2 == 0 else f"rests on k = {p.k} studies")
                         + "; it does not show that the studies agree.")
        if s.pooled_prior is not None and s.pooled_prior.dose_max is not None and s.pooled_prior.minutes_max is not None:
            g = s.pooled_prior
            lines.append(f"  These studies gave {g.dose_min:g}\u2013{g.dose_max:g} mg/kg over {g.minutes_min:g}\u2013"
                         f"{g.minutes_max:g} min; the pooled proportion describes those regimens, not the trial's.")
    lines.append(s.metaregression_note)
    for pr in s.prediction:
        lines.append(f"  EXTRAPOLATION (k = {pr.k}, studied doses {pr.data_dose_range[0]:g}\u2013"
                     f"{pr.data_dose_range[1]:g} mg/kg): predicted proportion at {pr.dose_mg_per_kg:g} mg/kg "
                     f"{pr.estimate:.2f} (CI {pr.ci_low:.2f} to {pr.ci_high:.2f})" if pr.extrapolation else
                     f"  predicted proportion at {pr.dose_mg_per_kg:g} mg/kg {pr.estimate:.2f} "
                     f"(CI {pr.ci_low:.2f} to {pr.ci_high:.2f}, k = {pr.k})")
    lines += list(s.notes)
    return "\n".join(lines)
