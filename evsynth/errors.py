"""Exceptions and process exit codes, in one place.

Every error a user can cause is an :class:`EvsynthError` subclass that names
where it happened (file, line/row, field) so the CLI can print it as is.
"""

from __future__ import annotations

import enum
import os


class ExitCode(enum.IntEnum):
    """Exit codes of the ``evsynth`` command."""

    OK = 0
    ERROR = 1  #: unexpected failure
    USAGE = 2  #: wrong arguments (typer/click's own code)
    INPUT = 3  #: bad input file or data
    NETWORK = 4  #: a service could not be reached or kept failing
    SERVICE = 5  #: a service answered with an error
    NOT_FOUND = 6  #: the thing asked for does not exist
    STORE = 7  #: the record store is unusable
    OUTPUT = 8  #: an output file or folder could not be written


class EvsynthError(Exception):
    """Base class of evsynth's errors; ``exit_code`` maps it to the CLI.

    Errors pickle with all their attributes (file, line, field, ...), so an
    error raised in a worker process reaches the caller as raised.
    """

    exit_code: ExitCode = ExitCode.ERROR

    def __reduce__(self) -> tuple:
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[EvsynthError], args: tuple, state: dict) -> EvsynthError:
    """An unpickled error: its class, arguments and attributes, without running ``__init__`` again."""
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as text that can always be printed: bytes that are not UTF-8 shown as ``\\xNN``.

    A file name that is not valid UTF-8 reaches Python as surrogate escapes (``\\udce9``);
    printing those fails, so they are shown as the bytes they stand for.
    """
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


class InputError(EvsynthError, ValueError):
    """Bad input, located as precisely as the format allows.

    Parameters
    ----------
    message : str
        What is wrong.
    path : str or os.PathLike, optional
        The file.
    line : int, optional
        1-based line (text formats) or row (tables; the header is row 1).
    field : str, optional
        The field, tag or column.
    """

    exit_code = ExitCode.INPUT

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else os.fspath(path)
        self.line = line
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path:
            where.append(display_path(self.path))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field!r}")
        return (": ".join([", ".join(where), self.message])) if where else self.message


class InputErrors(InputError):
    """Several input errors at once (validation reports all, not the first).

    Parameters
    ----------
    errors : list of InputError
    """

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = list(errors)
        text = f"{len(self.errors)} error(s):\n" + "\n".join(f"  {e}" for e in self.errors)
        super().__init__(text)

    def _format(self) -> str:  # the message already lists every error
        return self.message


class SettingsError(EvsynthError):
    """An environment setting (``EVSYNTH_TIMEOUT``, ...) that is set but not valid; exit 2 like a bad option."""

    exit_code = ExitCode.USAGE


class NetworkError(EvsynthError):
    """A service could not be reached, or kept failing after every retry."""

    exit_code = ExitCode.NETWORK


class ServiceError(EvsynthError):
    """A service answered with an error message (e.g. an E-utilities ``<ERROR>``)."""

    exit_code = ExitCode.SERVICE


class NotFoundError(EvsynthError, LookupError):
    """The requested record, trial or run does not exist."""

    exit_code = ExitCode.NOT_FOUND


class StoreError(EvsynthError):
    """The record store is unusable (corrupt, newer schema, locked)."""

    exit_code = ExitCode.STORE


class OutputError(EvsynthError):
    """An output file or folder could not be written (missing or read-only folder, full disk).

    Nothing is half-written: the file or folder that was there before is unchanged.
    """

    exit_code = ExitCode.OUTPUT
