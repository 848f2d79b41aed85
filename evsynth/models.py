"""Frozen dataclasses shared by every stage of the pipeline.

Stage-specific results (effect tables, meta-analysis fits, ...) live in the
module that makes them; only what crosses stage boundaries is here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

#: Bibliographic fields every reader/writer knows, in export order.
RECORD_FIELDS: tuple[str, ...] = (
    "pmid",
    "doi",
    "pmcid",
    "nct_id",
    "title",
    "abstract",
    "authors",
    "journal",
    "journal_iso",
    "year",
    "volume",
    "issue",
    "pages",
    "language",
    "publication_types",
    "mesh",
    "keywords",
    "isbn",
    "issn",
    "url",
    "entry_date",
    "record_type",
)

_TUPLE_FIELDS = frozenset({"authors", "publication_types", "mesh", "keywords"})


@dataclass(frozen=True)
class Record:
    """One bibliographic or registry record.

    Parameters
    ----------
    source : str
        Where it was read from: ``pubmed``, ``ctgov``, or the import format
        (``ris``, ``medline``, ``wos``, ``bibtex``, ``csv``, ``json``).
    source_id : str or None
        The record's id in its source (PMID, NCT id, the input file's own
        id column, RIS ``ID``/``AN``); used to recognise re-imports.
    pmid, doi, pmcid, nct_id : str or None
        Identifiers. ``doi`` is stored as given; normalisation belongs to dedupe.
    title, abstract : str or None
        Abstract keeps structured section labels ("OBJECTIVE: ...").
    authors : tuple of str
        ``"Last, First"`` or ``"Last Initials"`` as the source gives them.
    journal, journal_iso : str or None
        Full and abbreviated journal title.
    year : int or None
    volume, issue, pages, language : str or None
    publication_types, mesh, keywords : tuple of str
    isbn, issn, url : str or None
    entry_date : str or None
        ISO date the source added the record (PubMed entry date), if known.
    record_type : str or None
        The source's type (RIS ``TY``, BibTeX entry type, ...).
    extra : mapping
        Fields without a slot here, kept so a round trip loses nothing.
    store_id : int or None
        Row id once the record is in a :class:`~evsynth.store.Store`.
    duplicate_of : int or None
        Store id of the record kept, when this one is a duplicate.
    """

    source: str
    source_id: str | None = None
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    nct_id: str | None = None
    title: str | None = None
    abstract: str | None = None
    authors: tuple[str, ...] = ()
    journal: str | None = None
    journal_iso: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    language: str | None = None
    publication_types: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    isbn: str | None = None
    issn: str | None = None
    url: str | None = None
    entry_date: str | None = None
    record_type: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    store_id: int | None = field(default=None, compare=False)
    duplicate_of: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Normalise containers so equality and hashing behave: tuples, not lists;
        # empty strings become None.
        for name in _TUPLE_FIELDS:
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, ())
            elif not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        for name in RECORD_FIELDS:
            if name in _TUPLE_FIELDS:
                continue
            value = getattr(self, name)
            if isinstance(value, str) and not value.strip():
                object.__setattr__(self, name, None)

    def replace(self, **changes: Any) -> "Record":
        """Return a copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the bibliographic fields (lists for tuples), plus source and source_id."""
        out: dict[str, Any] = {"source": self.source, "source_id": self.source_id}
        for name in RECORD_FIELDS:
            value = getattr(self, name)
            out[name] = list(value) if name in _TUPLE_FIELDS else value
        out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Record":
        """Inverse of :meth:`to_dict`; unknown keys go to ``extra``."""
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known and k != "extra"}
        extra = dict(data.get("extra") or {})
        extra.update({k: v for k, v in data.items() if k not in known})
        if kwargs.get("year") not in (None, ""):
            kwargs["year"] = int(kwargs["year"])
        else:
            kwargs["year"] = None
        kwargs.setdefault("source", "json")
        return cls(**kwargs, extra=extra)

    @property
    def completeness(self) -> int:
        """Number of non-empty bibliographic fields (used to pick the record kept)."""
        return sum(1 for name in RECORD_FIELDS if getattr(self, name) not in (None, (), ""))


@dataclass(frozen=True)
class SearchRun:
    """One execution of a search (PRISMA-S provenance).

    Parameters
    ----------
    id : int
        Store row id.
    database : str
        ``pubmed`` or ``ctgov``.
    query : str
        The query as sent.
    query_name : str or None
        Name of the saved query (``queries/*.toml``), if it came from one.
    query_translation : str or None
        PubMed's QueryTranslation.
    count : int or None
        Hits the service reported.
    started_at, finished_at : str or None
        ISO 8601 UTC timestamps.
    status : str
        ``running``, ``complete`` or ``failed``.
    evsynth_version : str
    params : mapping
        Date limits and other parameters sent.
    details : mapping
        What the run learnt beyond its count: ``parts`` (``[mindate, maxdate,
        count]`` of each publication-date part when PubMed's 9,999 cap forced a
        split) and ``warnings`` (e.g. ``PhraseNotFound: ...``).
    """

    id: int
    database: str
    query: str
    query_name: str | None = None
    query_translation: str | None = None
    count: int | None = None
    started_at: str | None = None
    finished_at: str | None = None
    status: str = "running"
    evsynth_version: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)
    details: Mapping[str, Any] = field(default_factory=dict, compare=False)
