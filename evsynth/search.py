"""Run saved or ad-hoc searches into the record store, resumably.

:func:`run_search` follows one path for PubMed:

1. esearch (split by publication date when PubMed's 9,999 cap is exceeded);
2. the run is stored with its query, QueryTranslation, count, date, database
   and evsynth version, and every id found is stored with it
   (:meth:`~evsynth.store.Store.set_search_result`);
3. pending ids are fetched in batches; each batch is stored and marked fetched
   in one transaction (:meth:`~evsynth.store.Store.store_fetched`);
4. the run is closed as ``complete``.

A process killed at any point leaves a consistent store: running the same
search again finds the ``running`` run of the same query and parameters and
fetches only what is still pending. Records are upserted on
``(source, source_id)``, so re-running a search adds no duplicate rows.

ClinicalTrials.gov queries (``database = "ctgov"``) go through
:class:`~evsynth.sources.ctgov.CtgovClient`; registry records are stored as
records of source ``ctgov``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .config import Settings, load_settings
from .models import Record
from .queries import SavedQuery
from .sources.ctgov import CtgovClient
from .sources.eutils import EutilsClient
from .store import Store

__all__ = ["SearchResult", "run_search", "fetch_trial", "DEFAULT_BATCH_SIZE"]

#: Ids per efetch request.
DEFAULT_BATCH_SIZE = 200


@dataclass(frozen=True)
class SearchResult:
    """What one :func:`run_search` did.

    Attributes
    ----------
    run_id : int
        The stored search run.
    database : str
        ``pubmed`` or ``ctgov``.
    count : int
        Hits the service reported.
    query_translation : str or None
        PubMed's QueryTranslation.
    record_ids : tuple of int
        Store ids of every record of the run (earlier batches of a resumed run included).
    resumed : bool
        True when an interrupted run of the same query was continued.
    query : str
        The query as sent.
    query_name : str or None
    n_ids : int
        Ids the search returned (all date parts together).
    n_fetched : int
        Records fetched by this call (a resumed run fetches only what was pending).
    missing : tuple of str
        Ids the service found but did not return when fetched (e.g. withdrawn).
    warnings : tuple of str
        Service warnings (``PhraseNotFound: ...``, ...).
    parts : tuple of (mindate, maxdate, count)
        Date parts searched when the 9,999 cap forced a split.
    """

    run_id: int
    database: str
    count: int
    query_translation: str | None
    record_ids: tuple[int, ...]
    resumed: bool
    query: str = ""
    query_name: str | None = None
    n_ids: int = 0
    n_fetched: int = 0
    missing: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    parts: tuple[tuple[str | None, str | None, int], ...] = ()

    @property
    def message(self) -> str:
        """One-paragraph human summary (the CLI prints it)."""
        where = "PubMed" if self.database == "pubmed" else "ClinicalTrials.gov"
        if self.count == 0:
            text = f"no records found in {where} for this query (search run {self.run_id} stored with count 0)"
        else:
            text = (f"{where}: {self.count:,} found, {len(self.record_ids):,} records in the store for run "
                    f"{self.run_id}" + (" (resumed)" if self.resumed else ""))
            if len(self.parts) > 1:
                text += f"; searched in {len(self.parts)} publication-date parts (PubMed returns at most 9,999 ids)"
            if self.missing:
                text += f"; {len(self.missing)} id(s) found but not returned by efetch: {', '.join(self.missing[:10])}"
        if self.warnings:
            text += "; warnings: " + "; ".join(self.warnings)
        return text

    def to_dict(self) -> dict[str, object]:
        """Plain dict (JSON-ready)."""
        return {
            "run_id": self.run_id, "database": self.database, "count": self.count,
            "query": self.query, "query_name": self.query_name,
            "query_translation": self.query_translation, "n_records": len(self.record_ids),
            "resumed": self.resumed, "n_ids": self.n_ids, "n_fetched": self.n_fetched,
            "missing": list(self.missing), "warnings": list(self.warnings),
            "parts": [list(p) for p in self.parts],
        }


def _as_query(query: SavedQuery | str) -> SavedQuery:
    return query if isinstance(query, SavedQuery) else SavedQuery.from_term(query)


@contextlib.contextmanager
def _progress(enabled: bool, total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr when it is a terminal; a no-op otherwise."""
    if not (enabled and total and sys.stderr.isatty()):
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def run_search(
    store: Store,
    query: SavedQuery | str,
    *,
    settings: Settings | None = None,
    progress: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    client: EutilsClient | None = None,
    ctgov_client: CtgovClient | None = None,
) -> SearchResult:
    """Run (or resume) a search and store every record it finds.

    Parameters
    ----------
    store : Store
    query : SavedQuery or str
        A saved query, or a PubMed term (ad hoc, no name).
    settings : Settings, optional
        Default :func:`~evsynth.config.load_settings`.
    progress : bool
        Show a progress bar on stderr when it is a terminal.
    batch_size : int
        Ids per efetch.
    client, ctgov_client : optional
        Pre-built clients (tests inject fake clocks).

    Returns
    -------
    SearchResult

    Raises
    ------
    NetworkError
        The service could not be reached or kept failing; the run stays
        ``running`` and the next call resumes it.
    ServiceError
        The service answered with an error.
    """
    q = _as_query(query)
    settings = settings or load_settings()
    params = q.params
    run = store.unfinished_run(q.database, q.query, params)
    resumed = run is not None
    if q.database == "ctgov":
        return _run_ctgov(store, q, run.id if run else None, ctgov_client or CtgovClient(settings))
    eutils = client or EutilsClient(settings)
    warnings: tuple[str, ...] = ()
    parts: tuple[tuple[str | None, str | None, int], ...] = ()
    if run is not None and run.count is not None:
        run_id = run.id
        count, translation = run.count, run.query_translation
        n_ids = len(store.run_ids(run_id))
        warnings = tuple(run.details.get("warnings", ()))
        parts = tuple(tuple(p) for p in run.details.get("parts", ()))  # type: ignore[misc]
    else:
        # search first: offline or a service error leaves nothing in the store
        found = eutils.search_ids(q.query, mindate=q.mindate, maxdate=q.maxdate,
                                  datetype=params.get("datetype"))
        with store.transaction():
            run_id = run.id if run is not None else store.start_search_run(
                q.database, q.query, query_name=q.name or None, params=params)
            store.set_search_result(run_id, count=found.count, query_translation=found.query_translation,
                                    source_ids=found.ids, details={
                                        "parts": [list(p) for p in found.parts],
                                        "warnings": list(found.warnings)})
        count, translation, warnings, parts = found.count, found.query_translation, found.warnings, found.parts
        n_ids = len(found.ids)
    pending = store.pending_ids(run_id)
    missing: list[str] = []
    fetched = 0
    with _progress(progress, len(pending), "fetching PubMed records") as advance:
        for start in range(0, len(pending), batch_size):
            batch = pending[start:start + batch_size]
            records = eutils.efetch(batch)
            got = {r.source_id for r in records}
            lost = [i for i in batch if i not in got]
            with store.transaction():
                store.store_fetched(run_id, records)
                if lost:
                    store.mark_fetched(run_id, lost)
            missing.extend(lost)
            fetched += len(records)
            advance(len(batch))
    store.finish_search_run(run_id, "complete")
    record_ids = tuple(r.store_id for r in store.records_of_run(run_id) if r.store_id is not None)
    return SearchResult(run_id, "pubmed", count, translation, record_ids, resumed, q.query, q.name or None,
                        n_ids, fetched, tuple(missing), warnings, parts)


