"""evsynth.output: files written whole or not at all, folders swapped in whole, clear errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

import pytest

from evsynth.errors import ExitCode, OutputError
from evsynth.output import TMP_MARK, open_output, output_folder, output_path, write_output


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(f"*{TMP_MARK}*"))


def test_write_output_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_output(target, "first\n")
    assert target.read_text(encoding="utf-8") == "first\n"
    target.chmod(0o640)
    write_output(target, b"second")
    assert target.read_bytes() == b"second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file keeps its permissions
    assert _leftovers(tmp_path) == []


def test_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        write_output(tmp_path / "new.txt", "x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "a.ris"
    with pytest.raises(OutputError) as info:
        write_output(target, "x")
    assert info.value.exit_code == ExitCode.OUTPUT
    assert str(target) in str(info.value) and "does not exist" in str(info.value)
    assert not (tmp_path / "no").exists()


def test_folder_as_target_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        write_output(tmp_path, "x")


def test_read_only_folder_leaves_the_old_file(tmp_path: Path, read_only: Callable[[Path], None]) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"old")
    read_only(folder)
    with pytest.raises(OutputError) as info:
        write_output(folder / "a.csv", "new")
    assert "permission denied" in str(info.value)
    assert (folder / "a.csv").read_bytes() == b"old"
    assert _leftovers(folder) == []


def test_full_disk_leaves_the_old_file(tmp_path: Path, full_disk: None) -> None:
    target = tmp_path / "a.csv"
    target.write_bytes(b"old")
    with pytest.raises(OutputError, match="no space left"):
        write_output(target, "new " * 1000)
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_device_is_written_directly() -> None:
    # /dev/full is not replaced by a regular file: the write goes to it and fails as a full disk does
    with pytest.raises(OutputError, match="no space left"):
        write_output("/dev/full", "x" * 100_000)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_an_error_inside_the_block_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with open_output(target) as fh:
            fh.write("half")
            raise RuntimeError("stop")
    assert target.read_text(encoding="utf-8") == "old"
    assert _leftovers(tmp_path) == []


def test_symlink_target_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_output(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_output_path_for_writers_that_want_a_name(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    with output_path(target) as tmp:
        assert tmp != target and tmp.parent == target.parent
        tmp.write_bytes(b"data")
        assert not target.exists()
    assert target.read_bytes() == b"data"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_output_folder_swaps_whole_and_keeps_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "figures").mkdir(parents=True)
    (out / "report.html").write_text("old report", encoding="utf-8")
    (out / "figures" / "old.png").write_bytes(b"old figure")
    (out / "prisma.svg").write_text("from another command", encoding="utf-8")
    with output_folder(out) as tmp:
        (tmp / "figures").mkdir()
        (tmp / "figures" / "old.png").write_bytes(b"new figure")
        (tmp / "report.html").write_text("new report", encoding="utf-8")
        assert _snapshot(out)["report.html"] == b"old report"  # nothing changes until the block ends
    assert _snapshot(out) == {"report.html": b"new report", "figures/old.png": b"new figure",
                              "prisma.svg": b"from another command"}
    assert _leftovers(tmp_path) == []


def test_output_folder_failure_leaves_the_old_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("old", encoding="utf-8")
    before = _snapshot(out)
    with pytest.raises(KeyboardInterrupt):
        with output_folder(out) as tmp:
            (tmp / "report.html").write_text("half", encoding="utf-8")
            raise KeyboardInterrupt
    assert _snapshot(out) == before
    assert _leftovers(tmp_path) == []


def test_output_folder_full_disk(tmp_path: Path, full_disk: None) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("{}", encoding="utf-8")
    with pytest.raises(OutputError, match="no space left"):
        with output_folder(out) as tmp:
            (tmp / "results.json").write_text('{"new": 1}', encoding="utf-8")
    assert _snapshot(out) == {"results.json": b"{}"}
    assert _leftovers(tmp_path) == []


def test_output_folder_over_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    with pytest.raises(OutputError, match="a file of that name exists"):
        with output_folder(tmp_path / "out"):
            pass
    assert (tmp_path / "out").read_text(encoding="utf-8") == "a file"


def test_output_folder_keeps_symbolic_links_of_the_old_folder(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "data").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with output_folder(out) as tmp:
        (tmp / "report.html").write_text("new", encoding="utf-8")
    assert (out / "data").is_symlink() and os.readlink(out / "data") == str(tmp_path / "elsewhere")


@pytest.mark.parametrize("where", ["the current folder", "a git checkout"])
def test_a_working_folder_is_never_moved(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `evsynth review --out .`: the folder itself stays where it is (same inode); its entries are replaced
    work = tmp_path / "work"
    (work / "figures").mkdir(parents=True)
    (work / "figures" / "old.png").write_bytes(b"old figure")
    (work / "report.html").write_text("old", encoding="utf-8")
    (work / "notes.txt").write_text("the user's", encoding="utf-8")
    if where == "a git checkout":
        (work / ".git").mkdir()
    else:
        monkeypatch.chdir(work)
    inode = work.stat().st_ino
    with output_folder(work) as tmp:
        (tmp / "figures").mkdir()
        (tmp / "figures" / "forest.png").write_bytes(b"new figure")
        (tmp / "report.html").write_text("new", encoding="utf-8")
    assert work.stat().st_ino == inode
    assert _snapshot(work) == {"figures/forest.png": b"new figure", "figures/old.png": b"old figure",
                               "notes.txt": b"the user's", "report.html": b"new"}
    assert _leftovers(tmp_path) == []
