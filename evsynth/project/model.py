"""The review protocol (``review.toml``) as frozen dataclasses.

A review is a folder: ``review.toml`` (this model), ``queries/``, ``extracted/``,
the record store and ``out/``. Nothing here names a particular review: every
vocabulary, covariate, analysis and piece of report text comes from the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

__all__ = [
    "Covariate",
    "Sensitivity",
    "Alternative",
    "Analysis",
    "ReferenceLine",
    "Floor",
    "Situate",
    "ReviewRef",
    "OisAssumptions",
    "Review",
    "COVARIATE_TYPES",
]

#: Covariate types: a number, a range (columns ``NAME``, ``NAME_low``, ``NAME_high``), a category with
#: declared levels, an integer count, or free text.
COVARIATE_TYPES = ("number", "integer", "range", "category", "text")


@dataclass(frozen=True)
class Covariate:
    """A study-level covariate: one (or, for a range, three) columns of ``studies.csv``.

    Attributes
    ----------
    name : str
        Column name in ``studies.csv``.
    type : str
        One of :data:`COVARIATE_TYPES`.
    label : str
        Human-readable name (axis labels, table headers).
    unit : str
        Unit shown after values (``""`` when none).
    levels : mapping of str to str
        Allowed values of a category and what each means.
    minimum : float or None
        Smallest allowed value (numbers, ranges, integers); values must be greater (``exclusive``) or equal.
    exclusive_minimum : bool
    expected : bool
        Listed as missing by ``extract validate`` when empty.
    show : bool
        Shown as a column of the report's study table.
    """

    name: str
    type: str = "text"
    label: str = ""
    unit: str = ""
    levels: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    exclusive_minimum: bool = False
    expected: bool = True
    show: bool = False
    description: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        """The ``studies.csv`` columns this covariate occupies."""
        if self.type == "range":
            return (self.name, f"{self.name}_low", f"{self.name}_high")
        return (self.name,)

    @property
    def title(self) -> str:
        """Label with its unit, e.g. ``Latitude (degrees)``."""
        text = self.label or self.name.replace("_", " ")
        return f"{text} ({self.unit})" if self.unit else text


@dataclass(frozen=True)
class Alternative:
    """A sensitivity analysis that swaps in alternative rows (e.g. another responder cut-off).

    Rows of the chosen studies whose fields equal ``where`` (and whose role is the analysis's role or
    ``sensitivity``) replace the rows first chosen.
    """

    label: str
    where: Mapping[str, Any]


@dataclass(frozen=True)
class Sensitivity:
    """Sensitivity analyses of one analysis (each off unless declared)."""

    knha: bool = False
    estimators: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    exclude_derived: bool = False
    leave_one_out: bool = True
    cumulative: str | None = None
    exclude_high_risk: bool = False
    later_timepoint: bool = False


@dataclass(frozen=True)
class OisAssumptions:
    """The assumptions of the optimal information size (GRADE imprecision), ``[grade.ois]`` of ``review.toml``.

    A single-group proportion needs the patients to estimate it within ± ``half_width`` with
    ``1 - alpha`` confidence; a two-group binary comparison needs the patients of one two-arm trial
    (1:1) detecting a relative risk reduction ``rrr`` from ``control_risk`` at significance ``alpha``
    with ``power``.

    Attributes
    ----------
    rrr, alpha, power, half_width : float
        Each strictly between 0 and 1 (defaults 0.25, 0.05, 0.80, 0.10).
    control_risk : float or None
        The control risk; None: the pooled risk of the analysis's control arms (events / patients).
    control_risk_source : str
        Where a declared ``control_risk`` comes from (required with it).
    """

    rrr: float = 0.25
    alpha: float = 0.05
    power: float = 0.80
    half_width: float = 0.10
    control_risk: float | None = None
    control_risk_source: str = ""

    @property
    def level(self) -> float:
        """The confidence level of a proportion's interval, in percent (``100 (1 - alpha)``)."""
        return round(100 * (1 - self.alpha), 10)


