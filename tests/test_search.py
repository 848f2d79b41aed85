"""run_search / fetch_trial / the search and trial commands, against local servers.

The fake E-utilities server answers esearch in the recorded reply format with the
PMIDs of the recorded fixture articles, and efetch with those recorded articles
(``tests/data/entrez/pubmed*.xml``), so the whole pipeline runs on real
records. Interruptions are injected (502 after a batch; SIGKILL mid-fetch).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from evsynth.cli import main
from evsynth.config import Settings
from evsynth.errors import NetworkError
from evsynth.queries import load_query
from evsynth.search import fetch_trial, run_search
from evsynth.sources.ctgov import CtgovClient
from evsynth.sources.eutils import EutilsClient
from evsynth.store import Store
from evsynth.models import Record

CTGOV_DATA = Path(__file__).resolve().parent / "data" / "ctgov"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakePubMed:
    """esearch → the fixture PMIDs; efetch → the recorded articles for the ids asked."""

    def __init__(self, server: HTTPServer, data_dir: Path) -> None:
        entrez = data_dir / "entrez"
        self.articles: dict[str, bytes] = {}
        for path in sorted(entrez.glob("pubmed*.xml")):
            data = path.read_bytes()
            for m in re.finditer(rb"<PubmedArticle>.*?</PubmedArticle>", data, re.S):
                pmid = re.search(rb"<PMID[^>]*>(\d+)</PMID>", m.group()).group(1).decode()
                self.articles[pmid] = m.group()
        self.pmids = list(self.articles)
        self.esearch_template = (entrez / "esearch1.xml").read_text(encoding="utf-8")
        self.esearch_empty = (entrez / "esearch8.xml").read_bytes()
        self.calls: list[tuple[str, list[str]]] = []
        self.fail_after_batches: int | None = None  # efetch answers 502 after this many batches
        self.block_after_batches: int | None = None  # efetch hangs after this many batches
        self.release = threading.Event()
        self.blocked = threading.Event()
        self.empty = False
        self._lock = threading.Lock()
        self.server = server
        server.expect_request(re.compile(r"/eutils/.*")).respond_with_handler(self._handle)

    @property
    def base(self) -> str:
        return self.server.url_for("/eutils")

    def _handle(self, request: Request) -> Response:
        params = dict(request.args.items())
        params.update(request.form.items())
        name = request.path.rsplit("/", 1)[-1].removesuffix(".fcgi")
        ids = params.get("id", "").split(",") if params.get("id") else []
        with self._lock:
            done = len([c for c in self.calls if c[0] == "efetch"])
            self.calls.append((name, ids))
        if name == "esearch":
            if self.empty:
                return Response(self.esearch_empty, content_type="text/xml")
            body = re.sub(r"<Count>\d+</Count><RetMax>\d+</RetMax>",
                          f"<Count>{len(self.pmids)}</Count><RetMax>{len(self.pmids)}</RetMax>",
                          self.esearch_template)
            body = re.sub(r"<IdList>.*</IdList>",
                          "<IdList>" + "".join(f"<Id>{p}</Id>" for p in self.pmids) + "</IdList>",
                          body, flags=re.S)
            return Response(body, content_type="text/xml")
        if name == "efetch":
            if self.fail_after_batches is not None and done >= self.fail_after_batches:
                return Response("Bad Gateway", status=502)
            if self.block_after_batches is not None and done >= self.block_after_batches:
                self.blocked.set()
                self.release.wait(20)
            body = b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n' + b"\n".join(
                self.articles[i] for i in ids if i in self.articles) + b"\n</PubmedArticleSet>\n"
            return Response(body, content_type="text/xml")
        return Response("unknown utility", status=400)

    def fetched_ids(self) -> list[str]:
        return [i for name, ids in self.calls if name == "efetch" for i in ids]


@pytest.fixture(scope="module")
def server() -> Any:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def pubmed(server: HTTPServer, data_dir: Path) -> Any:
    server.clear()
    fake = FakePubMed(server, data_dir)
    yield fake
    fake.release.set()
    server.clear()


def _client(fake: FakePubMed, max_tries: int = 2) -> EutilsClient:
    clock = FakeClock()
    return EutilsClient(Settings(eutils_url=fake.base, max_tries=max_tries, timeout=5), clock=clock,
                        sleep=clock.sleep)


def test_search_stores_run_ids_and_records(pubmed: FakePubMed, tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        res = run_search(store, "biopython", client=_client(pubmed), batch_size=4)
        assert res.count == 6 and res.n_ids == 6 and res.n_fetched == 6 and not res.resumed
        assert res.query_translation == '"biopython"[All Fields]'
        assert len(res.record_ids) == 6 and store.count_records(source="pubmed") == 6
        (run,) = store.search_runs()
        assert run.status == "complete" and run.count == 6 and run.database == "pubmed"
        assert run.query == "biopython" and run.query_translation == '"biopython"[All Fields]'
        assert run.evsynth_version and run.started_at and run.finished_at
        assert store.run_ids(run.id) == pubmed.pmids and store.pending_ids(run.id) == []
        gut = store.find_by_pmid("27797938")[0]
        assert gut.doi == "10.1136/gutjnl-2016-312510" and gut.abstract.startswith("OBJECTIVE:")
    efetches = [ids for name, ids in pubmed.calls if name == "efetch"]
    assert [len(b) for b in efetches] == [4, 2]


def test_rerun_adds_no_duplicate_rows(pubmed: FakePubMed, tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        first = run_search(store, "biopython", client=_client(pubmed))
        second = run_search(store, "biopython", client=_client(pubmed))
        assert second.run_id != first.run_id and not second.resumed
        assert sorted(second.record_ids) == sorted(first.record_ids)
        assert store.count_records() == 6
        assert len(store.search_runs()) == 2


def test_saved_query_run_carries_name_and_dates(pubmed: FakePubMed, tmp_path: Path, root: Path) -> None:
    query = load_query(root / "queries" / "ketamine_fibromyalgia.toml")
    with Store(tmp_path / "s.sqlite") as store:
        res = run_search(store, query, client=_client(pubmed))
        (run,) = store.search_runs(query_name="ketamine_fibromyalgia")
        assert run.params == {"datetype": "pdat", "maxdate": "2021/12/31"} and run.id == res.run_id
    assert [name for name, _ in pubmed.calls] == ["esearch", "efetch"]


def test_resume_after_failure_fetches_only_pending(pubmed: FakePubMed, tmp_path: Path) -> None:
    pubmed.fail_after_batches = 1
    with Store(tmp_path / "s.sqlite") as store:
        with pytest.raises(NetworkError, match="HTTP 502"):
            run_search(store, "biopython", client=_client(pubmed), batch_size=2)
        (run,) = store.search_runs()
        assert run.status == "running" and store.count_records() == 2
        done = pubmed.fetched_ids()[:2]
        assert store.pending_ids(run.id) == pubmed.pmids[2:]
        pubmed.fail_after_batches = None
        pubmed.calls.clear()
        res = run_search(store, "biopython", client=_client(pubmed), batch_size=2)
        assert res.resumed and res.run_id == run.id and res.n_fetched == 4
        assert [name for name, _ in pubmed.calls] == ["efetch"] * 2  # no new esearch
        assert not set(pubmed.fetched_ids()) & set(done)
        assert store.count_records() == 6 and len(res.record_ids) == 6
        assert store.search_run(run.id).status == "complete"


def test_resume_after_sigkill(pubmed: FakePubMed, tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite"
    pubmed.block_after_batches = 1
    script = textwrap.dedent(f"""
        from evsynth.config import Settings
        from evsynth.search import run_search
        from evsynth.store import Store
        settings = Settings(eutils_url={pubmed.base!r}, max_tries=2, timeout=30)
        with Store({str(db)!r}) as store:
            run_search(store, "biopython", settings=settings, batch_size=2)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert pubmed.blocked.wait(30), proc.stderr.read() if proc.poll() is not None else "no second batch"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    pubmed.release.set()
    pubmed.block_after_batches = None
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Store(db) as store:
        (run,) = store.search_runs()
        assert run.status == "running" and store.count_records() == 2
        first_batch = store.run_ids(run.id)[:2]
        assert store.pending_ids(run.id) == pubmed.pmids[2:]
        pubmed.calls.clear()
        res = run_search(store, "biopython", client=_client(pubmed), batch_size=2)
        assert res.resumed and store.count_records() == 6
        assert not set(pubmed.fetched_ids()) & set(first_batch)
        assert store.search_run(run.id).status == "complete"


