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

__all__ = ["generic_title", "record_kind"]


_KIND_PATTERNS = (
    # A retraction, a withdrawal, or an expression of concern: a warning about the article.
    ("retraction", re.compile(r"^(?:retraction|retracted|notice of retraction|withdrawn|"
                              r"expression of concern|editorial expression of concern)\b")),
    ("erratum", re.compile(r"^(?:errat\w*|corrigend\w*|correction|corrections|publisher s note)\b|"
                           r"\b(?:erratum|corrigendum)\b")),
    ("reply", re.compile(r"^(?:reply|in reply|author s reply|authors reply|the authors reply)\b|"
                         r"\breply to\b|^(?:a |the )?response to\b|\bresponse to (?:the )?(?:comments?|letter|"
                         r"criticism|critique|commentary|editorial|correspondence)\b")),
    ("comment", re.compile(r"^(?:comment|commentary|letter|editorial comment)\b|\bcomment on\b|"
                           r"\bcomments on\b|^(?:invited|expert|editorial|clinical) comment(?:ary)?\b")),
)
#: Kinds told by the title's punctuation, which normalising removes: a reply after the
#: title it answers ("<title>. Reply", "<title> - Authors' reply", "<title> [reply]"), a
#: label and a colon before it ("Re: <title>", "Correspondence: <title>", "Author response:",
#: "Withdrawal:", "Addendum:"), where the bare word may open an article's own title
#: ("Withdrawal of ...", "Correspondence analysis of ...").
_AUTHORS = r"(?:the\s+)?authors?['\u2019]?s?['\u2019]?\s+"  # "authors' ", "author's ", "the authors "
_RAW_KIND_PATTERNS = (
    ("retraction", re.compile(r"^\W*(?:notice\s+of\s+)?withdrawal\s*(?:notice\s*)?:", re.IGNORECASE)),
    ("erratum", re.compile(r"^\W*(?:addendum|clarification)\s*:", re.IGNORECASE)),
    ("reply", re.compile(r"(?:[.:;,\u2013\u2014]|\s-)\s*(?:" + _AUTHORS + r")?(?:reply|response)\s*\.?\s*$"
                         r"|\[\s*(?:" + _AUTHORS + r")?reply\s*\]\s*\.?\s*$"
                         r"|^\W*(?:" + _AUTHORS + r"(?:response|rejoinder)|in\s+response"
                         r"|response\s+from\s+the\s+authors?|rejoinder)\b", re.IGNORECASE)),
    ("comment", re.compile(r"^\W*(?:re|correspondence|readers?['\u2019]?s?['\u2019]?\s+letter)\s*:",
                           re.IGNORECASE)),
)
_CONFERENCE_TYPES = frozenset({
    "inproceedings", "conference", "proceedings", "conf", "cpaper", "abst", "conference abstract",
    "conference paper", "meeting abstract", "congress", "conference proceeding",
    "conference review",
})
_ARTICLE_TYPES = frozenset({"article", "jour", "journal article", "ejour", "review"})
_BOOK_TYPES = frozenset({"chap", "book", "inbook", "incollection", "book chapter", "book section", "edbook"})
_PREPRINT_HINTS = ("preprint", "posted content")
_THESIS_TYPES = frozenset({"thes", "thesis", "phdthesis", "mastersthesis", "dissertation", "dissertation/thesis"})
# A thesis's degree where a journal's volume would be ("Ph.D."), or the journal that
# indexes dissertations ("Dissertation Abstracts International: Section B ...").
_DEGREE_RE = re.compile(r"^(?:ph\.?\s?d\.?|d\.?\s?phil\.?|m\.?\s?sc?\.?|m\.?\s?a\.?|m\.?\s?phil\.?|ed\.?\s?d\.?|"
                        r"psy\.?\s?d\.?|dr\.?\s?ph\.?|doctoral|masters?|thesis|dissertation)$", re.IGNORECASE)
_THESIS_JOURNAL_RE = re.compile(r"^\s*(?:dissertation abstracts|proquest dissertations|masters abstracts)", re.IGNORECASE)


