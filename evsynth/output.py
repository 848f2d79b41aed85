"""Writing output files and folders whole or not at all.

Every file evsynth writes goes through :func:`open_output` (or
:func:`write_output` / :func:`output_path`): the data goes to a temporary file
beside the target, is flushed to disk (``fsync``) and only then renamed over
the target (``os.replace``). A folder of results goes through
:func:`output_folder`: it is built beside the old one and swapped in whole.
So a full disk, a read-only or missing folder, an error half-way or Ctrl-C
leaves the previous file or folder as it was, and the failure is an
:class:`~evsynth.errors.OutputError` naming the path and the cause.

A target that exists and is not a regular file (``/dev/stdout``, a named pipe,
``/dev/full``) is written directly: there is nothing to replace.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

from .errors import OutputError

__all__ = ["check_output_folder", "make_output_folder", "open_output", "output_error", "output_folder", "output_path",
           "refuse_overwrite", "write_output"]

#: marks the temporary files and folders beside a target (ignored by git, removed on failure)
TMP_MARK = ".evsynth-tmp"


def output_error(path: str | os.PathLike[str], exc: OSError, *, what: str = "file") -> OutputError:
    """An :class:`OutputError` saying in one line why ``path`` could not be written.

    Parameters
    ----------
    path : path
        The output the user asked for (not the temporary file).
    exc : OSError
        What the system said.
    what : str
        ``"file"`` or ``"folder"``.

    Returns
    -------
    OutputError
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    code = exc.errno
    if code == errno.ENOENT and not parent.is_dir():
        reason = f"folder {parent} does not exist"
    elif code in (errno.EACCES, errno.EPERM):
        reason = f"permission denied (folder {parent} is not writable)"
    elif code == errno.EROFS:
        reason = f"folder {parent} is on a read-only file system"
    elif code in (errno.ENOSPC, errno.EDQUOT):
        reason = "no space left on the device"
    elif code == errno.EISDIR:
        reason = "it is a folder"
    elif code in (errno.ENOTDIR, errno.EEXIST) and (blocking := _file_in_the_way(target)) is not None:
        reason = f"{blocking} is a file, not a folder"
    elif code == errno.ENOTDIR:
        reason = f"{parent} is not a folder"
    else:
        reason = exc.strerror or exc.__class__.__name__
    return OutputError(f"{target}: cannot write this {what}: {reason}; nothing was written there")


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest of ``path`` and its parents that exists and is not a folder (``None``: no such)."""
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return None
        if candidate.exists():
            return candidate
    return None


def check_output_folder(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be (re)placed as an output folder; create nothing.

    The folder itself may be missing (it is created), its parent may not: a typo in
    ``--out`` must not build a tree of folders (``/nonexistent/dir``).

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        ``path`` or one of its parents is a file, or the parent folder does not exist.
    """
    target = Path(path)
    blocking = _file_in_the_way(target)
    if blocking is not None:
        what = "a file of that name exists" if blocking == target else f"{blocking} is a file, not a folder"
        raise OutputError(f"{target}: cannot write this folder: {what}; nothing was written")
    parent = target.parent if str(target.parent) else Path(".")
    if not target.is_dir() and not parent.is_dir():
        raise OutputError(f"{target}: cannot write this folder: folder {parent} does not exist (only the output "
                          "folder itself is created, not its parents); nothing was written")
    return target


def make_output_folder(path: str | os.PathLike[str]) -> Path:
    """Create the output folder ``path`` (its parent must exist): :func:`check_output_folder`, then mkdir.

    Raises
    ------
    OutputError
        As :func:`check_output_folder`, or the folder cannot be created (read-only parent).
    """
    target = check_output_folder(path)
    try:
        target.mkdir(exist_ok=True)
    except OSError as exc:
        raise output_error(target, exc, what="folder") from None
    return target


