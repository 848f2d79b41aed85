"""The report's sections other than the analyses: question, search, PRISMA, studies, situation, limitations.

Each section is a function of a :class:`ReportContext` that returns its data
(and adds figures to ``ctx.figures``); :data:`SECTIONS` lists them in report
order, so a new section is one function and one entry (and a block in the
template).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ._util import jsonable, links, range_text, shown_path, source_url

__all__ = ["ReportContext", "SECTIONS", "question_section", "search_section", "prisma_section", "studies_section",
           "situation_section", "limitations_section"]


@dataclass
class ReportContext:
    """What the sections read (the review, its data, the store) and what they add (figures, results)."""

    review: Any
    extraction: Any
    validation: Any
    queries: Path
    store: Path | None
    figures: dict[str, tuple[Any, str]] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


def _fill(text: str, ctx: ReportContext) -> str:
    """Placeholders of review.toml text: {trial}, {trial_x}, {trial_y}, {designs}, {cutoffs} (the main analysis'
    responder cut-offs as its rows word them)."""
    values: dict[str, str] = {"trial": "", "trial_x": "?", "trial_y": "?", "designs": ""}
    cfg = ctx.review.situate
    if cfg is not None:
        values["trial"] = cfg.trial
        trial = next((s for s in ctx.extraction.studies if (s.nct_id or "") == cfg.trial), None)
        if trial is not None:
            values["trial_x"] = range_text(trial.range(cfg.x))
            values["trial_y"] = range_text(trial.range(cfg.y))
    main = ctx.data.get("analyses", {}).get(getattr(ctx.review.main_analysis, "id", ""), {})
    designs = sorted({ctx.extraction.study(s["study_id"]).design.replace("_", " ") for s in main.get("studies", [])})
    values["designs"] = ", ".join(designs)
    from ..effects import cutoff_phrase

    values["cutoffs"] = cutoff_phrase(ctx.extraction, main.get("outcome_ids", [])) or "as each study defines it"
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def question_section(ctx: ReportContext) -> dict[str, Any]:
    """The question (with the PICO and the review being updated)."""
    r = ctx.review
    upd = r.updates
    return {"text": _fill(r.question, ctx), "pico": dict(r.pico),
            "updates": None if upd is None else jsonable(upd)}


def search_section(ctx: ReportContext) -> dict[str, Any]:
    """The saved queries quoted, and the search runs of the store (if any)."""
    from ..queries import load_query

    section: dict[str, Any] = {"queries": [], "runs": [], "notes": []}
    files = sorted(ctx.queries.glob("*.toml")) if ctx.queries.is_dir() else []
    for path in files:
        q = load_query(path)
        section["queries"].append({"name": q.name, "database": q.database, "query": q.query, "mindate": q.mindate,
                                   "maxdate": q.maxdate, "datetype": q.datetype, "notes": q.notes, "path": shown_path(path, ctx.review.root)})
    if ctx.store is not None and ctx.store.exists():
        from ..store import open_store

        with open_store(ctx.store) as store:
            for run in store.search_runs():
                section["runs"].append(jsonable({k: getattr(run, k, None) for k in (
                    "run_id", "query_name", "database", "count", "finished")}))
    else:
        section["notes"].append("No record store or committed search snapshot was found, so the search results "
                                "themselves are not part of this report; the saved query text above is what a "
                                "search run (`evsynth search`) would send.")
    return section


def prisma_section(ctx: ReportContext) -> dict[str, Any]:
    """PRISMA 2020 counts; for an update, the previous version's studies beside the identification of new ones.

    From the record store when there is one (included records linked to the extracted studies, mismatches
    reported); without one, the identification counts are "not available", the previous version's count is
    what that review reports, and the new studies are the completed studies of ``extracted/`` it did not include.
    """
    import dataclasses

    from ..plots import prisma_diagram
    from ..screening import link_studies
    from .runs import prisma_from_store

    upd = ctx.review.updates
    previous: dict[str, Any] = {}
    if upd is not None and upd.publications is not None:
        previous = dict(previous_studies=upd.publications, previous_reports=upd.publications,
                        previous_note=upd.source or upd.citation)
    labels = {s.study_id: s.label for s in ctx.extraction.studies}
    if ctx.store is not None and ctx.store.exists():
        from ..store import open_store

        with open_store(ctx.store) as store:
            links = link_studies(store, ctx.extraction.studies)
        counts = dataclasses.replace(prisma_from_store(ctx.store, links.study_of), **previous)
        source = f"Counts from the record store {ctx.store.name}."
        if previous:
            source += f" Studies of the previous version: as that review reports ({previous['previous_note']})."
        out = {"source": source, "unavailable": [], "counts": counts.to_dict(), "problems": counts.problems(),
               "links": links.messages(labels)}
    else:
        fields = ("identified", "duplicates_removed", "screened", "excluded_screening", "sought", "not_retrieved",
                  "assessed", "excluded_fulltext", "included_studies")
        counts: dict[str, Any] = {f: None for f in fields}
        counts["identified"] = {}
        counts.update(previous)
        source = "No record store was found, so the counts of identification and screening are not available."
        if previous:
            new = [s.label for s in ctx.extraction.studies if s.status == "completed" and s.in_review is False]
            counts["included_studies"] = len(new)
            source += (f" Studies of the previous version: as the review being updated reports "
                       f"({previous['previous_note']}); it is not recomputed here. New studies included: the "
                       f"completed studies in extracted/ that the previous version did not include "
                       f"({', '.join(new) or 'none'}).")
        out = {"source": source, "unavailable": [f.replace("_", " ") for f in fields if counts[f] in (None, {})],
               "counts": counts, "problems": [], "links": []}
    ctx.figures["prisma"] = (prisma_diagram(counts, note=out["source"]), "PRISMA 2020 flow diagram")
    return out


def _cell_flag(prov: Any, study_id: str, fields: Any) -> str:
    """"derived", "uncertain", "derived, uncertain" or "" for a studies.csv cell made of ``fields``."""
    rows = [p for p in prov if p.table == "studies" and p.record_id == study_id and p.field in set(fields)]
    kinds = [k for k, on in (("derived", any(p.derived for p in rows)), ("uncertain", any(p.uncertain for p in rows)))
             if on]
    return ", ".join(kinds)


def studies_section(ctx: ReportContext) -> dict[str, Any]:
    """One row per study with the covariates ``show = true`` and the provenance of the values analysed."""
    shown = [c for c in ctx.review.covariates if c.show]
    keyed_fields = {"design", "n_patients", "n_planned"} | {col for c in shown for col in c.columns}
    used_rows = {o.outcome_id for o in ctx.extraction.outcomes if o.analysis in ("main", "sensitivity")}
    numeric = {"events", "total", "mean", "sd", "n", "yi", "vi", "se", "median"}
    prov = ctx.extraction.provenance
    rows = []
    for s in ctx.extraction.studies:
        keyed = [(p.field, p) for p in prov if p.table == "studies" and p.record_id == s.study_id
                 and p.field in keyed_fields]
        for o in ctx.extraction.outcomes:
            if o.study_id == s.study_id and o.outcome_id in used_rows:
                keyed += [(f"{o.outcome_id} {p.field}", p) for p in prov
                          if p.table == "outcomes" and p.record_id == o.outcome_id and p.field in numeric]
        rows.append({
            "study_id": s.study_id, "label": s.label, "citation": s.citation, "design": s.design.replace("_", " "),
            "status": s.status, "n_patients": s.n_patients if s.n_patients is not None else s.n_planned,
            "in_review": s.in_review, "links": links(s),
            "covariates": [range_text(s.range(c.name)) for c in shown],
            # derived/uncertain flag of each shown cell (from provenance.csv), so the table marks it
            "covariate_flags": [_cell_flag(prov, s.study_id, c.columns) for c in shown],
            "n_patients_flag": _cell_flag(prov, s.study_id, ("n_patients",) if s.n_patients is not None
                                          else ("n_planned",)),
            "sources": [{"field": name, "source": p.source, "url": source_url(p.source), "location": p.location,
                         "derived": p.derived, "uncertain": p.uncertain} for name, p in keyed],
        })
    flagged = any(r["n_patients_flag"] or any(r["covariate_flags"]) for r in rows)
    return {"columns": [c.title for c in shown], "rows": rows, "flagged": flagged}


def situation_section(ctx: ReportContext) -> dict[str, Any] | None:
    """Where the declared trial stands (None when review.toml declares no ``[situate]``)."""
    from ..errors import EvsynthError
    from ..situate import situate_trial, situation_summary
    from .runs import situation_map

    cfg = ctx.review.situate
    if cfg is None:
        return None
    main = ctx.data.get("_fits", {}).get(cfg.analysis or getattr(ctx.review.main_analysis, "id", ""))
    es, res = main if main else (None, None)
    try:
        situation = situate_trial(ctx.extraction, cfg.trial, res, effects=es)
    except EvsynthError as exc:
        return {"error": str(exc), "nct_id": cfg.trial}
    ctx.figures["evidence_map"] = (situation_map(ctx.extraction, situation, es), "Evidence map")
    ctx.data["_situation"] = situation
    refs = [{"axis": r.axis, "value": r.value, "label": r.label.replace("\n", " "), "source": r.source}
            for r in cfg.reference_lines]
    return {**situation.to_dict(), "text": situation_summary(situation, ctx.review), "references": refs,
            "floor_label": cfg.floor_label, "floor_source": cfg.floor_source,
            "x_label": ctx.review.covariate(cfg.x).label, "y_label": ctx.review.covariate(cfg.y).label}


def limitations_section(ctx: ReportContext) -> list[str]:
    """Limitations computed from the data, then those ``review.toml`` ``[report] limitations`` states."""
    out: list[str] = []
    main = ctx.data.get("analyses", {}).get(getattr(ctx.review.main_analysis, "id", ""), {})
    used = main.get("derived_used") or []
    if used:
        label = {o.outcome_id: ctx.extraction.study(o.study_id).label for o in ctx.extraction.outcomes}
        parts = [f"{label.get(d['record_id'], d['record_id'])} {d['field']} "
                 f"({'derived' if d['derived'] else 'uncertain'}" + (f": {d['derivation']}" if d["derivation"] else "")
                 + ")" for d in used]
        out.append("Derived values: the pooled analysis uses values that are derived or uncertain — "
                   + "; ".join(parts) + ". The sensitivity analysis without these studies is shown. "
                   f"In all, {len(ctx.validation.derived)} extracted values are derived or uncertain (listed above).")
    k = main.get("k")
    if k is not None and k < 10:
        n_pat = (main.get("main") or {}).get("n_patients")
        out.append(f"Small k: the pooled estimate rests on k = {k} studies" + (f" ({n_pat} patients)" if n_pat else "")
                   + "; heterogeneity (τ², I²) cannot be estimated reliably from so few studies and the prediction "
                   "interval is not informative.")
    upd = ctx.review.updates
    if upd is not None and upd.publications is not None:
        in_review = [s for s in ctx.extraction.studies if s.in_review]
        known = sum(s.n_patients or 0 for s in in_review)
        text = (f"The review being updated reports {upd.publications} publications"
                + (f" and {upd.patients} patients" if upd.patients else "")
                + f"; {len(in_review)} are identified here ({known} patients).")
        missing = upd.publications - len(in_review)
        if missing > 0:
            text += (" The remaining publication could not be identified." if missing == 1
                     else f" The remaining {missing} publications could not be identified.")
        out.append(text)
    out += [_fill(t, ctx) for t in ctx.review.limitations]
    situation = ctx.data.get("_situation")
    cfg = ctx.review.situate
    if situation is not None:
        gap = situation.pooled_prior or situation.all_prior
        if gap.x_multiple_range and gap.y_multiple_range:
            xn = cfg.x_name or ctx.review.covariate(cfg.x).label.lower()
            yn = cfg.y_name or ctx.review.covariate(cfg.y).label.lower()
            out.append(f"Extrapolation: {situation.nct_id} has {gap.x_multiple_range[0]:.0f}–"
                       f"{gap.x_multiple_range[1]:.0f} times the {xn} and {gap.y_multiple_range[0]:.0f}–"
                       f"{gap.y_multiple_range[1]:.0f} times the {yn} of the pooled studies; nothing here predicts "
                       "its result. " + situation.metaregression_note)
    if ctx.data.get("prisma", {}).get("unavailable"):
        out.append("Identification and screening counts of new studies are not available (no record store); the "
                   "PRISMA diagram shows " + ("the previous version's studies as that review reports them and the "
                                              "new studies of extracted/." if upd is not None and upd.publications
                                              is not None else "only what the extraction holds."))
    return out


#: (results.json key, function) in report order; the analyses come between ``studies`` and ``situation``.
SECTIONS: list[tuple[str, Callable[[ReportContext], Any]]] = [
    ("question", question_section),
    ("search", search_section),
    ("prisma", prisma_section),
    ("studies", studies_section),
    ("analyses", None),  # type: ignore[list-item]  # filled by build_report (one section per analysis)
    ("situation", situation_section),
    ("limitations", limitations_section),
]
