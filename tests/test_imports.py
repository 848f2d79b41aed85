"""import_files: all-or-nothing, re-imports add nothing, ids never collide across files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.imports import ImportResult, convert_file, export_store, import_files
from evsynth.sources.readers import read_records, read_text
from evsynth.store import Store


@pytest.fixture()
def exports(data_dir: Path) -> Path:
    return data_dir / "exports"


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.sqlite") as opened:
        yield opened


def _snapshot(store: Store) -> tuple:
    return (
        store.count_records(),
        len(store.imports()),
        store.execute("SELECT COUNT(*) FROM record_origins").fetchone()[0],
    )


def test_import_every_shared_export(store: Store, exports: Path) -> None:
    paths = sorted(p for p in exports.iterdir() if p.name != "LICENSE")
    result = import_files(store, paths)
    assert isinstance(result, ImportResult)
    counts = {Path(f.path).name: f.n_records for f in result.files}
    assert counts["ris_issue_992.txt"] == 19 and counts["web_of_science.txt"] == 10
    assert result.n_records == 70 == store.count_records()
    databases = {Path(f.path).name: f.database for f in result.files}
    assert databases["embase.ris"] == databases["embase.csv"] == "Embase"
    assert databases["pubmed_endnote.txt"] == "PubMed"
    assert databases["ovid_psycinfo.ris"] == "PsycINFO (Ovid)"
    assert databases["web_of_science.txt"] == "Web of Science"
    assert databases["ovid_zotero.ris"] is None  # Zotero's RIS does not say
    rows = {Path(r["path"]).name: r for r in store.imports()}
    assert rows["embase.ris"]["database_name"] == "Embase"
    assert rows["embase.ris"]["sha256"] == hashlib.sha256((exports / "embase.ris").read_bytes()).hexdigest()
    assert rows["embase.ris"]["format"] == "ris" and rows["embase.ris"]["n_records"] == 6


def test_stored_records_keep_their_fields_and_provenance(store: Store, exports: Path) -> None:
    result = import_files(store, [exports / "pubmed_endnote.txt"])
    (item,) = result.files
    stored = [store.get_record(i) for i in item.record_ids]
    original = read_records(exports / "pubmed_endnote.txt")
    assert [s.pmid for s in stored] == [o.pmid for o in original]
    assert [s.title for s in stored] == [o.title for o in original]
    prefix = hashlib.sha256((exports / "pubmed_endnote.txt").read_bytes()).hexdigest()[:12]
    assert stored[0].source_id == f"{prefix}:369"
    assert stored[0].extra["id_in_file"] == "369"
    origins = store.execute(
        "SELECT record_id FROM record_origins WHERE import_id = ? ORDER BY position", (item.import_id,)
    ).fetchall()
    assert [r[0] for r in origins] == list(item.record_ids)


def test_reimport_adds_nothing(store: Store, exports: Path) -> None:
    first = import_files(store, [exports / "embase.ris", exports / "ovid_zotero.ris"])
    before = _snapshot(store)
    again = import_files(store, [exports / "embase.ris", exports / "ovid_zotero.ris"])
    assert _snapshot(store) == before
    assert all(f.already_imported for f in again.files)
    assert again.record_ids == first.record_ids  # records without ids too (position-derived)


def test_local_ids_do_not_collide_across_files(store: Store, exports: Path) -> None:
    # both files number their records from 1 (EndNote / Rayyan ids): neither overwrites the other
    import_files(store, [exports / "baseline_empty_values.ris", exports / "ris_issue_992.txt"])
    assert store.count_records() == 4 + 19
    titles = {r.title for r in store.iter_records()}
    assert "Overcoming Medication Reconciliation Challenges" in titles
    assert "Title of reference" in titles


def test_bad_file_stores_nothing(store: Store, exports: Path, tmp_path: Path) -> None:
    import_files(store, [exports / "embase.ris"])
    before = _snapshot(store)
    bad = tmp_path / "cut.ris"
    text = (exports / "ris_issue_992.txt").read_text(encoding="utf-8")
    bad.write_text(text.replace("ID  - 1\nER  -", "ID  - 1", 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_files(store, [exports / "pubmed_zotero.ris", bad])
    assert str(bad) in str(info.value) and info.value.field == "ER"
    assert _snapshot(store) == before  # pubmed_zotero.ris, read fine, is not stored either


def test_failure_inside_the_store_rolls_back(store: Store, exports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(store)
    calls = []
    real = Store.add_import

    def second_fails(self, *args, **kwargs):  # the store failing half-way through the files
        calls.append(1)
        if len(calls) == 2:
            raise InputError("simulated failure")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "add_import", second_fails)
    with pytest.raises(InputError):
        import_files(store, [exports / "embase.ris", exports / "pubmed_zotero.ris"])
    assert _snapshot(store) == before


def test_database_name_given(store: Store, exports: Path) -> None:
    result = import_files(store, [exports / "ovid_zotero.ris"], database_name="APA PsycInfo (Ovid)")
    assert result.files[0].database == "APA PsycInfo (Ovid)"
    assert store.imports()[0]["database_name"] == "APA PsycInfo (Ovid)"


def test_export_deduped_and_convert(store: Store, exports: Path) -> None:
    result = import_files(store, [exports / "ovid_psycinfo.ris", exports / "ovid_zotero.ris"])
    psyc, zotero = result.files
    # the Zotero copies are the same six papers: mark them as duplicates of the Ovid ones
    store.mark_duplicates(
        {"record_id": z, "duplicate_of": o, "rule": "test"} for z, o in zip(zotero.record_ids, psyc.record_ids)
    )
    text, n = export_store(store, "ris", deduped=True)
    assert n == 6
    kept = read_text(text, "ris")
    assert [r.doi for r in kept] == [r.doi for r in read_records(exports / "ovid_psycinfo.ris")]
    everything, n_all = export_store(store, "csv")
    assert n_all == 12 and len(read_text(everything, "csv")) == 12
    converted, read = convert_file(exports / "embase.csv", "bibtex")
    assert read.format == "csv" and converted.count("@article{") == 6


def test_pubmed_xml_import_keeps_pmids(store: Store, data_dir: Path) -> None:
    path = data_dir / "entrez" / "pubmed2.xml"
    result = import_files(store, [path])
    assert result.files[0].database == "PubMed" and result.files[0].format == "pubmed-xml"
    stored = [store.get_record(i) for i in result.record_ids]
    assert [r.source_id for r in stored] == [r.pmid for r in stored] == ["11748933", "11700088"]


@pytest.mark.parametrize("fmt", ["ris", "csv", "json"])
def test_export_import_export_gives_the_same_file(
    store: Store, exports: Path, data_dir: Path, tmp_path: Path, fmt: str
) -> None:
    paths = sorted(p for p in exports.iterdir() if p.name != "LICENSE") + [data_dir / "entrez" / "pubmed2.xml"]
    import_files(store, paths)
    first, n = export_store(store, fmt)
    assert n == store.count_records() > 70
    exported = tmp_path / f"first.{fmt}"
    exported.write_text(first, encoding="utf-8")
    with Store(tmp_path / "second.sqlite") as second:
        import_files(second, [exported])
        again, _ = export_store(second, fmt)
        keys = sorted((r.source, r.source_id) for r in second.iter_records())
    before = sorted((r.source, r.source_id) for r in store.iter_records())
    assert sorted(i for _, i in keys) == sorted(i for _, i in before)  # ids kept, not prefixed again
    assert again == first  # the sources too (CSV: its source column)
    if fmt != "ris":  # RIS has no place for the source: its records come back as "ris"
        assert keys == before and {"pubmed", "ris", "csv"} <= {s for s, _ in keys}
