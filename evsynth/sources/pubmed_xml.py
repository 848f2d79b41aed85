"""PubMed XML (E-utilities ``efetch``, ``retmode=xml``) → :class:`~evsynth.models.Record`.

A streaming parser: :func:`iter_pubmed_xml` feeds the file to an
``lxml.etree.XMLPullParser`` in chunks, builds one record per ``PubmedArticle``
or ``PubmedBookArticle`` and frees the elements of each chunk (and everything
before them) once their records are out, so memory stays flat however large
the file is.

Records are built fast but exactly as the straightforward Python builder here
(``_article_record``) builds them: one XSLT run per chunk extracts the fields
of all its ``PubmedArticle`` records (:mod:`._pubmed_fast`). Whatever that path
cannot do exactly goes to the Python builder, as do ``PubmedBookArticle``
records. One process parses one file; many files are parsed in parallel by
:func:`evsynth.sources.readers.read_files`.

The parser is hardened: it never loads a DTD, never touches the network,
never substitutes entities, and refuses documents that declare entities
(``<!ENTITY`` in the internal DTD subset: "billion laughs", external entities)
with an :class:`~evsynth.errors.InputError`. Malformed or truncated XML gives
an :class:`~evsynth.errors.InputError` naming the file and line; the records
yielded before it are exactly those of the articles whose end tag lies on a
line before that line, whichever libxml2 version runs (:mod:`._article_ends`).

Only the article's own identifiers are used: the DOI and PMCID come from
``PubmedData/ArticleIdList`` (or the article's ``ELocationID``), never from the
``ArticleIdList`` of a cited reference in ``ReferenceList``.
"""

from __future__ import annotations

import io
import os
import sys
from typing import IO, Any, Iterator

from lxml import etree

from .._inputs import open_input
from ..errors import InputError
from ..models import Record
from ._article_ends import ArticleEnds as _ArticleEnds
from ._pubmed_fast import build_records, iso_from_parts, year_from_parts
from ._xml_prolog import SAFE_PARSER_OPTIONS
from ._xml_prolog import check_dtd as _check_dtd
from ._xml_prolog import check_prolog as _check_prolog
from ._xml_prolog import read_head as _read_head

__all__ = ["iter_pubmed_xml", "parse_pubmed_xml", "MalformedXMLError"]


class MalformedXMLError(InputError):
    """The XML does not parse (malformed or truncated); carries file and line."""

_ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")
_ANY_NAMESPACE = tuple(f"{{*}}{tag}" for tag in _ARTICLE_TAGS)
_ROOT_TAGS = frozenset({"PubmedArticleSet", "PubmedBookArticleSet", *_ARTICLE_TAGS})
_NAME_PARTS = frozenset({"LastName", "ForeName", "Initials", "Suffix", "CollectiveName"})
_CHUNK = 1 << 19  # bytes read and fed to libxml2 at a time: the records of one batch


def _text(el: Any) -> str | None:
    """All text of an element with inline markup flattened and whitespace collapsed."""
    if el is None:
        return None
    raw = el.text if len(el) == 0 else "".join(el.itertext())
    if not raw:
        return None
    value = " ".join(raw.split())
    return value or None


def _find_text(parent: Any, path: str) -> str | None:
    return _text(parent.find(path)) if parent is not None else None


def _year_of(pub_date: Any) -> tuple[int | None, str | None]:
    """Year and the date as PubMed printed it (``1998 Dec-1999 Jan``, ``1990 Spring``)."""
    if pub_date is None:
        return None, None
    return year_from_parts(*(_find_text(pub_date, t) for t in ("Year", "MedlineDate", "Month", "Season", "Day")))


def _iso_date(el: Any) -> str | None:
    if el is None:
        return None
    return iso_from_parts(_find_text(el, "Year"), _find_text(el, "Month"), _find_text(el, "Day"))


def _entry_date(history: Any) -> str | None:
    if history is None:
        return None
    found: dict[str, Any] = {}
    for d in history.iterfind("PubMedPubDate"):
        found.setdefault(d.get("PubStatus", ""), d)
    for status in ("entrez", "pubmed"):
        if status in found:
            return _iso_date(found[status])
    return None


def _abstract(abstract: Any) -> str | None:
    if abstract is None:
        return None
    parts = []
    for at in abstract.iterfind("AbstractText"):
        text = _text(at)
        if not text:
            continue
        label = at.get("Label")
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts) or None


