"""Read bibliographic export files into :class:`~evsynth.models.Record`.

Formats (detected from content): RIS, PubMed MEDLINE/.nbib, Web of Science
plain text, BibTeX, CSV (incl. Embase's CSV export), JSON (as evsynth writes
it) and PubMed XML. Every reader reads the whole file before returning, so bad
input raises :class:`~evsynth.errors.InputError` (naming file, line/row and
field) before anything is stored.

Examples
--------
>>> from evsynth.sources.readers import read_records  # doctest: +SKIP
>>> records = read_records("embase.ris")              # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ...errors import InputError
from ...models import Record
from ._common import decode_bytes
from .bibtex import iter_bibtex
from .detect import FORMATS, detect_format, detect_text, guess_database, supported
from .jsonfile import iter_json
from .medline import iter_medline
from .ris import iter_ris
from .tables import iter_csv
from .wos import iter_wos

__all__ = ["FORMATS", "ReadResult", "detect_format", "read_file", "read_records", "read_text"]

_TEXT_READERS: dict[str, Callable[[str, str | None], tuple[list[Record], list[str]]]] = {
    "ris": iter_ris,
    "medline": iter_medline,
    "wos": iter_wos,
    "bibtex": iter_bibtex,
    "csv": iter_csv,
    "json": iter_json,
}


@dataclass(frozen=True)
class ReadResult:
    """What reading one file gave.

    Attributes
    ----------
    path : str
    format : str
        One of :data:`FORMATS`.
    records : tuple of Record
    sha256 : str
        Of the file's bytes.
    encoding : str or None
        The text encoding used (None for XML, which declares its own).
    database : str or None
        The database the export came from, when its content says so.
    notes : tuple of str
        Oddities accepted on the way (encoding fallback, missing final ``ER``, ...).
    """

    path: str
    format: str
    records: tuple[Record, ...]
    sha256: str
    encoding: str | None
    database: str | None
    notes: tuple[str, ...] = ()


def _check_format(fmt: str, path: str | None) -> str:
    fmt = fmt.lower().replace("_", "-")
    aliases = {"nbib": "medline", "pubmed": "medline", "bib": "bibtex", "xml": "pubmed-xml",
               "web-of-science": "wos", "tsv": "csv"}
    fmt = aliases.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; evsynth reads: {supported()}", path=path)
    return fmt


def _parse(fmt: str, text: str, path: str | None, accept_missing_er: bool) -> tuple[list[Record], list[str]]:
    if fmt == "ris":
        return iter_ris(text, path, accept_missing_er=accept_missing_er)
    if fmt == "wos":
        return iter_wos(text, path, accept_missing_er=accept_missing_er)
    return _TEXT_READERS[fmt](text, path)


def read_text(
    text: str, fmt: str | None = None, *, path: str | None = None, accept_missing_er: bool = False
) -> list[Record]:
    """Records from text already in memory (any text format; not PubMed XML).

    Parameters
    ----------
    text : str
    fmt : str, optional
        Detected from the content when not given.
    path : str, optional
        Named in errors.
    accept_missing_er : bool
        RIS / WoS: accept a last record the text ends without ``ER``.
    """
    fmt = _check_format(fmt, path) if fmt else detect_text(text)
    if fmt is None:
        raise InputError(f"unknown format; evsynth reads: {supported()}", path=path, line=1)
    if fmt == "pubmed-xml":
        from ..pubmed_xml import iter_pubmed_xml

        return list(iter_pubmed_xml(text.encode("utf-8"), name=path))
    records, _ = _parse(fmt, text, path, accept_missing_er)
    return records


def read_file(
    path: str | os.PathLike[str], fmt: str | None = None, *, accept_missing_er: bool = False
) -> ReadResult:
    """Read a whole export file (see :class:`ReadResult`).

    Parameters
    ----------
    path : str or path
    fmt : str, optional
        One of :data:`FORMATS`; detected from the content when not given.
    accept_missing_er : bool
        RIS / WoS: accept a last record the file ends without ``ER`` (an
        error by default: a download cut off mid-record looks the same).

    Raises
    ------
    InputError
        Missing, empty, undecodable or malformed file, or an unknown format.
    """
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=name) from None
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError("the file is empty", path=name)
    is_xml = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    if is_xml and (fmt is None or _check_format(fmt, name) == "pubmed-xml"):
        head = data[:64_000].decode("utf-8", errors="replace")
        if detect_text(head) != "pubmed-xml":
            raise InputError(f"XML that is not PubMed XML; evsynth reads: {supported()}", path=name, line=1)
        from ..pubmed_xml import iter_pubmed_xml

        records = tuple(iter_pubmed_xml(name))
        return ReadResult(name, "pubmed-xml", records, digest, None, "PubMed")
    decoded = decode_bytes(data, name)
    chosen = _check_format(fmt, name) if fmt else detect_text(decoded.text)
    if chosen is None:
        raise InputError(f"unknown format; evsynth reads: {supported()}", path=name, line=1)
    if chosen == "pubmed-xml":
        raise InputError("PubMed XML must start with '<'", path=name, line=1)
    records, notes = _parse(chosen, decoded.text, name, accept_missing_er)
    all_notes = ([decoded.note] if decoded.note else []) + notes
    return ReadResult(
        path=name,
        format=chosen,
        records=tuple(records),
        sha256=digest,
        encoding=decoded.encoding,
        database=guess_database(decoded.text, chosen),
        notes=tuple(all_notes),
    )


def read_records(
    path: str | os.PathLike[str], fmt: str | None = None, *, accept_missing_er: bool = False
) -> list[Record]:
    """Read every record of an export file (format detected from content).

    Parameters
    ----------
    path : str or path
    fmt : str, optional
        One of ``ris, medline, wos, bibtex, csv, json, pubmed-xml``.
    accept_missing_er : bool
        RIS / WoS: accept a last record the file ends without ``ER``.

    Returns
    -------
    list of Record

    Raises
    ------
    InputError
        Bad input, naming the file, line/row and field.
    """
    return list(read_file(path, fmt, accept_missing_er=accept_missing_er).records)
