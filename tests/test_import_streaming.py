"""Large imports and exports: a file seen before is recognised before parsing; records stream.

Time and peak memory at 50,000 records are measured by ``benchmarks/import_export.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.imports import export_store, export_store_to, import_files
from evsynth.sources.readers import file_sha256, read_records, stream_file
from evsynth.sources.writers import iter_written, write_records
from evsynth.store import Store


def _ris(n: int, *, ids: list[str] | None = None, last_er: bool = True) -> str:
    out = []
    for i in range(n):
        rid = ids[i] if ids else str(i + 1)
        out.append(f"TY  - JOUR\nID  - {rid}\nTI  - Paper number {i + 1}\nAU  - Doe, J\nPY  - 2001\n"
                   f"AB  - Abstract {i + 1}\nER  - \n")
    text = "\n".join(out)
    return text if last_er else text.rsplit("ER  - \n", 1)[0]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "s.sqlite") as opened:
        yield opened


def _count(store: Store) -> tuple[int, int]:
    return (int(store.execute("SELECT COUNT(*) FROM records").fetchone()[0]),
            int(store.execute("SELECT COUNT(*) FROM imports").fetchone()[0]))


def test_a_file_imported_before_is_recognised_without_parsing_it(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "cut.ris"
    path.write_text(_ris(5, last_er=False), encoding="utf-8")
    first = import_files(store, [path], accept_missing_er=True).files[0]
    assert first.n_records == 5 and not first.already_imported
    # without --accept-missing-er this file does not parse: the re-import never parses it
    again = import_files(store, [path]).files[0]
    assert again.already_imported and again.record_ids == first.record_ids and again.n_records == 5
    assert again.import_id == first.import_id
    assert _count(store) == (5, 1)
    assert store.imports()[0]["sha256"] == file_sha256(path)


def test_the_same_file_twice_in_one_call_is_stored_once(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "a.ris"
    path.write_text(_ris(3), encoding="utf-8")
    a, b = import_files(store, [path, path]).files
    assert not a.already_imported and b.already_imported and a.record_ids == b.record_ids
    assert _count(store) == (3, 1)


def test_records_stream_and_a_late_error_stores_nothing(store: Store, tmp_path: Path) -> None:
    good = tmp_path / "good.ris"
    good.write_text(_ris(4), encoding="utf-8")
    bad = tmp_path / "bad.ris"
    bad.write_text(_ris(50, last_er=False), encoding="utf-8")
    opened = stream_file(bad)
    assert next(opened.records).title == "Paper number 1"  # before the end of the file is parsed
    with pytest.raises(InputError) as info:
        list(opened.records)
    assert info.value.field == "ER"
    with pytest.raises(InputError):
        import_files(store, [good, bad])
    assert _count(store) == (0, 0)  # the good file, stored first, was rolled back with the bad one


def test_repeated_ids_in_a_file_fall_back_to_positions(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "dup.ris"
    path.write_text(_ris(4, ids=["a", "b", "a", "c"]), encoding="utf-8")
    result = import_files(store, [path]).files[0]
    assert result.n_records == 4 and len(set(result.record_ids)) == 4
    stored = sorted(r.source_id.split(":", 1)[1] for r in store.iter_records())
    assert stored == ["#1", "#2", "#3", "#4"]
    assert _count(store) == (4, 1)


@pytest.mark.parametrize("fmt", ["ris", "csv", "json", "bibtex"])
def test_export_streams_the_same_text(store: Store, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "a.ris"
    path.write_text(_ris(7), encoding="utf-8")
    import_files(store, [path])
    records = list(store.iter_records())
    pieces = list(iter_written(iter(records), fmt))
    if fmt != "bibtex":  # one piece per record (plus a header or closing bracket)
        assert len(pieces) >= 7
    assert "".join(pieces) == write_records(records, fmt)
    buffer = io.StringIO()
    assert export_store_to(store, fmt, buffer) == 7
    assert buffer.getvalue() == export_store(store, fmt)[0]
    out = tmp_path / f"out.{fmt}"
    out.write_text(buffer.getvalue(), encoding="utf-8")
    assert [r.title for r in read_records(out)] == [r.title for r in records]


def test_empty_exports(store: Store) -> None:
    assert export_store(store, "json") == ("[]\n", 0)
    assert export_store(store, "ris") == ("", 0)