def _authors(author_list: Any) -> tuple[str, ...]:
    if author_list is None:
        return ()
    out = []
    for a in author_list:
        if a.tag != "Author" or a.get("ValidYN") == "N":
            continue
        parts = {child.tag: _text(child) for child in a if child.tag in _NAME_PARTS}
        collective = parts.get("CollectiveName")
        if collective:
            out.append(collective)
            continue
        last = parts.get("LastName")
        if last:
            fore = parts.get("ForeName") or parts.get("Initials")
            name = f"{last}, {fore}" if fore else last
            suffix = parts.get("Suffix")
            out.append(f"{name} {suffix}" if suffix else name)
    return tuple(out)


def _ids(id_list: Any) -> dict[str, str]:
    """Direct ``ArticleId`` children of one ``ArticleIdList`` (first of each type)."""
    out: dict[str, str] = {}
    if id_list is not None:
        for aid in id_list.iterfind("ArticleId"):
            kind = aid.get("IdType", "")
            value = _text(aid)
            if value and kind not in out:
                out[kind] = value
    return out


def _elocation_doi(parent: Any) -> str | None:
    for el in parent.iterfind("ELocationID"):
        if el.get("EIdType") == "doi" and el.get("ValidYN", "Y") != "N":
            return _text(el)
    return None


def _list_texts(parent: Any, path: str) -> tuple[str, ...]:
    """Texts of the elements at ``path`` ("List/Item" or "List/Item/Child").

    Walks one tag at a time: lxml answers single-tag ``find`` in C, paths in Python.
    """
    if parent is None:
        return ()
    first, *rest = path.split("/")
    holder = parent.find(first)
    if holder is None:
        return ()
    if not rest:
        return tuple(t for t in (_text(e) for e in parent.iterfind(first)) if t)
    item = rest[0]
    out = []
    for child in holder:
        if child.tag != item:
            continue
        if len(rest) > 1:
            child = child.find(rest[1])
        text = _text(child)
        if text:
            out.append(text)
    return tuple(out)


def _find_path(parent: Any, *tags: str) -> Any:
    for tag in tags:
        if parent is None:
            return None
        parent = parent.find(tag)
    return parent


def _pages(article: Any) -> str | None:
    pag = article.find("Pagination")
    if pag is None:
        return None
    pgn = _find_text(pag, "MedlinePgn")
    if pgn:
        return pgn
    start, end = _find_text(pag, "StartPage"), _find_text(pag, "EndPage")
    if start and end:
        return f"{start}-{end}"
    return start


def _nct(article: Any) -> str | None:
    banks = article.find("DataBankList")
    for bank in banks if banks is not None else ():
        if bank.tag != "DataBank":
            continue
        if (_find_text(bank, "DataBankName") or "").lower().startswith("clinicaltrials"):
            acc = _text(_find_path(bank, "AccessionNumberList", "AccessionNumber"))
            if acc:
                return acc
    return None


