"""File mode (CLI), store mode, the labelled sets in tests/data/dedupe, and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evsynth.cli import app, main
from evsynth.dedupe import dedupe_files, dedupe_store, find_duplicates
from evsynth.errors import InputError
from evsynth.models import Record
from evsynth.sources.readers import read_records
from evsynth.store import Store

HEADER = "id,title,author,year,journal,volume,pages,doi\n"
ROWS = [
    'r1,"Ketamine for fibromyalgia: a randomised trial","Noppers, I. and Niesters, M.",2011,Pain,152,2173-8,10.1016/j.pain.2011.01.015\n',
    'r2,"KETAMINE FOR FIBROMYALGIA - A RANDOMISED TRIAL","Noppers I and Niesters M",2011,PAIN,152,2173-2178,https://doi.org/10.1016/J.PAIN.2011.01.015\n',
    'r3,"Ketamine for fibromyalgia: a randomised trial. Part 2","Noppers, I.",2012,Pain,153,100-9,\n',
    'r4,"Magnesium for fibromyalgia","Bagis, S.",2013,Rheumatol Int,33,167-72,\n',
]


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_file_mode_cli_writes_one_row_per_record(tmp_path: Path) -> None:
    src = _write(tmp_path, "in.csv", HEADER + "".join(ROWS))
    out, review = tmp_path / "clusters.csv", tmp_path / "review.csv"
    result = CliRunner().invoke(app, ["dedupe", str(src), "--clusters", str(out), "--review", str(review)])
    assert result.exit_code == 0, result.output
    rows = _read_csv(out)
    assert [r["record_id"] for r in rows] == ["r1", "r2", "r3", "r4"]
    assert list(rows[0])[:2] == ["record_id", "duplicate_of"]
    assert {r["record_id"]: r["duplicate_of"] for r in rows} == {"r1": "", "r2": "r1", "r3": "", "r4": ""}
    assert rows[1]["rule"] == "doi+title"
    assert _read_csv(review) == [] or set(_read_csv(review)[0]) >= {"record_id_1", "record_id_2", "evidence"}
    assert "1 duplicates" in result.output


def test_file_mode_across_files_and_review_evidence(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.csv", HEADER + ROWS[0])
    # same title and authors, no DOI and no pages or volume: not enough to merge
    b = _write(tmp_path, "b.csv", HEADER + 'b1,"Ketamine for fibromyalgia: a randomised trial","Noppers, I.",2011,,,,\n')
    out, review = tmp_path / "c.csv", tmp_path / "r.csv"
    result = dedupe_files([a, b], clusters=out, review=review)
    rows = _read_csv(review)
    assert not result.links
    assert [(r["record_id_1"], r["record_id_2"], r["rule"]) for r in rows] == [("r1", "b1", "title+authors-only")]
    evidence = json.loads(rows[0]["evidence"])
    assert evidence["title_similarity"] == 100.0 and evidence["year"] == [2011, 2011]


def test_file_mode_needs_clusters_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _write(tmp_path, "in.csv", HEADER + ROWS[0])
    with pytest.raises(SystemExit) as exc:
        main(["dedupe", str(src)])
    assert exc.value.code == 3
    assert "--clusters" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "encoding", "message", "line"),
    [
        ("", "utf-8", "empty", None),
        ("id,name,year\n1,Ketamine,2011\n", "utf-8", "title", 1),
    ],
)
def test_bad_input_names_file_and_row(tmp_path: Path, text: str, encoding: str, message: str,
                                      line: int | None) -> None:
    src = _write(tmp_path, "bad.csv", text, encoding)
    with pytest.raises(InputError) as exc:
        dedupe_files([src], clusters=tmp_path / "out.csv")
    assert message in str(exc.value)
    assert exc.value.path == str(src)
    if line is not None:
        assert exc.value.line == line
    assert not (tmp_path / "out.csv").exists()


def test_mixed_encodings_are_refused(tmp_path: Path) -> None:
    src = tmp_path / "mixed.csv"
    src.write_bytes(b"id,title\n1,Caf\xc3\xa9 au lait and pain\n2,Na\xefve patients and ketamine\n")
    with pytest.raises(InputError) as exc:
        dedupe_files([src], clusters=tmp_path / "out.csv")
    assert "mixed text encodings" in str(exc.value) and exc.value.line == 3


def test_records_without_title_and_doi_are_noted(tmp_path: Path) -> None:
    src = _write(tmp_path, "in.csv", HEADER + ROWS[0] + "r9,,\"Noppers, I.\",2011,Pain,152,2173-8,\n")
    result = dedupe_files([src], clusters=tmp_path / "out.csv")
    assert result.uncomparable == (1,)
    assert "in.csv, record 2 (id r9): no title and no DOI" in result.notes[0]


def test_store_mode_marks_fills_and_never_deletes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.add_records([
            Record(source="ris", source_id="E1", doi="https://doi.org/10.1016/J.PAIN.2011.01.015",
                   title="KETAMINE FOR FIBROMYALGIA - A RANDOMISED TRIAL", authors=("Noppers I",),
                   year=2011, journal="PAIN", volume="152", pages="2173-2178",
                   abstract="BACKGROUND: ketamine."),
            Record(source="pubmed", source_id="21278101", pmid="21278101", doi="10.1016/j.pain.2011.01.015",
                   title="Ketamine for fibromyalgia: a randomised trial", authors=("Noppers, I.",),
                   year=2011, journal="Pain", volume="152", pages="2173-8"),
            Record(source="ris", source_id="E2", title="Magnesium for fibromyalgia", authors=("Bagis S",),
                   year=2013),
        ])
        result = dedupe_store(store)
        assert result.n_duplicates == 1
        assert store.count_records() == 3  # nothing deleted
        records = {r.source_id: r for r in store.iter_records()}
        kept = records["21278101"]  # the PubMed record is kept
        assert records["E1"].duplicate_of == kept.store_id
        assert kept.duplicate_of is None and records["E2"].duplicate_of is None
        assert kept.abstract == "BACKGROUND: ketamine."  # filled from the duplicate
        (link,) = store.duplicate_links()
        assert link["rule"] == "doi+title" and link["evidence"]["joined_via"]["record_id"] == kept.store_id
        assert store.count_records(deduped=True) == 2
    out = CliRunner().invoke(app, ["dedupe", "--store", str(path)])
    assert out.exit_code == 0 and "1 marked as duplicates" in out.output


def _true_pairs(folder: Path) -> tuple[list[Record], dict[str, str]]:
    records = read_records(folder / "records_pre_merged.csv")
    true_of = {r.source_id: r.source_id for r in records}
    for line in (folder / "merged_record_ids.csv").read_text().splitlines()[1:]:
        members = line.strip().strip('"').split(";")
        for m in members:
            true_of[m] = members[0]
    return records, true_of  # type: ignore[return-value]


@pytest.mark.parametrize("name", ["special_cases", "cytology_screening"])
def test_shared_labelled_sets_have_no_false_merges(data_dir: Path, name: str) -> None:
    records, true_of = _true_pairs(data_dir / "dedupe" / name)
    result = find_duplicates(records)
    for link in result.links:
        a, b = records[link.record_index].source_id, records[link.kept_index].source_id
        assert true_of[a] == true_of[b], (a, b, link.rule)
    # and it finds duplicates: every true pair of special_cases, most of cytology's
    found = len(result.links)
    expected = sum(1 for k, v in true_of.items() if k != v)
    assert found >= (expected if name == "special_cases" else 0.98 * expected)