def record_kind(record: Record, norm_title: str | None) -> tuple[str, str | None]:
    """``(kind, venue)`` of a record: kind from its title; venue from its type.

    kind is one of ``retraction`` (also a withdrawal or an expression of concern:
    a warning about the article), ``erratum``, ``reply``, ``comment`` or
    ``article``; venue is ``registry`` (a ClinicalTrials.gov record), ``thesis``,
    ``book``, ``preprint``, ``conference``, ``journal`` or ``None`` (unknown).
    """
    kind = "article"
    if norm_title:
        for name, pattern in _KIND_PATTERNS:
            if pattern.search(norm_title):
                kind = name
                break
    if kind == "article" and record.title and CORRECTION_CITATION_RE.search(str(record.title)):
        kind = "erratum"
    if kind == "article" and record.title:
        kind = next((name for name, pattern in _RAW_KIND_PATTERNS if pattern.search(str(record.title))), kind)
    types = {t.strip().lower() for t in record.publication_types}
    if record.record_type:
        types.add(record.record_type.strip().lower())
    for t in list(types):
        if t in ("erratum", "published erratum", "correction"):
            kind = "erratum"
        elif t in ("retraction of publication", "retraction notice", "retracted publication",
                   "expression of concern"):
            kind = "retraction" if t != "retracted publication" else kind
        elif t == "comment" and kind == "article":
            kind = "comment"
    venue: str | None = None
    if record.source == "ctgov" or "clinical trial registration" in types:
        venue = "registry"  # a trial's registration is never its publication
    elif (types & _THESIS_TYPES or _THESIS_JOURNAL_RE.match(record.journal or "")
          or _DEGREE_RE.match((record.volume or "").strip())):
        venue = "thesis"  # the thesis, or its abstract in Dissertation Abstracts
    elif types & _BOOK_TYPES:
        venue = "book"
    elif any(h in t for t in types for h in _PREPRINT_HINTS):
        venue = "preprint"
    elif types & _CONFERENCE_TYPES or any("congress" in t or "meeting abstract" in t for t in types):
        venue = "conference"
    elif types & _ARTICLE_TYPES:
        venue = "journal"
    return kind, venue


#: Words of the recurring items a journal prints under one title in issue after
#: issue ("Editor's Comments", "Remarks from the Editor", "Nursing news",
#: "Editorial Notes", "In this issue", "Letters"): a title made of these words
#: only (besides the journal's own name, dates and numbers) names a column, not
#: a paper.
_COLUMN_WORDS = frozenset("""
    editor editors editorial editorials s comment comments remark remarks note notes news
    introduction introductory preface foreword message messages president presidents chair
    chairs column columns corner letter letters this issue issues our year words word welcome
    update updates highlights announcement announcements calendar events reviewers
    acknowledgement acknowledgements acknowledgment acknowledgments thanks obituary memoriam
    abstracts guest special section index contents overview notice notices bulletin digest
    briefs brief information authors instructions new associate board volume vol no number
    quarterly monthly annual current today
""".split())
_DATE_WORDS = frozenset("""
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec spring summer fall autumn winter
""".split())
_JOURNAL_STOPWORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "la", "et"})
#: A title shorter than this, or with fewer than three significant words, is generic.
_SHORT_TITLE = 25


def generic_title(tokens: list[str], title: str | None,
                  journals: tuple[tuple[str, ...], ...] = ()) -> str | None:
    """Whether a title is too generic to identify a paper by itself, and how.

    ``"column"`` for the title of a recurring item: every significant word
    is a word of recurring items (see ``_COLUMN_WORDS``), a date, a number,
    or a word or the initials of the record's journal ("Remarks from MIS
    Quarterly Editor - Editor's Comments", "ISJ Editorial", "Nursing news").
    ``"short"`` for other short titles (under 25 characters or fewer than
    three significant words: "Intrapleural therapy"). ``None`` otherwise.

    Parameters
    ----------
    tokens : list of str
        Significant words of the normalised title.
    title : str or None
        The normalised title.
    journals : tuple of tuple of str
        Normalised journal name variants of the record.
    """
    if not title:
        return None
    journal_words: set[str] = set()
    for words in journals:
        journal_words.update(words)
        journal_words.add("".join(w[0] for w in words if w not in _JOURNAL_STOPWORDS and w))
    if all(t in _COLUMN_WORDS or t in _DATE_WORDS or t in journal_words or t.isdigit()
           for t in tokens):
        return "column"
    if len(tokens) < 3 or len(title) < _SHORT_TITLE:
        return "short"
    return None
