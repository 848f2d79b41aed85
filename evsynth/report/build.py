"""``evsynth review``: every section of the report of a review project, written to ``out/``."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any, Sequence

from ._util import FORMATS, ReviewRun, jsonable, resolve_review, shown_path, versions
from .analysis import analysis_section
from .sections import SECTIONS, ReportContext

__all__ = ["build_report", "run_review", "missing_inputs"]


def missing_inputs(review: Any, validation: Any) -> list[str]:
    """What a reviewer still has to fill in before the report can pool anything (empty when nothing)."""
    out = []
    if review.path is None:
        out.append("review.toml: none found; `evsynth init DIR` writes one")
    if not review.analyses:
        out.append(f"{review.path or 'review.toml'}: declare at least one [[analyses]] (outcome, arm, measure)")
    if validation is not None and validation.n_studies == 0:
        out.append(f"{validation.folder}/studies.csv: no studies yet (one row per study; covariates as declared)")
    if validation is not None and validation.n_outcomes == 0:
        out.append(f"{validation.folder}/outcomes.csv: no outcome rows yet (one row per study, arm and timepoint)")
    return out


def build_report(
    project: Any = None,
    *,
    folder: str | Path | None = None,
    queries: str | Path | None = None,
    store: str | Path | None = None,
) -> tuple[dict[str, Any], dict[str, tuple[Any, str]]]:
    """Compute every section of a review's report (no files written).

    Parameters
    ----------
    project : Review or path, optional
        The review (``review.toml`` or its folder); default: found from ``folder`` or the working directory.
    folder, queries, store : path, optional
        Override the project's ``extracted/``, ``queries/`` and record store.

    Returns
    -------
    (dict, dict)
        The results (what ``results.json`` holds) and the figures: name → (Figure, caption).
    """
    from ..extraction import load_extracted, validate_extracted

    review = resolve_review(project, folder)
    folder = Path(folder) if folder is not None else review.extracted
    validation = validate_extracted(folder, review)
    validation.raise_for_errors()
    extraction = load_extracted(folder, review)
    ctx = ReportContext(review, extraction, validation, Path(queries) if queries is not None else review.queries,
                        Path(store) if store is not None else None)
    data = ctx.data
    data.update({
        "title": review.title,
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "inputs": {"project": str(review.root), "review": str(review.path) if review.path else None,
                   "extracted": str(folder), "queries": str(ctx.queries), "store": str(ctx.store) if ctx.store else None},
        # the same paths as a reader sees them (relative to the project folder), for the HTML
        "inputs_shown": {"extracted": shown_path(folder, review.root), "queries": shown_path(ctx.queries, review.root)},
        "versions": versions(),
        "derived": [jsonable(d) for d in validation.derived],
        "missing_inputs": missing_inputs(review, validation),
        "analyses": {},
        "_fits": {},
    })
    for key, section in SECTIONS:
        if key == "analyses":
            _analyses(ctx)
        elif key == "question":
            q = section(ctx)
            data["question"], data["pico"], data["updates"] = q["text"], q["pico"], q["updates"]
        else:
            data[key] = section(ctx)
    main_id = getattr(review.main_analysis, "id", None)
    main = data["analyses"].get(main_id, {}) if main_id else {}
    data["main"] = main.get("main")
    data["main_error"] = main.get("error") or (None if main else "; ".join(data["missing_inputs"]) or None)
    data["level"] = main.get("level", 95)
    data["sensitivity"] = main.get("sensitivity", [])
    data["sensitivity_notes"] = list(main.get("notes", []))
    for aid, sec in data["analyses"].items():
        if aid != main_id and sec.get("k") == 1:
            data["sensitivity_notes"] += sec["notes"]
    situation = data.get("situation") or {}
    data["situation_text"] = situation.get("text")
    _appraisal(ctx, folder)
    data.pop("_fits")
    data.pop("_situation", None)
    return data, ctx.figures


def _appraisal(ctx: ReportContext, folder: Path) -> None:
    """Summary of Findings, heterogeneity CIs, GRADE signals, risk of bias, harms, all controlled evidence."""
    from ..appraisal import AnalysisInput, add_appraisal
    from ..errors import InputError
    from ..project.analyses import analysis_fit

    inputs = []
    for analysis in ctx.review.analyses:
        try:
            es, res = analysis_fit(ctx.extraction, analysis)
        except InputError:  # the analysis section already says what is missing
            continue
        sens = analysis.sensitivity
        inputs.append(AnalysisInput(analysis.id, analysis.title, es, res, bool(analysis.control),
                                    exclude_high_risk=sens.exclude_high_risk, later_timepoint=sens.later_timepoint,
                                    ois=analysis.ois))
    main = ctx.review.main_analysis
    add_appraisal(ctx.data, ctx.figures, ctx.extraction, folder, inputs,
                  treatment_label=getattr(main, "arm_label", "") or "Intervention")


def _analyses(ctx: ReportContext) -> None:
    main_id = getattr(ctx.review.main_analysis, "id", None)
    for analysis in ctx.review.analyses:
        prefix = "" if analysis.id == main_id else f"{analysis.id}_"
        section, figures = analysis_section(ctx.extraction, analysis, ctx.validation, prefix)
        ctx.data["analyses"][analysis.id] = section
        ctx.figures.update(figures)
        if "error" not in section and section.get("k", 0) >= 2:
            from ..project.analyses import analysis_fit

            ctx.data["_fits"][analysis.id] = analysis_fit(ctx.extraction, analysis)


def run_review(
    out: str | Path | None = None,
    folder: str | Path | None = None,
    *,
    project: Any = None,
    queries: str | Path | None = None,
    store: str | Path | None = None,
    formats: Sequence[str] = FORMATS,
) -> ReviewRun:
    """Run a review end to end and write ``out/`` (report.html, results.json, figures/).

    Parameters
    ----------
    out : path, optional
        Output folder, created or replaced whole (:func:`evsynth.output.output_folder`: files in it that
        the review does not write are kept); default the project's ``out/``.
    folder : path, optional
        The extracted data; default the project's ``extracted/``.
    project : Review or path, optional
        The review project (default: found from ``folder``, ``EVSYNTH_PROJECT`` or the working directory).
    queries : path, optional
        Saved searches (``queries/*.toml``), quoted as search provenance.
    store : path, optional
        Record store for PRISMA counts and search runs; without one the report says which counts are unavailable.
    formats : sequence of str
        Figure formats (PNG is always written: the report shows it).

    Returns
    -------
    ReviewRun
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    from ..output import output_folder
    from ..plots import save_figure
    from ..plots._style import close_figure

    review = resolve_review(project, folder)
    out = Path(out) if out is not None else review.out
    data, figures = build_report(review, folder=folder, queries=queries, store=store)
    formats = tuple(dict.fromkeys(("png", *formats)))
    written: dict[str, tuple[Path, ...]] = {}
    data["figures"] = {}
    # built in a folder beside out/ and swapped in whole: an error or Ctrl-C leaves the old out/ as it was
    try:
        with output_folder(out) as tmp:
            for name, (fig, caption) in figures.items():
                paths = tuple(save_figure(fig, tmp / "figures" / name, formats, dpi=200, close=True))
                written[name] = tuple(out / p.relative_to(tmp) for p in paths)
                entry = {p.suffix.lstrip("."): str(p.relative_to(tmp)) for p in paths}
                entry["caption"] = caption
                data["figures"][name] = entry
            data = jsonable(data)
            (tmp / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
            env = Environment(loader=PackageLoader("evsynth", "templates"),
                              autoescape=select_autoescape(["html", "j2"]))
            html = env.get_template("report.html.j2").render(r=data)
            (tmp / "report.html").write_text(html, encoding="utf-8")
    finally:  # an output error leaves no figure open in pyplot either
        for fig, _caption in figures.values():
            close_figure(fig)
    return ReviewRun(out, out / "report.html", out / "results.json", written, data)
