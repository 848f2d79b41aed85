"""Rich tables for the commands' text output (numbers right-aligned, whole numbers as integers)."""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

from rich import box
from rich.table import Table

__all__ = ["cell", "frame_table", "print_table", "rows_table"]


def _whole(values: Iterable[Any]) -> bool:
    seen = False
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v).is_integer():
            return False
        seen = True
    return seen


def cell(value: Any, *, decimals: int = 4, whole: bool = False) -> str:
    """One value as text: missing as ``—``, whole numbers without decimals, floats with ``decimals``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (whole and isinstance(value, float)):
        return f"{int(value)}"
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    return str(value)


def rows_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None,
               decimals: int = 4) -> Table:
    """A table of rows; numeric columns right-aligned, columns of whole numbers printed as integers."""
    rows = [list(r) for r in rows]
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for i, name in enumerate(columns):
        values = [r[i] for r in rows]
        numeric = bool(values) and all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                                       for v in values)
        table.add_column(name, justify="right" if numeric else "left", overflow="fold", no_wrap=numeric)
    whole = [_whole(r[i] for r in rows) for i in range(len(columns))]
    for r in rows:
        table.add_row(*(cell(v, decimals=decimals, whole=whole[i]) for i, v in enumerate(r)))
    return table


def frame_table(frame: Any, *, title: str | None = None, decimals: int = 4) -> Table:
    """A pandas DataFrame as a :func:`rows_table` (numpy scalars become Python numbers)."""
    rows = [[v.item() if hasattr(v, "item") else v for v in row] for row in frame.itertuples(index=False)]
    return rows_table([str(c) for c in frame.columns], rows, title=title, decimals=decimals)


def print_table(console: Any, table: Table) -> None:
    """Print a table: folded to a terminal's width, at its natural width into a pipe or file."""
    from rich.console import Console
    from rich.measure import Measurement

    if console.is_terminal:
        console.print(table)
        return
    natural = Measurement.get(console, console.options.update(max_width=10_000), table).maximum
    wide = Console(file=console.file, width=max(console.width, natural), highlight=False, markup=False,
                   stderr=console.stderr)
    wide.print(table)
