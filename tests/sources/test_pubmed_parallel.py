"""The helper process of the PubMed XML parser: same records, fallbacks, clean-up, when it starts."""

from __future__ import annotations

import dataclasses
import io
import multiprocessing
import os
import threading
from pathlib import Path

import pytest

from evsynth.errors import InputError
from evsynth.sources import _pubmed_parallel, pubmed_xml
from evsynth.sources.pubmed_xml import iter_pubmed_xml


_THREADS = _pubmed_parallel._threads


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let helpers start although other tests left threads running, idle while these run.

    pytest-httpserver's server lives for the whole session and NumPy starts a BLAS
    pool on import. The thread check itself is tested in
    :func:`test_when_a_helper_starts` and :func:`test_threads_counts_the_threads_of_this_process`.
    """
    monkeypatch.setattr(_pubmed_parallel, "_threads", lambda: 1)


def _big(data_dir: Path, copies: int = 5, tail: bytes = b"") -> bytes:
    """A PubmedArticleSet of every recorded fixture article, ``copies`` times, as efetch writes it."""
    bodies = []
    for path in sorted((data_dir / "entrez").glob("pubmed*.xml")):
        data = path.read_bytes()
        bodies.append(data[data.index(b"<PubmedArticle>"):data.rindex(b"</PubmedArticleSet>")])
    head = data[:data.index(b"<PubmedArticleSet>")]  # the fixtures' own XML declaration and DOCTYPE
    return head + b"<PubmedArticleSet>\n" + b"".join(bodies) * copies + tail + b"</PubmedArticleSet>\n"


def _outcome(records):
    out = []
    try:
        for r in records:
            out.append((dataclasses.astuple(r), list(r.extra.items())))
    except InputError as exc:
        return out, (type(exc).__name__, str(exc), exc.line)
    return out, None


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts helper starts, blocks left to the sequential parser, and its parses of a whole document
    (a processes=1 run, or a rerun after something the helper path does not handle)."""
    counts = {"started": 0, "block fallbacks": 0, "whole parses": 0}
    start, records = _pubmed_parallel._start, _pubmed_parallel._records
    sequential = pubmed_xml._sequential

    def spy_start(n: int, fd: int | None):
        counts["started"] += n
        return start(n, fd)

    def spy_records(block, text, records_of):
        def counted(data):
            counts["block fallbacks"] += 1
            return records_of(data)
        return records(block, text, counted)

    def spy_sequential(head, stream, label, state=None):
        if state is None:  # not a block: the whole document
            counts["whole parses"] += 1
        return sequential(head, stream, label, state)

    monkeypatch.setattr(_pubmed_parallel, "_start", spy_start)
    monkeypatch.setattr(_pubmed_parallel, "_records", spy_records)
    monkeypatch.setattr(pubmed_xml, "_sequential", spy_sequential)
    return counts


@pytest.mark.parametrize("block", [1, 3000, 1 << 18])
def test_same_records_from_a_file_bytes_and_file_objects(data_dir: Path, tmp_path: Path, block: int,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         spy: dict[str, int]) -> None:
    data = _big(data_dir)
    path = tmp_path / "big.xml"
    path.write_bytes(data)
    expected = _outcome(iter_pubmed_xml(path, processes=1))
    assert len(expected[0]) == 30 and expected[1] is None
    spy["whole parses"] = 0
    monkeypatch.setattr(_pubmed_parallel, "BLOCK", block)
    assert _outcome(iter_pubmed_xml(path, processes=2)) == expected  # the helper reads the file itself
    assert _outcome(iter_pubmed_xml(data, processes=2)) == expected  # blocks through the pipe
    assert _outcome(iter_pubmed_xml(io.BytesIO(data), processes=2)) == expected
    with path.open("rb") as fh:
        fh.read(10)
        fh.seek(0)
        assert _outcome(iter_pubmed_xml(fh, processes=2)) == expected
    assert spy == {"started": 4, "block fallbacks": 0, "whole parses": 0}


def test_two_helpers_keep_document_order(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         spy: dict[str, int]) -> None:
    data = _big(data_dir, 7)
    path = tmp_path / "big.xml"
    path.write_bytes(data)
    expected = _outcome(iter_pubmed_xml(data, processes=1))
    spy["whole parses"] = 0
    monkeypatch.setattr(_pubmed_parallel, "BLOCK", 2000)
    assert _outcome(iter_pubmed_xml(path, processes=3)) == expected
    assert _outcome(iter_pubmed_xml(data, processes=3)) == expected
    assert spy == {"started": 4, "block fallbacks": 0, "whole parses": 0}


