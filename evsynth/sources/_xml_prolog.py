"""The prolog of an XML document, read and checked before it is parsed (private).

Shared by the PubMed XML parser and the E-utilities client: find where the
root element starts, refuse documents that declare entities ("billion
laughs", external entities) in any encoding, check a parsed document's
internal DTD again (defence in depth), and the libxml2 options every evsynth
parser uses (:data:`SAFE_PARSER_OPTIONS`).
"""

from __future__ import annotations

import re
from typing import IO, Any

from ..errors import InputError

#: lxml parser options of every evsynth XML parser: no entity substitution, no network, no DTD
#: loaded or validated, libxml2's limits on huge documents kept.
SAFE_PARSER_OPTIONS: dict[str, bool] = {"resolve_entities": False, "no_network": True, "load_dtd": False,
                                        "dtd_validation": False, "huge_tree": False}
HEAD_LIMIT = 1 << 20  # bytes read before the root element to inspect the prolog
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def read_head(stream: IO[bytes]) -> bytes:
    """Read until the first element start tag after the prolog (or a limit)."""
    head = b""
    while len(head) < HEAD_LIMIT:
        chunk = stream.read(65536)
        if not chunk:
            break
        head += chunk
        if root_offset(head) is not None:
            break
    return head


def root_offset(head: bytes) -> int | None:
    """Offset of the root element's ``<``, skipping the prolog (PIs, comments, DOCTYPE)."""
    pos = 0
    n = len(head)
    while pos < n:
        lt = head.find(b"<", pos)
        if lt < 0 or lt + 1 >= n:
            return None
        nxt = head[lt + 1:lt + 2]
        if nxt == b"?":
            end = head.find(b"?>", lt)
            if end < 0:
                return None
            pos = end + 2
        elif head.startswith(b"<!--", lt):
            end = head.find(b"-->", lt)
            if end < 0:
                return None
            pos = end + 3
        elif head.startswith(b"<!DOCTYPE", lt) or nxt == b"!":
            # skip the DOCTYPE including an internal subset in [...]
            depth = 0
            i = lt + 2
            while i < n:
                c = head[i:i + 1]
                if c == b"[":
                    depth += 1
                elif c == b"]":
                    depth -= 1
                elif c == b">" and depth <= 0:
                    break
                i += 1
            if i >= n:
                return None
            pos = i + 1
        else:
            return lt
    return None


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def wide_codec(head: bytes) -> str | None:
    """The Python codec of a UTF-16/32 document (by BOM or NUL pattern), None for ASCII-compatible ones."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    if head[:2] == b"<\x00":
        return "utf-16-le"
    if head[:2] == b"\x00<":
        return "utf-16-be"
    return None


def as_utf8(head: bytes) -> bytes:
    """The head re-encoded as UTF-8 when it is UTF-16/32 (by BOM or NUL pattern), for the checks."""
    codec = wide_codec(head)
    if codec is None:
        return head
    bom = next((b for b, c in _BOMS if c == codec and head.startswith(b)), b"")
    return head[len(bom):].decode(codec, errors="ignore").encode("utf-8")


def refuse_entities(name: str | None, line: int | None) -> None:
    raise InputError(
        "the XML declares entities (<!ENTITY ...>); evsynth refuses entity expansion and "
        "external entities in PubMed XML",
        path=name,
        line=line,
    )


def check_dtd(tree: Any, name: str | None) -> None:
    """Defence in depth: refuse a parsed document whose internal DTD declares entities."""
    dtd = tree.docinfo.internalDTD if tree is not None else None
    if dtd is not None and any(True for _ in dtd.iterentities()):
        refuse_entities(name, 1)


def check_prolog(head: bytes, name: str | None) -> None:
    """Refuse entity declarations (internal subset) before the root element."""
    head = as_utf8(head)
    root_at = root_offset(head)
    prolog = head if root_at is None else head[:root_at]
    m = _ENTITY_DECL.search(prolog)
    if m:
        refuse_entities(name, prolog.count(b"\n", 0, m.start()) + 1)
    if root_at is None and len(head) >= HEAD_LIMIT:
        raise InputError("no root element in the first MiB of the XML (an oversized DOCTYPE?)",
                         path=name, line=1)
