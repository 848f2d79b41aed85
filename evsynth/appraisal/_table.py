"""Reading the appraisal tables (``rob.csv``, ``grade.csv``): header check, rows with their line numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .._csvread import read_csv_file
from ..errors import InputError


def read_rows(path: Path, columns: Sequence[str], required: Sequence[str], errors: list[InputError]
              ) -> list[tuple[int, dict[str, str]]]:
    """Rows of the CSV at ``path`` as (line, {column: stripped text}); problems are appended to ``errors``.

    A missing file gives no rows and no error (the table is optional: "not assessed"/"not rated").
    The header must hold every column of ``required``; columns outside ``columns`` are errors.
    """
    if not path.exists():
        return []
    try:
        table = read_csv_file(path, single_line_cells=True, exact_width=True)
    except InputError as exc:
        errors.append(exc)
        return []
    if not table.header:
        errors.append(InputError("file is empty (the header row is needed)", path=path, line=1))
        return []
    errors.extend(table.errors)
    header = [h.strip() for h in table.header]
    for c in required:
        if c not in header:
            errors.append(InputError("required column missing", path=path, line=1, field=c))
    for c in header:
        if c not in columns:
            errors.append(InputError(f"unknown column (expected: {', '.join(columns)})", path=path, line=1, field=c))
    rows = []
    for row in table.rows:
        rows.append((row.line, {h: c.strip() for h, c in zip(header, row.cells) if h in columns}))
    return rows
