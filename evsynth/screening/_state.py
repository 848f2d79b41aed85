"""Decisions and record statuses (the rules are in :mod:`evsynth.screening`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Mapping

from ..errors import InputError
from ..store import Store

#: Screening stages, in order.
STAGES: tuple[str, ...] = ("title-abstract", "full-text")
#: The decision vocabulary.
DECISIONS: tuple[str, ...] = ("include", "exclude", "maybe")
#: Reviewer name whose decision settles a record (resolves conflicts).
CONSENSUS_REVIEWER = "consensus"
#: Full-text exclusion reason meaning "report sought but not retrieved".
NOT_RETRIEVED = "not retrieved"
#: Columns of a CSV screening sheet, in order (``votes``: the reviewers' current decisions on a
#: record in conflict, for the consensus reviewer; the last three are for reviewers to fill).
SHEET_COLUMNS: tuple[str, ...] = (
    "record_id",
    "title",
    "authors",
    "year",
    "journal",
    "doi",
    "pmid",
    "abstract",
    "votes",
    "decision",
    "reason",
    "reviewer",
)


@dataclass(frozen=True)
class Decision:
    """One stored screening decision (a row of the append-only table)."""

    id: int
    record_id: int
    stage: str
    decision: str
    reason: str | None
    reviewer: str | None
    decided_at: str
    source_file: str | None = None


def _check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise InputError(f"unknown stage {stage!r}; use one of {', '.join(STAGES)}", field="stage")
    return stage


def _decisions(store: Store, stage: str | None = None) -> list[Decision]:
    return [
        Decision(
            id=d["id"],
            record_id=d["record_id"],
            stage=d["stage"],
            decision=d["decision"],
            reason=d["reason"],
            reviewer=d["reviewer"],
            decided_at=d["decided_at"],
            source_file=d["source_file"],
        )
        for d in store.decisions(stage)
    ]


def current_decisions(store: Store, stage: str) -> dict[int, dict[str, Decision]]:
    """Each reviewer's latest decision per record at ``stage``.

    Returns
    -------
    dict
        Record id → {reviewer → Decision}. Decisions without a reviewer are
        filed under the empty string.
    """
    _check_stage(stage)
    out: dict[int, dict[str, Decision]] = defaultdict(dict)
    for d in _decisions(store, stage):  # oldest first: later rows replace earlier ones
        out[d.record_id][d.reviewer or ""] = d
    return dict(out)


def _status(by_reviewer: Mapping[str, Decision]) -> str:
    if not by_reviewer:
        return "awaiting"
    if CONSENSUS_REVIEWER in by_reviewer:
        return by_reviewer[CONSENSUS_REVIEWER].decision
    values = {d.decision for d in by_reviewer.values()}
    return values.pop() if len(values) == 1 else "conflict"


def _settled(by_reviewer: Mapping[str, Decision]) -> Decision | None:
    """The decision that settles a record (consensus, else the latest agreeing one)."""
    if not by_reviewer:
        return None
    if CONSENSUS_REVIEWER in by_reviewer:
        return by_reviewer[CONSENSUS_REVIEWER]
    if len({d.decision for d in by_reviewer.values()}) == 1:
        return max(by_reviewer.values(), key=lambda d: d.id)
    return None


def _duplicate_ids(store: Store) -> set[int]:
    """Store ids of records marked as duplicates (never screened)."""
    return {int(r[0]) for r in store.execute("SELECT id FROM records WHERE duplicate_of IS NOT NULL")}


def record_statuses(store: Store, stage: str) -> dict[int, str]:
    """Status of every record eligible for ``stage``.

    Eligible: non-duplicate records (title-abstract), or non-duplicate records
    included or "maybe" at title-abstract (full-text).

    Returns
    -------
    dict
        Record id → ``include``, ``exclude``, ``maybe``, ``conflict`` or ``awaiting``.
    """
    _check_stage(stage)
    kept = [int(r[0]) for r in store.execute("SELECT id FROM records WHERE duplicate_of IS NULL ORDER BY id")]
    if stage == "full-text":
        ta = record_statuses(store, "title-abstract")
        kept = [rid for rid in kept if ta.get(rid) in ("include", "maybe")]
    current = current_decisions(store, stage)
    return {rid: _status(current.get(rid, {})) for rid in kept}
