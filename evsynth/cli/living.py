"""Commands: screen export/import, update, status."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import StoreOption, app, console, err_console, settings


class _Stage(str, enum.Enum):
    title_abstract = "title-abstract"
    full_text = "full-text"


class _SheetFormat(str, enum.Enum):
    csv = "csv"
    ris = "ris"


screen_app = typer.Typer(
    help="Screening sheets: export the records awaiting a decision, import reviewers' decisions.",
    no_args_is_help=True,
)
app.add_typer(screen_app, name="screen")

StageOption = Annotated[
    _Stage,
    typer.Option("--stage", help="Screening stage: title-abstract, or full-text (records included or 'maybe' at title-abstract)."),
]


@screen_app.command("export")
def screen_export(
    stage: StageOption = _Stage.title_abstract,
    store: StoreOption = None,
    output: Annotated[
        Optional[Path],
        typer.Option("-o", "--output", help="File to write (default: standard output)."),
    ] = None,
    fmt: Annotated[
        _SheetFormat,
        typer.Option("--format", help="csv (a sheet to fill: decision, reason, reviewer) or ris (for tools like Rayyan; store id in ID)."),
    ] = _SheetFormat.csv,
    reviewer: Annotated[
        Optional[str],
        typer.Option("--reviewer", help="Dual screening: the records this reviewer has not decided yet."),
    ] = None,
) -> None:
    """Write a screening sheet of the records awaiting a decision (duplicates excluded)."""
    from ..screening import export_sheet
    from ..store import open_store

    with open_store(settings(store).store_path) as st:
        sheet = export_sheet(st, stage.value, fmt.value, reviewer=reviewer)
    if output is None:
        typer.echo(sheet.text, nl=False)
    else:
        output.write_text(sheet.text, encoding="utf-8")
    err_console.print(f"{len(sheet.record_ids)} record(s) awaiting {sheet.stage} screening"
                      + (f" written to {output}" if output else ""))


@screen_app.command("import")
def screen_import(
    file: Annotated[Path, typer.Argument(help="Filled CSV screening sheet (record_id, decision, reason, reviewer).")],
    stage: StageOption = _Stage.title_abstract,
    reviewer: Annotated[
        Optional[str],
        typer.Option("--reviewer", help="Reviewer for rows whose reviewer cell is empty."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Validate and store screening decisions (append-only); report conflicts and Cohen's kappa."""
    from ..screening import import_decisions
    from ..store import open_store

    with open_store(settings(store).store_path) as st:
        result = import_decisions(st, file, stage=stage.value, reviewer=reviewer)
    console.print(
        f"stored {result.n_stored} {result.stage} decision(s) from {result.path}"
        f" (reviewer(s): {', '.join(result.reviewers) or 'none'}; {result.n_blank} row(s) left blank)"
    )
    for a in result.agreements:
        console.print(
            f"agreement {a.reviewer_a} vs {a.reviewer_b} ({a.stage}): {a.n} record(s) in common,"
            f" observed {a.observed:.3f}, expected {a.expected:.3f}, Cohen's kappa {a.kappa:.3f}"
        )
    if result.conflicts:
        console.print(f"{len(result.conflicts)} conflict(s) to resolve (import a decision by reviewer 'consensus'):")
        for c in result.conflicts:
            who = ", ".join(f"{r}={d}" for r, d in c.decisions.items())
            console.print(f"  record {c.record_id} ({c.stage}): {who}")
    else:
        console.print("no conflicts")