def _run_ctgov(store: Store, q: SavedQuery, run_id: int | None, client: CtgovClient) -> SearchResult:
    records, total = client.search_with_count(q.query)
    unique = list({r.source_id: r for r in records}.values())
    count = total if total is not None else len(unique)
    resumed = run_id is not None
    with store.transaction():
        if run_id is None:
            run_id = store.start_search_run(q.database, q.query, query_name=q.name or None, params=q.params)
        store.set_search_result(run_id, count=count, query_translation=None,
                                source_ids=[r.source_id for r in unique])
        store.store_fetched(run_id, unique)
        store.finish_search_run(run_id, "complete")
    record_ids = tuple(r.store_id for r in store.records_of_run(run_id) if r.store_id is not None)
    return SearchResult(run_id, "ctgov", count, None, record_ids, resumed, q.query, q.name or None,
                        len(unique), len(unique))


def fetch_trial(nct_id: str, *, settings: Settings | None = None,
                store: Store | str | os.PathLike[str] | None = None) -> Record:
    """Fetch one ClinicalTrials.gov study; store it (source ``ctgov``) when a store is given.

    Parameters
    ----------
    nct_id : str
        ``NCT`` and eight digits.
    settings : Settings, optional
    store : Store or path, optional
        Where to upsert the record; the returned record then carries ``store_id``.

    Raises
    ------
    InputError
        Not an NCT id.
    NotFoundError
        No such study.
    NetworkError
        The registry could not be reached.
    """
    if store is not None and not isinstance(store, Store):
        with Store(Path(store)) as opened:  # an unusable store is reported before the registry is asked
            return fetch_trial(nct_id, settings=settings, store=opened)
    record = CtgovClient(settings or load_settings()).get_study(nct_id)
    if store is None:
        return record
    (rid,) = store.add_records([record])
    return record.replace(store_id=rid)
