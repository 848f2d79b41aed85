"""Screening sheets: export the records awaiting a decision, import decisions back."""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from ..errors import InputError, InputErrors
from ..models import Record
from ..store import Store
from ._state import (
    CONSENSUS_REVIEWER,
    DECISIONS,
    SHEET_COLUMNS,
    STAGES,
    _check_stage,
    current_decisions,
    record_statuses,
)
from .conflicts import Agreement, Conflict, agreement, find_conflicts
from .formats import SheetRow, asreview_csv, asreview_ris, rayyan_csv, read_sheet_rows

@dataclass(frozen=True)
class ScreeningSheet:
    """A screening sheet ready to write.

    Parameters
    ----------
    stage : str
    fmt : str
        One of :data:`SHEET_FORMATS`.
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


def _sheet_csv(records: Sequence[Record], votes: dict[int, str]) -> str:
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
                "votes": votes.get(int(r.store_id or 0), ""),
                "decision": "",
                "reason": "",
                "reviewer": "",
            }
        )
    return buf.getvalue()


def _sheet_ris(records: Sequence[Record]) -> str:
    from ..sources.writers import write_records

    # The RIS ``ID`` field carries the store id so decisions can come back.
    return write_records([r.replace(source_id=str(r.store_id)) for r in records], "ris")


#: Sheet formats :func:`export_sheet` writes.
SHEET_FORMATS: tuple[str, ...] = ("csv", "ris", "asreview", "asreview-csv", "rayyan")


def export_sheet(
    store: Store,
    stage: str = "title-abstract",
    fmt: str = "csv",
    *,
    reviewer: str | None = None,
    conflicts_only: bool = False,
) -> ScreeningSheet:
    """Build a screening sheet of the records awaiting a decision at ``stage``.

    Parameters
    ----------
    store : Store
    stage : {"title-abstract", "full-text"}
    fmt : {"csv", "ris", "asreview", "asreview-csv", "rayyan"}
        ``csv`` has the columns :data:`SHEET_COLUMNS` (``decision``, ``reason``
        and ``reviewer`` blank, to fill; ``votes`` shows the reviewers'
        decisions on records in conflict, unless ``reviewer`` names one
        reviewer, who screens blind). ``ris`` keeps the store id in ``ID``.
        ``rayyan`` is a CSV in the columns Rayyan imports (``key`` = store id).
        ``asreview`` (RIS, labels in ``N1``) and ``asreview-csv`` (``included``
        1/0) hold *every* record eligible at the stage, labelled with its
        settled decision (include / exclude) or not seen, for ASReview LAB.
    reviewer : str, optional
        See :func:`awaiting_screening`.
    conflicts_only : bool
        Only the records in conflict (the consensus reviewer's sheet).

    Returns
    -------
    ScreeningSheet
    """
    _check_stage(stage)
    if fmt not in SHEET_FORMATS:
        raise InputError(f"unknown sheet format {fmt!r}; choose from {', '.join(SHEET_FORMATS)}", field="format")
    statuses = record_statuses(store, stage)
    if fmt.startswith("asreview"):
        records = list(store.iter_records(ids=list(statuses))) if statuses else []
        text = asreview_ris(records, statuses) if fmt == "asreview" else asreview_csv(records, statuses)
    else:
        records = awaiting_screening(store, stage, reviewer=reviewer)
        if conflicts_only:
            records = [r for r in records if statuses.get(int(r.store_id or 0)) == "conflict"]
        blind = reviewer is not None and reviewer != CONSENSUS_REVIEWER
        votes = {} if blind else {c.record_id: c.votes for c in find_conflicts(store, stage)}
        text = {"csv": lambda: _sheet_csv(records, votes), "ris": lambda: _sheet_ris(records),
                "rayyan": lambda: rayyan_csv(records)}[fmt]()
    return ScreeningSheet(stage, fmt, tuple(int(r.store_id) for r in records if r.store_id is not None), text)


def read_decisions(
    path: str | os.PathLike[str],
    store: Store,
    *,
    stage: str = "title-abstract",
    reviewer: str | None = None,
) -> list[dict[str, Any]]:
    """Read and validate a filled screening sheet; nothing is stored.

    The sheet is evsynth's CSV with at least ``record_id`` and ``decision``
    columns (names case-insensitive; ``reason``, ``reviewer`` and ``stage``
    optional), or ASReview's or Rayyan's export (CSV or RIS, see
    :mod:`evsynth.screening.formats`); CSV may be comma-, semicolon- or
    tab-delimited. Rows with an empty decision are skipped (not screened yet).

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


def _norm_title(title: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", title.casefold()).split())


class _Matcher:
    """Finds the stored record an external (ASReview, Rayyan) row is about."""

    def __init__(self, store: Store) -> None:
        self.titles: dict[int, str] = {}
        self.by: dict[str, dict[str, set[int]]] = {"pmid": {}, "doi": {}, "title": {}}
        for rid, title, doi, pmid in store.execute(
            "SELECT id, title, doi, pmid FROM records WHERE duplicate_of IS NULL"
        ):
            self.titles[int(rid)] = _norm_title(title or "")
            for kind, value in (("pmid", pmid), ("doi", (doi or "").lower()), ("title", _norm_title(title or ""))):
                if value:
                    self.by[kind].setdefault(str(value), set()).add(int(rid))

    def match(self, row: SheetRow) -> int | None:
        if row.record_id.isdigit():
            rid = int(row.record_id)
            if rid in self.titles and (not row.title or _norm_title(row.title) == self.titles[rid]):
                return rid
        for kind, value in (("pmid", row.pmid), ("doi", row.doi.lower().removeprefix("https://doi.org/")),
                            ("title", _norm_title(row.title))):
            found = self.by[kind].get(value) if value else None
            if found and len(found) == 1:
                return next(iter(found))
        return None


def _read_sheet(
    path: str | os.PathLike[str], store: Store, *, stage: str, reviewer: str | None
) -> tuple[list[dict[str, Any]], int]:
    _check_stage(stage)
    p = Path(path)
    kind, rows = read_sheet_rows(p)
    known = {int(r[0]) for r in store.execute("SELECT id FROM records")}
    matcher = _Matcher(store) if kind != "evsynth" else None
    errors: list[InputError] = []
    out: list[dict[str, Any]] = []
    n_blank = 0
    seen: dict[tuple[int, str, str], int] = {}
    id_field = {"evsynth": "record_id", "rayyan": "key"}.get(kind, "record_id")
    for item in rows:
        row_no = item.row
        decision = item.decision
        if not decision:
            n_blank += 1
            continue
        rid: int | None = None
        if matcher is not None:
            rid = matcher.match(item)
            if rid is None:
                what = f"id {item.record_id!r}, " if item.record_id else ""
                errors.append(InputError(
                    f"no stored record matches this row ({what}title {item.title[:60]!r}; matched by store id,"
                    " PMID, DOI or title)", path=p, line=row_no, field=id_field))
        else:
            try:
                rid = int(item.record_id)
            except ValueError:
                errors.append(InputError(f"record id {item.record_id!r} is not a store id", path=p, line=row_no,
                                         field="record_id"))
            else:
                if rid not in known:
                    errors.append(InputError(f"unknown record id {rid}", path=p, line=row_no, field="record_id"))
        if decision not in DECISIONS:
            errors.append(
                InputError(
                    f"decision {decision!r} not one of {', '.join(DECISIONS)}",
                    path=p, line=row_no, field=item.column,
                )
            )
        row_stage = item.stage or stage
        if row_stage not in STAGES:
            errors.append(
                InputError(f"stage {row_stage!r} not one of {', '.join(STAGES)}", path=p, line=row_no, field="stage")
            )
        reason = item.reason or None
        if row_stage == "full-text" and decision == "exclude" and not reason:
            errors.append(InputError("a full-text exclusion needs a reason", path=p, line=row_no, field="reason"))
        who = item.reviewer or (reviewer or "").strip()
        if not who:
            hint = "pass --reviewer (ASReview records no reviewer)" if kind == "asreview" else (
                "fill the column or pass a reviewer")
            errors.append(InputError(f"reviewer missing ({hint})", path=p, line=row_no, field="reviewer"))
        if rid is not None and who:
            key = (rid, row_stage, who)
            if key in seen:
                errors.append(
                    InputError(
                        f"record {rid} decided twice by {who!r} (rows {seen[key]} and {row_no})",
                        path=p, line=row_no, field=id_field,
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
