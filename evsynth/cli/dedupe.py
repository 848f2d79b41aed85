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
        typer.Option("--review", help="CSV of borderline pairs (not merged) with their evidence; in store mode "
                     "both records side by side and a 'decision' column to fill (merge / keep apart)."),
    ] = None,
    decisions: Annotated[
        Optional[Path],
        typer.Option("--decisions", help="Store mode: read a filled review sheet, store its decisions "
                     "(with --reviewer and the time) and deduplicate again following them."),
    ] = None,
    reviewer: Annotated[
        Optional[str],
        typer.Option("--reviewer", help="Who decided the pairs of --decisions (default: $USER)."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Find duplicate records; mark them (never delete) and explain every link.

    With FILE arguments: read them, write --clusters (and --review). Without:
    mark duplicates in the store and fill the kept records' missing fields;
    --review writes the borderline pairs for a person to decide, --decisions
    reads the decided sheet back (stored decisions hold in every later dedupe
    and update).
    """
    if files:
        if clusters is None:
            raise InputError("file mode needs --clusters OUT.csv")
        if decisions is not None:
            raise InputError("--decisions settles pairs of the record store: run it without input files")
        from ..dedupe import dedupe_files

        result = dedupe_files(files, clusters=clusters, review=review)
        console.print(
            f"{result.n_records} records, {len(result.clusters)} clusters, "
            f"{result.n_duplicates} duplicates, {len(result.review)} pairs to review; "
            f"clusters written to {clusters}" + (f", review to {review}" if review else ""),
            markup=False,
        )
    else:
        if clusters is not None:
            raise InputError("--clusters needs input files (file mode)")
        result = _store_mode(settings(store).store_path, review, decisions, reviewer)
    for note in result.notes:
        err_console.print(f"note: {note}", markup=False)
    rules = Counter(link.rule for link in result.links)
    for rule, n in rules.most_common():
        console.print(f"  {rule}: {n}", markup=False)


def _store_mode(path: Path, review: Optional[Path], decisions: Optional[Path], reviewer: Optional[str]):
    import os

    from ..dedupe import dedupe_store
    from ..dedupe.review import read_review_sheet, store_pair_decisions, write_review_sheet
    from ..output import refuse_overwrite
    from ..store import Store

    if review is not None:
        refuse_overwrite(review, {"the record store": path, "the decisions sheet being read": decisions or ""})
    with Store(path, create=False) as opened:
        n_decided = 0
        if decisions is not None:
            known = {int(r[0]) for r in opened.execute("SELECT id FROM records")}
            sheet = read_review_sheet(decisions, known)  # every row checked before anything is stored
            who = reviewer or os.environ.get("USER") or os.environ.get("USERNAME")
            with opened.transaction():
                n_decided = store_pair_decisions(opened, sheet, reviewer=who, source_file=str(decisions))
                result = dedupe_store(opened)
            console.print(f"{decisions}: {n_decided} decision(s) stored"
                          f" ({sum(d.decision == 'merge' for d in sheet)} merge,"
                          f" {sum(d.decision == 'apart' for d in sheet)} keep apart) by {who or 'unknown'}",
                          markup=False)
        else:
            result = dedupe_store(opened)
        records = list(opened.iter_records())
    console.print(
        f"{path}: {result.n_records} records, {result.n_duplicates} marked as duplicates of "
        f"{len(result.clusters)} kept records, {result.n_records - result.n_duplicates} kept in all; "
        f"{len(result.review)} borderline pairs left unmerged",
        markup=False,
    )
    if review is not None:
        n = write_review_sheet(review, records, result.review, [r.store_id for r in records])
        console.print(f"{n} borderline pair(s) written to {review}: fill its 'decision' column "
                      f"(merge / keep apart) and run: evsynth dedupe --decisions {review}", markup=False)
    return result
