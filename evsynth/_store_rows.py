"""Conversion between the record store's SQLite rows and evsynth's dataclasses.

The tuple fields of a :class:`~evsynth.models.Record` (``TUPLE_COLUMNS``) and its ``extra``
mapping are stored as JSON text, as are a search run's ``params`` and ``details``.
:class:`~evsynth.store.Store` reads and writes rows through these functions.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .models import RECORD_FIELDS, Record, SearchRun

TUPLE_COLUMNS = ("authors", "publication_types", "mesh", "keywords")


def record_row(record: Record) -> dict[str, Any]:
    """The ``records`` columns of ``record`` (tuples and ``extra`` as JSON)."""
    row: dict[str, Any] = {"source": record.source, "source_id": record.source_id}
    for name in RECORD_FIELDS:
        value = getattr(record, name)
        row[name] = json.dumps(list(value), ensure_ascii=False) if name in TUPLE_COLUMNS else value
    row["extra"] = json.dumps(dict(record.extra), ensure_ascii=False, default=str)
    return row


def row_record(row: sqlite3.Row) -> Record:
    """The :class:`~evsynth.models.Record` of a ``records`` row."""
    kwargs: dict[str, Any] = {name: row[name] for name in RECORD_FIELDS}
    for name in TUPLE_COLUMNS:
        kwargs[name] = tuple(json.loads(row[name] or "[]"))
    return Record(
        source=row["source"],
        source_id=row["source_id"],
        extra=json.loads(row["extra"] or "{}"),
        store_id=row["id"],
        duplicate_of=row["duplicate_of"],
        **kwargs,
    )


def row_run(row: sqlite3.Row) -> SearchRun:
    """The :class:`~evsynth.models.SearchRun` of a ``search_runs`` row."""
    return SearchRun(
        id=row["id"],
        database=row["database_name"],
        query=row["query"],
        query_name=row["query_name"],
        query_translation=row["query_translation"],
        count=row["count"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        status=row["status"],
        evsynth_version=row["evsynth_version"],
        params=json.loads(row["params"] or "{}"),
        details=json.loads(row["details"] or "{}"),
    )
