"""Deduplication: normalise, block, score, cluster; explain every link.

:func:`find_duplicates` works on any sequence of records and returns a
:class:`DedupeResult`; :func:`dedupe_store` marks duplicates in a record
store (nothing is deleted) and fills the kept records' missing fields;
:func:`dedupe_files` is the file mode behind ``evsynth dedupe FILE...``.

Examples
--------
>>> from evsynth import Record
>>> a = Record(source="ris", source_id="1", title="BCG vaccine against tuberculosis: a trial",
...            doi="https://doi.org/10.1000/ABC", year=2011, authors=("Aronson, J. D.",))
>>> b = a.replace(source_id="2", doi="doi:10.1000/abc")
>>> result = find_duplicates([a, b])
>>> [(l.record_index, l.kept_index, l.rule) for l in result.links]
[(1, 0, 'doi+title')]
"""

from __future__ import annotations

from ._core import DedupeResult, DuplicateLink, ReviewPair, find_duplicates
from .files import dedupe_files
from .normalise import (
    journal_match,
    normalise_authors,
    normalise_doi,
    normalise_journal,
    normalise_pages,
    normalise_record,
    normalise_title,
    parse_author,
)
from .storemode import dedupe_store

__all__ = [
    "DedupeResult",
    "DuplicateLink",
    "ReviewPair",
    "dedupe_files",
    "dedupe_store",
    "find_duplicates",
    "journal_match",
    "normalise_authors",
    "normalise_doi",
    "normalise_journal",
    "normalise_pages",
    "normalise_record",
    "normalise_title",
    "parse_author",
]
