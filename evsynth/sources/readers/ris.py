"""RIS (Embase, Ovid, Scopus, ProQuest, Zotero, EndNote, Citavi, Rayyan, WoS) → Record.

Why not ``rispy.load``: it silently drops a last record without ``ER``,
keeps only the first of a repeated single tag (Embase's ``DB  - Embase`` /
``DB  - Medline``) and reports no line numbers. The tokenizer here is small.
Tags without a Record slot are kept under their raw names in
``Record.extra["ris"]`` (so an RIS export writes them back).

Oddities handled
----------------
* UTF-8 BOM, Windows/Latin-1 bytes (see :mod:`._common`).
* Lines that are not tags between records (Ovid's ``1.`` numbering and
  "Link to the Ovid Full Text" lines): ignored.
* Tags between an ``ER`` and the next ``TY`` (Ovid writes ``NL`` there):
  they belong to the record just closed.
* Continuation lines (a line without a tag at its very start inside a record, so an
  indented ``   ER  -`` is text): for list tags (``KW``, authors, ``AD``, ``N1``, ...) each
  is a new value (Rayyan, EndNote); for titles they are joined with a space, for other text
  with a newline; each is stripped and blank ones are dropped. Except evsynth's own
  continuation lines, which start with exactly :data:`CONTINUATION` (three spaces): the rest
  of such a line is the value's next line as written (leading spaces and blank lines kept),
  joined with a newline whatever the tag, so a multi-line title or keyword reads back
  exactly (see :mod:`evsynth.sources.writers`). A line of another exporter indented by
  three or more spaces is read the same way (none of the exports in ``tests/data/exports``
  indents its continuation lines).
* Empty values (``N2  -``) are no value.
* A record without ``ER`` is an :class:`~evsynth.errors.InputError` naming the
  line where it starts. In the MIDDLE of a file (a ``TY`` while a record is
  still open) always: the file is damaged or two files were pasted together
  badly, and guessing which tags belong to which record could mix two papers.
  At the END of the file by default too, because a download cut off mid-record
  looks exactly like that; ``accept_missing_er=True`` (CLI
  ``--accept-missing-er``) accepts it for exporters that leave out the last
  ``ER``, with a note.
* Faulty years (``PY  - 10 15``): year None, the raw value kept in
  ``extra["year_raw"]``.
* ``AN`` is a PMID only when the record says it came from PubMed/MEDLINE
  (``DP  - NLM``, or a ``DB`` naming PubMed/MEDLINE but not Embase); otherwise
  it is the database's accession number (source_id when there is no ``ID``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from ...errors import InputError
from ...models import Record
from ._common import classify_sn, clean_doi, join_pages, nfc, parse_year

_TAG = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?\s*$")

#: How evsynth's writer starts a further line of a value (the reader keeps what follows).
CONTINUATION = "   "

#: Tags whose continuation lines are further values.
_LIST_TAGS = frozenset(
    {"KW", "AU", "A1", "A2", "A3", "A4", "AD", "N1", "UR", "L1", "L2", "L3", "L4", "SN", "M1", "C3"}
)
#: Tags whose continuation lines continue the same line.
_SPACE_JOIN = frozenset({"TI", "T1", "T2", "T3", "ST", "JF", "JO", "JA", "J1", "J2", "BT", "CT"})

_TITLE = ("TI", "T1", "CT")
_ABSTRACT = ("AB", "N2")
_AUTHORS = ("AU", "A1")
_JOURNAL = ("JF", "T2", "JO")
_JOURNAL_FALLBACK = ("JA", "J2", "J1")
_JOURNAL_ISO = ("J2", "JA", "J1", "JI", "NL")
_YEAR = ("PY", "Y1")
_YEAR_FALLBACK = ("DA", "Y2")


@dataclass
class _Raw:
    line: int
    tags: list[tuple[str, str, int]] = field(default_factory=list)

    def values(self, tag: str) -> list[str]:
        return [v for t, v, _ in self.tags if t == tag]


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` (split on "\\n") one at a time, without copying the text."""
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def _iter_raw(text: str, path: str | None, accept_missing_er: bool, notes: list[str]) -> Iterator[_Raw]:
    """Raw records (tag, value, line) in file order, one at a time (memory: one record).

    A record is yielded when the next ``TY`` starts or the text ends, because tags between its
    ``ER`` and the next ``TY`` (Ovid's ``NL``) still belong to it. Notes go to ``notes``.
    """
    current: _Raw | None = None
    last_closed: _Raw | None = None
    last_tag: str | None = None
    found = False
    for number, line in enumerate(_lines(text), start=1):
        match = _TAG.match(line.lstrip("\ufeff"))  # only at the line's start: an indented line is text
        if match is None:
            if current is not None and last_tag is not None and line.startswith(CONTINUATION):
                # evsynth's own continuation line: the value's next line, exactly
                tag_line = current.tags[-1]
                current.tags[-1] = (tag_line[0], f"{tag_line[1]}\n{line[len(CONTINUATION):].rstrip()}", tag_line[2])
                continue
            content = line.strip()
            if current is not None and content and last_tag is not None:
                tag_line = current.tags[-1]
                if last_tag in _LIST_TAGS or last_tag not in _SPACE_JOIN and not tag_line[1]:
                    current.tags.append((last_tag, content, number))
                else:
                    sep = " " if last_tag in _SPACE_JOIN else "\n"
                    joined = f"{tag_line[1]}{sep}{content}" if tag_line[1] else content
                    current.tags[-1] = (tag_line[0], joined, tag_line[2])
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if current is not None:
                raise InputError(
                    f"record starting on line {current.line} has no 'ER  -' before the next "
                    "'TY  -' (truncated record?)",
                    path=path,
                    line=number,
                    field="ER",
                )
            if last_closed is not None:
                yield last_closed
                last_closed = None
            current = _Raw(line=number)
            current.tags.append((tag, value, number))
            last_tag = tag
        elif tag == "ER":
            if current is not None:
                found = True
                last_closed, current, last_tag = current, None, None
        elif current is not None:
            current.tags.append((tag, value, number))
            last_tag = tag
        elif last_closed is not None:
            # Ovid writes e.g. "NL  - ..." after the ER of its record.
            last_closed.tags.append((tag, value, number))
        else:
            raise InputError(f"tag {tag!r} before the first 'TY  -' line", path=path, line=number, field=tag)
    if last_closed is not None:
        yield last_closed
    if current is not None:
        if not accept_missing_er:
            raise InputError(
                f"record starting on line {current.line} has no 'ER  -': the file ends inside it "
                "(truncated download?). If the exporter simply leaves out the last 'ER  -', "
                "accept it with --accept-missing-er",
                path=path,
                line=current.line,
                field="ER",
            )
        found = True
        notes.append(f"the last record (line {current.line}) had no 'ER  -'; accepted as ended by the file's end")
        yield current
    if not found:
        raise InputError("no RIS record found (no 'TY  -' line)", path=path, line=1, field="TY")


