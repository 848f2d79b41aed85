"""Commands: review, situate, prisma."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import StoreOption, app, console, err_console, settings

OutOption = Annotated[Path, typer.Option("-o", "--out", help="Output folder (created).")]
FolderOption = Annotated[Path, typer.Option("--folder", help="Extracted data folder (studies.csv, outcomes.csv, ...).")]


@app.command("review")
def review(
    out: OutOption = Path("out"),
    folder: FolderOption = Path("extracted"),
    queries: Annotated[Path, typer.Option("--queries", help="Saved searches quoted as search provenance.")] = Path("queries"),
    store: StoreOption = None,
    single_file: Annotated[
        bool,
        typer.Option("--single-file", help="Embed figures and downloads in report.html (one file to e-mail)."),
    ] = False,
) -> None:
    """Run the shipped review offline: out/report.html, out/results.json and out/figures/.

    Uses the record store (for PRISMA counts and search runs) only if it exists.
    """
    from ..report import run_review
    from ..report_embed import make_single_file

    store_path = settings(store).store_path
    run = run_review(out, folder, queries=queries, store=store_path if store_path.exists() else None)
    main = run.data.get("main") or {}
    if main:
        console.print(main["summary"])
    console.print(f"wrote {run.report} and {run.results} ({len(run.figures)} figures in {run.out / 'figures'})")
    if single_file:
        path = make_single_file(run.report)
        console.print(f"{path} is self-contained ({path.stat().st_size / 1e6:.1f} MB): figures and downloads embedded")


@app.command("situate")
def situate(
    nct_id: Annotated[str, typer.Argument(help="The trial's NCT id, e.g. NCT06916403.")],
    out: OutOption = Path("out"),
    folder: FolderOption = Path("extracted"),
    offline: Annotated[bool, typer.Option("--offline", help="Do not fetch the registry record.")] = False,
) -> None:
    """Print where a trial's regimen stands against the evidence; write out/evidence_map.*."""
    from ..report import run_situate

    run = run_situate(nct_id, folder=folder, out=out, settings=settings(), online=not offline)
    err_console.print(run.registry_note)
    console.print(run.summary)
    console.print(f"wrote {', '.join(str(p) for p in run.figures)}")


@app.command("prisma")
def prisma(
    store: StoreOption = None,
    out: OutOption = Path("out"),
) -> None:
    """Draw the PRISMA 2020 flow diagram from the store's counts (out/prisma.svg, .png, .pdf)."""
    from ..report import run_prisma

    run = run_prisma(settings(store).store_path, out=out)
    console.print(f"wrote {', '.join(str(p) for p in run.figures)}")
