"""Reading the appraisal tables (``rob.csv``, ``grade.csv``): header check, rows with their line numbers."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

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
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path))
        return []
    lines = text.splitlines()
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        errors.append(InputError("file is empty (the header row is needed)", path=path, line=1))
        return []
    header = [h.strip() for h in header]
    for c in required:
        if c not in header:
            errors.append(InputError("required column missing", path=path, line=1, field=c))
    for c in header:
        if c not in columns:
            errors.append(InputError(f"unknown column (expected: {', '.join(columns)})", path=path, line=1, field=c))
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            errors.append(InputError(f"row has {len(cells)} cells, the header has {len(header)}", path=path,
                                     line=number))
            continue
        rows.append((number, {h: c.strip() for h, c in zip(header, cells) if h in columns}))
    return rows
