"""CSV (and tab/semicolon separated) tables → Record, including Embase's CSV export.

Column names are matched case-insensitively, ignoring spaces, dots and
underscores (see :data:`COLUMN_ALIASES`); the first matching column wins.
An id column (``id``, ``ID``, ``record_id``, ``source_id``, ``key``; else WoS's
``UT``, Scopus's ``EID``) becomes ``Record.source_id`` and must be unique. Without a
pages column, first/last page columns ("Page start"/"Page end", ``BP``/``EP``) are joined. Columns without a Record slot are
kept in ``extra`` under their header.

Lists: ``authors`` are split on ``;`` when the cell holds one, else on
`` and `` (BibTeX style, as in bib-dedupe's CSVs), else the cell is one author
(ASySD's concatenated "Adeli K.Lewis G. F." stays whole: it has no separator
to split on). ``keywords``, ``mesh``, ``publication_types`` are split on ``;``.

Every record's ``source`` is ``"csv"``, except in a table evsynth wrote
(:data:`EVSYNTH_CSV_COLUMNS`: ``id``, ``source``, then every bibliographic field,
as ``evsynth export --format csv`` writes them): there the ``source`` column is the
record's source as stored (``pubmed``, ``ris``, ...), so a record keeps it through
export → import (an empty cell: ``"csv"``). A ``source`` column of any other table
(Scopus names its database there) stays in ``extra``.

Embase's CSV export (columns "Title", "Author Names", "Source", ...) has its
own mapping: "Source" ("Cancer (2004) 102:4 (253-258). Date of Publication:
...") gives journal, year, volume, issue and pages; "Author Names" is split on
commas; the "Open URL Link" gives the DOI, ISSN and abbreviated journal title.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..._csvread import parse_csv
from ...errors import InputError
from ...models import RECORD_FIELDS, Record
from ._common import clean_doi, join_pages, nfc, parse_year, split_list

__all__ = ["COLUMN_ALIASES", "EVSYNTH_CSV_COLUMNS", "iter_csv"]

#: The header evsynth's CSV writer puts first: the stored id, the record's source, the bibliographic fields.
EVSYNTH_CSV_COLUMNS: tuple[str, ...] = ("id", "source", *RECORD_FIELDS)

#: Record field → accepted column names (normalised: lower case, no space/_/.).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": ("id", "recordid", "sourceid", "key", "ut", "eid", "accessionnumber"),
    "title": ("title", "articletitle", "documenttitle", "primarytitle", "ti"),
    "authors": ("authors", "author", "authornames", "authorfullnames", "au"),
    "year": ("year", "publicationyear", "py", "pubyear"),
    "journal": ("journal", "journaltitle", "sourcetitle", "secondarytitle", "publicationname"),
    "journal_iso": ("journaliso", "journalabbreviation", "abbreviatedsourcetitle", "ji"),
    "volume": ("volume", "vl"),
    "issue": ("number", "issue", "is"),
    "pages": ("pages", "page", "pg"),
    "doi": ("doi", "di"),
    "abstract": ("abstract", "ab"),
    "isbn": ("isbn",),
    "issn": ("issn",),
    "pmid": ("pmid", "pubmedid", "pm"),
    "pmcid": ("pmcid",),
    "nct_id": ("nctid",),
    "url": ("url", "link"),
    "language": ("language", "languageoforiginaldocument", "la"),
    "keywords": ("keywords", "authorkeywords"),
    "mesh": ("mesh", "meshterms"),
    "publication_types": ("publicationtypes", "documenttype"),
    "entry_date": ("entrydate",),
    "record_type": ("recordtype", "entrytype", "type"),
}
_LIST = frozenset({"keywords", "mesh", "publication_types"})
#: When there is no pages column: first and last page columns (Scopus, WoS tab-delimited).
_PAGE_START = ("pagestart", "startpage", "bp", "sp")
_PAGE_END = ("pageend", "endpage", "ep")
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?)\s+\((?P<year>\d{4})\)"
    r"(?:\s+(?P<volume>[^\s:(]+)(?::(?P<issue>[^\s(]+))?)?"
    r"(?:\s+\((?P<pages>[^)]*)\))?"
)


def _norm(name: str) -> str:
    return re.sub(r"[\s_.\-]+", "", name.strip().lstrip("\ufeff")).lower()


def _dialect(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","


def _split_authors(value: str) -> tuple[str, ...]:
    if ";" in value:
        return split_list(value, ";")
    if re.search(r"\s+and\s+", value):
        return tuple(p.strip() for p in re.split(r"\s+and\s+", value) if p.strip())
    return (value.strip(),) if value.strip() else ()


def _year(value: str, extra: dict[str, Any], column: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}(\.0)?", value):
        return int(float(value))
    year = parse_year(value)
    if year is None:
        extra["year_raw"] = value
    return year


def _embase_row(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": row.get("Title"),
        "abstract": row.get("Abstract"),
        "authors": tuple(a.strip() for a in (row.get("Author Names") or "").split(",") if a.strip()),
        "keywords": split_list(row.get("keywords") or "", ",;"),
    }
    match = _EMBASE_SOURCE.match(row.get("Source") or "")
    if match:
        out.update({k: v for k, v in match.groupdict().items() if v})
        out["year"] = int(match.group("year"))
    elif row.get("Source"):
        out["journal"] = row["Source"]
    link = row.get("Open URL Link") or ""
    if link:
        query = parse_qs(urlsplit(link).query)
        ident = (query.get("id") or [""])[0]
        if ident.startswith("doi:"):
            out["doi"] = clean_doi(ident)
        issn = (query.get("issn") or [""])[0]
        if re.fullmatch(r"\d{7}[\dXx]", issn):
            out["issn"] = f"{issn[:4]}-{issn[4:]}"
        if query.get("stitle"):
            out["journal_iso"] = query["stitle"][0]
    return out


def iter_csv(text: str, path: str | None = None) -> tuple[list[Record], list[str]]:
    """Parse a CSV table into records, plus notes.

    Raises
    ------
    InputError
        No title column (names the header row), an id that is not unique
        (names both rows), or a row with more cells than the header.
    """
    delimiter = _dialect(text)
    table = parse_csv(text, path=path, delimiter=delimiter)  # strict quotes, cells of any length
    header = list(table.header)
    if not header:
        raise InputError("the CSV file is empty", path=path, line=1)
    normalised = [_norm(h) for h in header]
    columns: dict[str, int] = {}
    for fieldname, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in normalised:
                columns[fieldname] = normalised.index(alias)
                break
    page_columns: tuple[int | None, int | None] = (None, None)
    if "pages" not in columns:
        start = next((normalised.index(a) for a in _PAGE_START if a in normalised), None)
        end = next((normalised.index(a) for a in _PAGE_END if a in normalised), None)
        page_columns = (start, end)
    embase = "Author Names" in header and "Source" in header and "Title" in header
    # evsynth's own table (columns added after them, as a spreadsheet may, do not make it foreign)
    own_source = 1 if tuple(header[: len(EVSYNTH_CSV_COLUMNS)]) == EVSYNTH_CSV_COLUMNS else None
    if "title" not in columns:
        raise InputError(
            "CSV without a title column (one of: Title, Article Title, Document Title); "
            f"header row: {delimiter.join(header)}",
            path=path, line=1, field="title",
        )
    mapped = set(columns.values()) | {i for i in (*page_columns, own_source) if i is not None}
    records: list[Record] = []
    seen: dict[str, int] = {}
    id_column = header[columns["source_id"]] if "source_id" in columns else None
    for row in table.rows:  # blank rows are skipped; row.line is the file line the row starts on
        row_number, cells = row.line, list(row.cells)
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            raise InputError(
                f"row has {len(cells)} cells but the header has {len(header)}", path=path, line=row_number
            )
        cells = (cells + [""] * (len(header) - len(cells)))[: len(header)]
        named = dict(zip(header, cells))
        extra: dict[str, Any] = {}
        if embase:
            kwargs = _embase_row(named)
            used = {"Title", "Author Names", "Source", "Abstract", "keywords"}
            extra = {h: v for h, v in named.items() if h not in used and v.strip()}
        else:
            kwargs = {}
            for fieldname, index in columns.items():
                value = cells[index]
                if fieldname == "authors":
                    kwargs["authors"] = _split_authors(value)
                elif fieldname in _LIST:
                    kwargs[fieldname] = split_list(value, ";")
                elif fieldname == "year":
                    kwargs["year"] = _year(value, extra, header[index])
                elif fieldname == "doi":
                    kwargs["doi"] = clean_doi(value)
                    if kwargs["doi"] is None and value.strip():
                        extra["doi_raw"] = value.strip()
                else:
                    kwargs[fieldname] = value.strip() or None
            if page_columns != (None, None):
                first, last = (None if i is None else cells[i] for i in page_columns)
                kwargs["pages"] = join_pages(first, last)
            for index, name in enumerate(header):
                if index not in mapped and cells[index].strip():
                    extra[name] = cells[index]
        source_id = kwargs.pop("source_id", None)
        if source_id is not None:
            if source_id in seen:
                raise InputError(
                    f"id {source_id!r} is not unique: rows {seen[source_id]} and {row_number}",
                    path=path, line=row_number, field=id_column,
                )
            seen[source_id] = row_number
        for key in ("title", "abstract", "journal", "journal_iso"):
            kwargs[key] = nfc(kwargs.get(key))
        kwargs["authors"] = tuple(a for a in (nfc(a) for a in kwargs.get("authors", ())) if a)
        source = (cells[own_source].strip() if own_source is not None else "") or "csv"
        records.append(Record(source=source, source_id=source_id, extra=extra, **kwargs))
    if not records:
        raise InputError("the CSV file has a header but no rows", path=path, line=1)
    return records, []
