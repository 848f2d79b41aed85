"""Opening an input file, with one set of messages for every way it can fail.

Every file evsynth reads (exports, CSV tables and sheets, saved queries, ``review.toml``) is
opened here, so a file that cannot be read is reported the same way whichever command reads
it: an :class:`~evsynth.errors.InputError` (exit 3) naming the file as given (bytes of a name
that are not UTF-8 shown as ``\\xNN``) and saying what is wrong:

======================  ==================================================================
the file                message
======================  ==================================================================
does not exist          ``no such file``
is below a file         ``no such file (<parent> is a file, not a folder)``
is a folder             ``is a folder, not a file``
is a device or socket   ``is a device, not a file`` (``is a socket, not a file``)
cannot be read          ``cannot read the file: permission denied`` (or the system's reason,
                        lower-cased: ``file name too long``, ``input/output error``, ...)
======================  ==================================================================

The file is looked at (``stat``) before it is opened. A pipe is read (``evsynth meta <(...)``,
``/dev/stdin``), but opened without waiting for a writer: a named pipe that nobody writes to
reads as empty instead of blocking the command.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

__all__ = ["check_input_file", "input_error", "open_input", "read_input_bytes", "read_input_utf8"]

_NOT_A_FILE = ((stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
#: Opening a named pipe waits for a writer unless this is set (POSIX); it does nothing to a file.
_NO_WAIT = getattr(os, "O_NONBLOCK", 0)


def _reason(exc: OSError, path: str) -> str:
    """What to say for an error of the system on reading ``path``."""
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    if exc.errno == errno.ENOTDIR:
        blocking = next((p for p in Path(path).parents if p.exists() and not p.is_dir()), None)
        return f"no such file ({blocking} is a file, not a folder)" if blocking is not None else "no such file"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read the file: permission denied"
    text = exc.strerror or exc.__class__.__name__
    return f"cannot read the file: {text[:1].lower()}{text[1:]}"


def input_error(exc: OSError, path: str | os.PathLike[str]) -> InputError:
    """The :class:`~evsynth.errors.InputError` for an error of the system on opening or reading ``path``.

    For readers that open the file with :func:`open_input` and read it themselves.
    """
    name = os.fspath(path)
    return InputError(_reason(exc, name), path=name)


def check_input_file(path: str | os.PathLike[str]) -> None:
    """Check that ``path`` names a file or a pipe (or a link to one), not a folder or device; open nothing.

    Raises
    ------
    InputError
        No such file, a folder, a device or socket, or a name the system refuses (too long, a
        loop of links, no permission to look into a folder on the way).
    """
    name = os.fspath(path)
    try:
        mode = os.stat(name).st_mode
    except OSError as exc:
        raise input_error(exc, name) from None
    except ValueError:  # a NUL byte in the name
        raise InputError("no such file (the name holds a NUL character)", path=name) from None
    if stat.S_ISDIR(mode):
        raise InputError("is a folder, not a file", path=name)
    for test, what in _NOT_A_FILE:
        if test(mode):
            raise InputError(f"is {what}, not a file", path=name)


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """Open an input file for reading bytes (for readers that read it in chunks).

    Returns
    -------
    binary file object
        The caller closes it (``with open_input(path) as fh:``).

    Raises
    ------
    InputError
        See :func:`check_input_file`; also a file that cannot be opened (permission denied).
    """
    name = os.fspath(path)
    check_input_file(name)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_BINARY", 0) | _NO_WAIT)
    except OSError as exc:
        raise input_error(exc, name) from None
    if _NO_WAIT:
        os.set_blocking(fd, True)  # reads wait for a pipe's writer again
    return os.fdopen(fd, "rb")


def read_input_bytes(path: str | os.PathLike[str]) -> bytes:
    """An input file's bytes, whole.

    Raises
    ------
    InputError
        See :func:`open_input`; also a read that fails part-way (an I/O error).
    """
    name = os.fspath(path)
    with open_input(name) as fh:
        try:
            return fh.read()
        except OSError as exc:
            raise input_error(exc, name) from None


def read_input_utf8(path: str | os.PathLike[str], *, why: str, bom: bool = False) -> str:
    """An input file's text, which must be UTF-8 (``bom``: a leading byte-order mark is dropped).

    Raises
    ------
    InputError
        See :func:`read_input_bytes`; or ``not UTF-8 (<why>)`` at the line of the first byte
        that is not.
    """
    raw = read_input_bytes(path)
    try:
        return raw.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 ({why})", path=os.fspath(path), line=line) from None
