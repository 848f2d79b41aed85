"""Screening progress and PRISMA 2020 flow counts from the store."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Mapping

from ..store import Store
from ._state import NOT_RETRIEVED, _duplicate_ids, _settled, current_decisions, record_statuses

#: Source labels used in PRISMA "identified" counts.
_SOURCE_LABELS = {"pubmed": "PubMed", "ctgov": "ClinicalTrials.gov"}


@dataclass(frozen=True)
class ScreeningProgress:
    """Record statuses at one stage (non-duplicate records eligible for it)."""

    stage: str
    eligible: int
    include: int
    exclude: int
    maybe: int
    conflict: int
    awaiting: int


@dataclass(frozen=True)
class PrismaCounts:
    """The numbers of a PRISMA 2020 flow diagram, from the store.

    Parameters
    ----------
    identified : dict
        Source label → records identified (``PubMed``, ``ClinicalTrials.gov``,
        an import's database name, or its format). A record found by several
        searches of one source counts once for it.
    duplicates_removed : int
        Records marked as duplicates.
    screened : int
        Records screened at title/abstract: with a settled decision (include, exclude or maybe)
        or with reviewers' decisions that disagree (unresolved conflicts, counted in
        ``conflicts_screening``).
    excluded_screening : int
        Records excluded at title/abstract.
    sought : int
        Reports sought for retrieval (included or "maybe" at title/abstract).
    not_retrieved : int
        Full-text exclusions with reason :data:`NOT_RETRIEVED`.
    assessed : int
        Reports with a full-text decision of include or exclude (other than
        not retrieved).
    excluded_fulltext : dict
        Reason → reports excluded at full text.
    included_studies : int
        Studies included (reports grouped by ``study_of`` when given).
    included_reports : int
        Reports included at full text.
    awaiting_screening : int
        Non-duplicate records without a settled title/abstract decision.
    awaiting_fulltext : int
        Reports sought without a settled full-text decision.
    conflicts : int
        Records with unresolved reviewer conflicts (both stages).
    counted_twice : int
        Records counted under more than one source in ``identified`` (removed before screening
        beside the duplicates, so the boxes add up).
    conflicts_screening, not_screened : int
        Title/abstract: records screened whose reviewers disagree, and records nobody has screened.
    conflicts_fulltext, maybe_fulltext, not_assessed : int
        Full text: unresolved conflicts, "maybe" decisions, reports nobody has assessed.
    previous_studies, previous_reports : int, optional
        Studies and reports included in the previous version of the review (PRISMA 2020 for
        updated reviews); None for a new review.
    previous_note : str
        Where the previous counts come from.
    """

    identified: dict[str, int]
    duplicates_removed: int
    screened: int
    excluded_screening: int
    sought: int
    not_retrieved: int
    assessed: int
    excluded_fulltext: dict[str, int]
    included_studies: int
    included_reports: int
    awaiting_screening: int = 0
    awaiting_fulltext: int = 0
    conflicts: int = 0
    counted_twice: int = 0
    conflicts_screening: int = 0
    not_screened: int = 0
    conflicts_fulltext: int = 0
    maybe_fulltext: int = 0
    not_assessed: int = 0
    previous_studies: int | None = None
    previous_reports: int | None = None
    previous_note: str = ""

    @property
    def total_identified(self) -> int:
        """Sum of :attr:`identified`."""
        return sum(self.identified.values())

    @property
    def removed(self) -> int:
        """Records removed before screening (duplicates and records counted under two sources)."""
        return self.duplicates_removed + self.counted_twice

    @property
    def total_studies(self) -> int | None:
        """Studies in the review: previous version's plus new ones (None for a new review)."""
        return None if self.previous_studies is None else self.previous_studies + self.included_studies

    def arithmetic(self) -> list[tuple[str, bool]]:
        """Each step of the flow as an equation and whether the counts satisfy it."""
        ex_ft = sum(self.excluded_fulltext.values())
        return [
            (f"identified {self.total_identified} − removed {self.removed} = screened {self.screened} + not yet "
             f"screened {self.not_screened}", self.total_identified - self.removed == self.screened + self.not_screened),
            (f"screened {self.screened} − excluded {self.excluded_screening} − unresolved conflicts "
             f"{self.conflicts_screening} = sought {self.sought}",
             self.screened - self.excluded_screening - self.conflicts_screening == self.sought),
            (f"sought {self.sought} − not retrieved {self.not_retrieved} − without a full-text decision "
             f"{self.awaiting_fulltext} = assessed {self.assessed}",
             self.sought - self.not_retrieved - self.awaiting_fulltext == self.assessed),
            (f"assessed {self.assessed} − excluded {ex_ft} = included reports {self.included_reports}",
             self.assessed - ex_ft == self.included_reports),
            # The totals of records without a decision must be the parts the diagram draws: a record
            # with a conflict is screened (and undecided), never also among those not yet screened.
            (f"without a title/abstract decision {self.awaiting_screening} = unresolved conflicts "
             f"{self.conflicts_screening} + not yet screened {self.not_screened}",
             self.awaiting_screening == self.conflicts_screening + self.not_screened),
            (f"without a full-text decision {self.awaiting_fulltext} = unresolved conflicts "
             f"{self.conflicts_fulltext} + maybe {self.maybe_fulltext} + not yet assessed {self.not_assessed}",
             self.awaiting_fulltext == self.conflicts_fulltext + self.maybe_fulltext + self.not_assessed),
        ]

    def problems(self) -> list[str]:
        """The equations of :meth:`arithmetic` that do not hold (empty when the diagram adds up)."""
        return [text.replace(" = ", " ≠ ", 1) for text, ok in self.arithmetic() if not ok]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON and reports)."""
        return {
            "identified": dict(self.identified),
            "duplicates_removed": self.duplicates_removed,
            "screened": self.screened,
            "excluded_screening": self.excluded_screening,
            "sought": self.sought,
            "not_retrieved": self.not_retrieved,
            "assessed": self.assessed,
            "excluded_fulltext": dict(self.excluded_fulltext),
            "included_studies": self.included_studies,
            "included_reports": self.included_reports,
            "awaiting_screening": self.awaiting_screening,
            "awaiting_fulltext": self.awaiting_fulltext,
            "conflicts": self.conflicts,
            "counted_twice": self.counted_twice,
            "conflicts_screening": self.conflicts_screening,
            "not_screened": self.not_screened,
            "conflicts_fulltext": self.conflicts_fulltext,
            "maybe_fulltext": self.maybe_fulltext,
            "not_assessed": self.not_assessed,
            "previous_studies": self.previous_studies,
            "previous_reports": self.previous_reports,
            "previous_note": self.previous_note,
            "total_studies": self.total_studies,
            "arithmetic": [{"equation": e, "holds": ok} for e, ok in self.arithmetic()],
        }


def screening_progress(store: Store, stage: str) -> ScreeningProgress:
    """Counts of record statuses at ``stage``."""
    counts = Counter(record_statuses(store, stage).values())
    return ScreeningProgress(
        stage=stage,
        eligible=sum(counts.values()),
        include=counts["include"],
        exclude=counts["exclude"],
        maybe=counts["maybe"],
        conflict=counts["conflict"],
        awaiting=counts["awaiting"],
    )


def _identified(store: Store) -> dict[str, int]:
    labels: dict[int, set[str]] = defaultdict(set)
    for rid, db in store.execute(
        "SELECT o.record_id, s.database_name FROM record_origins o"
        " JOIN search_runs s ON s.id = o.search_run_id"
    ):
        labels[int(rid)].add(_SOURCE_LABELS.get(db, db))
    for rid, name, fmt in store.execute(
        "SELECT o.record_id, i.database_name, i.format FROM record_origins o"
        " JOIN imports i ON i.id = o.import_id"
    ):
        labels[int(rid)].add(name or fmt)
    for rid, source in store.execute("SELECT id, source FROM records"):
        if int(rid) not in labels:  # stored without provenance: label by source
            labels[int(rid)].add(_SOURCE_LABELS.get(source, source))
    counts: Counter[str] = Counter()
    for names in labels.values():
        counts.update(names)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def prisma_counts(store: Store, *, study_of: Mapping[int, str] | None = None) -> PrismaCounts:
    """PRISMA 2020 flow counts from the store's records, duplicates and decisions.

    Parameters
    ----------
    store : Store
    study_of : mapping, optional
        Record id → study id, to count included *studies* when several
        reports describe one study. Without it every included report is a study.

    Returns
    -------
    PrismaCounts
    """
    ta = record_statuses(store, "title-abstract")
    ft_current = current_decisions(store, "full-text")
    ft = record_statuses(store, "full-text")
    ta_counts = Counter(ta.values())
    not_retrieved = 0
    assessed = 0
    excluded: Counter[str] = Counter()
    included: list[int] = []
    for rid, status in ft.items():
        if status == "exclude":
            settled = _settled(ft_current.get(rid, {}))
            reason = ((settled.reason if settled else None) or "no reason given").strip()
            if reason.lower() == NOT_RETRIEVED:
                not_retrieved += 1
                continue
            assessed += 1
            excluded[reason] += 1
        elif status == "include":
            assessed += 1
            included.append(rid)
    studies = {study_of.get(rid, f"record:{rid}") for rid in included} if study_of else set(included)
    ft_counts = Counter(ft.values())
    duplicates = len(_duplicate_ids(store))
    identified = _identified(store)
    n_records = int(store.execute("SELECT COUNT(*) FROM records").fetchone()[0])
    return PrismaCounts(
        identified=identified,
        duplicates_removed=duplicates,
        screened=ta_counts["include"] + ta_counts["exclude"] + ta_counts["maybe"] + ta_counts["conflict"],
        excluded_screening=ta_counts["exclude"],
        sought=len(ft),
        not_retrieved=not_retrieved,
        assessed=assessed,
        excluded_fulltext=dict(sorted(excluded.items(), key=lambda kv: (-kv[1], kv[0]))),
        included_studies=len(studies),
        included_reports=len(included),
        awaiting_screening=ta_counts["awaiting"] + ta_counts["conflict"],
        awaiting_fulltext=ft_counts["awaiting"] + ft_counts["conflict"] + ft_counts["maybe"],
        conflicts=ta_counts["conflict"] + ft_counts["conflict"],
        counted_twice=sum(identified.values()) - n_records,
        conflicts_screening=ta_counts["conflict"],
        not_screened=ta_counts["awaiting"],
        conflicts_fulltext=ft_counts["conflict"],
        maybe_fulltext=ft_counts["maybe"],
        not_assessed=ft_counts["awaiting"],
    )
