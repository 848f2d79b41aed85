"""The appraisal sections of a review's report, computed from fitted analyses and ``extracted/``.

:func:`appraisal_sections` is what a report builder calls once its analyses are fitted: it
returns the Summary of Findings, heterogeneity with Q-profile CIs, the GRADE signals, the
risk-of-bias table (or its stated absence) with robvis figures, the harms table, every
controlled comparison at every timepoint with its figure, the declared sensitivity analyses that
depend on appraisal data (excluding studies at high risk of bias; the later timepoint), and the
limitations these imply. Every sentence is built from the numbers it states.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..project.model import OisAssumptions
from .grade import grade_signals, load_grade, ois_proportion, ois_two_groups, summary_of_findings
from .harms import NOT_REPORTED, harms_table
from .rob import exclude_high_risk, load_rob

__all__ = ["AnalysisInput", "add_appraisal", "appraisal_sections"]

_PROPORTIONS = ("PR", "PLO", "PAS", "PFT")
_NAMES = {"PR": "proportion", "PLO": "proportion", "PAS": "proportion", "PFT": "proportion", "RR": "risk ratio",
          "OR": "odds ratio", "RD": "risk difference", "SMD": "standardised mean difference",
          "MD": "mean difference", "ROM": "ratio of means"}


@dataclass(frozen=True)
class AnalysisInput:
    """One fitted analysis of the report: its id and words, effect sizes and fit.

    ``comparison`` is False for a single-group pool (e.g. a proportion of one arm), which the
    Summary of Findings labels as not a comparison with a control. ``exclude_high_risk`` and
    ``later_timepoint`` are the declared sensitivity analyses (``[analyses.sensitivity]``); ``ois`` the
    optimal information size's assumptions (``[grade.ois]``, ``[analyses.ois]``; None: the defaults).
    """

    id: str
    outcome: str
    es: Any
    res: Any
    comparison: bool
    exclude_high_risk: bool = True
    later_timepoint: bool = True
    ois: OisAssumptions | None = None


def _back(measure: str, values: Sequence[float], ni: Any = None) -> list[float | None]:
    from ..effects import back_transform

    out = []
    for v in values:
        out.append(None if v is None or not np.isfinite(v) else float(back_transform(measure, v, ni)))
    return out


def _effect(a: AnalysisInput) -> dict[str, Any]:
    res = a.res
    ni = getattr(a.es, "ni", None)
    est, lo, hi, plo, phi = _back(res.measure, [res.estimate, res.ci_low, res.ci_high, res.pi_low, res.pi_high], ni)
    return {"estimate": est, "ci_low": lo, "ci_high": hi, "pi_low": plo, "pi_high": phi,
            "measure": res.measure, "name": _NAMES.get(res.measure, res.measure)}


def _fraction(x: float) -> str:
    """A fraction as the report words it: two decimals when they are exact (0.10, 0.80), else all digits."""
    return f"{x:.2f}" if round(x, 2) == x else f"{x:g}"


def _ois(a: AnalysisInput, effect: dict[str, Any], comparisons: Sequence[Any]
         ) -> tuple[int | None, str, dict[str, Any]]:
    """The optimal information size of one analysis, the words of its basis and the values it assumed."""
    m = a.res.measure
    s = a.ois if a.ois is not None else OisAssumptions()
    if m in _PROPORTIONS and effect["estimate"] is not None:
        p = effect["estimate"]
        return (ois_proportion(p, s.half_width, s.level),
                f"patients to estimate a proportion of {p:.2f} within ±{_fraction(s.half_width)} ({s.level:g}% CI)",
                {"kind": "proportion", "proportion": p, "half_width": s.half_width, "alpha": s.alpha,
                 "level": s.level})
    if m in ("RR", "OR", "RD"):
        if s.control_risk is not None:
            risk, source, origin = s.control_risk, f"{s.control_risk_source}; ", "review.toml"
        else:
            rows = [c for c in comparisons if c.outcome_ids[0] in set(a.es.outcome_ids)]
            ev, tot = sum(c.events_control for c in rows), sum(c.total_control for c in rows)
            if not (tot and 0 < ev < tot):
                return None, "", {}
            risk, source, origin = ev / tot, "", "control arms of the analysis (events / patients)"
        return ois_two_groups(risk, s.rrr, s.alpha, s.power), (
            f"one trial detecting a {s.rrr * 100:g}% relative risk reduction from a control risk of {risk:.3g} "
            f"({source}α {s.alpha:g}, power {_fraction(s.power)})"), {
            "kind": "two groups", "control_risk": risk, "control_risk_from": origin,
            "control_risk_source": s.control_risk_source, "rrr": s.rrr, "alpha": s.alpha, "power": s.power}
    return None, "", {}


def _sensitivity_rows(extraction: Any, a: AnalysisInput, rob: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    res, es = a.res, a.es
    if a.exclude_high_risk:
        out.append(_rob_row(rob, a))
    if a.later_timepoint and res.measure in _PROPORTIONS and es.outcome_ids:
        out.append(_later_row(extraction, a))
    return out


def _rob_row(rob: Any, a: AnalysisInput) -> dict[str, Any]:
    from ..meta import fit

    res, es = a.res, a.es
    ex = exclude_high_risk(rob, list(es.study_ids))
    row: dict[str, Any] = {"analysis": "Excluding studies at high risk of bias", "note": ex.note, "k": None}
    if ex.runnable:
        keep = list(ex.keep)
        sub = fit(np.asarray(es.yi)[keep], np.asarray(es.vi)[keep], method=res.method, measure=res.measure,
                  labels=[es.labels[i] for i in keep])
        ni = None if es.ni is None else np.asarray(es.ni)[keep]
        est, lo, hi = _back(res.measure, [sub.estimate, sub.ci_low, sub.ci_high], ni)
        row.update(k=int(sub.k), estimate=est, ci_low=lo, ci_high=hi)
    return row


def _later_row(extraction: Any, a: AnalysisInput) -> dict[str, Any]:
    from ..effects import later_timepoint_rows, proportion
    from ..meta import fit

    res, es = a.res, a.es
    ids, swaps = later_timepoint_rows(extraction, es.outcome_ids)
    row: dict[str, Any] = {"analysis": "Later timepoint where a study reports several", "k": None,
                           "note": "not needed: no study in this analysis reports a later timepoint"}
    if swaps:
        rows = {o.outcome_id: o for o in extraction.outcomes}
        p = proportion(res.measure, [rows[i].events for i in ids], [rows[i].total for i in ids])
        alt = fit(p.yi, p.vi, method=res.method, measure=res.measure, labels=list(es.labels))
        est, lo, hi = _back(res.measure, [alt.estimate, alt.ci_low, alt.ci_high], p.ni)
        row.update(k=int(alt.k), estimate=est, ci_low=lo, ci_high=hi,
                   note="uses " + ", ".join(f"{s.label} at {s.to_timepoint} (instead of {s.from_timepoint})"
                                            for s in swaps))
    return row


def add_appraisal(data: dict[str, Any], figures: dict[str, tuple[Any, str]], extraction: Any, folder: str | Path,
                  analyses: Sequence[AnalysisInput], **labels: str) -> None:
    """Put :func:`appraisal_sections` into a report's ``data`` and ``figures`` (limitations appended)."""
    sections, figs = appraisal_sections(extraction, folder, analyses, **labels)
    limitations = sections.pop("appraisal_limitations")
    data.update(sections)
    data.setdefault("limitations", [])
    data["limitations"] = list(data["limitations"]) + limitations
    figures.update(figs)


