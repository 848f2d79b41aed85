"""The review report: ``out/report.html``, the figures, and ``out/results.json``, for any review project.

:func:`run_review` renders a review end to end from its folder (``review.toml``,
``queries/``, ``extracted/`` and a record store if one exists), offline, in
seconds: one section per analysis ``review.toml`` declares. :func:`run_situate`
writes the evidence map and the summary for the trial ``[situate]`` names.
:func:`run_prisma` draws the PRISMA 2020 diagram from a store.
"""

from ._util import PrismaRun, ReviewRun, SituateRun
from .analysis import analysis_section
from .build import build_report, missing_inputs, run_review
from .runs import evidence_points, registry_summary, run_prisma, run_situate, situation_map
from .sections import SECTIONS, ReportContext

__all__ = [
    "ReviewRun",
    "SituateRun",
    "PrismaRun",
    "run_review",
    "build_report",
    "missing_inputs",
    "analysis_section",
    "SECTIONS",
    "ReportContext",
    "run_situate",
    "run_prisma",
    "evidence_points",
    "situation_map",
    "registry_summary",
]
