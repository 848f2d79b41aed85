"""Fast path of :mod:`evsynth.sources.pubmed_xml` (private).

:func:`build_records` runs one XSLT 1.0 stylesheet (in C) over a batch of
``PubmedArticle`` elements: one line of text per record field, split and
assembled in Python. The records are exactly those of the straightforward
Python builder in :mod:`~evsynth.sources.pubmed_xml` (``_article_record``),
which stays the reference and the fallback. ``normalize-space()`` only
collapses ASCII whitespace whereas Python's ``str.split()`` also splits on
U+00A0 and friends, so the strings of a record holding such whitespace are
collapsed again in Python; where the stylesheet already chose a value by its
emptiness (author names, ids), or a raw attribute value holds a separator, the
record is left to the Python builder.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from lxml import etree

from ..models import Record

# ---------------------------------------------------------------------------
# shared string helpers (the reference builder uses them too)

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def year_from_parts(year: str | None, medline: str | None, month: str | None, season: str | None,
                    day: str | None) -> tuple[int | None, str | None]:
    """Year and the date as PubMed printed it, from a ``PubDate``'s (normalised) parts."""
    parts = [p for p in (year, month, season, day) if p]
    shown = medline or (" ".join(parts) if parts else None)
    m = _YEAR.search(year or medline or "")
    return (int(m.group(1)) if m else None), shown


def iso_from_parts(y: str | None, month: str | None, day: str | None) -> str | None:
    """``YYYY-MM-DD`` (or shorter) from a ``PubMedPubDate``'s (normalised) parts."""
    if not y or not y.isdigit():
        return None
    month = month or ""
    mo = int(month) if month.isdigit() else _MONTHS.get(month[:3].lower(), 0)
    day = day or ""
    d = int(day) if day.isdigit() else 0
    if not mo:
        return y
    return f"{int(y):04d}-{mo:02d}-{d:02d}" if d else f"{int(y):04d}-{mo:02d}"


# ---------------------------------------------------------------------------
# XSLT record extraction

def _ns(expr: str) -> str:
    return f"normalize-space({expr})"


def _value(*exprs: str, sep: str = "&#9;") -> str:
    joined = f", '{sep}', ".join(exprs)
    return f'<xsl:value-of select="concat({joined})"/>'


def _group(select: str, *exprs: str, context: str = "") -> str:
    """One line: the parts (TAB-separated) of the first ``select`` node, empty without one.

    ``context``, if given, is selected first (XPath 1.0 steps cannot be parenthesised).
    """
    line = f'<xsl:for-each select="{select}">{_value(*exprs)}</xsl:for-each>'
    if context:
        line = f'<xsl:for-each select="{context}">{line}</xsl:for-each>'
    return line + _NL


def _items(select: str) -> str:
    """One line: every ``select`` node's normalised text, each followed by a TAB."""
    return f'<xsl:for-each select="{select}"><xsl:value-of select="concat({_ns(".")}, \'&#9;\')"/></xsl:for-each>{_NL}'


def _when(part: str, body: str, tab: bool = True) -> str:
    """``xsl:when`` the (last) ``part`` child has text: ``body``, then a TAB ending the item."""
    return (f'<xsl:when test="{part}{_LAST}[normalize-space()]">{body}'
            + ("<xsl:text>&#9;</xsl:text>" if tab else "") + "</xsl:when>")


def _first_id(kind: str) -> str:
    return _ns(f"ArticleId[@IdType='{kind}'][normalize-space() != '']")


_NL = "<xsl:text>&#10;</xsl:text>"
_ENTRY = ("(PubMedPubDate[@PubStatus='entrez']"
          " | PubMedPubDate[@PubStatus='pubmed'][not(../PubMedPubDate[@PubStatus='entrez'])])[1]")