def test_delete_citations_after_the_last_article(data_dir: Path, spy: dict[str, int]) -> None:
    data = _big(data_dir, 2, tail=b"<DeleteCitation>\n<PMID>1</PMID>\n</DeleteCitation>\n")
    assert _outcome(iter_pubmed_xml(data, processes=2)) == _outcome(iter_pubmed_xml(data, processes=1))
    assert spy["block fallbacks"] == 1 and spy["whole parses"] == 1  # the sequential one above


def test_truncated_file_same_records_then_same_error(data_dir: Path, tmp_path: Path, spy: dict[str, int]) -> None:
    data = _big(data_dir)
    path = tmp_path / "cut.xml"
    path.write_bytes(data[:len(data) * 2 // 3])
    expected = _outcome(iter_pubmed_xml(path, processes=1))
    assert expected[1][0] == "MalformedXMLError" and expected[1][2] > 1 and 10 < len(expected[0]) < 30
    assert _outcome(iter_pubmed_xml(path, processes=2)) == expected
    assert spy["whole parses"] == 2  # the sequential parse, then the rerun that reports the error and its line


def test_a_dead_helper_changes_nothing(data_dir: Path, monkeypatch: pytest.MonkeyPatch, spy: dict[str, int]) -> None:
    data = _big(data_dir)
    main = os.getpid()
    block_text = _pubmed_parallel.block_text

    def dies_in_the_helper(block, parser=None):
        if os.getpid() != main:
            os._exit(3)
        return block_text(block, parser)

    monkeypatch.setattr(_pubmed_parallel, "block_text", dies_in_the_helper)
    monkeypatch.setattr(_pubmed_parallel, "BLOCK", 3000)
    before = set(multiprocessing.active_children())
    assert _outcome(iter_pubmed_xml(data, processes=2)) == _outcome(iter_pubmed_xml(data, processes=1))
    assert spy["started"] == 1 and spy["whole parses"] == 2
    assert set(multiprocessing.active_children()) == before


def test_helpers_are_reaped_when_the_caller_stops_early(data_dir: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(_big(data_dir))
    monkeypatch.setattr(_pubmed_parallel, "BLOCK", 3000)
    before = set(multiprocessing.active_children())
    records = iter_pubmed_xml(path, processes=2)
    first = next(records)
    helpers = set(multiprocessing.active_children()) - before
    assert first.pmid and len(helpers) == 1
    records.close()
    assert set(multiprocessing.active_children()) == before
    assert all(helper.exitcode is not None for helper in helpers)


def test_when_a_helper_starts(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _big(data_dir, 1)

    def helpers(data: bytes, processes: int | None) -> int:
        stream = io.BytesIO(data)
        head = pubmed_xml._read_head(stream)
        return _pubmed_parallel.helpers_for(head, pubmed_xml._root_offset(head), stream, 0, processes)[0]

    assert helpers(data, 2) == 1 and helpers(data, 3) == 2 and helpers(data, 1) == 0
    monkeypatch.setattr(_pubmed_parallel, "_usable_cpus", lambda: 4)
    assert helpers(data, None) == 0  # too small to be worth a process
    monkeypatch.setattr(_pubmed_parallel, "THRESHOLD", len(data) // 2)
    assert helpers(data, None) == 1
    monkeypatch.setattr(_pubmed_parallel, "_usable_cpus", lambda: 1)
    assert helpers(data, None) == 0
    # a root with attributes, an internal DTD subset, another encoding: blocks would not mean the same
    assert helpers(data.replace(b"<PubmedArticleSet>", b'<PubmedArticleSet xml:lang="fr">', 1), 2) == 0
    assert helpers(data.replace(b'.dtd">', b'.dtd" [<!ELEMENT x ANY>]>', 1), 2) == 0
    latin = data.replace(b'<?xml version="1.0" ?>', b'<?xml version="1.0" encoding="ISO-8859-1"?>', 1)
    assert latin != data and helpers(latin, 2) == 0
    # a process running other threads (Python's or a library's) is never forked
    monkeypatch.setattr(_pubmed_parallel, "_threads", lambda: 2)
    assert helpers(data, 2) == 0


def test_threads_counts_the_threads_of_this_process() -> None:
    before = _THREADS()
    assert before >= threading.active_count()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _THREADS() == before + 1
    finally:
        stop.set()
        thread.join()


def test_unseekable_input_is_parsed_here(data_dir: Path, spy: dict[str, int]) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            chunk = self.inner.read(len(b))
            b[:len(chunk)] = chunk
            return len(chunk)

    data = _big(data_dir, 1)
    assert len(list(iter_pubmed_xml(Pipe(data), processes=2))) == 6
    assert spy["started"] == 0


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "2"])
def test_processes_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(ValueError, match="processes"):
        next(iter_pubmed_xml(b"<PubmedArticleSet/>", processes=bad))  # type: ignore[arg-type]
