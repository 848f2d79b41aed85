"""Reading and validating ``extracted/`` (studies, outcomes, provenance, sources).

:func:`validate_extracted` checks every file completely and reports all errors
at once (each naming file, row and column), what is missing and what is
derived; :func:`load_extracted` returns the data or raises
:class:`~evsynth.errors.InputErrors`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import pandas as pd
from pydantic import ValidationError

from .._csvread import read_csv_file
from ..errors import InputError, InputErrors
from .schema import Outcome, Provenance, Source, Study
from .covariates import check_covariates, check_vocabularies, expected_covariates, review_for
from .vocab import (
    EXPECTED_STUDY_FIELDS,
    NO_RESULTS_STATUSES,
    STATUSES,
    OPTIONAL_OUTCOME_COLUMNS,
    OPTIONAL_STUDY_COLUMNS,
    OUTCOME_COLUMNS,
    OUTCOME_KEYS,
    PROVENANCE_COLUMNS,
    SOURCE_COLUMNS,
    STUDY_COLUMNS,
    STUDY_KEYS,
)

FILES = {"studies": "studies.csv", "outcomes": "outcomes.csv", "provenance": "provenance.csv", "sources": "sources.csv"}
_COLUMNS = {"studies": STUDY_COLUMNS, "outcomes": OUTCOME_COLUMNS, "provenance": PROVENANCE_COLUMNS,
            "sources": SOURCE_COLUMNS}
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0", ""}


@dataclass(frozen=True)
class MissingValue:
    """A value the extraction lacks (``table``, ``record_id``, ``field``, why it matters)."""

    table: str
    record_id: str
    field: str
    reason: str = "not reported in the sources"


@dataclass(frozen=True)
class DerivedValue:
    """A value that was computed or inferred, or is flagged uncertain."""

    table: str
    record_id: str
    field: str
    value: str
    derived: bool
    uncertain: bool
    derivation: str | None
    source: str
    location: str


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of :func:`validate_extracted`.

    Attributes
    ----------
    folder : str
    errors : tuple of InputError
        Every problem found (empty when the folder is valid).
    missing : tuple of MissingValue
    derived : tuple of DerivedValue
    n_studies, n_outcomes, n_provenance : int
    """

    folder: str
    errors: tuple[InputError, ...]
    missing: tuple[MissingValue, ...]
    derived: tuple[DerivedValue, ...]
    n_studies: int = 0
    n_outcomes: int = 0
    n_provenance: int = 0

    @property
    def ok(self) -> bool:
        """True when there are no errors."""
        return not self.errors

    def raise_for_errors(self) -> None:
        """Raise :class:`InputErrors` listing every error, if any."""
        if self.errors:
            raise InputErrors(list(self.errors))

    def missing_frame(self) -> pd.DataFrame:
        """Missing values as a table."""
        return pd.DataFrame([dataclasses.asdict(m) for m in self.missing],
                            columns=["table", "record_id", "field", "reason"])

    def derived_frame(self) -> pd.DataFrame:
        """Derived or uncertain values as a table."""
        cols = [f.name for f in dataclasses.fields(DerivedValue)]
        return pd.DataFrame([dataclasses.asdict(d) for d in self.derived], columns=cols)


@dataclass(frozen=True)
class Extraction:
    """The validated contents of ``extracted/``.

    Attributes
    ----------
    studies : tuple of Study
    outcomes : tuple of Outcome
    provenance : tuple of Provenance
    sources : tuple of Source
    folder : str
    review : Review
        The protocol the folder was checked against (``review.toml``).
    """

    studies: tuple[Study, ...]
    outcomes: tuple[Outcome, ...]
    provenance: tuple[Provenance, ...]
    sources: tuple[Source, ...]
    folder: str = "extracted"
    review: Any = None

    def study(self, study_id: str) -> Study:
        """The study with this id (``KeyError`` if none)."""
        for s in self.studies:
            if s.study_id == study_id:
                return s
        raise KeyError(study_id)

    def studies_frame(self) -> pd.DataFrame:
        """One row per study, columns as ``studies.csv``."""
        covs = tuple(self.review.covariate_columns) if self.review is not None else ()
        rows = []
        for s in self.studies:
            row = {k: v for k, v in dataclasses.asdict(s).items() if k != "covariates"}
            row.update(s.covariates)
            rows.append(row)
        frame = pd.DataFrame(rows, columns=list(STUDY_COLUMNS) + list(covs))
        ints = ["year", "n_patients", "n_randomised", "n_analysed", "n_planned"]
        if self.review is not None:
            ints += [c.name for c in self.review.covariates if c.type == "integer"]
        return _nullable_ints(frame, ints)

    def outcomes_frame(self) -> pd.DataFrame:
        """One row per outcome, columns as ``outcomes.csv`` plus the study label."""
        frame = pd.DataFrame([dataclasses.asdict(o) for o in self.outcomes], columns=list(OUTCOME_COLUMNS))
        frame = _nullable_ints(frame, ("events", "total", "n"))
        labels = {s.study_id: s.label for s in self.studies}
        frame.insert(2, "label", frame["study_id"].map(labels))
        return frame

    def provenance_frame(self) -> pd.DataFrame:
        """One row per sourced value."""
        return pd.DataFrame([dataclasses.asdict(p) for p in self.provenance], columns=list(PROVENANCE_COLUMNS))

    def provenance_of(self, table: str, record_id: str, field: str) -> Provenance:
        """Where one value came from (``KeyError`` if it has no provenance)."""
        for p in self.provenance:
            if (p.table, p.record_id, p.field) == (table, record_id, field):
                return p
        raise KeyError((table, record_id, field))


