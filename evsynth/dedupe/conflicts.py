"""Hard conflicts: what keeps two records apart whatever their titles say.

:func:`hard_conflicts` lists the reasons (conflicting DOIs or PMIDs, years
more than one apart, different volumes or pages, another kind of record or
venue, series numbers); :func:`evsynth.dedupe.score.decide` never merges a
pair with one, and clustering never puts two such records together. Written
with the exceptions real exports need: a DOI of another journal beside one
that fits (a database's error), versions of one Cochrane review, an article
number against a page count under one DOI, a meeting abstract and its paper
in one volume.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from .normalise import NormalisedRecord, journal_match, page_digits

__all__ = [
    "SAME_TITLE",
    "doi_fits_journal",
    "hard_conflicts",
    "misfiled_doi",
    "outweighed_conflicts",
    "same_citation",
    "same_first_page",
    "same_page_range",
    "same_text",
    "same_work_doi",
]

#: Title similarity (0-100) at or above which titles count as the same.
SAME_TITLE = 95.0
#: Longest page range taken as one article's (a longer one may be a whole supplement's).
_ARTICLE_PAGES = 60


_VERSION_RE = re.compile(r"\.pub\d+$")


def same_work_doi(a: str, b: str) -> bool:
    """Two DOIs of versions of one work: a Cochrane review and its update
    (``10.1002/14651858.CD002273.pub2`` / ``.pub3``)."""
    return _VERSION_RE.sub("", a) == _VERSION_RE.sub("", b)


#: A journal's code inside its DOIs: "10.1016/j.appet.2012.05.003", "10.1002/dmrr.2604".
_DOI_CODE_RE = re.compile(r"^10\.\d{4,9}/(?:j\.)?([a-z]{3,12})\.\w")


def _subsequence(code: str, text: str) -> bool:
    it = iter(text)
    return all(c in it for c in code)


def doi_fits_journal(doi: str | None, journals: tuple[tuple[str, ...], ...]) -> bool | None:
    """Whether a DOI's journal code fits the record's journal (None: cannot tell).

    The code fits when it starts with the journal's first letter and its
    letters occur in order in the journal's name ("appet" in "appetite",
    "dmrr" in "diabetes metabolism research reviews").
    """
    m = _DOI_CODE_RE.match(doi or "")
    if not m or not journals:
        return None
    code = m.group(1)
    return any(words and code[0] == words[0][0] and _subsequence(code, "".join(words)) for words in journals)


def misfiled_doi(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """One record's DOI names another journal than the record, the other's names its own:
    the first DOI is a database's error (a companion abstract's DOI), not a conflict."""
    fa, fb = doi_fits_journal(a.doi, a.journals), doi_fits_journal(b.doi, b.journals)
    return {fa, fb} == {True, False}


def _volume_conflict(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    # "61 Suppl. 1" may be exported as volume "1" elsewhere: conflict only when
    # the two fields share no number at all.
    if not a.volume or not b.volume or a.volume == b.volume:
        return False
    if a.volume == str(a.year) or b.volume == str(b.year):
        return False  # the year put in the volume field (magazines without volumes)
    if a.volume_numbers and b.volume_numbers:
        return not set(a.volume_numbers) & set(b.volume_numbers)
    return False


def same_first_page(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """Same first page, or a shared one when a record lists several ranges."""
    if a.first_page and b.first_page:
        da = page_digits(a.first_page)
        if a.first_page == b.first_page or (da is not None and da == page_digits(b.first_page)):
            return True  # (a page without digits, "iii", matches only itself)
    if len(a.page_starts) > 1 or len(b.page_starts) > 1:
        starts_a = a.page_starts or (page_digits(a.first_page),)
        starts_b = b.page_starts or (page_digits(b.first_page),)
        return bool(set(starts_a) & set(starts_b) - {None})
    return False


def same_page_range(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """Both records give the same range of several pages ("280-284"), shorter than a supplement."""
    first, last = page_digits(a.first_page), page_digits(a.last_page)
    return (bool(first and last) and first.isdigit() and last.isdigit()
            and 0 < int(last) - int(first) <= _ARTICLE_PAGES
            and (first, last) == (page_digits(b.first_page), page_digits(b.last_page)))


def _page_conflict(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    first_a, first_b = a.first_page, b.first_page
    if first_a and first_b and (len(a.page_starts) > 1 or len(b.page_starts) > 1):
        return not same_first_page(a, b)  # "230-5, 246-51" (two languages) vs "246-51"
    if not first_a or not first_b or first_a == first_b:
        return False
    da, db = page_digits(first_a), page_digits(first_b)
    if not da or not db:
        return False  # a page without digits ("Suppl") cannot contradict
    if da == db:
        return False
    # An article number as the pages in one export and as the issue in the other
    # ("8, 15193" / "8(15193), 1-12"): the other's pages count the article's own.
    if (len(da) >= 4 and da == page_digits(b.issue)) or (len(db) >= 4 and db == page_digits(a.issue)):
        return False
    # An electronic locator ("e12724", "c1804") and a page number do not compare.
    if first_a[0].isalpha() != first_b[0].isalpha() and (len(da) >= 4 or len(db) >= 4):
        return False
    last_a, last_b = page_digits(a.last_page), page_digits(b.last_page)
    # "359" vs "356-359": one source gives the last page only.
    if (not a.last_page and da == last_b) or (not b.last_page and db == last_a):
        return False
    # Same last page of a range: the first pages differ by a typo ("S3-89" vs "S78-S89").
    if last_a and last_b and last_a == last_b:
        return False
    return True


def _one_page(r: NormalisedRecord) -> bool:
    return bool(r.first_page) and (not r.last_page or page_digits(r.last_page) == page_digits(r.first_page))


def _abstract_and_paper(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """A one-page meeting abstract and the full paper under the same title, in other
    issues of the same volume of the same journal, by the same authors."""
    paper = b if _one_page(a) else a
    first, last = page_digits(paper.first_page), page_digits(paper.last_page)
    if not (first and last and first.isdigit() and last.isdigit() and int(last) - int(first) >= 2):
        return False  # the paper's pages: a range of three or more
    return (_one_page(a) != _one_page(b) and bool(a.volume) and a.volume == b.volume and a.year == b.year
            and bool(a.issue and b.issue) and a.issue != b.issue and a.kind == b.kind == "article"
            and not (a.generic or b.generic) and _same_journal(a, b) and _same_title_and_authors(a, b))


def _same_title_and_authors(a: NormalisedRecord, b: NormalisedRecord, title_ratio: float = 97) -> bool:
    """Nearly the same title (ratio >= ``title_ratio``) and at least two authors, mostly the same."""
    if not (a.title and b.title) or fuzz.ratio(a.title, b.title) < title_ratio:
        return False
    sa, sb = {s for s, _ in a.authors}, {s for s, _ in b.authors}
    return min(len(sa), len(sb)) >= 2 and len(sa & sb) / min(len(sa), len(sb)) >= 0.8


def _same_journal(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    return bool(a.journals and b.journals) and any(journal_match(x, y) for x in a.journals for y in b.journals)


def _supplement_as_volume(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """One meeting abstract, its supplement's number in one record's volume field
    ("17" / "1" for volume 17, supplement 1): the same one page, year, journal,
    title and authors, and neither record with an issue to tell more."""
    if a.issue or b.issue or not (_one_page(a) and _one_page(b)) or a.first_page != b.first_page:
        return False
    va, vb = (int(v) if v and v.isdigit() else None for v in (a.volume, b.volume))
    if va is None or vb is None or min(va, vb) > 12:
        return False
    return (a.year is not None and a.year == b.year and a.kind == b.kind == "article"
            and not (a.generic or b.generic) and _same_journal(a, b) and _same_title_and_authors(a, b))


def _one_supplement(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """Meeting abstracts on lettered pages ("e8-e9" / "e3") of one issue, same title and
    authors: one abstract whose page one database got wrong."""
    lettered = all(r.first_page and r.first_page[0].isalpha() for r in (a, b))
    return (lettered and bool(a.volume) and a.volume == b.volume and bool(a.issue) and a.issue == b.issue
            and a.year == b.year and a.kind == b.kind == "article" and not (a.generic or b.generic)
            and _same_journal(a, b) and _same_title_and_authors(a, b))


def _strong_authors(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """The same author list: two or more surnames, nearly all shared, the first author's
    the same; or one author, with the same surname and initials."""
    if not a.authors or not b.authors or a.authors[0][0] != b.authors[0][0]:
        return False
    sa, sb = {s for s, _ in a.authors}, {s for s, _ in b.authors}
    if len(sa) == len(sb) == 1:
        return bool(a.authors[0][1]) and a.authors[0][1] == b.authors[0][1]
    return min(len(sa), len(sb)) >= 2 and len(sa & sb) / min(len(sa), len(sb)) >= 0.8


def _e_locator(page: str | None) -> bool:
    """An electronic article number ("e000457", "CD006828"), unique within a journal."""
    digits = page_digits(page)
    return bool(page) and page[0].isalpha() and digits is not None and len(digits) >= 4


def same_citation(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """The whole citation agrees: nearly the same title (ratio >= 97), the same author
    list, year, journal, volume, issue, and page range (an article's, not a
    supplement's) or electronic article number.

    Two records that agree on all of this are one article even when their DOIs
    differ: a publisher's legacy DOI beside its current one
    ("10.1089/1092642042728094" / "10.1089/lap.2004.14.380"), another prefix
    for the same suffix, or a mistyped DOI.
    """
    if not (a.title and b.title) or fuzz.ratio(a.title, b.title) < 97:
        return False
    if a.year is None or a.year != b.year or a.kind != b.kind or a.generic or b.generic:
        return False
    if not (a.volume and a.volume == b.volume and a.issue and a.issue == b.issue):
        return False
    pages = same_page_range(a, b) or (
        _e_locator(a.first_page) and a.first_page == b.first_page and not a.last_page and not b.last_page)
    return pages and _same_journal(a, b) and _strong_authors(a, b)


#: Normalised abstract length (characters) from which two equal abstracts count as one text.
_SAME_ABSTRACT = 300
#: Similarity (rapidfuzz ratio) from which two abstracts count as one (a word spelt
#: differently, "alpha1a" / "alpha 1a").
_SAME_ABSTRACT_RATIO = 97
#: Conflicts that an identical text (title, abstract, authors, journal) outweighs.
_TEXT_OUTWEIGHS = frozenset({"doi", "volume", "pages", "kind"})


def same_text(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """One text indexed twice: the same long abstract (300 normalised characters or
    more, nearly identical: ratio >= 97), the same author list and journal, and the
    same title (ratio >= 97) or, for an erratum beside its article, one title inside
    the other with six or more significant words.

    A journal that printed an article twice (two DOIs, volumes and page
    ranges), or an erratum that carries its article's abstract ("Erratum to: ...")
    is still one text; distinct papers do not share a title, an author list and
    an abstract. A retraction notice, a comment or a reply is never one text with
    the article, whatever it copies: a reviewer must see it.
    """
    if a.kind != b.kind and {a.kind, b.kind} != {"article", "erratum"}:
        return False
    if not (a.abstract and b.abstract and min(len(a.abstract), len(b.abstract)) >= _SAME_ABSTRACT):
        return False
    if a.abstract != b.abstract and fuzz.ratio(a.abstract, b.abstract) < _SAME_ABSTRACT_RATIO:
        return False
    if not (a.title and b.title):
        return False
    if a.title != b.title and fuzz.ratio(a.title, b.title) < 97:
        # One title inside the other: a notice's ("Erratum to: <title>"). Between two
        # articles the added words name another paper ("<title>: cost-effectiveness
        # analysis", "<title>. II. Twelve-month follow-up") whatever abstract a database gave it.
        short, long_ = sorted((a.title, b.title), key=len)
        if f" {short} " not in f" {long_} " or len(short.split()) < 6 or a.kind == b.kind:
            return False
    return _same_journal(a, b) and _strong_authors(a, b)


def _supplement(r: NormalisedRecord) -> bool:
    """A supplement's issue ("Suppl 1", "S2") or volume ("16 Suppl 1")."""
    return bool(r.issue and r.issue[0] == "s") or len(r.volume_numbers) > 1


#: Longest page range that pins one journal article (a longer one may be a supplement's).
_PINNING_PAGES = 30


def _pinned_by_citation(a: NormalisedRecord, b: NormalisedRecord) -> bool:
    """Nearly the same title and authors in the same journal, year, volume and page range
    (an article's): a number that differs in the title is a typo ("p6INK4a" / "p16(INK4a)"),
    as two parts of a series never share their pages.

    Not when the shared range may belong to many items: a meeting abstract (the
    supplement's whole range, "1-58", given to each of its abstracts: "HPV16" and
    "HPV18" abstracts of one group), a supplement issue or lettered pages ("S1-S24"),
    a range longer than 30 pages, or pages counted from 1 (an online journal numbers
    each article from page 1), or two issues (a journal that paginates each issue anew
    prints one range in several). Nor when a title names its part ("part 1" / "part 2"), or
    the two records give different abstracts.
    """
    if a.series or b.series or "conference" in (a.venue, b.venue) or _supplement(a) or _supplement(b):
        return False
    first, last = page_digits(a.first_page), page_digits(a.last_page)
    if not (first and last and first.isdigit() and last.isdigit() and a.first_page.isdigit()):
        return False
    if int(first) == 1 or int(last) - int(first) > _PINNING_PAGES:
        return False
    if a.issue and b.issue and a.issue != b.issue:
        return False  # a journal paginating each issue from 1 prints one range in every issue
    if a.abstract and b.abstract and fuzz.ratio(a.abstract, b.abstract) < 90:
        return False  # two abstracts: two items (an issue's abstract section given its range)
    return (bool(a.volume) and a.volume == b.volume and a.year is not None and a.year == b.year
            and same_page_range(a, b) and _same_journal(a, b) and _same_title_and_authors(a, b, 95))


_LOOKALIKE = str.maketrans("10", "lo")
_MIXED_RE = re.compile(r"\b(?=\w*[a-z])(?=\w*\d)\w+\b")


def _misread_digits(a: str | None, b: str | None) -> bool:
    """The titles differ only by a digit read for a look-alike letter inside a word
    ("va1108158met" / "val108158met", "c0x" / "cox"): a typo, not another number."""
    if not a or not b or a == b:
        return False

    def fold(t: str) -> str:
        return _MIXED_RE.sub(lambda m: m.group(0).translate(_LOOKALIKE), t)

    return fold(a) == fold(b)


def _page_typo(a: str | None, b: str | None) -> bool:
    da, db = page_digits(a), page_digits(b)
    if not da or not db or len(da) == len(db):
        return False
    short, long_ = sorted((da, db), key=len)
    return len(long_) - len(short) == 1 and long_.endswith(short)


def hard_conflicts(a: NormalisedRecord, b: NormalisedRecord) -> list[str]:
    """Reasons that keep two records apart (empty when there is none).

    Conflicting DOIs, distinct PMIDs, years more than one apart, different
    volumes or first pages, a different kind of record (erratum, comment,
    reply, retraction vs article; conference vs journal), and series papers
    (different numbers in the titles, or a part number in one only).
    Records without title and DOI conflict with everything.

    Two records of one Cochrane review (the same review number) do not
    conflict by year, volume, pages or DOI: they are versions of one review;
    two review numbers always conflict (``review-number``).

    Two exceptions: different DOIs do not conflict when the whole citation
    agrees (:func:`same_citation`), and conflicting DOIs, volumes, pages or
    kinds do not when both records are one text (:func:`same_text`; see
    :func:`outweighed_conflicts`).
    """
    out = _conflicts(a, b)
    if _text_outweighs(out) and same_text(a, b):
        return []
    return out


def _text_outweighs(conflicts: list[str]) -> bool:
    """Whether one text (:func:`same_text`) can outweigh these conflicts: DOIs, volumes,
    pages and kinds (an erratum's beside its article: :func:`same_text` takes no other
    kind, so a retraction or withdrawal notice, a comment or a reply is never merged away)."""
    return bool(conflicts) and set(conflicts) <= _TEXT_OUTWEIGHS


def outweighed_conflicts(a: NormalisedRecord, b: NormalisedRecord) -> list[str]:
    """The conflicts a pair would have but for being one text (:func:`same_text`); empty otherwise."""
    if not same_text(a, b):
        return []
    out = _conflicts(a, b)
    return out if _text_outweighs(out) else []


#: What versions of one Cochrane review differ in: their years, issues, DOIs, pages.
_VERSIONS_DIFFER_IN = frozenset({"doi", "year", "volume", "pages"})


def _conflicts(a: NormalisedRecord, b: NormalisedRecord) -> list[str]:
    if a.review_number and b.review_number:
        if a.review_number != b.review_number:
            return ["review-number"]  # two Cochrane reviews, whatever their titles
        return [c for c in _citation_conflicts(a, b) if c not in _VERSIONS_DIFFER_IN]
    return _citation_conflicts(a, b)


def _citation_conflicts(a: NormalisedRecord, b: NormalisedRecord) -> list[str]:
    out: list[str] = []
    if not a.comparable or not b.comparable:
        out.append("no-title-no-doi")
    if (a.doi and b.doi and a.doi != b.doi and not same_work_doi(a.doi, b.doi) and not misfiled_doi(a, b)
            and not same_citation(a, b)):
        out.append("doi")
    if a.pmid and b.pmid and a.pmid != b.pmid:
        out.append("pmid")
    if a.year and b.year and abs(a.year - b.year) > 1:
        out.append("year")
    # One DOI names one publication: with the same DOI, a differently written
    # volume or a mistyped page ("i428" vs "1428") is an export error. Pages
    # still count: abstracts of one supplement can share its DOI.
    same_doi = bool(a.doi) and a.doi == b.doi
    same_doi_title = 0.0
    if same_doi:
        # ... unless the titles differ too (a supplement's DOI given to each abstract),
        # or the journal, volume and pages all differ (the DOI of the paper copied onto
        # a meeting abstract of the same title in another journal).
        same_doi_title = fuzz.ratio(a.title, b.title) if a.title and b.title else 0.0
        elsewhere = (bool(a.journals and b.journals) and not _same_journal(a, b)
                     and _volume_conflict(a, b) and _page_conflict(a, b))
        same_doi = same_doi_title >= 90 and not elsewhere
    if _volume_conflict(a, b) and not same_doi and not _supplement_as_volume(a, b):
        out.append("volume")
    # With one DOI and one title, differently given pages are an export's way of writing
    # them (an article number in one, a page count in the other).
    if (_page_conflict(a, b) and not (same_doi and (_page_typo(a.first_page, b.first_page)
                                                    or same_doi_title >= SAME_TITLE))
            and not _abstract_and_paper(a, b) and not _one_supplement(a, b)):
        out.append("pages")
    if a.kind != b.kind:
        out.append("kind")
    registry = (a.venue == "registry") != (b.venue == "registry")
    proceedings = {a.venue, b.venue} == {"book", "conference"}  # proceedings are published as books
    if registry or (a.venue and b.venue and a.venue != b.venue and not same_doi and not proceedings):
        out.append("venue")
    if a.numbers != b.numbers and not _misread_digits(a.title, b.title) and not _pinned_by_citation(a, b):
        sa, sb = set(a.numbers), set(b.numbers)
        if (sa and sb and not (sa <= sb or sb <= sa)) or a.series or b.series:
            out.append("title-numbers")
    return out