_LAST = "[last()]"  # Python's dict of an Author's name parts keeps the last of each
#: For each of the first ``$n`` ``PubmedArticle`` children of the root: :data:`_FIELDS` lines
#: (see :func:`_record_from`), computed in the context of ``MedlineCitation[1]/Article[1]`` with
#: the Python builder's semantics (first child of each name, the last of each author name part),
#: then U+E000 and a line break. Values are ``normalize-space()``-d except the raw attributes
#: ``Status`` and ``Label`` (whose TAB and CR become U+E001); items end with a TAB, parts within
#: an item are split by CR.
_STYLESHEET = (
    '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    '<xsl:output method="text" encoding="UTF-8"/><xsl:param name="n" select="0"/>'
    '<xsl:template match="/"><xsl:for-each select="*/PubmedArticle[position() &lt;= $n]">'
    '<xsl:for-each select="MedlineCitation[1]/Article[1]">'
    + _value(_ns("../PMID"), _ns("ArticleTitle"), _ns("VernacularTitle"), "string(../@Status)",
             _ns("ArticleDate[1]/Year"), _ns("ELocationID[@EIdType='doi' and not(@ValidYN='N')]"), sep="&#10;")
    + _NL
    + _group("Journal[1]", _ns("Title"), _ns("ISOAbbreviation"))
    + _group("Journal[1]/JournalIssue[1]", _ns("Volume"), _ns("Issue"))
    + _group("Journal[1]/JournalIssue[1]/PubDate[1]", _ns("Year"), _ns("MedlineDate"), _ns("Month"),
             _ns("Season"), _ns("Day"))
    + _items("Journal[1]/ISSN")
    + _group("../MedlineJournalInfo[1]", _ns("MedlineTA"), _ns("ISSNLinking"))
    + _group("Pagination[1]", _ns("MedlinePgn"), _ns("StartPage"), _ns("EndPage"))
    + _group("../../PubmedData[1]/ArticleIdList[1]", _first_id("doi"), _first_id("pmc"), _first_id("pii"))
    + _group(_ENTRY, _ns("Year"), _ns("Month"), _ns("Day"), context="../../PubmedData[1]/History[1]")
    + '<xsl:for-each select="Abstract[1]/AbstractText">'
    + _value("translate(@Label, '&#9;&#13;', '&#xE001;&#xE001;')", _ns("."), sep="&#13;")
    + "<xsl:text>&#9;</xsl:text></xsl:for-each>" + _NL
    + '<xsl:for-each select="AuthorList[1]/Author[not(@ValidYN=\'N\')]"><xsl:choose>'
    + _when("CollectiveName", f'<xsl:value-of select="{_ns("CollectiveName" + _LAST)}"/>')
    + _when("LastName", f'<xsl:value-of select="{_ns("LastName" + _LAST)}"/><xsl:choose>'
            + _when("ForeName", f'<xsl:value-of select="concat(\', \', {_ns("ForeName" + _LAST)})"/>', tab=False)
            + _when("Initials", f'<xsl:value-of select="concat(\', \', {_ns("Initials" + _LAST)})"/>', tab=False)
            + "</xsl:choose>"
            + f'<xsl:if test="Suffix{_LAST}[normalize-space()]">'
            + f'<xsl:value-of select="concat(\' \', {_ns("Suffix" + _LAST)})"/></xsl:if>')
    + "</xsl:choose></xsl:for-each>" + _NL
    + _items("Language")
    + _items("PublicationTypeList[1]/PublicationType")
    + _items("../MeshHeadingList[1]/MeshHeading/DescriptorName[1]")
    + _items("../KeywordList[1]/Keyword")
    + '<xsl:for-each select="DataBankList[1]/DataBank">'
    + _value(_ns("DataBankName"), _ns("AccessionNumberList[1]/AccessionNumber"), sep="&#13;")
    + "<xsl:text>&#9;</xsl:text></xsl:for-each>"
    + "</xsl:for-each><xsl:text>&#xE000;&#10;</xsl:text></xsl:for-each></xsl:template></xsl:stylesheet>"
)
_FIELDS = 21  # lines per article before the U+E000 terminator
END = "\ue000\n"  # ends each record's lines in the stylesheet's output
#: What Python's str.split() treats as whitespace besides what normalize-space() collapses.
_ODD_SPACE = "\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) \
    + "\u2028\u2029\u202f\u205f\u3000"
_transform: Any = None


def stylesheet() -> Any:
    """The compiled :data:`_STYLESHEET` (compiled on first use)."""
    global _transform
    if _transform is None:
        _transform = etree.XSLT(etree.XML(_STYLESHEET))
    return _transform


def _has_odd_space(text: str) -> bool:
    return any(c in text for c in _ODD_SPACE)


def build_records(root: Any, articles: Sequence[Any]) -> list[Record | None]:
    """Records of ``articles``, the first ``PubmedArticle`` children of ``root``; None: build in Python.

    One XSLT run covers them all.
    """
    if next(articles[0].itersiblings("PubmedArticle", preceding=True), None) is not None:
        return [None] * len(articles)  # not the first ones (cannot happen: the caller frees them)
    texts = str(stylesheet()(root, n=str(len(articles)))).split(END)
    if len(texts) != len(articles) + 1:  # an attribute value held the terminator
        return [None] * len(articles)
    return [record_from_text(text) for text in texts[:-1]]


