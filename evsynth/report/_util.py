"""Small helpers shared by the report's sections: links, ranges, versions, the review a folder belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..situate import jsonable

__all__ = ["FORMATS", "ReviewRun", "SituateRun", "PrismaRun", "links", "source_url", "range_text", "versions",
           "jsonable", "resolve_review", "SCALE_NAMES"]

FORMATS = ("png", "svg", "pdf")

#: How each measure's model scale is named in sentences and table rows.
SCALE_NAMES = {
    "PLO": ("logit proportions", "logit"), "PR": ("raw proportions", "proportion"),
    "PAS": ("arcsine-transformed proportions", "arcsine"), "PFT": ("Freeman-Tukey double arcsine", "double arcsine"),
    "RR": ("log risk ratios", "log risk ratio"), "OR": ("log odds ratios", "log odds ratio"),
    "RD": ("risk differences", "risk difference"), "MD": ("mean differences", "mean difference"),
    "SMD": ("standardised mean differences (Hedges' g)", "standardised mean difference"),
    "ROM": ("log ratios of means", "log ratio of means"), "MC": ("mean changes", "mean change"),
    "SMCC": ("standardised mean changes (change-score SD)", "standardised mean change"),
    "SMCR": ("standardised mean changes (raw-score SD)", "standardised mean change"),
    "GEN": ("effect sizes as extracted", "extracted effect size"),
}


@dataclass(frozen=True)
class ReviewRun:
    """What :func:`~evsynth.report.run_review` wrote."""

    out: Path
    report: Path
    results: Path
    figures: dict[str, tuple[Path, ...]]
    data: dict[str, Any]


@dataclass(frozen=True)
class SituateRun:
    """What :func:`~evsynth.report.run_situate` computed and wrote."""

    situation: Any
    summary: str
    figures: tuple[Path, ...]
    registry: Any
    registry_note: str


@dataclass(frozen=True)
class PrismaRun:
    """What :func:`~evsynth.report.run_prisma` wrote."""

    counts: Any
    figures: tuple[Path, ...]
    note: str


def links(study: Any) -> list[dict[str, str]]:
    """PubMed, DOI and registry links of a study."""
    out = []
    if study.pmid:
        out.append({"text": f"PMID {study.pmid}", "url": f"https://pubmed.ncbi.nlm.nih.gov/{study.pmid}/"})
    if study.doi:
        out.append({"text": f"doi {study.doi}", "url": f"https://doi.org/{study.doi}"})
    if study.nct_id:
        out.append({"text": study.nct_id, "url": f"https://clinicaltrials.gov/study/{study.nct_id}"})
    return out


def source_url(source: str) -> str | None:
    """A link for a provenance source (None for a file of the project)."""
    if source.startswith("PMID:"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{source[5:]}/"
    if source.startswith("doi:"):
        return f"https://doi.org/{source[4:]}"
    if source.startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{source}"
    if source.startswith("seeds/"):
        return None
    return source if source.startswith("http") else f"https://{source}"


def shown_path(path: Any, root: Any) -> str:
    """``path`` as a reader of the report should see it: relative to the project folder ``root`` when
    it lies inside it (POSIX separators), otherwise as given."""
    if path is None:
        return ""
    p, r = Path(path), Path(root)
    try:
        rel = p.resolve().relative_to(r.resolve())
    except ValueError:
        return str(path)
    return rel.as_posix() or "."


def range_text(pair: tuple[Any, Any]) -> str:
    """``a`` or ``a–b`` (an en dash), ``—`` when not reported."""
    lo, hi = pair
    if lo is None and hi is None:
        return "—"
    if not isinstance(lo, (int, float)) or isinstance(lo, bool):
        return str(lo)
    return f"{lo:g}" if lo == hi or hi is None else f"{lo:g}–{hi:g}"


def versions() -> dict[str, str]:
    """Versions of evsynth and the libraries behind the numbers and figures."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("evsynth", "numpy", "scipy", "matplotlib", "pandas", "jinja2"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def resolve_review(project: Any = None, folder: Any = None) -> Any:
    """The review to render: a :class:`~evsynth.project.Review`, a project folder, or the review of ``folder``.

    Without either, the project is found as :func:`~evsynth.project.find_project` finds it.
    """
    from ..extraction.covariates import review_for
    from ..project import Review, find_project, load_review

    if isinstance(project, Review):
        return project
    if project is not None:
        return load_review(find_project(project))
    if folder is not None:
        return review_for(Path(folder))
    return load_review(find_project())
