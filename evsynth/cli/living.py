"""Commands: screen export/import, update, status."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import ProjectOption, StoreOption, app, console, err_console, project_file, project_store, review_of, settings


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
    project: ProjectOption = None,
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
    from ..output import refuse_overwrite, write_output
    from ..screening import export_sheet
    from ..store import open_store

    store_path = project_store(project, store)
    if output is not None:
        refuse_overwrite(output, {"the record store": store_path})
    with open_store(store_path, create=False) as st:
        sheet = export_sheet(st, stage.value, fmt.value, reviewer=reviewer)
    if output is None:
        typer.echo(sheet.text, nl=False)
    else:
        write_output(output, sheet.text)
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
    project: ProjectOption = None,
    store: StoreOption = None,
) -> None:
    """Validate and store screening decisions (append-only); report conflicts and Cohen's kappa."""
    from ..screening import import_decisions
    from ..store import open_store

    with open_store(project_store(project, store), create=False) as st:
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


@app.command("update")
def update(
    query_file: Annotated[Path, typer.Argument(help="Saved search to re-run (queries/NAME.toml or NAME; PubMed or ClinicalTrials.gov).")],
    project: ProjectOption = None,
    store: StoreOption = None,
) -> None:
    """Re-run a saved search and report what is new since its previous run."""
    from ..living import update_search
    from ..store import open_store

    cfg = settings(project_store(project, store))
    query_file = project_file(project, query_file, "queries")
    with open_store(cfg.store_path) as st:
        rep = update_search(st, query_file, settings=cfg)
    console.print(
        f"{rep.query_name} ({rep.database}): run {rep.run_id}{' (resumed)' if rep.resumed else ''},"
        f" {rep.count if rep.count is not None else '?'} hit(s), {rep.n_found} id(s) found"
    )
    if rep.previous_run_id is None:
        console.print("first run of this query: every record is new")
    else:
        console.print(f"previous run: {rep.previous_run_id} ({rep.previous_run_at})")
    console.print(f"{len(rep.new)} new record(s) since the previous run")
    for r in rep.new:
        ident = f"PMID {r.pmid}" if r.pmid else (r.nct_id or r.source_id)
        notes = []
        if r.entry_date:
            notes.append(f"entered {r.entry_date}")
        if r.entered_since_previous is False:
            notes.append("entered before the previous run")
        if r.in_library:
            notes.append("already in the library")
        if r.duplicate_of is not None:
            notes.append(f"duplicate of record {r.duplicate_of}")
        if r.awaiting_screening:
            notes.append("awaiting screening")
        console.print(f"  [{r.record_id}] {ident}: {(r.title or '')[:90]}" + (f" ({'; '.join(notes)})" if notes else ""))
    console.print(
        f"{len(rep.duplicates)} duplicate(s) of records in the library; {len(rep.awaiting)} awaiting"
        " title-abstract screening (evsynth screen export)"
    )
    if rep.dropped:
        console.print(f"{len(rep.dropped)} id(s) found by the previous run are no longer found: {', '.join(rep.dropped[:20])}")


@app.command("status")
def status(
    project: ProjectOption = None,
    store: StoreOption = None,
    extracted: Annotated[
        Optional[Path],
        typer.Option("--extracted", help="Folder of the review's extracted data. Default: the project's extracted/."),
    ] = None,
) -> None:
    """Summarise the review: searches, records, duplicates, screening, extraction, pooled result."""
    from ..living import review_status
    from ..store import open_store

    rev = review_of(project, required=False)
    if extracted is None:
        extracted = rev.extracted if rev is not None else Path("extracted")
    with open_store(project_store(project, store), create=False) as st:
        s = review_status(st, extracted_folder=extracted, review=rev if rev is not None and
                          extracted.resolve() == rev.extracted.resolve() else None)
    console.print(f"store: {s.store_path}")
    console.print(f"searches: {len(s.searches)}")
    for run in s.searches:
        console.print(
            f"  run {run.run_id} {run.database} {run.query_name or '(unsaved query)'}: {run.started_at}"
            f" [{run.status}], {run.count if run.count is not None else '?'} hit(s), {run.n_records} record(s)"
        )
    for imp in s.imports:
        console.print(
            f"  import {imp['id']} {imp.get('database_name') or imp['format']}: {imp['path']}"
            f" ({imp['imported_at']}), {imp['n_records']} record(s)"
        )
    per_source = ", ".join(f"{k} {v}" for k, v in s.records_per_source.items()) or "none"
    console.print(f"records: {s.n_records} ({per_source}); duplicates marked: {s.duplicates}")
    pd = s.pair_decisions
    if pd.get("merge") or pd.get("apart"):
        console.print(f"dedupe pairs settled by a reviewer: {pd['merge']} merge, {pd['apart']} keep apart"
                      f" ({', '.join(pd['reviewers'])})", markup=False)
    for p in s.screening:
        console.print(
            f"screening {p.stage}: {p.eligible} eligible, {p.include} include, {p.exclude} exclude,"
            f" {p.maybe} maybe, {p.conflict} conflict(s), {p.awaiting} awaiting"
        )
    pr = s.prisma
    console.print(
        f"PRISMA: not retrieved {pr.not_retrieved}, assessed {pr.assessed}, excluded at full text"
        f" {sum(pr.excluded_fulltext.values())}, included {pr.included_reports} report(s)"
    )
    for problem in pr.problems():
        console.print(f"PRISMA counts do not add up: {problem}")
    if s.studies_extracted is None:
        console.print(f"studies extracted: none ({s.extraction_note})")
    else:
        console.print(f"studies extracted: {s.studies_extracted}")
    if s.pooled is None:
        console.print("last pooled result: none" + (f" ({s.extraction_note})" if s.studies_extracted is not None else ""))
    else:
        q = s.pooled
        line = (f"last pooled result: {q.outcome}; k={q.k}, {q.method}, {q.measure} {q.estimate:.3f}"
                f" [{q.ci_low:.3f}, {q.ci_high:.3f}], I2={q.i2:.1f}%, tau2={q.tau2:.3f}")
        if q.estimate_natural is not None:
            line += f"; back-transformed {q.estimate_natural:.3f} [{q.ci_low_natural:.3f}, {q.ci_high_natural:.3f}]"
        console.print(line)