class _Guarded:
    """A file object whose write errors are :class:`OutputError` naming the target."""

    def __init__(self, fh: IO[Any], target: Path) -> None:
        self._fh = fh
        self._target = target

    def write(self, data: Any) -> int:
        try:
            return self._fh.write(data)
        except OSError as exc:
            raise output_error(self._target, exc) from None

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fh)


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def _new_file_mode(existing: Path) -> int:
    try:
        return stat.S_IMODE(existing.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: str | Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def refuse_overwrite(path: str | os.PathLike[str], protected: dict[str, str | os.PathLike[str]]) -> None:
    """Refuse an output path that names one of the ``protected`` files (the store, an input).

    Parameters
    ----------
    path : path
        The output asked for.
    protected : dict
        What each protected file is (``"the record store"``, ``"an input file"``) -> its path.

    Raises
    ------
    OutputError
    """
    try:
        here = os.stat(path)
    except OSError:
        return
    for what, other in protected.items():
        try:
            there = os.stat(other)
        except OSError:
            continue
        if (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino) and stat.S_ISREG(here.st_mode):
            raise OutputError(f"{path}: is {what}; writing the output there would overwrite it. "
                              "Choose another file; nothing was written")


def _real_target(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """(the path as given, the file it names after following symbolic links)."""
    target = Path(path)
    real = Path(os.path.realpath(target))
    if real.is_dir():
        raise OutputError(f"{target}: cannot write this file: it is a folder; nothing was written there")
    parent = real.parent
    if not parent.is_dir():
        missing = target.parent if str(target.parent) else Path(".")
        raise OutputError(f"{target}: cannot write this file: folder {missing} does not exist; "
                          "nothing was written there")
    return target, real


@contextmanager
def output_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write ``path`` through; it replaces ``path`` if the block succeeds.

    For writers that want a file name (``Figure.savefig``). Any ``OSError``
    in the block is reported as an :class:`OutputError` for ``path``.

    Parameters
    ----------
    path : path
        The file to (re)place.

    Yields
    ------
    Path
        Where to write.
    """
    target, real = _real_target(path)
    if real.exists() and not real.is_file():  # a device or pipe: write straight to it
        try:
            yield real
        except OSError as exc:
            raise output_error(target, exc) from None
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=TMP_MARK, dir=real.parent)
        os.close(fd)
    except OSError as exc:
        raise output_error(target, exc) from None
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _new_file_mode(real))
        os.replace(tmp, real)
    except OSError as exc:
        _unlink(tmp)
        raise output_error(target, exc) from None
    except BaseException:
        _unlink(tmp)
        raise
    _fsync_dir(real.parent)


@contextmanager
def open_output(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing, all or nothing.

    The file object writes to a temporary file beside ``path``; when the block
    ends without an error it is flushed to disk and renamed over ``path``. On
    any error the temporary file is removed and ``path`` is unchanged. Errors
    while writing (full disk) and while opening (missing or read-only folder)
    raise :class:`OutputError`.

    Parameters
    ----------
    path : path
        The file to (re)place.
    mode : {"w", "wb"}
    encoding : str, optional
        Text encoding (ignored for ``"wb"``).
    newline : str, optional
        As for :func:`open`.

    Yields
    ------
    file object
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    binary = mode == "wb"
    target = Path(path)
    with output_path(target) as tmp:
        try:
            fh = open(tmp, mode, **({} if binary else {"encoding": encoding, "newline": newline}))
        except OSError as exc:
            raise output_error(target, exc) from None
        guarded = _Guarded(fh, target)
        try:
            yield guarded  # type: ignore[misc]
            try:
                fh.flush()
            except OSError as exc:
                raise output_error(target, exc) from None
        finally:
            try:
                fh.close()
            except OSError:
                pass  # a close that fails after a failed write: the error above is the one to report


def write_output(path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` all or nothing (see :func:`open_output`); return ``path``.

    Parameters
    ----------
    path : path
    data : str or bytes
    encoding : str
        For ``str`` data.

    Returns
    -------
    Path
    """
    mode = "wb" if isinstance(data, bytes) else "w"
    with open_output(path, mode, encoding=encoding, newline="" if mode == "w" else None) as fh:
        fh.write(data)
    return Path(path)


def _fsync_tree(folder: Path) -> None:
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(Path(dirpath))


def _carry_over(old: Path, new: Path) -> None:
    """Hard-link (or copy) into ``new`` whatever ``old`` holds that ``new`` does not."""
    for dirpath, dirs, files in os.walk(old):
        rel = Path(dirpath).relative_to(old)
        here = new / rel
        for name in dirs:
            src = Path(dirpath) / name
            if (here / name).exists() or (here / name).is_symlink():
                continue
            if src.is_symlink():  # kept as a link; os.walk does not follow it
                os.symlink(os.readlink(src), here / name)
            else:
                (here / name).mkdir()
                shutil.copystat(src, here / name)
        for name in files:
            dest = here / name
            if dest.exists() or dest.is_symlink():
                continue
            src = Path(dirpath) / name
            try:
                os.link(src, dest, follow_symlinks=False)
            except OSError:
                shutil.copy2(src, dest, follow_symlinks=False)


@contextmanager
def output_folder(path: str | os.PathLike[str], *, keep_others: bool = True) -> Iterator[Path]:
    """Build a folder of results beside ``path`` and swap it in whole.

    The block writes into a new temporary folder next to ``path``. When it
    ends without an error, the files are flushed to disk, the old folder is
    renamed aside, the new one renamed to ``path`` and the old one removed. On
    any error (or Ctrl-C) the temporary folder is removed and ``path`` is the
    complete old folder.

    Parameters
    ----------
    path : path
        The folder to (re)place; it may be missing, its parent folder may not
        (:func:`check_output_folder`).
    keep_others : bool
        Carry over files of the old folder that the block did not write
        (other commands' results kept in the same folder).

    Yields
    ------
    Path
        The folder to write into.
    """
    target = check_output_folder(path)
    real = Path(os.path.realpath(target))
    # a working folder (the current one or above it, a git checkout) is never moved: its
    # entries are replaced one by one instead, each whole
    in_place = real.is_dir() and _is_workspace(real)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{real.name}.", suffix=TMP_MARK,
                                    dir=real if in_place else real.parent))
    except OSError as exc:
        raise output_error(target, exc, what="folder") from None
    try:
        yield tmp
        _fsync_tree(tmp)
        if in_place:
            _replace_entries(tmp, real, keep_others)
        else:
            if keep_others and real.is_dir():
                _carry_over(real, tmp)
            os.chmod(tmp, _dir_mode(real))
            _swap(tmp, real)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise output_error(target, exc, what="folder") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _is_workspace(folder: Path) -> bool:
    cwd = Path.cwd().resolve()
    return folder == cwd or folder in cwd.parents or (folder / ".git").exists() or folder == Path.home().resolve()


def _replace_entries(new: Path, target: Path, keep_others: bool) -> None:
    """Move each entry of ``new`` into ``target`` (files replaced, folders swapped whole)."""
    for entry in sorted(new.iterdir()):
        dest = target / entry.name
        if entry.is_dir() and not entry.is_symlink() and dest.is_dir() and not dest.is_symlink():
            if keep_others:
                _carry_over(dest, entry)
            _swap(entry, dest)
        else:
            os.replace(entry, dest)
    new.rmdir()


def _dir_mode(existing: Path) -> int:
    try:
        return stat.S_IMODE(existing.stat().st_mode)
    except OSError:
        return 0o777 & ~current_umask()


def _swap(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``, removing the old ``target`` only once ``new`` is in place."""
    if not target.exists():
        os.rename(new, target)
        _fsync_dir(target.parent)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", suffix=TMP_MARK, dir=target.parent))
    os.rmdir(aside)
    os.rename(target, aside)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)  # put the old folder back
        raise
    _fsync_dir(target.parent)
    shutil.rmtree(aside, ignore_errors=True)
