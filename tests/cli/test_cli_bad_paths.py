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


def test_a_folder_where_a_sheet_or_records_are_expected(tmp_path: Path, store_file: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "a folder"
    folder.mkdir()
    for argv in (["screen", "import", str(folder), "--store", str(store_file)],
                 ["dedupe", "--store", str(store_file), "--decisions", str(folder)],
                 ["dedupe", str(folder), "--clusters", str(tmp_path / "c.csv")]):
        code, err = _run(argv, capsys)
        assert code == ExitCode.INPUT, argv
        line = _one_line(err)
        assert "a folder" in line and "is a folder" in line, argv
    assert not (tmp_path / "c.csv").exists()


def test_init_into_a_file_or_below_one_is_an_output_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "afile"
    afile.write_text("kept\n", encoding="utf-8")
    code, err = _run(["init", str(afile)], capsys)
    assert code == ExitCode.OUTPUT and "a file of that name exists" in _one_line(err)
    code, err = _run(["init", str(afile / "x")], capsys)
    assert code == ExitCode.OUTPUT and f"{afile} is a file, not a folder" in _one_line(err)
    assert afile.read_text(encoding="utf-8") == "kept\n"


def test_output_folder_parents_are_not_created(tmp_path: Path, store_file: Path, data_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing"
    code, err = _run(["prisma", "--store", str(store_file), "-o", str(missing / "figs")], capsys)
    assert code == ExitCode.OUTPUT
    assert f"folder {missing} does not exist" in _one_line(err)
    code, err = _run(["init", str(missing / "proj")], capsys)
    assert code == ExitCode.OUTPUT and f"folder {missing} does not exist" in _one_line(err)
    assert not missing.exists()
    # the folder itself is created when its parent exists
    code, _ = _run(["prisma", "--store", str(store_file), "-o", str(tmp_path / "figs")], capsys)
    assert code == 0 and (tmp_path / "figs" / "prisma.svg").is_file()


def test_review_out_below_a_file_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "afile"
    afile.write_text("kept\n", encoding="utf-8")
    proj = tmp_path / "proj"
    assert _run(["init", str(proj)], capsys)[0] == 0
    code, err = _run(["review", "--project", str(proj), "--out", str(afile / "out")], capsys)
    assert code == ExitCode.OUTPUT
    line = _one_line(err)
    assert f"{afile} is a file, not a folder" in line and "File exists" not in line
    code, err = _run(["review", "--project", str(proj), "--out", str(tmp_path / "missing" / "out")], capsys)
    assert code == ExitCode.OUTPUT and "does not exist" in _one_line(err)
    assert not (tmp_path / "missing").exists()


def test_prisma_out_with_a_figure_suffix_is_a_usage_error(tmp_path: Path, store_file: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["prisma", "--store", str(store_file), "-o", str(tmp_path / "p.svg")], capsys)
    assert code == ExitCode.USAGE
    assert "not a file name" in _one_line(err)
    assert not (tmp_path / "p.svg").exists()


@pytest.mark.parametrize(("suffix", "starts"), [(".ris", "TY  - "), (".bib", "@"), (".csv", "id,"), (".json", "[")])
def test_export_takes_the_format_from_the_suffix(tmp_path: Path, store_file: Path, suffix: str, starts: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / f"all{suffix}"
    code, _ = _run(["export", "--store", str(store_file), "-o", str(target)], capsys)
    assert code == 0
    assert target.read_text(encoding="utf-8").lstrip().startswith(starts)


def test_export_suffix_without_a_format_is_a_usage_error(tmp_path: Path, store_file: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "all.txt"
    code, err = _run(["export", "--store", str(store_file), "-o", str(target)], capsys)
    assert code == ExitCode.USAGE and "--to" in _one_line(err)
    assert not target.exists()
    # --to wins over the suffix
    code, _ = _run(["export", "--store", str(store_file), "--to", "csv", "-o", str(target)], capsys)
    assert code == 0 and target.read_text(encoding="utf-8").startswith("id,")


def test_extract_validate_folder_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x\n", encoding="utf-8")
    code, err = _run(["extract", "validate", "--folder", str(afile)], capsys)
    assert code == ExitCode.INPUT and "is a file, not a folder" in _one_line(err)
