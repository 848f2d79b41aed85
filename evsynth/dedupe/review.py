"""Settling borderline pairs: the review sheet out, a person's decisions back in.

``evsynth dedupe --review OUT.csv`` writes the pairs dedupe left unmerged
(:attr:`DedupeResult.review`) with both records side by side and the
evidence; the reviewer fills its ``decision`` column (``merge`` or ``keep
apart``) and ``evsynth dedupe --decisions OUT.csv`` reads it back. Decisions
are stored in the record store (table ``dedupe_decisions``, with who and
when), appended and never overwritten (the latest on a pair counts), and
every later dedupe of the store (``evsynth dedupe``, ``evsynth update``)
follows them.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Sequence

from .._csvread import read_csv_file
from ..errors import InputError
from ..models import Record
from ..output import open_output
from ._core import ReviewPair

__all__ = [
    "REVIEW_COLUMNS",
    "SheetDecision",
    "read_review_sheet",
    "store_pair_decisions",
    "stored_pair_decisions",
    "write_review_sheet",
]

_FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi")
#: Columns of the review sheet: the pair, why it is borderline, both records'
#: fields side by side (``a_title``, ``b_title``, ...), the evidence, and the
#: reviewer's ``decision`` and ``note``.
REVIEW_COLUMNS: tuple[str, ...] = (
    ("record_a", "record_b", "rule", "score")
    + tuple(f"{side}_{name}" for name in _FIELDS for side in ("a", "b"))
    + ("evidence", "decision", "note")
)
_MERGE = {"merge", "duplicate", "same"}
_APART = {"keep apart", "keep-apart", "keep_apart", "apart", "not a duplicate", "distinct"}


@dataclass(frozen=True)
class SheetDecision:
    """One decided row of a review sheet.

    Attributes
    ----------
    record_a, record_b : int
        Store ids of the pair, ``record_a < record_b``.
    decision : str
        ``merge`` or ``apart``.
    note : str or None
    row : int
        Row of the sheet (the header is row 1).
    """

    record_a: int
    record_b: int
    decision: str
    note: str | None
    row: int


def _field(record: Record, name: str) -> str:
    if name == "authors":
        return "; ".join(record.authors)
    value = getattr(record, name)
    return "" if value is None else str(value)


def write_review_sheet(
    path: str | os.PathLike[str],
    records: Sequence[Record],
    pairs: Iterable[ReviewPair],
    ids: Sequence[Any],
) -> int:
    """Write borderline pairs to a CSV a person can decide in.

    Parameters
    ----------
    path : path
        The CSV written (columns :data:`REVIEW_COLUMNS`).
    records : sequence of Record
        The records the pairs' positions refer to.
    pairs : iterable of ReviewPair
    ids : sequence
        The id written for each position (store ids in store mode).

    Returns
    -------
    int
        Pairs written.

    Raises
    ------
    OutputError
        The sheet cannot be written (the previous file, if any, is left as it was).
    """
    n = 0
    with open_output(path, newline="") as fh:  # whole or not at all
        writer = csv.writer(fh)
        writer.writerow(REVIEW_COLUMNS)
        for pair in pairs:
            a, b = records[pair.first_index], records[pair.second_index]
            row: list[Any] = [ids[pair.first_index], ids[pair.second_index], pair.rule, f"{pair.score:.4f}"]
            for name in _FIELDS:
                row += [_field(a, name), _field(b, name)]
            row += [json.dumps(dict(pair.evidence), ensure_ascii=False, default=str), "", ""]
            writer.writerow(row)
            n += 1
    return n


def _store_id(value: str, path: str, row: int, column: str, known: set[int] | None) -> int:
    text = (value or "").strip()
    if not text.isdigit():
        raise InputError(f"{text!r} is not a record id of the store (a whole number)",
                         path=path, line=row, field=column)
    rid = int(text)
    if known is not None and rid not in known:
        raise InputError(f"no record {rid} in the store", path=path, line=row, field=column)
    return rid


def read_review_sheet(path: str | os.PathLike[str], known_ids: set[int] | None = None) -> list[SheetDecision]:
    """The decided rows of a review sheet (rows left blank are skipped).

    Parameters
    ----------
    path : path
        A sheet written by :func:`write_review_sheet` (any CSV with columns
        ``record_a``, ``record_b`` and ``decision``; ``note`` optional).
    known_ids : set of int, optional
        Store ids that exist; any other id is an error.

    Raises
    ------
    InputError
        Naming the file, row and column: a missing column, an id that is
        not a record of the store, the same record twice, a decision other
        than ``merge`` / ``keep apart``, or one pair decided both ways.
    """
    name = os.fspath(path)
    table = read_csv_file(name, single_line_cells=False, exact_width=False)
    table.raise_first()
    header = table.header
    for column in ("record_a", "record_b", "decision"):
        if column not in header:
            raise InputError("missing column; a review sheet has record_a, record_b and decision",
                             path=name, line=1, field=column)
    rows: list[tuple[int, dict[str, str]]] = []
    for csv_row in table.rows:
        if len(csv_row.cells) > len(header):
            raise InputError("more cells than the header has columns", path=name, line=csv_row.line)
        rows.append((csv_row.line, dict(zip(header, csv_row.cells))))
    out: list[SheetDecision] = []
    seen: dict[tuple[int, int], tuple[str, int]] = {}
    for row_no, row in rows:
        raw = (row.get("decision") or "").strip().lower()
        if not raw:
            continue
        if raw in _MERGE:
            decision = "merge"
        elif raw in _APART:
            decision = "apart"
        else:
            raise InputError(f"decision {row['decision']!r}: write 'merge' or 'keep apart' (or leave it empty)",
                             path=name, line=row_no, field="decision")
        a = _store_id(row.get("record_a") or "", name, row_no, "record_a", known_ids)
        b = _store_id(row.get("record_b") or "", name, row_no, "record_b", known_ids)
        if a == b:
            raise InputError(f"record_a and record_b are the same record ({a})", path=name, line=row_no,
                             field="record_b")
        key = (min(a, b), max(a, b))
        if key in seen and seen[key][0] != decision:
            raise InputError(f"pair {key[0]}-{key[1]} is also decided '{seen[key][0]}' on row {seen[key][1]}",
                             path=name, line=row_no, field="decision")
        seen[key] = (decision, row_no)
        note = (row.get("note") or "").strip() or None
        out.append(SheetDecision(key[0], key[1], decision, note, row_no))
    return out


def store_pair_decisions(
    store: Any,
    decisions: Iterable[SheetDecision],
    *,
    reviewer: str | None,
    source_file: str | None = None,
) -> int:
    """Append decisions to the store's ``dedupe_decisions`` in one transaction.

    Parameters
    ----------
    store : evsynth.store.Store
    decisions : iterable of SheetDecision
    reviewer : str or None
        Who decided (``--reviewer``, else ``$USER``).
    source_file : str, optional
        The sheet they came from.

    Returns
    -------
    int
        Decisions stored.
    """
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    n = 0
    with store.transaction() as conn:
        for d in decisions:
            conn.execute(
                "INSERT INTO dedupe_decisions (record_a, record_b, decision, reviewer, decided_at,"
                " source_file, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (d.record_a, d.record_b, d.decision, reviewer, now, source_file, d.note),
            )
            n += 1
    return n


def stored_pair_decisions(store: Any) -> dict[tuple[int, int], Mapping[str, Any]]:
    """The latest decision on each pair: ``(record_a, record_b)`` → its row.

    Each row holds ``decision``, ``reviewer``, ``decided_at``,
    ``source_file`` and ``note``.
    """
    out: dict[tuple[int, int], Mapping[str, Any]] = {}
    rows = store.execute(
        "SELECT record_a, record_b, decision, reviewer, decided_at, source_file, note"
        " FROM dedupe_decisions ORDER BY id"
    ).fetchall()
    for r in rows:
        out[(int(r["record_a"]), int(r["record_b"]))] = {
            "decision": r["decision"], "reviewer": r["reviewer"], "decided_at": r["decided_at"],
            "source_file": r["source_file"], "note": r["note"],
        }
    return out


def decisions_by_position(
    stored: Mapping[tuple[int, int], Mapping[str, Any]], ids: Sequence[Any]
) -> dict[tuple[int, int], Mapping[str, Any]]:
    """Stored decisions keyed by positions in ``ids`` (pairs with a record not in ``ids`` dropped)."""
    position = {int(rid): k for k, rid in enumerate(ids) if rid is not None}
    out: dict[tuple[int, int], Mapping[str, Any]] = {}
    for (a, b), d in stored.items():
        if a in position and b in position:
            out[(position[a], position[b])] = d
    return out
