"""Pair scoring and the decision rules.

A pair is first checked for *hard conflicts* (:func:`~evsynth.dedupe.conflicts.hard_conflicts`): any one
keeps the two records apart, whatever their titles say. Pairs without a
conflict are scored with rapidfuzz and decided by :func:`decide`, whose rules
are written so that a merge needs agreement beyond the title; pairs that look
alike but fail every merge rule go to the review list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from .conflicts import (
    SAME_TITLE,
    doi_fits_journal,
    hard_conflicts,
    misfiled_doi,
    outweighed_conflicts,
    same_citation,
    same_first_page,
    same_page_range,
    same_work_doi,
)
from .normalise import NormalisedRecord, journal_match, page_digits, significant_tokens

__all__ = ["PairDecision", "decide", "hard_conflicts", "same_work_doi", "title_similarity"]

#: Title similarity at or above which a pair is at least worth reviewing.
REVIEW_TITLE = 85.0


@dataclass(frozen=True)
class PairDecision:
    """Outcome of comparing two records.

    Attributes
    ----------
    decision : str
        ``merge``, ``review`` or ``apart``.
    rule : str
        The rule that fired (e.g. ``doi+title``, ``title+authors+year``,
        ``conflict:doi``).
    score : float
        Overall similarity in [0, 1].
    evidence : dict
        Fields compared, their values and scores.
    """

    decision: str
    rule: str
    score: float
    evidence: dict[str, Any]


def title_similarity(a: str | None, b: str | None) -> tuple[float, float]:
    """``(full, partial)`` similarity of two normalised titles (0-100).

    ``full`` is the better of rapidfuzz's ``ratio`` and ``token_sort_ratio``;
    ``partial`` compares the shorter title with the best-matching part of the
    longer (truncated titles, dropped subtitles); it is only computed when
    ``full`` is under :data:`SAME_TITLE`, and is 0 when the shorter is under
    30 characters, under half the longer, or nearly as long (a cut or
    dropped part makes it shorter).
    """
    if not a or not b:
        return 0.0, 0.0
    if a == b:
        return 100.0, 100.0
    full = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    partial = 0.0
    if full < SAME_TITLE and len(short) >= 30 and 0.5 * len(long_) <= len(short) <= 0.92 * len(long_):
        partial = fuzz.partial_ratio(short, long_)
    return float(full), float(partial)


def _author_evidence(a: NormalisedRecord, b: NormalisedRecord) -> dict[str, Any]:
    if not a.authors or not b.authors:
        return {"status": "missing", "first": None, "overlap": None}
    fa, fb = a.authors[0], b.authors[0]
    first_sim = fuzz.ratio(fa[0], fb[0])
    initials_ok = not fa[1] or not fb[1] or fa[1][0] == fb[1][0]
    # A particle kept in one surname only ("Il Cheong" / "Cheong", "Le Quintrec" / "Quintrec").
    particle = min(len(fa[0]), len(fb[0])) >= 4 and (fa[0].endswith(fb[0]) or fb[0].endswith(fa[0]))
    first = (first_sim >= 90 or particle) and initials_ok
    sa = {s for s, _ in a.authors}
    sb = {s for s, _ in b.authors}
    overlap = len(sa & sb) / min(len(sa), len(sb))
    swapped = _swapped_names(a.authors, b.authors)
    if first or (overlap >= 0.6 and min(len(sa), len(sb)) >= 2) or swapped:
        status = "match"
    elif overlap == 0 and first_sim < 60:
        status = "conflict"
    else:
        status = "weak"
    strong = status == "match" and (
        (overlap >= 0.8 and min(len(sa), len(sb)) >= 2)
        or (len(sa) == len(sb) == 1 and fa[1] == fb[1] and first)
    )
    out = {"status": status, "first": round(first_sim, 1), "overlap": round(overlap, 3),
           "strong": strong, "n": [len(a.authors), len(b.authors)]}
    if swapped and not first:
        out["names_swapped"] = True
    return out


def _swapped_names(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> bool:
    """Given name and surname swapped in one record ("Carignani, Andrea" / "Andrea, C.";
    "Wang, X." / "Xiaoguang, Wang"): the first author and most of the others, in order,
    each with the one's surname initial as the other's given-name initial and back."""
    if min(len(a), len(b)) < 2:
        return False

    def swap(x: tuple[str, str], y: tuple[str, str]) -> bool:
        return bool(x[0] and y[0] and x[1] and y[1]) and x[0][0] == y[1][0] and y[0][0] == x[1][0] \
            and x[0] != y[0]

    hits = [swap(x, y) for x, y in zip(a, b)]
    return hits[0] and sum(hits) >= 2 and sum(hits) >= 0.6 * min(len(a), len(b))


def _glued(a: str | None, b: str | None) -> set[str]:
    """Words of ``a`` that are two or three consecutive words of ``b`` written together."""
    tokens = (b or "").split()
    joined = {"".join(tokens[k:k + n]) for n in (2, 3) for k in range(len(tokens) - n + 1)}
    return {t for t in (a or "").split() if t in joined}


def _substituted_words(a: str | None, b: str | None) -> list[str]:
    """Words swapped between two titles ("in men" vs "in women"), typos aside.

    A word counts when each title has a word the other lacks and that is not
    a spelling variant (rapidfuzz ratio under 80) of any of the other's words.
    """
    ta = {t for t in significant_tokens(a) if not t.isdigit()}
    tb = {t for t in significant_tokens(b) if not t.isdigit()}
    # "p16ink4a" vs "p16 ink4a": a word glued in one title and split in the other is no swap.
    glued = _glued(a, b) | _glued(b, a)
    only_a = [t for t in ta - tb if not any(t in g for g in glued) and all(fuzz.ratio(t, u) < 80 for u in tb)]
    only_b = [t for t in tb - ta if not any(t in g for g in glued) and all(fuzz.ratio(t, u) < 80 for u in ta)]
    if only_a and only_b:
        return sorted(only_a) + sorted(only_b)
    return []


def _generic_differs(a: NormalisedRecord, b: NormalisedRecord) -> str | None:
    """What tells two items under one generic title apart: their page ranges or issues.

    Different issues keep a column ("Editor's Comments") apart whatever its
    pages; a short title ("Intrapleural therapy") whose whole page range
    agrees is one paper even if the issue fields differ (some exports put an
    accession number there).
    """
    if a.first_page and b.first_page and not same_first_page(a, b):
        return "pages"
    if (a.last_page and b.last_page and page_digits(a.last_page) != page_digits(b.last_page)
            and len(a.page_starts) <= 1 and len(b.page_starts) <= 1):
        return "pages"
    if a.issue and b.issue and a.issue != b.issue:
        same_range = bool(a.first_page and a.last_page and b.last_page)  # (ranges agree: checked above)
        if "column" in (a.generic, b.generic) or not same_range:
            return "issue"
    return None


def _identical(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """Every compared field equal, and at least one that pins an item (issue, pages, DOI, abstract)."""
    same = (a.title == b.title and a.authors == b.authors and a.year == b.year
            and a.journals == b.journals and a.volume == b.volume and a.issue == b.issue
            and a.first_page == b.first_page and a.last_page == b.last_page
            and a.doi == b.doi and a.abstract == b.abstract)
    return same and bool(a.issue or a.first_page or a.doi or a.abstract)


def _contained(a: str | None, b: str | None, min_words: int) -> str | None:
    """``"prefix"`` when the shorter title starts the longer (a subtitle dropped),
    ``"inside"`` when it is elsewhere in it (a topic label before it, a translated
    title after it), None otherwise; the shorter needs ``min_words`` significant words."""
    if not a or not b or a == b:
        return None
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(significant_tokens(short)) < min_words:
        return None
    if long_.startswith(short + " "):
        return "prefix"
    if f" {short} " in f" {long_} ":
        return "inside"
    return None


#: Words that make a lead-in name another item than the article whose title follows it
#: (an introduction to it, a review of it, a summary, an interview about it).
_OTHER_ITEM_WORDS = frozenset("""
    introduction introducing preface foreword editorial editor editors review reviews reviewed book
    books comment comments commentary response responses reply replies letter letters erratum
    corrigendum correction retraction retracted abstract abstracts summary summaries precis
    discussion discussant interview special issue section part supplement invited guest note
    notes re regarding on about
    protocol protocols design rationale plan analysis analyses secondary post hoc subgroup
    follow up long term results outcomes interim final preliminary extended extension update
    updated baseline pilot feasibility cost costs economic evaluation process qualitative
    correspondence highlights highlight brief briefs digest synopsis spotlight club pointer
    poster oral presentation rejoinder rebuttal reprint reprinted republished republication
    video visual infographic podcast plain lay executive
