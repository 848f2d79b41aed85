"""Tests for evsynth.store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from evsynth import Record, Store, StoreError
from evsynth.store import SCHEMA_VERSION


def _rec(i: int, **kw) -> Record:
    return Record(source="ris", source_id=str(i), title=f"Title {i}", **kw)


def test_new_store_has_schema_version(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.count_records() == 0


def test_add_and_read_back_round_trips_fields(tmp_path):
    rec = Record(
        source="pubmed", source_id="123", pmid="123", doi="10.1/x", title="T",
        authors=("Smith, J", "Doe, A"), mesh=("Ketamine",), year=2001, extra={"x": 1},
    )
    with Store(tmp_path / "s.sqlite") as store:
        (rid,) = store.add_records([rec])
        back = store.get_record(rid)
    assert back == rec
    assert back.store_id == rid
    assert back.extra == {"x": 1}


def test_re_adding_same_source_id_updates_not_duplicates(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        a = store.add_records([_rec(1)])
        b = store.add_records([_rec(1, doi="10.1/y")])
        assert a == b
        assert store.count_records() == 1
        assert store.get_record(a[0]).doi == "10.1/y"


def test_failed_transaction_leaves_store_unchanged(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        store.add_records([_rec(1)])

        def boom():
            yield _rec(2)
            raise RuntimeError("half way")

        with pytest.raises(RuntimeError):
            store.add_records(boom())
        assert store.count_records() == 1


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.sqlite"):
        Store(path)


def test_marks_not_deletions(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        a, b = store.add_records([_rec(1), _rec(2)])
        store.mark_duplicates([{"record_id": b, "duplicate_of": a, "rule": "doi", "score": 1.0,
                                "evidence": {"doi": "same"}}])
        assert store.count_records() == 2
        assert store.count_records(deduped=True) == 1
        assert store.get_record(b).duplicate_of == a
        assert store.duplicate_links()[0]["evidence"] == {"doi": "same"}


def test_decisions_are_append_only(tmp_path):
    with Store(tmp_path / "s.sqlite") as store:
        (a,) = store.add_records([_rec(1)])
        store.add_decisions([{"record_id": a, "stage": "title-abstract", "decision": "include"}])
        store.add_decisions([{"record_id": a, "stage": "title-abstract", "decision": "exclude"}])
        assert [d["decision"] for d in store.decisions()] == ["include", "exclude"]


def test_kill_9_mid_write_leaves_consistent_store(tmp_path):
    """A writer killed with SIGKILL inside a transaction loses only that transaction."""
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.add_records([_rec(i) for i in range(10)])
    script = textwrap.dedent(
        f"""
        import sys, time
        from evsynth import Store, Record
        store = Store({str(path)!r})
        def slow():
            for i in range(100, 100000):
                if i == 150:
                    print("inside", flush=True)
                if i > 150:
                    time.sleep(0.001)
                yield Record(source="ris", source_id=str(i), title="x")
        store.add_records(slow())
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "inside"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store(path) as store:
        assert store.count_records() == 10
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.add_records([_rec(11)])
        assert store.count_records() == 11


def test_a_version_1_store_is_migrated_keeping_its_runs(tmp_path):
    from evsynth._schema import MIGRATIONS as _MIGRATIONS

    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(_MIGRATIONS[1])
    conn.execute("INSERT INTO search_runs (database_name, query, count, started_at, status, evsynth_version)"
                 " VALUES ('pubmed', 'ketamine', 7, '2021-01-01T00:00:00+00:00', 'complete', '0.0.1')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        (run,) = store.search_runs()
        assert (run.query, run.count, run.details) == ("ketamine", 7, {})
        assert store.execute("SELECT COUNT(*) FROM dedupe_decisions").fetchone()[0] == 0  # version 3


def test_a_store_created_by_a_failing_command_is_not_left_behind(tmp_path):
    path = tmp_path / "new.sqlite"
    with pytest.raises(RuntimeError):
        with Store(path):
            raise RuntimeError("offline")
    assert list(tmp_path.iterdir()) == []


def test_a_failing_command_keeps_what_it_stored_and_existing_stores(tmp_path):
    path = tmp_path / "s.sqlite"
    with pytest.raises(RuntimeError):
        with Store(path) as store:
            store.add_records([_rec(1)])
            raise RuntimeError("network failed after one batch")
    with Store(path) as store:
        assert store.count_records() == 1
    other = tmp_path / "empty-but-existing.sqlite"
    Store(other).close()
    with pytest.raises(RuntimeError):
        with Store(other):
            raise RuntimeError("offline")
    assert other.exists()