def appraisal_sections(extraction: Any, folder: str | Path, analyses: Sequence[AnalysisInput], *,
                       treatment_label: str = "Intervention", control_label: str = "Control"
                       ) -> tuple[dict[str, Any], dict[str, tuple[Any, str]]]:
    """Every appraisal section of the report, and its figures (name → (Figure, caption)).

    Parameters
    ----------
    extraction : Extraction
    folder : path
        ``extracted/`` (``rob.csv`` and ``grade.csv`` are read from it; both optional).
    analyses : sequence of AnalysisInput
        The fitted analyses, main first.
    treatment_label, control_label : str
        Words for the arms in the controlled-comparison figure.
    """
    from ..effects import controlled_comparisons
    from ..situate import jsonable
    from ..meta.heterogeneity import heterogeneity
    from ..plots import comparisons_plot, rob_summary_plot, rob_traffic_light

    folder = Path(folder)
    ids = [s.study_id for s in extraction.studies]
    labels = {s.study_id: s.label for s in extraction.studies}
    rob = load_rob(folder / "rob.csv", ids)
    ratings = load_grade(folder / "grade.csv", [a.id for a in analyses])
    comparisons = controlled_comparisons(extraction)
    figures: dict[str, tuple[Any, str]] = {}
    data: dict[str, Any] = {"heterogeneity": {}, "grade_signals": {}, "appraisal_sensitivity": {}}
    items = []
    for a in analyses:
        eff = _effect(a)
        ois, basis, assumed = _ois(a, eff, comparisons)
        n = int(np.sum(a.es.ni)) if getattr(a.es, "ni", None) is not None else None
        sig = grade_signals(a.id, a.res, study_ids=list(a.es.study_ids), n_patients=n, effect=eff, rob=rob,
                            ois=ois, ois_basis=basis, ois_assumptions=assumed)
        data["heterogeneity"][a.id] = heterogeneity(a.res).to_dict()
        data["grade_signals"][a.id] = sig.to_dict()
        data["appraisal_sensitivity"][a.id] = _sensitivity_rows(extraction, a, rob)
        effect_text = (f"{eff['name']} {eff['estimate']:.2f} ({a.res.level:g}% CI {eff['ci_low']:.2f} to "
                       f"{eff['ci_high']:.2f})")
        comment = "" if a.comparison else "single-group estimate: not a comparison with a control"
        if a.comparison:
            comment = _other_timepoints(a, comparisons)
        items.append({"analysis": a.id, "outcome": a.outcome, "effect": effect_text, "signals": sig,
                      "comparison": a.comparison, "comment": comment})
    data["summary_of_findings"] = [jsonable(r) for r in summary_of_findings(items, ratings)]
    data["grade_ratings"] = {k: jsonable(v) for k, v in ratings.items()}
    with_results = [s for s in extraction.studies if s.status == "completed"]
    data["risk_of_bias"] = {
        "assessed": bool(rob.judgements),
        "rows": rob.summary([(s.study_id, s.label) for s in with_results]),
        "not_assessed": [s.label for s in with_results if not rob.of(s.study_id)],
        "path": f"{folder.name}/rob.csv",  # as the reader knows it, not a path on this machine
    }
    for tool in dict.fromkeys(j.tool for j in rob.judgements):
        slug = tool.lower().replace(" ", "_").replace("-", "_")
        figures[f"rob_{slug}"] = (rob_traffic_light(rob, tool=tool, labels=labels), f"Risk of bias ({tool})")
        figures[f"rob_{slug}_summary"] = (rob_summary_plot(rob, tool=tool), f"Risk of bias summary ({tool})")
    review = getattr(extraction, "review", None)
    declared = review is None or "adverse_events" in {c.name for c in getattr(review, "covariates", ())}
    data["harms"] = [jsonable(h) for h in harms_table(extraction)] if declared else []
    data["harms_note"] = "" if declared else ("The review extracts no adverse events (review.toml declares no "
                                              "adverse_events covariate).")
    data["controlled"] = {
        "rows": [dict(jsonable(c), counts=c.counts()) for c in comparisons],
        "note": ("Every comparison of an intervention arm with a control arm at every timepoint extracted; rows "
                 "are not pooled across timepoints of one study."),
    }
    if comparisons:
        figures["controlled"] = (comparisons_plot(comparisons, treatment=treatment_label, control=control_label,
                                                  title="All controlled comparisons, every timepoint"),
                                 "Every controlled comparison at every extracted timepoint (not pooled).")
    data["appraisal_limitations"] = _limitations(data, ratings, analyses)
    return data, figures


