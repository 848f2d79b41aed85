"""The record store's file: what is an evsynth store, how one is made, what is damaged.

Rules
-----
* A new store is built in a temporary file beside the target (schema, WAL mode,
  ``PRAGMA application_id``) and then linked into place, so a file at the path
  is either a complete evsynth store or not evsynth's.
* An existing file is opened only if it is evsynth's: its ``application_id`` is
  :data:`APPLICATION_ID`, or (a store made before the id was set) it is 0 and
  the file holds evsynth's tables at a known schema version. Anything else (a
  0-byte file, a file that is not SQLite, another application's database, an
  empty SQLite database) is refused with :class:`~evsynth.errors.StoreError`
  before a single byte of it is written.
* An evsynth store is checked when opened (``PRAGMA quick_check`` and its
  tables); a damaged one is a :class:`~evsynth.errors.StoreError`, and so is
  any SQLite error met later (:func:`guard_methods`).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sqlite3
import tempfile
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from .errors import StoreError
from .output import current_umask

#: ``PRAGMA application_id`` of an evsynth store ("EvSy")
APPLICATION_ID = 0x45765379
#: the tables every evsynth store has (schema version 1 on)
TABLES = frozenset({"records", "imports", "search_runs", "search_run_ids", "record_origins",
                    "duplicate_links", "screening_decisions"})
#: the store this process opened last (named by the command line's last-resort message)
LAST_OPENED: Path | None = None
_SQLITE_MAGIC = b"SQLite format 3\x00"
_LEFT = "it was left unchanged"

T = TypeVar("T")


def check_file(path: Path) -> None:
    """Refuse, without opening it as a database, a file that cannot be an evsynth store.

    Raises
    ------
    StoreError
        ``path`` is a folder, an empty (0-byte) file or not a SQLite database.
    """
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a record store")
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the record store: {exc.strerror or exc}") from None
    if not head:
        raise StoreError(f"{path}: is an empty file (0 bytes), not an evsynth record store; {_LEFT}")
    if head != _SQLITE_MAGIC:
        raise StoreError(f"{path}: is not a SQLite database, so not an evsynth record store; {_LEFT}")


def identify(path: Path, schema_version: int) -> bool:
    """Check that ``path`` is an evsynth store in good order; return True if its id is still to be set.

    Reads through a read-only connection (which never writes, not even the
    checkpoint of another application's write-ahead log on closing). Raises
    :class:`StoreError` for another application's database, an empty SQLite
    database, a newer schema, missing tables, or a damaged file.
    """
    check_file(path)
    # Without a write-ahead log the file is the whole database: read it as immutable, which
    # creates no -wal/-shm beside it. With one, read it (and the log) through a read-only connection.
    wal = os.path.exists(f"{path}-wal")
    # quoted from the bytes, so a file name that is not UTF-8 works too
    uri = "file:" + urllib.parse.quote(os.fsencode(os.path.abspath(path))) + ("?mode=ro" if wal else "?immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=30.0)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the record store: {exc}") from None
    try:
        return _identify(conn, path, schema_version)
    finally:
        conn.close()


def _identify(conn: sqlite3.Connection, path: Path, schema_version: int) -> bool:
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: the record store is damaged ({exc}); {_LEFT}") from None
    if app_id not in (0, APPLICATION_ID):
        raise StoreError(f"{path}: is another application's SQLite database (application_id {app_id:#x}), "
                         f"not an evsynth record store; {_LEFT}")
    ours = app_id == APPLICATION_ID or (version >= 1 and bool(tables & TABLES))
    if not ours:
        what = "an empty SQLite database" if not tables else (
            f"a SQLite database without evsynth's tables (it has {', '.join(sorted(tables)[:5])}"
            + (", ..." if len(tables) > 5 else "") + ")")
        raise StoreError(f"{path}: is {what}, not an evsynth record store; {_LEFT}")
    if version > schema_version:
        raise StoreError(f"{path}: store schema {version} is newer than this evsynth "
                         f"understands ({schema_version}); upgrade evsynth")
    missing = sorted(TABLES - tables)
    if missing:
        raise StoreError(f"{path}: the record store is damaged: table(s) {', '.join(missing)} missing; {_LEFT}")
    check_pages(conn, path)
    return app_id == 0


def check_pages(conn: sqlite3.Connection, path: Path) -> None:
    """``PRAGMA quick_check``: every page of the file readable and consistent."""
    try:
        rows = conn.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: the record store is damaged ({exc}); {_LEFT}") from None
    problems = [str(r[0]) for r in rows if str(r[0]) != "ok"]
    if problems:
        first = " ".join(problems[0].replace("*** in database main ***", "").split())
        raise StoreError(f"{path}: the record store is damaged ({first}); {_LEFT}")


def create(path: Path, schema: Callable[[sqlite3.Connection], None]) -> bool:
    """Make a new store at ``path`` whole: built beside it, then linked into place.

    Parameters
    ----------
    path : Path
    schema : callable
        Creates the tables on a connection to the new file (in a transaction).

    Returns
    -------
    bool
        True if this call made the file; False if another process made one first.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".evsynth-tmp", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the record store: {exc.strerror or exc}") from None
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            schema(conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        finally:
            conn.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())  # as any new file (mkstemp made it private)
        try:
            os.link(tmp, path)  # never replaces a file made meanwhile
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            if os.path.lexists(path):
                return False
            os.rename(tmp, path)
        return True
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot create the record store: {exc}") from None
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(tmp + suffix)


def damaged(path: Any, exc: sqlite3.DatabaseError) -> StoreError:
    """The :class:`StoreError` for a SQLite error met on the store at ``path``."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(f"{path}: the record store is locked by another process ({text})")
    return StoreError(f"{path}: the record store is unusable ({text})")


def guard_methods(cls: type[T]) -> type[T]:
    """Turn the SQLite errors of ``cls``'s public methods into :class:`StoreError` (exit 7)."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member) or name == "transaction":
            continue
        setattr(cls, name, _guard(member))
    return cls


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(self, *args, **kwargs)
            except sqlite3.DatabaseError as exc:
                raise damaged(getattr(self, "path", "?"), exc) from exc
        return gen

    @functools.wraps(fn)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise damaged(getattr(self, "path", "?"), exc) from exc
    return call
