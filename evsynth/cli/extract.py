"""Commands: extract validate, effects."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import app, console

extract_app = typer.Typer(
    help="The extracted data (extracted/): validate it, list what is missing and derived.",
    no_args_is_help=True,
)
app.add_typer(extract_app, name="extract")


class _Format(str, enum.Enum):
    text = "text"
    csv = "csv"
    json = "json"


FolderOption = Annotated[
    Path,
    typer.Option("--folder", help="Extraction folder (studies.csv, outcomes.csv, provenance.csv, sources.csv)."),
]


@extract_app.command("validate")
def extract_validate(
    folder: FolderOption = Path("extracted"),
    details: Annotated[
        bool,
        typer.Option("--details/--summary", help="After the summary, list every missing and derived value (default)."),
    ] = True,
) -> None:
    """Validate extracted/: a summary first, then what is missing and derived, then every error (file, row, column)."""
    from ..extraction import validate_extracted
    from ._tables import print_table, rows_table

    report = validate_extracted(folder)
    verdict = "valid: no errors" if report.ok else f"NOT valid: {len(report.errors)} error(s), listed at the end"
    console.print(f"{report.folder}: {verdict}")
    console.print(f"  {report.n_studies} studies, {report.n_outcomes} outcome rows, {report.n_provenance} sourced"
                  f" values; {len(report.missing)} missing, {len(report.derived)} derived or uncertain")
    if details:
        if report.missing:
            print_table(console, rows_table(("table", "record", "field", "why missing"),
                                     ((m.table, m.record_id, m.field, m.reason) for m in report.missing),
                                     title=f"Missing ({len(report.missing)})"))
        if report.derived:
            rows = []
            for d in report.derived:
                flag = ", ".join(f for f, on in (("derived", d.derived), ("uncertain", d.uncertain)) if on)
                rows.append((d.table, d.record_id, d.field, str(d.value), flag, d.derivation or "",
                             f"{d.source}; {d.location}"))
            print_table(console, rows_table(("table", "record", "field", "value", "flag", "how", "source; location"), rows,
                                     title=f"Derived or uncertain ({len(report.derived)})"))
    report.raise_for_errors()


@app.command("effects")
def effects(
    measure: Annotated[
        str,
        typer.Option("--measure", help="PLO, PR, PFT, PAS (ketamine arms) or RR, OR, RD (vs control)."),
    ] = "PLO",
    outcome: Annotated[
        str,
        typer.Option("--outcome", help="Outcome to tabulate: 'responders' (>=50% pain reduction)."),
    ] = "responders",
    timepoint: Annotated[
        Optional[str],
        typer.Option("--timepoint", help="Timepoint (e.g. 180min); default: each study's main row."),
    ] = None,
    cutoff: Annotated[
        Optional[float],
        typer.Option("--cutoff", help="Responder cut-off in percent where a study reports several (e.g. 67)."),
    ] = None,
    folder: FolderOption = Path("extracted"),
    fmt: Annotated[_Format, typer.Option("--format", help="text (table), csv or json.")] = _Format.text,
) -> None:
    """Print the per-study effect sizes (yi, vi, CI) of an outcome of extracted/."""
    from ..effects import back_transform, outcome_effects

    es = outcome_effects(str(folder), measure.upper(), outcome, timepoint, cutoff)
    frame = es.to_frame()
    if es.measure in ("PLO", "PR", "PAS", "PFT", "RR", "OR"):
        for col in ("yi", "ci_lb", "ci_ub"):
            if es.measure == "PFT":  # each study back-transformed with its own n
                from ..effects import transf_ipft

                frame[f"{col}_natural"] = transf_ipft(frame[col].to_numpy(), frame["ni"].to_numpy())
            else:
                frame[f"{col}_natural"] = back_transform(es.measure, frame[col].to_numpy())
    if fmt is _Format.csv:
        typer.echo(frame.to_csv(index=False), nl=False)
    elif fmt is _Format.json:
        typer.echo(json.dumps({"measure": es.measure, "notes": list(es.notes),
                               "rows": json.loads(frame.to_json(orient="records", double_precision=15))}, indent=2))
    else:
        title = (f"{es.measure}: {outcome}" + (f" at {timepoint}" if timepoint else "")
                 + (f", cut-off {cutoff:g}%" if cutoff is not None else ""))
        cols = [c for c in ("label", "outcome_id", "yi", "vi", "ci_lb", "ci_ub", "yi_natural", "ci_lb_natural",
                            "ci_ub_natural", "ni") if c in frame]
        from ._tables import frame_table, print_table

        print_table(console, frame_table(frame[cols], title=title))
        for note in es.notes:
            console.print(f"note: {note}")
