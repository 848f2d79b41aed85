"""Bad input of every kind is one clear error (file, line, field; the README's exit code), never a traceback.

The shared CSV reader (:mod:`evsynth._csvread`) behind ``extracted/``, ``evsynth meta`` and CSV
imports; non-finite numbers in ``extracted/``; BibTeX nested deeper than the stack; file names
that are not UTF-8; environment settings.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from evsynth._csvread import parse_csv
from evsynth.cli import main
from evsynth.config import load_settings
from evsynth.errors import InputError, SettingsError
from evsynth.extraction import validate_extracted
from evsynth.meta import fit, meta_from_csv
from evsynth.sources.readers import read_records


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ex:
        main(args)
    out = capsys.readouterr()
    return int(ex.value.code), out.out, out.err


def _one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


# --- the shared CSV reader ----------------------------------------------------------------------


def test_an_unterminated_quote_is_reported_at_its_line_and_column() -> None:
    text = 'a,b,c\n1,2,3\n4,"five,6\n7,8,9\n10,11,12\n'
    with pytest.raises(InputError) as info:
        parse_csv(text, path="t.csv")
    assert (info.value.line, info.value.field) == (3, "b")
    assert "never closed" in info.value.message


def test_a_quote_closed_rows_later_is_reported_where_cells_are_one_line() -> None:
    text = 'a,b\n1,"x\n2,y"\n3,z\n'
    table = parse_csv(text, path="t.csv", single_line_cells=True)
    assert [(e.line, e.field) for e in table.errors] == [(2, "b")]
    assert [r.cells for r in table.rows] == [("3", "z")]  # the swallowed row is not read as data
    # import tables (abstracts may span lines) read it as one cell
    assert parse_csv(text).rows[0].cells == ("1", "x\n2,y")


def test_text_after_a_closing_quote_is_malformed() -> None:
    with pytest.raises(InputError) as info:
        parse_csv('a,b\n1,2\n3,"x"y\n', path="t.csv")
    assert info.value.line == 3 and "quoting" in info.value.message and "seen on line 3" in info.value.message


@pytest.mark.parametrize("size", [131_073, 1_000_000])
def test_cells_longer_than_csv_default_limit_are_read_whole(size: int) -> None:
    big = "x" * size
    table = parse_csv(f"a,b\n1,{big}\n2,y\n")
    assert [r.cells for r in table.rows] == [("1", big), ("2", "y")]


def test_rows_of_the_wrong_width_are_reported_not_shifted() -> None:
    table = parse_csv("a,b\n1,2\n3,4,5\n6\n\n7,8\n", path="t.csv", exact_width=True)
    assert [(e.line, "3 cells" in e.message or "1 cells" in e.message) for e in table.errors] == [(3, True),
                                                                                                  (4, True)]
    assert [r.line for r in table.rows] == [2, 6]


def test_a_csv_import_with_a_long_abstract_and_an_open_quote(tmp_path: Path) -> None:
    abstract = "word " * 40_000  # 200 KB
    path = tmp_path / "big.csv"
    path.write_text(f'id,title,abstract\n1,A title,"{abstract}"\n2,Other,short\n', encoding="utf-8")
    records = read_records(path)
    assert [r.abstract for r in records] == [abstract.strip(), "short"]
    path.write_text('id,title,abstract\n1,A title,"open\n2,Other,short\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_records(path)
    assert (info.value.line, info.value.field) == (2, "abstract")


# --- extracted/ ---------------------------------------------------------------------------------


@pytest.fixture()
def folder(root: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "extracted"
    dest.mkdir()
    for name in ("studies.csv", "outcomes.csv", "provenance.csv", "sources.csv"):
        shutil.copy(root / "extracted" / name, dest / name)
    return dest


def _set_cell(path: Path, row_index: int, column: str, value: str) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[row_index][column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return row_index + 2


def test_extracted_latin1_bytes_name_file_line_and_column(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / "studies.csv"
    line = _set_cell(path, 1, "label", "Caf\u00e9 2001")
    path.write_bytes(path.read_bytes().replace("Caf\u00e9".encode(), "Caf\u00e9".encode("latin-1")))
    errors = validate_extracted(folder).errors
    assert any(e.path == str(path) and e.line == line and e.field == "label" and "0xe9" in e.message
               for e in errors), [str(e) for e in errors]
    code, _, err = _run(["extract", "validate", "--folder", str(folder)], capsys)
    assert code == 3 and "Traceback" not in err and "not UTF-8" in err


def test_extracted_unterminated_quote(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = folder / "outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",", ',"', 1)  # an opening quote in the second cell of line 4
    path.write_text("".join(lines), encoding="utf-8")
    errors = validate_extracted(folder).errors
    assert any(e.path == str(path) and e.line == 4 and "quote" in e.message for e in errors), [str(e) for e in errors]
    code, _, err = _run(["extract", "validate", "--folder", str(folder)], capsys)
    assert code == 3 and "Traceback" not in err


def test_extracted_ragged_row(folder: Path) -> None:
    path = folder / "sources.csv"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("a,b\n")
    n = len(path.read_text(encoding="utf-8").splitlines())
    errors = validate_extracted(folder).errors
    assert any(e.path == str(path) and e.line == n and "cells" in e.message for e in errors)


@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "-Infinity", "nan", "NaN", "1e999"])
def test_extracted_non_finite_numbers_are_refused(folder: Path, value: str) -> None:
    path = folder / "outcomes.csv"
    line = _set_cell(path, 0, "mean", value)
    errors = validate_extracted(folder).errors
    assert any(e.path == str(path) and e.line == line and e.field == "mean" and "finite" in e.message
               for e in errors), [str(e) for e in errors]


# --- evsynth meta ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("study,yi,vi\nA,0.1,0.01\nB,0.2,0.02,9\nC,0.3,0.03\n", 3, "4 cells"),
        ("study,yi,vi\nA,0.1,0.01\nB,0.2\nC,0.3,0.03\n", 3, "2 cells"),
        ('study,yi,vi\nA,0.1,0.01\n"B,0.2,0.02\nC,0.3,0.03\n', 3, "never closed"),
        ("study,yi,vi\nA,0.1,0.01\nB\xe9,0.2,0.02\n", 3, "not UTF-8"),
    ],
)
def test_meta_bad_tables_name_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int,
                                       what: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("latin-1"))
    code, _, err = _run(["meta", str(path)], capsys)
    message = _one_line_error(err)
    assert code == 3 and f"line {line}" in message and what in message


def test_meta_on_a_folder_and_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["meta", str(tmp_path)], capsys)
    assert code == 3 and "is a folder, not a file" in _one_line_error(err)
    code, _, err = _run(["meta", str(tmp_path / "nope.csv")], capsys)
    assert code == 3 and _one_line_error(err).endswith("nope.csv: no such file")


@pytest.mark.parametrize(
    ("yi", "vi"),
    [
        ([1e308, -1e308, 0.3], [0.01, 0.02, 0.03]),
        ([1e200, -1e200, 0.3], [0.01, 0.02, 0.03]),
        ([1.0, 2.0, 0.3], [1e-308, 1e308, 0.03]),
        ([1.0, 2.0, 0.3], [1e308, 1e308, 1e308]),
    ],
)
@pytest.mark.parametrize("method", ["REML", "DL", "PM", "FE"])
def test_meta_extreme_values_are_a_clear_error(tmp_path: Path, yi: list[float], vi: list[float], method: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text("study,yi,vi\n" + "".join(f"S{i},{y!r},{v!r}\n" for i, (y, v) in enumerate(zip(yi, vi))))
    with np.errstate(all="raise"):  # no overflow may happen unnoticed on the way to the error
        with pytest.raises(InputError) as info:
            meta_from_csv(path, method=method)
    assert "too extreme" in info.value.message and info.value.path == str(path)


@pytest.mark.parametrize("scale", [2.0**150, 2.0**-150])
def test_meta_large_but_representable_values_give_the_scaled_answer(scale: float) -> None:
    rng = np.random.default_rng(3)
    y, v = rng.normal(0.3, 0.2, 8), rng.uniform(0.01, 0.1, 8)
    # a power of two is exact in binary: every quantity scales exactly
    small, big = fit(y, v, method="DL"), fit(y * scale, v * scale**2, method="DL")
    assert big.estimate / scale == pytest.approx(small.estimate, rel=1e-12)
    assert big.se / scale == pytest.approx(small.se, rel=1e-12)
    assert big.tau2 / scale**2 == pytest.approx(small.tau2, rel=1e-12)


# --- file names that are not UTF-8 ----------------------------------------------------------------


def test_a_file_name_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = os.fsdecode(b"caf\xe9.ris")  # what Python makes of such a name on the command line
    path = tmp_path / name
    path.write_text("TY  - JOUR\nTI  - A title\nER  - \n", encoding="utf-8")
    store = tmp_path / os.fsdecode(b"st\xf6re.sqlite")
    code, out, err = _run(["import", str(path), "--store", str(store)], capsys)
    assert code == 0 and "Traceback" not in err
    code, out, err = _run(["export", "--store", str(store), "--to", "ris"], capsys)
    assert code == 0 and "A title" in out
    code, _, err = _run(["meta", str(tmp_path / os.fsdecode(b"n\xe9.csv"))], capsys)
    assert code == 3 and "n\\xe9.csv" in _one_line_error(err)


# --- BibTeX nested deeper than the stack ----------------------------------------------------------


@pytest.mark.parametrize("opening", ["{", "\\textbf{", "\\emph{{"])
def test_bibtex_nested_too_deep(tmp_path: Path, opening: str, capsys: pytest.CaptureFixture[str]) -> None:
    depth = 5000
    closing = "}" * opening.count("{")
    path = tmp_path / "deep.bib"
    path.write_text("@article{k1,\n  author = {A and B},\n  title = {" + opening * depth + "x" + closing * depth
                    + "},\n}\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_records(path)
    assert (info.value.line, info.value.field) == (3, "title")
    code, _, err = _run(["convert", str(path), "--to", "csv"], capsys)
    assert code == 3 and "nested" in _one_line_error(err)


def test_bibtex_ordinary_nesting_is_read() -> None:
    from evsynth.sources.readers import read_text

    [record] = read_text('@article{k, title = {The {\\"{U}}nited {{K}}ingdom}, author = {A}}\n', "bibtex")
    assert record.title == "The \u00dcnited Kingdom"


# --- environment settings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EVSYNTH_TIMEOUT", "abc"),
        ("EVSYNTH_TIMEOUT", "0"),
        ("EVSYNTH_TIMEOUT", "-3"),
        ("EVSYNTH_TIMEOUT", "nan"),
        ("EVSYNTH_TIMEOUT", "inf"),
        ("EVSYNTH_MAX_TRIES", "2.5"),
        ("EVSYNTH_MAX_TRIES", "0"),
        ("EVSYNTH_MAX_TRIES", "many"),
        ("EVSYNTH_EUTILS_URL", "eutils.ncbi.nlm.nih.gov"),
        ("EVSYNTH_CTGOV_URL", "ftp://example.org"),
        ("NCBI_API_KEY", "abc\x07def"),
    ],
)
def test_bad_settings_name_the_variable(name: str, value: str, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({name: value})
    assert str(info.value).startswith(name)
    monkeypatch.setenv(name, value)
    code, _, err = _run(["search", "--term", "x", "--store", str(tmp_path / "s.sqlite")], capsys)
    assert code == 2 and name in _one_line_error(err)
    assert not (tmp_path / "s.sqlite").exists()


def test_good_settings_are_read() -> None:
    s = load_settings({"EVSYNTH_TIMEOUT": " 2.5 ", "EVSYNTH_MAX_TRIES": "3", "EVSYNTH_EUTILS_URL": "http://x:1/e/",
                       "EVSYNTH_TIMEOUT_UNUSED": "abc"})
    assert (s.timeout, s.max_tries, s.eutils_url) == (2.5, 3, "http://x:1/e")
    assert load_settings({"EVSYNTH_TIMEOUT": ""}).timeout == 30.0  # empty counts as unset


# --- screening sheets go through the same reader ------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "what"),
    [
        (b'record_id,decision,reason\n1,include,\n2,"exclude,wrong population\n3,include,\n', 3, "never closed"),
        (b"record_id,decision,reason\n1,include,\n2,exclude,caf\xe9\n", 3, "not UTF-8"),
        (b"TY  - JOUR\nTI  - caf\xe9\nER  - \n", 2, "not UTF-8"),
    ],
)
def test_screening_sheet_bad_input_names_the_line(tmp_path: Path, data: bytes, line: int, what: str) -> None:
    from evsynth.screening.formats import read_sheet_rows

    path = tmp_path / "sheet.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_sheet_rows(path)
    assert info.value.line == line and what in info.value.message
