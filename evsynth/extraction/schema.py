"""Records of ``extracted/``: validated frozen dataclasses (pydantic v2).

Each class checks one CSV row on its own (types, vocabularies, value ranges);
cross-row and cross-file checks live in :mod:`evsynth.extraction.load`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Optional

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic.dataclasses import dataclass

from .vocab import ANALYSES, ARMS, DESIGNS, ENANTIOMERS, OUTCOME_TYPES, SCALES, SOURCE_KINDS, STATUSES, TIMEPOINTS

#: ``allow_inf_nan=False``: ``nan``, ``inf``, ``-inf``, ``Infinity`` are refused in every float field.
_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

#: What a source may look like: PMID, DOI, NCT id, a seed file, or a web address.
SOURCE_PATTERN = re.compile(
    r"^(PMID:\d+|doi:10\.\S+/\S+|NCT\d{8}|seeds/[\w.-]+|(https?://)?[\w-]+(\.[\w-]+)+(/\S*)?)$"
)


def _in(vocab: dict[str, str], name: str, value: Optional[str]) -> Optional[str]:
    if value is not None and value not in vocab:
        raise ValueError(f"{name} {value!r} is not in the vocabulary ({', '.join(vocab)})")
    return value


def _range_ok(low: Optional[float], high: Optional[float], name: str) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError(f"{name}_low ({low}) is greater than {name}_high ({high})")


@dataclass(frozen=True, config=_CONFIG)
class Study:
    """One study (a row of ``studies.csv``).

    Point values (``dose_mg_per_kg``, ``total_dose_mg``, ``infusion_minutes``)
    are used when the source gives one number; ``*_low``/``*_high`` when it
    gives a range (e.g. the planned trial's 1.5–2 mg/kg). Empty means not
    reported. See ``extracted/README.md`` for every field.
    """

    study_id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: str
    design: str
    status: str
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
    drug: Optional[str] = None
    enantiomer: Optional[str] = None
    dose_mg_per_kg: Optional[float] = Field(default=None, gt=0)
    dose_mg_per_kg_low: Optional[float] = Field(default=None, gt=0)
    dose_mg_per_kg_high: Optional[float] = Field(default=None, gt=0)
    total_dose_mg: Optional[float] = Field(default=None, gt=0)
    total_dose_mg_low: Optional[float] = Field(default=None, gt=0)
    total_dose_mg_high: Optional[float] = Field(default=None, gt=0)
    infusion_minutes: Optional[float] = Field(default=None, gt=0)
    infusion_minutes_low: Optional[float] = Field(default=None, gt=0)
    infusion_minutes_high: Optional[float] = Field(default=None, gt=0)
    n_infusions: Optional[int] = Field(default=None, ge=1)
    regimen: Optional[str] = None
    co_interventions: Optional[str] = None
    comparator: Optional[str] = None
    follow_up: Optional[str] = None
    adverse_events: Optional[str] = None
    rob_tool: Optional[Literal["RoB 2", "ROBINS-I"]] = None
    rob_judgement: Optional[str] = None

    @field_validator("design")
    @classmethod
    def _design(cls, v: str) -> str:
        return _in(DESIGNS, "design", v)  # type: ignore[return-value]

    @field_validator("status")
    @classmethod
    def _status(cls, v: str) -> str:
        return _in(STATUSES, "status", v)  # type: ignore[return-value]

    @field_validator("enantiomer")
    @classmethod
    def _enantiomer(cls, v: Optional[str]) -> Optional[str]:
        return _in(ENANTIOMERS, "enantiomer", v)

    @field_validator("dose_mg_per_kg_high", "total_dose_mg_high", "infusion_minutes_high")
    @classmethod
    def _ranges(cls, v: Optional[float], info: ValidationInfo) -> Optional[float]:
        name = str(info.field_name).removesuffix("_high")
        _range_ok(info.data.get(f"{name}_low"), v, name)
        return v

    def dose_range(self) -> tuple[float | None, float | None]:
        """(low, high) mg/kg: the point value twice, or the reported range."""
        if self.dose_mg_per_kg is not None:
            return self.dose_mg_per_kg, self.dose_mg_per_kg
        return self.dose_mg_per_kg_low, self.dose_mg_per_kg_high

    def infusion_range(self) -> tuple[float | None, float | None]:
        """(low, high) infusion minutes: the point value twice, or the reported range."""
        if self.infusion_minutes is not None:
            return self.infusion_minutes, self.infusion_minutes
        return self.infusion_minutes_low, self.infusion_minutes_high


@dataclass(frozen=True, config=_CONFIG)
class Outcome:
    """One outcome of one arm at one timepoint (a row of ``outcomes.csv``)."""

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
    finding: Optional[str] = None

    @field_validator("arm")
    @classmethod
    def _arm(cls, v: str) -> str:
        return _in(ARMS, "arm", v)  # type: ignore[return-value]

    @field_validator("outcome_type")
    @classmethod
    def _type(cls, v: str) -> str:
        return _in(OUTCOME_TYPES, "outcome_type", v)  # type: ignore[return-value]

    @field_validator("analysis")
    @classmethod
    def _analysis(cls, v: str) -> str:
        return _in(ANALYSES, "analysis", v)  # type: ignore[return-value]

    @field_validator("timepoint")
    @classmethod
    def _timepoint(cls, v: Optional[str]) -> Optional[str]:
        return _in(TIMEPOINTS, "timepoint", v)

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: Optional[str]) -> Optional[str]:
        return _in(SCALES, "scale", v)

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
            raise ValueError(f"source {v!r} is not a PMID:…, doi:…, NCT id, seeds/ file or web address")
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
            raise ValueError(f"source {v!r} is not a PMID:…, doi:…, NCT id, seeds/ file or web address")
        return v

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        return _in(SOURCE_KINDS, "kind", v)  # type: ignore[return-value]
