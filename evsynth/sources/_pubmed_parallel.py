"""A second process for :func:`evsynth.sources.pubmed_xml.iter_pubmed_xml` on large inputs (private).

The main process reads the document and cuts it into blocks, each ending
right after a ``</PubmedArticle>`` or ``</PubmedBookArticle>`` end tag. Helper
processes (forked) parse a block wrapped as a bare ``<PubmedArticleSet>`` and
run the fields stylesheet of :mod:`._pubmed_fast` over it, both in C, and send
back its text output; the main process builds the records from that text and,
whenever its next block is not ready yet, parses a block itself. Records come
out in document order; each helper holds at most two blocks, so memory stays
flat.

Exactness rests on one rule: whatever is not plain -- a block that does not
parse cleanly (malformed, truncated, cut inside a comment, an undeclared
entity, anything libxml2 logs), an element other than a flat
``PubmedArticle``, a record the stylesheet leaves to the Python builder, a
tail that is not just the root end tag, a helper that dies -- is handled by
the sequential parser: the block itself (when it parses cleanly) or the whole
document again from its start, skipping the records already yielded, so the
caller gets exactly the sequential parser's records and errors (with file and
line). Blocks hold whole elements between two children of the root, and a
``PubmedArticle``'s record depends on its own subtree only, so a block wrapped
in a bare root means what it means in the document as long as that root is
exactly ``<PubmedArticleSet>`` (no attributes: no namespaces, ``xml:space`` or
``xml:lang`` to inherit), the document is UTF-8 XML 1.0 and its prolog has no
internal DTD subset. Only then, and only for seekable inputs (so that they can
be read again) of at least :data:`THRESHOLD` bytes, on a system with ``fork``
(not macOS), from a process running a single thread (forking a threaded process
is unsafe, and Python 3.12 warns of it; a library's threads count too, such as
the BLAS pool NumPy starts), is a helper started.
"""

from __future__ import annotations

import io
import itertools
import multiprocessing
import os
import re
import signal
import stat
import struct
import sys
import threading
from collections import deque
from typing import IO, Any, Callable, Iterator

from lxml import etree

from ..models import Record
from ._pubmed_fast import END, record_from_text, stylesheet
from ._xml_prolog import SAFE_PARSER_OPTIONS

#: Inputs smaller than this (bytes) are parsed in one process unless more are asked for.
THRESHOLD = 8 << 20
#: Bytes read at a time; a block ends at the last article end tag once it holds this many.
BLOCK = 1 << 18
#: A block with no article end tag in this many bytes stops the pipeline (the sequential parser goes on).
_MAX_BLOCK = 64 << 20
_ROOT = b"<PubmedArticleSet>"
_ROOT_END = b"</PubmedArticleSet>"
_ENDS = (b"</PubmedArticle>", b"</PubmedBookArticle>")
_ARTICLES = ("PubmedArticle", "PubmedBookArticle")
_SPACE = b" \t\r\n"  # XML's white space
_XML_DECL = re.compile(rb"<\?xml(?=\s)[^>]*\?>")
_ENCODING = re.compile(rb"\sencoding\s*=\s*(['\"])([^'\"]*)\1")
_VERSION = re.compile(rb"\sversion\s*=\s*(['\"])1\.0\1")
_RANGE = struct.Struct("<qq")  # a block the helper reads from the file itself: (offset, length)
_BYTES, _AT = b"B", b"R"  # message kinds: the block's bytes, or its range in the file
_TEXT, _PLAIN_NOT = b"T", b"X"  # answers: the stylesheet's text, or "not plain: main process, do it"


def helpers_for(head: bytes, root_at: int | None, stream: IO[bytes], start: int | None,
                processes: int | None) -> tuple[int, bytes]:
    """How many helper processes to start (0: parse sequentially) and ``head``, read past the root tag.

    Parameters
    ----------
    head : bytes
        The bytes read so far (the prolog and the start of the root element).
    root_at : int or None
        Offset of the root element's ``<`` in ``head``.
    stream : binary file
        The rest of the document.
    start : int or None
        Offset of the document's first byte in ``stream``; None when it cannot seek back.
    processes : int or None
        Processes asked for, this one included; None: two for inputs of at
        least :data:`THRESHOLD` bytes when two CPUs are usable.

    Returns
    -------
    tuple of (int, bytes)
    """
    wanted = (2 if _usable_cpus() >= 2 else 1) if processes is None else processes
    if (wanted < 2 or start is None or root_at is None or sys.platform == "darwin"
            or "fork" not in multiprocessing.get_all_start_methods() or _threads() > 1
            or multiprocessing.current_process().daemon):
        return 0, head
    if processes is None and _remaining(stream, start) < THRESHOLD:
        return 0, head
    while len(head) < root_at + len(_ROOT):
        more = stream.read(len(_ROOT))
        if not more:
            break
        head += more
    return (wanted - 1 if _plain(head, root_at) else 0), head


