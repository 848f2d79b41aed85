"""Reading and importing many files in worker processes (``jobs``) gives what one process gives.

Same records in the same order, the same store contents and transaction (all or
nothing), the same first error by file order (message, file, line, field), with
worker processes started by ``spawn`` (macOS's and Windows' default, and safe
from threaded processes such as notebooks).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.imports import import_files, read_files
from evsynth.sources.readers import read_file
from evsynth.store import Store

RIS_A = """TY  - JOUR
ID  - 1
TI  - First title of file A
AU  - Doe, Jane
PY  - 2019
ER  -

TY  - JOUR
ID  - 2
TI  - Second title of file A
PY  - 2020
ER  -
"""
RIS_B = """TY  - JOUR
ID  - 1
TI  - A title of file B, whose local id collides with file A's
DO  - 10.1000/b1
ER  -
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, root: Path) -> dict[str, Path]:
    """Good files of several formats, a bad file that fails late and one that fails at once."""
    tmp = tmp_path_factory.mktemp("files")
    entrez = root / "tests" / "data" / "entrez"
    out = {name: entrez / f"{name}.xml" for name in ("pubmed1", "pubmed2", "pubmed4", "pubmed6")}
    for name, text in (("a.ris", RIS_A), ("b.ris", RIS_B)):
        out[name] = tmp / name
        out[name].write_text(text, encoding="utf-8")
    body = out["pubmed4"].read_bytes()
    article = body[body.index(b"<PubmedArticle>"):body.rindex(b"</PubmedArticle>") + len(b"</PubmedArticle>")]
    big = b'<?xml version="1.0"?>\n<PubmedArticleSet>\n' + (article + b"\n") * 300 + b"</PubmedArticleSet>\n"
    out["late_bad.xml"] = tmp / "late_bad.xml"  # slow to parse, cut inside its last article
    out["late_bad.xml"].write_bytes(big[:-200])
    out["early_bad.csv"] = tmp / "early_bad.csv"  # fails at once: no title column
    out["early_bad.csv"].write_text("ID,name\n1,x\n", encoding="utf-8")
    return out


def _error(call) -> tuple:
    with pytest.raises(InputError) as info:
        call()
    err = info.value
    return type(err).__name__, str(err), err.path, err.line, err.field


def _contents(store: Store) -> tuple:
    """Everything an import writes, but the times it wrote it."""
    records = [dataclasses.astuple(r) for r in store.iter_records()]
    imports = [{k: v for k, v in row.items() if k != "imported_at"} for row in store.imports()]
    origins = store.execute("SELECT record_id, search_run_id, import_id, position FROM record_origins "
                            "ORDER BY import_id, position, record_id").fetchall()
    return records, imports, [tuple(o) for o in origins]


def test_read_files_in_order_as_one_process_reads_them(files: dict[str, Path]) -> None:
    # more files than the pool reads ahead (2 * jobs), so results wait for slower ones ahead of them
    order = ["pubmed4", "a.ris", "pubmed1", "b.ris", "pubmed6", "pubmed2", "a.ris", "pubmed4"]
    paths = [files[name] for name in order]
    expected = [read_file(p) for p in paths]
    assert [r.path for r in expected] == [str(p) for p in paths]
    assert list(read_files(paths, jobs=2)) == expected  # spawn: the default start method
    assert list(read_files(paths, jobs=1)) == expected
    assert list(read_files(paths, jobs=3, mp_context="forkserver")) == expected


def test_first_bad_file_in_the_order_given_is_the_error(files: dict[str, Path]) -> None:
    # early_bad.csv fails long before late_bad.xml is parsed, but late_bad.xml comes first
    paths = [files["pubmed1"], files["late_bad.xml"], files["a.ris"], files["early_bad.csv"], files["pubmed2"]]
    expected = _error(lambda: [read_file(p) for p in paths])
    assert expected[2] == str(files["late_bad.xml"]) and expected[3] > 1000  # a line deep in the file
    assert _error(lambda: list(read_files(paths, jobs=2))) == expected
    handed_over = []
    with pytest.raises(InputError):
        for result in read_files(paths, jobs=2):
            handed_over.append(result.path)
    assert handed_over == [str(files["pubmed1"])]  # the files before the bad one, nothing after


