"""Which format a file is in, from its CONTENT (the extension is only a tie-breaker),
and which bibliographic database produced it (for PRISMA's records per source)."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from ..._inputs import input_error, open_input
from ...errors import InputError
from ._common import decode_bytes

#: The formats :func:`~evsynth.sources.readers.read_records` reads.
FORMATS: tuple[str, ...] = ("ris", "medline", "wos", "bibtex", "csv", "json", "pubmed-xml")

_HEAD = 64_000
_RIS = re.compile(r"^\ufeff?TY {1,2}- ?", re.MULTILINE)
_MEDLINE = re.compile(r"^PMID- *\d", re.MULTILINE)
_WOS = re.compile(r"^(?:FN (?:Clarivate|Thomson|ISI)|PT [A-Z]\s*$)", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_TITLE_COLUMNS = {"title", "articletitle", "documenttitle", "primarytitle", "ti"}


def supported() -> str:
    """The supported formats, for error messages."""
    return ", ".join(FORMATS)


def _looks_like_csv(head: str) -> bool:
    first = head.split("\n", 1)[0]
    if not first.strip():
        return False
    delimiter = max((",", "\t", ";"), key=first.count)
    try:
        header = next(csv.reader(io.StringIO(first), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    names = {re.sub(r"[\s_.\-]+", "", h.strip().lstrip("\ufeff")).lower() for h in header}
    return bool(names & _TITLE_COLUMNS) or (len(header) >= 2 and first.count(delimiter) >= 1
                                            and not first.lstrip().startswith(("<", "@", "{", "[")))


def detect_text(text: str) -> str | None:
    """Format of decoded text, or None when it matches none."""
    head = text[:_HEAD].lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        if re.search(r"<(PubmedArticleSet|PubmedArticle|PubmedBookArticle)\b", head):
            return "pubmed-xml"
        return None
    if head.startswith(("[", "{")):
        return "json"
    # the tagged formats: whichever marker comes FIRST decides (an RIS note may quote "PMID- 1")
    found = [(m.start(), fmt) for fmt, pattern in (("medline", _MEDLINE), ("ris", _RIS), ("wos", _WOS),
                                                    ("bibtex", _BIBTEX))
             if (m := pattern.search(head))]
    if found:
        return min(found)[1]
    if _looks_like_csv(head):
        return "csv"
    return None


def detect_format(path_or_text: str | os.PathLike[str]) -> str:
    """The format of a file or text, from its content.

    Parameters
    ----------
    path_or_text : str or path
        A path to an existing file, or the text itself.

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    InputError
        Empty or undecodable input, or a format evsynth does not read (the
        message lists the supported ones).
    """
    path: str | None = None
    if isinstance(path_or_text, os.PathLike) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text and len(path_or_text) < 4096
        and Path(path_or_text).is_file()
    ):
        path = os.fspath(path_or_text)
        with open_input(path) as handle:
            try:
                data = handle.read(_HEAD)
            except OSError as exc:
                raise input_error(exc, path) from None
        if not data.strip():
            raise InputError("the file is empty", path=path)
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            text = data.decode("utf-8", errors="replace")
        else:
            text = decode_bytes(data, path).text
    else:
        text = str(path_or_text)
        if not text.strip():
            raise InputError("the input is empty")
        if "\n" not in text and re.search(r"\.(ris|txt|nbib|bib|csv|tsv|json|xml)$", text, re.IGNORECASE):
            raise InputError("no such file", path=text)
    fmt = detect_text(text)
    if fmt is None:
        raise InputError(f"unknown format; evsynth reads: {supported()}", path=path, line=1)
    return fmt


def guess_database(text: str, fmt: str) -> str | None:
    """The database an export came from, from its content; None when it does not say.

    PubMed for MEDLINE text and PubMed XML, Web of Science for WoS plain text;
    for RIS the ``DB``/``DP`` tags and Ovid/Embase/Scopus/WoS links and ids; for
    CSV Embase's own export columns.
    """
    if fmt in ("medline", "pubmed-xml"):
        return "PubMed"
    if fmt == "wos":
        return "Web of Science"
    head = text[:_HEAD]
    if fmt == "csv":
        first = head.split("\n", 1)[0]
        if "Author Names" in first and "Emtree" in first:
            return "Embase"
        if "EID" in first and "Source title" in first:
            return "Scopus"
        return None
    if fmt != "ris":
        return None
    dbs = " ".join(m.group(1) for m in re.finditer(r"^DB {1,2}- ?(.+)$", head, re.MULTILINE)).lower()
    ovid = re.search(r"ovidsp\.ovid\.com\S*[?&]D=([a-z]+)", head)
    if ovid:
        code = ovid.group(1)
        if code.startswith("psyc"):
            return "PsycINFO (Ovid)"
        if code.startswith(("emed", "emez", "embase", "oemezd")):
            return "Embase (Ovid)"
        if code.startswith(("med", "prem", "ppez")):
            return "MEDLINE (Ovid)"
        return "Ovid"
    if "embase" in dbs or "embase.com" in head:
        return "Embase"
    if "psycinfo" in dbs:
        return "PsycINFO"
    if "scopus" in dbs or "scopus.com" in head:
        return "Scopus"
    if "proquest" in dbs or "proquest.com" in head:
        return "ProQuest"
    if "cinahl" in dbs:
        return "CINAHL"
    if "cochrane" in dbs:
        return "Cochrane Library"
    if re.search(r"^AN {1,2}- ?WOS:", head, re.MULTILINE) or re.search(r"^WE {1,2}- ", head, re.MULTILINE):
        return "Web of Science"
    if "pubmed" in dbs or "medline" in dbs or re.search(r"^DP {1,2}- ?NLM\s*$", head, re.MULTILINE):
        return "PubMed"
    return None
