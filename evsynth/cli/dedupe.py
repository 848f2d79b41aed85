"""Commands: dedupe (file mode and store mode)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..errors import InputError
from ._app import StoreOption, app, console, err_console, settings


@app.command("dedupe")
def dedupe(
    files: Annotated[
        Optional[List[Path]],
        typer.Argument(help="Export files to deduplicate (file mode); omit to deduplicate the store."),
    ] = None,
    clusters: Annotated[
        Optional[Path],
        typer.Option("--clusters", help="File mode: CSV written with record_id and duplicate_of for every record."),
    ] = None,
    review: Annotated[
        Optional[Path],
        typer.Option("--review", help="File mode: CSV of borderline pairs (not merged) with their evidence."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Find duplicate records; mark them (never delete) and explain every link.

    With FILE arguments: read them, write --clusters (and --review). Without:
    mark duplicates in the store and fill the kept records' missing fields.
    """
    if files:
        if clusters is None:
            raise InputError("file mode needs --clusters OUT.csv")
        from ..dedupe import dedupe_files

        result = dedupe_files(files, clusters=clusters, review=review)
        console.print(
            f"{result.n_records} records, {len(result.clusters)} clusters, "
            f"{result.n_duplicates} duplicates, {len(result.review)} pairs to review; "
            f"clusters written to {clusters}" + (f", review to {review}" if review else ""),
            markup=False,
        )
    else:
        if clusters is not None or review is not None:
            raise InputError("--clusters and --review need input files (file mode)")
        from ..dedupe import dedupe_store
        from ..store import Store

        path = settings(store).store_path
        with Store(path, create=False) as opened:
            result = dedupe_store(opened)
        console.print(
            f"{path}: {result.n_records} records, {result.n_duplicates} marked as duplicates of "
            f"{len(result.clusters)} kept records, {result.n_records - result.n_duplicates} kept in all; "
            f"{len(result.review)} borderline pairs left unmerged",
            markup=False,
        )
    for note in result.notes:
        err_console.print(f"note: {note}", markup=False)
    rules = Counter(link.rule for link in result.links)
    for rule, n in rules.most_common():
        console.print(f"  {rule}: {n}", markup=False)
