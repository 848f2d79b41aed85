"""``evsynth init DIR``: a new review project skeleton, every key of ``review.toml`` documented."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError
from ..output import make_output_folder, output_error
from .load import REVIEW_FILE

__all__ = ["init_project", "REVIEW_TEMPLATE", "QUERY_TEMPLATE"]

#: The commented review.toml ``evsynth init`` writes (it loads as a valid review with one analysis).
REVIEW_TEMPLATE = '''\
# review.toml: the protocol of this review (evsynth). Every key is documented here; keys marked
# "optional" may be deleted. Text values are TOML strings; lists are [..]; tables are [name].
# After editing run `evsynth extract validate --project .` and `evsynth review --project .`.

title = "@TITLE@"                       # the report's title
# The review question in words. {trial}, {trial_x} and {trial_y} are replaced by the trial of
# [situate] and its x / y values, if you declare one.
question = "What is the effect of the intervention on the outcome, compared with control?"

[pico]                                  # optional: shown under the question
population = ""
intervention = ""
comparator = ""
outcome = ""

# optional: the published review this one updates. publications/patients (what it reports about
# itself) are shown in PRISMA when there is no record store.
# [updates]
# citation = "Author A, et al. Title. Journal. 2021;1(1):1-10."
# pmid = "12345678"
# doi = "10.1000/example"
# publications = 7
# patients = 118
# source = "Author 2021 (PMID 12345678), abstract"

# Vocabularies: the values extracted/ may use (value = "meaning"). An empty table allows any value.
[vocabulary.designs]                    # studies.csv design
parallel_rct = "randomised controlled trial, parallel groups"
crossover_rct = "randomised controlled trial, crossover"
cluster_rct = "cluster-randomised trial"
quasi_rct = "controlled trial with alternate or systematic (quasi-random) allocation"
cohort = "cohort study"

[vocabulary.arms]                       # outcomes.csv arm
intervention = "the intervention"
control = "the control (placebo, usual care, no treatment)"

[vocabulary.timepoints]                 # outcomes.csv timepoint
end = "end of follow-up"

[vocabulary.scales]                     # outcomes.csv scale (optional: leave empty for any)

# Study-level covariates: each becomes a column of extracted/studies.csv after the fixed identity
# columns (study_id, label, citation, year, pmid, doi, nct_id, in_review, design, status, population,
# n_patients, n_randomised, n_analysed, n_planned, rob_tool, rob_judgement).
#   type      "number", "integer", "range" (three columns NAME, NAME_low, NAME_high: a point value
#             or a reported range), "category" (needs levels) or "text"
#   label     human-readable name (table headers, axis labels)     unit     e.g. "mg", "degrees"
#   levels    for a category: { value = "meaning", ... }
#   minimum   smallest allowed value; exclusive_minimum = true makes it "greater than"
#   expected  listed as missing by `extract validate` when empty (default true)
#   show      shown as a column of the report's study table (default false)
[covariates.latitude]
type = "number"
label = "Absolute latitude"
unit = "degrees"
minimum = 0
show = true

[covariates.allocation]
type = "category"
label = "Allocation"
levels = { random = "random allocation", alternate = "alternate allocation", systematic = "systematic allocation" }
show = true

# Analyses: one [[analyses]] table per meta-analysis; the report has one section per analysis.
#   id            key in results.json and figure names (lower case)
#   title         heading          report   "main" (the headline analysis; the first by default) or "secondary"
#   outcome_type  rows of outcomes.csv with this outcome_type (events, responders, continuous, pre-post, generic)
#   outcome       optional: rows with these values of the outcome column (a text or a list)
#   arm           the (experimental) arm; control = [..] the control arm(s), for two-group measures
#   timepoint     optional: rows at this timepoint; without it, each study's row whose `analysis`
#                 column (its role) equals `role` (default "main")
#   measure       escalc measure: two-group RR, OR, RD (events/total), MD, SMD, ROM (mean/sd/n);
#                 single-group PR, PLO, PAS, PFT (events/total), MC, SMCC, SMCR (pre-post), GEN (yi/vi)
#   method        tau² estimator: REML (default), DL, PM, ML, HE, SJ, EB, HS, FE (common effect)
#   knha          Knapp-Hartung (t-based) inference (default false)    level   CI level in percent (95)
#   moderators    covariates for a meta-regression (done when k >= 10; bubble plot for one numeric one)
#   subgroup      a category covariate: one pooled estimate per level and the test for differences
#   summary       opening words of the result sentence      effect_label   e.g. "Risk ratio"
#   forest_title, arm_label, control_label, favours = ["Favours intervention", "Favours control"]
#   ({cutoffs} in summary, forest_title and [situate] colour_label becomes the responder cut-offs of the
#    rows used, as each study words them: ">50% or >=50%")
#   notes         sentences added to the section
#   [analyses.sensitivity]  (each optional)
#     knha = true                 the Knapp-Hartung CI as a sensitivity analysis
#     estimators = ["DL", "PM"]   other tau² estimators
#     measures = ["PFT"]          other measures on the same rows
#     alternatives = [{ label = "...", where = { cutoff_percent = 67 } }]   swap in rows with these values
#     exclude_derived = true      without studies whose values are derived or uncertain (provenance.csv)
#     leave_one_out = true        (default true)        cumulative = "year"   cumulative order (a study field or covariate)
#     exclude_high_risk = true    without studies at high overall risk of bias (extracted/rob.csv)
#     later_timepoint = true      each study's next later timepoint where it reports several
#   [analyses.ois]  optional: this analysis's own optimal information size assumptions; any key of
#                   [grade.ois] below, each replacing the review-wide value (e.g. rrr = 0.20)
[[analyses]]
id = "main"
title = "Intervention vs control (risk ratio)"
outcome_type = "events"
arm = "intervention"
control = ["control"]
measure = "RR"
method = "REML"
moderators = ["latitude"]
effect_label = "Risk ratio"

[analyses.sensitivity]
estimators = ["DL"]
leave_one_out = true
cumulative = "year"

# GRADE imprecision: the assumptions of the optimal information size (OIS) the report compares each
# analysis's patients with (the values shown are the defaults; [analyses.ois] overrides them per analysis).
# Every value is a fraction strictly between 0 and 1. The report and results.json
# (grade_signals.<id>.ois_basis and ois_assumptions) state the values used.
[grade.ois]
rrr = 0.25                  # two-group binary measures (RR, OR, RD): the relative risk reduction one
alpha = 0.05                # two-arm trial (1:1) must detect, at significance alpha with this power
power = 0.80                # (GRADE guidelines 6, Guyatt et al. 2011; as R's power.prop.test)
half_width = 0.10           # single-group proportions: estimated within +/- half_width, with 1 - alpha confidence
# control_risk = 0.20       # optional: the control risk of the two-group OIS; without it, the pooled risk
#                           # of the analysis's control arms (control events / control patients)
# control_risk_source = "cohort of Author 2020 (PMID 12345678), table 2"   # required with control_risk

# optional: a trial to place on the evidence (it must be a row of studies.csv with its nct_id).
# [situate]
# trial = "NCT00000000"       # the trial (studies.csv nct_id); `evsynth situate` uses it by default
# x = "dose"                  # a number/range covariate on the (log) x axis
# y = "duration"              # a number/range covariate on the (log) y axis
# x_name = "dose"             # short names in sentences ("3-20 times the dose"); default: the labels
# y_name = "duration"
# shape = "formulation"       # optional category covariate: marker shape (first level circle)
# analysis = "main"           # whose study estimates colour the map and whose pooled estimate is quoted
# equivalence = { slow_release = 2.0 }     # optional: x multiplied per shape level for an "equivalent" x
# equivalence_label = "equivalent dose (slow release x2)"
# reference_scale = 70.0      # optional: x times this = a total (e.g. a per-kilogram dose at 70 kg), in the summary
# reference_scale_unit = "kg"
# total_unit = "mg"
# floor = [                   # a threshold the trial and prior studies are checked against (all must hold);
#   { covariate = "duration", minimum = 120 },   # fallback = "dose", fallback_factor = 70 uses dose x 70
# ]                           # when the covariate itself is empty; unit names the value's unit
# floor_label = "Guideline floor (>= 2 h)"
# floor_source = "doi:10.1000/guideline"
# reference_lines = [{ axis = "y", value = 120, label = "guideline floor", source = "doi:10.1000/guideline" }]
# xlim = [0.1, 10]            # optional axis ranges; default: the data with a margin
# ylim = [1, 1000]
# colour_label = "Proportion" # the colour bar's label
# note = "Footnote; {k} is the number of pooled studies."
# prior_note = "A sentence after the pooled estimate of the prior studies."
# min_k_metaregression = 10   # fewest studies for a meta-regression prediction at the trial's x
# prior_exposure = "prior_doses"   # optional range covariate: treatments the trial's patients had before
# exposures = "n_doses"            # covariate counting treatments in prior studies; with prior_exposure the
# exposure_noun = "doses"          # summary says why pre-treated patients cannot be compared with the pool

# optional: the report's own limitations (the data-driven ones are added by evsynth)
# [report]
# limitations = ["Outcome definitions differ between studies."]

# optional: where the project's files are (defaults shown)
# [folders]
# extracted = "extracted"
# queries = "queries"
# out = "out"
# store = "evsynth.sqlite"
'''

#: A saved PubMed query (see queries/README.md of evsynth for every key).
QUERY_TEMPLATE = '''\
# A saved search: `evsynth search main --project .` runs it, `evsynth update main --project .` re-runs it.
name = "main"
database = "pubmed"           # or "ctgov" (ClinicalTrials.gov)
query = \'\'\'
("condition"[MeSH] OR condition[tiab]) AND (intervention[tiab])
\'\'\'
datetype = "pdat"             # publication date; mindate / maxdate "YYYY/MM/DD" are optional
notes = "Why the query looks like this."
'''


def _headers() -> dict[str, str]:
    from ..extraction.load import FILES
    from ..extraction.vocab import OUTCOME_COLUMNS, PROVENANCE_COLUMNS, SOURCE_COLUMNS, STUDY_COLUMNS

    study = list(STUDY_COLUMNS) + ["latitude", "allocation"]
    return {
        FILES["studies"]: ",".join(study),
        FILES["outcomes"]: ",".join(OUTCOME_COLUMNS),
        FILES["provenance"]: ",".join(PROVENANCE_COLUMNS),
        FILES["sources"]: ",".join(SOURCE_COLUMNS),
    }


def init_project(folder: str | os.PathLike[str], *, title: str | None = None) -> list[Path]:
    """Write a new review project in ``folder``: ``review.toml``, ``extracted/*.csv`` (headers), ``queries/main.toml``.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    InputError
        ``folder`` already holds a ``review.toml`` or an ``extracted/`` (nothing is overwritten).
    OutputError
        ``folder`` (or a folder above it) is a file, or its parent folder does not exist (only
        ``folder`` itself is created).
    """
    root = Path(folder)
    for existing in (root / REVIEW_FILE, root / "extracted", root / "queries" / "main.toml"):
        if existing.exists():
            raise InputError(f"{existing} already exists; `evsynth init` never overwrites a review", path=existing)
    safe = (title or "New review").replace("\\", "\\\\").replace('"', '\\"')
    written = []
    make_output_folder(root)
    for sub in ("extracted", "queries"):
        try:
            (root / sub).mkdir(exist_ok=True)
        except OSError as exc:
            raise output_error(root / sub, exc, what="folder") from None
    path = root / REVIEW_FILE
    path.write_text(REVIEW_TEMPLATE.replace("@TITLE@", safe), encoding="utf-8")
    written.append(path)
    for name, header in _headers().items():
        p = root / "extracted" / name
        p.write_text(header + "\n", encoding="utf-8")
        written.append(p)
    q = root / "queries" / "main.toml"
    q.write_text(QUERY_TEMPLATE, encoding="utf-8")
    written.append(q)
    return written