def _nullable_ints(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for c in columns:
        frame[c] = frame[c].astype("Int64")
    return frame


# --- reading ----------------------------------------------------------------------------------


def _read_rows(path: Path, columns: Sequence[str], errors: list[InputError], optional: frozenset[str] = frozenset(),
               why: str = "", unreadable: set[Path] | None = None) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) for each data row; problems go to ``errors``.

    Read with the shared strict reader (:mod:`evsynth._csvread`): UTF-8 only, quotes closed,
    one-line cells, every row as wide as the header. A file that cannot be read completely
    (missing, an open quote, a byte that is not UTF-8, a row of the wrong width) is added to
    ``unreadable``, so checks across files that rely on its rows can be skipped.
    """
    unreadable = set() if unreadable is None else unreadable
    try:
        table = read_csv_file(path)
    except InputError as exc:  # missing, unreadable, or malformed quoting: nothing after it can be trusted
        errors.append(exc)
        unreadable.add(path)
        return []
    if table.errors:
        unreadable.add(path)
    errors.extend(table.errors)
    if not table.header:
        errors.append(InputError("file is empty", path=path, line=1))
        return []
    header = [h.strip() for h in table.header]
    for c in columns:
        if c not in header and c not in optional:
            errors.append(InputError("required column missing" + why, path=path, line=1, field=c))
    for c in header:
        if c not in columns:
            errors.append(InputError("unknown column" + why, path=path, line=1, field=c))
    return [(row.line, {h: c.strip() for h, c in zip(header, row.cells) if h in columns}) for row in table.rows]


def _clean(row: dict[str, str], bool_fields: Sequence[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if v == "":
            continue
        if k in bool_fields:
            low = v.lower()
            out[k] = True if low in _TRUE else False if low in _FALSE else v
        else:
            out[k] = v
    return out


def _build(cls: type, rows: list[tuple[int, dict[str, str]]], path: Path, errors: list[InputError],
           bool_fields: Sequence[str] = ()) -> list[tuple[int, dict[str, str], Any]]:
    built = []
    for number, row in rows:
        try:
            built.append((number, row, cls(**_clean(row, bool_fields))))
        except ValidationError as exc:
            for err in exc.errors():
                loc = err.get("loc") or ()
                field = str(loc[0]) if loc else None
                msg = err.get("msg", "invalid value").removeprefix("Value error, ")
                if field and field in row:
                    msg = f"{msg} (value {row[field]!r})"
                errors.append(InputError(msg, path=path, line=number, field=field))
    return built


def _duplicates(built: list[tuple[int, dict[str, str], Any]], key: str, path: Path,
                errors: list[InputError]) -> None:
    seen: dict[str, int] = {}
    for number, _row, rec in built:
        value = getattr(rec, key)
        if value in seen:
            errors.append(InputError(f"duplicate {key} {value!r} (first on row {seen[value]})", path=path,
                                     line=number, field=key))
        else:
            seen[value] = number


def _require_folder(folder: Path) -> None:
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "no such folder"
        raise InputError(
            f"{what}: the review's extracted data (studies.csv, outcomes.csv, provenance.csv, "
            "sources.csv) is expected here; run from the project folder or pass --folder",
            path=folder)


def _check_folder(folder: Path, review: Any) -> tuple[list[InputError], dict[str, list[tuple[int, dict[str, str], Any]]]]:
    errors: list[InputError] = []
    paths = {name: folder / fname for name, fname in FILES.items()}
    columns = dict(_COLUMNS)
    columns["studies"] = tuple(STUDY_COLUMNS) + tuple(review.covariate_columns)
    why = {"studies": (" (studies.csv has the fixed identity columns and the covariates declared in "
                       f"{review.path or 'review.toml'} [covariates])"), "outcomes": ""}
    unreadable: set[Path] = set()
    raw = {name: _read_rows(paths[name], columns[name], errors,
                            OPTIONAL_OUTCOME_COLUMNS if name == "outcomes" else
                            OPTIONAL_STUDY_COLUMNS if name == "studies" else frozenset(), why.get(name, ""),
                            unreadable)
           for name in FILES}
    read_errors = list(errors)  # the cause, listed first; checks that would only echo it are skipped
    cannot = {name for name in FILES if paths[name] in unreadable}
    fixed_rows = [(n, {k: v for k, v in row.items() if k in STUDY_COLUMNS}) for n, row in raw["studies"]]
    covariates = check_covariates(review, raw["studies"], paths["studies"], errors)
    check_vocabularies(review, raw["studies"], raw["outcomes"], paths, errors)
    built = {
        "studies": [(n, row, dataclasses.replace(rec, covariates=covariates.get(n, {})))
                    for (n, row, rec) in _build(Study, fixed_rows, paths["studies"], errors, ("in_review",))],
        "outcomes": _build(Outcome, raw["outcomes"], paths["outcomes"], errors),
        "provenance": _build(Provenance, raw["provenance"], paths["provenance"], errors, ("derived", "uncertain")),
        "sources": _build(Source, raw["sources"], paths["sources"], errors),
    }
    _duplicates(built["studies"], "study_id", paths["studies"], errors)
    _duplicates(built["outcomes"], "outcome_id", paths["outcomes"], errors)
    _duplicates(built["sources"], "source", paths["sources"], errors)
    # outcome rows must point at a known study (checked on the raw ids so bad study rows still count)
    study_ids = {row.get("study_id", "") for _n, row in raw["studies"]}
    for number, row, _rec in built["outcomes"] if "studies" not in cannot else ():
        if row["study_id"] not in study_ids:
            errors.append(InputError(f"unknown study_id {row['study_id']!r}", path=paths["outcomes"], line=number,
                                     field="study_id"))
    # provenance: every value has one, every provenance row points at a value, sources are listed
    values: dict[tuple[str, str, str], tuple[int, str]] = {}
    for table, idcol, keys in (("studies", "study_id", STUDY_KEYS), ("outcomes", "outcome_id", OUTCOME_KEYS)):
        for number, row in raw[table]:
            for col, text in row.items():
                if col not in keys and text != "":
                    values[(table, row.get(idcol, ""), col)] = (number, text)
    known_sources = {row.get("source", "") for _n, row in raw["sources"]}
    provided: dict[tuple[str, str, str], int] = {}
    for number, row, rec in built["provenance"]:
        key = (rec.table, rec.record_id, rec.field)
        if key in provided:
            errors.append(InputError(f"duplicate provenance for {rec.table}/{rec.record_id}/{rec.field} "
                                     f"(first on row {provided[key]})", path=paths["provenance"], line=number,
                                     field="field"))
            continue
        provided[key] = number
        if key not in values and rec.table not in cannot:
            errors.append(InputError(f"provenance for a value that is empty or does not exist: "
                                     f"{rec.table}/{rec.record_id}/{rec.field}", path=paths["provenance"],
                                     line=number, field="field"))
        if rec.source not in known_sources and "sources" not in cannot:
            errors.append(InputError(f"source {rec.source!r} is not listed in {FILES['sources']}",
                                     path=paths["provenance"], line=number, field="source"))
    for (table, _rid, col), (number, _text) in sorted(values.items(), key=lambda kv: (kv[0][0], kv[1][0], kv[0][2])):
        if (table, _rid, col) not in provided and "provenance" not in cannot:
            errors.append(InputError("value without provenance (add a row to provenance.csv)", path=paths[table],
                                     line=number, field=col))
    first = {id(e) for e in read_errors}
    errors.sort(key=lambda e: (id(e) not in first, str(e.path or ""), e.line or 0))
    return errors, built


def _missing(studies: Sequence[Study], outcomes: Sequence[Outcome], review: Any) -> list[MissingValue]:
    out: list[MissingValue] = []
    covs = expected_covariates(review)
    for s in studies:
        for name in (*EXPECTED_STUDY_FIELDS[:-2], *covs, *EXPECTED_STUDY_FIELDS[-2:]):
            if name in covs:
                if s.range(name) != (None, None):
                    continue
            elif getattr(s, name) is not None:
                continue
            if name == "n_randomised" and "rct" not in s.design:
                continue
            if name == "n_analysed" and s.status in NO_RESULTS_STATUSES:
                continue
            if name == "comparator" and s.design in ("case_report", "single_arm"):
                continue
            out.append(MissingValue("studies", s.study_id, name))
        if s.status in NO_RESULTS_STATUSES:
            out.append(MissingValue("outcomes", s.study_id, "*", f"{STATUSES[s.status]}: no results yet"))
    for o in outcomes:
        if o.outcome_type in ("responders", "events"):
            for name in ("events", "total", "definition", "timepoint"):
                if getattr(o, name) is None:
                    out.append(MissingValue("outcomes", o.outcome_id, name))
        elif o.outcome_type in ("continuous", "pre-post"):
            usable = o.n is not None and o.mean is not None and (
                o.sd is not None or o.se is not None or (o.ci_lb is not None and o.ci_ub is not None))
            usable = usable or (o.n is not None and o.median is not None and (
                (o.q1 is not None and o.q3 is not None) or (o.min is not None and o.max is not None)))
            if o.outcome_type == "pre-post":
                usable = usable and o.mean_pre is not None
            if not usable:
                out.append(MissingValue("outcomes", o.outcome_id, "mean/sd/n",
                                        "no usable numbers (mean with SD, SE or CI; or median with IQR or range)"))
        elif o.outcome_type == "generic":
            for name in ("yi", "vi"):
                if getattr(o, name) is None:
                    out.append(MissingValue("outcomes", o.outcome_id, name))
        else:
            out.append(MissingValue("outcomes", o.outcome_id, "numbers",
                                    f"narrative finding only: {o.finding or '(none)'}"))
    return out


def _derived(extraction_rows: dict[str, list[tuple[int, dict[str, str], Any]]]) -> list[DerivedValue]:
    values: dict[tuple[str, str, str], str] = {}
    for table, idcol in (("studies", "study_id"), ("outcomes", "outcome_id")):
        for _n, row, rec in extraction_rows[table]:
            for col, text in row.items():
                values[(table, row.get(idcol, ""), col)] = text
            for col, value in (getattr(rec, "covariates", None) or {}).items():  # covariates are parsed apart
                values[(table, row.get(idcol, ""), col)] = f"{value:g}" if isinstance(value, float) else str(value)
    out = []
    for _n, _row, p in extraction_rows["provenance"]:
        if p.derived or p.uncertain:
            out.append(DerivedValue(p.table, p.record_id, p.field, values.get((p.table, p.record_id, p.field), ""),
                                    p.derived, p.uncertain, p.derivation, p.source, p.location))
    return out


def validate_extracted(folder: str | os.PathLike[str] = "extracted", review: Any = None) -> ValidationReport:
    """Check ``folder`` completely: schema, vocabularies, ranges, ids, provenance.

    Parameters
    ----------
    folder : path
        The extraction folder (``studies.csv``, ``outcomes.csv``, ``provenance.csv``, ``sources.csv``).
    review : Review, optional
        The protocol (vocabularies, covariates); default: the ``review.toml`` of the folder's
        parent, else no vocabularies and no covariates.

    Returns
    -------
    ValidationReport
        All errors (each with file, row and column), missing and derived values.
    """
    folder = Path(folder)
    _require_folder(folder)
    review = review_for(folder, review)
    errors, built = _check_folder(folder, review)
    studies = [rec for _n, _r, rec in built["studies"]]
    outcomes = [rec for _n, _r, rec in built["outcomes"]]
    return ValidationReport(
        folder=str(folder),
        errors=tuple(errors),
        missing=tuple(_missing(studies, outcomes, review)),
        derived=tuple(_derived(built)),
        n_studies=len(studies),
        n_outcomes=len(outcomes),
        n_provenance=len(built["provenance"]),
    )


def load_extracted(folder: str | os.PathLike[str] = "extracted", review: Any = None) -> Extraction:
    """Load and validate ``folder`` (against ``review``, as :func:`validate_extracted`).

    Raises
    ------
    InputErrors
        Listing every problem, when the folder is not valid.
    """
    folder = Path(folder)
    _require_folder(folder)
    review = review_for(folder, review)
    errors, built = _check_folder(folder, review)
    if errors:
        raise InputErrors(errors)
    return Extraction(
        studies=tuple(rec for _n, _r, rec in built["studies"]),
        outcomes=tuple(rec for _n, _r, rec in built["outcomes"]),
        provenance=tuple(rec for _n, _r, rec in built["provenance"]),
        sources=tuple(rec for _n, _r, rec in built["sources"]),
        folder=str(folder),
        review=review,
    )


def iter_values(extraction: Extraction) -> Iterator[tuple[str, str, str, Any, Provenance]]:
    """Every sourced value: (table, record_id, field, value, provenance)."""
    prov = {(p.table, p.record_id, p.field): p for p in extraction.provenance}
    for table, records, idname in (("studies", extraction.studies, "study_id"),
                                   ("outcomes", extraction.outcomes, "outcome_id")):
        for rec in records:
            rid = getattr(rec, idname)
            items = [(f.name, getattr(rec, f.name)) for f in dataclasses.fields(rec) if f.name != "covariates"]
            items += list(getattr(rec, "covariates", {}).items()) if table == "studies" else []
            for name, value in items:
                key = (table, rid, name)
                if key in prov:
                    yield table, rid, name, value, prov[key]