def test_zero_results_is_a_completed_run(pubmed: FakePubMed, tmp_path: Path) -> None:
    pubmed.empty = True
    with Store(tmp_path / "s.sqlite") as store:
        res = run_search(store, "abcXYZ", client=_client(pubmed))
        assert res.count == 0 and res.record_ids == ()
        assert "no records found" in res.message and "PhraseNotFound: abcXYZ" in res.message
        (run,) = store.search_runs()
        assert run.status == "complete" and run.count == 0
    assert [name for name, _ in pubmed.calls] == ["esearch"]


def test_offline_leaves_nothing_behind(tmp_path: Path) -> None:
    settings = Settings(eutils_url="http://127.0.0.1:9/eutils", max_tries=2, timeout=2)
    clock = FakeClock()
    with Store(tmp_path / "s.sqlite") as store:
        with pytest.raises(NetworkError, match="could not be reached"):
            run_search(store, "biopython", client=EutilsClient(settings, clock=clock, sleep=clock.sleep))
        assert store.search_runs() == [] and store.count_records() == 0


# -- ClinicalTrials.gov -------------------------------------------------------------------------

def _study() -> dict[str, Any]:
    return json.loads((CTGOV_DATA / "NCT06916403.json").read_text(encoding="utf-8"))


@pytest.fixture
def ctgov(server: HTTPServer) -> Any:
    server.clear()
    server.expect_request("/api/v2/studies/NCT06916403").respond_with_json(_study())
    server.expect_request("/api/v2/studies").respond_with_json(
        json.loads((CTGOV_DATA / "search_fibromyalgia_ketamine.json").read_text(encoding="utf-8")))
    yield server
    server.clear()


