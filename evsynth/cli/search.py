"""Commands: search, trial (PubMed and ClinicalTrials.gov)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ExitCode
from ._app import ProjectOption, StoreOption, app, console, err_console, project_file, project_store, settings


class _Database(str, enum.Enum):
    pubmed = "pubmed"
    ctgov = "ctgov"


@app.command("search")
def search(
    query_file: Annotated[
        Optional[Path],
        typer.Argument(help="A saved query (queries/*.toml, or its NAME in the project's queries/); or give --term "
                            "instead.", show_default=False),
    ] = None,
    term: Annotated[
        Optional[str], typer.Option("--term", help="An ad-hoc query (PubMed syntax unless --database ctgov).")
    ] = None,
    database: Annotated[
        _Database, typer.Option("--database", help="Database for --term: pubmed or ctgov.")
    ] = _Database.pubmed,
    project: ProjectOption = None,
    store: StoreOption = None,
) -> None:
    """Run a search (or resume an interrupted one) and store every record it finds.

    Prints the count, PubMed's query translation and the run id. Zero results is
    not an error: the run is stored with count 0 and the command exits 0.
    """
    from ..queries import SavedQuery, load_query
    from ..search import run_search
    from ..store import Store

    if (query_file is None) == (term is None):
        err_console.print("usage: evsynth search QUERY_FILE [--store PATH]  or  evsynth search --term TEXT "
                          "[--store PATH] (give one of them)", markup=False)
        raise SystemExit(int(ExitCode.USAGE))
    if query_file is not None:
        query_file = project_file(project, query_file, "queries")
    query = load_query(query_file) if query_file is not None else SavedQuery.from_term(term or "", database.value)
    cfg = settings(project_store(project, store))
    with Store(cfg.store_path) as opened:
        result = run_search(opened, query, settings=cfg, progress=True)
    label = f"{query.name}: " if query.name else ""
    console.print(f"{label}{result.message}", markup=False)
    if result.query_translation:
        console.print(f"query translation: {result.query_translation}", markup=False)
    console.print(f"store: {cfg.store_path}", markup=False)
    if result.count == 0:
        err_console.print("note: zero results is not an error; check the query's spelling and field tags.",
                          markup=False)


@app.command("trial")
def trial(
    nct_id: Annotated[str, typer.Argument(help="ClinicalTrials.gov id (NCT followed by 8 digits).")],
    project: ProjectOption = None,
    store: StoreOption = None,
) -> None:
    """Fetch one ClinicalTrials.gov record, store it (source ctgov) and print a summary."""
    from ..search import fetch_trial

    cfg = settings(project_store(project, store))
    record = fetch_trial(nct_id, settings=cfg, store=cfg.store_path)
    console.print(trial_summary(record), markup=False)
    console.print(f"stored as record {record.store_id} in {cfg.store_path}", markup=False)


def trial_summary(record: object) -> str:
    """A readable multi-line summary of a ``ctgov`` record."""
    extra = dict(getattr(record, "extra", {}) or {})
    lines = [f"{getattr(record, 'nct_id', '')}: {getattr(record, 'title', '') or '(no title)'}"]

    def add(label: str, value: object) -> None:
        if value not in (None, "", [], ()):
            lines.append(f"  {label:<18}{value}")

    add("official title", extra.get("official_title"))
    add("sponsor", extra.get("sponsor"))
    add("status", extra.get("status"))
    add("study type", extra.get("study_type"))
    add("phase", ", ".join(extra.get("phases") or []))
    enrollment = extra.get("enrollment")
    if enrollment is not None:
        kind = extra.get("enrollment_type")
        add("enrollment", f"{enrollment}" + (f" ({kind.lower()})" if isinstance(kind, str) else ""))
    add("conditions", "; ".join(extra.get("conditions") or []))
    for item in extra.get("interventions") or []:
        add("intervention", " ".join(x for x in (f"[{item.get('type')}]" if item.get("type") else "",
                                                   item.get("name") or "") if x))
    add("start", extra.get("start_date"))
    add("completion", extra.get("completion_date"))
    add("last update", extra.get("last_update_posted"))
    add("url", getattr(record, "url", None))
    abstract = getattr(record, "abstract", None)
    if abstract:
        lines.append("")
        lines.append(abstract.strip())
    return "\n".join(lines)