def _threads() -> int:
    """Threads of this process: the operating system's count where it tells (a library's threads too)."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return threading.active_count()


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _remaining(stream: IO[bytes], start: int) -> int:
    """Bytes from ``start`` to the end of ``stream`` (0 when unknown)."""
    try:
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
    except (AttributeError, OSError, ValueError):
        return 0
    return end - start


def _plain(head: bytes, root_at: int) -> bool:
    """Whether a block wrapped in a bare ``<PubmedArticleSet>`` parses as it does in this document."""
    if head[root_at:root_at + len(_ROOT)] != _ROOT:
        return False
    prolog = head[:root_at]
    if prolog[:2] in (b"\xff\xfe", b"\xfe\xff", b"\x00\x00") or prolog[:1] == b"\x00" or b"[" in prolog:
        return False  # UTF-16/32, or an internal DTD subset
    decl = _XML_DECL.match(prolog[3:] if prolog.startswith(b"\xef\xbb\xbf") else prolog)
    if decl:
        encoding = _ENCODING.search(decl.group())
        if not _VERSION.search(decl.group()) or (encoding and encoding.group(2).lower() != b"utf-8"):
            return False
    try:  # a well-formed prolog (else the sequential parser reports it)
        etree.fromstring(prolog + b"<PubmedArticleSet/>", _parser())
    except etree.XMLSyntaxError:
        return False
    return True


def _parser() -> Any:
    return etree.XMLParser(**SAFE_PARSER_OPTIONS)


# ---------------------------------------------------------------------------
# one block, in C: parse and run the stylesheet

def block_text(block: bytes | memoryview, parser: Any = None) -> str | None:
    """The stylesheet's text for a plain block of ``PubmedArticle`` elements; None if it is not plain.

    Plain: it parses cleanly (libxml2 logs nothing) and holds nothing but
    ``PubmedArticle`` children of the root (and whitespace), none of them
    holding another article.
    """
    parser = parser or _parser()
    try:
        root = etree.fromstring(b"".join((_ROOT, block, _ROOT_END)), parser)
    except etree.XMLSyntaxError:
        return None
    n = len(root)  # children: elements, comments and processing instructions
    if (len(parser.error_log) or n != int(root.xpath("count(PubmedArticle)"))
            or n != sum(1 for _ in root.iter(_ARTICLES))):  # no article within an article
        return None
    text = str(stylesheet()(root, n=str(n)))
    return text if text.count(END) == n else None


# ---------------------------------------------------------------------------
# helper processes

def _helper(conn: Any, others: list[Any], fd: int | None) -> None:
    """A helper process: answer blocks until the main process closes the connection."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the main process, which stops us
        for other in others:
            other.close()
        parser = _parser()
        while True:
            try:
                msg = conn.recv_bytes()
            except (EOFError, OSError):
                return
            try:
                if msg[:1] == _AT:
                    text = block_text(_pread(fd, *_RANGE.unpack(msg[1:])), parser)  # type: ignore[arg-type]
                else:
                    text = block_text(memoryview(msg)[1:], parser)
            except Exception:  # noqa: BLE001 - the main process parses the block itself and reports
                text = None
            msg = b""
            conn.send_bytes(_PLAIN_NOT if text is None else _TEXT + text.encode("utf-8"))
    except BaseException:  # noqa: BLE001 - the main process has gone or stops us: just end
        return


def _pread(fd: int, pos: int, length: int) -> bytes:
    parts = []
    while length > 0 and (chunk := os.pread(fd, length, pos)):
        parts.append(chunk)
        pos += len(chunk)
        length -= len(chunk)
    return b"".join(parts)


def _file_fd(stream: IO[bytes]) -> int | None:
    """The descriptor of the regular file the stream reads, or None."""
    raw = getattr(stream, "raw", stream) if type(stream) in (io.BufferedReader, io.BufferedRandom) else stream
    if type(raw) is not io.FileIO:
        return None
    try:
        fd = raw.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (OSError, ValueError):
        return None


def _start(n: int, fd: int | None) -> tuple[list[Any], list[Any]]:
    """``n`` forked helpers and the main process's ends of their pipes."""
    ctx = multiprocessing.get_context("fork")
    procs: list[Any] = []
    conns: list[Any] = []
    try:
        for _ in range(n):
            mine, theirs = ctx.Pipe(duplex=True)
            proc = ctx.Process(target=_helper, args=(theirs, [*conns, mine], fd), daemon=True,
                               name="evsynth-pubmed-xml")
            conns.append(mine)
            procs.append(proc)
            try:
                proc.start()
            finally:
                theirs.close()
    except BaseException:
        _stop(procs, conns)
        raise
    return procs, conns


def _stop(procs: list[Any], conns: list[Any]) -> None:
    """Close the pipes, end the helpers and reap them."""
    for conn in conns:
        conn.close()
    for proc in procs:
        if proc.pid is not None:
            proc.terminate()
    for proc in procs:
        if proc.pid is not None:
            proc.join(5)
            if proc.exitcode is None:
                proc.kill()
                proc.join()


