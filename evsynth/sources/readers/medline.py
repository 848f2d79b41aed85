"""PubMed MEDLINE / .nbib text → Record.

Format: a tag of up to four characters padded to four, ``"- "``, the value;
continuation lines start with six spaces; records are separated by blank lines
and start with ``PMID-``.

The DOI comes only from the article's own ``LID``/``AID`` ``[doi]`` lines, never
from comment/correction lines (``CIN``, ``RIN``, ``EIN``, ...) that cite other
papers. Authors are the full names (``FAU``, "Last, First") when given, else
``AU``; collective authors (``CN``) follow.
"""

from __future__ import annotations

import re

from ...errors import InputError
from ...models import Record
from ._common import clean_doi, nfc, parse_year

_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- (.*)$")
_ID_KIND = re.compile(r"^(.*?)\s*\[([a-z]+)\]\s*$")


def _tokenize(text: str, path: str | None) -> list[tuple[int, list[tuple[str, str, int]]]]:
    blocks: list[tuple[int, list[tuple[str, str, int]]]] = []
    current: list[tuple[str, str, int]] | None = None
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if current:
                blocks.append((start, current))
            current = None
            continue
        match = _TAG.match(line)
        if match and not line.startswith(" "):
            tag, value = match.group(1), match.group(2).strip()
            if tag == "PMID" and current and any(t == "PMID" for t, _, _ in current):
                blocks.append((start, current))  # records pasted together without a blank line
                current = None
            if current is None:
                current, start = [], number
            current.append((tag, value, number))
        elif line.startswith(" ") and current:
            tag, value, n = current[-1]
            current[-1] = (tag, f"{value} {line.strip()}".strip(), n)
        else:
            raise InputError(
                f"not a MEDLINE line: {line[:40]!r}", path=path, line=number
            )
    if current:
        blocks.append((start, current))
    return blocks


def _record(start: int, tags: list[tuple[str, str, int]], path: str | None) -> Record:
    values: dict[str, list[str]] = {}
    for tag, value, _ in tags:
        values.setdefault(tag, []).append(value)

    def first(tag: str) -> str | None:
        return next((v for v in values.get(tag, []) if v), None)

    pmid = first("PMID")
    if pmid is None:
        raise InputError("MEDLINE record without a PMID line", path=path, line=start, field="PMID")
    doi = None
    for tag in ("LID", "AID"):
        for value in values.get(tag, []):
            m = _ID_KIND.match(value)
            if m and m.group(2) == "doi" and doi is None:
                doi = clean_doi(m.group(1))
    pmcid = first("PMC")
    authors = values.get("FAU") or values.get("AU") or []
    authors = [*authors, *values.get("CN", [])]
    issn = []
    for value in values.get("IS", []):
        number = re.sub(r"\s*\(.*\)\s*$", "", value).strip()
        if number and number not in issn:
            issn.append(number)
    nct = None
    for value in values.get("SI", []):
        m = re.search(r"NCT\d{8}", value)
        if m:
            nct = m.group()
            break
    edat = first("EDAT") or first("CRDT")
    entry_date = None
    if edat:
        m = re.match(r"(\d{4})/(\d{2})/(\d{2})", edat)
        entry_date = "-".join(m.groups()) if m else None
    used = {"PMID", "LID", "AID", "PMC", "FAU", "AU", "CN", "IS", "TI", "AB", "JT", "TA", "DP",
            "VI", "IP", "PG", "LA", "PT", "MH", "OT", "ISBN", "BTI"}
    extra = {"medline": {k: v for k, v in values.items() if k not in used}}
    if values.get("FAU") and values.get("AU"):
        extra["medline"]["AU"] = values["AU"]  # the short forms, kept beside the full names
    return Record(
        source="medline",
        source_id=pmid,
        pmid=pmid,
        doi=doi,
        pmcid=pmcid,
        nct_id=nct,
        title=nfc(first("TI") or first("BTI")),
        abstract=nfc(first("AB")),
        authors=tuple(a for a in (nfc(a) for a in authors) if a),
        journal=nfc(first("JT")),
        journal_iso=nfc(first("TA")),
        year=parse_year(first("DP")),
        volume=first("VI"),
        issue=first("IP"),
        pages=first("PG"),
        language=first("LA"),
        publication_types=tuple(values.get("PT", [])),
        mesh=tuple(values.get("MH", [])),
        keywords=tuple(values.get("OT", [])),
        isbn=first("ISBN"),
        issn="; ".join(issn) or None,
        entry_date=entry_date,
        record_type="BOOK" if "BTI" in values and "TI" not in values else None,
        extra=extra,
    )


def iter_medline(text: str, path: str | None = None) -> tuple[list[Record], list[str]]:
    """Parse MEDLINE text into records (and notes; none so far).

    Raises
    ------
    InputError
        A line that is neither a tag nor a continuation, or a record without PMID.
    """
    blocks = _tokenize(text, path)
    if not blocks:
        raise InputError("no MEDLINE record found (no 'PMID- ' line)", path=path, line=1, field="PMID")
    return [_record(start, tags, path) for start, tags in blocks], []
