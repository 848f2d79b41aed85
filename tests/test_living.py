"""Living update and review status, against a local E-utilities server.

The server answers esearch with the id list the test chooses (different for
two runs) and efetch with the recorded PubMed XML of those ids, cut from the
Biopython fixtures in ``tests/data/entrez`` (real records).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from evsynth.cli import app
from evsynth.config import load_settings
from evsynth.living import review_status, update_search
from evsynth.models import Record
from evsynth.store import Store

PUBMED_FILES = ("pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed6.xml")


def _articles(entrez: Path) -> dict[str, str]:
    """PMID → its ``<PubmedArticle>`` element, from the recorded fixtures."""
    out: dict[str, str] = {}
    for name in PUBMED_FILES:
        text = (entrez / name).read_text(encoding="utf-8")
        for block in re.findall(r"<PubmedArticle>.*?</PubmedArticle>", text, flags=re.S):
            pmid = re.search(r"<PMID[^>]*>(\d+)</PMID>", block)
            assert pmid
            out[pmid.group(1)] = block
    return out


class FakeEutils:
    """Serves esearch/epost/efetch for the id list in :attr:`ids`."""

    def __init__(self, server: HTTPServer, entrez: Path) -> None:
        self.articles = _articles(entrez)
        self.ids: list[str] = []
        self.envs: dict[str, list[str]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server.expect_request(re.compile(r".*")).respond_with_handler(self._handle)
        self.url = server.url_for("/entrez/eutils").rstrip("/")

    def _params(self, request: Request) -> dict[str, str]:
        params = dict(request.args.items())
        params.update(dict(request.form.items()))
        return params

    def _handle(self, request: Request) -> Response:
        params = self._params(request)
        path = request.path.rsplit("/", 1)[-1]
        self.requests.append((path, params))
        xml = "application/xml"
        if path.startswith("esearch"):
            start = int(params.get("retstart", 0) or 0)
            retmax = int(params.get("retmax", 20) or 20)
            env = f"MCID_TEST{len(self.envs)}"
            self.envs[env] = list(self.ids)
            page = self.ids[start : start + retmax]
            ids = "".join(f"<Id>{i}</Id>\n" for i in page)
            history = f"<QueryKey>1</QueryKey><WebEnv>{env}</WebEnv>" if params.get("usehistory") == "y" else ""
            body = (
                '<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult>'
                f"<Count>{len(self.ids)}</Count><RetMax>{len(page)}</RetMax><RetStart>{start}</RetStart>"
                f"{history}<IdList>\n{ids}</IdList><TranslationSet/>"
                f"<QueryTranslation>{params.get('term', '')}</QueryTranslation></eSearchResult>"
            )
            return Response(body, content_type=xml)
        if path.startswith("epost"):
            env = f"MCID_POST{len(self.envs)}"
            self.envs[env] = [i for i in params.get("id", "").split(",") if i]
            body = f"<?xml version=\"1.0\" ?>\n<ePostResult><QueryKey>1</QueryKey><WebEnv>{env}</WebEnv></ePostResult>"
            return Response(body, content_type=xml)
        if path.startswith("efetch"):
            if params.get("id"):
                wanted = [i.strip() for i in params["id"].split(",") if i.strip()]
            else:
                env_ids = self.envs.get(params.get("WebEnv", ""), [])
                start = int(params.get("retstart", 0) or 0)
                retmax = int(params.get("retmax", len(env_ids)) or len(env_ids))
                wanted = env_ids[start : start + retmax]
            blocks = "\n".join(self.articles[i] for i in wanted if i in self.articles)
            body = (
                '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st June 2018//EN"'
                ' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_180601.dtd">\n'
                f"<PubmedArticleSet>\n{blocks}\n</PubmedArticleSet>\n"
            )
            return Response(body, content_type=xml)
        return Response("unknown endpoint", status=404)


QUERY = """\
name = "fixture-update"
database = "pubmed"
query = "biopython"
notes = "recorded Biopython fixtures served locally"
"""


@pytest.fixture()
def eutils(httpserver: HTTPServer, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> FakeEutils:
    fake = FakeEutils(httpserver, data_dir / "entrez")
    monkeypatch.setenv("EVSYNTH_EUTILS_URL", fake.url)
    monkeypatch.setenv("EVSYNTH_MAX_TRIES", "1")
    return fake


@pytest.fixture()
def query_file(tmp_path: Path) -> Path:
    p = tmp_path / "fixture-update.toml"
    p.write_text(QUERY, encoding="utf-8")
    return p


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "review.sqlite")
    yield s
    s.close()


RUN1 = ["12091962", "9997", "11748933"]
RUN2 = ["12091962", "11748933", "11700088", "27797938", "30108519"]


def _decide(store: Store, ids: list[int], decision: str = "exclude") -> None:
    store.add_decisions({"record_id": i, "stage": "title-abstract", "decision": decision, "reviewer": "a"} for i in ids)


def test_update_reports_new_records_between_runs(eutils: FakeEutils, query_file: Path, store: Store) -> None:
    settings = load_settings()
    eutils.ids = RUN1
    first = update_search(store, query_file, settings=settings)
    assert first.previous_run_id is None
    assert [r.pmid for r in first.new] == RUN1
    assert first.n_found == 3 and first.count == 3
    assert all(r.awaiting_screening for r in first.new)
    _decide(store, [r.record_id for r in first.new])

    # The library already holds an Embase copy of PMID 11700088 (no PMID in it).
    embase = Record(
        source="ris",
        source_id="EMB-1",
        title="Proton MRI of (13)C distribution by J and chemical shift editing.",
        doi="10.1006/jmre.2001.2429",
        authors=("Casieri, C.", "Testa, C."),
        journal="Journal of magnetic resonance",
        year=2001,
    )
    _, (embase_id,) = store.add_import("embase.ris", "0" * 64, "ris", [embase], database_name="Embase")

    eutils.ids = RUN2
    second = update_search(store, query_file, settings=settings)
    assert second.previous_run_id == first.run_id
    assert second.run_id != first.run_id
    assert [r.pmid for r in second.new] == ["11700088", "27797938", "30108519"]
    assert second.dropped == ("9997",)
    entry = {r.pmid: r.entry_date for r in second.new}
    assert entry["11700088"].startswith("2001-11-09")
    assert entry["27797938"].startswith("2016-11-01")
    assert entry["30108519"].startswith("2018-08-16")
    # these records were entered long before the previous run
    assert all(r.entered_since_previous is False for r in second.new)
    dup = {r.pmid: r.duplicate_of for r in second.new}
    assert dup == {"11700088": embase_id, "27797938": None, "30108519": None}
    assert [r.pmid for r in second.duplicates] == ["11700088"]
    assert [r.pmid for r in second.awaiting] == ["27797938", "30108519"]
    # the store carries the mark; the Embase record kept, filled with the PMID
    new_11700088 = next(r for r in second.new if r.pmid == "11700088")
    assert store.get_record(new_11700088.record_id).duplicate_of == embase_id
    assert store.get_record(embase_id).duplicate_of is None
    assert store.get_record(embase_id).pmid == "11700088"
    # earlier decisions untouched, earlier records not re-marked
    assert all(store.get_record(r.record_id).duplicate_of is None for r in first.new)
    frame = second.to_frame()
    assert list(frame["pmid"]) == ["11700088", "27797938", "30108519"]

    # a third run with nothing new
    third = update_search(store, query_file, settings=settings)
    assert third.new == () and third.dropped == ()
    assert third.previous_run_id == second.run_id


def test_update_cli(eutils: FakeEutils, query_file: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite")
    runner = CliRunner()
    eutils.ids = RUN1[:2]
    r = runner.invoke(app, ["update", str(query_file), "--store", db])
    assert r.exit_code == 0, r.output
    assert "first run of this query" in r.output
    assert "2 new record(s)" in r.output
    eutils.ids = RUN1
    r = runner.invoke(app, ["update", str(query_file), "--store", db])
    assert r.exit_code == 0, r.output
    assert "1 new record(s)" in r.output
    assert "PMID 11748933" in r.output and "entered 2001-12-26" in r.output
    assert "1 awaiting title-abstract screening" in r.output
    r = runner.invoke(app, ["screen", "export", "--store", db])
    assert r.exit_code == 0
    assert r.stdout.count("\n") >= 4  # header + 3 records (abstracts may add lines)

    r = runner.invoke(app, ["status", "--store", db, "--extracted", str(tmp_path / "nowhere")])
    assert r.exit_code == 0, r.output
    assert "Searches (2)" in r.output
    assert "fixture-update" in r.output
    assert "records: 3 (PubMed 3)" in r.output
    screening = next(line for line in r.output.splitlines() if "title-abstract" in line)
    assert screening.split() == ["title-abstract", "3", "0", "0", "0", "0", "3"]  # eligible ... awaiting
    assert "studies extracted: none" in r.output
    assert "last pooled result: none" in r.output


def test_status_summary(store: Store, tmp_path: Path) -> None:
    run = store.start_search_run("pubmed", "ketamine", query_name="main")
    store.set_search_result(run, count=3, query_translation="ketamine[All Fields]", source_ids=["1", "2", "3"])
    ids = store.store_fetched(run, [Record(source="pubmed", source_id=s, pmid=s, title=f"T{s}") for s in "123"])
    store.finish_search_run(run)
    _, (imp,) = store.add_import("x.ris", "0" * 64, "ris", [Record(source="ris", source_id="a", title="T1")],
                                 database_name="Embase")
    store.mark_duplicates([{"record_id": imp, "duplicate_of": ids[0], "rule": "title"}])
    _decide(store, ids[:2], "include")
    s = review_status(store, extracted_folder=tmp_path / "missing")
    assert [x.run_id for x in s.searches] == [run]
    assert s.searches[0].status == "complete" and s.searches[0].n_records == 3 and s.searches[0].count == 3
    assert s.n_records == 4 and s.duplicates == 1
    assert s.records_per_source == {"PubMed": 3, "Embase": 1}
    ta, ft = s.screening
    assert (ta.eligible, ta.include, ta.awaiting) == (3, 2, 1)
    assert (ft.eligible, ft.awaiting) == (2, 2)
    assert s.studies_extracted is None and s.pooled is None
    assert "no extracted data folder" in s.extraction_note


def test_status_with_extracted_data(store: Store, root: Path) -> None:
    folder = root / "extracted"
    from evsynth.extraction import load_extracted

    n = len(load_extracted(folder).studies)
    s = review_status(store, extracted_folder=folder)
    assert s.studies_extracted == n > 0
    assert s.pooled is not None, s.extraction_note
    assert s.pooled.k >= 2
    assert s.pooled.ci_low < s.pooled.estimate < s.pooled.ci_high
    if s.pooled.estimate_natural is not None:
        assert 0.0 < s.pooled.estimate_natural < 1.0


def test_new_duplicates_keep_library_records(store: Store) -> None:
    """A new PubMed record matching a screened Embase record is marked, never the other way round."""
    from evsynth.living import _mark_new_duplicates

    title = "Proton MRI of (13)C distribution by J and chemical shift editing."
    (old,) = store.add_records([Record(source="ris", source_id="E1", title=title, doi="10.1006/jmre.2001.2429",
                                       authors=("Casieri, C.", "Testa, C."), journal="Journal of magnetic resonance",
                                       year=2001)])
    _decide(store, [old], "include")
    new = store.add_records([
        Record(source="pubmed", source_id="11700088", pmid="11700088", title=title, doi="10.1006/jmre.2001.2429",
               authors=("Casieri C", "Testa C"), journal="J Magn Reson", year=2001, volume="153"),
        # the same article twice among the new records (e.g. from two files), and an unrelated one
        Record(source="medline", source_id="11700088", pmid="11700088", title=title, doi="10.1006/jmre.2001.2429",
               year=2001),
        Record(source="pubmed", source_id="11748933", pmid="11748933",
               title="Is cryopreservation a homogeneous process?", year=2001),
    ])
    marks = _mark_new_duplicates(store, new)
    assert marks == {new[0]: old, new[1]: old}
    assert store.get_record(old).duplicate_of is None
    assert store.get_record(old).pmid == "11700088" and store.get_record(old).volume == "153"
    links = store.duplicate_links()
    assert {(d["record_id"], d["duplicate_of"]) for d in links} == {(new[0], old), (new[1], old)}
    assert all(d["evidence"]["found_by"] == "update" for d in links)
    assert store.get_record(new[2]).duplicate_of is None
    # the screened record keeps its decision and stays out of the sheet's duplicates
    from evsynth.screening import record_statuses

    statuses = record_statuses(store, "title-abstract")
    assert statuses[old] == "include" and new[0] not in statuses and statuses[new[2]] == "awaiting"


def test_update_registry_search(httpserver: HTTPServer, root: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    """The registry search updates the same way: the second run reports the new NCT id."""
    import json

    # the project's hand-built API v2 search answer (tests/data/ctgov, facts from tests/data/evidence)
    found = json.loads((root / "tests" / "data" / "ctgov" / "search_fibromyalgia_ketamine.json").read_text("utf-8"))
    answers = [{"totalCount": 0, "studies": []}, found]
    served: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        served.append(dict(request.args.items()))
        return Response(json.dumps(answers[0]), content_type="application/json")

    httpserver.expect_request("/api/v2/studies").respond_with_handler(handler)
    monkeypatch.setenv("EVSYNTH_CTGOV_URL", httpserver.url_for("/api/v2").rstrip("/"))
    query = root / "queries" / "ketamine_fibromyalgia_ctgov.toml"
    first = update_search(store, query, settings=load_settings())
    assert first.database == "ctgov" and first.new == () and first.n_found == 0
    answers.pop(0)
    second = update_search(store, query, settings=load_settings())
    assert second.previous_run_id == first.run_id
    assert [(r.source_id, r.nct_id, r.pmid) for r in second.new] == [("NCT06916403", "NCT06916403", None)]
    (new,) = second.new
    assert new.awaiting_screening and new.duplicate_of is None and new.entered_since_previous is None
    assert served[-1]["query.term"] == "fibromyalgia ketamine"
