"""Screening: sheets out, decisions in, conflicts, agreement and PRISMA counts.

Decisions live in the store's append-only ``screening_decisions`` table: a
later decision is a new row, never an overwrite. What counts is the *current*
decision of each reviewer on a record at a stage (their latest row). A
record's *status* at a stage combines its reviewers' current decisions:

* no decision yet → ``"awaiting"``;
* a current decision by the reviewer :data:`CONSENSUS_REVIEWER` (``consensus``)
  settles the record whatever the others said (that is how conflicts are
  resolved);
* otherwise, when every reviewer agrees → their decision;
* when they disagree → ``"conflict"`` (awaiting resolution).

A report that could not be obtained is recorded as a full-text ``exclude``
with the reason :data:`NOT_RETRIEVED` (``not retrieved``); PRISMA counts it as
"reports not retrieved" instead of "excluded with reasons".

Records marked as duplicates (``duplicate_of`` set) are never screened.
"""

from __future__ import annotations

from ._state import (
    CONSENSUS_REVIEWER,
    DECISIONS,
    NOT_RETRIEVED,
    SHEET_COLUMNS,
    STAGES,
    Decision,
    current_decisions,
    record_statuses,
)
from .conflicts import Agreement, Conflict, agreement, cohen_kappa, find_conflicts
from .links import StudyLinks, link_studies
from .prisma import PrismaCounts, ScreeningProgress, prisma_counts, screening_progress
from .sheets import (
    DecisionImport,
    ScreeningSheet,
    awaiting_screening,
    export_sheet,
    import_decisions,
    read_decisions,
)

__all__ = [
    "STAGES",
    "DECISIONS",
    "CONSENSUS_REVIEWER",
    "NOT_RETRIEVED",
    "SHEET_COLUMNS",
    "Decision",
    "Conflict",
    "Agreement",
    "ScreeningSheet",
    "DecisionImport",
    "PrismaCounts",
    "ScreeningProgress",
    "current_decisions",
    "record_statuses",
    "awaiting_screening",
    "export_sheet",
    "read_decisions",
    "import_decisions",
    "find_conflicts",
    "agreement",
    "cohen_kappa",
    "screening_progress",
    "prisma_counts",
    "StudyLinks",
    "link_studies",
]
