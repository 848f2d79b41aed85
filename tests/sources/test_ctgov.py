"""The ClinicalTrials.gov API v2 client against a local server.

The study JSON in ``tests/data/ctgov/`` is hand-built to the API v2 schema from the
facts in ``tests/data/evidence`` and ``tests/data/seeds`` (see ``tests/data/ctgov/README.md``), not a recording.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from evsynth.config import Settings
from evsynth.errors import InputError, NetworkError, NotFoundError
from evsynth.sources.ctgov import CtgovClient, study_to_record

DATA = Path(__file__).resolve().parents[1] / "data" / "ctgov"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(scope="module")
def server() -> Any:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def httpd(server: HTTPServer) -> Any:
    server.clear()
    yield server
    server.clear()


def _study() -> dict[str, Any]:
    return json.loads((DATA / "NCT06916403.json").read_text(encoding="utf-8"))


def _client(server: HTTPServer, clock: FakeClock | None = None, **kw: Any) -> CtgovClient:
    clock = clock or FakeClock()
    settings = Settings(ctgov_url=server.url_for("/api/v2"), timeout=kw.get("timeout", 2.0),
                        max_tries=kw.get("max_tries", 3))
    return CtgovClient(settings, clock=clock, sleep=clock.sleep)


def test_study_mapping() -> None:
    r = study_to_record(_study())
    assert (r.source, r.source_id, r.nct_id) == ("ctgov", "NCT06916403", "NCT06916403")
    assert r.title == "Safety and Efficacy of Ketamine Intravenous Infusions in the Treatment of Fibromyalgia"
    assert r.year == 2020 and r.url == "https://clinicaltrials.gov/study/NCT06916403"
    assert r.abstract.startswith("This two-part observational trial (n=50)")
    e = r.extra
    assert e["status"] == "ACTIVE_NOT_RECRUITING" and e["study_type"] == "OBSERVATIONAL"
    assert e["enrollment"] == 50 and e["sponsor"] == "Wilderman Medical Clinic"
    assert (e["start_date"], e["completion_date"], e["last_update_posted"]) == ("2020-11-30", "2025-12-30",
                                                                                "2025-04-08")
    assert e["interventions"][0]["name"] == "Ketamine" and e["conditions"] == ["Fibromyalgia"]


def test_study_without_nct_id() -> None:
    with pytest.raises(InputError, match="nctId"):
        study_to_record({"protocolSection": {}})


def test_get_study(httpd: HTTPServer) -> None:
    httpd.expect_request("/api/v2/studies/NCT06916403").respond_with_json(_study())
    r = _client(httpd).get_study("nct06916403")
    assert r.nct_id == "NCT06916403" and r.extra["enrollment"] == 50


def test_get_study_not_found(httpd: HTTPServer) -> None:
    httpd.expect_request("/api/v2/studies/NCT00000000").respond_with_data("", status=404)
    with pytest.raises(NotFoundError, match="NCT00000000"):
        _client(httpd).get_study("NCT00000000")


def test_bad_nct_id_needs_no_request(httpd: HTTPServer) -> None:
    with pytest.raises(InputError, match="not an NCT id"):
        _client(httpd).get_study("NCT123")
    assert not httpd.log


def test_retries_429_502_and_truncated_json(httpd: HTTPServer) -> None:
    body = json.dumps(_study())
    replies = [Response("", status=429, headers={"Retry-After": "3"}), Response("bad gateway", status=502),
               Response(body[: len(body) // 2], content_type="application/json"),
               Response(body, content_type="application/json")]

    def handler(request: Request) -> Response:
        return replies.pop(0)

    httpd.expect_request("/api/v2/studies/NCT06916403").respond_with_handler(handler)
    clock = FakeClock()
    r = _client(httpd, clock, max_tries=4).get_study("NCT06916403")
    assert r.nct_id == "NCT06916403" and not replies
    assert 3.0 in clock.sleeps and len(httpd.log) == 4


def test_timeout_then_bounded_failure(httpd: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        time.sleep(0.5)
        return Response("{}", content_type="application/json")

    httpd.expect_request(re.compile("/api/v2/studies/.*")).respond_with_handler(handler)
    with pytest.raises(NetworkError, match="timeout"):
        _client(httpd, timeout=0.2, max_tries=2).get_study("NCT06916403")


def test_offline() -> None:
    clock = FakeClock()
    client = CtgovClient(Settings(ctgov_url="http://127.0.0.1:9/api/v2", max_tries=3), clock=clock,
                         sleep=clock.sleep)
    with pytest.raises(NetworkError, match=r"could not be reached at http://127.0.0.1:9/api/v2"):
        client.get_study("NCT06916403")


def test_search_follows_page_tokens(httpd: HTTPServer) -> None:
    # the one study we hold facts for, served on two pages (paging mechanics only)
    pages = {None: {"totalCount": 2, "studies": [_study()], "nextPageToken": "tok2"},
             "tok2": {"studies": [_study()]}}
    seen: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        seen.append(dict(request.args))
        return Response(json.dumps(pages[request.args.get("pageToken")]), content_type="application/json")

    httpd.expect_request("/api/v2/studies").respond_with_handler(handler)
    records, total = _client(httpd).search_with_count("fibromyalgia ketamine")
    assert total == 2 and [r.nct_id for r in records] == ["NCT06916403", "NCT06916403"]
    assert seen[0]["query.term"] == "fibromyalgia ketamine" and seen[0]["countTotal"] == "true"
    assert "pageToken" not in seen[0] and seen[1]["pageToken"] == "tok2"


def test_search_recorded_shape(httpd: HTTPServer) -> None:
    data = json.loads((DATA / "search_fibromyalgia_ketamine.json").read_text(encoding="utf-8"))
    httpd.expect_request("/api/v2/studies").respond_with_json(data)
    (r,) = _client(httpd).search("fibromyalgia ketamine")
    assert r.nct_id == "NCT06916403"


def test_rate_limit_per_minute(httpd: HTTPServer) -> None:
    httpd.expect_request("/api/v2/studies/NCT06916403").respond_with_json(_study())
    clock = FakeClock()
    client = _client(httpd, clock)
    for _ in range(51):
        client.get_study("NCT06916403")
    assert clock.now >= 60.0  # the 51st request waited for the one-minute window