def _article_record(el: Any) -> Record:
    mc = el.find("MedlineCitation")
    if mc is None:
        raise ValueError("PubmedArticle without MedlineCitation")
    pmid = _find_text(mc, "PMID")
    art = mc.find("Article")
    if art is None:
        raise ValueError("PubmedArticle without Article")
    journal = art.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    year, shown_date = _year_of(issue.find("PubDate") if issue is not None else None)
    if year is None:
        ad = art.find("ArticleDate")
        year = int(y) if (y := _find_text(ad, "Year")) and y.isdigit() else None
    data = el.find("PubmedData")
    ids = _ids(data.find("ArticleIdList") if data is not None else None)
    doi = ids.get("doi") or _elocation_doi(art)
    issn = []
    if journal is not None:
        issn = [t for t in (_text(e) for e in journal.iterfind("ISSN")) if t]
    info = mc.find("MedlineJournalInfo")
    title = _find_text(art, "ArticleTitle") or _find_text(art, "VernacularTitle")
    extra: dict[str, Any] = {}
    if shown_date:
        extra["pub_date"] = shown_date
    if (status := mc.get("Status")):
        extra["status"] = status
    if (vern := _find_text(art, "VernacularTitle")) and vern != title:
        extra["vernacular_title"] = vern
    if ids.get("pii"):
        extra["pii"] = ids["pii"]
    languages = _list_texts(art, "Language")
    if len(languages) > 1:
        extra["languages"] = list(languages)
    return Record(
        source="pubmed",
        source_id=pmid,
        pmid=pmid,
        doi=doi,
        pmcid=ids.get("pmc"),
        nct_id=_nct(art),
        title=title,
        abstract=_abstract(art.find("Abstract")),
        authors=_authors(art.find("AuthorList")),
        journal=_find_text(journal, "Title"),
        journal_iso=_find_text(journal, "ISOAbbreviation") or _find_text(info, "MedlineTA"),
        year=year,
        volume=_find_text(issue, "Volume"),
        issue=_find_text(issue, "Issue"),
        pages=_pages(art),
        language=languages[0] if languages else None,
        publication_types=_list_texts(art, "PublicationTypeList/PublicationType"),
        mesh=_list_texts(mc, "MeshHeadingList/MeshHeading/DescriptorName"),
        keywords=_list_texts(mc, "KeywordList/Keyword"),
        issn="; ".join(issn) or _find_text(info, "ISSNLinking"),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None,
        entry_date=_entry_date(data.find("History") if data is not None else None),
        extra=extra,
    )


def _book_record(el: Any) -> Record:
    doc = el.find("BookDocument")
    if doc is None:
        raise ValueError("PubmedBookArticle without BookDocument")
    pmid = _find_text(doc, "PMID")
    book = doc.find("Book")
    book_title = _find_text(book, "BookTitle")
    chapter = _find_text(doc, "ArticleTitle")
    year, shown_date = _year_of(book.find("PubDate") if book is not None else None)
    data = el.find("PubmedBookData")
    ids = _ids(doc.find("ArticleIdList"))
    ids.update({k: v for k, v in _ids(data.find("ArticleIdList") if data is not None else None).items()
                if k not in ids})
    authors = ()
    for al in doc.iterfind("AuthorList"):
        if al.get("Type", "authors") == "authors":
            authors = _authors(al)
            break
    if not authors and book is not None:
        for al in book.iterfind("AuthorList"):
            if al.get("Type", "authors") == "authors":
                authors = _authors(al)
                break
    extra: dict[str, Any] = {}
    if shown_date:
        extra["pub_date"] = shown_date
    if book is not None:
        if (publisher := _text(_find_path(book, "Publisher", "PublisherName"))):
            extra["publisher"] = publisher
        if (place := _text(_find_path(book, "Publisher", "PublisherLocation"))):
            extra["publisher_location"] = place
    if chapter and book_title:
        extra["book_title"] = book_title
    languages = _list_texts(doc, "Language")
    isbn = _find_text(book, "Isbn") if book is not None else None
    return Record(
        source="pubmed",
        source_id=pmid,
        pmid=pmid,
        doi=ids.get("doi") or _elocation_doi(doc),
        pmcid=ids.get("pmc"),
        title=chapter or book_title,
        abstract=_abstract(doc.find("Abstract")),
        authors=authors,
        journal=book_title if chapter else None,
        year=year,
        volume=_find_text(book, "Volume") if book is not None else None,
        pages=_pages(doc),
        language=languages[0] if languages else None,
        publication_types=_list_texts(doc, "PublicationType"),
        keywords=_list_texts(doc, "KeywordList/Keyword"),
        isbn=isbn,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None,
        entry_date=_entry_date(data.find("History") if data is not None else None),
        record_type="CHAP" if chapter else "BOOK",
        extra=extra,
    )


