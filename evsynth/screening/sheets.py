"""Screening sheets: export the records awaiting a decision, import decisions back."""

from __future__ import annotations

import csv
import io
import os
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
    from ..sources.writers import write_records

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
