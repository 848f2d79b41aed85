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
from typing import Callable, Iterator

from ..._inputs import input_error, open_input, read_input_bytes
from ...errors import InputError
from ...models import Record
from ._common import decode_bytes
from .bibtex import iter_bibtex
from .detect import FORMATS, detect_format, detect_text, guess_database, supported
from .jsonfile import iter_json
from .medline import iter_medline
from .ris import iter_ris, stream_ris
from .tables import iter_csv
from .wos import iter_wos

__all__ = ["FORMATS", "ReadResult", "StreamedFile", "detect_format", "file_sha256", "read_file", "read_records",
           "read_text", "stream_file"]

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


@dataclass(frozen=True)
class StreamedFile:
    """A file opened for reading its records one at a time (see :func:`stream_file`).

    Attributes
    ----------
    path, format, sha256, encoding, database
        As in :class:`ReadResult`.
    records : iterator of Record
        Consumed once; raises :class:`~evsynth.errors.InputError` when it reaches bad input.
    notes : list of str
        Filled while ``records`` is consumed (complete once it is exhausted).
    """

    path: str
    format: str
    sha256: str
    encoding: str | None
    database: str | None
    records: Iterator[Record]
    notes: list[str]


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, read in blocks (how an import recognises a file it has seen).

    Raises
    ------
    InputError
        No such file, a directory, or unreadable.
    """
    name = os.fspath(path)
    digest = hashlib.sha256()
    with open_input(name) as fh:
        try:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        except OSError as exc:
            raise input_error(exc, name) from None
    return digest.hexdigest()


def stream_file(
    path: str | os.PathLike[str], fmt: str | None = None, *, accept_missing_er: bool = False
) -> StreamedFile:
    """Open an export file and read its records one at a time (RIS and PubMed XML stream).

    The file's bytes are decoded whole (the encoding policy needs them all), but records are
    built one at a time for RIS and PubMed XML, so memory does not hold every record at once;
    other formats are parsed whole when iteration starts. Errors in the content are raised
    by the iteration; errors of the file as a whole (missing, empty, undecodable, unknown
    format) by this call.

    Raises
    ------
    InputError
        Missing, empty, undecodable file, or an unknown format.
    """
    name = os.fspath(path)
    data = read_input_bytes(name)
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError("the file is empty", path=name)
    is_xml = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    if is_xml and (fmt is None or _check_format(fmt, name) == "pubmed-xml"):
        head = data[:64_000].decode("utf-8", errors="replace")
        if detect_text(head) != "pubmed-xml":
            raise InputError(f"XML that is not PubMed XML; evsynth reads: {supported()}", path=name, line=1)
        del data
        from ..pubmed_xml import iter_pubmed_xml

        return StreamedFile(name, "pubmed-xml", digest, None, "PubMed", iter_pubmed_xml(name), [])
    decoded = decode_bytes(data, name)
    del data
    chosen = _check_format(fmt, name) if fmt else detect_text(decoded.text)
    if chosen is None:
        raise InputError(f"unknown format; evsynth reads: {supported()}", path=name, line=1)
    if chosen == "pubmed-xml":
        raise InputError("PubMed XML must start with '<'", path=name, line=1)
    notes: list[str] = [decoded.note] if decoded.note else []
    if chosen == "ris":
        records: Iterator[Record] = stream_ris(decoded.text, name, accept_missing_er=accept_missing_er, notes=notes)
    else:
        records = _parsed_later(chosen, decoded.text, name, accept_missing_er, notes)
    return StreamedFile(name, chosen, digest, decoded.encoding, guess_database(decoded.text, chosen), records, notes)


def _parsed_later(fmt: str, text: str, path: str, accept_missing_er: bool, notes: list[str]) -> Iterator[Record]:
    records, more = _parse(fmt, text, path, accept_missing_er)
    notes.extend(more)
    yield from records


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
    opened = stream_file(path, fmt, accept_missing_er=accept_missing_er)
    records = tuple(opened.records)
    return ReadResult(
        path=opened.path,
        format=opened.format,
        records=records,
        sha256=opened.sha256,
        encoding=opened.encoding,
        database=opened.database,
        notes=tuple(opened.notes),
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
