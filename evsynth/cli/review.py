"""Commands: init, review, situate, prisma."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ExitCode
from ._app import ProjectOption, StoreOption, app, console, err_console, project_store, review_of, settings

OutOption = Annotated[Optional[Path], typer.Option("-o", "--out", help="Output folder (created; its parent folder must exist). Default: the project's out/.")]
FolderOption = Annotated[
    Optional[Path],
    typer.Option("--folder", help="Extracted data folder (studies.csv, outcomes.csv, ...). Default: the project's extracted/."),
]


@app.command("init")
def init(
    folder: Annotated[Path, typer.Argument(help="Folder of the new review project (created; must be empty or new).")],
    title: Annotated[Optional[str], typer.Option("--title", help="The review's title.")] = None,
) -> None:
    """Write a new review project: a commented review.toml, headers-only CSVs, a saved-query template."""
    from ..project.init import init_project

    written = init_project(folder, title=title)
    for path in written:
        console.print(f"wrote {path}")
    console.print(f"next: fill in {folder / 'review.toml'} and {folder / 'extracted'}/, then "
                  f"`evsynth extract validate --project {folder}` and `evsynth review --project {folder}`")


@app.command("review")
def review(
    project: ProjectOption = None,
    out: OutOption = None,
    folder: FolderOption = None,
    queries: Annotated[Optional[Path], typer.Option("--queries", help="Saved searches quoted as search provenance.")] = None,
    store: StoreOption = None,
    single_file: Annotated[
        bool,
        typer.Option("--single-file", help="Embed figures and downloads in report.html (one file to e-mail)."),
    ] = False,
) -> None:
    """Render a review offline: out/report.html, out/results.json and out/figures/.

    Without --project, the review is the nearest folder upwards holding review.toml (the shipped review at the
    repository root). Uses the record store (for PRISMA counts and search runs) only if it exists.
    """
    from ..report import run_review
    from ..report_embed import make_single_file

    rev = review_of(project, required=folder is None)  # --folder alone: the review.toml beside it, if any
    store_path = project_store(project, store)
    run = run_review(out, folder, project=rev, queries=queries, store=store_path if store_path.exists() else None)
    for aid, sec in run.data.get("analyses", {}).items():
        console.print(sec.get("summary") or f"{aid}: not pooled: {sec.get('error')}")
    for line in run.data.get("missing_inputs") or []:
        err_console.print(f"to fill in: {line}")
    console.print(f"wrote {run.report} and {run.results} ({len(run.figures)} figure{'' if len(run.figures) == 1 else 's'} in {run.out / 'figures'})")
    if single_file:
        path = make_single_file(run.report)
        console.print(f"{path} is self-contained ({path.stat().st_size / 1e6:.1f} MB): figures and downloads embedded")


@app.command("situate")
def situate(
    nct_id: Annotated[Optional[str], typer.Argument(help="The trial's NCT id; default: review.toml [situate] trial.")] = None,
    project: ProjectOption = None,
    out: OutOption = None,
    folder: FolderOption = None,
    offline: Annotated[bool, typer.Option("--offline", help="Do not fetch the registry record.")] = False,
) -> None:
    """Print where a trial stands against the evidence; write out/evidence_map.*."""
    from ..report import run_situate

    run = run_situate(nct_id, project=review_of(project, required=folder is None), folder=folder, out=out,
                      settings=settings(),
                      online=not offline)
    err_console.print(run.registry_note)
    console.print(run.summary)
    console.print(f"wrote {', '.join(str(p) for p in run.figures)}")


@app.command("prisma")
def prisma(
    project: ProjectOption = None,
    store: StoreOption = None,
    out: OutOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit with code 3 when the counts do not add up "
                                                          "(instead of printing the failing steps under the diagram).")]
    = False,
) -> None:
    """Draw the PRISMA 2020 flow diagram from the store's counts (out/prisma.svg, .png, .pdf).

    -o/--out names the folder the three files go into (created; its parent must exist), not a file.
    """
    from ..report import run_prisma

    if out is not None and out.suffix.lower() in (".svg", ".png", ".pdf") and not out.is_dir():
        err_console.print(f"usage: -o/--out is the folder for prisma.svg, .png and .pdf, not a file name: "
                          f"use -o {out.parent} (got {out})", markup=False)
        raise SystemExit(int(ExitCode.USAGE))
    rev = review_of(project, required=False)
    target = out if out is not None else (rev.out if rev is not None else Path("out"))
    run = run_prisma(project_store(project, store), out=target, strict=strict)
    for problem in run.counts.problems():
        err_console.print(f"PRISMA counts do not add up: {problem}")
    console.print(f"wrote {', '.join(str(p) for p in run.figures)}")
