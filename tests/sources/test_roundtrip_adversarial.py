"""Nothing lost in a round trip, with adversarial text: what evsynth writes it reads back the same.

The values hold what breaks naive writers: lines that look like RIS tags (``ER  -``,
``TY  - JOUR``), LaTeX/BibTeX specials, blank lines, carriage returns, a byte-order mark.
The expected record follows the documented rule of each format (``evsynth.sources.writers``):
RIS keeps every text field exactly, line breaks, blank and indented lines included, in every
tag (titles, authors, keywords, notes, abstracts); it normalises only what it cannot carry:
``\r\n``/``\r`` read back as ``\n``, whitespace at line ends and around the whole value.
"""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsynth.models import Record
from evsynth.sources.readers import read_records, read_text
from evsynth.sources.writers import write_records

_TRICKY_LINES = ["ER  - ", "ER  -", "TY  - JOUR", "AU  - Doe, J", "KW  - x", "\ufeffER  - ", "ER - ", "  TY  - GEN",
                 "PMID- 123", "@article{x,", "}", "%", "1."]
_CHARS = st.sampled_from(list("aZé ß-–.,;:'\"()[]{}&%#$_~^\\/@=+*<>|!?0123456789\t ") + ["\n", "\r", "\u00a0"])


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_PIECE = st.one_of(st.text(_CHARS, max_size=12), st.sampled_from(_TRICKY_LINES).map(lambda s: f"\n{s}\n"))
_VALUE = st.lists(_PIECE, min_size=1, max_size=6).map("".join).map(_nfc)


def _ris(value: str | None) -> str | None:
    """``value`` as RIS carries it: ``\\r`` line breaks as ``\\n``, no whitespace at line ends or around it."""
    if value is None:
        return None
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return _nfc("\n".join(line.rstrip() for line in lines).strip()) or None


_RIS_RECORD = st.builds(
    lambda title, abstract, authors, journal, iso, keywords, notes, rid: Record(
        source="ris", source_id=f"r{rid}", title=title, abstract=abstract, authors=tuple(authors),
        journal=journal, journal_iso=iso if _ris(journal) else None, keywords=tuple(keywords),
        extra={"ris": {"N1": notes}} if notes else {}),
    st.one_of(st.none(), _VALUE), st.one_of(st.none(), _VALUE), st.lists(_VALUE, max_size=4),
    st.one_of(st.none(), _VALUE), st.one_of(st.none(), _VALUE), st.lists(_VALUE, max_size=4),
    st.lists(_VALUE, max_size=3), st.integers(0, 10**6),
)


def _read_back(text: str, suffix: str) -> list[Record]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"out{suffix}"
        path.write_bytes(text.encode("utf-8"))
        return read_records(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_RIS_RECORD, min_size=1, max_size=4, unique_by=lambda r: r.source_id))
def test_ris_round_trip_with_tag_like_lines(records: list[Record]) -> None:
    back = _read_back(write_records(records, "ris"), ".ris")
    assert len(back) == len(records)
    for before, after in zip(records, back):
        assert after.source_id == before.source_id
        assert after.title == _ris(before.title)
        assert after.abstract == _ris(before.abstract)
        assert after.authors == tuple(a for a in map(_ris, before.authors) if a)
        assert after.journal == _ris(before.journal)
        assert after.journal_iso == (_ris(before.journal_iso) if after.journal else None)
        assert after.keywords == tuple(k for k in map(_ris, before.keywords) if k)
        notes = [n for n in map(_ris, before.extra.get("ris", {}).get("N1", [])) if n]
        assert after.extra.get("ris", {}).get("N1", []) == notes


def test_ris_multi_line_title_and_keyword_come_back_exactly() -> None:
    title = "First line\nER  -\n\n  TY  - JOUR indented\nlast"
    record = Record(source="ris", source_id="a", title=title, keywords=("two\nlines", "one"),
                    abstract="A\r\nB\rC  \n\n\n D")
    text = write_records([record, record.replace(source_id="b")], "ris")
    assert "TI  - First line\n   ER  -\n   \n     TY  - JOUR indented\n   last\n" in text
    back = _read_back(text, ".ris")
    assert [r.source_id for r in back] == ["a", "b"]
    assert back[0].title == title
    assert back[0].keywords == ("two\nlines", "one")
    assert back[0].abstract == "A\nB\nC\n\n\n D"


def test_ris_foreign_continuation_lines_read_as_before() -> None:
    text = ("TY  - JOUR\nTI  - A title wrapped\nonto two lines\nKW  - one\ntwo\n"
            "AB  - Background.\n  Methods.\n\nResults.\nER  - \n")
    [record] = read_text(text, "ris")
    assert record.title == "A title wrapped onto two lines"
    assert record.keywords == ("one", "two")
    assert record.abstract == "Background.\nMethods.\nResults."


