"""Kinds of record that must not merge with the article they concern.

Errata, comments, replies and retraction notices share most of their title
with the article; conference records share it with the journal paper that
followed. :func:`record_kind` tells them apart from the title and the
source's record type.
"""

from __future__ import annotations

import re

from ..models import Record
from .decorations import CORRECTION_CITATION_RE

__all__ = ["record_kind"]


_KIND_PATTERNS = (
    ("retraction", re.compile(r"^(?:retraction|retracted|notice of retraction|withdrawn)\b")),
    ("erratum", re.compile(r"^(?:errat\w*|corrigend\w*|correction|corrections|publisher s note|"
                           r"expression of concern)\b|\b(?:erratum|corrigendum)\b")),
    ("reply", re.compile(r"^(?:reply|in reply|author s reply|authors reply|the authors reply)\b|"
                         r"\breply to\b|\bresponse to\b")),
    ("comment", re.compile(r"^(?:comment|commentary|letter|editorial comment)\b|\bcomment on\b|"
                           r"\bcomments on\b")),
)
_CONFERENCE_TYPES = frozenset({
    "inproceedings", "conference", "proceedings", "conf", "cpaper", "abst", "conference abstract",
    "conference paper", "meeting abstract", "congress", "conference proceeding",
    "conference review",
})
_ARTICLE_TYPES = frozenset({"article", "jour", "journal article", "ejour", "review"})
_BOOK_TYPES = frozenset({"chap", "book", "inbook", "incollection", "book chapter", "book section", "edbook"})
_PREPRINT_HINTS = ("preprint", "posted content")


def record_kind(record: Record, norm_title: str | None) -> tuple[str, str | None]:
    """``(kind, venue)`` of a record: kind from its title; venue from its type.

    kind is one of ``retraction``, ``erratum``, ``reply``, ``comment`` or
    ``article``; venue is ``registry`` (a ClinicalTrials.gov record), ``book``,
    ``preprint``, ``conference``, ``journal`` or ``None`` (unknown).
    """
    kind = "article"
    if norm_title:
        for name, pattern in _KIND_PATTERNS:
            if pattern.search(norm_title):
                kind = name
                break
    if kind == "article" and record.title and CORRECTION_CITATION_RE.search(str(record.title)):
        kind = "erratum"
    types = {t.strip().lower() for t in record.publication_types}
    if record.record_type:
        types.add(record.record_type.strip().lower())
    for t in list(types):
        if t in ("erratum", "published erratum", "correction"):
            kind = "erratum"
        elif t in ("retraction of publication", "retraction notice", "retracted publication"):
            kind = "retraction" if t != "retracted publication" else kind
        elif t == "comment" and kind == "article":
            kind = "comment"
    venue: str | None = None
    if record.source == "ctgov" or "clinical trial registration" in types:
        venue = "registry"  # a trial's registration is never its publication
    elif types & _BOOK_TYPES:
        venue = "book"
    elif any(h in t for t in types for h in _PREPRINT_HINTS):
        venue = "preprint"
    elif types & _CONFERENCE_TYPES or any("congress" in t or "meeting abstract" in t for t in types):
        venue = "conference"
    elif types & _ARTICLE_TYPES:
        venue = "journal"
    return kind, venue
