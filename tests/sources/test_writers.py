"""Writers: round trip write → read keeps every field each format carries (property test),
JSON/CSV shapes, and real exports through every writer."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsynth.errors import InputError
from evsynth.models import RECORD_FIELDS, Record
from evsynth.sources.readers import read_records, read_text
from evsynth.sources.bibtex_style import bibtex_name
from evsynth.sources.writers import CARRIED, WRITE_FORMATS, write_records

# -- realistic records -----------------------------------------------------------------

_LETTERS = st.characters(whitelist_categories=("Lu", "Ll"), max_codepoint=0x2FFF)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _text(forbidden: str, max_size: int = 80) -> st.SearchStrategy[str]:
    alphabet = st.characters(
        whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Pd", "Po", "Ps", "Pe", "Sm"),
        blacklist_characters=forbidden,
        max_codepoint=0x2FFF,
    )
    # filter again after NFC: e.g. U+037E GREEK QUESTION MARK normalises to ";"
    return st.text(alphabet, min_size=1, max_size=max_size).map(_clean).filter(
        lambda s: bool(s) and not any(c in s for c in forbidden))


_AUTHOR = st.builds(
    lambda last, first: f"{last}, {first}",
    st.text(_LETTERS, min_size=1, max_size=12).map(lambda s: unicodedata.normalize("NFC", s)).filter(
        lambda s: s.lower() != "and"),
    st.from_regex(r"[A-Z]( [A-Z])?\.?", fullmatch=True),
)

# what each format cannot hold inside a value (documented in evsynth.sources.writers)
_FORBIDDEN = {
    "ris": "",
    "bibtex": "",  # LaTeX's special characters are escaped on the way out
    "csv": "",
    "json": "",
}
_TYPES = {
    "ris": ["JOUR", "BOOK", "CHAP", "CPAPER", "RPRT", "THES", "GEN"],
    "bibtex": ["article", "book", "incollection", "inproceedings", "techreport", "phdthesis", "misc"],
}


def _multi_line(line: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text of several lines, some blank or indented (what RIS keeps exactly: see writers)."""
    piece = st.one_of(line, st.just(""), line.map(lambda s: "  " + s))
    return st.lists(piece, min_size=1, max_size=4).map("\n".join).map(str.strip).filter(bool)


@st.composite
def records(draw: st.DrawFn, fmt: str) -> Record:
    forbidden = _FORBIDDEN[fmt]
    text = _text(forbidden)
    item = _text(forbidden + ";,", 30)  # list items: the joiners cannot be inside them
    if fmt == "ris":  # RIS: every text field may hold line breaks, and comes back with them
        text, item = _multi_line(text), _multi_line(item)

    def maybe(strategy: st.SearchStrategy) -> object:
        return draw(st.none() | strategy)

    journal = maybe(text)
    kinds = _TYPES.get(fmt)
    return Record(
        # CSV and JSON carry the source: a record of any database keeps it
        source=draw(st.sampled_from(["pubmed", "ctgov", "ris", "medline", "csv", "json"])) if fmt in ("csv", "json")
        else fmt,
        source_id=maybe(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_:\-]{0,15}", fullmatch=True)),
        pmid=maybe(st.from_regex(r"[1-9][0-9]{0,7}", fullmatch=True)),
        doi=maybe(st.from_regex(r"10\.[0-9]{4,5}/[A-Za-z0-9.()\-]{1,20}", fullmatch=True)),
        pmcid=maybe(st.from_regex(r"PMC[0-9]{4,8}", fullmatch=True)),
        nct_id=maybe(st.from_regex(r"NCT[0-9]{8}", fullmatch=True)),
        title=maybe(text),
        abstract=maybe(_multi_line(_text(forbidden, 120)) if fmt == "ris" else _text(forbidden, 400)),
        authors=tuple(draw(st.lists(_AUTHOR, max_size=8))),
        journal=journal,
        # RIS reads a lone J2 as the journal too, so an abbreviation comes with a journal there
        journal_iso=maybe(text) if (journal is not None or fmt != "ris") else None,
        year=maybe(st.integers(1900, 2030)),
        volume=maybe(st.from_regex(r"[1-9][0-9]{0,3}", fullmatch=True)),
        issue=maybe(st.from_regex(r"[1-9][0-9]{0,2}|S[1-9]", fullmatch=True)),
        pages=maybe(st.from_regex(r"[1-9][0-9]{0,3}(-[1-9][0-9]{0,3})?|e[0-9]{3,6}", fullmatch=True)),
        language=maybe(st.sampled_from(["eng", "English", "ger", "Français"])),
        publication_types=tuple(draw(st.lists(item, max_size=3))),
        mesh=tuple(draw(st.lists(item, max_size=4))),
        keywords=tuple(draw(st.lists(item, max_size=5))),
        isbn=maybe(st.from_regex(r"97[89]-[0-9]-[0-9]{2}-[0-9]{6}-[0-9]", fullmatch=True)),
        issn=maybe(st.from_regex(r"[0-9]{4}-[0-9]{3}[0-9X]", fullmatch=True)),
        url=maybe(st.from_regex(r"https://example\.org/[a-z0-9]{1,12}", fullmatch=True)),
        entry_date=maybe(st.dates().map(lambda d: d.isoformat())),
        record_type=draw(st.sampled_from(kinds)) if kinds else maybe(text),
        extra=draw(st.dictionaries(st.sampled_from(["note", "label"]), text, max_size=2)) if fmt == "json" else {},
    )