def _other_timepoints(a: AnalysisInput, comparisons: Sequence[Any]) -> str:
    """The analysed comparison at every timepoint its studies report (the fit uses one per study)."""
    used = set(a.es.outcome_ids)
    fitted = [c for c in comparisons if c.outcome_ids[0] in used]
    in_fit, outcomes = {c.study_id for c in fitted}, {c.outcome for c in fitted}
    rows = [c for c in comparisons if c.study_id in in_fit and c.outcome in outcomes]
    if len({(c.study_id, c.timepoint) for c in rows}) <= len(in_fit):
        return ""
    level = f"{a.res.level:g}"
    parts = [f"{c.label} {c.timepoint or 'timepoint not stated'}: {c.counts()}, {c.measure} {c.estimate:.2f} "
             f"({level}% CI {c.ci_low:.2f} to {c.ci_high:.2f})" + (" (analysed)" if c.outcome_ids[0] in used else "")
             for c in rows]
    return (f"{len(rows)} timepoints of this comparison are extracted (the analysis uses one per study; "
            f"they are not pooled): " + "; ".join(parts))


def _limitations(data: dict[str, Any], ratings: dict[str, Any], analyses: Sequence[AnalysisInput]) -> list[str]:
    out = []
    rob = data["risk_of_bias"]
    if rob["not_assessed"]:
        n, total = len(rob["not_assessed"]), len(rob["rows"])
        out.append(f"Risk of bias not assessed for {n} of the {total} studies with results "
                   f"({', '.join(rob['not_assessed'])}): rob.csv holds no judgement for them (judgements are entered only "
                   "where a source states them), so the certainty of the evidence cannot account for bias.")
    unrated = [a.id for a in analyses if a.id not in ratings]
    if unrated:
        out.append("Certainty of evidence (GRADE) not rated for: " + ", ".join(unrated)
                   + "; the signals evsynth computes are shown, the rating is the reviewers'.")
    if data.get("harms_note"):
        out.append("Harms: " + data["harms_note"])
    silent = [h["label"] for h in data["harms"] if h["reported"] == NOT_REPORTED]
    if silent:
        out.append(f"Harms not reported for {len(silent)} studies with results ({', '.join(silent)}).")
    return out
