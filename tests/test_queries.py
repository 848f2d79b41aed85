"""Saved queries: the shipped files load; bad files name file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evsynth.errors import InputError, InputErrors
from evsynth.queries import SavedQuery, load_query, parse_query


def test_shipped_queries_load(root: Path) -> None:
    main = load_query(root / "queries" / "ketamine_fibromyalgia.toml")
    assert main.name == "ketamine_fibromyalgia" and main.database == "pubmed"
    assert main.maxdate == "2021/12/31" and main.mindate is None and main.datetype == "pdat"
    for part in ('"Fibromyalgia"[MeSH]', "fibromyalgia[tiab]", '"Ketamine"[MeSH]', "ketamine[tiab]",
                 "intravenous[tiab]", "infusion*[tiab]", '"Infusions, Intravenous"[MeSH]'):
        assert part in main.query
    assert "\n" not in main.query and "  " not in main.query
    assert "chronic pain" in main.notes.lower() and "search date" in main.notes.lower()
    assert main.params == {"datetype": "pdat", "maxdate": "2021/12/31"}

    update = load_query(root / "queries" / "ketamine_fibromyalgia_update.toml")
    assert update.query == main.query and update.mindate == "2022/01/01" and update.maxdate is None

    ctgov = load_query(root / "queries" / "ketamine_fibromyalgia_ctgov.toml")
    assert ctgov.database == "ctgov" and ctgov.query == "fibromyalgia ketamine" and ctgov.params == {}


def test_every_shipped_query_is_valid(root: Path) -> None:
    files = sorted((root / "queries").glob("*.toml"))
    assert len(files) >= 3
    names = [load_query(f).name for f in files]
    assert len(set(names)) == len(names)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_toml_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'name = "x"\ndatabase = "pubmed"\nquery = "unterminated\n')
    with pytest.raises(InputError) as info:
        load_query(path)
    assert info.value.path == str(path) and info.value.line == 3 and "malformed TOML" in str(info.value)


def test_missing_field_named(tmp_path: Path) -> None:
    path = _write(tmp_path, 'name = "x"\ndatabase = "pubmed"\n')
    with pytest.raises(InputError) as info:
        load_query(path)
    assert info.value.field == "query" and "missing" in str(info.value) and str(path) in str(info.value)


def test_several_errors_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path, 'name = "x"\ndatabase = "embase"\nquery = "a"\nmindate = "2020-13"\ncolour = 1\n')
    with pytest.raises(InputErrors) as info:
        load_query(path)
    found = {(e.field, e.line) for e in info.value.errors}
    assert ("database", 2) in found and ("mindate", 4) in found and ("colour", 5) in found


def test_wrong_type_and_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_query(_write(tmp_path, 'name = "x"\ndatabase = "pubmed"\nquery = 42\n'))
    assert info.value.field == "query" and info.value.line == 3 and "string" in str(info.value)
    with pytest.raises(InputError, match="must not be empty"):
        load_query(_write(tmp_path, 'name = "x"\ndatabase = "pubmed"\nquery = "  "\n'))


def test_dates_checked(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="after maxdate"):
        load_query(_write(tmp_path, 'name="x"\ndatabase="pubmed"\nquery="a"\nmindate="2022"\nmaxdate="2021"\n'))
    with pytest.raises(InputError, match="PubMed only"):
        load_query(_write(tmp_path, 'name="x"\ndatabase="ctgov"\nquery="a"\nmindate="2022"\n'))
    with pytest.raises(InputError, match="datetype"):
        load_query(_write(tmp_path, 'name="x"\ndatabase="pubmed"\nquery="a"\ndatetype="xdat"\n'))


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_query(tmp_path / "nope.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('name = "x"\nnotes = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8") as info:
        load_query(bad)
    assert info.value.line == 2


def test_from_term() -> None:
    q = SavedQuery.from_term("  ketamine\n AND fibromyalgia ")
    assert q.query == "ketamine AND fibromyalgia" and q.database == "pubmed" and q.name == ""
    with pytest.raises(InputError):
        SavedQuery.from_term("   ")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)
       .filter(lambda s: s.strip()))
def test_query_text_round_trips_through_toml(text: str) -> None:
    toml = f'name = "n"\ndatabase = "pubmed"\nquery = {json.dumps(text, ensure_ascii=False)}\n'
    assert parse_query(toml).query == " ".join(text.split())
