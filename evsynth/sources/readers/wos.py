"""Web of Science plain text ("FN Clarivate Analytics Web of Science") → Record.

Format: ``FN``/``VR`` header, records from ``PT`` to ``ER``, ``EF`` at the end;
a tag is two characters and a space; continuation lines start with three
spaces. For author-like tags (``AU``, ``AF``, ``C1``, ``CR``, ...) each line is
one value; for text they continue the value. Web of Science's RIS export is
RIS (``TY  -``) and goes through :mod:`.ris`.

A record without ``ER`` is an error, as for RIS: always in the middle of the
file (a ``PT`` while a record is open), at the end unless ``accept_missing_er``.
"""

from __future__ import annotations

import re

from ...errors import InputError
from ...models import Record
from ._common import classify_sn, clean_doi, join_pages, nfc, parse_year, split_list

_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_LINE_VALUES = frozenset({"AU", "AF", "BA", "BF", "CA", "C1", "C3", "CR", "ED", "RP", "EM", "FU"})
_HEADER = frozenset({"FN", "VR", "EF"})


def _tokenize(
    text: str, path: str | None, accept_missing_er: bool
) -> tuple[list[tuple[int, list[tuple[str, str]]]], list[str]]:
    blocks: list[tuple[int, list[tuple[str, str]]]] = []
    notes: list[str] = []
    current: list[tuple[str, str]] | None = None
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        if line.startswith("   ") or line.startswith("\t"):
            if current:
                tag, value = current[-1]
                if tag in _LINE_VALUES:
                    current.append((tag, line.strip()))
                else:
                    current[-1] = (tag, f"{value} {line.strip()}".strip())
            continue
        match = _TAG.match(line.rstrip())
        if match is None:
            raise InputError(f"not a Web of Science line: {line[:40]!r}", path=path, line=number)
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag in _HEADER:
            continue
        if tag == "PT":
            if current is not None:
                raise InputError(
                    f"record starting on line {start} has no 'ER' before the next 'PT' (truncated record?)",
                    path=path, line=number, field="ER",
                )
            current, start = [(tag, value)], number
        elif tag == "ER":
            if current is not None:
                blocks.append((start, current))
            current = None
        elif current is None:
            raise InputError(f"tag {tag!r} outside a record (before 'PT')", path=path, line=number, field=tag)
        else:
            current.append((tag, value))
    if current is not None:
        if not accept_missing_er:
            raise InputError(
                f"record starting on line {start} has no 'ER': the file ends inside it (truncated?); "
                "accept it with --accept-missing-er",
                path=path, line=start, field="ER",
            )
        blocks.append((start, current))
        notes.append(f"the last record (line {start}) had no 'ER'; accepted as ended by the file's end")
    if not blocks:
        raise InputError("no Web of Science record found (no 'PT' line)", path=path, line=1, field="PT")
    return blocks, notes


def _record(tags: list[tuple[str, str]]) -> Record:
    values: dict[str, list[str]] = {}
    for tag, value in tags:
        if value:
            values.setdefault(tag, []).append(value)

    def first(*names: str) -> str | None:
        for name in names:
            if values.get(name):
                return values[name][0]
        return None

    authors = values.get("AF") or values.get("AU") or []
    authors = [*authors, *values.get("CA", [])]
    issn, isbn = classify_sn([*values.get("SN", []), *values.get("EI", []), *values.get("BN", [])])
    pages = join_pages(first("BP"), first("EP")) or first("AR")
    used = {"PT", "AU", "AF", "CA", "TI", "SO", "JI", "J9", "AB", "PY", "VL", "IS", "BP", "EP",
            "DI", "UT", "PM", "SN", "EI", "BN", "LA", "DT", "DE"}
    extra: dict[str, object] = {"wos": {k: v for k, v in values.items() if k not in used}}
    if values.get("AF") and values.get("AU"):
        extra["wos"]["AU"] = values["AU"]  # type: ignore[index]
    if first("JI") and first("J9"):
        extra["wos"]["J9"] = values["J9"]  # type: ignore[index]
    return Record(
        source="wos",
        source_id=first("UT"),
        pmid=first("PM"),
        doi=clean_doi(first("DI")),
        title=nfc(first("TI")),
        abstract=nfc(first("AB")),
        authors=tuple(a for a in (nfc(a) for a in authors) if a),
        journal=nfc(first("SO")),
        journal_iso=nfc(first("JI", "J9")),
        year=parse_year(first("PY")),
        volume=first("VL"),
        issue=first("IS"),
        pages=pages,
        language=first("LA"),
        publication_types=split_list(first("DT")),
        keywords=split_list(" ".join(values.get("DE", []))),
        issn=issn,
        isbn=isbn,
        record_type=first("PT"),
        extra=extra,
    )


def iter_wos(
    text: str, path: str | None = None, *, accept_missing_er: bool = False
) -> tuple[list[Record], list[str]]:
    """Parse Web of Science plain text into records, plus notes.

    Raises
    ------
    InputError
        A line that is not a tag or continuation, a tag outside a record, a
        record without ``ER`` (at the end only unless ``accept_missing_er``), or
        no record at all.
    """
    blocks, notes = _tokenize(text, path, accept_missing_er)
    return [_record(tags) for _, tags in blocks], notes
