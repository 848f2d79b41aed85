"""The ``evsynth`` command line: a thin layer over the library.

Each submodule registers its commands on the shared typer app; :func:`main`
maps :class:`~evsynth.errors.EvsynthError` to a one-line message on stderr and
the matching :class:`~evsynth.errors.ExitCode`.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from typing import Any

import typer
import typer.main
from rich.markup import escape

from ..errors import EvsynthError, ExitCode, OutputError
from ._app import app, err_console
from ._help import set_metavars, usage_message

# Command modules register themselves on import (order = order in --help).
from . import search as _search  # noqa: F401,E402
from . import records as _records  # noqa: F401,E402
from . import dedupe as _dedupe  # noqa: F401,E402
from . import living as _living  # noqa: F401,E402
from . import extract as _extract  # noqa: F401,E402
from . import meta as _meta  # noqa: F401,E402
from . import review as _review  # noqa: F401,E402

__all__ = ["app", "main"]


def _click_exception() -> type[Exception]:
    """click's ``ClickException`` as typer raises it (recent typer vendors click)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _interrupted() -> None:
    err_console.print("interrupted; the store keeps what was committed. Run the command again to resume.")
    sys.exit(130)


def _headless_figures() -> None:
    """The CLI saves figures and never shows them: matplotlib's Agg backend, whatever the desktop offers.

    Set through ``MPLBACKEND`` (read when matplotlib is first imported), so a command that draws
    nothing does not pay for importing matplotlib.
    """
    os.environ["MPLBACKEND"] = "Agg"


class _Stdout:
    """Standard output whose write errors (a full disk, a closed pipe) are :class:`OutputError`."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, data: str) -> int:
        try:
            return self._stream.write(data)
        except OSError as exc:
            raise _stdout_error(exc) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise _stdout_error(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _StdoutError(OutputError):
    """Standard output could not be written (a full disk behind a redirection)."""


class _ReaderGone(Exception):
    """The program reading standard output stopped reading (``evsynth export ... | head``)."""


def _stdout_error(exc: OSError) -> Exception:
    if exc.errno == errno.EPIPE:
        return _ReaderGone()
    return _StdoutError(f"standard output: cannot write: {exc.strerror or exc}; the output is incomplete")


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exits the process with an :class:`ExitCode`.

    Library errors (:class:`~evsynth.errors.EvsynthError`) become one line on
    stderr and their exit code; usage errors print click's message and exit 2;
    ``typer.Exit(code)`` exits with ``code``; Ctrl-C exits 130 with a note that
    the store keeps what was committed.
    """
    click_exception = _click_exception()
    # A file name that is not UTF-8 arrives as surrogate escapes; print it as \xNN, never fail on it.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    _headless_figures()
    command = set_metavars(typer.main.get_command(app))
    real_stdout = sys.stdout
    sys.stdout = _Stdout(real_stdout)  # type: ignore[assignment]
    try:
        rv = command(args=argv, prog_name="evsynth", standalone_mode=False)
        sys.stdout.flush()
    except _ReaderGone:
        _silence_stdout()
        sys.exit(int(ExitCode.OK))
    except EvsynthError as exc:
        if isinstance(exc, _StdoutError):
            _silence_stdout()
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
        sys.exit(int(exc.exit_code))
    except sqlite3.DatabaseError as exc:  # met outside the store's own methods (a cursor read late)
        from .._store_file import LAST_OPENED

        where = f"{LAST_OPENED}: " if LAST_OPENED is not None else ""
        err_console.print(f"error: {where}the record store is unusable ({exc})", markup=False, highlight=False)
        sys.exit(int(ExitCode.STORE))
    except (KeyboardInterrupt, typer.Abort):
        _interrupted()
    except typer.Exit as exc:
        sys.exit(int(getattr(exc, "exit_code", 0) or 0))
    except click_exception as exc:
        if isinstance(getattr(exc, "message", None), str):
            exc.message = usage_message(exc.message)  # type: ignore[attr-defined]
        exc.show()  # type: ignore[attr-defined]
        sys.exit(int(exc.exit_code))  # type: ignore[attr-defined]
    finally:
        sys.stdout = real_stdout
    # Outside standalone mode click returns typer.Exit's code instead of raising it;
    # typer turns Ctrl-C inside a command into Exit(130).
    code = int(rv) if isinstance(rv, int) else int(ExitCode.OK)
    if code == 130:
        _interrupted()
    sys.exit(code)
