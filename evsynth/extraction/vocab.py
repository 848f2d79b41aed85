"""The review-independent vocabularies and column lists of ``extracted/``.

Designs, arms, timepoints, scales and the study-level covariates belong to one review and
come from its ``review.toml`` (:mod:`evsynth.project`); what is here holds for every review.
"""

from __future__ import annotations

#: Study status.
STATUSES: dict[str, str] = {
    "completed": "reported results",
    "planned": "registered; not yet recruiting, no results",
    "recruiting": "registered; recruiting, no results yet",
    "active_not_recruiting": "registered; active, not recruiting; results pending",
}

#: Statuses of studies without results (registered trials); never pooled or used as prior evidence.
NO_RESULTS_STATUSES: frozenset[str] = frozenset({"planned", "recruiting", "active_not_recruiting"})

#: Outcome types and what each needs to be usable.
OUTCOME_TYPES: dict[str, str] = {
    "responders": "events/total with the responder definition (e.g. >50% pain reduction)",
    "events": "events/total of any binary outcome (e.g. cases of disease)",
    "continuous": "mean/SD/n, or median with IQR or range, or mean with SE or CI",
    "pre-post": "before and after in the same patients (mean_pre/sd_pre and mean/sd, n)",
    "generic": "an effect size given directly (yi with its sampling variance vi)",
    "narrative": "a reported finding without numbers (kept so it is not lost; listed as missing)",
}

#: Role of an outcome row in the analyses (analyst's choice, not a source value).
ANALYSES: dict[str, str] = {
    "main": "the row the study contributes to the analysis (one per study, arm and outcome)",
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
    "secondary": "another web page quoting the study",
}

#: The fixed identity columns of ``studies.csv``; the review's covariates (``review.toml``) follow them.
STUDY_COLUMNS: tuple[str, ...] = (
    "study_id", "label", "record_ids", "citation", "year", "pmid", "doi", "nct_id", "in_review", "design", "status",
    "population", "n_patients", "n_randomised", "n_analysed", "n_planned", "rob_tool", "rob_judgement",
)

OUTCOME_COLUMNS: tuple[str, ...] = (
    "outcome_id", "study_id", "outcome", "arm", "timepoint", "outcome_type", "scale", "definition",
    "cutoff_percent", "analysis", "events", "total", "mean", "sd", "n", "median", "q1", "q3", "min", "max",
    "se", "ci_lb", "ci_ub", "mean_pre", "sd_pre", "yi", "vi", "finding",
)

#: Columns of ``outcomes.csv`` that may be left out of the header (read as empty).
OPTIONAL_OUTCOME_COLUMNS: frozenset[str] = frozenset({"yi", "vi"})

#: Columns of ``studies.csv`` that may be left out of the header (read as empty).
OPTIONAL_STUDY_COLUMNS: frozenset[str] = frozenset({"record_ids"})

PROVENANCE_COLUMNS: tuple[str, ...] = (
    "table", "record_id", "field", "source", "location", "derived", "uncertain", "derivation", "note",
)

SOURCE_COLUMNS: tuple[str, ...] = ("source", "kind", "citation", "note")

#: Columns that identify or classify a row (analyst's structure) and need no provenance.
STUDY_KEYS: frozenset[str] = frozenset({"study_id", "label", "record_ids"})
OUTCOME_KEYS: frozenset[str] = frozenset({"outcome_id", "study_id", "outcome", "arm", "outcome_type", "analysis"})

#: Fixed study fields reported as missing when empty (covariates: ``expected`` in review.toml).
EXPECTED_STUDY_FIELDS: tuple[str, ...] = (
    "citation", "year", "pmid", "doi", "design", "status", "population", "n_patients", "n_randomised",
    "n_analysed", "rob_tool", "rob_judgement",
)
