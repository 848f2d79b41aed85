"""A CSV evsynth wrote keeps each record's source on import; any other CSV's records are "csv"."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from evsynth.models import RECORD_FIELDS, Record
from evsynth.sources.readers import read_file, read_text
from evsynth.sources.readers.tables import EVSYNTH_CSV_COLUMNS
from evsynth.sources.writers import write_records

_RECORDS = [
    Record(source="pubmed", source_id="11748933", pmid="11748933", title="A searched record", year=2001),
    Record(source="ris", source_id="0123456789ab:7", title="An imported record", authors=("Liu, R.",)),
    Record(source="ctgov", source_id="NCT00000102", nct_id="NCT00000102", title="A registered trial"),
]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_writer_and_the_reader_agree_on_the_header() -> None:
    assert _rows(write_records(_RECORDS, "csv"))[0] == list(EVSYNTH_CSV_COLUMNS)
    assert EVSYNTH_CSV_COLUMNS[:2] == ("id", "source") and EVSYNTH_CSV_COLUMNS[2:] == RECORD_FIELDS


def test_sources_come_back_and_not_as_extra() -> None:
    back = read_text(write_records(_RECORDS, "csv"), "csv")
    assert [(r.source, r.source_id) for r in back] == [(r.source, r.source_id) for r in _RECORDS]
    assert all("source" not in r.extra for r in back)


def test_an_empty_source_cell_and_a_column_added_in_a_spreadsheet() -> None:
    rows = _rows(write_records(_RECORDS, "csv"))
    rows[0].append("my note")
    rows[1].append("check this one")
    rows[2][1] = " "
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    back = read_text(out.getvalue(), "csv")
    assert [r.source for r in back] == ["pubmed", "csv", "ctgov"]
    assert back[0].extra == {"my note": "check this one"}


@pytest.mark.parametrize("header", [
    ["ID", "source", *RECORD_FIELDS],             # not evsynth's spelling
    ["source", "id", *RECORD_FIELDS],             # not its order
    ["id", "source", *RECORD_FIELDS[:-1]],        # not all its fields
    ["Title", "Source", "Year"],                  # Scopus names its database in "Source"
    ["record_id", "title", "abstract", "source"],  # ASySD, ASReview-like: a source column of their own
])
def test_a_foreign_csv_with_a_source_column_is_csv(header: list[str]) -> None:
    row = ["pubmed" if h.lower() == "source" else ("x1" if h.lower() in ("id", "record_id") else "A title")
           for h in header]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, row])
    (record,) = read_text(out.getvalue(), "csv")
    assert record.source == "csv"
    assert record.extra[next(h for h in header if h.lower() == "source")] == "pubmed"


@pytest.mark.parametrize("path", [
    "dedupe/asysd_diabetes/labelled_test_set.csv",      # ASySD: author, ..., record_id, label, source
    "dedupe/cytology_screening/records_pre_merged.csv",  # bib-dedupe
    "exports/embase.csv",
])
def test_recorded_foreign_csvs_are_csv(data_dir: Path, path: str) -> None:
    result = read_file(data_dir / path)
    assert result.records and {r.source for r in result.records} == {"csv"}