def test_import_with_jobs_stores_what_one_process_stores(tmp_path: Path, files: dict[str, Path]) -> None:
    paths = [files[n] for n in ("a.ris", "pubmed4", "b.ris", "pubmed1", "pubmed6", "pubmed2", "a.ris")]
    results, contents = [], []
    for jobs in (1, 2):
        with Store(tmp_path / f"jobs{jobs}.sqlite") as store:
            results.append(import_files(store, paths, jobs=jobs))
            again = import_files(store, paths[:3], jobs=jobs)  # re-imports add nothing, either way
            assert all(f.already_imported for f in again.files)
            contents.append(_contents(store))
    assert results[0] == results[1]
    assert contents[0] == contents[1]
    records, imports, _origins = contents[0]
    assert [row["path"] for row in imports] == [str(p) for p in paths[:-1]]  # a.ris twice: one import
    assert len(records) == 2 + 1 + 1 + 2 + 1 + 2  # a.ris, pubmed4, b.ris, pubmed1, pubmed6, pubmed2


def test_import_with_jobs_stores_nothing_when_a_file_is_bad(tmp_path: Path, files: dict[str, Path]) -> None:
    paths = [files["pubmed1"], files["a.ris"], files["early_bad.csv"], files["late_bad.xml"], files["pubmed2"]]
    errors, contents = [], []
    for jobs in (1, 2):
        with Store(tmp_path / f"jobs{jobs}.sqlite") as store:
            import_files(store, [files["b.ris"]])
            errors.append(_error(lambda: import_files(store, paths, jobs=jobs)))
            contents.append(_contents(store))
    assert errors[0] == errors[1] and errors[0][2] == str(files["early_bad.csv"])
    assert contents[0] == contents[1] and len(contents[0][0]) == 1  # only what was there before


def test_jobs_must_be_a_positive_integer(files: dict[str, Path]) -> None:
    for jobs in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="jobs must be a positive integer"):
            list(read_files([files["a.ris"]], jobs=jobs))  # type: ignore[arg-type]


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code)


def test_cli_import_jobs(tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    paths = [str(files[n]) for n in ("pubmed4", "a.ris", "pubmed1", "b.ris")]
    outs = []
    for jobs in ("1", "2"):
        assert _run(["import", *paths, "--store", str(tmp_path / f"{jobs}.sqlite"), "--jobs", jobs]) == 0
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] and outs[0].count("\n") == 4
    bad = [*paths, str(files["late_bad.xml"]), str(files["early_bad.csv"])]
    errs = []
    for jobs in ("1", "2"):
        assert _run(["import", *bad, "--store", str(tmp_path / f"bad{jobs}.sqlite"), "--jobs", jobs]) == 3
        errs.append(capsys.readouterr().err)
        with Store(tmp_path / f"bad{jobs}.sqlite") as store:
            assert store.count_records() == 0 and store.imports() == []
    assert errs[0] == errs[1] and str(files["late_bad.xml"]) in errs[0] and "Traceback" not in errs[0]
    assert _run(["import", *paths, "--store", str(tmp_path / "0.sqlite"), "--jobs", "0"]) == 2


def test_from_a_threaded_process_without_a_main_file(files: dict[str, Path]) -> None:
    # as in a notebook: __main__ has no file, NumPy's thread pool and another thread are running
    import subprocess
    import sys

    paths = [str(files[n]) for n in ("pubmed4", "a.ris", "pubmed1", "b.ris")]
    code = ("import sys, threading, numpy\n"
            "stop = threading.Event(); threading.Thread(target=stop.wait, daemon=True).start()\n"
            "from evsynth.imports import read_files\n"
            "print([len(r.records) for r in read_files(sys.argv[1:], jobs=2)])\n"
            "stop.set()\n")
    out = subprocess.run([sys.executable, "-c", code, *paths], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str([len(read_file(p).records) for p in paths])
