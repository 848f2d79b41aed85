"""Write records as RIS, BibTeX, CSV or JSON (what reference managers and spreadsheets read).

What each format carries (a round trip write → :func:`~evsynth.sources.readers.read_records`
keeps these fields; :data:`CARRIED` lists them):

* **json** — everything: every bibliographic field, ``source``, ``source_id`` and ``extra``.
* **csv** — every bibliographic field, ``source_id`` (column ``id``) and ``source`` (column
  ``source``, read back as the record's source: the header is
  :data:`~evsynth.sources.readers.tables.EVSYNTH_CSV_COLUMNS`); list fields joined
  with ``"; "``. ``extra`` is not written (a spreadsheet has no place for it).
* **bibtex** — every bibliographic field (non-standard ones as fields of their own name:
  ``pmid``, ``pmcid``, ``nct_id``, ``mesh``, ``publication_types``, ``entry_date``,
  ``shortjournal`` for ``journal_iso``) but ``source_id``: the entry key is a citation key
  as Zotero's Better BibTeX makes it (``liu2014vaccine``, unique with ``a``, ``b``, …; see
  :mod:`evsynth.sources.bibtex_style`). Values are LaTeX-safe (``& % # _ $ { } \\ ~ ^``
  escaped, words with inner capitals such as ``NMDA`` braced in titles; ``doi`` and ``url``
  verbatim) and otherwise Unicode. Names are written ``Family, Given``: an Embase/MEDLINE
  ``Liu R.`` comes back as ``Liu, R.``; group authors are braced.
* **ris** — standard tags only: ``TY ID TI AU T2 J2 PY VL IS SP EP DO SN LA KW UR AB``,
  plus the PMID as EndNote writes it (``AN`` with ``DP  - NLM``) and the raw tags kept in
  ``extra["ris"]``. Not carried: ``pmcid``, ``nct_id``, ``mesh``, ``publication_types``,
  ``entry_date`` (RIS has no tags reference managers read for them). Multi-line values
  (any tag: titles, authors, keywords, abstracts) are written as other RIS readers accept
  them: the first line after the tag, each further line on a line of its own that starts
  with three spaces (:data:`~evsynth.sources.readers.ris.CONTINUATION`); evsynth's reader
  joins those back with ``"\\n"`` exactly, and since no such line starts with a tag, no text
  inside a value (``ER  -``, ``TY  - JOUR``) can end or start a record. What RIS cannot
  carry, and is normalised on the way out: ``\\r\\n`` and ``\\r`` (written as line
  breaks, read back as ``"\\n"``), whitespace at the end of a line and at the start or end of
  the whole value, and a value that is only whitespace (no value).

RIS and BibTeX entries need a type: a record without ``record_type`` is written as
``JOUR`` / ``article`` when it has a journal, else ``GEN`` / ``misc``; a type from the
other format is translated (``JOUR`` ↔ ``article``, ``CHAP`` ↔ ``incollection``, ...).
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Iterable, Iterator

from ..errors import InputError
from ..models import RECORD_FIELDS, Record
from .bibtex_style import bibtex_author, citation_keys, latex_escape, protect_case
from .readers._common import split_pages
from .readers.ris import CONTINUATION as _RIS_CONTINUATION
from .readers.tables import EVSYNTH_CSV_COLUMNS

__all__ = ["WRITE_FORMATS", "CARRIED", "iter_written", "write_records"]

WRITE_FORMATS: tuple[str, ...] = ("ris", "bibtex", "csv", "json")

_TUPLES = ("authors", "publication_types", "mesh", "keywords")

#: Bibliographic fields each format carries through a round trip.
CARRIED: dict[str, tuple[str, ...]] = {
    "json": RECORD_FIELDS,
    "csv": RECORD_FIELDS,
    "bibtex": RECORD_FIELDS,
    "ris": tuple(
        f for f in RECORD_FIELDS if f not in ("pmcid", "nct_id", "mesh", "publication_types", "entry_date")
    ),
}

# -- RIS ---------------------------------------------------------------------

_RIS_TYPES = {
    "article": "JOUR", "j": "JOUR", "journal-article": "JOUR", "inproceedings": "CPAPER",
    "conference": "CPAPER", "c": "CPAPER", "book": "BOOK", "b": "BOOK", "incollection": "CHAP",
    "inbook": "CHAP", "phdthesis": "THES", "mastersthesis": "THES", "techreport": "RPRT",
    "misc": "GEN", "unpublished": "UNPB", "online": "ELEC",
}
_RIS_OWN = re.compile(r"^[A-Z]{3,6}$")


def _ris_type(record: Record) -> str:
    kind = record.record_type or ""
    if _RIS_OWN.match(kind):
        return kind
    return _RIS_TYPES.get(kind.lower(), "JOUR" if record.journal else "GEN")


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _ris_lines(tag: str, value: str | None) -> list[str]:
    """A value as RIS lines that read back as the same value.

    The rule (what the reader does in reverse): line breaks become ``"\\n"``, each line is
    stripped at its end and the whole value at both ends; the first line follows the tag,
    each further one (blank ones too) is written after :data:`_RIS_CONTINUATION`.
    """
    if value is None:
        return []
    text = "\n".join(line.rstrip() for line in _LINE_BREAK.split(str(value))).strip()
    if not text:
        return []
    first, *rest = text.split("\n")
    return [f"{tag}  - {first}", *(f"{_RIS_CONTINUATION}{line}" for line in rest)]


def _ris_record(r: Record) -> str:
    lines = [f"TY  - {_ris_type(r)}"]
    lines += _ris_lines("ID", r.source_id)
    lines += _ris_lines("TI", r.title)
    for author in r.authors:
        lines += _ris_lines("AU", author)
    lines += _ris_lines("T2", r.journal)
    lines += _ris_lines("J2", r.journal_iso)
    lines += _ris_lines("PY", None if r.year is None else str(r.year))
    lines += _ris_lines("VL", r.volume)
    lines += _ris_lines("IS", r.issue)
    start, end = split_pages(r.pages)
    lines += _ris_lines("SP", start)
    lines += _ris_lines("EP", end)
    lines += _ris_lines("DO", r.doi)
    for number in (r.issn or "").split(";") + (r.isbn or "").split(";"):
        lines += _ris_lines("SN", number.strip() or None)
    lines += _ris_lines("LA", r.language)
    for keyword in r.keywords:
        lines += _ris_lines("KW", keyword)
    lines += _ris_lines("UR", r.url)
    if r.pmid:
        lines += [f"AN  - {r.pmid}", "DP  - NLM"]
    kept = r.extra.get("ris") if isinstance(r.extra.get("ris"), dict) else {}
    for tag, values in kept.items():
        if re.fullmatch(r"[A-Z][A-Z0-9]", str(tag)) and tag not in ("TY", "ER", "AN", "DP"):
            for value in values if isinstance(values, list) else [values]:
                lines += _ris_lines(tag, str(value))
    lines += _ris_lines("AB", r.abstract)
    lines.append("ER  - ")
    return "\n".join(lines)


def _iter_ris(records: Iterable[Record]) -> Iterator[str]:
    for index, r in enumerate(records):  # records separated by a blank line
        yield ("\n" if index else "") + _ris_record(r) + "\n"


# -- BibTeX ------------------------------------------------------------------

_BIB_TYPES = {
    "JOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article", "EJOUR": "article",
    "CPAPER": "inproceedings", "CONF": "inproceedings", "BOOK": "book", "EBOOK": "book",
    "CHAP": "incollection", "ECHAP": "incollection", "THES": "phdthesis", "RPRT": "techreport",
    "UNPB": "unpublished", "J": "article", "B": "book", "C": "inproceedings",
}
_BIB_FIELDS = (
    ("title", "title"), ("journal", "journal"), ("journal_iso", "shortjournal"), ("year", "year"),
    ("volume", "volume"), ("issue", "number"), ("pages", "pages"), ("doi", "doi"),
    ("pmid", "pmid"), ("pmcid", "pmcid"), ("nct_id", "nct_id"), ("isbn", "isbn"), ("issn", "issn"),
    ("url", "url"), ("language", "language"), ("entry_date", "entry_date"), ("abstract", "abstract"),
)


#: Fields written verbatim (biblatex reads them as verbatim; escaping would change them).
_BIB_VERBATIM = frozenset({"doi", "url"})


_LIGATURE = re.compile(r"(-(?=-)|'(?=')|`(?=`)|[!?](?=`))")


def _bib_value(name: str, value: str) -> str:
    if name in _BIB_VERBATIM:
        return value
    text = latex_escape(value)
    # "--", "''", "``", "!`", "?`" are ligatures in LaTeX (en dash, quotes, ¡, ¿): keep them as typed
    text = _LIGATURE.sub(lambda m: m.group(1) + "{}", text)
    return protect_case(text) if name == "title" else text


def _write_bibtex(records: Iterable[Record]) -> str:
    import bibtexparser
    from bibtexparser.model import Entry, Field

    records = list(records)
    keys = citation_keys((r.authors, r.year, r.title) for r in records)
    library = bibtexparser.Library()
    for r, key in zip(records, keys):
        fields = []
        if r.authors:
            fields.append(Field("author", " and ".join(bibtex_author(a) for a in r.authors)))
        for attr, name in _BIB_FIELDS:
            value = getattr(r, attr)
            if value is not None:
                fields.append(Field(name, _bib_value(name, str(value))))
        for attr in ("keywords", "mesh", "publication_types"):
            if getattr(r, attr):
                fields.append(Field(attr, "; ".join(_bib_value(attr, v) for v in getattr(r, attr))))
        kind = r.record_type or ""
        default = "article" if r.journal else "misc"
        entry_type = kind if re.fullmatch(r"[a-z]+", kind) else _BIB_TYPES.get(kind.upper(), default)
        library.add(Entry(entry_type, key, fields))
    return bibtexparser.write_string(library)


# -- CSV / JSON ----------------------------------------------------------------


def _iter_csv(records: Iterable[Record]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row_text(row: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        return buffer.getvalue()

    yield row_text(list(EVSYNTH_CSV_COLUMNS))
    for r in records:
        row = [r.source_id or "", r.source]
        for name in RECORD_FIELDS:
            value = getattr(r, name)
            if name == "authors" and len(value) == 1 and re.search(r"\s+and\s+", value[0]):
                row.append(value[0] + ";")  # one author with "and" in it: the ";" keeps the reader from splitting it
            elif name in _TUPLES:
                row.append("; ".join(value))
            else:
                row.append("" if value is None else str(value))
        # csv quotes a cell with "\n" but not one with a lone "\r", which a reader takes for a line
        # break: line breaks are written as "\n" (what every reader makes of them anyway)
        yield row_text([_LINE_BREAK.sub("\n", cell) for cell in row])


def _iter_json(records: Iterable[Record]) -> Iterator[str]:
    """The same text as ``json.dumps(list, indent=2)``, one record at a time."""
    empty = True
    for r in records:
        item = json.dumps(r.to_dict(), ensure_ascii=False, indent=2, default=str).replace("\n", "\n  ")
        yield ("[\n  " if empty else ",\n  ") + item
        empty = False
    yield "[]\n" if empty else "\n]\n"


def _iter_bibtex(records: Iterable[Record]) -> Iterator[str]:
    yield _write_bibtex(records)  # whole: citation keys are made unique over all records


_WRITERS = {"ris": _iter_ris, "bibtex": _iter_bibtex, "csv": _iter_csv, "json": _iter_json}


def _writer(fmt: str):  # noqa: ANN202
    key = fmt.lower()
    if key == "bib":
        key = "bibtex"
    if key not in _WRITERS:
        raise InputError(f"cannot write {fmt!r}; evsynth writes: {', '.join(WRITE_FORMATS)}")
    return _WRITERS[key]


def iter_written(records: Iterable[Record], fmt: str) -> Iterator[str]:
    """Records as text in ``fmt``, in pieces (one record at a time for RIS, CSV and JSON).

    Write the pieces to a file as they come to export any number of records in constant
    memory; ``"".join`` of them is :func:`write_records`' text.

    Raises
    ------
    InputError
        An unknown format (the message lists the supported ones), before anything is yielded.
    """
    return _writer(fmt)(records)


def write_records(records: Iterable[Record], fmt: str) -> str:
    """Records as text in ``fmt``.

    Parameters
    ----------
    records : iterable of Record
    fmt : {"ris", "bibtex", "csv", "json"}

    Returns
    -------
    str
        The whole file's text.

    Raises
    ------
    InputError
        An unknown format (the message lists the supported ones).
    """
    return "".join(iter_written(records, fmt))
