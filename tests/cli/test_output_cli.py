"""Output that cannot be written: exit 8, one line naming the file, the old output unchanged.

For every command that writes files: ``export -o``, ``screen export -o``, ``dedupe --clusters``
(and ``--review``), ``prisma -o`` and ``review --out``; into a missing folder, a read-only folder,
and onto a full disk. Standard output behind a full disk is the same error.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from evsynth.cli import main
from evsynth.errors import ExitCode
from evsynth.output import TMP_MARK


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code)


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    db = tmp_path_factory.mktemp("store") / "s.sqlite"
    with pytest.raises(SystemExit) as info:
        main(["import", str(data_dir / "exports" / "embase.ris"), "--store", str(db)])
    assert info.value.code == 0
    return db


def _file_commands(store: Path, exports: Path, target: Path) -> dict[str, list[str]]:
    # --review's companion --clusters goes to a writable folder: it must not appear when --review fails
    clusters = Path(str(store) + ".clusters.csv")
    return {
        "export": ["export", "--store", str(store), "--to", "ris", "-o", str(target)],
        "screen export": ["screen", "export", "--store", str(store), "-o", str(target)],
        "dedupe --clusters": ["dedupe", str(exports / "embase.ris"), str(exports / "embase.csv"),
                              "--clusters", str(target)],
        "dedupe --review": ["dedupe", str(exports / "embase.ris"), "--clusters", str(clusters),
                            "--review", str(target)],
    }


def _folder_commands(store: Path, root: Path, out: Path) -> dict[str, list[str]]:
    return {
        "prisma -o": ["prisma", "--store", str(store), "-o", str(out)],
        "review --out": ["review", "--out", str(out), "--folder", str(root / "extracted"),
                         "--queries", str(root / "queries"), "--store", str(out.parent / "none.sqlite")],
    }


FILE_COMMANDS = ("export", "screen export", "dedupe --clusters", "dedupe --review")
FOLDER_COMMANDS = ("prisma -o", "review --out")


def _one_clear_line(err: str, path: Path) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and str(path) in lines[0], err
    assert "Traceback" not in err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_file_into_a_missing_folder(command: str, tmp_path: Path, store_file: Path, data_dir: Path,
                                    capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "missing" / "out.csv"
    argv = _file_commands(store_file, data_dir / "exports", target)[command]
    capsys.readouterr()
    assert _run(argv) == ExitCode.OUTPUT
    err = capsys.readouterr().err
    _one_clear_line(err, target)
    assert not Path(str(store_file) + ".clusters.csv").exists()
    assert "does not exist" in err
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_file_into_a_read_only_folder(command: str, tmp_path: Path, store_file: Path, data_dir: Path,
                                      read_only: Callable[[Path], None], capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "out.csv"
    target.write_bytes(b"the previous output\n")
    argv = _file_commands(store_file, data_dir / "exports", target)[command]
    read_only(folder)
    capsys.readouterr()
    assert _run(argv) == ExitCode.OUTPUT
    err = capsys.readouterr().err
    _one_clear_line(err, target)
    assert not Path(str(store_file) + ".clusters.csv").exists()
    assert "permission denied" in err
    assert _snapshot(folder) == {"out.csv": b"the previous output\n"}


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_file_on_a_full_disk(command: str, tmp_path: Path, store_file: Path, data_dir: Path,
                             capsys: pytest.CaptureFixture, full_disk: None) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"the previous output\n")
    argv = _file_commands(store_file, data_dir / "exports", target)[command]
    capsys.readouterr()
    assert _run(argv) == ExitCode.OUTPUT
    err = capsys.readouterr().err
    _one_clear_line(err, target)
    assert not Path(str(store_file) + ".clusters.csv").exists()
    assert "no space left" in err
    assert target.read_bytes() == b"the previous output\n"
    assert not list(tmp_path.glob(f"*{TMP_MARK}*"))


@pytest.mark.parametrize("command", ["export", "screen export", "dedupe --clusters"])
def test_file_onto_dev_full(command: str, store_file: Path, data_dir: Path, capsys: pytest.CaptureFixture) -> None:
    # a device is written directly (never replaced by a regular file); /dev/full fails as a full disk
    argv = _file_commands(store_file, data_dir / "exports", Path("/dev/full"))[command]
    capsys.readouterr()
    assert _run(argv) == ExitCode.OUTPUT
    _one_clear_line(capsys.readouterr().err, Path("/dev/full"))
    assert Path("/dev/full").is_char_device()


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_folder_under_a_read_only_folder(command: str, tmp_path: Path, store_file: Path, root: Path,
                                         read_only: Callable[[Path], None], capsys: pytest.CaptureFixture) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    out = parent / "out"
    argv = _folder_commands(store_file, root, out)[command]
    read_only(parent)
    capsys.readouterr()
    assert _run(argv) == ExitCode.OUTPUT
    err = capsys.readouterr().err
    _one_clear_line(err, out)
    assert list(parent.iterdir()) == []


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_folder_on_a_full_disk(command: str, tmp_path: Path, store_file: Path, root: Path,
                               capsys: pytest.CaptureFixture, full_disk: None) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("report.html", "prisma.png", "prisma.svg", "prisma.pdf"):
        (out / name).write_bytes(b"previous " + name.encode())
    before = _snapshot(out)
    argv = _folder_commands(store_file, root, out)[command]
    capsys.readouterr()
    assert _run(argv) == ExitCode.OUTPUT
    err = capsys.readouterr().err
    assert "no space left" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(f"*{TMP_MARK}*")) and not list(out.glob(f"*{TMP_MARK}*"))


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_folder_where_a_file_is(command: str, tmp_path: Path, store_file: Path, root: Path,
                                capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out"
    out.write_bytes(b"a file")
    argv = _folder_commands(store_file, root, out)[command]
    capsys.readouterr()
    assert _run(argv) == ExitCode.OUTPUT
    _one_clear_line(capsys.readouterr().err, out)
    assert out.read_bytes() == b"a file"


def test_stdout_on_a_full_disk(store_file: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "evsynth", "export", "--store", str(store_file), "--to", "ris"],
                              stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == ExitCode.OUTPUT
    assert done.stderr.strip().splitlines() == [
        "error: standard output: cannot write: No space left on device; the output is incomplete"]


def test_stdout_closed_by_the_reader_is_quiet(store_file: Path) -> None:
    # `evsynth export ... | head -1`: the reader has gone before the output is written; no error, no traceback
    proc = subprocess.Popen([sys.executable, "-m", "evsynth", "export", "--store", str(store_file), "--to", "ris"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""


@pytest.mark.parametrize("command", ["export", "screen export", "dedupe --clusters"])
def test_output_onto_the_store_or_an_input_is_refused(command: str, tmp_path: Path, store_file: Path,
                                                      data_dir: Path, capsys: pytest.CaptureFixture) -> None:
    store = tmp_path / "s.sqlite"
    store.write_bytes(store_file.read_bytes())
    export = tmp_path / "embase.ris"
    export.write_bytes((data_dir / "exports" / "embase.ris").read_bytes())
    target = export if command.startswith("dedupe") else store
    argv = {
        "export": ["export", "--store", str(store), "--to", "ris", "-o", str(target)],
        "screen export": ["screen", "export", "--store", str(store), "-o", str(target)],
        "dedupe --clusters": ["dedupe", str(export), "--clusters", str(target)],
    }[command]
    before = target.read_bytes()
    capsys.readouterr()
    assert _run(argv) == ExitCode.OUTPUT
    _one_clear_line(capsys.readouterr().err, target)
    assert target.read_bytes() == before