def _open(source: Any) -> tuple[IO[bytes], str | None, bool]:
    """(stream, name for messages, whether we opened it)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source)), None, True
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        return open_input(name), name, True
    if hasattr(source, "read"):
        return source, getattr(source, "name", None) if isinstance(getattr(source, "name", None), str) else None, False
    raise TypeError(f"iter_pubmed_xml: expected a path, bytes or a binary file, not {type(source).__name__}")


def iter_pubmed_xml(source: str | os.PathLike[str] | bytes | IO[bytes], *,
                    name: str | None = None) -> Iterator[Record]:
    """Stream PubMed XML into records, one per ``PubmedArticle`` / ``PubmedBookArticle``.

    Parameters
    ----------
    source : path, bytes or binary file object
        A ``PubmedArticleSet`` (as ``efetch`` returns it) or a single article.
    name : str, optional
        The name used in error messages (defaults to the path, if any).

    Yields
    ------
    Record
        ``source="pubmed"``, ``source_id`` = PMID.

    Raises
    ------
    InputError
        Malformed or truncated XML (with file and line), XML that is not
        PubMed XML, or XML declaring entities. Before a malformed-XML error
        come the records of exactly the articles whose end tag lies on a line
        before the line of the first error libxml2 reports (so a record is
        held back until the parser is past the line its end tag is on).

    Examples
    --------
    >>> xml = (b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>"
    ...        b"<Article><ArticleTitle>A <i>b</i> c</ArticleTitle></Article>"
    ...        b"</MedlineCitation></PubmedArticle></PubmedArticleSet>")
    >>> [r.title for r in iter_pubmed_xml(xml)]
    ['A b c']
    """
    stream, opened_name, owned = _open(source)
    label = name or opened_name
    try:
        head = _read_head(stream)
        _check_prolog(head, label)
        yield from _sequential(head, stream, label)
    finally:
        if owned:
            stream.close()


def _sequential(head: bytes, stream: IO[bytes], label: str | None) -> Iterator[Record]:
    """Records of the document whose first bytes ``head`` are read.

    Before a well-formedness error, exactly the records of the articles whose
    end tag lies on a line before the error's line come out (whichever
    libxml2 runs: see :mod:`._article_ends`). A record is therefore held back
    while an error could still be reported on the line its end tag is on:
    until the parser has completed an article on a later line, or the input.
    """
    # articles in any namespace end where the byte scanner sees them end; only those in none are records
    parser = etree.XMLPullParser(events=("end",), tag=_ANY_NAMESPACE, remove_blank_text=False, **SAFE_PARSER_OPTIONS)
    # the root once seen; whether libxml2 logged anything; error log entries looked at, the first error's line
    state: dict[str, Any] = {"root": None, "python_only": False, "seen": 0, "logged": None}
    ends = _ArticleEnds(head)
    held: list[tuple[int, Record | InputError]] = []  # (line of the end tag, record or its error)
    done = 0  # articles the parser completed (and handed over) so far
    try:
        for chunk in _chunks(head, stream):
            ends.feed(chunk)
            failure = None
            try:
                parser.feed(chunk)
            except etree.XMLSyntaxError as exc:
                failure = exc
            cut = _error_line(parser, failure, state)
            done = _batch(parser, state, label, ends, held, done, cut if failure is not None else None)
            if failure is not None:
                yield from _release(held, cut)
                raise failure
            last = ends.lines[done - 1] if 0 < done <= len(ends.lines) else 0  # no error before it
            yield from _release(held, last if cut is None else min(cut, last))
        try:
            root = parser.close()
        except etree.XMLSyntaxError as exc:
            cut = _error_line(parser, exc, state)
            _batch(parser, state, label, ends, held, done, cut)
            yield from _release(held, cut)
            raise
        _batch(parser, state, label, ends, held, done, None)
        yield from _release(held, None)
        if state["root"] is None:
            _check_dtd(root.getroottree() if root is not None else None, label)
            _check_root(root, label, 1)
    except etree.XMLSyntaxError as exc:
        msg = exc.msg if getattr(exc, "msg", None) else str(exc)
        if "entity" in msg.lower():
            msg = f"entity use refused ({msg})"
        raise MalformedXMLError(f"malformed or truncated XML: {msg}", path=label, line=_line_of(exc)) from None


def _error_line(parser: Any, failure: etree.XMLSyntaxError | None, state: dict[str, Any]) -> int | None:
    """The line of the first error libxml2 logged (or raised) so far, None if none.

    libxml2 goes on after some errors, and lxml may raise the first of them
    only at the end of the input (libxml2 2.12 logs an undeclared entity as
    one, and the document then fails if anything else is wrong): records
    after it are held back from the moment it is logged.
    """
    log = parser.feed_error_log
    while state["logged"] is None and state["seen"] < len(log):
        entry = log[state["seen"]]
        state["seen"] += 1
        if entry.level >= etree.ErrorLevels.ERROR:
            state["logged"] = max(entry.line, 1)
    lines = [line for line in (state["logged"], _line_of(failure) if failure is not None else None) if line]
    return min(lines) if lines else None


def _line_of(exc: etree.XMLSyntaxError) -> int:
    """The line libxml2 reports for a syntax error (1 when it reports none)."""
    line = exc.position[0] if exc.position else getattr(exc, "lineno", None)
    return max(int(line or 1), 1)


def _release(held: list[tuple[int, Record | InputError]], before: int | None) -> Iterator[Record]:
    """Yield (and drop) the held records whose end tag lies on a line before ``before`` (None: all).

    An error held in their place is raised when reached.
    """
    n = len(held) if before is None else next((i for i, (line, _r) in enumerate(held) if line >= before), len(held))
    out, held[:n] = held[:n], []
    for _line, record in out:
        if isinstance(record, InputError):
            held.clear()
            raise record
        yield record


def _chunks(head: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    """The document's bytes: ``head`` (already read), then the rest of ``stream``."""
    yield head
    while chunk := stream.read(_CHUNK):
        yield chunk


