"""The record store: one SQLite file with schema versions and transactional writes.

Tables
------
``records``
    One row per record, unique on ``(source, source_id)``; ``duplicate_of``
    points at the record kept (marks, never deletions).
``imports``
    Each imported file (path, SHA-256, format, count).
``search_runs`` / ``search_run_ids``
    Each search execution (PRISMA-S provenance) and the ids it found, with a
    ``fetched`` flag so an interrupted run resumes where it stopped.
``record_origins``
    Where each record came from: a search run or an import.
``duplicate_links``
    Every duplicate decision with its rule, score and evidence.
``screening_decisions``
    Append-only screening decisions (a later decision is a new row).

Every write goes through :meth:`Store.transaction`, so a process killed
mid-write leaves the previous consistent state (SQLite's journal rolls the
half-written transaction back on the next open).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from . import __version__
from . import _store_file as _file
from . import _store_rows as _rows
from .errors import NotFoundError, StoreError, display_path
from ._schema import MIGRATIONS as _MIGRATIONS, SCHEMA_VERSION, build_schema as _build_schema
from .models import RECORD_FIELDS, Record, SearchRun

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@_file.guard_methods
class Store:
    """A SQLite record store.

    Parameters
    ----------
    path : str or os.PathLike
        The database file; created (with its schema) when missing.
        ``":memory:"`` gives a throw-away store. Another application's SQLite file, a 0-byte file
        or a damaged store is a :class:`~evsynth.errors.StoreError`, and is never modified.
    create : bool
        With ``False`` a missing file is an error (:class:`~evsynth.errors.NotFoundError`)
        instead of a new empty store: commands that only read use this, so a
        mistyped ``--store`` is reported rather than silently answered from
        an empty store.

    Examples
    --------
    >>> with Store(":memory:") as store:
    ...     ids = store.add_records([Record(source="ris", source_id="1", title="A")])
    ...     store.count_records()
    1
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        memory = str(path) == ":memory:"
        self.path = Path(":memory:") if memory else Path(path)
        #: True when this object created the file (see :meth:`__exit__`).
        self._created = False
        if not memory and not os.path.lexists(self.path):
            if not create:
                raise NotFoundError(
                    f"{path}: no record store here (create one with `evsynth search` or `evsynth import`, "
                    "or point --store / EVSYNTH_STORE at an existing one)")
            self._created = _file.create(self.path, _build_schema)
        # nothing is written before the file is known to be an evsynth store in good order
        adopt = memory or _file.identify(self.path, SCHEMA_VERSION)
        _file.LAST_OPENED = self.path
        try:
            self._conn = sqlite3.connect(
                str(path), isolation_level=None, timeout=30.0, check_same_thread=False
            )
        except sqlite3.Error as exc:  # pragma: no cover - OS-level failure
            raise StoreError(f"{path}: cannot open record store: {exc}") from exc
        self._conn.row_factory = sqlite3.Row
        self._depth = 0
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            if not memory:
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
            if adopt:  # a store made before evsynth marked its files
                self._conn.execute(f"PRAGMA application_id = {_file.APPLICATION_ID}")
        except StoreError:
            self._conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{path}: not a usable evsynth record store: {exc}") from exc

    # -- lifecycle ---------------------------------------------------------
    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        # A command that created the store and then failed before storing anything
        # (offline, bad input) leaves no empty store file behind.
        remove = exc_type is not None and self._created and self._is_empty()
        self.close()
        if remove:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)

    def _is_empty(self) -> bool:
        try:
            row = self._conn.execute(
                "SELECT (SELECT count(*) FROM records) + (SELECT count(*) FROM search_runs)"
                " + (SELECT count(*) FROM imports) + (SELECT count(*) FROM screening_decisions)").fetchone()
        except sqlite3.Error:
            return False
        return int(row[0]) == 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing block; nests (inner blocks join the outer one).

        Yields
        ------
        sqlite3.Connection
        """
        if self._depth:
            self._depth += 1
            try:
                yield self._conn
            finally:
                self._depth -= 1
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise _file.damaged(self.path, exc) from exc
        self._depth = 1
        try:
            yield self._conn
            self._conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                raise _file.damaged(self.path, exc) from exc
            raise
        finally:
            self._depth = 0

    @property
    def schema_version(self) -> int:
        """The schema version stored in the file."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema {version} is newer than this evsynth "
                f"understands ({SCHEMA_VERSION}); upgrade evsynth"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction() as conn:
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        """Run a read query (for reports and notebooks)."""
        return self._conn.execute(sql, params)

    # -- records -----------------------------------------------------------
    def _find_existing(self, record: Record) -> int | None:
        if record.source_id is not None:
            hit = self._conn.execute(
                "SELECT id FROM records WHERE source = ? AND source_id = ?",
                (record.source, record.source_id),
            ).fetchone()
            if hit:
                return int(hit[0])
        return None

    def add_records(
        self,
        records: Iterable[Record],
        *,
        search_run_id: int | None = None,
        import_id: int | None = None,
    ) -> list[int]:
        """Insert or update records in one transaction; return their ids.

        A record whose ``(source, source_id)`` is already stored is updated
        in place (re-running a search adds no duplicate rows). Fields that are
        empty in the new version keep their stored values.

        Parameters
        ----------
        records : iterable of Record
        search_run_id, import_id : int, optional
            Provenance to link each record to (at most one of them).
        """
        if search_run_id is not None and import_id is not None:
            raise ValueError("give search_run_id or import_id, not both")
        ids: list[int] = []
        now = _now()
        with self.transaction() as conn:
            for position, record in enumerate(records):
                row = _rows.record_row(record)
                existing = self._find_existing(record)
                if existing is None:
                    cols = ", ".join(row) + ", added_at, updated_at"
                    marks = ", ".join("?" for _ in row) + ", ?, ?"
                    cur = conn.execute(
                        f"INSERT INTO records ({cols}) VALUES ({marks})",
                        (*row.values(), now, now),
                    )
                    rid = int(cur.lastrowid)
                else:
                    rid = existing
                    updates = {
                        k: v
                        for k, v in row.items()
                        if k not in ("source", "source_id") and v not in (None, "[]", "{}")
                    }
                    if updates:
                        sets = ", ".join(f"{k} = ?" for k in updates)
                        conn.execute(
                            f"UPDATE records SET {sets}, updated_at = ? WHERE id = ?",
                            (*updates.values(), now, rid),
                        )
                if search_run_id is not None or import_id is not None:
                    conn.execute(
                        "INSERT OR IGNORE INTO record_origins"
                        " (record_id, search_run_id, import_id, position) VALUES (?, ?, ?, ?)",
                        (rid, search_run_id, import_id, position),
                    )
                ids.append(rid)
        return ids

    def get_record(self, record_id: int) -> Record:
        """Return one record by store id."""
        row = self._conn.execute("SELECT * FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no record with id {record_id} in {self.path}")
        return _rows.row_record(row)

    def iter_records(
        self,
        *,
        deduped: bool = False,
        source: str | None = None,
        ids: Sequence[int] | None = None,
    ) -> Iterator[Record]:
        """Yield stored records in id order.

        Parameters
        ----------
        deduped : bool
            Only records not marked as duplicates (the kept ones).
        source : str, optional
            Only records of this source.
        ids : sequence of int, optional
            Only these store ids.
        """
        sql = "SELECT * FROM records WHERE 1=1"
        params: list[Any] = []
        if deduped:
            sql += " AND duplicate_of IS NULL"
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        if ids is not None:
            sql += f" AND id IN ({', '.join('?' for _ in ids)})"
            params.extend(ids)
        for row in self._conn.execute(sql + " ORDER BY id", params):
            yield _rows.row_record(row)

    def count_records(self, *, deduped: bool = False, source: str | None = None) -> int:
        """Number of stored records (optionally only kept ones, or one source)."""
        sql = "SELECT COUNT(*) FROM records WHERE 1=1"
        params: list[Any] = []
        if deduped:
            sql += " AND duplicate_of IS NULL"
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        return int(self._conn.execute(sql, params).fetchone()[0])

    def find_by_pmid(self, pmid: str) -> list[Record]:
        """Stored records carrying this PMID."""
        rows = self._conn.execute("SELECT * FROM records WHERE pmid = ? ORDER BY id", (pmid,))
        return [_rows.row_record(r) for r in rows]

    # -- imports -----------------------------------------------------------
    def add_import(
        self,
        path: str | os.PathLike[str],
        sha256: str,
        fmt: str,
        records: Iterable[Record],
        *,
        database_name: str | None = None,
    ) -> tuple[int, list[int]]:
        """Store an imported file and its records atomically.

        ``records`` may be an iterator: they are stored as they come (memory holds one record),
        and an error raised by the iterator rolls the whole import back.

        Returns
        -------
        (import_id, record_ids)
        """
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO imports (path, sha256, format, n_records, imported_at, database_name)"
                " VALUES (?, ?, ?, 0, ?, ?)",
                (display_path(path), sha256, fmt, _now(), database_name),
            )
            import_id = int(cur.lastrowid)
            ids = self.add_records(records, import_id=import_id)
            conn.execute("UPDATE imports SET n_records = ? WHERE id = ?", (len(ids), import_id))
        return import_id, ids

    def imports(self) -> list[dict[str, Any]]:
        """All imports, oldest first."""
        return [dict(r) for r in self._conn.execute("SELECT * FROM imports ORDER BY id")]

    def set_import_database(self, import_id: int, database_name: str | None) -> None:
        """Set (or clear) the database an imported file came from (PRISMA's label for its records).

        Raises
        ------
        NotFoundError
            No import with this id.
        """
        with self.transaction() as conn:
            cur = conn.execute("UPDATE imports SET database_name = ? WHERE id = ?", (database_name, int(import_id)))
            if cur.rowcount == 0:
                raise NotFoundError(f"no import with id {import_id} in {self.path}")

    # -- search runs -------------------------------------------------------
    def start_search_run(
        self,
        database: str,
        query: str,
        *,
        query_name: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> int:
        """Record the start of a search; returns its run id."""
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO search_runs (database_name, query, query_name, started_at,"
                " evsynth_version, params) VALUES (?, ?, ?, ?, ?, ?)",
                (database, query, query_name, _now(), __version__,
                 json.dumps(dict(params or {}), sort_keys=True)),
            )
            return int(cur.lastrowid)

    def set_search_result(
        self,
        run_id: int,
        *,
        count: int | None,
        query_translation: str | None,
        source_ids: Sequence[str],
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Store what the search found (before fetching), atomically.

        ``details`` holds provenance beyond the count (JSON): ``parts``, the
        ``[mindate, maxdate, count]`` of each publication-date part, and
        ``warnings``, the service's warnings.
        """
        with self.transaction() as conn:
            conn.execute(
                "UPDATE search_runs SET count = ?, query_translation = ?, details = ? WHERE id = ?",
                (count, query_translation, json.dumps(dict(details or {}), sort_keys=True), run_id),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO search_run_ids (run_id, position, source_id) VALUES (?, ?, ?)",
                [(run_id, i, sid) for i, sid in enumerate(source_ids)],
            )

    def pending_ids(self, run_id: int) -> list[str]:
        """Ids of a run not fetched yet, in search order."""
        rows = self._conn.execute(
            "SELECT source_id FROM search_run_ids WHERE run_id = ? AND fetched = 0 ORDER BY position",
            (run_id,),
        )
        return [r[0] for r in rows]

    def run_ids(self, run_id: int) -> list[str]:
        """All ids a run found, in search order."""
        rows = self._conn.execute(
            "SELECT source_id FROM search_run_ids WHERE run_id = ? ORDER BY position", (run_id,)
        )
        return [r[0] for r in rows]

    def store_fetched(self, run_id: int, records: Sequence[Record]) -> list[int]:
        """Store a fetched batch and mark its ids fetched, in one transaction."""
        with self.transaction() as conn:
            ids = self.add_records(records, search_run_id=run_id)
            conn.executemany(
                "UPDATE search_run_ids SET fetched = 1 WHERE run_id = ? AND source_id = ?",
                [(run_id, r.source_id) for r in records],
            )
        return ids

    def mark_fetched(self, run_id: int, source_ids: Iterable[str]) -> None:
        """Mark ids as fetched without records (e.g. ids PubMed no longer returns)."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE search_run_ids SET fetched = 1 WHERE run_id = ? AND source_id = ?",
                [(run_id, s) for s in source_ids],
            )

    def finish_search_run(self, run_id: int, status: str = "complete") -> None:
        """Close a run as ``complete`` or ``failed``."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE search_runs SET status = ?, finished_at = ? WHERE id = ?",
                (status, _now(), run_id),
            )

    def search_runs(self, *, query_name: str | None = None, database: str | None = None) -> list[SearchRun]:
        """Search runs, oldest first (optionally of one saved query or database)."""
        sql = "SELECT * FROM search_runs WHERE 1=1"
        params: list[Any] = []
        if query_name is not None:
            sql += " AND query_name = ?"
            params.append(query_name)
        if database is not None:
            sql += " AND database_name = ?"
            params.append(database)
        return [_rows.row_run(r) for r in self._conn.execute(sql + " ORDER BY id", params)]

    def search_run(self, run_id: int) -> SearchRun:
        """One search run by id."""
        row = self._conn.execute("SELECT * FROM search_runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no search run {run_id} in {self.path}")
        return _rows.row_run(row)

    def unfinished_run(self, database: str, query: str, params: Mapping[str, Any] | None = None) -> SearchRun | None:
        """The latest ``running`` run of the same query and parameters, to resume."""
        row = self._conn.execute(
            "SELECT * FROM search_runs WHERE database_name = ? AND query = ? AND params = ?"
            " AND status = 'running' ORDER BY id DESC LIMIT 1",
            (database, query, json.dumps(dict(params or {}), sort_keys=True)),
        ).fetchone()
        return None if row is None else _rows.row_run(row)

    def records_of_run(self, run_id: int) -> list[Record]:
        """Records linked to a search run, in the run's order."""
        rows = self._conn.execute(
            "SELECT r.* FROM records r JOIN record_origins o ON o.record_id = r.id"
            " WHERE o.search_run_id = ? ORDER BY o.position, r.id",
            (run_id,),
        )
        return [_rows.row_record(r) for r in rows]

    # -- duplicates --------------------------------------------------------
    def mark_duplicates(self, links: Iterable[Mapping[str, Any]], *, reset: bool = True) -> int:
        """Mark duplicates in one transaction.

        Parameters
        ----------
        links : iterable of mapping
            Each with ``record_id``, ``duplicate_of``, ``rule`` and optional
            ``score`` and ``evidence`` (a JSON-serialisable mapping).
        reset : bool
            Clear earlier marks first (a fresh dedupe of the whole store).

        Returns
        -------
        int
            Number of links stored.
        """
        now = _now()
        n = 0
        with self.transaction() as conn:
            if reset:
                conn.execute("UPDATE records SET duplicate_of = NULL")
                conn.execute("DELETE FROM duplicate_links")
            for link in links:
                conn.execute(
                    "INSERT INTO duplicate_links (record_id, duplicate_of, rule, score, evidence,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (link["record_id"], link["duplicate_of"], link["rule"], link.get("score"),
                     json.dumps(link.get("evidence") or {}, default=str), now),
                )
                conn.execute(
                    "UPDATE records SET duplicate_of = ? WHERE id = ?",
                    (link["duplicate_of"], link["record_id"]),
                )
                n += 1
        return n

    def update_record_fields(self, record_id: int, changes: Mapping[str, Any]) -> None:
        """Fill or change bibliographic fields of one record (e.g. merged from duplicates)."""
        unknown = set(changes) - set(RECORD_FIELDS)
        if unknown:
            raise ValueError(f"unknown record fields: {sorted(unknown)}")
        row = {
            k: json.dumps(list(v), ensure_ascii=False) if k in _rows.TUPLE_COLUMNS else v
            for k, v in changes.items()
        }
        if not row:
            return
        with self.transaction() as conn:
            sets = ", ".join(f"{k} = ?" for k in row)
            conn.execute(
                f"UPDATE records SET {sets}, updated_at = ? WHERE id = ?",
                (*row.values(), _now(), record_id),
            )

    def duplicate_links(self) -> list[dict[str, Any]]:
        """Stored duplicate links with their evidence decoded."""
        out = []
        for r in self._conn.execute("SELECT * FROM duplicate_links ORDER BY id"):
            d = dict(r)
            d["evidence"] = json.loads(d["evidence"] or "{}")
            out.append(d)
        return out

    # -- screening ---------------------------------------------------------
    def add_decisions(self, decisions: Iterable[Mapping[str, Any]]) -> int:
        """Append screening decisions (never overwrites); returns how many.

        Each mapping has ``record_id``, ``stage``, ``decision`` and optional
        ``reason``, ``reviewer``, ``decided_at``, ``source_file``.
        """
        n = 0
        with self.transaction() as conn:
            for d in decisions:
                conn.execute(
                    "INSERT INTO screening_decisions (record_id, stage, decision, reason, reviewer,"
                    " decided_at, source_file) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (d["record_id"], d["stage"], d["decision"], d.get("reason"),
                     d.get("reviewer"), d.get("decided_at") or _now(), d.get("source_file")),
                )
                n += 1
        return n

    def decisions(self, stage: str | None = None) -> list[dict[str, Any]]:
        """All screening decisions, oldest first (optionally of one stage)."""
        sql = "SELECT * FROM screening_decisions"
        params: tuple[Any, ...] = ()
        if stage is not None:
            sql += " WHERE stage = ?"
            params = (stage,)
        return [dict(r) for r in self._conn.execute(sql + " ORDER BY id", params)]


def open_store(path: str | os.PathLike[str], *, create: bool = True) -> Store:
    """Open the record store at ``path`` (created when missing unless ``create=False``)."""
    return Store(path, create=create)

