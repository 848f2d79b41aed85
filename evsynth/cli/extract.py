"""Commands: extract validate, effects."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ._app import ProjectOption, app, console, review_of

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
    Optional[Path],
    typer.Option("--folder", help="Extraction folder (studies.csv, outcomes.csv, provenance.csv, sources.csv). "
                                  "Default: the project's extracted/."),
]


def _review_and_folder(project: Optional[Path], folder: Optional[Path]):
    """The review (--project, or found upwards; for --folder alone, the review.toml beside it) and its folder."""
    from ..extraction.covariates import review_for

    if folder is not None and project is None:
        rev = review_for(folder)
        return rev, folder
    rev = review_of(project)
    return rev, folder if folder is not None else rev.extracted


@extract_app.command("validate")
def extract_validate(project: ProjectOption = None, folder: FolderOption = None) -> None:
    """Validate extracted/ against review.toml: every error (file, row, column) at once, then what is missing and derived."""
    from ..extraction import validate_extracted
    from ..report import missing_inputs

    rev, folder = _review_and_folder(project, folder)
    report = validate_extracted(folder, rev)
    console.print(f"{report.folder}: {report.n_studies} studies, {report.n_outcomes} outcome rows, "
                  f"{report.n_provenance} sourced values (checked against {rev.path or 'no review.toml'})")
    todo = missing_inputs(rev, report)
    if todo:
        console.print(f"\nTo fill in ({len(todo)}):", markup=False)
        for line in todo:
            console.print(f"  {line}", markup=False)
    console.print(f"\nMissing ({len(report.missing)}):", markup=False)
    for m in report.missing:
        console.print(f"  {m.table} {m.record_id} {m.field}: {m.reason}", markup=False)
    console.print(f"\nDerived or uncertain ({len(report.derived)}):", markup=False)
    for d in report.derived:
        flag = ", ".join(f for f, on in (("derived", d.derived), ("uncertain", d.uncertain)) if on)
        how = f" - {d.derivation}" if d.derivation else ""
        console.print(f"  {d.table} {d.record_id} {d.field} = {d.value} [{flag}]{how} ({d.source}; {d.location})",
                      markup=False)
    if report.ok:
        console.print("valid: no errors")
    report.raise_for_errors()


@app.command("effects")
def effects(
    analysis: Annotated[
        Optional[str],
        typer.Option("--analysis", help="Analysis id of review.toml (default: the main analysis)."),
    ] = None,
    measure: Annotated[
        Optional[str],
        typer.Option("--measure", help="escalc measure (default: the analysis's): e.g. PLO, PFT, or RR, OR, SMD vs control."),
    ] = None,
    timepoint: Annotated[
        Optional[str],
        typer.Option("--timepoint", help="Timepoint (a vocabulary value); default: each study's row with the analysis's role."),
    ] = None,
    cutoff: Annotated[
        Optional[float],
        typer.Option("--cutoff", help="Use the rows with this cutoff_percent where a study reports several."),
    ] = None,
    project: ProjectOption = None,
    folder: FolderOption = None,
    fmt: Annotated[_Format, typer.Option("--format", help="text (table), csv or json.")] = _Format.text,
) -> None:
    """Print the per-study effect sizes (yi, vi, CI) of a declared analysis of extracted/."""
    from ..effects import back_transform
    from ..errors import InputError
    from ..extraction import load_extracted
    from ..project.analyses import analysis_effects, review_effects

    rev, folder = _review_and_folder(project, folder)
    extraction = load_extracted(folder, rev)
    where = {"cutoff_percent": cutoff} if cutoff is not None else None
    if analysis:
        try:
            spec = rev.analysis(analysis)
        except KeyError:
            raise InputError(f"no analysis {analysis!r} in review.toml (declared: "
                             f"{', '.join(a.id for a in rev.analyses) or 'none'})", path=rev.path,
                             field="analyses") from None
        es = analysis_effects(extraction, spec, measure=measure.upper() if measure else None, timepoint=timepoint,
                              where=where)
    else:
        spec = rev.main_analysis
        es = review_effects(extraction, measure, timepoint, cutoff)
    frame = es.to_frame()
    if es.measure in ("PLO", "PR", "PAS", "PFT", "RR", "OR", "ROM"):
        for col in ("yi", "ci_lb", "ci_ub"):
            if es.measure == "PFT":  # each study back-transformed with its own n
                from ..effects import transf_ipft

                frame[f"{col}_natural"] = transf_ipft(frame[col].to_numpy(), frame["ni"].to_numpy())
            else:
                frame[f"{col}_natural"] = back_transform(es.measure, frame[col].to_numpy())
    if fmt is _Format.csv:
        typer.echo(frame.to_csv(index=False), nl=False)
    elif fmt is _Format.json:
        typer.echo(json.dumps({"measure": es.measure, "analysis": spec.id, "notes": list(es.notes),
                               "rows": json.loads(frame.to_json(orient="records", double_precision=15))}, indent=2))
    else:
        title = (f"{es.measure}: {spec.title}" + (f" at {timepoint}" if timepoint else "")
                 + (f", cut-off {cutoff:g}%" if cutoff is not None else ""))
        cols = [c for c in ("label", "outcome_id", "yi", "vi", "ci_lb", "ci_ub", "yi_natural", "ci_lb_natural",
                            "ci_ub_natural", "ni") if c in frame]
        console.print(title, markup=False)
        console.print(frame[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"), markup=False)
        for note in es.notes:
            console.print(f"note: {note}")
