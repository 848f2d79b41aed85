"""The review report: ``out/report.html``, the figures, and ``out/results.json``.

:func:`run_review` runs the shipped review end to end from committed data
(``queries/``, ``extracted/`` and a record store if one exists), offline, in
seconds. :func:`run_situate` writes the evidence map and the trial summary
for one NCT id. :func:`run_prisma` draws the PRISMA 2020 diagram from a store.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .errors import InputError, NetworkError, NotFoundError, ServiceError
from .output import output_folder
from .situate import back_transformed as _bt
from .situate import jsonable as _clean
from .situate import pooled_proportion

__all__ = [
    "REVIEW_REPORTED",
    "ReviewRun",
    "SituateRun",
    "PrismaRun",
    "run_review",
    "build_report",
    "run_situate",
    "run_prisma",
    "evidence_points",
    "situation_map",
    "registry_summary",
]

#: What the review being updated reports about itself (Pastrak et al., Ochsner J 2021;21(4):387-394,
#: PMID 34984054, abstract: "found 7 publications that included 118 patients with fibromyalgia").
#: Used, and labelled as such, only when no record store gives PRISMA counts.
REVIEW_REPORTED = {
    "publications": 7,
    "patients": 118,
    "source": "Pastrak et al. 2021 (PMID 34984054), abstract: 7 publications, 118 patients",
}

_FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class ReviewRun:
    """What :func:`run_review` wrote."""

    out: Path
    report: Path
    results: Path
    figures: dict[str, tuple[Path, ...]]
    data: dict[str, Any]


@dataclass(frozen=True)
class SituateRun:
    """What :func:`run_situate` computed and wrote."""

    situation: Any
    summary: str
    figures: tuple[Path, ...]
    registry: Any
    registry_note: str


@dataclass(frozen=True)
class PrismaRun:
    """What :func:`run_prisma` wrote."""

    counts: Any
    figures: tuple[Path, ...]
    note: str


# --- helpers ------------------------------------------------------------------------------------


def _fit_row(analysis: str, res: Any, ni: Any = None, note: str = "") -> dict[str, Any]:
    """One row of the sensitivity table: the back-transformed pooled estimate of ``res``."""
    row = {"analysis": analysis, **_clean(pooled_proportion(res, ni))}
    row.update({"knha": bool(getattr(res, "knha", False)), "q": float(res.q), "q_p": float(res.q_p), "note": note})
    return row


def _links(study: Any) -> list[dict[str, str]]:
    links = []
    if study.pmid:
        links.append({"text": f"PMID {study.pmid}", "url": f"https://pubmed.ncbi.nlm.nih.gov/{study.pmid}/"})
    if study.doi:
        links.append({"text": f"doi {study.doi}", "url": f"https://doi.org/{study.doi}"})
    if study.nct_id:
        links.append({"text": study.nct_id, "url": f"https://clinicaltrials.gov/study/{study.nct_id}"})
    return links


def _source_url(source: str) -> str | None:
    if source.startswith("PMID:"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{source[5:]}/"
    if source.startswith("doi:"):
        return f"https://doi.org/{source[4:]}"
    if source.startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{source}"
    if source.startswith("seeds/"):
        return None
    return source if source.startswith("http") else f"https://{source}"


def _range_text(pair: tuple[Any, Any]) -> str:
    lo, hi = pair
    if lo is None and hi is None:
        return "—"
    return f"{lo:g}" if lo == hi or hi is None else f"{lo:g}–{hi:g}"


_KEY_STUDY_FIELDS = ("design", "n_patients", "n_planned", "enantiomer", "dose_mg_per_kg", "dose_mg_per_kg_low",
                     "dose_mg_per_kg_high", "total_dose_mg", "infusion_minutes", "infusion_minutes_low",
                     "infusion_minutes_high")


def _study_table(extraction: Any) -> list[dict[str, Any]]:
    """One row per study; ``sources`` gives the provenance of the values the analyses use."""
    rows = []
    for s in extraction.studies:
        keyed = []
        for p in extraction.provenance:
            if p.table == "studies" and p.record_id == s.study_id and p.field in _KEY_STUDY_FIELDS:
                keyed.append((p.field, p))
        for o in extraction.outcomes:
            if o.study_id == s.study_id and o.analysis in ("main", "sensitivity"):
                for p in extraction.provenance:
                    if p.table == "outcomes" and p.record_id == o.outcome_id and p.field in ("events", "total"):
                        keyed.append((f"{o.outcome_id} {p.field}", p))
        rows.append({
            "study_id": s.study_id, "label": s.label, "citation": s.citation, "design": s.design.replace("_", " "),
            "status": s.status, "n_patients": s.n_patients if s.n_patients is not None else s.n_planned,
            "drug": s.drug, "enantiomer": s.enantiomer, "dose": _range_text(s.dose_range()),
            "minutes": _range_text(s.infusion_range()), "n_infusions": s.n_infusions, "in_review": s.in_review,
            "links": _links(s),
            "sources": [{"field": name, "source": p.source, "url": _source_url(p.source), "location": p.location,
                         "derived": p.derived, "uncertain": p.uncertain} for name, p in keyed],
        })
    return rows


def evidence_points(extraction: Any, effects: Any = None, *, exclude: Sequence[str] = ()) -> tuple[list, list[str]]:
    """:class:`~evsynth.plots.evidence_map.MapPoint` for each completed study, and those that cannot be placed.

    The colour (proportion of responders) is the study's row in ``effects``
    (an :class:`~evsynth.effects.EffectSizes` from ``responder_effects``),
    back-transformed; studies without one are drawn hollow.
    """
    from .plots.evidence_map import MapPoint

    effect_of: dict[str, float | None] = {}
    if effects is not None:
        sizes = effects.ni if effects.ni is not None else [None] * len(effects.yi)
        for sid, y, n in zip(effects.study_ids, effects.yi, sizes):
            effect_of[sid] = _bt(effects.measure, y, None if n is None else [n])  # each study with its own n
    points, not_shown = [], []
    for s in extraction.studies:
        if s.status != "completed" or s.study_id in exclude:
            continue
        if s.dose_mg_per_kg is None or s.infusion_minutes is None:
            not_shown.append(f"{s.label} ({s.design.replace('_', ' ')})")
            continue
        points.append(MapPoint(s.label, s.dose_mg_per_kg, s.infusion_minutes, s.n_patients,
                               s.enantiomer or "racemic", effect_of.get(s.study_id)))
    return points, not_shown


def situation_map(extraction: Any, situation: Any, effects: Any = None):
    """The evidence map of a :class:`~evsynth.situate.TrialSituation` (prior studies and the trial's region)."""
    from .plots.evidence_map import TrialRegion, evidence_map

    points, not_shown = evidence_points(extraction, effects, exclude=(situation.trial_study_id,))
    (dlo, dhi), (mlo, mhi) = situation.dose_mg_per_kg, situation.infusion_minutes
    trial = TrialRegion(situation.nct_id, dlo, dhi if dhi is not None else dlo, mlo, mhi if mhi is not None else mlo)
    k = situation.pooled.k if situation.pooled is not None else 0
    note = (f"Colour: proportion of responders shortly after the infusion. Any dose-response line across the gap "
            f"between the prior studies and the trial would be an extrapolation from k = {k} studies.")
    return evidence_map(points, trial=trial, reference_weight_kg=situation.reference_weight_kg, not_shown=not_shown,
                        note=note)


# --- situate / prisma -----------------------------------------------------------------------------


def run_situate(
    nct_id: str = "NCT06916403",
    *,
    folder: str | Path = "extracted",
    out: str | Path = "out",
    settings: Any = None,
    online: bool = True,
    formats: Sequence[str] = _FORMATS,
) -> SituateRun:
    """Situate a trial against ``extracted/``: summary text and ``out/evidence_map.*``.

    The registry record is fetched with :func:`evsynth.search.fetch_trial` when
    ``online``; when the registry cannot be reached the summary says so and the
    regimen comes from ``extracted/`` alone (not an error).
    """
    from .extraction import load_extracted
    from .plots import save_figure
    from .situate import responder_fit, situate_trial, situation_summary

    extraction = load_extracted(folder)
    record, note = None, "registry not queried (offline mode); the regimen comes from extracted/"
    if online:
        try:
            from .search import fetch_trial

            record = fetch_trial(nct_id, settings=settings)
            note = registry_summary(record)
        except (NetworkError, ServiceError, NotFoundError) as exc:
            note = f"registry record not available ({exc.__class__.__name__}: {exc}); the regimen comes from extracted/"
        except ImportError:
            note = "registry client not installed; the regimen comes from extracted/"
    try:
        effects, res = responder_fit(extraction)
    except InputError:  # no responder data: the situation says so, the map draws hollow markers
        effects, res = None, None
    situation = situate_trial(extraction, nct_id, res, effects=effects)
    fig = situation_map(extraction, situation, effects)
    paths = tuple(save_figure(fig, Path(out) / "evidence_map", formats, close=True))
    return SituateRun(situation, situation_summary(situation), paths, record, note)


def registry_summary(record: Any) -> str:
    """One paragraph on a registry record (title, status, enrollment, dates, interventions as registered).

    The regimen used for situating still comes from ``extracted/``; this is what the registry says now,
    for the reader to compare.
    """
    extra = dict(record.extra or {})
    parts = [f"Registry record {record.nct_id or record.source_id}: {record.title or 'no title'}"]
    for key, name in (("status", "status"), ("enrollment", "enrollment"), ("start_date", "start"),
                      ("completion_date", "completion"), ("last_update_posted", "last update")):
        if extra.get(key) not in (None, ""):
            parts.append(f"{name} {extra[key]}")
    for item in extra.get("interventions") or []:
        text = ": ".join(v for v in (item.get("type"), item.get("name")) if v)
        if item.get("description"):
            text += f" — {item['description']}"
        parts.append(f"intervention {text}")
    return "; ".join(parts) + ". The regimen used below comes from extracted/."


def _prisma_from_store(store_path: Path) -> Any:
    from .screening import prisma_counts
    from .store import open_store

    with open_store(store_path) as store:
        return prisma_counts(store)


def run_prisma(store: str | Path, *, out: str | Path = "out", formats: Sequence[str] = _FORMATS) -> PrismaRun:
    """PRISMA 2020 diagram from the store's counts, written to ``out/prisma.*``."""
    from .plots import prisma_diagram, save_figure

    store = Path(store)
    if not store.exists():
        raise NotFoundError(f"no record store at {store}; run a search or an import first (or pass --store)")
    counts = _prisma_from_store(store)
    note = f"Counts from the record store {store.name}."
    fig = prisma_diagram(counts, note=note)
    return PrismaRun(counts, tuple(save_figure(fig, Path(out) / "prisma", formats, close=True)), note)


# --- the review ---------------------------------------------------------------------------------


def _search_section(queries: Path, store_path: Path | None) -> dict[str, Any]:
    section: dict[str, Any] = {"queries": [], "runs": [], "notes": []}
    files = sorted(queries.glob("*.toml")) if queries.is_dir() else []
    if files:
        try:
            from .queries import load_query
        except ImportError:  # the saved-query loader is not installed: quote the files as they are
            load_query = None
        for path in files:
            if load_query is None:
                section["queries"].append({"name": path.stem, "database": "see file", "path": str(path),
                                           "query": path.read_text(encoding="utf-8"), "mindate": None,
                                           "maxdate": None, "datetype": None, "notes": None})
                continue
            q = load_query(path)
            section["queries"].append({
                "name": q.name, "database": q.database, "query": q.query, "mindate": q.mindate,
                "maxdate": q.maxdate, "datetype": q.datetype, "notes": q.notes, "path": str(path),
            })
    if store_path is not None and store_path.exists():
        from .store import open_store

        with open_store(store_path) as store:
            for run in store.search_runs():
                section["runs"].append(_clean({k: getattr(run, k, None) for k in (
                    "run_id", "query_name", "database", "count", "finished")}))
    else:
        section["notes"].append("No record store or committed search snapshot was found, so the search results "
                                "themselves are not part of this report; the saved query text above is what a "
                                "search run (`evsynth search`) would send.")
    return section


def _prisma_section(store_path: Path | None) -> tuple[dict[str, Any], Any]:
    if store_path is not None and store_path.exists():
        counts = _prisma_from_store(store_path)
        return {"source": f"Counts from the record store {store_path.name}.", "unavailable": [],
                "counts": counts.to_dict()}, counts
    fields = ("identified", "duplicates_removed", "screened", "excluded_screening", "sought", "not_retrieved",
              "assessed", "excluded_fulltext", "included_studies")
    counts: dict[str, Any] = {f: None for f in fields}
    counts["identified"] = {}
    counts["included_reports"] = REVIEW_REPORTED["publications"]
    source = (f"No record store was found, so the counts of identification and screening are not available. "
              f"The number of included reports is the one the review being updated reports "
              f"({REVIEW_REPORTED['source']}); it is not recomputed here.")
    return {"source": source, "unavailable": [f.replace("_", " ") for f in fields], "counts": counts}, counts


def _derived_used(report: Any, outcome_ids: Sequence[str]) -> list[Any]:
    """Derived or uncertain counts (events, total) among the outcome rows used."""
    used = set(outcome_ids)
    return [d for d in report.derived if d.table == "outcomes" and d.record_id in used
            and d.field in ("events", "total")]


def _sensitivity(extraction: Any, es: Any, res: Any, main: dict[str, Any], derived_ids: set[str]
                 ) -> tuple[list[dict], list[str], Any]:
    from .effects import responder_effects
    from .meta import fit, leave_one_out

    rows = [main]
    notes: list[str] = []
    rows.append(_fit_row("Knapp-Hartung CI (REML)", fit(es.yi, es.vi, method="REML", knha=True, measure=es.measure,
                                                        labels=list(es.labels)), es.ni))
    for method in ("DL", "PM", "ML", "SJ", "HS", "HE", "EB"):
        try:
            alt = fit(es.yi, es.vi, method=method, measure=es.measure, labels=list(es.labels))
        except (InputError, ValueError) as exc:
            notes.append(f"Estimator {method} not available: {exc}")
            continue
        rows.append(_fit_row(f"Estimator {method}", alt, es.ni))
    pft = responder_effects(extraction, measure="PFT")
    rows.append(_fit_row("Freeman-Tukey double arcsine, REML",
                         fit(pft.yi, pft.vi, method="REML", measure="PFT", labels=list(pft.labels)), pft.ni))
    c67 = responder_effects(extraction, measure=es.measure, cutoff=67)
    changed = [l for l, a, b in zip(c67.labels, c67.outcome_ids, es.outcome_ids) if a != b]
    rows.append(_fit_row("Responder cut-off 67% where reported",
                         fit(c67.yi, c67.vi, method="REML", measure=es.measure, labels=list(c67.labels)), c67.ni,
                         note="uses " + ", ".join(f"{l} ({o})" for l, o in zip(c67.labels, c67.outcome_ids)
                                                  if l in changed)))
    keep = [i for i, o in enumerate(es.outcome_ids) if o not in derived_ids]
    dropped = [es.labels[i] for i in range(len(es.labels)) if i not in keep]
    if dropped and len(keep) >= 2:
        sub = fit(es.yi[keep], es.vi[keep], method="REML", measure=es.measure, labels=[es.labels[i] for i in keep])
        rows.append(_fit_row("Excluding derived or uncertain counts", sub, es.ni[keep], note="omits " + ", ".join(dropped)))
    loo = leave_one_out(res)
    frame = loo.to_frame()
    for _, r in frame.iterrows():
        rows.append({"analysis": f"Omitting {r['omitted']}", "k": int(res.k) - 1, "measure": res.measure,
                     "method": res.method, "knha": False,
                     "estimate": _bt(res.measure, r["estimate"]), "ci_low": _bt(res.measure, r["ci_low"]),
                     "ci_high": _bt(res.measure, r["ci_high"]), "pi_low": None, "pi_high": None,
                     "i2": _clean(r.get("i2")), "tau2": _clean(r.get("tau2")), "q": None, "q_p": None,
                     "studies": [l for l in res.labels if l != r["omitted"]], "note": "leave-one-out"})
    return rows, notes, loo


def _controlled(extraction: Any) -> dict[str, Any] | None:
    from .effects import responder_effects

    try:
        rr = responder_effects(extraction, measure="RR")
    except InputError:
        return None
    out = []
    for label, oid, y, v in zip(rr.labels, rr.outcome_ids, rr.yi, rr.vi):
        half = 1.959963984540054 * math.sqrt(v)
        out.append({"study": label, "outcome_id": oid, "rr": math.exp(y), "ci_low": math.exp(y - half),
                    "ci_high": math.exp(y + half)})
    return {"measure": "RR", "rows": out, "notes": list(rr.notes)}


def build_report(
    folder: str | Path = "extracted",
    *,
    queries: str | Path = "queries",
    store: str | Path | None = None,
    nct_id: str = "NCT06916403",
) -> tuple[dict[str, Any], dict[str, tuple[Any, str]]]:
    """Compute every section of the review report (no files written).

    Returns
    -------
    (dict, dict)
        The results (what ``results.json`` holds) and the figures:
        name → (Figure, caption).
    """
    from .extraction import load_extracted, validate_extracted
    from .meta import cumulative
    from .plots import arm_columns, cumulative_plot, forest_plot, leave_one_out_plot, prisma_diagram
    from .situate import responder_fit, situate_trial, situation_summary

    folder = Path(folder)
    store_path = Path(store) if store is not None else None
    extraction = load_extracted(folder)
    validation = validate_extracted(folder)
    figures: dict[str, tuple[Any, str]] = {}
    trial = next((s for s in extraction.studies if (s.nct_id or "") == nct_id), None)
    data: dict[str, Any] = {
        "title": "Intravenous ketamine for fibromyalgia: update of Pastrak et al. 2021 and the place of "
                 f"{nct_id}",
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "question": (
            "In adults with fibromyalgia, what proportion respond (at least 50% pain reduction) shortly after an "
            "intravenous ketamine infusion, and how does the regimen of "
            f"{nct_id} ({_range_text(trial.dose_range()) if trial else '?'} mg/kg over "
            f"{_range_text(trial.infusion_range()) if trial else '?'} min) compare with the doses and "
            "infusion lengths studied so far?"),
        "inputs": {"extracted": str(folder), "queries": str(queries), "store": str(store_path) if store_path else None},
        "versions": _versions(),
    }
    data["search"] = _search_section(Path(queries), store_path)
    data["prisma"], counts = _prisma_section(store_path)
    figures["prisma"] = (prisma_diagram(counts, note=data["prisma"]["source"]), "PRISMA 2020 flow diagram")
    data["studies"] = _study_table(extraction)
    data["derived"] = [_clean(d) for d in validation.derived]
    data["level"] = 95
    es, res = responder_fit(extraction, measure="PLO", method="REML")
    main = _fit_row("Main: logit proportions, REML", res, es.ni)
    outcome = {o.outcome_id: o for o in extraction.outcomes}
    n_pat = main["n_patients"]
    main.update({"outcome_ids": list(es.outcome_ids), "summary": (
        f"Pooled proportion of responders shortly after a single ketamine infusion: {main['estimate']:.2f} "
        f"(95% CI {main['ci_low']:.2f} to {main['ci_high']:.2f}), k = {res.k} studies, {n_pat} patients; "
        f"random effects (REML) on the logit scale; I² = {res.i2:.0f}%, τ² = {res.tau2:.3f}.")})
    data["main"] = main
    cols = arm_columns("Ketamine", events=[outcome[o].events for o in es.outcome_ids],
                       total=[outcome[o].total for o in es.outcome_ids])
    figures["forest"] = (forest_plot(res, columns=cols, ni=es.ni, label_header="Study",
                                     title="Responders (\u226550% pain reduction) shortly after ketamine"),
                         "Forest plot")
    derived_used = _derived_used(validation, es.outcome_ids)
    derived_ids = {d.record_id for d in derived_used}
    data["sensitivity"], data["sensitivity_notes"], loo = _sensitivity(extraction, es, res, main, derived_ids)
    figures["leave_one_out"] = (leave_one_out_plot(res, loo=loo, title="Leave-one-out"),
                                "Leave-one-out: the pooled proportion omitting each study in turn.")
    years = {s.label: (s.year or 0) for s in extraction.studies}
    order = sorted(range(len(es.labels)), key=lambda i: years.get(es.labels[i], 0))
    figures["cumulative"] = (cumulative_plot(res, cum=cumulative(res, order=order), title="Cumulative, by year"),
                             "Cumulative meta-analysis, studies added by publication year.")
    data["controlled_comparison"] = _controlled(extraction)
    if data["controlled_comparison"]:
        for r in data["controlled_comparison"]["rows"]:
            data["sensitivity_notes"].append(
                f"Controlled comparison ({r['study']}, ketamine vs control, {r['outcome_id']}): risk ratio "
                f"{r['rr']:.2f} (95% CI {r['ci_low']:.2f} to {r['ci_high']:.2f}); the only study with a control arm "
                "reporting responders, so nothing is pooled.")
    data["sensitivity_notes"].append(
        f"Funnel plot, Egger test and meta-regression are not done: k = {res.k}, fewer than the 10 studies the "
        "Cochrane Handbook (10.11.5.1, 13.3.5.4) asks for.")
    situation = situate_trial(extraction, nct_id, res, effects=es)
    data["situation"] = situation.to_dict()
    data["situation_text"] = situation_summary(situation)
    figures["evidence_map"] = (situation_map(extraction, situation, es), "Evidence map")
    data["limitations"] = _limitations(extraction, validation, es, res, situation, n_pat, derived_used,
                                       bool(data["prisma"]["unavailable"]))
    return data, figures


def _limitations(extraction: Any, validation: Any, es: Any, res: Any, situation: Any, n_pat: int,
                 used: Sequence[Any], prisma_missing: bool) -> list[str]:
    out = []
    if used:
        label = {o.outcome_id: extraction.study(o.study_id).label for o in extraction.outcomes}
        parts = [f"{label[d.record_id]} {d.field} ({'derived' if d.derived else 'uncertain'}"
                 + (f": {d.derivation}" if d.derivation else "") + ")" for d in used]
        out.append("Derived values: the pooled analysis uses counts that are derived or uncertain — "
                   + "; ".join(parts) + ". The sensitivity analysis without these studies is shown. "
                   f"In all, {len(validation.derived)} extracted values are derived or uncertain (listed above).")
    out.append(f"Small k: the pooled proportion rests on k = {res.k} studies ({n_pat} patients); heterogeneity "
               "(τ², I²) cannot be estimated reliably from so few studies and the prediction interval is not "
               "informative.")
    in_review = [s for s in extraction.studies if s.in_review]
    known = sum(s.n_patients or 0 for s in in_review)
    out.append(f"The review being updated reports {REVIEW_REPORTED['publications']} publications and "
               f"{REVIEW_REPORTED['patients']} patients; {len(in_review)} are identified here ({known} patients). "
               "The remaining publication could not be identified.")
    designs = sorted({extraction.study(s).design.replace('_', ' ') for s in es.study_ids})
    out.append("The pooled outcome is the ketamine arm only (a single-group proportion), from "
               + ", ".join(designs) + " designs; it is not a comparison with placebo, and responder definitions "
               "and timepoints ('shortly after the infusion') differ between studies.")
    gap = situation.pooled_prior or situation.all_prior
    if gap.dose_multiple_range and gap.minutes_multiple_range:
        out.append(f"Extrapolation: {situation.nct_id} gives {gap.dose_multiple_range[0]:.0f}–"
                   f"{gap.dose_multiple_range[1]:.0f} times the dose and {gap.minutes_multiple_range[0]:.0f}–"
                   f"{gap.minutes_multiple_range[1]:.0f} times the infusion length of the pooled studies; nothing "
                   "here predicts its response rate. " + situation.metaregression_note)
    if prisma_missing:
        out.append("Identification and screening counts are not available (no record store); the PRISMA diagram "
                   "shows only what the review being updated reports.")
    return out


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("evsynth", "numpy", "scipy", "matplotlib", "pandas", "jinja2"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def run_review(
    out: str | Path = "out",
    folder: str | Path = "extracted",
    *,
    queries: str | Path = "queries",
    store: str | Path | None = None,
    nct_id: str = "NCT06916403",
    formats: Sequence[str] = _FORMATS,
) -> ReviewRun:
    """Run the review end to end and write ``out/`` (report.html, results.json, figures/).

    Parameters
    ----------
    out : path
        Output folder, created or replaced whole (:func:`evsynth.output.output_folder`:
        files in it that the review does not write are kept).
    folder : path
        The extracted data (``extracted/``).
    queries : path
        Saved searches (``queries/*.toml``), quoted as search provenance.
    store : path, optional
        Record store for PRISMA counts and search runs; without one the report
        says which counts are unavailable.
    nct_id : str
        The trial to situate.
    formats : sequence of str
        Figure formats (PNG is always written: the report shows it).

    Returns
    -------
    ReviewRun
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    from .plots import save_figure

    out = Path(out)
    data, figures = build_report(folder, queries=queries, store=store, nct_id=nct_id)
    formats = tuple(dict.fromkeys(("png", *formats)))
    written: dict[str, tuple[Path, ...]] = {}
    data["figures"] = {}
    # built in a folder beside out/ and swapped in whole: an error or Ctrl-C leaves the old out/ as it was
    with output_folder(out) as tmp:
        for name, (fig, caption) in figures.items():
            paths = tuple(save_figure(fig, tmp / "figures" / name, formats, dpi=200, close=True))
            written[name] = tuple(out / p.relative_to(tmp) for p in paths)
            entry = {p.suffix.lstrip("."): str(p.relative_to(tmp)) for p in paths}
            entry["caption"] = caption
            data["figures"][name] = entry
        data = _clean(data)
        (tmp / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        env = Environment(loader=PackageLoader("evsynth", "templates"), autoescape=select_autoescape(["html", "j2"]))
        html = env.get_template("report.html.j2").render(r=data)
        (tmp / "report.html").write_text(html, encoding="utf-8")
    return ReviewRun(out, out / "report.html", out / "results.json", written, data)
