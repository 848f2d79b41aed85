"""The one CSV reader behind every table evsynth reads (``extracted/``, ``meta``, imports, sheets).

Python's :mod:`csv` module, used so that no malformed table is read silently:

* **quotes** are parsed strictly: a quote that is never closed (which otherwise swallows every
  row after it into one cell) or text right after a closing quote is an
  :class:`~evsynth.errors.InputError` naming the line where the quoted cell starts and, when it
  can be told, its column;
* **cells of any length** are read (the module's default limit of 128 KiB per cell is lifted:
  an abstract or a note may be longer; the file's size bounds it);
* **one-line cells** (``single_line_cells=True``, for data tables such as ``extracted/``): a
  cell spanning lines is reported (it is almost always an unterminated quote that closed on a
  later quote);
* **rectangular rows** (``exact_width=True``): a row with more or fewer cells than the header
  is reported instead of shifting its columns;
* **encoding**: :func:`read_csv_file` reads UTF-8 (a BOM is dropped); a byte that is not UTF-8 is
  reported with the line and column of the cell that holds it.

Row-level problems (width, spanning cells, encoding) are collected in ``CsvTable.errors`` with
those rows left out, so a validator can report all of them at once; ``CsvTable.raise_first()``
raises the first one. Line numbers are the file's lines (the header is line 1); a blank row is
skipped.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass

from ._inputs import read_input_bytes
from .errors import InputError

__all__ = ["CsvRow", "CsvTable", "parse_csv", "read_csv_file", "read_text_utf8"]

#: No limit on a cell's length but the file's (csv's C long; 2**31 - 1 everywhere).
_FIELD_LIMIT = 2**31 - 1
_SURROGATE = re.compile(r"[\udc80-\udcff]")


@dataclass(frozen=True)
class CsvRow:
    """One data row: the file line it starts on and its cells (as text, not stripped)."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class CsvTable:
    """A parsed table: header, the rows that passed the checks, and the row-level problems."""

    header: tuple[str, ...]
    rows: tuple[CsvRow, ...]
    errors: tuple[InputError, ...] = ()

    def raise_first(self) -> None:
        """Raise the first row-level problem, if any."""
        if self.errors:
            raise self.errors[0]


def _bad_byte(text: str, path: str | None, line: int, field: str | None) -> InputError | None:
    match = _SURROGATE.search(text)
    if match is None:
        return None
    byte = ord(match.group()) - 0xDC00
    return InputError(f"not UTF-8: byte 0x{byte:02x} (save the file as UTF-8)", path=path, line=line, field=field)


def _column_of_open_quote(rest: str, delimiter: str, header: tuple[str, ...]) -> str | None:
    """The column whose quoted cell runs to the end: cells before it, parsed leniently."""
    try:
        cells = next(csv.reader(io.StringIO(rest), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None
    index = len(cells) - 1
    return header[index] if header and 0 <= index < len(header) else None


def parse_csv(
    text: str,
    *,
    path: str | os.PathLike[str] | None = None,
    delimiter: str = ",",
    single_line_cells: bool = False,
    exact_width: bool = False,
    skipinitialspace: bool = False,
) -> CsvTable:
    """Parse CSV text (see the module docstring for what is checked).

    Parameters
    ----------
    text : str
        Decoded text; undecodable bytes may be kept as surrogates (``surrogateescape``) and are
        then reported with their line and column.
    path : path, optional
        Named in errors.
    delimiter : str
    single_line_cells : bool
        Report (and leave out) rows with a cell spanning lines.
    exact_width : bool
        Report (and leave out) rows whose number of cells differs from the header's.
    skipinitialspace : bool
        Ignore spaces after a delimiter (so ``a, "b,c"`` is two cells).

    Returns
    -------
    CsvTable
        Empty header when the text has no row at all.

    Raises
    ------
    InputError
        A quote that is never closed, or text after a closing quote (malformed quoting).
    """
    name = None if path is None else os.fspath(path)
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True, skipinitialspace=skipinitialspace)
    header: tuple[str, ...] = ()
    rows: list[CsvRow] = []
    errors: list[InputError] = []
    start = 1
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rest = "".join(io.StringIO(text).readlines()[start - 1:])
            if "unexpected end of data" in str(exc):
                raise InputError(
                    f"a quoted cell starting on line {start} is never closed (a missing closing quote "
                    "would swallow every row after it)",
                    path=name, line=start, field=_column_of_open_quote(rest, delimiter, header),
                ) from None
            raise InputError(f"malformed quoting in the row starting on line {start} (seen on line "
                             f"{reader.line_num}: {exc}); is a quote not closed, or not doubled inside a cell?",
                             path=name, line=start) from None
        if not header:
            header = tuple(cells)
            problem = _bad_byte("".join(cells), name, start, None)
            if problem:
                errors.append(problem)
            continue
        if not any(c.strip() for c in cells):
            continue
        problem = next((p for i, c in enumerate(cells)
                        if (p := _bad_byte(c, name, start, header[i] if i < len(header) else None))), None)
        if problem is None and exact_width and len(cells) != len(header):
            problem = InputError(f"row has {len(cells)} cells but the header has {len(header)}", path=name,
                                 line=start)
        if problem is None and single_line_cells and reader.line_num > start:
            index = next((i for i, c in enumerate(cells) if "\n" in c or "\r" in c), 0)
            problem = InputError(
                f"a quoted cell runs from line {start} to line {reader.line_num}; cells in this file are one "
                "line (is a closing quote missing?)",
                path=name, line=start, field=header[index] if index < len(header) else None,
            )
        if problem is not None:
            errors.append(problem)
            continue
        rows.append(CsvRow(start, tuple(cells)))
    return CsvTable(header, tuple(rows), tuple(errors))


def read_text_utf8(path: str | os.PathLike[str]) -> str:
    """A file's text as UTF-8 (BOM dropped); bytes that are not UTF-8 kept as surrogates.

    Raises
    ------
    InputError
        No such file, a folder, or a file that cannot be read (see :mod:`evsynth._inputs`).
    """
    data = read_input_bytes(path)
    return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="surrogateescape")


def read_csv_file(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    single_line_cells: bool = True,
    exact_width: bool = True,
    skipinitialspace: bool = False,
) -> CsvTable:
    """Read a UTF-8 CSV file with :func:`parse_csv` (bytes that are not UTF-8 are row errors)."""
    return parse_csv(read_text_utf8(path), path=path, delimiter=delimiter, single_line_cells=single_line_cells,
                     exact_width=exact_width, skipinitialspace=skipinitialspace)
