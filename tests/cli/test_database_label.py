"""The database label of an imported file (PRISMA's "records identified per source"):
named at import, corrected by re-importing with --database or by `evsynth sources --relabel`."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.errors import NotFoundError
from evsynth.imports import import_files, relabel_import
from evsynth.screening import prisma_counts
from evsynth.store import Store

_RIS_WITHOUT_DB = (
    "TY  - JOUR\nTI  - Infusion trial in chronic pain\nAU  - Liu R.\nPY  - 2014\nER  - \n\n"
    "TY  - JOUR\nTI  - Another trial\nAU  - Smith J.\nPY  - 2015\nER  - \n"
)


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code)


@pytest.fixture()
def ris(tmp_path: Path) -> Path:
    path = tmp_path / "export.ris"
    path.write_text(_RIS_WITHOUT_DB, encoding="utf-8")
    return path


def test_reimport_with_database_relabels_without_new_records(tmp_path: Path, ris: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        first = import_files(store, [ris]).files[0]
        assert first.database is None and first.label == "ris"
        assert prisma_counts(store).identified == {"ris": 2}
        again = import_files(store, [ris], database_name="PubMed").files[0]
        assert again.already_imported and again.relabelled_from == "ris" and again.database == "PubMed"
        assert store.count_records() == 2 and len(store.imports()) == 1
        assert prisma_counts(store).identified == {"PubMed": 2}
        # the same label again changes nothing; no label keeps the one given
        assert import_files(store, [ris], database_name="PubMed").files[0].relabelled_from is None
        assert import_files(store, [ris]).files[0].database == "PubMed"


def test_relabel_by_import_id(tmp_path: Path, ris: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        import_id = import_files(store, [ris], database_name="Embase").files[0].import_id
        assert relabel_import(store, import_id, " CINAHL ") == "Embase"
        assert prisma_counts(store).identified == {"CINAHL": 2}
        with pytest.raises(NotFoundError, match="no import with id 99"):
            relabel_import(store, 99, "PubMed")


def test_cli_import_notes_missing_database_and_relabels(tmp_path: Path, ris: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    db = str(tmp_path / "s.sqlite")
    assert _run(["import", str(ris), "--store", db]) == 0
    err = capsys.readouterr().err
    assert "does not say which database" in err and "--database NAME" in err
    assert _run(["import", str(ris), "--store", db, "--database", "PubMed"]) == 0
    out = capsys.readouterr().out
    assert "already imported: nothing new" in out
    assert "database label changed from 'ris' to 'PubMed'" in out
    assert _run(["import", str(ris), "--store", db, "--database", " "]) == 3
    assert "database name is empty" in capsys.readouterr().err


def test_cli_sources_lists_and_relabels(tmp_path: Path, ris: Path, capsys: pytest.CaptureFixture,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = "s.sqlite"
    assert _run(["import", ris.name, "--store", db]) == 0
    capsys.readouterr()
    assert _run(["sources", "--store", db]) == 0
    out = capsys.readouterr().out
    assert "export.ris" in out and "no database named" in out
    assert _run(["sources", "--store", db, "--relabel", "1", "--database", "Scopus"]) == 0
    out = capsys.readouterr().out
    assert "changed from 'ris' to 'Scopus'" in out and "Scopus" in out.split("changed", 1)[1]
    with Store(db) as store:
        assert prisma_counts(store).identified == {"Scopus": 2}
    assert _run(["sources", "--store", db, "--relabel", "5", "--database", "Scopus"]) == 6
    assert _run(["sources", "--store", db, "--relabel", "1"]) == 2