def _batch(parser: Any, state: dict[str, Any], label: str | None, ends: _ArticleEnds,
           held: list[tuple[int, Record | InputError]], done: int, cut: int | None) -> int:
    """Build the records of the articles the parser completed since the last call, hold them; return ``done``.

    ``PubmedArticle`` records come from one XSLT run over the batch
    (:mod:`._pubmed_fast`); the Python builder makes the others, and all of them
    once libxml2 has logged anything (an undeclared entity leaves a reference
    node whose text only the Python builder keeps). Once an error is logged
    on line ``cut``, only the articles ending on a line before it count.
    Each element is freed once built. Nothing more is built after a record
    that cannot be: its error is held in its place.
    """
    batch = [el for _event, el in parser.read_events()]
    first = done
    done += len(batch)
    if cut is not None:
        batch = batch[:max(ends.before(cut) - first, 0)]
    if not batch or (held and isinstance(held[-1][1], InputError)):
        return done
    lines = ends.lines
    if state["root"] is None:
        tree = batch[0].getroottree()
        state["root"] = tree.getroot()
        try:
            _check_dtd(tree, label)
            _check_root(state["root"], label, batch[0].sourceline)
        except InputError as exc:
            held.append((lines[first] if first < len(lines) else sys.maxsize, exc))
            return done
    if not state["python_only"] and len(parser.feed_error_log):
        state["python_only"] = True
    root = state["root"]
    flat = all(el.getparent() is root for el in batch)
    articles = [el for el in batch if el.tag == "PubmedArticle"]
    built = iter(build_records(root, articles) if articles and flat and not state["python_only"] else ())
    for i, el in enumerate(batch, first):
        if el.tag not in _ARTICLE_TAGS:  # in a namespace: not PubMed's, not a record
            continue
        line = lines[i] if i < len(lines) else sys.maxsize  # the scanner found fewer: hold to the end
        try:
            if el.tag == "PubmedBookArticle":
                record = _book_record(el)
            else:
                record = next(built, None) or _article_record(el)
            if not record.pmid:
                raise InputError(f"{el.tag} without a PMID", path=label, line=el.sourceline, field="PMID")
        except InputError as exc:
            held.append((line, exc))
            break
        except ValueError as exc:
            held.append((line, InputError(str(exc), path=label, line=el.sourceline)))
            break
        held.append((line, record))
        if not flat:  # free memory: the element and everything parsed before it
            el.clear(keep_tail=False)
            parent = el.getparent()
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
                del parent[0]
    if flat:  # free memory: the batch and everything parsed before it
        del root[:root.index(batch[-1]) + 1]
    return done


def _check_root(root: Any, label: str | None, line: int | None) -> None:
    tag = getattr(root, "tag", None)
    if tag is None:
        raise InputError("no XML document found", path=label, line=1)
    if tag not in _ROOT_TAGS:
        raise InputError(f"not PubMed XML: the root element is <{tag}>, not <PubmedArticleSet>",
                         path=label, line=line or 1)


def parse_pubmed_xml(source: str | os.PathLike[str] | bytes | IO[bytes], *,
                     name: str | None = None) -> list[Record]:
    """All records of a PubMed XML document (see :func:`iter_pubmed_xml`)."""
    return list(iter_pubmed_xml(source, name=name))
