"""`evsynth import`, `evsynth export`, `evsynth convert`: exact forms, output, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evsynth.cli import app, main
from evsynth.sources.readers import read_records, read_text
from evsynth.store import Store


@pytest.fixture()
def exports(data_dir: Path) -> Path:
    return data_dir / "exports"


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code)


def test_import_prints_format_and_count(tmp_path: Path, exports: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "s.sqlite"
    code = _run(["import", str(exports / "embase.ris"), str(exports / "ris_issue_992.txt"), "--store", str(db)])
    out = capsys.readouterr().out
    assert code == 0
    assert f"{exports / 'embase.ris'}: ris, Embase, 6 records" in out
    assert f"{exports / 'ris_issue_992.txt'}: ris, 19 records" in out
    with Store(db) as store:
        assert store.count_records() == 25
    assert _run(["import", str(exports / "embase.ris"), "--store", str(db)]) == 0
    assert "already imported" in capsys.readouterr().out
    with Store(db) as store:
        assert store.count_records() == 25


def test_import_bad_input_exit_3_nothing_stored(tmp_path: Path, exports: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "s.sqlite"
    bad = tmp_path / "no_title.csv"
    bad.write_text("ID,name\n1,x\n", encoding="utf-8")
    code = _run(["import", str(exports / "embase.ris"), str(bad), "--store", str(db)])
    err = capsys.readouterr().err
    assert code == 3
    assert str(bad) in err and "line 1" in err and "title" in err
    with Store(db) as store:
        assert store.count_records() == 0 and store.imports() == []


def test_export_to_file_and_stdout(tmp_path: Path, exports: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "s.sqlite"
    assert _run(["import", str(exports / "pubmed_endnote.txt"), "--store", str(db)]) == 0
    capsys.readouterr()
    out_file = tmp_path / "out.bib"
    assert _run(["export", "--store", str(db), "--to", "bibtex", "-o", str(out_file)]) == 0
    assert "wrote 6 records" in capsys.readouterr().err
    back = read_records(out_file)
    assert [r.pmid for r in back] == [r.pmid for r in read_records(exports / "pubmed_endnote.txt")]
    assert _run(["export", "--store", str(db), "--to", "json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 6 and items[0]["pmid"] == "21553931"


def test_export_deduped(tmp_path: Path, exports: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "s.sqlite"
    assert _run(["import", str(exports / "embase.ris"), str(exports / "embase.csv"), "--store", str(db)]) == 0
    with Store(db) as store:
        ids = [r.store_id for r in store.iter_records()]
        store.mark_duplicates({"record_id": b, "duplicate_of": a, "rule": "test"} for a, b in zip(ids[:6], ids[6:]))
    capsys.readouterr()
    assert _run(["export", "--store", str(db), "--to", "csv", "--deduped"]) == 0
    kept = read_text(capsys.readouterr().out, "csv")
    assert len(kept) == 6 and {r.source for r in kept} == {"ris"}  # the RIS records, not their CSV duplicates
    assert _run(["export", "--store", str(db), "--to", "csv"]) == 0
    assert len(read_text(capsys.readouterr().out, "csv")) == 12


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csv", "json"])
def test_convert_every_format(exports: Path, fmt: str) -> None:
    result = CliRunner().invoke(app, ["convert", str(exports / "ovid_psycinfo.ris"), "--to", fmt])
    assert result.exit_code == 0, result.output
    back = read_text(result.stdout, fmt)
    assert [r.doi for r in back] == [r.doi for r in read_records(exports / "ovid_psycinfo.ris")]


def test_convert_json_keys(exports: Path) -> None:
    result = CliRunner().invoke(app, ["convert", str(exports / "faulty_year.ris"), "--to", "json"])
    (item,) = json.loads(result.stdout)
    for key in ("pmid", "doi", "title", "abstract", "authors", "journal", "year", "volume", "issue", "pages"):
        assert key in item
    assert item["year"] is None and item["pmid"] is None


def test_convert_unknown_format_is_a_usage_error(exports: Path) -> None:
    result = CliRunner().invoke(app, ["convert", str(exports / "embase.ris"), "--to", "docx"])
    assert result.exit_code == 2


def test_convert_subprocess_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "dup.csv"
    bad.write_text("id,title\n1,a\n1,b\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "evsynth", "convert", str(bad), "--to", "ris"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 3
    assert "rows 2 and 3" in proc.stderr and proc.stdout == ""


def test_import_missing_er(tmp_path: Path, exports: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "s.sqlite"
    cut = tmp_path / "cut.ris"
    cut.write_text((exports / "pubmed_zotero.ris").read_text(encoding="utf-8").rstrip()[: -len("ER  -")],
                   encoding="utf-8")
    assert _run(["import", str(cut), "--store", str(db)]) == 3
    assert "no 'ER  -'" in capsys.readouterr().err
    with Store(db) as store:
        assert store.count_records() == 0
    assert _run(["import", str(cut), "--store", str(db), "--accept-missing-er"]) == 0
    captured = capsys.readouterr()
    assert "6 records" in captured.out and "had no 'ER  -'" in captured.err
    with Store(db) as store:
        assert store.count_records() == 6


def test_convert_pubmed_xml_to_ris(data_dir: Path) -> None:
    path = data_dir / "entrez" / "pubmed4.xml"
    result = CliRunner().invoke(app, ["convert", str(path), "--to", "ris"])
    assert result.exit_code == 0, result.output
    (record,) = read_text(result.stdout, "ris")
    original = read_records(path)[0]
    assert (record.pmid, record.title, record.doi, record.year) == (
        "27797938", original.title, original.doi, original.year)
    assert record.authors[:2] == ("Bao, Ying", "Prescott, Jennifer")