def test_ris_value_lines_that_look_like_tags_stay_inside_the_value() -> None:
    record = Record(source="ris", source_id="a", title="One", abstract="Methods\nER  - \nTY  - JOUR\nResults")
    text = write_records([record, record.replace(source_id="b")], "ris")
    back = _read_back(text, ".ris")
    assert [r.source_id for r in back] == ["a", "b"]
    assert back[0].abstract == "Methods\nER  -\nTY  - JOUR\nResults"


# -- BibTeX: the reader decodes LaTeX escapes back to the characters they stand for ---------------

_LATEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "#": r"\#", "_": r"\_",
          "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_BIB_CHARS = st.sampled_from(list("aZé ß-.,;:'\"()[]{}&%#$_~^\\/@=+*<>|0123456789"))


def _latex_escape(text: str) -> str:
    """What a LaTeX-safe BibTeX writer writes for ``text`` (each special character escaped)."""
    out = "".join(_LATEX.get(c, c) for c in text)
    return out.replace("--", "-{}-").replace("--", "-{}-").replace("''", "'{}'").replace("''", "'{}'")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(_BIB_CHARS, min_size=1, max_size=30).map(lambda s: " ".join(s.split())).filter(bool),
       st.text(_BIB_CHARS, min_size=1, max_size=20).map(lambda s: " ".join(s.split())).filter(bool))
def test_bibtex_reader_decodes_latex_escapes_exactly(title: str, journal: str) -> None:
    entry = (f"@article{{key1,\n  title = {{{_latex_escape(title)}}},\n  journal = {{{_latex_escape(journal)}}},\n"
             f"  author = {{{{Smith and Jones Ltd}} and Doe, Jane}},\n}}\n")
    [record] = _read_back(entry, ".bib")
    assert record.title == _nfc(title)
    assert record.journal == _nfc(journal)
    assert record.authors == ("Smith and Jones Ltd", "Doe, Jane")  # a braced name is one author


_CSV_TEXT = st.text(st.sampled_from(list("aZé ß-.,:'\"()[]{}&%#$_~^\\/@=+*<>|0123456789\t") + ["\n", "\r"]),
                    min_size=1, max_size=25).map(_nfc)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.builds(
    lambda t, a, au, j, n: Record(source="csv", source_id=f"c{n}", title=t, abstract=a, authors=tuple(au), journal=j),
    _CSV_TEXT, st.one_of(st.none(), _CSV_TEXT),
    st.lists(st.one_of(_CSV_TEXT.map(lambda s: s.replace(";", "")), st.just("Smith and Jones Ltd")), max_size=3),
    st.one_of(st.none(), _CSV_TEXT), st.integers(0, 10**6)), min_size=1, max_size=3, unique_by=lambda r: r.source_id))
def test_csv_round_trip_with_quotes_line_breaks_and_corporate_authors(records: list[Record]) -> None:
    records = [r for r in records if (r.title or "").strip()]
    if not records:
        return
    back = _read_back(write_records(records, "csv"), ".csv")

    def cell(value: str | None) -> str | None:
        return _nfc(value.replace("\r\n", "\n").replace("\r", "\n")).strip() or None if value else None

    assert [r.source_id for r in back] == [r.source_id for r in records]
    for before, after in zip(records, back):
        assert after.title == cell(before.title)
        assert after.abstract == cell(before.abstract)
        assert after.journal == cell(before.journal)
        assert after.authors == tuple(a for a in (cell(a) for a in before.authors) if a)


_BIB_TEXT = st.text(st.sampled_from(list("aZé ß-.,;:'\"`!?()[]{}&%#$_~^\\/@=+*<>|0123456789")), min_size=1,
                    max_size=30).map(lambda s: _nfc(" ".join(s.split()))).filter(bool)
_BIB_KEYWORD = _BIB_TEXT.map(lambda s: s.replace(",", "").replace(";", "").strip()).filter(bool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.builds(
    lambda t, j, a, kw, corp: Record(source="bibtex", title=t, journal=j, abstract=a, keywords=tuple(kw),
                                     authors=(corp, "Doe, Jane")),
    _BIB_TEXT, st.one_of(st.none(), _BIB_TEXT), st.one_of(st.none(), _BIB_TEXT), st.lists(_BIB_KEYWORD, max_size=3),
    st.sampled_from(["Smith and Jones Ltd", "Research & Development Group", "Procter AND Gamble, Inc.", "Doe, J."])),
    min_size=1, max_size=3))
def test_bibtex_round_trip_with_latex_specials_and_corporate_authors(records: list[Record]) -> None:
    back = _read_back(write_records(records, "bibtex"), ".bib")
    assert len(back) == len(records)
    for before, after in zip(records, back):
        assert (after.title, after.journal, after.abstract) == (before.title, before.journal, before.abstract)
        assert after.keywords == before.keywords
        assert after.authors == before.authors
