"""``evsynth situate`` and ``evsynth prisma``: the evidence map with the trial summary, and the PRISMA diagram."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from ..errors import InputError, NetworkError, NotFoundError, ServiceError
from ._util import FORMATS, PrismaRun, SituateRun, resolve_review

__all__ = ["run_situate", "run_prisma", "registry_summary", "evidence_points", "situation_map", "prisma_from_store"]


def evidence_points(extraction: Any, effects: Any = None, *, exclude: Sequence[str] = ()) -> tuple[list, list[str]]:
    """:class:`~evsynth.plots.evidence_map.MapPoint` for each completed study, and those that cannot be placed.

    Positions are the ``[situate]`` ``x`` and ``y`` covariates of ``review.toml``; the colour is the
    study's row in ``effects`` (an :class:`~evsynth.effects.EffectSizes`), back-transformed;
    studies without one are drawn hollow.
    """
    from ..plots.evidence_map import MapPoint
    from ..situate import back_transformed

    cfg = extraction.review.situate
    effect_of: dict[str, float | None] = {}
    if effects is not None:
        sizes = effects.ni if effects.ni is not None else [None] * len(effects.yi)
        for sid, y, n in zip(effects.study_ids, effects.yi, sizes):
            effect_of[sid] = back_transformed(effects.measure, y, None if n is None else [n])  # each with its own n
    points, not_shown = [], []
    for s in extraction.studies:
        if s.status != "completed" or s.study_id in exclude:
            continue
        x, y = s.covariates.get(cfg.x), s.covariates.get(cfg.y)
        if x is None or y is None:
            not_shown.append(f"{s.label} ({s.design.replace('_', ' ')})")
            continue
        group = s.covariates.get(cfg.shape) if cfg.shape else None
        if cfg.shape and group is None:
            group = next(iter(extraction.review.covariate(cfg.shape).levels), None)
        points.append(MapPoint(s.label, x, y, s.n_patients, group, effect_of.get(s.study_id)))
    return points, not_shown


def situation_map(extraction: Any, situation: Any, effects: Any = None):
    """The evidence map of a :class:`~evsynth.situate.TrialSituation` (prior studies and the trial's region)."""
    from ..effects import cutoff_phrase
    from ..plots.evidence_map import Reference, TrialRegion, evidence_map

    review = extraction.review
    cfg = review.situate
    points, not_shown = evidence_points(extraction, effects, exclude=(situation.trial_study_id,))
    (xlo, xhi), (ylo, yhi) = situation.x, situation.y
    trial = TrialRegion(situation.nct_id, xlo, xhi if xhi is not None else xlo, ylo, yhi if yhi is not None else ylo)
    k = situation.pooled.k if situation.pooled is not None else 0
    xc, yc = review.covariate(cfg.x), review.covariate(cfg.y)
    groups = None
    if cfg.shape:
        sc = review.covariate(cfg.shape)
        groups = {level: meaning or level for level, meaning in sc.levels.items()}
    effect_range = (0.0, 1.0)
    if situation.pooled is not None and situation.pooled.measure not in ("PLO", "PR", "PAS", "PFT"):
        values = [p.effect for p in points if p.effect is not None]
        effect_range = (min(values), max(values)) if values else effect_range
    return evidence_map(points, trial=trial, references=[Reference(r.axis, r.value, r.label) for r in cfg.reference_lines],
                        xlabel=xc.label or xc.name, ylabel=yc.label or yc.name, xunit=xc.unit, yunit=yc.unit,
                        groups=groups, not_shown=not_shown, note=cfg.note.replace("{k}", str(k)) or None,
                        effect_label=(cfg.colour_label or "Effect").replace(
                            "{cutoffs}", cutoff_phrase(extraction, getattr(effects, "outcome_ids", ()) or ())
                            or "as each study defines it"), effect_range=effect_range,
                        xlim=cfg.xlim, ylim=cfg.ylim)


def registry_summary(record: Any) -> str:
    """One paragraph on a registry record (title, status, enrollment, dates, interventions as registered).

    The values used for situating still come from ``extracted/``; this is what the registry says now,
    for the reader to compare.
    """
    extra = dict(record.extra or {})
    parts = [f"Registry record {record.nct_id or record.source_id}: {record.title or 'no title'}"]
    for key, name in (("status", "status"), ("enrollment", "enrollment"), ("start_date", "start"),
                      ("completion_date", "completion"), ("last_update_posted", "last update")):
        if extra.get(key) not in (None, ""):
            parts.append(f"{name} {extra[key]}")
    for item in extra.get("interventions") or []:
        text = ": ".join(v for v in (item.get("type"), item.get("name")) if v)
        if item.get("description"):
            text += f" — {item['description']}"
        parts.append(f"intervention {text}")
    return "; ".join(parts) + ". The regimen used below comes from extracted/."


def run_situate(
    nct_id: str | None = None,
    *,
    project: Any = None,
    folder: str | Path | None = None,
    out: str | Path | None = None,
    settings: Any = None,
    online: bool = True,
    formats: Sequence[str] = FORMATS,
) -> SituateRun:
    """Situate a trial (default: ``review.toml`` ``[situate] trial``): summary text and ``out/evidence_map.*``.

    The registry record is fetched with :func:`evsynth.search.fetch_trial` when
    ``online``; when the registry cannot be reached the summary says so and the
    values come from ``extracted/`` alone (not an error).
    """
    from ..extraction import load_extracted
    from ..output import check_output_folder, make_output_folder
    from ..plots import save_figure
    from ..project.analyses import analysis_fit
    from ..situate import analysis_for_situation, situate_trial, situation_summary

    review = resolve_review(project, folder)
    check_output_folder(out if out is not None else review.out)  # before the registry is asked
    extraction = load_extracted(folder if folder is not None else review.extracted, review)
    if review.situate is None:
        raise InputError("the review declares no trial to situate: add a [situate] table (trial, x, y) to "
                         "review.toml", path=review.path, field="situate")
    nct_id = nct_id or review.situate.trial
    record, note = None, "registry not queried (offline mode); the regimen comes from extracted/"
    if online:
        try:
            from ..search import fetch_trial

            record = fetch_trial(nct_id, settings=settings)
            note = registry_summary(record)
        except (NetworkError, ServiceError, NotFoundError) as exc:
            note = f"registry record not available ({exc.__class__.__name__}: {exc}); the regimen comes from extracted/"
        except ImportError:
            note = "registry client not installed; the regimen comes from extracted/"
    try:
        analysis = analysis_for_situation(extraction)
        effects, res = analysis_fit(extraction, analysis) if analysis is not None else (None, None)
    except InputError:  # no effect sizes: the situation says so, the map draws hollow markers
        effects, res = None, None
    situation = situate_trial(extraction, nct_id, res, effects=effects)
    fig = situation_map(extraction, situation, effects)
    target = make_output_folder(out if out is not None else review.out)
    paths = tuple(save_figure(fig, target / "evidence_map", formats, close=True))
    return SituateRun(situation, situation_summary(situation, review), paths, record, note)


def prisma_from_store(store_path: Path, study_of: Any = None) -> Any:
    """PRISMA counts of a record store (``study_of``: record id → study id, to count studies, not reports)."""
    from ..screening import prisma_counts
    from ..store import open_store

    with open_store(store_path) as store:
        return prisma_counts(store, study_of=study_of)


def run_prisma(store: str | Path, *, out: str | Path = "out", formats: Sequence[str] = FORMATS,
               strict: bool = False) -> PrismaRun:
    """PRISMA 2020 diagram from the store's counts, written to ``out/prisma.*``.

    ``out`` is a folder: it may be missing (it is created), its parent may not
    (:class:`~evsynth.errors.OutputError`).

    Counts that do not add up are printed in red under the diagram; with ``strict`` they raise
    :class:`~evsynth.errors.InputError` and nothing is written.
    """
    from ..output import check_output_folder, make_output_folder
    from ..plots import prisma_diagram, save_figure

    check_output_folder(out)
    store = Path(store)
    if not store.exists():
        raise NotFoundError(f"no record store at {store}; run a search or an import first (or pass --store)")
    counts = prisma_from_store(store)
    note = f"Counts from the record store {store.name}."
    fig = prisma_diagram(counts, note=note, strict=strict)
    make_output_folder(out)
    return PrismaRun(counts, tuple(save_figure(fig, Path(out) / "prisma", formats, close=True)), note)
