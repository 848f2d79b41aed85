"""Commands: import, export, convert (records in and out of files)."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from ..errors import ExitCode
from ._app import ProjectOption, StoreOption, app, console, err_console, project_store


class _Format(str, enum.Enum):
    ris = "ris"
    bibtex = "bibtex"
    csv = "csv"
    json = "json"


ToOption = Annotated[_Format, typer.Option("--to", help="Output format: ris, bibtex, csv or json.")]
MissingErOption = Annotated[
    bool,
    typer.Option(
        "--accept-missing-er",
        help="RIS / Web of Science: accept a last record the file ends without ER (an error by default).",
    ),
]


@app.command("import")
def import_(
    files: Annotated[List[Path], typer.Argument(help="Export files (RIS, MEDLINE/nbib, WoS, BibTeX, CSV, JSON, PubMed XML).")],
    project: ProjectOption = None,
    store: StoreOption = None,
    database: Annotated[
        Optional[str],
        typer.Option("--database", help="Database the files came from (PRISMA); guessed from content when omitted."),
    ] = None,
    accept_missing_er: MissingErOption = False,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, help="Processes reading the files (stored in the order given, same result)."),
    ] = 1,
) -> None:
    """Import export files into the store (all files or nothing; re-imports add no duplicates)."""
    from ..imports import import_files
    from ..store import Store

    with Store(project_store(project, store)) as opened:
        result = import_files(opened, files, database_name=database, accept_missing_er=accept_missing_er, jobs=jobs)
    for item in result.files:
        origin = f", {item.database}" if item.database else ""
        again = " (already imported: nothing new)" if item.already_imported else ""
        console.print(f"{item.path}: {item.format}{origin}, {_n(item.n_records)}{again}", markup=False)
        if item.relabelled_from is not None:
            console.print(f"  database label changed from {item.relabelled_from!r} to {item.database!r}"
                          " (PRISMA counts its records under the new name)", markup=False)
        elif item.database is None:
            err_console.print(
                f"  note: the file does not say which database it came from; PRISMA will count it as"
                f" {item.format!r}. Name it: evsynth import {item.path} --database NAME", markup=False)
        for note in item.notes:
            err_console.print(f"  note: {note}", markup=False)


@app.command("sources")
def sources(
    project: ProjectOption = None,
    store: StoreOption = None,
    relabel: Annotated[
        Optional[int],
        typer.Option("--relabel", metavar="IMPORT_ID", help="Import to relabel (with --database); ids are listed by this command."),
    ] = None,
    database: Annotated[
        Optional[str],
        typer.Option("--database", metavar="NAME", help="With --relabel: the database the import came from (PRISMA's label)."),
    ] = None,
) -> None:
    """List imported files and searches with the label PRISMA counts them under; relabel an import."""
    from rich.table import Table

    from ..imports import relabel_import
    from ..store import Store

    if (relabel is None) != (database is None):
        raise typer.BadParameter("--relabel IMPORT_ID and --database NAME go together")
    with Store(project_store(project, store), create=False) as opened:
        if relabel is not None and database is not None:
            before = relabel_import(opened, relabel, database)
            console.print(f"import {relabel}: database label changed from {before!r} to {database.strip()!r}")
        imports = opened.imports()
        runs = opened.search_runs()
    table = Table(title="Imported files", title_justify="left")
    table.add_column("id", justify="right")
    table.add_column("database (PRISMA label)", no_wrap=True)
    table.add_column("records", justify="right")
    table.add_column("imported")
    table.add_column("file", overflow="fold")
    for row in imports:
        label = row["database_name"] or f"{row['format']} (no database named)"
        table.add_row(str(row["id"]), label, f"{row['n_records']:,}", str(row["imported_at"])[:10], row["path"])
    console.print(table if imports else "no imported files")
    if runs:
        searches = Table(title="Searches", title_justify="left")
        for column in ("run", "database", "query", "hits", "started"):
            searches.add_column(column, overflow="fold")
        for run in runs:
            hits = "?" if run.count is None else f"{run.count:,}"
            searches.add_row(str(run.id), run.database, run.query_name or "(unsaved query)", hits, run.started_at or "")
        console.print(searches)


_SUFFIX_FORMATS = {".ris": _Format.ris, ".bib": _Format.bibtex, ".bibtex": _Format.bibtex, ".csv": _Format.csv,
                   ".json": _Format.json}


def _export_format(to: _Format | None, output: Path | None) -> _Format:
    """``--to``, else the format the ``-o`` file's suffix names; neither is a usage error (exit 2)."""
    if to is not None:
        return to
    fmt = _SUFFIX_FORMATS.get(output.suffix.lower()) if output is not None else None
    if fmt is None:
        hint = (f"the suffix of {output} names no format" if output is not None else "standard output has no suffix")
        err_console.print(f"usage: evsynth export needs --to ris|bibtex|csv|json ({hint}; -o FILE ending in "
                          ".ris, .bib, .csv or .json chooses the format itself)", markup=False)
        raise SystemExit(int(ExitCode.USAGE))
    return fmt


@app.command("export")
def export(
    to: Annotated[Optional[_Format], typer.Option("--to", help="Output format: ris, bibtex, csv or json. Default: "
                                                               "from the -o file's suffix (.ris, .bib, .csv, .json).")]
    = None,
    project: ProjectOption = None,
    store: StoreOption = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write to this file instead of stdout.")] = None,
    deduped: Annotated[bool, typer.Option("--deduped", help="Only records kept by dedupe (not marked duplicates).")] = False,
) -> None:
    """Export the store's records as RIS, BibTeX, CSV or JSON."""
    from ..imports import export_store_to
    from ..output import open_output, refuse_overwrite
    from ..store import Store

    fmt = _export_format(to, output)
    store_path = project_store(project, store)
    if output is not None:
        refuse_overwrite(output, {"the record store": store_path})
    with Store(store_path, create=False) as opened:  # streamed: one record at a time
        if output is None:
            export_store_to(opened, fmt.value, sys.stdout, deduped=deduped)
        else:
            with open_output(output, newline="") as fh:  # all or nothing
                n = export_store_to(opened, fmt.value, fh, deduped=deduped)
            err_console.print(f"wrote {_n(n)} to {output}", markup=False)


@app.command("convert")
def convert(
    file: Annotated[Path, typer.Argument(help="Any supported input file (format detected from its content).")],
    to: ToOption,
    accept_missing_er: MissingErOption = False,
) -> None:
    """Convert an export file to RIS, BibTeX, CSV or JSON on stdout (no store)."""
    from ..imports import convert_file

    text, result = convert_file(file, to.value, accept_missing_er=accept_missing_er)
    sys.stdout.write(text)
    err_console.print(f"{result.path}: {result.format}, {_n(len(result.records))}", markup=False)
    for note in result.notes:
        err_console.print(f"  note: {note}", markup=False)


def _n(count: int, noun: str = "record") -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
