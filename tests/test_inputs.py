"""One way to open an input file, one set of messages (:mod:`evsynth._inputs`).

Every reader (CSV tables and sheets, exports, PubMed XML, saved queries, review.toml) says the
same thing for a missing file, a folder or an unreadable file, and so does every command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from evsynth._csvread import read_csv_file
from evsynth._inputs import check_input_file, open_input, read_input_bytes
from evsynth.cli import main
from evsynth.dedupe.review import read_review_sheet
from evsynth.errors import ExitCode, InputError
from evsynth.queries import load_query
from evsynth.screening.formats import read_sheet_rows
from evsynth.sources.pubmed_xml import iter_pubmed_xml
from evsynth.sources.readers import detect_format, file_sha256, read_records, stream_file

_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _error(call: Callable[[], Any]) -> InputError:
    with pytest.raises(InputError) as info:
        call()
    assert info.value.exit_code == ExitCode.INPUT
    return info.value


def test_a_file_is_read_whole_or_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbfabc\r\ndef\n")
    assert read_input_bytes(path) == b"\xef\xbb\xbfabc\r\ndef\n"
    with open_input(str(path)) as fh:
        assert fh.read(4) == b"\xef\xbb\xbfa"
        assert fh.read() == b"bc\r\ndef\n"
    check_input_file(path)


def test_missing_file(tmp_path: Path) -> None:
    err = _error(lambda: read_input_bytes(tmp_path / "nope.csv"))
    assert (err.message, err.path) == ("no such file", str(tmp_path / "nope.csv"))
    assert str(err) == f"{tmp_path / 'nope.csv'}: no such file"


def test_a_file_where_a_folder_is_expected_is_named(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x\n", encoding="utf-8")
    err = _error(lambda: read_input_bytes(afile / "b.csv"))
    assert err.message == f"no such file ({afile} is a file, not a folder)"


def test_folder(tmp_path: Path) -> None:
    for call in (read_input_bytes, open_input, check_input_file):
        err = _error(lambda: call(tmp_path))
        assert str(err) == f"{tmp_path}: is a folder, not a file"


#: Write-only sysctl files: the kernel refuses to open them for reading even to root,
#: who reads any ordinary file whatever its permission bits.
_WRITE_ONLY = ("/proc/sys/vm/drop_caches", "/proc/sys/vm/compact_memory")


def _unreadable_file(tmp_path: Path) -> str | None:
    if not _AS_ROOT:
        path = tmp_path / "locked.csv"
        path.write_text("a\n", encoding="utf-8")
        path.chmod(0)
        return str(path)
    for candidate in _WRITE_ONLY:
        try:
            open(candidate, "rb").close()
        except PermissionError:
            return candidate
        except OSError:
            continue
    return None


def test_unreadable_file(tmp_path: Path) -> None:
    path = _unreadable_file(tmp_path)
    if path is None:  # root on a system without a write-only sysctl file
        pytest.skip("no file this user cannot read")
    try:
        err = _error(lambda: read_input_bytes(path))
    finally:
        if not _AS_ROOT:
            Path(path).chmod(0o644)
    assert str(err) == f"{path}: cannot read the file: permission denied"


def test_name_too_long(tmp_path: Path) -> None:
    path = tmp_path / ("x" * 300 + ".csv")
    err = _error(lambda: read_input_bytes(path))
    assert err.message == "cannot read the file: file name too long"


def test_a_name_that_is_not_utf8_is_shown_with_its_bytes(tmp_path: Path) -> None:
    path = os.path.join(os.fsencode(tmp_path), b"caf\xe9.csv")
    err = _error(lambda: read_input_bytes(path.decode(sys.getfilesystemencoding(), "surrogateescape")))
    assert str(err) == f"{tmp_path}/caf\\xe9.csv: no such file"


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_a_device_is_not_a_file() -> None:
    err = _error(lambda: read_input_bytes("/dev/null"))
    assert str(err) == "/dev/null: is a device, not a file"


@pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="no /dev/fd")
def test_a_pipe_is_read() -> None:
    # what `evsynth meta <(...)` and `evsynth meta /dev/stdin < x.csv` hand over
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"yi,vi\n1,2\n")
        os.close(write_end)
        assert read_input_bytes(f"/dev/fd/{read_end}") == b"yi,vi\n1,2\n"
    finally:
        os.close(read_end)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_nobody_writes_to_reads_as_empty_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code = "import sys; from evsynth._inputs import read_input_bytes; print(len(read_input_bytes(sys.argv[1])))"
    done = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "0"), done.stderr


_READERS: dict[str, Callable[[Path], Any]] = {
    "csv table": read_csv_file,
    "export": read_records,
    "streamed export": stream_file,
    "export hash": file_sha256,
    "format detection": detect_format,
    "pubmed xml": lambda p: list(iter_pubmed_xml(p)),
    "saved query": load_query,
    "dedupe review sheet": read_review_sheet,
    "screening sheet": read_sheet_rows,
}


@pytest.mark.parametrize("reader", list(_READERS))
def test_every_reader_says_the_same(tmp_path: Path, reader: str) -> None:
    read = _READERS[reader]
    missing = tmp_path / "nope.txt"
    assert str(_error(lambda: read(missing))) == f"{missing}: no such file"
    assert str(_error(lambda: read(tmp_path))) == f"{tmp_path}: is a folder, not a file"


def test_review_toml_that_is_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    from evsynth.project import load_review

    (tmp_path / "review.toml").write_bytes('title = "a"\nnote = "caf\xe9"\n'.encode("latin-1"))
    err = _error(lambda: load_review(tmp_path))
    assert (err.line, err.message) == (2, "not UTF-8 (TOML files must be UTF-8)")


# --- the same words from every command --------------------------------------------------------


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return int(info.value.code), err


def test_import_names_a_missing_file_and_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.sqlite"
    code, err = _run(["import", str(tmp_path / "nope.ris"), "--store", str(store)], capsys)
    assert code == ExitCode.INPUT and err.strip() == f"error: {tmp_path / 'nope.ris'}: no such file"
    code, err = _run(["import", str(tmp_path), "--store", str(store)], capsys)
    assert code == ExitCode.INPUT and err.strip() == f"error: {tmp_path}: is a folder, not a file"
    assert not store.exists()


def test_meta_names_a_missing_file_and_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["meta", str(tmp_path / "nope.csv")], capsys)
    assert code == ExitCode.INPUT and err.strip() == f"error: {tmp_path / 'nope.csv'}: no such file"
    code, err = _run(["meta", str(tmp_path)], capsys)
    assert code == ExitCode.INPUT and err.strip() == f"error: {tmp_path}: is a folder, not a file"


def test_extract_validate_names_a_missing_table_and_a_folder(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    proj = tmp_path / "proj"
    assert _run(["init", str(proj)], capsys)[0] == 0
    extracted = proj / "extracted"
    (extracted / "outcomes.csv").unlink()
    (extracted / "studies.csv").unlink()
    (extracted / "studies.csv").mkdir()
    code, err = _run(["extract", "validate", "--project", str(proj)], capsys)
    assert code == ExitCode.INPUT
    lines = [line.strip() for line in err.splitlines()]
    assert f"{extracted / 'outcomes.csv'}: no such file" in lines
    assert f"{extracted / 'studies.csv'}: is a folder, not a file" in lines
