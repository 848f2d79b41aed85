"""Commands: extract validate, effects."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any, Annotated, Optional

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
def extract_validate(
    project: ProjectOption = None,
    folder: FolderOption = None,
    details: Annotated[
        bool,
        typer.Option("--details/--summary", help="After the summary, list what to fill in, every missing and"
                                                 " derived value (default)."),
    ] = True,
) -> None:
    """Validate extracted/ against review.toml: a summary first, then what is missing and derived, then every error."""
    from ..extraction import validate_extracted
    from ..report import missing_inputs
    from ._tables import print_table, rows_table

    rev, folder = _review_and_folder(project, folder)
    report = validate_extracted(folder, rev)
    todo = missing_inputs(rev, report)
    appraisal, appraisal_lines = _appraisal_errors(folder, rev, report)
    n_errors = len(report.errors) + len(appraisal)
    verdict = "valid: no errors" if not n_errors else f"NOT valid: {n_errors} error(s), listed at the end"
    console.print(f"{report.folder}: {verdict}")
    console.print(f"  {report.n_studies} studies, {report.n_outcomes} outcome rows, {report.n_provenance} sourced"
                  f" values (checked against {rev.path or 'no review.toml'}); {len(todo)} to fill in,"
                  f" {len(report.missing)} missing, {len(report.derived)} derived or uncertain"
                  + "".join(f"; {line}" for line in appraisal_lines), markup=False)
    if details:
        if todo:
            console.print(f"\nTo fill in ({len(todo)}):", markup=False)
            for line in todo:
                console.print(f"  {line}", markup=False)
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
            print_table(console, rows_table(("table", "record", "field", "value", "flag", "how", "source; location"),
                                            rows, title=f"Derived or uncertain ({len(report.derived)})"))
    if appraisal and report.ok:
        from ..errors import InputErrors

        raise InputErrors(appraisal)
    report.raise_for_errors()


def _appraisal_errors(folder: Path, rev: Any, report: Any) -> tuple[list[Any], list[str]]:
    """Errors of rob.csv and grade.csv (optional files; each error names file, line and column), and their counts."""
    from ..appraisal import load_grade, load_rob
    from ..errors import InputErrors
    from ..extraction import load_extracted

    errors: list[Any] = []
    lines: list[str] = []
    try:
        ids = [s.study_id for s in load_extracted(folder, rev).studies] if report.ok else None
        rob = load_rob(Path(folder) / "rob.csv", ids)
        lines.append(f"risk of bias: {len(rob.assessed)} studies assessed" if rob.judgements
                     else "risk of bias: not assessed (rob.csv holds no judgement)")
    except InputErrors as exc:
        errors += list(exc.errors)
    try:
        ratings = load_grade(Path(folder) / "grade.csv", [a.id for a in rev.analyses] if rev is not None else None)
        lines.append(f"GRADE: {len(ratings)} analyses rated" if ratings else "GRADE: not rated (no grade.csv rows)")
    except InputErrors as exc:
        errors += list(exc.errors)
    return errors, lines


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
        from ._tables import frame_table, print_table

        print_table(console, frame_table(frame[cols], title=title))
        for note in es.notes:
            console.print(f"note: {note}")
