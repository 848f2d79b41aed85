"""Screening sheets in the formats screeners use: evsynth's CSV, ASReview, Rayyan.

Reading (:func:`read_sheet_rows`) turns any of these files into
:class:`SheetRow` objects, one decision each:

* **evsynth CSV** — columns ``record_id`` and ``decision`` (plus ``reason``,
  ``reviewer``, ``stage``); see :data:`~evsynth.screening.SHEET_COLUMNS`.
* **ASReview CSV/TSV** (ASReview LAB's export, or any table with its label
  column) — the first of ASReview's label columns (``included``,
  ``label_included``, ``final_included``, ``label``, ``included_label``,
  ``included_final``, ``included_flag``, ``include``): ``1`` include, ``0``
  exclude, ``-1`` or empty not screened. ASReview records no reviewer.
* **ASReview RIS** — ``N1`` notes ``ASReview_relevant`` (include),
  ``ASReview_irrelevant`` (exclude), ``ASReview_not_seen`` (not screened).
* **Rayyan CSV/RIS** (Rayyan's "export with decisions") — the ``notes`` column
  (RIS ``N1``) holds ``RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Maybe"}``
  (one decision per reviewer: Included / Excluded / Maybe) and
  ``RAYYAN-EXCLUSION-REASONS: wrong population,wrong design`` (the reason of
  the exclusions).

CSV files may be comma-, semicolon- (Excel in many European locales) or
tab-delimited: the delimiter is sniffed from the header. Which stored record a
row belongs to: the id column (evsynth ``record_id``, Rayyan ``key``, RIS
``ID``), and for ASReview and Rayyan, whose ids may be their own numbering, the
record's PMID, DOI or title when the id does not name a stored record with
that title (see :mod:`evsynth.screening.sheets`).

Writing (:func:`asreview_csv`, :func:`asreview_ris`, :func:`rayyan_csv`) gives
the records of a stage with the labels ASReview reads (prior knowledge), and a
sheet in the columns Rayyan imports with the store id as its ``key``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .._csvread import parse_csv, read_text_utf8
from ..errors import InputError
from ..models import Record

__all__ = ["SheetRow", "read_sheet_rows", "asreview_csv", "asreview_ris", "rayyan_csv", "sniff_delimiter"]

#: ASReview's names for its label column, in its order of preference.
ASREVIEW_LABEL_COLUMNS = ("included", "label_included", "final_included", "label", "included_label",
                          "included_final", "included_flag", "include")
_ASREVIEW_NOTES = {"ASReview_relevant": "include", "ASReview_irrelevant": "exclude", "ASReview_not_seen": ""}
_ASREVIEW_LABELS = {"1": "include", "1.0": "include", "0": "exclude", "0.0": "exclude", "-1": "", "-1.0": "", "": ""}
_RAYYAN_DECISIONS = {"included": "include", "excluded": "exclude", "maybe": "maybe", "undecided": ""}
_RAYYAN_INCLUSION = re.compile(r"RAYYAN-INCLUSION:\s*\{(?P<body>[^}]*)\}")
_RAYYAN_VOTE = re.compile(r'"(?P<who>(?:[^"\\]|\\.)+)"\s*=>\s*"(?P<what>[^"]*)"')
_RAYYAN_REASONS = re.compile(r"RAYYAN-EXCLUSION-REASONS:\s*(?P<reasons>[^|]*)")
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(frozen=True)
class SheetRow:
    """One decision read from a sheet (not validated yet).

    Parameters
    ----------
    row : int
        CSV row (header = 1) or RIS line of the record's ``TY``.
    record_id : str
        The id cell as written ("" if none).
    decision : str
        ``include``/``exclude``/``maybe`` as mapped from the format, or the cell
        as written for evsynth sheets ("" = not screened).
    reason, reviewer, stage : str
        As written ("" if none).
    title, doi, pmid : str
        The record's identifiers in the sheet, to match external sheets.
    column : str
        Where the decision was read (named in errors).
    """

    row: int
    record_id: str
    decision: str
    reason: str = ""
    reviewer: str = ""
    stage: str = ""
    title: str = ""
    doi: str = ""
    pmid: str = ""
    column: str = "decision"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV header line: the one of ``,`` ``;`` tab that splits it most."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d), [])) for d in _DELIMITERS}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _cell(row: Mapping[str, str | None], header: Mapping[str, str], name: str) -> str:
    column = header.get(name)
    value = row.get(column) if column is not None else None
    return "" if value is None else str(value).strip()


def _rayyan_votes(notes: str) -> list[tuple[str, str]]:
    match = _RAYYAN_INCLUSION.search(notes)
    if not match:
        return []
    return [(m.group("who").replace('\\"', '"'), m.group("what")) for m in _RAYYAN_VOTE.finditer(match.group("body"))]


def _rayyan_reason(notes: str) -> str:
    match = _RAYYAN_REASONS.search(notes)
    return " ".join(match.group("reasons").split()).strip().strip(",") if match else ""


def _rayyan_rows(row_no: int, notes: str, base: dict[str, str], path: Path) -> list[SheetRow]:
    out = []
    reason = _rayyan_reason(notes)
    for who, what in _rayyan_votes(notes):
        decision = _RAYYAN_DECISIONS.get(what.strip().lower())
        if decision is None:
            raise InputError(f"Rayyan decision {what!r} of {who!r} not one of Included, Excluded, Maybe",
                             path=path, line=row_no, field="notes")
        if decision:
            out.append(SheetRow(row_no, decision=decision, reviewer=who, column="notes",
                                reason=reason if decision == "exclude" else "", **base))
    return out


def _read_csv(text: str, path: Path) -> tuple[str, list[SheetRow]]:
    first = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first)
    # the shared reader: quotes must close, bytes must be UTF-8 (named by line and column)
    table = parse_csv(text, path=path, delimiter=delimiter)
    table.raise_first()
    names = list(table.header)
    header = {str(h).strip().lower(): h for h in names}
    lines = [row.line for row in table.rows]
    rows = [dict(zip(names, row.cells)) for row in table.rows]
    label_column = next((c for c in ASREVIEW_LABEL_COLUMNS if c in header), None)
    has_rayyan = "notes" in header and any("RAYYAN-INCLUSION" in (r.get(header["notes"]) or "") for r in rows)
    out: list[SheetRow] = []
    if "record_id" in header and "decision" in header:
        for row_no, row in zip(lines, rows):
            out.append(SheetRow(
                row_no, record_id=_cell(row, header, "record_id"), decision=_cell(row, header, "decision").lower(),
                reason=_cell(row, header, "reason"), reviewer=_cell(row, header, "reviewer"),
                stage=_cell(row, header, "stage").lower(), title=_cell(row, header, "title"),
            ))
        return "evsynth", out
    if has_rayyan:
        for row_no, row in zip(lines, rows):
            base = {"record_id": _cell(row, header, "key") or _cell(row, header, "record_id"),
                    "title": _cell(row, header, "title"), "doi": _cell(row, header, "doi"),
                    "pmid": _cell(row, header, "pubmed_id") or _cell(row, header, "pmid")}
            out.extend(_rayyan_rows(row_no, _cell(row, header, "notes"), base, path))
        return "rayyan", out
    if label_column is not None:
        for row_no, row in zip(lines, rows):
            raw = _cell(row, header, label_column)
            decision = _ASREVIEW_LABELS.get(raw)
            if decision is None:
                raise InputError(f"ASReview label {raw!r} not one of 1 (relevant), 0 (irrelevant), -1 or empty",
                                 path=path, line=row_no, field=header[label_column])
            out.append(SheetRow(
                row_no, record_id=_cell(row, header, "record_id") or _cell(row, header, "id"), decision=decision,
                title=_cell(row, header, "title"), doi=_cell(row, header, "doi"),
                pmid=_cell(row, header, "pmid") or _cell(row, header, "pubmed_id"), column=header[label_column],
            ))
        return "asreview", out
    found = ", ".join(h for h in header) or "none"
    raise InputError(
        f"not a screening sheet: read with a {_DELIMITERS[delimiter]} delimiter, the header has the column(s)"
        f" {found}; a sheet needs record_id and decision (evsynth), an ASReview label column (included)"
        " or Rayyan's notes with RAYYAN-INCLUSION",
        path=path, line=1,
    )


def _read_ris(text: str, path: Path) -> tuple[str, list[SheetRow]]:
    from ..sources.readers import read_text

    starts = [i for i, line in enumerate(text.splitlines(), start=1) if re.match(r"^\ufeff?TY {1,2}-", line)]
    records = read_text(text, "ris", path=str(path))
    kind = ""
    out: list[SheetRow] = []
    for line, record in zip(starts, records):
        notes = record.extra.get("ris", {}).get("N1", []) if isinstance(record.extra.get("ris"), dict) else []
        notes = " | ".join(notes if isinstance(notes, list) else [notes])
        base = {"record_id": record.source_id or "", "title": record.title or "", "doi": record.doi or "",
                "pmid": record.pmid or ""}
        if "RAYYAN-INCLUSION" in notes:
            kind = "rayyan"
            out.extend(_rayyan_rows(line, notes, base, path))
            continue
        labels = [m for m in re.findall(r"\bASReview_\w+\b", notes) if m in _ASREVIEW_NOTES]
        if labels:
            kind = kind or "asreview"
            out.append(SheetRow(line, decision=_ASREVIEW_NOTES[labels[-1]], column="N1", **base))
    if not kind:
        raise InputError("RIS file without screening labels (no ASReview_relevant/irrelevant or RAYYAN-INCLUSION"
                         " in N1); to import decisions use the CSV sheet, or ASReview's or Rayyan's export",
                         path=path, line=1)
    return kind, out


def read_sheet_rows(path: str | Path) -> tuple[str, list[SheetRow]]:
    """Read a filled sheet in any supported format.

    Returns
    -------
    (kind, rows)
        ``kind`` is ``"evsynth"``, ``"asreview"`` or ``"rayyan"``; ``rows``
        one :class:`SheetRow` per decision (blank ones included for evsynth
        and ASReview sheets: ``decision == ""``).

    Raises
    ------
    InputError
        A missing or undecodable file, a header without the columns of any
        format (the message names the delimiter read and the columns found),
        a label outside a format's vocabulary.
    """
    p = Path(path)
    text = read_text_utf8(p)  # bytes that are not UTF-8 are kept as surrogates and named by line below
    if not text.strip():
        raise InputError("empty file", path=p, line=1)
    if re.search(r"^\ufeff?TY {1,2}-", text[:4000], re.MULTILINE):
        bad = re.search(r"[\udc80-\udcff]", text)
        if bad:
            raise InputError(f"not UTF-8: byte 0x{ord(bad.group()) - 0xDC00:02x} (save the file as UTF-8)", path=p,
                             line=text.count("\n", 0, bad.start()) + 1)
        return _read_ris(text, p)
    return _read_csv(text, p)


# -- writing ---------------------------------------------------------------------------------

_ASREVIEW_OUT = {"include": "1", "exclude": "0"}


def asreview_csv(records: Sequence[Record], status: Mapping[int, str]) -> str:
    """A table ASReview LAB reads, labelled: ``included`` 1 / 0, empty when not decided.

    ``status`` maps store id → status at the stage (``include``, ``exclude``,
    ``maybe``, ``conflict``, ``awaiting``); only settled includes and excludes
    become labels.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["record_id", "title", "abstract", "authors", "year", "journal", "doi", "pmid", "included"])
    for r in records:
        writer.writerow([r.store_id, r.title or "", r.abstract or "", "; ".join(r.authors),
                         "" if r.year is None else r.year, r.journal or "", r.doi or "", r.pmid or "",
                         _ASREVIEW_OUT.get(status.get(int(r.store_id or 0), ""), "")])
    return buf.getvalue()


