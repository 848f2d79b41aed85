"""The store never modifies a file that is not an evsynth store, and a damaged store is exit 7.

Every command that opens the store is run on: another application's SQLite database (with
and without an ``application_id``, in rollback-journal and WAL mode), an empty SQLite
database, a 0-byte file, a text file, an evsynth store with a damaged page and one with a
missing table. Each must exit 7 with one line naming the file, and leave the file's bytes
(and the folder's list of files) exactly as they were.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable

import pytest

from evsynth import Record, Store, StoreError
from evsynth._store_file import APPLICATION_ID
from evsynth.cli import main
from evsynth.errors import ExitCode
from evsynth.store import SCHEMA_VERSION

PAGE = 4096


def _other_app(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('somebody else''s data')")
    conn.commit()
    conn.close()


def _other_app_with_id(path: Path) -> None:
    _other_app(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1196444237")  # an id another application uses
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()


def _other_app_with_records_table(path: Path) -> None:
    # another application's table happens to be called "records"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def _empty_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("DROP TABLE t")
    conn.commit()
    conn.close()
    assert path.stat().st_size > 0


def _zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("id,title\n1,not a database\n", encoding="utf-8")


def _evsynth_store(path: Path, n: int = 300) -> None:
    with Store(path) as store:
        store.add_records([Record(source="ris", source_id=str(i), title=f"Title {i}", abstract="words " * 200)
                           for i in range(n)])


def _damaged_page(path: Path) -> None:
    _evsynth_store(path)
    pages = path.stat().st_size // PAGE
    assert pages > 20
    with open(path, "r+b") as fh:
        fh.seek(PAGE * (pages // 2))
        fh.write(b"\xde\xad\xbe\xef" * (PAGE // 4))
    with pytest.raises(sqlite3.DatabaseError):  # the damage is real
        conn = sqlite3.connect(path)
        try:
            conn.execute("SELECT count(*) FROM records WHERE abstract LIKE '%x%'").fetchall()
        finally:
            conn.close()


def _missing_table(path: Path) -> None:
    _evsynth_store(path, 5)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE screening_decisions")
    conn.commit()
    conn.close()


NOT_OURS: dict[str, Callable[[Path], None]] = {
    "another application's database": _other_app,
    "another application's database with its application_id": _other_app_with_id,
    "another application's table named records": _other_app_with_records_table,
    "an empty SQLite database": _empty_sqlite,
    "a 0-byte file": _zero_bytes,
    "a text file": _text,
}
DAMAGED: dict[str, Callable[[Path], None]] = {
    "a damaged page": _damaged_page,
    "a missing table": _missing_table,
}


def _state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("kind", list(NOT_OURS) + list(DAMAGED))
@pytest.mark.parametrize("create", [True, False])
def test_store_refuses_and_leaves_the_file(kind: str, create: bool, tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite"
    {**NOT_OURS, **DAMAGED}[kind](path)
    before = _state(tmp_path)
    with pytest.raises(StoreError) as info:
        Store(path, create=create)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert info.value.exit_code == ExitCode.STORE
    assert _state(tmp_path) == before


def test_another_applications_wal_database_is_not_checkpointed(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite"
    conn = sqlite3.connect(path)  # the other application keeps it open, its log not yet checkpointed
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE notes (x)")
    conn.execute("INSERT INTO notes VALUES (1)")
    conn.commit()
    main_bytes, wal_bytes = path.read_bytes(), Path(str(path) + "-wal").read_bytes()
    with pytest.raises(StoreError, match="not an evsynth record store"):
        Store(path)
    assert path.read_bytes() == main_bytes
    assert Path(str(path) + "-wal").read_bytes() == wal_bytes
    conn.close()


def test_a_new_store_is_marked_as_evsynths(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    with Store(path) as store:
        store.add_records([Record(source="ris", source_id="1", title="T")])
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
    assert [p.name for p in tmp_path.iterdir()] == ["new.sqlite"]  # no temporary file left beside it


def test_a_store_made_before_the_mark_keeps_working(tmp_path: Path) -> None:
    # a store as evsynth made it before application_id was set: the current schema, id 0
    path = tmp_path / "old.sqlite"
    _evsynth_store(path, 3)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.close()
    with Store(path, create=False) as store:
        assert store.count_records() == 3
        store.add_records([Record(source="ris", source_id="new", title="New")])
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    with Store(path) as store:
        assert store.count_records() == 4


def test_damage_met_after_opening_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    _evsynth_store(path, 3)
    with Store(path) as store:
        other = sqlite3.connect(path)
        other.execute("DROP TABLE duplicate_links")
        other.execute("DROP TABLE record_origins")
        other.execute("DROP TABLE records")
        other.commit()
        other.close()
        with pytest.raises(StoreError, match="no such table: records"):
            store.count_records()
        with pytest.raises(StoreError, match="no such table: records"):
            list(store.iter_records())
        with pytest.raises(StoreError, match="no such table: records"):
            with store.transaction() as conn:
                conn.execute("UPDATE records SET title = 'x'")


# -- every command ----------------------------------------------------------------------------


def _commands(store: Path, root: Path, tmp: Path) -> dict[str, list[str]]:
    sheet = tmp / "sheet.csv"
    sheet.write_text("record_id,decision,reason,reviewer\n1,include,,ann\n", encoding="utf-8")
    exports = root / "tests" / "data" / "exports"
    return {
        "import": ["import", str(exports / "embase.ris")],
        "export": ["export", "--to", "ris"],
        "export -o": ["export", "--to", "csv", "-o", str(tmp / "out.csv")],
        "dedupe": ["dedupe"],
        "status": ["status"],
        "prisma": ["prisma", "-o", str(tmp / "out")],
        "screen export": ["screen", "export"],
        "screen import": ["screen", "import", str(sheet)],
        "review": ["review", "--out", str(tmp / "out"), "--folder", str(root / "extracted"),
                   "--queries", str(root / "queries")],
        "search": ["search", "--term", "fibromyalgia"],
        "trial": ["trial", "NCT06916403"],
        "update": ["update", str(root / "queries" / "ketamine_fibromyalgia.toml")],
    }


COMMANDS = ("import", "export", "export -o", "dedupe", "status", "prisma", "screen export", "screen import",
            "review", "search", "trial", "update")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", ["another application's database", "a 0-byte file", "a damaged page",
                                  "a missing table"])
def test_every_command_exits_7_and_changes_nothing(kind: str, command: str, tmp_path: Path, root: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "x.sqlite"
    {**NOT_OURS, **DAMAGED}[kind](path)
    before = _state(folder)
    argv = _commands(path, root, tmp_path)[command] + ["--store", str(path)]
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == ExitCode.STORE, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in err
    assert _state(folder) == before
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.csv").exists()


def test_a_sqlite_error_met_outside_the_store_is_exit_7(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture) -> None:
    # a cursor from Store.execute read late by a library function: the command line still says exit 7
    import evsynth.screening

    path = tmp_path / "s.sqlite"
    _evsynth_store(path, 2)

    def late_damage(*args: object, **kwargs: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(evsynth.screening, "export_sheet", late_damage)
    with pytest.raises(SystemExit) as info:
        main(["screen", "export", "--store", str(path)])
    err = capsys.readouterr().err
    assert info.value.code == ExitCode.STORE
    assert err.strip().splitlines() == [
        f"error: {path}: the record store is unusable (database disk image is malformed)"]