def test_ctgov_saved_query(ctgov: HTTPServer, tmp_path: Path, root: Path) -> None:
    query = load_query(root / "queries" / "ketamine_fibromyalgia_ctgov.toml")
    clock = FakeClock()
    client = CtgovClient(Settings(ctgov_url=ctgov.url_for("/api/v2")), clock=clock, sleep=clock.sleep)
    with Store(tmp_path / "s.sqlite") as store:
        res = run_search(store, query, ctgov_client=client)
        again = run_search(store, query, ctgov_client=client)
        assert res.database == "ctgov" and res.count == 1 and len(res.record_ids) == 1
        (rec,) = store.iter_records(source="ctgov")
        assert rec.source_id == rec.nct_id == "NCT06916403" and rec.extra["status"] == "ACTIVE_NOT_RECRUITING"
        assert again.record_ids == res.record_ids and store.count_records() == 1
        assert [r.query_name for r in store.search_runs()] == ["ketamine_fibromyalgia_ctgov"] * 2
    (req, _), *_ = ctgov.log
    assert req.args["query.term"] == "fibromyalgia ketamine"


def test_fetch_trial_stores_record(ctgov: HTTPServer, tmp_path: Path) -> None:
    settings = Settings(ctgov_url=ctgov.url_for("/api/v2"))
    record = fetch_trial("NCT06916403", settings=settings, store=tmp_path / "t.sqlite")
    assert record.store_id is not None and record.extra["enrollment"] == 50
    with Store(tmp_path / "t.sqlite") as store:
        assert store.get_record(record.store_id).title.startswith("Safety and Efficacy of Ketamine")
    assert fetch_trial("NCT06916403", settings=settings).store_id is None


# -- the command line -----------------------------------------------------------------------------

def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, out.err


