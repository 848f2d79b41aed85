"""Records of ``extracted/``: validated frozen dataclasses (pydantic v2).

Each class checks one CSV row on its own (types, vocabularies, value ranges);
cross-row and cross-file checks live in :mod:`evsynth.extraction.load`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Optional

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic.dataclasses import dataclass

from .vocab import ANALYSES, OUTCOME_TYPES, SOURCE_KINDS, STATUSES, STUDY_COLUMNS as FIXED_STUDY_FIELDS

_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)

#: What a source may look like: PMID, DOI, NCT id, or a public web address (never a local path:
#: a reader must be able to open what is cited).
SOURCE_PATTERN = re.compile(
    r"^(PMID:\d+|doi:10\.\S+/\S+|NCT\d{8}|(https?://)?[\w-]+(\.[\w-]+)+(/\S*)?)$"
)


def _in(vocab: dict[str, str], name: str, value: Optional[str]) -> Optional[str]:
    if value is not None and value not in vocab:
        raise ValueError(f"{name} {value!r} is not in the vocabulary ({', '.join(vocab)})")
    return value


@dataclass(frozen=True, config=_CONFIG)
class Study:
    """One study (a row of ``studies.csv``): the fixed identity columns and the review's covariates.

    The covariates are the columns ``review.toml`` declares (``[covariates.NAME]``); they are
    checked by :mod:`evsynth.extraction.load` against their declared type and held in
    ``covariates`` (column → value; empty cells left out). ``study.NAME`` reads one. A ``range``
    covariate has a point value ``NAME`` when the source gives one number and ``NAME_low`` /
    ``NAME_high`` when it gives a range; :meth:`range` returns ``(low, high)`` for either form.
    """

    study_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: str
    design: str
    status: str
    record_ids: Optional[str] = Field(default=None, pattern=r"^[^;\s]+(;[^;\s]+)*$")
    citation: Optional[str] = None
    year: Optional[int] = Field(default=None, ge=1900, le=2100)
    pmid: Optional[str] = Field(default=None, pattern=r"^\d+$")
    doi: Optional[str] = Field(default=None, pattern=r"^10\.\S+/\S+$")
    nct_id: Optional[str] = Field(default=None, pattern=r"^NCT\d{8}$")
    in_review: Optional[bool] = None
    population: Optional[str] = None
    n_patients: Optional[int] = Field(default=None, ge=1)
    n_randomised: Optional[int] = Field(default=None, ge=2)
    n_analysed: Optional[int] = Field(default=None, ge=2)
    n_planned: Optional[int] = Field(default=None, ge=2)
    rob_tool: Optional[Literal["RoB 2", "ROBINS-I"]] = None
    rob_judgement: Optional[str] = None
    covariates: dict[str, Any] = Field(default_factory=dict)

    @field_validator("status")
    @classmethod
    def _status(cls, v: str) -> str:
        return _in(STATUSES, "status", v)  # type: ignore[return-value]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            covariates = object.__getattribute__(self, "covariates")
        except AttributeError:
            raise AttributeError(name) from None
        if name in covariates:
            return covariates[name]
        raise AttributeError(f"{type(self).__name__} has no field or covariate {name!r}")

    def value(self, name: str) -> Any:
        """A fixed field or covariate by name (None when empty or not declared)."""
        if name in self.covariates:
            return self.covariates[name]
        return getattr(self, name, None) if name in FIXED_STUDY_FIELDS else None

    def range(self, name: str) -> tuple[Any, Any]:
        """(low, high) of a covariate: the point value twice, or the reported range."""
        point = self.covariates.get(name)
        if point is not None:
            return point, point
        return self.covariates.get(f"{name}_low"), self.covariates.get(f"{name}_high")


@dataclass(frozen=True, config=_CONFIG)
class Outcome:
    """One outcome of one arm at one timepoint (a row of ``outcomes.csv``).

    ``arm``, ``timepoint`` and ``scale`` are checked against ``review.toml``'s vocabularies by
    :mod:`evsynth.extraction.load`. ``yi``/``vi`` hold an effect size given directly (measure GEN).
    """

    outcome_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]*$")]
    study_id: str
    outcome: str
    arm: str
    outcome_type: str
    analysis: str = "none"
    timepoint: Optional[str] = None
    scale: Optional[str] = None
    definition: Optional[str] = None
    cutoff_percent: Optional[float] = Field(default=None, gt=0, le=100)
    events: Optional[int] = Field(default=None, ge=0)
    total: Optional[int] = Field(default=None, ge=2)
    mean: Optional[float] = None
    sd: Optional[float] = Field(default=None, gt=0)
    n: Optional[int] = Field(default=None, ge=2)
    median: Optional[float] = None
    q1: Optional[float] = None
    q3: Optional[float] = None
    min: Optional[float] = None
    max: Optional[float] = None
    se: Optional[float] = Field(default=None, gt=0)
    ci_lb: Optional[float] = None
    ci_ub: Optional[float] = None
    mean_pre: Optional[float] = None
    sd_pre: Optional[float] = Field(default=None, gt=0)
    yi: Optional[float] = None
    vi: Optional[float] = Field(default=None, gt=0)
    finding: Optional[str] = None

    @field_validator("outcome_type")
    @classmethod
    def _type(cls, v: str) -> str:
        return _in(OUTCOME_TYPES, "outcome_type", v)  # type: ignore[return-value]

    @field_validator("analysis")
    @classmethod
    def _analysis(cls, v: str) -> str:
        return _in(ANALYSES, "analysis", v)  # type: ignore[return-value]

    @field_validator("total")
    @classmethod
    def _events_le_total(cls, v: Optional[int], info: ValidationInfo) -> Optional[int]:
        events = info.data.get("events")
        if v is not None and events is not None and events > v:
            raise ValueError(f"events ({events}) greater than total ({v})")
        return v

    @field_validator("ci_ub")
    @classmethod
    def _ci_order(cls, v: Optional[float], info: ValidationInfo) -> Optional[float]:
        lb = info.data.get("ci_lb")
        if v is not None and lb is not None and lb > v:
            raise ValueError(f"ci_lb ({lb}) greater than ci_ub ({v})")
        return v

    @field_validator("max")
    @classmethod
    def _five_order(cls, v: Optional[float], info: ValidationInfo) -> Optional[float]:
        d = info.data
        five = [x for x in (d.get("min"), d.get("q1"), d.get("median"), d.get("q3"), v) if x is not None]
        if any(b < a for a, b in zip(five, five[1:])):
            raise ValueError("min <= q1 <= median <= q3 <= max does not hold")
        return v


@dataclass(frozen=True, config=_CONFIG)
class Provenance:
    """Where one value came from (a row of ``provenance.csv``)."""

    table: Literal["studies", "outcomes"]
    record_id: str
    field: str
    source: str
    location: Annotated[str, Field(min_length=3)]
    derived: bool = False
    uncertain: bool = False
    derivation: Optional[str] = Field(default=None, validate_default=True)
    note: Optional[str] = None

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if not SOURCE_PATTERN.match(v):
            raise ValueError(f"source {v!r} is not a PMID:…, doi:…, NCT id or public web address (no local paths)")
        return v

    @field_validator("derivation")
    @classmethod
    def _derivation(cls, v: Optional[str], info: ValidationInfo) -> Optional[str]:
        if info.data.get("derived") and not v:
            raise ValueError("a derived value needs its derivation (method)")
        return v


@dataclass(frozen=True, config=_CONFIG)
class Source:
    """A source cited by provenance rows (a row of ``sources.csv``)."""

    source: str
    kind: str
    citation: str
    note: Optional[str] = None

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if not SOURCE_PATTERN.match(v):
            raise ValueError(f"source {v!r} is not a PMID:…, doi:…, NCT id or public web address (no local paths)")
        return v

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        return _in(SOURCE_KINDS, "kind", v)  # type: ignore[return-value]