@dataclass(frozen=True)
class Analysis:
    """One declared meta-analysis: which rows, which measure, which model.

    Attributes
    ----------
    id : str
        Key (``results.json`` ``analyses.<id>``, figure names).
    title : str
    outcome : tuple of str
        Values of ``outcomes.csv`` ``outcome`` to use (empty = any).
    outcome_type : str or None
        ``outcome_type`` to use (``responders``, ``continuous``, ...; None = any).
    arm : str
        The (experimental) arm; for single-group measures the only one.
    control : tuple of str
        Control arms for two-group measures (the first found at the same outcome and timepoint).
    timepoint : str or None
        None: each study's row with ``role``; a timepoint: the rows at that time.
    role : str
        Role (``analysis`` column) of the rows used.
    measure, method : str
        escalc measure and τ² estimator.
    knha : bool
    level : float
    moderators : tuple of str
        Covariates for a meta-regression (bubble plot for the first numeric one).
    subgroup : str or None
        A category covariate for a subgroup analysis.
    sensitivity : Sensitivity
    role_in_report : str
        ``main`` (the headline analysis) or ``secondary``.
    summary : str
        Opening words of the summary sentence, e.g. ``"Pooled risk ratio of tuberculosis"``.
    effect_label : str
        What the back-transformed estimate is (column header, axis label).
    forest_title, arm_label, favours : str
        Forest-plot title, header of the arm's columns, and the two "favours" labels.
    ois : OisAssumptions
        The optimal information size's assumptions: ``[grade.ois]`` with ``[analyses.ois]`` over it.
    """

    id: str
    title: str = ""
    outcome: tuple[str, ...] = ()
    outcome_type: str | None = None
    arm: str = ""
    control: tuple[str, ...] = ()
    timepoint: str | None = None
    role: str = "main"
    measure: str = "GEN"
    method: str = "REML"
    knha: bool = False
    level: float = 95.0
    moderators: tuple[str, ...] = ()
    subgroup: str | None = None
    sensitivity: Sensitivity = field(default_factory=Sensitivity)
    role_in_report: str = "main"
    summary: str = ""
    effect_label: str = ""
    forest_title: str = ""
    arm_label: str = ""
    control_label: str = ""
    favours: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    ois: OisAssumptions = field(default_factory=OisAssumptions)


@dataclass(frozen=True)
class ReferenceLine:
    """A reference line on the evidence map (e.g. a guideline floor) with its source."""

    axis: str
    value: float
    label: str
    source: str = ""


@dataclass(frozen=True)
class Floor:
    """One condition of a threshold the trial and prior studies are checked against.

    ``covariate >= minimum``; when the covariate is empty, ``fallback × fallback_factor`` is used instead
    (e.g. a per-kilogram dose at a reference weight).
    """

    covariate: str
    minimum: float
    fallback: str | None = None
    fallback_factor: float = 1.0
    unit: str = ""


@dataclass(frozen=True)
class Situate:
    """A trial to place against the evidence and how to draw the evidence map.

    Attributes
    ----------
    trial : str
        The trial's registry id (``studies.csv`` ``nct_id``).
    x, y : str
        Range/number covariates on the map's axes (log scales).
    x_name, y_name : str
        Short names in sentences ("3–20 times the dose"); default: the covariate's label.
    shape : str or None
        Category covariate for the marker shape (first level circle, others triangle).
    analysis : str or None
        Analysis whose back-transformed study estimates colour the markers and whose pooled estimate
        the summary quotes.
    equivalence : mapping
        Multipliers of ``x`` by level of ``shape`` for an "equivalent" comparison (e.g. potency).
    equivalence_label : str
    floor : tuple of Floor
        All conditions of a threshold (e.g. a guideline floor).
    floor_label, floor_source : str
    reference_lines : tuple of ReferenceLine
    reference_scale : float or None
        Multiplier turning ``x`` into a total (e.g. a per-kilogram dose at a reference weight),
        shown as "= ... total at <reference_scale> <reference_scale_unit>" in the summary.
    reference_scale_unit, total_unit : str
    xlim, ylim : tuple of float or None
    colour_label, note, prior_note : str
        Colour-bar label; map footnote (``{k}`` = number of pooled studies); a sentence after the
        pooled estimate in the summary.
    min_k_metaregression : int
    prior_exposure : str or None
        Covariate (range) holding how many treatments the trial's patients had received before the one
        it assesses; with ``exposures`` (the covariate counting treatments in the prior studies) the
        summary says why such pre-treated patients cannot be compared with the pooled estimate.
    exposures : str or None
    exposure_noun : str
        The plural noun of a treatment in sentences ("infusions"); default "treatments".
    """

    trial: str
    x: str
    y: str
    x_name: str = ""
    y_name: str = ""
    shape: str | None = None
    analysis: str | None = None
    equivalence: Mapping[str, float] = field(default_factory=dict)
    equivalence_label: str = ""
    floor: tuple[Floor, ...] = ()
    floor_label: str = ""
    floor_source: str = ""
    reference_lines: tuple[ReferenceLine, ...] = ()
    reference_scale: float | None = None
    reference_scale_unit: str = ""
    total_unit: str = ""
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    colour_label: str = ""
    note: str = ""
    prior_note: str = ""
    min_k_metaregression: int = 10
    prior_exposure: str | None = None
    exposures: str | None = None
    exposure_noun: str = "treatments"


