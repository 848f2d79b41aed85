"""Import export files into the record store, export it again, convert files.

All files of one call are stored in one transaction, each with its records
(:meth:`Store.add_import`): a bad file raises :class:`~evsynth.errors.InputError`
and the transaction is rolled back, so the store is left as it was; if any file
is bad, none is stored. A file imported before is recognised by the SHA-256 of
its bytes before it is read. With ``jobs=1`` records are parsed and stored one
at a time (memory does not grow with the number of records); files can be read
in several processes (``jobs``, :func:`read_files`), ahead of the one being
stored: they are stored in the order given, with the same records, errors and
transaction.

Stored ids (``Record.source_id``)
---------------------------------
The store recognises a record by ``(source, source_id)``. Ids inside export
files are mostly local (EndNote/Zotero/Rayyan record numbers ``1, 2, ...``,
CSV row ids), so two different files would collide. Imported records are
therefore stored with ``source_id = "<first 12 hex of the file's SHA-256>:<id>"``
where ``<id>`` is the file's own id for the record, or ``#<position>`` (1-based)
when the record has none or the file's ids are not unique. Re-importing the
same file (same bytes) adds no rows, not even a new import: it is reported
as ``already_imported``. A different file never
overwrites another's records (dedupe links them instead). The file's own id
is kept in ``extra["id_in_file"]``. Records whose source is a database with
global ids (``pubmed``, ``ctgov``: PubMed XML, a JSON export of searched
records) keep their PMID / NCT id, so they meet the searched records.

A file evsynth exported (:func:`export_store`) names each record by its stored
id. Those ids are kept as they are, not prefixed again: an id already of the
stored form (``<12 hex>:<id>``), and an id that is the record's own PMID or NCT
id (how a searched record is exported). So a record keeps its identity through
export → import → export (the second export is the same file). Importing an
export into the store it came from meets a record stored under the same
``(source, source_id)`` (updated in place, as by a re-run search; fields empty
in the file keep their stored values) instead of adding a copy. JSON and
evsynth's CSV carry each record's source; RIS and BibTeX do not (their records
come back as ``ris`` / ``bibtex``): records of other sources (a CSV import
exported as RIS) are added, and dedupe links them.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
from collections import deque
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Iterable, Iterator, TextIO

from .errors import display_path
from .models import Record
from .sources.ids import file_ids
from .sources.readers import ReadResult, file_sha256, read_file, stream_file
from .store import Store

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

__all__ = ["FileImport", "ImportResult", "convert_file", "export_store", "export_store_to", "import_files",
           "prepare_records", "read_files", "relabel_import"]

_GLOBAL_SOURCES = frozenset({"pubmed", "ctgov"})


@dataclass(frozen=True)
class FileImport:
    """One imported file.

    Attributes
    ----------
    path, format : str
    import_id : int
        Row of the ``imports`` table.
    n_records : int
    record_ids : tuple of int
        Store ids of the file's records, in file order.
    database : str or None
        The database named for PRISMA's "records identified per source".
    notes : tuple of str
        Oddities accepted while reading (encoding fallback, missing final ``ER``).
    already_imported : bool
        The same bytes were imported before: no new import row, no new records.
    relabelled_from : str or None
        Re-importing a file with another ``database_name`` relabels it: the
        label it had before (its format when it had none).
    """

    path: str
    format: str
    import_id: int
    n_records: int
    record_ids: tuple[int, ...]
    database: str | None = None
    notes: tuple[str, ...] = ()
    already_imported: bool = False
    relabelled_from: str | None = None

    @property
    def label(self) -> str:
        """What PRISMA's "records identified" calls the file: its database, else its format."""
        return self.database or self.format


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_files` stored, one :class:`FileImport` per file."""

    files: tuple[FileImport, ...]

    @property
    def n_records(self) -> int:
        """Records over all files."""
        return sum(f.n_records for f in self.files)

    @property
    def record_ids(self) -> tuple[int, ...]:
        """Store ids over all files (a record in two files appears twice)."""
        return tuple(i for f in self.files for i in f.record_ids)


_STORED_FORM = re.compile(r"[0-9a-f]{12}:.+", re.DOTALL)


def _keeps_id(record: Record) -> bool:
    """True when ``record`` is stored under its own id unchanged (see module docstring)."""
    own = record.source_id
    if not own:
        return False
    return (record.source in _GLOBAL_SOURCES or _STORED_FORM.fullmatch(own) is not None
            or own in (record.pmid, record.nct_id))


def prepare_records(result: ReadResult) -> list[Record]:
    """The records of a read file with the ids they are stored under (see module docstring)."""
    prefix = result.sha256[:12]
    keys, _ = file_ids(result.records)
    out = []
    for record, key in zip(result.records, keys):
        if _keeps_id(record):
            out.append(record)
            continue
        extra = dict(record.extra)
        if record.source_id is not None:
            extra["id_in_file"] = record.source_id
        out.append(record.replace(source_id=f"{prefix}:{key}", extra=extra))
    return out


class _IdsNotUnique(Exception):
    """The file's own ids repeat: its records are stored under their positions instead."""


def _stored_ids(records: Iterable[Record], prefix: str, *, positional: bool) -> Iterator[Record]:
    """Records with the ids they are stored under (see module docstring), one at a time.

    With ``positional=False`` a record's own id is used, and a repeated one raises
    :class:`_IdsNotUnique` (the caller starts the file again with ``positional=True``).
    """
    seen: set[str] = set()
    for position, record in enumerate(records, start=1):
        own = record.source_id
        if own and not positional:  # as sources.ids.file_ids: the ids present must not repeat
            if own in seen:
                raise _IdsNotUnique
            seen.add(own)
        if _keeps_id(record):
            yield record
            continue
        key = str(own) if (own and not positional) else f"#{position}"
        extra = dict(record.extra)
        if own is not None:
            extra["id_in_file"] = own
        yield record.replace(source_id=f"{prefix}:{key}", extra=extra)


def _earlier_import(store: Store, sha256: str) -> FileImport | None:
    """The import of a file with these bytes, if there was one (found before reading the file)."""
    row = store.execute("SELECT * FROM imports WHERE sha256 = ? ORDER BY id LIMIT 1", (sha256,)).fetchone()
    if row is None:
        return None
    ids = tuple(int(r[0]) for r in store.execute(
        "SELECT record_id FROM record_origins WHERE import_id = ? ORDER BY position", (row["id"],)))
    return FileImport(path=row["path"], format=row["format"], import_id=int(row["id"]), n_records=len(ids),
                      record_ids=ids, database=row["database_name"], already_imported=True)


def _again(store: Store, earlier: FileImport, path: str, database_name: str | None) -> FileImport:
    """A file imported before: nothing stored again; relabelled when another ``database_name`` is given."""
    if database_name is None or database_name == earlier.database:
        return replace(earlier, path=display_path(path))
    store.set_import_database(earlier.import_id, database_name)
    return replace(earlier, path=display_path(path), database=database_name,
                   relabelled_from=earlier.database or earlier.format)


def _import_one(store: Store, conn: sqlite3.Connection, path: str | os.PathLike[str], database_name: str | None,
                accept_missing_er: bool) -> FileImport:
    for positional in (False, True):
        opened = stream_file(path, accept_missing_er=accept_missing_er)
        database = database_name or opened.database
        conn.execute("SAVEPOINT evsynth_import_file")
        try:
            import_id, ids = store.add_import(
                opened.path, opened.sha256, opened.format,
                _stored_ids(opened.records, opened.sha256[:12], positional=positional), database_name=database)
        except _IdsNotUnique:
            conn.execute("ROLLBACK TO evsynth_import_file")
            conn.execute("RELEASE evsynth_import_file")
            continue
        conn.execute("RELEASE evsynth_import_file")
        return FileImport(path=opened.path, format=opened.format, import_id=import_id, n_records=len(ids),
                          record_ids=tuple(ids), database=database, notes=tuple(opened.notes))
    raise AssertionError("unreachable: positional ids are unique")  # pragma: no cover


def read_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    accept_missing_er: bool = False,
    jobs: int = 1,
    mp_context: str | BaseContext | None = None,
) -> Iterator[ReadResult]:
    """Read files, in the order given, in ``jobs`` processes.

    With ``jobs=1`` each file is read in this process when its turn comes.
    With more, a pool of worker processes reads up to ``2 * jobs`` files ahead
    of the one being handed over; the results (records, notes) and the error
    raised are exactly those of ``jobs=1``: the files' results in the order
    given, and at the first bad file in that order its error (same message,
    file, line and field), after the results of the files before it. Files
    after it may have been read, but nothing of theirs is handed over.

    Parameters
    ----------
    paths : iterable of path
    accept_missing_er : bool
        RIS / WoS: accept a last record a file ends without ``ER``.
    jobs : int
        Processes reading files (1: this one only).
    mp_context : str or multiprocessing context, optional
        How worker processes start; ``"spawn"`` by default, which works on
        every platform and from threaded processes (notebooks, NumPy): a
        worker imports evsynth afresh instead of copying this process.

    Yields
    ------
    ReadResult
        One per file, in the order given.

    Raises
    ------
    InputError
        The first bad file in the order given.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"read_files: jobs must be a positive integer, not {jobs!r}")
    read = partial(read_file, accept_missing_er=accept_missing_er)
    todo = [os.fspath(p) for p in paths]
    if jobs == 1 or len(todo) < 2:
        for path in todo:
            yield read(path)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = mp_context if mp_context is not None and not isinstance(mp_context, str) \
        else multiprocessing.get_context(mp_context or "spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
        pending: deque[Future[ReadResult]] = deque()
        try:
            for path in todo:
                pending.append(pool.submit(read, path))
                if len(pending) >= 2 * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:  # an error, or the caller stopped early: read no more
                future.cancel()


def import_files(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    *,
    database_name: str | None = None,
    accept_missing_er: bool = False,
    jobs: int = 1,
    mp_context: str | BaseContext | None = None,
) -> ImportResult:
    """Read export files and store their records, all-or-nothing per call.

    All files are stored in one transaction: bad input in any of them stores nothing from any.
    A file whose bytes were imported before is recognised by its SHA-256 before it is read
    and adds nothing (``already_imported``). With ``jobs=1`` records are parsed and stored one
    at a time, so memory does not grow with the number of records (RIS, PubMed XML).

    Parameters
    ----------
    store : Store
    paths : iterable of path
        Files in any format :func:`~evsynth.sources.readers.read_records` reads.
    database_name : str, optional
        The database the files came from (PRISMA); guessed from each file's
        content when not given (Embase, PubMed, Web of Science, PsycINFO, ...).
        A file imported before gets this label instead of its old one (see
        :func:`relabel_import`); its records are not stored again.
    accept_missing_er : bool
        RIS / WoS: accept a last record a file ends without ``ER``.
    jobs : int
        Processes reading the files (see :func:`read_files`); the files are
        stored in the order given, with the same records, errors and
        transaction whatever the number.
    mp_context : str or multiprocessing context, optional
        How worker processes start (``"spawn"`` by default).

    Returns
    -------
    ImportResult

    Raises
    ------
    InputError
        A file is missing, empty, undecodable or malformed; nothing is stored.
    """
    if database_name is not None:
        database_name = database_name.strip()
        if not database_name:
            from .errors import InputError

            raise InputError("the database name is empty", field="database")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"import_files: jobs must be a positive integer, not {jobs!r}")
    todo = [os.fspath(p) for p in paths]
    files: list[FileImport] = []
    with store.transaction() as conn:
        if jobs == 1 or len(todo) < 2:
            for path in todo:  # each file streamed into the store as it is parsed
                earlier = _earlier_import(store, file_sha256(path))
                if earlier is not None:
                    files.append(_again(store, earlier, path, database_name))
                    continue
                files.append(_import_one(store, conn, path, database_name, accept_missing_er))
            return ImportResult(files=tuple(files))
        # several processes: files seen before are not read at all; the others are read ahead
        seen_before = {path for path in todo if _earlier_import(store, file_sha256(path)) is not None}
        results = read_files([p for p in todo if p not in seen_before], accept_missing_er=accept_missing_er,
                             jobs=jobs, mp_context=mp_context)
        for path in todo:
            result = None if path in seen_before else next(results)
            earlier = _earlier_import(store, result.sha256 if result else file_sha256(path))
            if earlier is not None:  # imported before, or earlier in this call
                files.append(_again(store, earlier, path, database_name))
                continue
            database = database_name or result.database
            import_id, ids = store.add_import(result.path, result.sha256, result.format, prepare_records(result),
                                              database_name=database)
            files.append(FileImport(path=result.path, format=result.format, import_id=import_id, n_records=len(ids),
                                    record_ids=tuple(ids), database=database, notes=result.notes))
    return ImportResult(files=tuple(files))


def relabel_import(store: Store, import_id: int, database_name: str) -> str:
    """Name the database an imported file came from; its records count under it in PRISMA.

    Parameters
    ----------
    store : Store
    import_id : int
        The import's id (``evsynth sources`` lists them).
    database_name : str
        The new label (e.g. ``PubMed``, ``Embase``).

    Returns
    -------
    str
        The label it had before (its format when it had none).

    Raises
    ------
    InputError
        An empty name.
    NotFoundError
        No import with this id.
    """
    from .errors import InputError, NotFoundError

    name = database_name.strip()
    if not name:
        raise InputError("the database name is empty", field="database")
    row = next((r for r in store.imports() if int(r["id"]) == int(import_id)), None)
    if row is None:
        raise NotFoundError(f"no import with id {import_id} in {store.path} (evsynth sources lists them)")
    store.set_import_database(int(import_id), name)
    return row["database_name"] or row["format"]


def export_store(store: Store, fmt: str, *, deduped: bool = False) -> tuple[str, int]:
    """The store's records as text in ``fmt`` (ris, bibtex, csv, json).

    Parameters
    ----------
    store : Store
    fmt : str
    deduped : bool
        Only records kept by dedupe (``duplicate_of`` is NULL).

    Returns
    -------
    (text, n_records)
    """
    buffer = io.StringIO()
    n = export_store_to(store, fmt, buffer, deduped=deduped)
    return buffer.getvalue(), n


def export_store_to(store: Store, fmt: str, out: TextIO, *, deduped: bool = False) -> int:
    """Write the store's records in ``fmt`` to ``out`` one at a time; return how many.

    Records are read from the store and written as they come (RIS, CSV, JSON), so memory does
    not grow with the number of records.
    """
    from .sources.writers import iter_written

    count = 0

    def counted() -> Iterator[Record]:
        nonlocal count
        for record in store.iter_records(deduped=deduped):
            count += 1
            yield record

    for piece in iter_written(counted(), fmt):
        out.write(piece)
    return count


def convert_file(
    path: str | os.PathLike[str], fmt: str, *, accept_missing_er: bool = False
) -> tuple[str, ReadResult]:
    """Read any supported file and return it written as ``fmt`` (no store).

    Records keep the file's own ids when all are present and unique; else
    every record is named by its position (``#1``, ``#2``, ...; the file's
    own id, if any, kept in ``extra["id_in_file"]``), as ``evsynth dedupe``
    names them (:mod:`evsynth.sources.ids`).

    Returns
    -------
    (text, read_result)
    """
    from .sources.writers import write_records

    result = read_file(path, accept_missing_er=accept_missing_er)
    ids, own = file_ids(result.records)
    records = result.records
    if not own:  # ids missing or repeated: named by position, as dedupe names them
        records = tuple(
            r.replace(source_id=i, extra={**r.extra, "id_in_file": r.source_id} if r.source_id else r.extra)
            for r, i in zip(records, ids)
        )
    return write_records(records, fmt), result
