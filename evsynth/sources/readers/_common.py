"""Helpers shared by the readers: decoding bytes, years, DOIs, pages, ISSN/ISBN.

Decoding policy (every text format)
-----------------------------------
1. A UTF-16 byte-order mark selects UTF-16.
2. Otherwise the bytes are tried as UTF-8 (a UTF-8 BOM is dropped).
3. When that fails, Windows-1252 is tried (what Windows exports of EndNote,
   Excel and older database front ends write; a superset of Latin-1's printable
   characters), then Latin-1. The fallback is reported as a note naming the
   line of the first byte that was not UTF-8, so a user can check it.
4. Text that still holds control characters (NUL, C0 except tab/newline,
   C1) after decoding is not text: :class:`~evsynth.errors.InputError` names
   the file and the line of the first such byte.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from ...errors import InputError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Decoded:
    """Text decoded from a file, with the encoding used and any note."""

    text: str
    encoding: str
    note: str | None = None


def decode_bytes(data: bytes, path: str | None = None) -> Decoded:
    """Decode an export file's bytes (see the module docstring for the policy).

    Parameters
    ----------
    data : bytes
    path : str, optional
        Named in errors and notes.

    Raises
    ------
    InputError
        Empty input, or bytes that are not text in any tried encoding.
    """
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError("the file is empty", path=path)
    note = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n\x00") + 1
            raise InputError(f"undecodable UTF-16 bytes: {exc.reason}", path=path, line=line) from exc
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            for encoding in ("cp1252", "latin-1"):
                try:
                    text = data.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            note = (
                f"not valid UTF-8 (first bad byte 0x{data[exc.start]:02x} on line {line}); "
                f"read as {encoding}"
            )
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(
            f"undecodable bytes: control character U+{ord(bad.group()):04X} "
            f"(the file is not text in UTF-8, UTF-16, Windows-1252 or Latin-1)",
            path=path,
            line=line,
        )
    return Decoded(text=text.replace("\r\n", "\n").replace("\r", "\n"), encoding=encoding, note=note)


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)")


def parse_year(value: str | None) -> int | None:
    """Year from a date-ish string ("2019//", "2006 Mar 1", "2011/05/11"); None if none.

    Only a four-digit number between 1500 and 2100 counts: "10 15" (a faulty
    RIS ``PY``) gives None rather than a wrong year.
    """
    if value is None:
        return None
    match = _YEAR.search(str(value))
    return int(match.group(1)) if match else None


_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/)", re.IGNORECASE)


def clean_doi(value: str | None) -> str | None:
    """Strip URL or ``doi:`` prefixes so the value is a DOI; nothing else changes.

    Returns None when what is left does not start with ``10.``.
    """
    if value is None:
        return None
    doi = value.strip()
    for _ in range(2):
        doi = _DOI_PREFIX.sub("", doi).strip()
    return doi if doi.startswith("10.") else None


def join_pages(start: str | None, end: str | None) -> str | None:
    """``SP`` + ``EP`` → "152-160"; either alone as given."""
    start = (start or "").strip()
    end = (end or "").strip()
    if start and end:
        if f"{start} {end}".lower() == "no specified":  # Ovid's "No Specified"
            return None
        return f"{start}-{end}"
    return start or end or None


def split_pages(pages: str | None) -> tuple[str | None, str | None]:
    """Inverse of :func:`join_pages` at the first hyphen."""
    if not pages:
        return None, None
    start, sep, end = pages.partition("-")
    return (start or None, end or None) if sep else (pages, None)


_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


def is_issn(value: str) -> bool:
    """True for an ISSN such as 0312-5963 or 2226719X."""
    return bool(_ISSN.match(value.strip()))


def classify_sn(values: Iterable[str]) -> tuple[str | None, str | None]:
    """Split RIS ``SN`` values into (issn, isbn); several are joined with "; ".

    One ``SN`` line may carry several numbers ("1536-5964 0025-7974"); values that
    repeat are kept once. A value that is not an ISSN is an ISBN.
    """
    issn: list[str] = []
    isbn: list[str] = []
    for value in values:
        for part in re.split(r"[;\s]+(?=\d)", value.strip()):
            part = part.strip().rstrip(";").strip()
            if not part:
                continue
            target = issn if is_issn(part) else isbn
            if part not in target:
                target.append(part)
    return ("; ".join(issn) or None), ("; ".join(isbn) or None)


def nfc(value: str | None) -> str | None:
    """Unicode NFC and stripped; None stays None."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value).strip() or None


def split_list(value: str | None, separators: str = ";") -> tuple[str, ...]:
    """Split a joined list field on ``separators`` (a character class)."""
    if not value:
        return ()
    return tuple(p.strip() for p in re.split(f"[{re.escape(separators)}]", value) if p.strip())
