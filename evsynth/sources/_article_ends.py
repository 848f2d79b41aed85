"""The lines on which a PubMed XML document's article end tags end (private).

:func:`evsynth.sources.pubmed_xml.iter_pubmed_xml` promises, whatever the
libxml2 version, that the records yielded before a well-formedness error are
exactly those of the articles whose end tag lies on a line before the line of
the first error. libxml2 before 2.14 stops at the first error; 2.14 goes on
after some (a bare ``&``) and closes the elements still open at the end of the
input, so the elements it hands over do not say on their own which of them
ended before the error. :class:`ArticleEnds` reads the same bytes as the
parser and records, in document order, the line of the ``>`` of every
``</PubmedArticle>`` and ``</PubmedBookArticle>`` end tag (white space allowed
before ``>``), skipping the prolog, comments, CDATA sections and processing
instructions; the n-th end tag it finds is the n-th article element the
parser completes, up to the first error.

Lines are counted as libxml2 counts them: one per LF (a CR alone does not
start a line). UTF-16 and UTF-32 documents are decoded for the count.
"""

from __future__ import annotations

import bisect
import codecs
import re

from ._xml_prolog import root_offset, wide_codec

_START = re.compile(rb"<(?:!--|!\[CDATA\[|\?|/Pubmed(?:Book)?Article\s*>)")
_OPEN_END = re.compile(rb"</Pubmed(?:Book)?Article\s*")
_CLOSER = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}
_TOKENS = (b"<!--", b"<![CDATA[", b"</PubmedArticle", b"</PubmedBookArticle")


def _may_start_token(tail: bytes) -> bool:
    """Whether ``tail`` (from a ``<`` to the end of the bytes read) may be the start of a token looked for."""
    return any(t.startswith(tail) for t in _TOKENS) or _OPEN_END.fullmatch(tail) is not None


class ArticleEnds:
    """Feed it the document's bytes as they are fed to the parser; ``lines`` grows in document order.

    Parameters
    ----------
    head : bytes
        The first bytes of the document (at least its first 4, to tell its encoding).
    """

    def __init__(self, head: bytes) -> None:
        codec = wide_codec(head)
        self._decoder = codecs.getincrementaldecoder(codec)(errors="replace") if codec else None
        self.lines: list[int] = []  #: line of each article end tag's ``>``, in document order
        self._carry = b""  # bytes kept for the next feed: a token possibly cut by the chunk boundary
        self._line = 1  # line at the start of _carry
        self._closer: bytes | None = None  # inside a comment, CDATA section or PI: what ends it
        self._prolog = True

    def feed(self, chunk: bytes) -> None:
        """Scan the next bytes of the document."""
        if self._decoder is not None:
            chunk = self._decoder.decode(chunk).encode("utf-8")
        data = self._carry + chunk
        pos = 0
        if self._prolog:
            root = root_offset(data)
            if root is None and len(data) < 1 << 20:
                self._carry = data  # the prolog is read whole before the root (see read_head)
                return
            self._prolog = False
            pos = root or 0
        counted, line = 0, self._line
        while True:
            if self._closer is not None:
                end = data.find(self._closer, pos)
                if end < 0:
                    keep = max(pos, len(data) - len(self._closer) + 1)
                    break
                pos, self._closer = end + len(self._closer), None
                continue
            m = _START.search(data, pos)
            if m is None:
                lt = data.rfind(b"<", pos)
                keep = lt if lt >= 0 and _may_start_token(data[lt:]) else len(data)
                break
            token = m.group()
            if token.startswith(b"</"):
                line += data.count(b"\n", counted, m.end())
                counted = m.end()
                self.lines.append(line)
            else:
                self._closer = _CLOSER[token]
            pos = m.end()
        self._line = line + data.count(b"\n", counted, keep)
        self._carry = data[keep:]

    def before(self, line: int) -> int:
        """How many article end tags found so far lie on lines before ``line``."""
        return bisect.bisect_left(self.lines, line)