# ---------------------------------------------------------------------------
# the main process

class _NotPlain(Exception):
    """Something the pipeline does not handle: the sequential parser takes over."""


class _Blocks:
    """The document after the root start tag, cut into blocks after article end tags."""

    def __init__(self, stream: IO[bytes], first: bytes, offset: int) -> None:
        self.stream, self.buf, self.offset, self.eof = stream, bytearray(first), offset, False

    def next(self) -> tuple[int, bytes] | None:
        """``(offset in the file, bytes)`` of the next block; None when only the tail is left."""
        while True:
            if len(self.buf) >= BLOCK or self.eof:
                cut = 0
                for tag in _ENDS:
                    at = self.buf.rfind(tag)
                    if at >= 0:
                        cut = max(cut, at + len(tag))
                if cut:
                    block, at = bytes(self.buf[:cut]), self.offset
                    del self.buf[:cut]
                    self.offset += cut
                    return at, block
                if self.eof:
                    return None
                if len(self.buf) > _MAX_BLOCK:
                    raise _NotPlain
            chunk = self.stream.read(BLOCK)
            if chunk:
                self.buf += chunk
            else:
                self.eof = True


def iter_parallel(head: bytes, root_at: int, stream: IO[bytes], start: int, helpers: int,
                  records_of: Callable[[bytes], list[Record]],
                  rerun: Callable[[], Iterator[Record]]) -> Iterator[Record]:
    """Records of the document, parsed here and in ``helpers`` forked processes, in document order.

    Parameters
    ----------
    head : bytes
        The document's first bytes, holding the root start tag (see :func:`helpers_for`).
    root_at : int
        Offset of the root start tag in ``head``.
    stream : binary file
        The rest of the document.
    start : int
        Offset of the document's first byte in ``stream``.
    helpers : int
        Helper processes to start.
    records_of : callable
        The sequential parser's records of a block wrapped in a bare root (bytes);
        raises on anything it would report, with a line relative to the block.
    rerun : callable
        The sequential parser's records of the whole document, read again from its start.

    Yields
    ------
    Record
    """
    fd = _file_fd(stream)
    try:
        procs, conns = _start(helpers, fd)
    except Exception:  # noqa: BLE001 - no process could start (limits): parse here
        yield from rerun()
        return
    yielded = 0
    try:
        blocks = _Blocks(stream, head[root_at + len(_ROOT):], start + root_at + len(_ROOT))
        parser = _parser()
        depth = 2 if fd is not None else 1  # with bytes in the pipes, never both ways full
        busy = dict.fromkeys(conns, 0)
        pending: deque[tuple[Any, bytes, str | None]] = deque()  # (helper or None, block, text)

        def feed(conn: Any) -> None:
            while busy[conn] < depth and (item := blocks.next()) is not None:
                at, block = item
                try:
                    conn.send_bytes(_AT + _RANGE.pack(at, len(block)) if fd is not None else _BYTES + block)
                except (OSError, ValueError):  # the helper died
                    raise _NotPlain from None
                busy[conn] += 1
                pending.append((conn, block, None))

        for conn in conns:
            feed(conn)
        while pending:
            conn, block, text = pending[0]
            if conn is not None and not conn.poll() and all(c is not None for c, _, _ in pending):
                item = blocks.next()  # rather than wait: parse one block here
                if item is not None:
                    pending.append((None, item[1], block_text(item[1], parser)))
                    continue
            pending.popleft()
            if conn is not None:
                try:
                    answer = conn.recv_bytes()
                except (EOFError, OSError):  # the helper died
                    raise _NotPlain from None
                busy[conn] -= 1
                feed(conn)
                text = str(memoryview(answer)[1:], "utf-8") if answer[:1] == _TEXT else None
            for record in _records(block, text, records_of):
                yield record
                yielded += 1
        tail = bytes(blocks.buf)  # after the last article: the root end tag (after DeleteCitation, say)
        end = tail.rfind(_ROOT_END)
        if end < 0 or tail[end + len(_ROOT_END):].strip(_SPACE):
            raise _NotPlain
        if tail[:end].strip(_SPACE):
            for record in _records(tail[:end], None, records_of):
                yield record
                yielded += 1
    except _NotPlain:
        pass
    else:
        return
    finally:
        _stop(procs, conns)
    yield from itertools.islice(rerun(), yielded, None)


def _records(block: bytes, text: str | None, records_of: Callable[[bytes], list[Record]]) -> list[Record]:
    """The records of one block: from the stylesheet's text, else from the sequential parser."""
    if text is not None:
        records = [record_from_text(t) for t in text.split(END)[:-1]]
        if all(records):
            return records  # type: ignore[return-value]
    try:
        return records_of(b"".join((_ROOT, block, _ROOT_END)))
    except Exception:  # noqa: BLE001 - reported by the sequential parser, with the document's line
        raise _NotPlain from None