def test_cli_search_term_and_file(pubmed: FakePubMed, tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EVSYNTH_EUTILS_URL", pubmed.base)
    db = tmp_path / "cli.sqlite"
    code, out, err = _cli(["search", "--term", "biopython", "--store", str(db)], capsys)
    assert code == 0, err
    assert "6 found" in out and '"biopython"[All Fields]' in out
    code, out, err = _cli(["search", str(root / "queries" / "ketamine_fibromyalgia.toml"), "--store", str(db)],
                          capsys)
    assert code == 0, err
    assert out.startswith("ketamine_fibromyalgia: PubMed: 6 found")
    with Store(db) as store:
        assert store.count_records() == 6 and len(store.search_runs()) == 2


def test_cli_search_zero_results(pubmed: FakePubMed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EVSYNTH_EUTILS_URL", pubmed.base)
    pubmed.empty = True
    code, out, err = _cli(["search", "--term", "abcXYZ", "--store", str(tmp_path / "z.sqlite")], capsys)
    assert code == 0 and "no records found" in out and "zero results" in err


def test_cli_search_needs_file_or_term(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(["search", "--store", str(tmp_path / "x.sqlite")], capsys)
    assert code == 2 and "--term" in err


def test_cli_bad_query_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ndatabase = "pubmed"\n', encoding="utf-8")
    code, _, err = _cli(["search", str(bad), "--store", str(tmp_path / "x.sqlite")], capsys)
    assert code == 3 and "bad.toml" in err and "query" in err


def test_cli_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # conftest points the services at an unroutable local port
    db = tmp_path / "off.sqlite"
    start = time.monotonic()
    code, out, err = _cli(["search", "--term", "biopython", "--store", str(db)], capsys)
    assert code == 4 and "could not be reached" in err and "127.0.0.1:9" in err
    assert time.monotonic() - start < 10
    with Store(db) as store:
        assert store.search_runs() == [] and store.count_records() == 0
    code, _, err = _cli(["trial", "NCT06916403", "--store", str(db)], capsys)
    assert code == 4 and "ClinicalTrials.gov" in err


def test_cli_trial(ctgov: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EVSYNTH_CTGOV_URL", ctgov.url_for("/api/v2"))
    db = tmp_path / "t.sqlite"
    code, out, err = _cli(["trial", "NCT06916403", "--store", str(db)], capsys)
    assert code == 0, err
    assert out.startswith("NCT06916403: Safety and Efficacy of Ketamine Intravenous Infusions")
    for text in ("Wilderman Medical Clinic", "ACTIVE_NOT_RECRUITING", "2020-11-30", "2025-12-30", "50"):
        assert text in out
    code, _, err = _cli(["trial", "NCT123", "--store", str(db)], capsys)
    assert code == 3 and "not an NCT id" in err


def test_api_key_never_reaches_the_store(pubmed: FakePubMed, tmp_path: Path) -> None:
    key = "SECRET-KEY-0123456789abcdef"
    clock = FakeClock()
    client = EutilsClient(Settings(eutils_url=pubmed.base, ncbi_api_key=key, max_tries=2), clock=clock,
                          sleep=clock.sleep)
    db = tmp_path / "k.sqlite"
    with Store(db) as store:
        run_search(store, "biopython", client=client)
    assert pubmed.calls  # the key was sent ...
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("k.sqlite*"))
    assert key.encode() not in raw  # ... and stored nowhere (database, WAL)


def test_progress_bar_only_on_a_terminal(pubmed: FakePubMed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    with Store(tmp_path / "p.sqlite") as store:
        run_search(store, "biopython", client=_client(pubmed), progress=True, batch_size=2)
    assert capsys.readouterr().err == ""  # not a terminal: quiet
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("FORCE_COLOR", "1")
    with Store(tmp_path / "p2.sqlite") as store:
        run_search(store, "biopython", client=_client(pubmed), progress=True, batch_size=2)
    assert "fetching PubMed records" in capsys.readouterr().err


def test_cli_search_ctgov_term(ctgov: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EVSYNTH_CTGOV_URL", ctgov.url_for("/api/v2"))
    db = tmp_path / "c.sqlite"
    code, out, err = _cli(["search", "--term", "fibromyalgia ketamine", "--database", "ctgov", "--store", str(db)],
                          capsys)
    assert code == 0, err
    assert "ClinicalTrials.gov: 1 found" in out
    with Store(db) as store:
        assert [r.nct_id for r in store.iter_records(source="ctgov")] == ["NCT06916403"]


class _SplitClient:
    """A client whose search PubMed had to split by date (the split itself is tested in
    tests/sources/test_eutils.py against a local server); efetch fails once to leave the run
    unfinished."""

    def __init__(self) -> None:
        self.fail = True

    def search_ids(self, query: str, **kw: Any) -> Any:
        from evsynth.sources.eutils import SearchIds

        return SearchIds(count=3, ids=("1", "2", "3"), query_translation="x[All Fields]",
                         warnings=("PhraseNotFound: zz",),
                         parts=(("1900/01/01", "1999/12/31", 1), ("2000/01/01", "3000/12/31", 2)))

    def efetch(self, ids: list[str]) -> list[Record]:
        if self.fail:
            self.fail = False
            raise NetworkError("offline")
        return [Record(source="pubmed", source_id=i, pmid=i, title=f"T{i}") for i in ids]


def test_split_parts_and_warnings_are_stored_and_survive_a_resume(tmp_path: Path) -> None:
    client = _SplitClient()
    with Store(tmp_path / "s.sqlite") as store:
        with pytest.raises(NetworkError):
            run_search(store, "x", client=client)  # type: ignore[arg-type]
        (run,) = store.search_runs()
        assert run.details == {"parts": [["1900/01/01", "1999/12/31", 1], ["2000/01/01", "3000/12/31", 2]],
                               "warnings": ["PhraseNotFound: zz"]}
        again = run_search(store, "x", client=client)  # type: ignore[arg-type]
    assert again.resumed and again.run_id == run.id
    assert again.parts == (("1900/01/01", "1999/12/31", 1), ("2000/01/01", "3000/12/31", 2))
    assert again.warnings == ("PhraseNotFound: zz",)
    assert "2 publication-date parts" in again.message