@dataclass(frozen=True)
class ReviewRef:
    """The published review being updated, and what it reports about itself."""

    citation: str = ""
    pmid: str | None = None
    doi: str | None = None
    publications: int | None = None
    patients: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Review:
    """A review project: the protocol in ``review.toml`` and where its files are.

    Attributes
    ----------
    root : Path
        The project folder.
    path : Path
        Its ``review.toml``.
    title, question : str
    pico : mapping of str to str
        population, intervention, comparator, outcome (as declared).
    updates : ReviewRef or None
    designs, arms, timepoints, scales : mapping of str to str
        Vocabularies (value → meaning); empty = any value allowed.
    covariates : tuple of Covariate
    analyses : tuple of Analysis
    situate : Situate or None
    limitations : tuple of str
        Review-specific limitations printed in the report (the generic ones are computed).
    ois : OisAssumptions
        The review-wide optimal information size assumptions (``[grade.ois]``).
    folders : mapping of str to Path
        ``extracted``, ``queries``, ``out`` and ``store``.
    """

    root: Path
    path: Path | None
    title: str
    question: str = ""
    pico: Mapping[str, str] = field(default_factory=dict)
    updates: ReviewRef | None = None
    designs: Mapping[str, str] = field(default_factory=dict)
    arms: Mapping[str, str] = field(default_factory=dict)
    timepoints: Mapping[str, str] = field(default_factory=dict)
    scales: Mapping[str, str] = field(default_factory=dict)
    covariates: tuple[Covariate, ...] = ()
    analyses: tuple[Analysis, ...] = ()
    situate: Situate | None = None
    limitations: tuple[str, ...] = ()
    folders: Mapping[str, Path] = field(default_factory=dict)
    ois: OisAssumptions = field(default_factory=OisAssumptions)

    @property
    def extracted(self) -> Path:
        """The extraction folder."""
        return self.folders.get("extracted", self.root / "extracted")

    @property
    def queries(self) -> Path:
        """The saved-query folder."""
        return self.folders.get("queries", self.root / "queries")

    @property
    def out(self) -> Path:
        """The output folder."""
        return self.folders.get("out", self.root / "out")

    @property
    def store(self) -> Path:
        """The record store."""
        return self.folders.get("store", self.root / "evsynth.sqlite")

    def covariate(self, name: str) -> Covariate:
        """The covariate called ``name`` (``KeyError`` if not declared)."""
        for c in self.covariates:
            if c.name == name:
                return c
        raise KeyError(name)

    def analysis(self, analysis_id: str) -> Analysis:
        """The analysis with this id (``KeyError`` if not declared)."""
        for a in self.analyses:
            if a.id == analysis_id:
                return a
        raise KeyError(analysis_id)

    @property
    def main_analysis(self) -> Analysis | None:
        """The first analysis whose ``role_in_report`` is ``main`` (else the first), or None."""
        for a in self.analyses:
            if a.role_in_report == "main":
                return a
        return self.analyses[0] if self.analyses else None

    @property
    def covariate_columns(self) -> tuple[str, ...]:
        """Every ``studies.csv`` column the covariates occupy, in declaration order."""
        return tuple(col for c in self.covariates for col in c.columns)
