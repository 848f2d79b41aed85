"""Keeping the review alive: re-run saved searches, see what is new, summarise the review.

:func:`update_search` re-runs a saved query (``queries/*.toml``), stores the
new run and compares it with the earlier runs of the same query (same
``query_name`` and database): which ids are new, which of the new records
duplicate records already in the library, and which now await screening.

Duplicates of new records are looked for among the records already kept in
the library only (new vs old, and new vs new), never by re-deduplicating the
whole library: records already screened stay the kept ones, and a new record
that matches one is marked as its duplicate, filling the old record's empty
fields (a PubMed PMID or abstract for an Embase record, say).

:func:`review_status` summarises the review for ``evsynth status``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from .config import Settings
from .models import Record, SearchRun
from .screening import (
    PrismaCounts,
    ScreeningProgress,
    prisma_counts,
    record_statuses,
    screening_progress,
)
from .store import Store

__all__ = [
    "NewRecord",
    "UpdateReport",
    "SearchSummary",
    "PooledSummary",
    "ReviewStatus",
    "update_search",
    "review_status",
]


@dataclass(frozen=True)
class NewRecord:
    """A record found by an update run and by no earlier run of the same query.

    Parameters
    ----------
    record_id : int
        Store id.
    source_id : str
        PMID (PubMed) or NCT id (ClinicalTrials.gov).
    pmid, nct_id, title, entry_date : str or None
        ``entry_date`` is the PubMed entry date (ISO), when the source gives it.
    entered_since_previous : bool or None
        Entry date on or after the previous run's date (None without a
        previous run or an entry date). False means an older record the
        query finds now (new indexing, or an edited query).
    in_library : bool
        The record was already stored before this run (found by another
        search or import).
    duplicate_of : int or None
        Store id of the library record this one duplicates.
    awaiting_screening : bool
        Not a duplicate and without a title/abstract decision.
    """

    record_id: int
    source_id: str
    pmid: str | None
    nct_id: str | None
    title: str | None
    entry_date: str | None
    entered_since_previous: bool | None
    in_library: bool
    duplicate_of: int | None
    awaiting_screening: bool


@dataclass(frozen=True)
class UpdateReport:
    """What an update run found, compared with the earlier runs of its query.

    Parameters
    ----------
    query_name, database : str
    query_path : str
    run_id : int
        The new run.
    previous_run_id : int or None
        The latest earlier complete run of the same query.
    previous_run_at : str or None
        When it started (ISO 8601 UTC).
    count : int or None
        Hits the service reported for this run.
    n_found : int
        Ids this run found.
    new : tuple of NewRecord
        Found now and by no earlier run of the query, in search order.
    dropped : tuple of str
        Ids the previous run found that this one did not.
    resumed : bool
        The run resumed an interrupted one.
    """

    query_name: str
    database: str
    query_path: str
    run_id: int
    previous_run_id: int | None
    previous_run_at: str | None
    count: int | None
    n_found: int
    new: tuple[NewRecord, ...]
    dropped: tuple[str, ...]
    resumed: bool = False

    @property
    def duplicates(self) -> tuple[NewRecord, ...]:
        """New records that duplicate records in the library."""
        return tuple(r for r in self.new if r.duplicate_of is not None)

    @property
    def awaiting(self) -> tuple[NewRecord, ...]:
        """New records now awaiting title/abstract screening."""
        return tuple(r for r in self.new if r.awaiting_screening)

    def to_frame(self) -> Any:
        """The new records as a pandas DataFrame."""
        import pandas as pd

        cols = [f for f in NewRecord.__dataclass_fields__]
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in self.new], columns=cols)


@dataclass(frozen=True)
class SearchSummary:
    """One search run as ``evsynth status`` shows it."""

    run_id: int
    query_name: str | None
    database: str
    started_at: str | None
    finished_at: str | None
    status: str
    count: int | None
    n_records: int


@dataclass(frozen=True)
class PooledSummary:
    """The review's pooled outcome, recomputed from ``extracted/``.

    Parameters
    ----------
    outcome : str
        What was pooled.
    measure : str
        Effect measure (e.g. ``PLO``, logit proportion).
    k : int
    estimate, ci_low, ci_high : float
        On the measure's scale.
    estimate_natural, ci_low_natural, ci_high_natural : float or None
        Back-transformed for display (:func:`evsynth.effects.back_transform`:
        proportions for ``PLO``/``PAS``, ratios for log measures).
    i2, tau2 : float
    method : str
    result : object
        The full :class:`evsynth.meta.MetaResult`.
    """

    outcome: str
    measure: str
    k: int
    estimate: float
    ci_low: float
    ci_high: float
    estimate_natural: float | None
    ci_low_natural: float | None
    ci_high_natural: float | None
    i2: float
    tau2: float
    method: str
    result: Any = None


@dataclass(frozen=True)
class ReviewStatus:
    """A summary of the review (``evsynth status``).

    Parameters
    ----------
    store_path : str
    searches : tuple of SearchSummary
        Oldest first.
    imports : tuple of dict
        Each import (id, path, format, database_name, n_records, imported_at).
    n_records : int
        Records stored (duplicates included).
    records_per_source : dict
        Source label → records identified (as in PRISMA).
    duplicates : int
        Records marked as duplicates.
    screening : tuple of ScreeningProgress
        Title/abstract and full-text progress.
    prisma : PrismaCounts
    studies_extracted : int or None
        Studies in ``extracted/`` (None when the folder is missing or unreadable).
    extraction_note : str
        Why ``studies_extracted`` or ``pooled`` is missing, if it is.
    pooled : PooledSummary or None
        The pooled outcome recomputed from ``extracted/``.
    pair_decisions : dict
        A person's settled dedupe pairs (latest decision per pair):
        ``merge`` and ``apart`` counts, and ``reviewers``, a tuple of who decided.
    """

    store_path: str
    searches: tuple[SearchSummary, ...]
    imports: tuple[dict[str, Any], ...]
    n_records: int
    records_per_source: dict[str, int]
    duplicates: int
    screening: tuple[ScreeningProgress, ...]
    prisma: PrismaCounts
    studies_extracted: int | None
    extraction_note: str
    pooled: PooledSummary | None
    pair_decisions: Mapping[str, Any] = field(default_factory=dict)


# -- update ----------------------------------------------------------------------
def _date10(value: str | None) -> str | None:
    if not value or len(value) < 10 or value[4] != "-" or value[7] != "-":
        return None
    return value[:10]


def _mark_new_duplicates(store: Store, new_ids: Sequence[int]) -> dict[int, int]:
    """Mark new records that duplicate kept library records (or each other).

    :func:`evsynth.dedupe.find_duplicates` clusters the kept library records
    with the new ones. In a cluster holding a library record, that record
    stays kept (the one dedupe chose if it is old, else the best old one) and
    every new member is marked as its duplicate; a cluster of new records only
    keeps dedupe's choice. Old records are never re-marked. The kept record's
    empty fields are filled from the new members.

    Returns
    -------
    dict
        New record id → id of the record it duplicates.
    """
    from .dedupe import find_duplicates
    from .dedupe.cluster import choose_kept, merged_fields
    from .dedupe.review import decisions_by_position, stored_pair_decisions

    if not new_ids:
        return {}
    new_set = set(new_ids)
    old = [r for r in store.iter_records(deduped=True) if r.store_id not in new_set]
    new = [r for r in store.iter_records(ids=list(new_ids)) if r.duplicate_of is None]
    records: list[Record] = old + new
    ids = [int(r.store_id) for r in records]  # type: ignore[arg-type]
    n_old = len(old)
    decided = decisions_by_position(stored_pair_decisions(store), ids)
    result = find_duplicates(records, decisions=decided)  # a person's settled pairs hold
    link_of = {link.record_index: link for link in result.links}
    links: list[dict[str, Any]] = []
    fills: list[tuple[int, dict[str, Any]]] = []
    marks: dict[int, int] = {}
    for cluster in result.clusters:
        fresh = [k for k in cluster if k >= n_old]
        if not fresh:
            continue
        olds = [k for k in cluster if k < n_old]
        keep = cluster[0] if (cluster[0] < n_old or not olds) else choose_kept(records, olds)
        members = [k for k in fresh if k != keep]
        for k in members:
            # the link dedupe made for this record, or (when dedupe kept it) the kept record's link to it
            link = link_of.get(k) or link_of.get(keep)
            evidence = dict(link.evidence) if link is not None else {}
            via = dict(evidence.get("joined_via") or {})
            if "index" in via and link is not None:
                other = via.pop("index")  # the other end of the joining pair, seen from this record
                via["record_id"] = ids[link.record_index if other == k else other]
                evidence["joined_via"] = via
            evidence["found_by"] = "update"
            links.append(
                {
                    "record_id": ids[k],
                    "duplicate_of": ids[keep],
                    "rule": link.rule if link is not None else "cluster",
                    "score": float(link.score) if link is not None else None,
                    "evidence": evidence,
                }
            )
            marks[ids[k]] = ids[keep]
        if members:
            fills.append((ids[keep], merged_fields(records, keep, [keep, *members])))
    with store.transaction():
        if links:
            store.mark_duplicates(links, reset=False)
        for kept_id, changes in fills:
            if changes:
                store.update_record_fields(kept_id, changes)
    return marks


def update_search(
    store: Store,
    query_path: str | os.PathLike[str],
    *,
    settings: Settings | None = None,
) -> UpdateReport:
    """Re-run a saved search and report what is new since its earlier runs.

    Parameters
    ----------
    store : Store
    query_path : path-like
        A saved query (``queries/*.toml``), PubMed or ClinicalTrials.gov.
    settings : Settings, optional
        Service URLs and credentials (default: :func:`evsynth.config.load_settings`).

    Returns
    -------
    UpdateReport
        New ids are those found by this run and by no earlier complete run
        of the same query (same name and database); each carries its PubMed
        entry date, whether it duplicates a record in the library (new
        duplicates are marked in the store) and whether it awaits screening.
    """
    from .queries import load_query
    from .search import run_search

    query = load_query(query_path)
    previous = [
        r for r in store.search_runs(query_name=query.name, database=query.database) if r.status == "complete"
    ]
    seen_before: set[str] = set()
    for run in previous:
        seen_before.update(store.run_ids(run.id))
    last: SearchRun | None = previous[-1] if previous else None
    before = {int(r[0]) for r in store.execute("SELECT id FROM records")}

    result = run_search(store, query, settings=settings)

    found = store.run_ids(result.run_id)
    found_set = set(found)
    by_source_id = {r.source_id: r for r in store.records_of_run(result.run_id)}
    new_source_ids = [s for s in found if s not in seen_before and s in by_source_id]
    new_records = [by_source_id[s] for s in new_source_ids]
    added = [int(r.store_id) for r in new_records if r.store_id not in before]  # type: ignore[arg-type]
    _mark_new_duplicates(store, added)
    statuses = record_statuses(store, "title-abstract")
    last_date = _date10(last.started_at) if last else None
    new: list[NewRecord] = []
    for rec in new_records:
        rid = int(rec.store_id)  # type: ignore[arg-type]
        current = store.get_record(rid)
        entry = _date10(current.entry_date)
        new.append(
            NewRecord(
                record_id=rid,
                source_id=str(rec.source_id),
                pmid=current.pmid,
                nct_id=current.nct_id,
                title=current.title,
                entry_date=current.entry_date,
                entered_since_previous=None if (entry is None or last_date is None) else entry >= last_date,
                in_library=rid in before,
                duplicate_of=current.duplicate_of,
                awaiting_screening=statuses.get(rid) == "awaiting",
            )
        )
    dropped = tuple(s for s in (store.run_ids(last.id) if last else []) if s not in found_set)
    return UpdateReport(
        query_name=query.name,
        database=query.database,
        query_path=os.fspath(query_path),
        run_id=result.run_id,
        previous_run_id=last.id if last else None,
        previous_run_at=last.started_at if last else None,
        count=result.count,
        n_found=len(found),
        new=tuple(new),
        dropped=dropped,
        resumed=bool(getattr(result, "resumed", False)),
    )


# -- status ----------------------------------------------------------------------
def _pooled(extraction: Any) -> PooledSummary:
    from .errors import InputError
    from .project.analyses import analysis_fit, back_transformed

    analysis = extraction.review.main_analysis
    if analysis is None:
        raise InputError("review.toml declares no analysis ([[analyses]])", field="analyses")
    es, res = analysis_fit(extraction, analysis)
    nat = [back_transformed(res.measure, v, es.ni) for v in (res.estimate, res.ci_low, res.ci_high)]
    return PooledSummary(
        outcome=analysis.title,
        measure=str(res.measure),
        k=int(res.k),
        estimate=float(res.estimate),
        ci_low=float(res.ci_low),
        ci_high=float(res.ci_high),
        estimate_natural=nat[0],
        ci_low_natural=nat[1],
        ci_high_natural=nat[2],
        i2=float(res.i2),
        tau2=float(res.tau2),
        method=str(res.method),
        result=res,
    )


def review_status(store: Store, extracted_folder: str | os.PathLike[str] = "extracted", review: Any = None
                  ) -> ReviewStatus:
    """Summarise the review: searches, records, duplicates, screening, extraction, pooled result.

    Parameters
    ----------
    store : Store
    extracted_folder : path-like
        The review's ``extracted/`` folder; when missing, ``studies_extracted``
        and ``pooled`` are None and ``extraction_note`` says why.
    review : Review, optional
        The protocol whose main analysis is recomputed (default: the ``review.toml`` beside the folder).

    Returns
    -------
    ReviewStatus
    """
    searches = []
    for run in store.search_runs():
        n = int(store.execute("SELECT COUNT(*) FROM record_origins WHERE search_run_id = ?", (run.id,)).fetchone()[0])
        searches.append(
            SearchSummary(run.id, run.query_name, run.database, run.started_at, run.finished_at, run.status, run.count, n)
        )
    prisma = prisma_counts(store)
    folder = Path(extracted_folder)
    studies: int | None = None
    pooled: PooledSummary | None = None
    note = ""
    if not folder.is_dir():
        note = f"no extracted data folder at {folder}"
    else:
        from .errors import EvsynthError
        from .extraction import load_extracted

        try:
            extraction = load_extracted(folder, review)
        except EvsynthError as exc:
            note = f"extracted data not readable: {exc}"
        else:
            studies = len(extraction.studies)
            try:
                pooled = _pooled(extraction)
            except (EvsynthError, ValueError) as exc:
                note = f"no pooled result: {exc}"
    return ReviewStatus(
        store_path=os.fspath(store.path),
        searches=tuple(searches),
        imports=tuple(store.imports()),
        n_records=store.count_records(),
        records_per_source=dict(prisma.identified),
        duplicates=prisma.duplicates_removed,
        screening=tuple(screening_progress(store, s) for s in ("title-abstract", "full-text")),
        prisma=prisma,
        studies_extracted=studies,
        extraction_note=note,
        pooled=pooled,
        pair_decisions=_pair_decision_counts(store),
    )


def _pair_decision_counts(store: Store) -> dict[str, Any]:
    from .dedupe.review import stored_pair_decisions

    latest = stored_pair_decisions(store).values()
    return {"merge": sum(d["decision"] == "merge" for d in latest),
            "apart": sum(d["decision"] == "apart" for d in latest),
            "reviewers": tuple(sorted({d["reviewer"] or "?" for d in latest}))}