def asreview_ris(records: Sequence[Record], status: Mapping[int, str]) -> str:
    """RIS with ASReview's labels in ``N1`` and the store id in ``ID``."""
    from ..sources.writers import write_records

    labelled = []
    for r in records:
        label = {"include": "ASReview_relevant", "exclude": "ASReview_irrelevant"}.get(
            status.get(int(r.store_id or 0), ""), "ASReview_not_seen")
        ris = dict(r.extra.get("ris", {})) if isinstance(r.extra.get("ris"), dict) else {}
        kept = [n for n in (ris.get("N1") or []) if not str(n).startswith("ASReview_")]
        ris["N1"] = [*kept, label]
        labelled.append(r.replace(source_id=str(r.store_id), extra={**r.extra, "ris": ris}))
    return write_records(labelled, "ris")


def rayyan_csv(records: Sequence[Record]) -> str:
    """The columns Rayyan imports (``key,title,authors,journal,issn,volume,issue,pages,year,...``).

    ``key`` is the store id; Rayyan's export keeps it, so decisions come back.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["key", "title", "authors", "journal", "issn", "volume", "issue", "pages", "year",
                     "publisher", "url", "abstract", "doi", "pubmed_id"])
    for r in records:
        writer.writerow([r.store_id, r.title or "", " and ".join(r.authors), r.journal or "", r.issn or "",
                         r.volume or "", r.issue or "", r.pages or "", "" if r.year is None else r.year, "",
                         r.url or "", r.abstract or "", r.doi or "", r.pmid or ""])
    return buf.getvalue()
