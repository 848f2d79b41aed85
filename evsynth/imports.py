"""Import export files into the record store, export it again, convert files.

Every file is read completely before any of its records is written, and each file is
stored with its records in one transaction (:meth:`Store.add_import`): a bad
file raises :class:`~evsynth.errors.InputError` and leaves the store as it was.
With several files, all are stored in one transaction; if any is bad, none is
stored. Files can be read in several processes (``jobs``, :func:`read_files`),
ahead of the one being stored: they are stored in the order given, with the
same records, errors and transaction.

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
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Iterable, Iterator

from .models import Record
from .sources.ids import file_ids
from .sources.readers import ReadResult, read_file
from .store import Store

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

__all__ = ["FileImport", "ImportResult", "convert_file", "export_store", "import_files", "prepare_records",
           "read_files"]

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
    """

    path: str
    format: str
    import_id: int
    n_records: int
    record_ids: tuple[int, ...]
    database: str | None = None
    notes: tuple[str, ...] = ()
    already_imported: bool = False


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


def prepare_records(result: ReadResult) -> list[Record]:
    """The records of a read file with the ids they are stored under (see module docstring)."""
    prefix = result.sha256[:12]
    keys, _ = file_ids(result.records)
    out = []
    for record, key in zip(result.records, keys):
        if record.source in _GLOBAL_SOURCES and record.source_id:
            out.append(record)
            continue
        extra = dict(record.extra)
        if record.source_id is not None:
            extra["id_in_file"] = record.source_id
        out.append(record.replace(source_id=f"{prefix}:{key}", extra=extra))
    return out


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

    Parameters
    ----------
    store : Store
    paths : iterable of path
        Files in any format :func:`~evsynth.sources.readers.read_records` reads.
    database_name : str, optional
        The database the files came from (PRISMA); guessed from each file's
        content when not given (Embase, PubMed, Web of Science, PsycINFO, ...).
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
    files = []
    with store.transaction():  # a file is stored while the next ones are read; a bad one rolls all back
        for result in read_files(paths, accept_missing_er=accept_missing_er, jobs=jobs, mp_context=mp_context):
            records = prepare_records(result)
            database = database_name or result.database
            earlier = {row["sha256"]: row for row in store.imports()}.get(result.sha256)
            if earlier is not None:
                import_id = int(earlier["id"])
                ids = store.add_records(records, import_id=import_id)
                database = earlier["database_name"]
            else:
                import_id, ids = store.add_import(
                    result.path, result.sha256, result.format, records, database_name=database
                )
            files.append(
                FileImport(
                    path=result.path,
                    format=result.format,
                    import_id=import_id,
                    n_records=len(records),
                    record_ids=tuple(ids),
                    database=database,
                    notes=result.notes,
                    already_imported=earlier is not None,
                )
            )
    return ImportResult(files=tuple(files))


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
    from .sources.writers import write_records

    records = list(store.iter_records(deduped=deduped))
    return write_records(records, fmt), len(records)


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
