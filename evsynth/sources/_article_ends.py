"""The lines on which a PubMed XML document's article end tags end (private).

:func:`evsynth.sources.pubmed_xml.iter_pubmed_xml` promises, whatever the
libxml2 version, that the records yielded before a well-formedness error are
exactly those of the articles whose end tag lies on a line before the line of
the first error. libxml2 before 2.14 stops at the first error; 2.14 goes on
after some (a bare ``&``) and closes the elements still open at the end of the
input, so the elements it hands over do not say on their own which of them
ended before the error. :class:`ArticleEnds` reads the same bytes as the
parser and records, in document order, the line of the ``>`` of every
``</PubmedArticle>`` and ``</PubmedBookArticle>`` end tag (with a namespace
prefix or none, white space allowed before ``>``) and of the ``/>`` of every
empty ``<PubmedArticle .../>``, skipping the prolog,
comments, CDATA sections and processing instructions; the n-th end tag it
finds is the n-th element of these names, in any namespace, the parser
completes, up to the first error.

Lines are counted as libxml2 counts them: one per LF (a CR alone does not
start a line). UTF-16 and UTF-32 documents are decoded for the count.
"""

from __future__ import annotations

import bisect
import codecs
import re

from ._xml_prolog import root_offset, wide_codec

_NAME = rb"(?:[^\s<>/:!?]+:)?Pubmed(?:Book)?Article"  # with a namespace prefix or none
_ATTRIBUTES = rb"\s(?:[^<>\"']|\"[^\"]*\"|'[^']*')*"  # quoted values may hold ">"
#: where the scan stops: the article names (rare words: the tag around one is checked there) and the
#: openers of comments, CDATA sections and PIs; searched apart, each runs in C between its stops
_WORD = re.compile(rb"Pubmed(?:Book)?Article")
_OPENER = re.compile(rb"<(?:!--|!\[CDATA\[|\?)")
_TAG_HEAD = re.compile(rb"</?(?:[^\s<>/:!?]+:)?")
_ENDS = re.compile(rb"</" + _NAME + rb"\s*>|<" + _NAME + rb"(?:" + _ATTRIBUTES + rb")?/>")
_OPEN_ARTICLE = re.compile(rb"<" + _NAME + _ATTRIBUTES + rb"(?:\"[^\"]*|'[^']*)?")
_CLOSER = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}


def _may_start_token(tail: bytes) -> bool:
    """Whether ``tail`` (from the last ``<`` to the end of the bytes read) may be the start of a token looked for.

    Any markup not closed yet by ``>`` may be one, and so may an article's
    start tag whose quoted attribute values hold a ``>``.
    """
    return b">" not in tail or _OPEN_ARTICLE.fullmatch(tail) is not None


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
        last = data.rfind(b"<")  # markup from there on may be cut by the end of the bytes read: kept
        limit = last if last >= 0 and _may_start_token(data[last:]) else len(data)
        word, opener = _WORD.search(data, pos, limit), _OPENER.search(data, pos, limit)
        while True:
            if self._closer is not None:
                end = data.find(self._closer, pos)
                if end < 0:
                    keep = max(pos, len(data) - len(self._closer) + 1)
                    break
                pos, self._closer = end + len(self._closer), None
                continue
            if word is not None and word.start() < pos:
                word = _WORD.search(data, pos, limit)
            if opener is not None and opener.start() < pos:
                opener = _OPENER.search(data, pos, limit)
            m = word if opener is None or (word is not None and word.start() < opener.start()) else opener
            if m is None:
                keep = max(pos, limit) if pos <= limit else len(data)
                break
            if m is opener:
                self._closer = _CLOSER[m.group()]
                pos = m.end()
                continue
            lt = data.rfind(b"<", pos, m.start())
            tag = _ENDS.match(data, lt) if lt >= 0 and _TAG_HEAD.fullmatch(data, lt, m.start()) else None
            if tag is None:  # a start tag, <PubmedArticleSet>, or the words in text
                pos = m.end()
                continue
            line += data.count(b"\n", counted, tag.end())  # an end tag, or an empty-element tag
            counted = pos = tag.end()
            self.lines.append(line)
        self._line = line + data.count(b"\n", counted, keep)
        self._carry = data[keep:]

    def before(self, line: int) -> int:
        """How many article end tags found so far lie on lines before ``line``."""
        return bisect.bisect_left(self.lines, line)