def _batch(fmt: str) -> st.SearchStrategy[list[Record]]:
    return st.lists(records(fmt), min_size=1, max_size=4, unique_by=lambda r: r.source_id)


def _assert_round_trip(fmt: str, batch: list[Record]) -> None:
    text = write_records(batch, fmt)
    back = read_text(text, fmt)
    assert len(back) == len(batch)
    for original, copy in zip(batch, back):
        for name in CARRIED[fmt]:
            assert getattr(copy, name) == getattr(original, name), (fmt, name)
        if original.source_id is not None and fmt != "bibtex":  # BibTeX: a citation key instead
            assert copy.source_id == original.source_id
        assert copy.source == (original.source if fmt in ("csv", "json") else fmt)
    if fmt == "csv":  # export -> import -> export: the same file
        assert write_records(back, fmt) == text


_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_batch("ris"))
def test_round_trip_ris(batch: list[Record]) -> None:
    _assert_round_trip("ris", batch)


@_SETTINGS
@given(_batch("bibtex"))
def test_round_trip_bibtex(batch: list[Record]) -> None:
    _assert_round_trip("bibtex", batch)


@_SETTINGS
@given(_batch("csv"))
def test_round_trip_csv(batch: list[Record]) -> None:
    _assert_round_trip("csv", batch)


@_SETTINGS
@given(_batch("json"))
def test_round_trip_json(batch: list[Record]) -> None:
    _assert_round_trip("json", batch)
    back = read_text(write_records(batch, "json"), "json")
    assert [r.to_dict() for r in back] == [r.to_dict() for r in batch]  # source, ids, extra too


def test_carried_fields_documented() -> None:
    assert set(CARRIED) == set(WRITE_FORMATS)
    missing_in_ris = set(RECORD_FIELDS) - set(CARRIED["ris"])
    assert missing_in_ris == {"pmcid", "nct_id", "mesh", "publication_types", "entry_date"}


def test_ris_keeps_line_breaks_in_abstract() -> None:
    record = Record(source="ris", title="T", abstract="OBJECTIVE: one.\nMETHODS: two.\nRESULTS: three.")
    (back,) = read_text(write_records([record], "ris"), "ris")
    assert back.abstract == record.abstract


# -- shapes ------------------------------------------------------------------------------

_KETAMINE = Record(
    source="pubmed",
    source_id="21553931",
    pmid="21553931",
    title="Boswellia serrata: an overall assessment",
    authors=("Abdel-Tawab, M.", "Werz, O."),
    journal="Clin Pharmacokinet",
    year=2011,
    volume="50",
    issue="6",
    pages="349-69",
)


def test_json_keys_and_nulls() -> None:
    (item,) = json.loads(write_records([_KETAMINE], "json"))
    for key in ("pmid", "doi", "title", "abstract", "authors", "journal", "year", "volume", "issue", "pages",
                "source", "source_id"):
        assert key in item
    assert item["doi"] is None and item["abstract"] is None
    assert item["authors"] == ["Abdel-Tawab, M.", "Werz, O."]
    assert item["year"] == 2011


def test_csv_columns_and_joined_authors() -> None:
    rows = list(csv.DictReader(io.StringIO(write_records([_KETAMINE], "csv"))))
    assert rows[0]["authors"] == "Abdel-Tawab, M.; Werz, O."
    assert rows[0]["id"] == "21553931"
    assert set(RECORD_FIELDS) <= set(rows[0])


def test_ris_pmid_as_endnote_writes_it() -> None:
    text = write_records([_KETAMINE], "ris")
    assert "AN  - 21553931\nDP  - NLM" in text
    assert "SP  - 349\nEP  - 69" in text
    (back,) = read_text(text, "ris")
    assert back.pmid == "21553931"


def test_unknown_output_format() -> None:
    with pytest.raises(InputError, match="ris, bibtex, csv, json"):
        write_records([_KETAMINE], "docx")


def test_empty_input_gives_empty_lists() -> None:
    assert json.loads(write_records([], "json")) == []
    assert write_records([], "ris") == ""


# -- every recorded export through every writer ------------------------------------------------


@pytest.mark.parametrize("fmt", WRITE_FORMATS)
def test_shared_exports_survive_every_writer(data_dir: Path, fmt: str) -> None:
    exports = data_dir / "exports"
    for path in sorted(exports.iterdir()):
        if path.name == "LICENSE":
            continue
        original = read_records(path)
        back = read_text(write_records(original, fmt), fmt)
        assert len(back) == len(original), path.name
        for a, b in zip(original, back):
            for name in CARRIED[fmt]:
                if name == "record_type" and (fmt == "bibtex" or a.record_type is None):
                    continue  # RIS "JOUR" becomes BibTeX "article"; no type is written as one
                expected = getattr(a, name)
                if name == "authors" and fmt == "bibtex":  # "Liu R." is written "Liu, R." (name order)
                    expected = tuple(bibtex_name(x) for x in expected)
                assert getattr(b, name) == expected, (path.name, fmt, name)


def test_ris_export_writes_back_kept_tags(data_dir: Path) -> None:
    original = read_records(data_dir / "exports" / "embase.ris")
    text = write_records(original, "ris")
    assert "DB  - Embase\nDB  - Medline" in text
    back = read_text(text, "ris")
    assert back[1].extra["ris"]["DB"] == ["Embase", "Medline"]
