"""The review number of a Cochrane review, its identity across versions.

A Cochrane review keeps its number (``CD006828``) through every update: the
2008 version and the 2012 update are one review with other years, issues,
DOIs (``10.1002/14651858.CD006828.pub2``) and often authors. The labelled
sets count every version of a review as one (bib-dedupe's ``srsr`` and
``respiratory`` sets), and a reviewer keeps the latest. Two numbers are two
reviews, whatever their titles.
"""

from __future__ import annotations

import re

from ..models import Record

__all__ = ["cochrane_review_number"]

_DOI_RE = re.compile(r"10\.1002/14651858\.cd(\d{6})", re.IGNORECASE)
#: "Cochrane Database of Systematic Reviews", "Cochrane Database Syst Rev", "coch data syst rev".
_JOURNAL_RE = re.compile(r"\bcoch\w*\s+data\w*\s+(?:of\s+)?syst\w*\s+rev", re.IGNORECASE)
#: The number where a journal's pages or issue would be: "CD006828", "CD006828.pub2", "006828".
_NUMBER_RE = re.compile(r"^\s*(?:cd(\d{4,6})(?:\.pub\d+)?|(0\d{5}))\s*$", re.IGNORECASE)


def cochrane_review_number(record: Record) -> str | None:
    """``"CD006828"`` for a record of a Cochrane review (any version), else None.

    Taken from the DOI (``10.1002/14651858.CD006828.pub2``) or, for a record of
    the Cochrane Database of Systematic Reviews, from its pages or issue field
    (``CD006828``, or the six digits ``006828`` some exports keep).

    Examples
    --------
    >>> from evsynth import Record
    >>> cochrane_review_number(Record(source="ris", source_id="1", doi="10.1002/14651858.CD006828.pub2"))
    'CD006828'
    >>> cochrane_review_number(Record(source="ris", source_id="2",
    ...                               journal="Cochrane Database Syst Rev", pages="CD001869"))
    'CD001869'
    """
    m = _DOI_RE.search(record.doi or "")
    if m:
        return "CD" + m.group(1)
    if not any(_JOURNAL_RE.search(j or "") for j in (record.journal, record.journal_iso)):
        return None
    for value in (record.pages, record.issue):
        m = _NUMBER_RE.match(str(value or ""))
        if m:
            return "CD" + (m.group(1) or m.group(2)).zfill(6)
    return None
