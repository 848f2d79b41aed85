"""Controlled vocabularies and column lists of ``extracted/`` (documented in ``extracted/README.md``)."""

from __future__ import annotations

#: Study designs.
DESIGNS: dict[str, str] = {
    "parallel_rct": "randomised controlled trial, parallel groups",
    "crossover_rct": "randomised controlled trial, crossover",
    "single_arm": "prospective uncontrolled (single-arm) study",
    "case_report": "case report",
    "observational": "observational study (known from its registry record)",
    "registry_record": "trial known only from its registry record, design not stated",
}

#: Ketamine enantiomer (S-ketamine is roughly twice as potent as the racemate).
ENANTIOMERS: dict[str, str] = {
    "racemic": "racemic (R,S)-ketamine",
    "S": "S(+)-ketamine (esketamine)",
}

#: Study status.
STATUSES: dict[str, str] = {
    "completed": "reported results",
    "planned": "registered; no results yet",
}

#: Timepoints (relative to the infusion unless stated).
TIMEPOINTS: dict[str, str] = {
    "end_of_infusion": "at the end of the infusion",
    "15min": "15 min after the infusion",
    "20-80min": "20 to 80 min after the infusion",
    "180min": "180 min after the infusion",
    "over_2.5h": "measurements over 2.5 h after the infusion",
    "2-7d": "2 to 7 days after the infusion",
    "1wk": "end of week 1",
    "8wk": "end of week 8",
    "over_8wk": "measurements over the 8 weeks of follow-up",
    ">1yr": "more than one year after the last infusion",
    "after_infusion": "after the infusion; the source does not state when",
}

#: Outcome scales.
SCALES: dict[str, str] = {
    "VAS": "visual analogue scale for pain, range not stated",
    "VAS 0-100": "visual analogue scale for pain, 0-100 mm",
    "VAS 0-10": "visual analogue scale for pain, 0-10 cm",
    "NRS 0-10": "numeric rating scale for pain, 0-10",
    "FIQ": "Fibromyalgia Impact Questionnaire",
    "FIQ-PF": "Fibromyalgia Impact Questionnaire, physical functioning",
    "BPI": "Brief Pain Inventory",
    "pain-unspecified": "pain intensity or relief; the source does not name the scale",
}

#: Outcome types and what each needs to be usable.
OUTCOME_TYPES: dict[str, str] = {
    "responders": "events/total with the responder definition (e.g. >50% pain reduction)",
    "continuous": "mean/SD/n, or median with IQR or range, or mean with SE or CI",
    "pre-post": "before and after in the same patients (mean_pre/sd_pre and mean/sd, n)",
    "narrative": "a reported finding without numbers (kept so it is not lost; listed as missing)",
}

#: Arms.
ARMS: dict[str, str] = {
    "ketamine": "ketamine (any enantiomer)",
    "placebo": "inert placebo",
    "active_placebo": "active placebo (e.g. midazolam)",
}

#: Role of an outcome row in the analyses (analyst's choice, not a source value).
ANALYSES: dict[str, str] = {
    "main": "the row the study contributes to the main responder analysis",
    "sensitivity": "alternative row used in a sensitivity analysis",
    "secondary": "other timepoints or arms (e.g. the control arm, later timepoints)",
    "none": "not used in a pooled analysis",
}

#: Kinds of sources in sources.csv.
SOURCE_KINDS: dict[str, str] = {
    "review": "the systematic review being updated",
    "article": "a study's own publication (by PMID or DOI)",
    "abstract page": "a web page holding a study's abstract",
    "registry": "a trial registry page",
    "seed": "a seed text file of the review project (seeds/<name>)",
    "secondary": "another web page quoting the study",
}

STUDY_COLUMNS: tuple[str, ...] = (
    "study_id", "label", "citation", "year", "pmid", "doi", "nct_id", "in_review", "design", "status",
    "population", "n_patients", "n_randomised", "n_analysed", "n_planned", "drug", "enantiomer",
    "dose_mg_per_kg", "dose_mg_per_kg_low", "dose_mg_per_kg_high",
    "total_dose_mg", "total_dose_mg_low", "total_dose_mg_high",
    "infusion_minutes", "infusion_minutes_low", "infusion_minutes_high",
    "n_infusions", "regimen", "co_interventions", "comparator", "follow_up", "adverse_events",
    "rob_tool", "rob_judgement",
)

OUTCOME_COLUMNS: tuple[str, ...] = (
    "outcome_id", "study_id", "outcome", "arm", "timepoint", "outcome_type", "scale", "definition",
    "cutoff_percent", "analysis", "events", "total", "mean", "sd", "n", "median", "q1", "q3", "min", "max",
    "se", "ci_lb", "ci_ub", "mean_pre", "sd_pre", "finding",
)

PROVENANCE_COLUMNS: tuple[str, ...] = (
    "table", "record_id", "field", "source", "location", "derived", "uncertain", "derivation", "note",
)

SOURCE_COLUMNS: tuple[str, ...] = ("source", "kind", "citation", "note")

#: Columns that identify or classify a row (analyst's structure) and need no provenance.
STUDY_KEYS: frozenset[str] = frozenset({"study_id", "label"})
OUTCOME_KEYS: frozenset[str] = frozenset({"outcome_id", "study_id", "outcome", "arm", "outcome_type", "analysis"})

#: Study fields reported as missing when empty (ranges count for their point value).
EXPECTED_STUDY_FIELDS: tuple[str, ...] = (
    "citation", "year", "pmid", "doi", "design", "status", "population", "n_patients", "n_randomised",
    "n_analysed", "drug", "enantiomer", "dose_mg_per_kg", "total_dose_mg", "infusion_minutes",
    "n_infusions", "comparator", "follow_up", "adverse_events", "rob_tool", "rob_judgement",
)