""".split())


#: Lead-in words that name an item about an article, never the article itself: a title
#: after one of them keeps even a near-identical title from merging.
_ABOUT_ITEM_WORDS = frozenset("""
    protocol protocols correspondence commentary comment comments letter letters reply replies
    response responses rejoinder rebuttal discussion discussant interview highlights highlight
    digest synopsis spotlight club infographic podcast video visual plain lay poster editorial
""".split())


#: Words naming which report of a study a title is: its protocol or analysis plan, a pilot
#: or feasibility study before it, a secondary, interim or follow-up report after it.
_REPORT_WORDS_RE = re.compile(r"\b(?:protocols?|pilot|feasibility|rationale|analysis plan|secondary analys[ie]s|"
                              r"post hoc|interim|follow ?up|extension study|open label extension)\b")


def _report_words(title: str | None) -> set[str]:
    """The report words of a normalised title ("study protocol" → {"protocol"})."""
    return {m.group(0).rstrip("s").replace(" ", "") for m in _REPORT_WORDS_RE.finditer(title or "")}


def _lead(a: str | None, b: str | None) -> list[str] | None:
    """The words before the shorter title (six or more significant words) when it ends the
    longer ("how i did it upwork s ceo on ..."), None when it does not."""
    if not a or not b or a == b:
        return None
    short, long_ = sorted((a, b), key=len)
    if len(significant_tokens(short)) < 6 or not long_.endswith(" " + short):
        return None
    return long_[: -len(short)].split()


def _lead_in(a: str | None, b: str | None) -> bool:
    """The shorter title ends the longer after a lead-in of at most five words naming
    no other item (a magazine's column name)."""
    lead = _lead(a, b)
    return lead is not None and 1 <= len(lead) <= 5 and not any(w in _OTHER_ITEM_WORDS for w in lead)


def _lead_names_other_item(a: str | None, b: str | None) -> bool:
    """The longer title is the shorter after a lead-in naming another item about it
    ("Protocol: <title>", "Correspondence: <title>", "Journal club: <title>")."""
    lead = _lead(a, b)
    return bool(lead) and len(lead) <= 5 and any(w in _ABOUT_ITEM_WORDS for w in lead)


def _citation_agrees(a: NormalisedRecord, b: NormalisedRecord, full: float) -> bool:
    """Same title, year, journal and first page (the authors are the caller's to compare)."""
    return (full >= SAME_TITLE and a.year is not None and a.year == b.year
            and bool(a.first_page) and page_digits(a.first_page) == page_digits(b.first_page)
            and bool(a.journals and b.journals)
            and any(journal_match(x, y) for x in a.journals for y in b.journals))


def decide(a: NormalisedRecord, b: NormalisedRecord, *, conflicts: list[str] | None = None) -> PairDecision:
    """Compare two records and decide: ``merge``, ``review`` or ``apart``.

    ``conflicts`` is :func:`hard_conflicts` of the pair when the caller has it already.
    """
    if conflicts is None:
        conflicts = hard_conflicts(a, b)
    full, partial = title_similarity(a.title, b.title)
    evidence: dict[str, Any] = {
        "title_similarity": round(full, 1),
        "title_partial": round(partial, 1),
        "doi": [a.doi, b.doi],
        "pmid": [a.pmid, b.pmid],
        "year": [a.year, b.year],
        "volume": [a.volume, b.volume],
        "first_page": [a.first_page, b.first_page],
        "journal": [" ".join(a.journals[0]) if a.journals else None,
                    " ".join(b.journals[0]) if b.journals else None],
    }
    if a.doi and b.doi and a.doi != b.doi and misfiled_doi(a, b):
        evidence["doi_misfiled"] = a.doi if doi_fits_journal(a.doi, a.journals) is False else b.doi
    if conflicts:
        evidence["conflicts"] = conflicts
        if conflicts == ["doi"] and _citation_agrees(a, b, full):
            authors = _author_evidence(a, b)
            if authors["status"] == "match":
                # Everything but the DOI agrees: kept apart, but a reviewer should see it
                # (one of the DOIs is likely an export error).
                evidence["authors"] = authors
                return PairDecision("review", "doi-conflict:citation-agrees", full / 100, evidence)
        return PairDecision("apart", "conflict:" + ",".join(conflicts), full / 100, evidence)

    authors = _author_evidence(a, b)
    evidence["authors"] = authors
    outweighed = outweighed_conflicts(a, b)
    if outweighed:
        # One text indexed twice (same title, abstract, authors and journal): a
        # journal's reprint under a new DOI, a notice carrying its article's abstract.
        evidence["outweighed_conflicts"] = outweighed
        return PairDecision("merge", "same-text", round(full / 100, 4), evidence)
    title_sim = max(full, partial if partial >= 97 else 0.0)
    if a.review_number and a.review_number == b.review_number:
        # Versions of one Cochrane review: its number is the identifier; the title may
        # have been reworded and the authors changed between updates.
        evidence["review_number"] = a.review_number
        if full >= 70 or title_sim >= 97 or authors["status"] == "match":
            return PairDecision("merge", "review-number+title", round(max(full, title_sim) / 100, 4), evidence)
        return PairDecision("review", "review-number-titles-differ", round(full / 100, 4), evidence)
    if (a.doi and b.doi and a.doi != b.doi and not same_work_doi(a.doi, b.doi) and not misfiled_doi(a, b)
            and same_citation(a, b)):
        # Different DOIs, but the whole citation agrees: one article under two DOIs.
        evidence["dois_differ"] = True
        return PairDecision("merge", "whole-citation:dois-differ", round(full / 100, 4), evidence)
    journals_known = bool(a.journals and b.journals)
    j_match = journals_known and any(journal_match(x, y) for x in a.journals for y in b.journals)
    conference = a.venue == "conference" or b.venue == "conference"
    # The same volume, also when one export wrote the series' name into the field
    # ("Current Topics in Behavioral Neurosciences. 4" / "4").
    v_match = bool(a.volume) and (a.volume == b.volume
                                  or (bool(a.volume_numbers) and a.volume_numbers == b.volume_numbers))
    p_match = same_first_page(a, b)
    # Same volume and first page outweigh differently written journal names.
    i_match = bool(a.issue) and a.issue == b.issue
    # ... and so do the same volume and issue under the same title (a journal's
    # name in its own language in one database, translated in another).
    j_mismatch = (journals_known and not j_match and not conference and not (v_match and p_match)
                  and not (v_match and i_match and full >= SAME_TITLE))
    same_year = a.year is not None and a.year == b.year
    abstract_sim = None
    if a.abstract and b.abstract:
        abstract_sim = float(fuzz.ratio(a.abstract, b.abstract))
    evidence.update({"journal_match": j_match if journals_known else None, "abstract_similarity":
                     None if abstract_sim is None else round(abstract_sim, 1)})
    bib_hits = int(j_match) + int(v_match) + int(p_match)
    score = _score(title_sim, authors, bib_hits, same_year)

    swapped = _substituted_words(a.title, b.title) if full < 100 else []
    if swapped:
        evidence["words_differ"] = swapped
    reports = _report_words(a.title) ^ _report_words(b.title)
    if reports:
        evidence["report_differs"] = sorted(reports)

    def out(decision: str, rule: str) -> PairDecision:
        # A swapped word ("men"/"women") with nothing pinning the citation
        # (same first page) may be a companion paper: review, do not merge.
        if decision == "merge" and swapped and not p_match and not rule.startswith(("doi", "pmid")):
            return PairDecision("review", "title-word-differs", round(score, 4), evidence)
        if decision == "merge" and not rule.startswith(("doi", "pmid")) and _lead_names_other_item(a.title, b.title):
            return PairDecision("review", "lead-in-names-another-item", round(score, 4), evidence)
        if decision == "merge" and reports and not (p_match and v_match) and not rule.startswith(("doi", "pmid")):
            return PairDecision("review", "report-differs", round(score, 4), evidence)
        return PairDecision(decision, rule, round(score, 4), evidence)

    same_id = (bool(a.doi) and a.doi == b.doi) or (bool(a.pmid) and a.pmid == b.pmid)
    id_name = "doi" if (a.doi and a.doi == b.doi) else "pmid"
    if not same_id and a.doi and b.doi and same_work_doi(a.doi, b.doi):
        same_id, id_name = True, "doi-version"
    no_title = not a.title or not b.title
    if same_id:
        if no_title:
            # One title missing: the identifier alone could be a supplement's DOI.
            if authors["status"] == "match" or p_match:
                return out("merge", f"{id_name}+authors" if authors["status"] == "match" else f"{id_name}+pages")
            return out("review", f"{id_name}-no-title")
        if full >= 90 or title_sim >= 97:
            return out("merge", f"{id_name}+title")
        if _contained(a.title, b.title, 4):
            # "Anxiety about data hacking" / "...: predictors and relations with ...";
            # a title followed by its translation in brackets.
            return out("merge", f"{id_name}+title-contained")
        if full >= 70 and authors["status"] == "match" and (a.year is None or b.year is None
                                                           or abs(a.year - b.year) <= 1):
            return out("merge", f"{id_name}+authors")
        return out("review", f"{id_name}-titles-differ")
    if no_title:
        return out("apart", "no-title")

    if authors["status"] == "conflict":
        # Group author in one database, first author in another: accept only
        # with the full citation agreeing.
        if full >= SAME_TITLE and same_year and p_match and v_match and j_match:
            return out("merge", "title+citation")
        if full >= SAME_TITLE:
            return out("review", "authors-differ")
        return out("apart", "authors-differ")
    generic = bool(a.generic or b.generic)
    year_ok = same_year or (a.year is not None and b.year is not None and p_match and v_match)
    citation = same_year and p_match and (v_match or j_match) and not j_mismatch
    if full >= SAME_TITLE and not generic:
        if citation and authors["status"] != "match":
            return out("merge", "title+citation")
        if authors["status"] == "match" and year_ok and not j_mismatch:
            if bib_hits >= 1 or conference or authors["strong"] or (abstract_sim or 0) >= 90:
                return out("merge", "title+authors+year")
            return out("review", "title+authors-only")
        if (authors.get("strong") and full >= 97 and not j_mismatch and not same_year
                and ((v_match and (i_match or (j_match and not (a.issue and b.issue))))
                     or (conference and j_match and not a.volume and not b.volume))):
            # A year apart with the same long title and authors, and the same volume and
            # issue, or the same journal and volume with an issue in one record only (one
            # of the years is wrong: an online-first year), or at the same conference (dated by the
            # meeting in one record, by its proceedings in the other). Not across two
            # conferences: a workshop paper and next year's conference paper are two. (A
            # thesis and its Dissertation Abstracts entry a year later are not merged
            # either: the labelled sets disagree on them.)
            return out("merge", "title+authors+adjacent-year")
        if authors["status"] == "missing" and year_ok and p_match and (v_match or j_match):
            return out("merge", "title+bibliographic")
        if (authors["status"] == "missing" and full == 100 and same_year and j_match and v_match
                and i_match and not a.first_page and not b.first_page):
            return out("merge", "title+issue")
        return out("review", "title-only")
    if title_sim >= REVIEW_TITLE and not generic:
        # A title that is only part of the other (a subtitle added: "...: long-term
        # follow-up") merges only with the first page agreeing.
        if (authors["status"] == "match" and year_ok and not j_mismatch
                and (p_match or (v_match and j_match and full >= 90) or (abstract_sim or 0) >= 95)):
            return out("merge", "fuzzy-title+authors+bibliographic")
        if authors.get("strong") and same_year and j_match and _lead_in(a.title, b.title):
            # "How I did it ... <title>": a magazine's column name before the whole title,
            # by the same authors in the same journal and year.
            return out("merge", "title-after-lead-in+authors+journal")
        return out("review", "similar-title")
    if generic and full >= SAME_TITLE:
        # One title in issue after issue ("Editor's Comments"): the issue or the
        # pages tell the items apart, and one of them must agree to merge.
        if _identical(a, b):
            return out("merge", "identical")
        differs = _generic_differs(a, b)
        if differs:
            evidence["generic_differs"] = differs
            return out("apart", f"generic-title:{differs}-differs")
        same_place = same_year and (j_match or v_match) and not j_mismatch
        if authors["status"] == "match" and year_ok and p_match and (v_match or j_match):
            return out("merge", "generic-title+bibliographic")
        # A whole supplement ("ESICON 2017 Abstracts"), or one editor's column:
        # same journal, volume and issue, and no pages to compare (the same
        # editor's column may give its pages in one record only).
        no_pages = not a.first_page and not b.first_page
        if (same_place and v_match and i_match and full == 100
                and ((no_pages and len(significant_tokens(a.title)) >= 3)
                     or (authors["status"] == "match" and not (a.first_page and b.first_page)))):
            return out("merge", "generic-title+issue")
        return out("review", "generic-title")
    if (authors["status"] == "match" and same_year and not j_mismatch and same_page_range(a, b)
            and _contained(a.title, b.title, 2)):
        # "Infrastructure in the wild" / "Infrastructure in the wild: what mapping ...
        # reveals": a subtitle dropped, the page range the same.
        return out("merge", "title-contained+authors+pages")
    if (authors["status"] == "match" and (full >= 50 or i_match) and same_year and v_match and j_match
            and not conference and same_page_range(a, b)):
        # A translated or shortened title: the whole citation, page range included, agrees.
        # Not for conference records, nor for ranges as long as a whole supplement
        # (same_page_range), where one group's abstracts can share the range.
        return out("merge", "citation+authors")
    return out("apart", "dissimilar")


def _score(title_sim: float, authors: dict[str, Any], bib_hits: int, same_year: bool) -> float:
    parts = [title_sim / 100]
    if authors["status"] != "missing":
        parts.append(max(authors["first"] or 0, 100 * (authors["overlap"] or 0)) / 100)
    parts.append(bib_hits / 3)
    parts.append(1.0 if same_year else 0.0)
    weights = [0.5, 0.2, 0.2, 0.1][: len(parts)] if len(parts) == 4 else [0.6, 0.25, 0.15]
    return sum(w * p for w, p in zip(weights, parts)) / sum(weights)
