"""Bad inputs through the CLI: one line naming the file (and line/field), the README's exit code, nothing stored.

Every CSV sheet the CLI reads goes through the shared strict reader, so a quote that is never
closed is an error at its line instead of a cell that swallows the rows after it; a folder
where a file is expected (or a file where a folder is) is an input or output error, not a
traceback.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.errors import ExitCode


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err.strip()
    return int(info.value.code), err


@pytest.fixture()
def store_file(tmp_path: Path, data_dir: Path) -> Path:
    db = tmp_path / "s.sqlite"
    with pytest.raises(SystemExit) as info:
        main(["import", str(data_dir / "exports" / "embase.ris"), "--store", str(db)])
    assert info.value.code == 0
    return db


def _table_rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_screen_import_unclosed_quote_is_an_error_at_its_line(tmp_path: Path, store_file: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "decisions.csv"
    sheet.write_text('record_id,decision,reason,note\n1,include,,"ab\n2,exclude,,\n3,include,,\n', encoding="utf-8")
    before = _table_rows(store_file, "screening_decisions")
    code, err = _run(["screen", "import", str(sheet), "--store", str(store_file)], capsys)
    assert code == ExitCode.INPUT
    line = _one_line(err)
    assert "decisions.csv" in line and "line 2" in line and "never closed" in line
    assert _table_rows(store_file, "screening_decisions") == before


def test_dedupe_decisions_unclosed_quote_is_an_error_at_its_line(tmp_path: Path, store_file: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "pairs.csv"
    sheet.write_text('record_a,record_b,decision\n1,"2,same\n', encoding="utf-8")
    before = _table_rows(store_file, "dedupe_decisions")
    code, err = _run(["dedupe", "--store", str(store_file), "--decisions", str(sheet)], capsys)
    assert code == ExitCode.INPUT
    line = _one_line(err)
    assert "pairs.csv" in line and "line 2" in line and "field 'record_b'" in line
    assert _table_rows(store_file, "dedupe_decisions") == before