def _first(raw: _Raw, tags: tuple[str, ...], used: set[tuple[str, int]]) -> str | None:
    for tag in tags:
        for t, v, n in raw.tags:
            if t == tag and v:
                used.add((t, n))
                return v
    return None


def _is_pubmed(raw: _Raw) -> bool:
    if any(v.strip().upper() == "NLM" for v in raw.values("DP")):
        return True
    dbs = " ".join(raw.values("DB")).lower()
    return ("pubmed" in dbs or "medline" in dbs) and "embase" not in dbs


def _to_record(raw: _Raw) -> Record:
    raw.tags = [(t, v.rstrip(), n) for t, v, n in raw.tags]  # blank continuation lines at a value's end
    used: set[tuple[str, int]] = set()

    def take_all(tags: tuple[str, ...]) -> list[str]:
        out = []
        for t, v, n in raw.tags:
            if t in tags and v:
                used.add((t, n))
                out.append(v)
        return out

    record_type = _first(raw, ("TY",), used)
    title = _first(raw, _TITLE, used)
    abstract = _first(raw, _ABSTRACT, used)
    authors = tuple(nfc(a) for a in take_all(_AUTHORS))
    journal = _first(raw, _JOURNAL, used) or _first(raw, _JOURNAL_FALLBACK, used)
    iso_candidates = [(t, v, n) for t, v, n in raw.tags if t in _JOURNAL_ISO and v]
    journal_iso = None
    for tag in _JOURNAL_ISO:
        hit = next(((t, v, n) for t, v, n in iso_candidates if t == tag), None)
        if hit:
            used.add((hit[0], hit[2]))
            journal_iso = hit[1]
            break
    year = None
    year_raw: list[str] = []
    for tag in _YEAR + _YEAR_FALLBACK:
        for t, v, n in raw.tags:
            if t == tag and v:
                parsed = parse_year(v)
                if parsed is not None and year is None:
                    year = parsed
                    used.add((t, n))
                elif parsed is None and tag in _YEAR:
                    year_raw.append(v)
                    used.add((t, n))
    pages = join_pages(_first(raw, ("SP",), used), _first(raw, ("EP",), used))
    doi = None
    for t, v, n in raw.tags:
        if t == "DO" and v and clean_doi(v):
            doi = clean_doi(v)
            used.add((t, n))
            break
    issn, isbn = classify_sn(take_all(("SN", "BN")))
    source_id = _first(raw, ("ID",), used)
    pmid = None
    accession = None
    for t, v, n in raw.tags:
        if t == "AN" and v:
            used.add((t, n))
            if _is_pubmed(raw) and v.isdigit():
                pmid = v
            accession = accession or v
            break
    if source_id is None and accession is not None:
        source_id = accession
    extra: dict[str, object] = {}
    if accession is not None and accession != source_id:
        extra["accession"] = accession
    if source_id is None:
        dbs = " ".join(raw.values("DB")).lower()
        embase_id = next((v for v in raw.values("U2") if re.fullmatch(r"L\d+", v)), None)
        if "embase" in dbs and embase_id:
            source_id = embase_id
    if year_raw:
        extra["year_raw"] = "; ".join(year_raw)
    volume = _first(raw, ("VL",), used)
    issue = _first(raw, ("IS",), used)
    language = _first(raw, ("LA",), used)
    keywords = tuple(k for k in (nfc(k) for k in take_all(("KW",))) if k)
    url = _first(raw, ("UR",), used)
    rest: dict[str, list[str]] = {}
    for t, v, n in raw.tags:
        if (t, n) not in used and v:
            rest.setdefault(t, []).append(v)
    if rest:
        extra["ris"] = rest
    return Record(
        source="ris",
        source_id=source_id,
        pmid=pmid,
        doi=doi,
        title=nfc(title),
        abstract=nfc(abstract),
        authors=tuple(a for a in authors if a),
        journal=nfc(journal),
        journal_iso=nfc(journal_iso),
        year=year,
        volume=volume,
        issue=issue,
        pages=pages,
        language=language,
        keywords=keywords,
        isbn=isbn,
        issn=issn,
        url=url,
        record_type=record_type,
        extra=extra,
    )


def stream_ris(
    text: str, path: str | None = None, *, accept_missing_er: bool = False, notes: list[str] | None = None
) -> Iterator[Record]:
    """Records of RIS text one at a time (see :func:`iter_ris`); notes are appended to ``notes``.

    Raises
    ------
    InputError
        As :func:`iter_ris`, when the iteration reaches the problem (records before it have
        been yielded: store them in a transaction that the error rolls back).
    """
    sink: list[str] = [] if notes is None else notes
    for raw in _iter_raw(text, path, accept_missing_er, sink):
        yield _to_record(raw)


def iter_ris(
    text: str, path: str | None = None, *, accept_missing_er: bool = False
) -> tuple[list[Record], list[str]]:
    """Parse RIS text into records, plus notes about accepted oddities.

    Parameters
    ----------
    text : str
        Decoded file content.
    path : str, optional
        Named in errors.
    accept_missing_er : bool
        Accept a last record that the file ends without ``ER`` (with a note).

    Raises
    ------
    InputError
        No record, a tag before the first ``TY``, a record cut off in the
        middle of the file, or (unless accepted) a last record without ``ER``.
    """
    notes: list[str] = []
    records = list(stream_ris(text, path, accept_missing_er=accept_missing_er, notes=notes))
    return records, notes
