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


def _is_last_line(text: str, number: int) -> bool:
    """True when nothing but blank lines follows line ``number`` (1-based)."""
    return not text.split("\n", number)[-1].strip() if text.count("\n") >= number else True


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
            if _is_last_line(text, number):
                raise InputError(
                    f"the file ends inside the record starting on line {start if current else number}: its last "
                    f"line {line[:40]!r} is cut off (truncated download?)", path=path, line=number,
                    field=current[-1][0] if current else "PMID")
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


def _check_not_cut(blocks: list[tuple[int, list[tuple[str, str, int]]]], text: str, path: str | None) -> None:
    """A last record cut off is reported as such, not read as a shorter record.

    PubMed ends every record with its ``SO`` (source) line. When the other records do and the
    last one does not — or the file is one record without ``SO`` and without a final line
    break — the file was cut inside that record.
    """
    start, tags = blocks[-1]
    if tags[-1][0] == "SO":
        return
    others = [t for _s, t in blocks[:-1]]
    cut = all(t[-1][0] == "SO" for t in others) if others else not text.endswith("\n")
    if cut:
        raise InputError(
            f"the file ends inside the record starting on line {start}: it has no 'SO' line, which ends "
            f"every PubMed record, after line {tags[-1][2]} (truncated download?)",
            path=path, line=tags[-1][2], field=tags[-1][0])


def iter_medline(text: str, path: str | None = None) -> tuple[list[Record], list[str]]:
    """Parse MEDLINE text into records (and notes; none so far).

    Raises
    ------
    InputError
        A line that is neither a tag nor a continuation, a record without PMID, or a file that
        ends inside a record (its last line cut, or its ``SO`` line missing where every other
        record has one).
    """
    blocks = _tokenize(text, path)
    if not blocks:
        raise InputError("no MEDLINE record found (no 'PMID- ' line)", path=path, line=1, field="PMID")
    _check_not_cut(blocks, text, path)
    return [_record(start, tags, path) for start, tags in blocks], []
