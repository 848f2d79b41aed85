"""BibTeX as a reference manager writes it: citation keys, LaTeX-safe values, name order."""

from __future__ import annotations

import re

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

from evsynth.models import Record
from evsynth.sources.bibtex_style import bibtex_name, citation_keys, family_name, latex_escape
from evsynth.sources.readers import read_text
from evsynth.sources.writers import write_records


def _parse(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library


def _keys(*records: Record) -> list[str]:
    return [e.key for e in _parse(write_records(list(records), "bibtex")).entries]


# -- citation keys -------------------------------------------------------------------------


def test_key_is_family_name_year_first_significant_title_word() -> None:
    record = Record(source="ris", source_id="3", authors=("Liu R.", "Smith, J."), year=2014,
                    title="The effect of ketamine on pain")
    assert _keys(record) == ["liu2014effect"]
    record = record.replace(title="A ketamine infusion trial")
    assert _keys(record) == ["liu2014ketamine"]


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Liu R.", "liu"), ("Liu, Rong", "liu"), ("Rong Liu", "liu"), ("Müller, K.", "muller"),
        ("Øster JB", "oster"), ("Graven-Nielsen T", "gravennielsen"), ("de la Fuente, J.", "fuente"),
        ("Straße, A.", "strasse"),
    ],
)
def test_key_family_name_lowercased_and_folded_to_ascii(author: str, expected: str) -> None:
    (key,) = _keys(Record(source="ris", authors=(author,), year=2020, title="Ketamine"))
    assert key == f"{expected}2020ketamine"


def test_keys_unique_with_letter_suffixes_not_hashes() -> None:
    same = [Record(source="ris", source_id=str(i), authors=("Liu R.",), year=2014, title="Ketamine for pain")
            for i in range(4)]
    assert _keys(*same) == ["liu2014ketamine", "liu2014ketaminea", "liu2014ketamineb", "liu2014ketaminec"]
    assert citation_keys([((), None, None)] * 28)[26:] == ["anonz", "anonaa"]


def test_key_without_year_or_author_or_title() -> None:
    assert citation_keys([((), 2001, "Über Ketamin"), (("Liu R.",), None, None), ((), None, "of the")]) == [
        "2001uber", "liu", "anon"]


# -- LaTeX-safe values ---------------------------------------------------------------------

_NASTY = "Pain & fatigue: 50% of #1 in group_a, $5 {braced} back\\slash ~tilde ^caret"


def test_special_characters_escaped_and_read_back() -> None:
    record = Record(source="ris", title=_NASTY, abstract=_NASTY, journal="Research & Practice",
                    authors=("O'Brien & Sons Study Group", "Liu R."), year=2019,
                    doi="10.1000/a_b%2Fc", url="https://example.org/x_y?a=1&b=%20")
    text = write_records([record], "bibtex")
    entry = _parse(text).entries[0]
    for field in ("title", "abstract", "journal"):
        value = entry.fields_dict[field].value
        # no special character left bare: each is part of an escape
        bare = re.sub(r"\\(textbackslash|textasciitilde|textasciicircum)\{\}|\\[&%#_${}]|\{[^{}\\]*\}", "", value)
        assert not re.search(r"[&%#_$\\~^]", bare), (field, value)
    assert r"\&" in entry.fields_dict["journal"].value
    assert entry.fields_dict["doi"].value == "10.1000/a_b%2Fc"  # verbatim fields untouched
    assert entry.fields_dict["url"].value == "https://example.org/x_y?a=1&b=%20"
    (back,) = read_text(text, "bibtex")
    assert back.journal == "Research & Practice"
    assert back.title.startswith("Pain & fatigue: 50% of #1 in group_a, $5 {braced} back\\slash ~tilde")
    assert (back.doi, back.url) == (record.doi, record.url)


def test_inner_capitals_protected_in_titles_only() -> None:
    record = Record(source="ris", title="IV ketamine and NMDA receptors", journal="BMJ Open", year=2020)
    entry = _parse(write_records([record], "bibtex")).entries[0]
    assert entry.fields_dict["title"].value == "{IV} ketamine and {NMDA} receptors"
    assert entry.fields_dict["journal"].value == "BMJ Open"
    (back,) = read_text(write_records([record], "bibtex"), "bibtex")
    assert back.title == record.title


def test_latex_escape_table() -> None:
    assert latex_escape("a&b%c#d_e$f{g}h\\i") == r"a\&b\%c\#d\_e\$f\{g\}h\textbackslash{}i"


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "last", "first"),
    [
        ("Liu R.", ["Liu"], ["R."]),
        ("Liu RJ", ["Liu"], ["R.", "J."]),
        ("Liu R.J.", ["Liu"], ["R.", "J."]),
        ("Graven-Nielsen T", ["Graven-Nielsen"], ["T."]),
        ("van der Berg J", ["van", "der", "Berg"], ["J."]),
        ("Liu, Rong", ["Liu"], ["Rong"]),
        ("Rong Liu", ["Liu"], ["Rong"]),
    ],
)
def test_embase_style_names_split_right(stored: str, last: list[str], first: list[str]) -> None:
    entry = _parse(write_records([Record(source="ris", title="T", authors=(stored,))], "bibtex")).entries[0]
    (name,) = entry.fields_dict["author"].value
    assert (name.von + name.last, name.first) == (last, first)


def test_group_author_kept_whole() -> None:
    entry = _parse(write_records(
        [Record(source="ris", title="T", authors=("Liu R.", "Fibromyalgia Research Group"))], "bibtex")).entries[0]
    names = entry.fields_dict["author"].value
    assert len(names) == 2 and names[1].last == ["{Fibromyalgia Research Group}"] and names[1].first == []


def test_name_helpers() -> None:
    assert bibtex_name("Liu R.") == "Liu, R."
    assert family_name("R. J. Liu") == "Liu"
    assert family_name("Liu RJ") == "Liu"