def _split_items(line: str) -> list[str]:
    return [x for x in line.split("\t") if x]


def _py_space(text: str) -> str:
    return " ".join(text.split())


def _respace(f: list[str]) -> list[str] | None:
    """The lines ``f`` with whitespace collapsed as Python does (U+00A0 & co. too).

    None when the stylesheet chose a value by a test Python would answer
    differently (an author name part or an id made only of such whitespace).
    """
    if _has_odd_space(f[15]):
        return None
    g = list(f)
    for i in (0, 1, 2, 4, 5):  # line 3 is the raw Status attribute
        g[i] = _py_space(f[i])
    for i in (6, 7, 8, 10, 11, 12, 13):
        if f[i]:
            parts = f[i].split("\t")
            new = [_py_space(x) for x in parts]
            if i == 12 and any(x and not y for x, y in zip(parts, new)):
                return None  # the first non-empty id by normalize-space() is empty for Python
            g[i] = "\t".join(new)
    for i in (9, 16, 17, 18, 19):
        g[i] = "".join(_py_space(x) + "\t" for x in f[i].split("\t")[:-1])
    for i in (14, 20):  # "label\rtext" (label raw) and "name\raccession" items
        items = f[i].split("\t")[:-1]
        if any(x.count("\r") != 1 for x in items):
            return None
        pairs = (x.partition("\r") for x in items)
        g[i] = "".join(f"{a if i == 14 else _py_space(a)}\r{_py_space(c)}\t" for a, _, c in pairs)
    return g


def record_from_text(text: str) -> Record | None:
    """One article's record from its lines of XSLT output (see :data:`_STYLESHEET`).

    None when the Python builder must make it (including when it would raise:
    it then raises at the right element, with its line).
    """
    try:
        return _record_from(text)
    except ValueError:  # int() of a digit string Python's int() refuses (e.g. "²")
        return None


def _record_from(text: str) -> Record | None:
    f = text.split("\n")
    if len(f) != _FIELDS:
        return None
    if not text.isascii() and _has_odd_space(text):
        f = _respace(f)  # type: ignore[assignment]
        if f is None:
            return None
    (pmid, title, vern, status, art_year, eloc, journal, issue, pub_date, issn, info, pagination, ids,
     entry, abstract, authors, languages, pub_types, mesh, keywords, banks) = f
    if not pmid or "\ue001" in abstract:  # U+E001: a Label held a TAB or CR (or U+E001)
        return None
    sections = []
    for section in abstract.split("\t")[:-1]:
        label, _, body = section.partition("\r")
        if body:
            sections.append(f"{label}: {body}" if label else body)
    year, shown = year_from_parts(*pub_date.split("\t")) if pub_date else (None, None)
    if year is None and art_year.isdigit():
        year = int(art_year)
    j_title, j_iso = journal.split("\t") if journal else ("", "")
    volume, number = issue.split("\t") if issue else ("", "")
    medline_ta, issn_linking = info.split("\t") if info else ("", "")
    pgn, first, last = pagination.split("\t") if pagination else ("", "", "")
    doi, pmc, pii = ids.split("\t") if ids else ("", "", "")
    langs = _split_items(languages)
    nct = None
    if banks:
        for bank in banks.split("\t")[:-1]:
            bank_name, _, accession = bank.partition("\r")
            if accession and bank_name.lower().startswith("clinicaltrials"):
                nct = accession
                break
    title = title or vern
    extra: dict[str, Any] = {}
    if shown:
        extra["pub_date"] = shown
    if status:
        extra["status"] = status
    if vern and vern != title:
        extra["vernacular_title"] = vern
    if pii:
        extra["pii"] = pii
    if len(langs) > 1:
        extra["languages"] = langs
    return Record(
        source="pubmed",
        source_id=pmid,
        pmid=pmid,
        doi=doi or eloc or None,
        pmcid=pmc or None,
        nct_id=nct,
        title=title or None,
        abstract=" ".join(sections) or None,
        authors=tuple(authors.split("\t")[:-1]),
        journal=j_title or None,
        journal_iso=j_iso or medline_ta or None,
        year=year,
        volume=volume or None,
        issue=number or None,
        pages=pgn or (f"{first}-{last}" if first and last else first) or None,
        language=langs[0] if langs else None,
        publication_types=tuple(_split_items(pub_types)),
        mesh=tuple(_split_items(mesh)),
        keywords=tuple(_split_items(keywords)),
        issn="; ".join(_split_items(issn)) or issn_linking or None,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        entry_date=iso_from_parts(*entry.split("\t")) if entry else None,
        extra=extra,
    )
