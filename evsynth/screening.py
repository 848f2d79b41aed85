"""Screening: sheets out, decisions in, conflicts, agreement and PRISMA counts.

Decisions live in the store's append-only ``screening_decisions`` table: a
later decision is a new row, never an overwrite. What counts is the *current*
decision of each reviewer on a record at a stage (their latest row). A
record's *status* at a stage combines its reviewers' current decisions:

* no decision yet → ``"awaiting"``;
* a current decision by the reviewer :data:`CONSENSUS_REVIEWER` (``consensus``)
  settles the record whatever the others said (that is how conflicts are
  resolved);
* otherwise, when every reviewer agrees → their decision;
* when they disagree → ``"conflict"`` (awaiting resolution).

A report that could not be obtained is recorded as a full-text ``exclude``
with the reason :data:`NOT_RETRIEVED` (``not retrieved``); PRISMA counts it as
"reports not retrieved" instead of "excluded with reasons".

Records marked as duplicates (``duplicate_of`` set) are never screened.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path
from typing import Any, Mapping, Sequence

from .errors import InputError, InputErrors
from .models import Record
from .store import Store

__all__ = [
    "STAGES",
    "DECISIONS",
    "CONSENSUS_REVIEWER",
    "NOT_RETRIEVED",
    "SHEET_COLUMNS",
    "Decision",
    "Conflict",
    "Agreement",
    "ScreeningSheet",
    "DecisionImport",
    "PrismaCounts",
    "ScreeningProgress",
    "current_decisions",
    "record_statuses",
    "awaiting_screening",
    "export_sheet",
    "read_decisions",
    "import_decisions",
    "find_conflicts",
    "agreement",
    "cohen_kappa",
    "screening_progress",
    "prisma_counts",
]

#: Screening stages, in order.
STAGES: tuple[str, ...] = ("title-abstract", "full-text")
#: The decision vocabulary.
DECISIONS: tuple[str, ...] = ("include", "exclude", "maybe")
#: Reviewer name whose decision settles a record (resolves conflicts).
CONSENSUS_REVIEWER = "consensus"
#: Full-text exclusion reason meaning "report sought but not retrieved".
NOT_RETRIEVED = "not retrieved"
#: Columns of a CSV screening sheet, in order (the last three are for reviewers).
SHEET_COLUMNS: tuple[str, ...] = (
    "record_id",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "pmid",
    "abstract",
    "decision",
    "reason",
    "reviewer",
)

#: Source labels used in PRISMA "identified" counts.
_SOURCE_LABELS = {"pubmed": "PubMed", "ctgov": "ClinicalTrials.gov"}


@dataclass(frozen=True)
class Decision:
    """One stored screening decision (a row of the append-only table)."""

    id: int
    record_id: int
    stage: str
    decision: str
    reason: str | None
    reviewer: str | None
    decided_at: str
    source_file: str | None = None


@dataclass(frozen=True)
class Conflict:
    """Reviewers disagreeing on one record at one stage.

    Parameters
    ----------
    record_id : int
    stage : str
    decisions : mapping
        Reviewer → their current decision.
    """

    record_id: int
    stage: str
    decisions: Mapping[str, str]


@dataclass(frozen=True)
class Agreement:
    """Cohen's kappa between two reviewers on the records both screened.

    Parameters
    ----------
    reviewer_a, reviewer_b : str
    stage : str
    n : int
        Records both reviewers decided.
    observed : float
        Proportion of agreement.
    expected : float
        Agreement expected by chance from each reviewer's marginals.
    kappa : float
        ``(observed - expected) / (1 - expected)``; NaN when ``expected == 1``.
    """

    reviewer_a: str
    reviewer_b: str
    stage: str
    n: int
    observed: float
    expected: float
    kappa: float


@dataclass(frozen=True)
class ScreeningSheet:
    """A screening sheet ready to write.

    Parameters
    ----------
    stage : str
    fmt : str
        ``csv`` or ``ris``.
    record_ids : tuple of int
        Store ids of the records on the sheet.
    text : str
        The file's content.
    """

    stage: str
    fmt: str
    record_ids: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class DecisionImport:
    """What :func:`import_decisions` stored and found.

    Parameters
    ----------
    path : str
    stage : str
    n_stored : int
        Decisions appended to the store.
    n_blank : int
        Sheet rows without a decision (not screened yet; skipped).
    reviewers : tuple of str
        Reviewers in the file.
    conflicts : tuple of Conflict
        Unresolved disagreements at the stage, over every stored decision.
    agreements : tuple of Agreement
        Cohen's kappa for every pair of reviewers with records in common.
    """

    path: str
    stage: str
    n_stored: int
    n_blank: int
    reviewers: tuple[str, ...]
    conflicts: tuple[Conflict, ...]
    agreements: tuple[Agreement, ...]


@dataclass(frozen=True)
class ScreeningProgress:
    """Record statuses at one stage (non-duplicate records eligible for it)."""

    stage: str
    eligible: int
    include: int
    exclude: int
    maybe: int
    conflict: int
    awaiting: int


@dataclass(frozen=True)
class PrismaCounts:
    """The numbers of a PRISMA 2020 flow diagram, from the store.

    Parameters
    ----------
    identified : dict
        Source label → records identified (``PubMed``, ``ClinicalTrials.gov``,
        an import's database name, or its format). A record found by several
        searches of one source counts once for it.
    duplicates_removed : int
        Records marked as duplicates.
    screened : int
        Records with a title/abstract decision (status include, exclude or maybe).
    excluded_screening : int
        Records excluded at title/abstract.
    sought : int
        Reports sought for retrieval (included or "maybe" at title/abstract).
    not_retrieved : int
        Full-text exclusions with reason :data:`NOT_RETRIEVED`.
    assessed : int
        Reports with a full-text decision of include or exclude (other than
        not retrieved).
    excluded_fulltext : dict
        Reason → reports excluded at full text.
    included_studies : int
        Studies included (reports grouped by ``study_of`` when given).
    included_reports : int
        Reports included at full text.
    awaiting_screening : int
        Non-duplicate records without a settled title/abstract decision.
    awaiting_fulltext : int
        Reports sought without a settled full-text decision.
    conflicts : int
        Records with unresolved reviewer conflicts (both stages).
    """

    identified: dict[str, int]
    duplicates_removed: int
    screened: int
    excluded_screening: int
    sought: int
    not_retrieved: int
    assessed: int
    excluded_fulltext: dict[str, int]
    included_studies: int
    included_reports: int
    awaiting_screening: int = 0
    awaiting_fulltext: int = 0
    conflicts: int = 0

    @property
    def total_identified(self) -> int:
        """Sum of :attr:`identified`."""
        return sum(self.identified.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON and reports)."""
        return {
            "identified": dict(self.identified),
            "duplicates_removed": self.duplicates_removed,
            "screened": self.screened,
            "excluded_screening": self.excluded_screening,
            "sought": self.sought,
            "not_retrieved": self.not_retrieved,
            "assessed": self.assessed,
            "excluded_fulltext": dict(self.excluded_fulltext),
            "included_studies": self.included_studies,
            "included_reports": self.included_reports,
            "awaiting_screening": self.awaiting_screening,
            "awaiting_fulltext": self.awaiting_fulltext,
            "conflicts": self.conflicts,
        }


# -- decisions and statuses ----------------------------------------------------
def _check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise InputError(f"unknown stage {stage!r}; use one of {', '.join(STAGES)}", field="stage")
    return stage


def _decisions(store: Store, stage: str | None = None) -> list[Decision]:
    return [
        Decision(
            id=d["id"],
            record_id=d["record_id"],
            stage=d["stage"],
            decision=d["decision"],
            reason=d["reason"],
            reviewer=d["reviewer"],
            decided_at=d["decided_at"],
            source_file=d["source_file"],
        )
        for d in store.decisions(stage)
    ]


def current_decisions(store: Store, stage: str) -> dict[int, dict[str, Decision]]:
    """Each reviewer's latest decision per record at ``stage``.

    Returns
    -------
    dict
        Record id → {reviewer → Decision}. Decisions without a reviewer are
        filed under the empty string.
    """
    _check_stage(stage)
    out: dict[int, dict[str, Decision]] = defaultdict(dict)
    for d in _decisions(store, stage):  # oldest first: later rows replace earlier ones
        out[d.record_id][d.reviewer or ""] = d
    return dict(out)


def _status(by_reviewer: Mapping[str, Decision]) -> str:
    if not by_reviewer:
        return "awaiting"
    if CONSENSUS_REVIEWER in by_reviewer:
        return by_reviewer[CONSENSUS_REVIEWER].decision
    values = {d.decision for d in by_reviewer.values()}
    return values.pop() if len(values) == 1 else "conflict"


def _settled(by_reviewer: Mapping[str, Decision]) -> Decision | None:
    """The decision that settles a record (consensus, else the latest agreeing one)."""
    if not by_reviewer:
        return None
    if CONSENSUS_REVIEWER in by_reviewer:
        return by_reviewer[CONSENSUS_REVIEWER]
    if len({d.decision for d in by_reviewer.values()}) == 1:
        return max(by_reviewer.values(), key=lambda d: d.id)
    return None


def record_statuses(store: Store, stage: str) -> dict[int, str]:
    """Status of every record eligible for ``stage``.

    Eligible: non-duplicate records (title-abstract), or non-duplicate records
    included or "maybe" at title-abstract (full-text).

    Returns
    -------
    dict
        Record id → ``include``, ``exclude``, ``maybe``, ``conflict`` or ``awaiting``.
    """
    _check_stage(stage)
    kept = [int(r[0]) for r in store.execute("SELECT id FROM records WHERE duplicate_of IS NULL ORDER BY id")]
    if stage == "full-text":
        ta = record_statuses(store, "title-abstract")
        kept = [rid for rid in kept if ta.get(rid) in ("include", "maybe")]
    current = current_decisions(store, stage)
    return {rid: _status(current.get(rid, {})) for rid in kept}


def awaiting_screening(store: Store, stage: str = "title-abstract", *, reviewer: str | None = None) -> list[Record]:
    """Records awaiting a decision at ``stage`` (duplicates excluded).

    Parameters
    ----------
    store : Store
    stage : {"title-abstract", "full-text"}
    reviewer : str, optional
        For dual screening: records this reviewer has not decided yet (and
        that no consensus decision has settled). Without it: records with no
        decision at all, or with an unresolved conflict.

    Returns
    -------
    list of Record
        In store id order.
    """
    statuses = record_statuses(store, stage)
    if reviewer is None:
        ids = [rid for rid, s in statuses.items() if s in ("awaiting", "conflict")]
    else:
        current = current_decisions(store, stage)
        ids = [
            rid
            for rid in statuses
            if reviewer not in current.get(rid, {}) and CONSENSUS_REVIEWER not in current.get(rid, {})
        ]
    return list(store.iter_records(ids=ids)) if ids else []


# -- export --------------------------------------------------------------------
def _sheet_csv(records: Sequence[Record]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(SHEET_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for r in records:
        writer.writerow(
            {
                "record_id": r.store_id,
                "title": r.title or "",
                "authors": "; ".join(r.authors),
                "year": "" if r.year is None else r.year,
                "journal": r.journal or "",
                "doi": r.doi or "",
                "pmid": r.pmid or "",
                "abstract": r.abstract or "",
                "decision": "",
                "reason": "",
                "reviewer": "",
            }
        )
    return buf.getvalue()


def _sheet_ris(records: Sequence[Record]) -> str:
    from .sources.writers import write_records

    # The RIS ``ID`` field carries the store id so decisions can come back.
    return write_records([r.replace(source_id=str(r.store_id)) for r in records], "ris")


def export_sheet(
    store: Store,
    stage: str = "title-abstract",
    fmt: str = "csv",
    *,
    reviewer: str | None = None,
) -> ScreeningSheet:
    """Build a screening sheet of the records awaiting a decision at ``stage``.

    Parameters
    ----------
    store : Store
    stage : {"title-abstract", "full-text"}
    fmt : {"csv", "ris"}
        CSV has the columns :data:`SHEET_COLUMNS` (``decision``, ``reason``
        and ``reviewer`` blank, to fill). RIS (for tools like Rayyan) keeps the
        store id in the ``ID`` field.
    reviewer : str, optional
        See :func:`awaiting_screening`.

    Returns
    -------
    ScreeningSheet
    """
    _check_stage(stage)
    if fmt not in ("csv", "ris"):
        raise InputError(f"unknown sheet format {fmt!r}; use csv or ris", field="format")
    records = awaiting_screening(store, stage, reviewer=reviewer)
    text = _sheet_csv(records) if fmt == "csv" else _sheet_ris(records)
    return ScreeningSheet(stage, fmt, tuple(int(r.store_id) for r in records if r.store_id is not None), text)


# -- import --------------------------------------------------------------------
def _clean(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_decisions(
    path: str | os.PathLike[str],
    store: Store,
    *,
    stage: str = "title-abstract",
    reviewer: str | None = None,
) -> list[dict[str, Any]]:
    """Read and validate a filled screening sheet; nothing is stored.

    The sheet is a CSV with at least ``record_id`` and ``decision`` columns
    (names case-insensitive); ``reason``, ``reviewer`` and ``stage`` are
    optional. Rows with an empty decision are skipped (not screened yet).

    Parameters
    ----------
    path : path-like
    store : Store
        To check that record ids exist.
    stage : {"title-abstract", "full-text"}
        Stage of rows without a ``stage`` column value.
    reviewer : str, optional
        Reviewer of rows whose ``reviewer`` cell is empty.

    Returns
    -------
    list of dict
        Decisions ready for :meth:`Store.add_decisions` (with ``row``, the
        sheet row, header = row 1).

    Raises
    ------
    InputErrors
        Every problem found (unknown record id, decision outside
        :data:`DECISIONS`, missing reason for a full-text exclusion, missing
        reviewer, a record decided twice by one reviewer in the file), each
        naming file, row and column.
    """
    return _read_sheet(path, store, stage=stage, reviewer=reviewer)[0]


def _read_sheet(
    path: str | os.PathLike[str], store: Store, *, stage: str, reviewer: str | None
) -> tuple[list[dict[str, Any]], int]:
    _check_stage(stage)
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError("file not found", path=p) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc}", path=p) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = {_clean(h).lower(): h for h in (reader.fieldnames or []) if h is not None}
    missing = [c for c in ("record_id", "decision") if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; a screening sheet needs record_id and decision"
            " (is it a CSV screening sheet?)",
            path=p,
            line=1,
        )
    known = {int(r[0]) for r in store.execute("SELECT id FROM records")}
    errors: list[InputError] = []
    out: list[dict[str, Any]] = []
    n_blank = 0
    seen: dict[tuple[int, str, str], int] = {}
    for row_no, row in enumerate(reader, start=2):
        cells = {name: _clean(row.get(col)) for name, col in header.items()}
        decision = cells.get("decision", "").lower()
        if not decision:
            n_blank += 1
            continue
        raw_id = cells.get("record_id", "")
        rid: int | None = None
        try:
            rid = int(raw_id)
        except ValueError:
            errors.append(InputError(f"record id {raw_id!r} is not a store id", path=p, line=row_no, field="record_id"))
        else:
            if rid not in known:
                errors.append(InputError(f"unknown record id {rid}", path=p, line=row_no, field="record_id"))
        if decision not in DECISIONS:
            errors.append(
                InputError(
                    f"decision {cells['decision']!r} not one of {', '.join(DECISIONS)}",
                    path=p, line=row_no, field="decision",
                )
            )
        row_stage = cells.get("stage", "").lower() or stage
        if row_stage not in STAGES:
            errors.append(
                InputError(f"stage {row_stage!r} not one of {', '.join(STAGES)}", path=p, line=row_no, field="stage")
            )
        reason = cells.get("reason") or None
        if row_stage == "full-text" and decision == "exclude" and not reason:
            errors.append(InputError("a full-text exclusion needs a reason", path=p, line=row_no, field="reason"))
        who = cells.get("reviewer") or (reviewer or "").strip()
        if not who:
            errors.append(
                InputError("reviewer missing (fill the column or pass a reviewer)", path=p, line=row_no, field="reviewer")
            )
        if rid is not None and who:
            key = (rid, row_stage, who)
            if key in seen:
                errors.append(
                    InputError(
                        f"record {rid} decided twice by {who!r} (rows {seen[key]} and {row_no})",
                        path=p, line=row_no, field="record_id",
                    )
                )
            seen[key] = row_no
        out.append(
            {
                "record_id": rid,
                "stage": row_stage,
                "decision": decision,
                "reason": reason,
                "reviewer": who,
                "source_file": os.fspath(p),
                "row": row_no,
            }
        )
    if errors:
        raise InputErrors(errors)
    return out, n_blank


def import_decisions(
    store: Store,
    path: str | os.PathLike[str],
    *,
    stage: str = "title-abstract",
    reviewer: str | None = None,
    decided_at: str | None = None,
) -> DecisionImport:
    """Validate a filled screening sheet, then append its decisions to the store.

    All rows are validated first; if any is wrong nothing is stored (see
    :func:`read_decisions`). Stored decisions carry reviewer, time and file.
    Earlier decisions are kept: a reviewer's latest row is their current one.

    Parameters
    ----------
    store : Store
    path : path-like
        CSV sheet from :func:`export_sheet`, filled in.
    stage : {"title-abstract", "full-text"}
    reviewer : str, optional
        Reviewer for rows whose ``reviewer`` cell is empty.
    decided_at : str, optional
        ISO timestamp to record (default: now, UTC).

    Returns
    -------
    DecisionImport
        Counts, the unresolved conflicts at the stage(s) of the file, and
        Cohen's kappa for each pair of reviewers who screened the same records.
    """
    rows, n_blank = _read_sheet(path, store, stage=stage, reviewer=reviewer)
    when = decided_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
    stored = store.add_decisions({**{k: v for k, v in r.items() if k != "row"}, "decided_at": when} for r in rows)
    stages = sorted({r["stage"] for r in rows} or {stage}, key=STAGES.index)
    conflicts: list[Conflict] = []
    agreements: list[Agreement] = []
    for s in stages:
        conflicts.extend(find_conflicts(store, s))
        agreements.extend(agreement(store, s))
    return DecisionImport(
        path=os.fspath(path),
        stage=stage,
        n_stored=stored,
        n_blank=n_blank,
        reviewers=tuple(sorted({r["reviewer"] for r in rows})),
        conflicts=tuple(conflicts),
        agreements=tuple(agreements),
    )


# -- conflicts and agreement -----------------------------------------------------
def find_conflicts(store: Store, stage: str) -> list[Conflict]:
    """Records whose reviewers disagree at ``stage`` and no consensus decision settles.

    Duplicates are left out.
    """
    dup = {int(r[0]) for r in store.execute("SELECT id FROM records WHERE duplicate_of IS NOT NULL")}
    out = []
    for rid, by_reviewer in sorted(current_decisions(store, stage).items()):
        if rid not in dup and _status(by_reviewer) == "conflict":
            out.append(Conflict(rid, stage, {k: v.decision for k, v in sorted(by_reviewer.items())}))
    return out


def cohen_kappa(
    a: Sequence[str],
    b: Sequence[str],
    categories: Sequence[str] | None = None,
) -> float:
    """Cohen's kappa between two raters' labels of the same items.

    Parameters
    ----------
    a, b : sequence of str
        Labels, item by item (same length, at least one item).
    categories : sequence of str, optional
        The category set (default: every label seen).

    Returns
    -------
    float
        ``(p_o - p_e) / (1 - p_e)``; NaN when chance agreement ``p_e`` is 1
        (both raters used one and the same category throughout).

    Examples
    --------
    >>> round(cohen_kappa(["y"] * 25 + ["n"] * 25, ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15), 3)
    0.4
    """
    return _kappa(a, b, categories)[2]


def _kappa(a: Sequence[str], b: Sequence[str], categories: Sequence[str] | None) -> tuple[float, float, float]:
    if len(a) != len(b):
        raise ValueError(f"rater label sequences differ in length ({len(a)} vs {len(b)})")
    n = len(a)
    if n == 0:
        raise ValueError("no items rated by both raters")
    cats = list(categories) if categories is not None else sorted(set(a) | set(b))
    ca, cb = Counter(a), Counter(b)
    observed = sum(x == y for x, y in zip(a, b)) / n
    expected = sum(ca[c] * cb[c] for c in cats) / (n * n)
    kappa = math.nan if math.isclose(expected, 1.0) else (observed - expected) / (1.0 - expected)
    return observed, expected, kappa


def agreement(store: Store, stage: str) -> list[Agreement]:
    """Cohen's kappa for each pair of reviewers who decided the same records at ``stage``.

    Uses each reviewer's current decision; the ``consensus`` reviewer and
    duplicates are left out.
    """
    dup = {int(r[0]) for r in store.execute("SELECT id FROM records WHERE duplicate_of IS NOT NULL")}
    by_reviewer: dict[str, dict[int, str]] = defaultdict(dict)
    for rid, decisions in current_decisions(store, stage).items():
        if rid in dup:
            continue
        for who, d in decisions.items():
            if who and who != CONSENSUS_REVIEWER:
                by_reviewer[who][rid] = d.decision
    out = []
    for ra, rb in combinations(sorted(by_reviewer), 2):
        common = sorted(set(by_reviewer[ra]) & set(by_reviewer[rb]))
        if not common:
            continue
        la = [by_reviewer[ra][i] for i in common]
        lb = [by_reviewer[rb][i] for i in common]
        po, pe, k = _kappa(la, lb, DECISIONS)
        out.append(Agreement(ra, rb, stage, len(common), po, pe, k))
    return out


# -- progress and PRISMA ----------------------------------------------------------
def screening_progress(store: Store, stage: str) -> ScreeningProgress:
    """Counts of record statuses at ``stage``."""
    counts = Counter(record_statuses(store, stage).values())
    return ScreeningProgress(
        stage=stage,
        eligible=sum(counts.values()),
        include=counts["include"],
        exclude=counts["exclude"],
        maybe=counts["maybe"],
        conflict=counts["conflict"],
        awaiting=counts["awaiting"],
    )


def _identified(store: Store) -> dict[str, int]:
    labels: dict[int, set[str]] = defaultdict(set)
    for rid, db in store.execute(
        "SELECT o.record_id, s.database_name FROM record_origins o"
        " JOIN search_runs s ON s.id = o.search_run_id"
    ):
        labels[int(rid)].add(_SOURCE_LABELS.get(db, db))
    for rid, name, fmt in store.execute(
        "SELECT o.record_id, i.database_name, i.format FROM record_origins o"
        " JOIN imports i ON i.id = o.import_id"
    ):
        labels[int(rid)].add(name or fmt)
    for rid, source in store.execute("SELECT id, source FROM records"):
        if int(rid) not in labels:  # stored without provenance: label by source
            labels[int(rid)].add(_SOURCE_LABELS.get(source, source))
    counts: Counter[str] = Counter()
    for names in labels.values():
        counts.update(names)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def prisma_counts(store: Store, *, study_of: Mapping[int, str] | None = None) -> PrismaCounts:
    """PRISMA 2020 flow counts from the store's records, duplicates and decisions.

    Parameters
    ----------
    store : Store
    study_of : mapping, optional
        Record id → study id, to count included *studies* when several
        reports describe one study. Without it every included report is a study.

    Returns
    -------
    PrismaCounts
    """
    ta = record_statuses(store, "title-abstract")
    ft_current = current_decisions(store, "full-text")
    ft = record_statuses(store, "full-text")
    ta_counts = Counter(ta.values())
    not_retrieved = 0
    assessed = 0
    excluded: Counter[str] = Counter()
    included: list[int] = []
    for rid, status in ft.items():
        if status == "exclude":
            settled = _settled(ft_current.get(rid, {}))
            reason = ((settled.reason if settled else None) or "no reason given").strip()
            if reason.lower() == NOT_RETRIEVED:
                not_retrieved += 1
                continue
            assessed += 1
            excluded[reason] += 1
        elif status == "include":
            assessed += 1
            included.append(rid)
    studies = {study_of.get(rid, f"record:{rid}") for rid in included} if study_of else set(included)
    ft_counts = Counter(ft.values())
    duplicates = int(store.execute("SELECT COUNT(*) FROM records WHERE duplicate_of IS NOT NULL").fetchone()[0])
    return PrismaCounts(
        identified=_identified(store),
        duplicates_removed=duplicates,
        screened=ta_counts["include"] + ta_counts["exclude"] + ta_counts["maybe"],
        excluded_screening=ta_counts["exclude"],
        sought=len(ft),
        not_retrieved=not_retrieved,
        assessed=assessed,
        excluded_fulltext=dict(sorted(excluded.items(), key=lambda kv: (-kv[1], kv[0]))),
        included_studies=len(studies),
        included_reports=len(included),
        awaiting_screening=ta_counts["awaiting"] + ta_counts["conflict"],
        awaiting_fulltext=ft_counts["awaiting"] + ft_counts["conflict"] + ft_counts["maybe"],
        conflicts=ta_counts["conflict"] + ft_counts["conflict"],
    )
