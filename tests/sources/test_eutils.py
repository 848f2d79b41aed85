"""The real E-utilities client against a local HTTP server serving the recorded replies.

The server replays ``tests/data/entrez/*.xml`` and injects 429 (with and
without Retry-After), 502, timeouts and truncated bodies. The date-split tests
use a server that answers counts per publication-date range over synthetic ids
(the algorithm needs more records than any recording holds).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from evsynth.config import Settings
from evsynth.errors import InputError, NetworkError, ServiceError
from evsynth.sources._http import RateLimiter, scrub
from evsynth.sources.eutils import EutilsClient

SECRET = "SECRET-KEY-0123456789abcdef"


@dataclass
class Call:
    name: str
    method: str
    params: dict[str, str]
    at: float


class FakeEutils:
    """Routes ``/eutils/<name>.fcgi`` to per-utility handlers and records every call."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.routes: dict[str, Any] = {}
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        server.expect_request(re.compile(r"/eutils/.*")).respond_with_handler(self._handle)

    @property
    def base(self) -> str:
        return self.server.url_for("/eutils")

    def route(self, name: str, handler: Callable[[dict[str, str]], Response] | list[Response]) -> None:
        self.routes[name] = handler

    def _handle(self, request: Request) -> Response:
        params = {k: v for k, v in request.args.items()}
        params.update({k: v for k, v in request.form.items()})
        name = request.path.rsplit("/", 1)[-1].removesuffix(".fcgi")
        with self._lock:
            self.calls.append(Call(name, request.method, params, time.monotonic()))
            handler = self.routes[name]
            if isinstance(handler, list):
                response = handler.pop(0) if len(handler) > 1 else handler[0]
                return response
        return handler(params)

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
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
def fake(server: HTTPServer) -> Any:
    server.clear()
    yield FakeEutils(server)
    server.clear()


def _client(fake: FakeEutils, clock: FakeClock | None = None, **changes: Any) -> EutilsClient:
    settings = Settings(eutils_url=fake.base, ncbi_email="reviewer@example.org", timeout=2.0, max_tries=4)
    if changes:
        from dataclasses import replace

        settings = replace(settings, **changes)
    clock = clock or FakeClock()
    return EutilsClient(settings, clock=clock, sleep=clock.sleep)


def _xml(data_dir: Path, name: str) -> bytes:
    return (data_dir / "entrez" / name).read_bytes()


def _ok(body: bytes, **headers: str) -> Response:
    return Response(body, status=200, content_type="text/xml", headers=headers)


# -- recorded replies ---------------------------------------------------------------------------

def test_esearch_history_and_common_params(data_dir: Path, fake: FakeEutils) -> None:
    fake.route("esearch", [_ok(_xml(data_dir, "esearch2.xml"))])
    res = _client(fake).esearch("cancer", retmax=100)
    assert res.count == 42249 and len(res.ids) == 100 and res.ids[0] == "41297076"
    assert res.webenv == "MCID_6927d6e7fee3e90f880ec190" and res.query_key == "1"
    assert res.query_translation.endswith("AND 2025/09/27:2025/11/26[Date - Entry]")
    (call,) = fake.calls
    assert call.method == "GET"
    assert call.params["usehistory"] == "y" and call.params["db"] == "pubmed"
    assert call.params["tool"] == "evsynth" and call.params["email"] == "reviewer@example.org"
    assert "api_key" not in call.params


def test_esearch_phrase_not_found_is_a_warning(data_dir: Path, fake: FakeEutils) -> None:
    fake.route("esearch", [_ok(_xml(data_dir, "esearch8.xml"))])
    res = _client(fake).esearch("abcXYZ")
    assert res.count == 0 and res.ids == ()
    assert "PhraseNotFound: abcXYZ" in res.warnings
    assert "OutputMessage: No items found." in res.warnings


def test_esearch_phrase_not_found_with_results(data_dir: Path, fake: FakeEutils) -> None:
    # PubMed drops an unknown phrase and still answers: a warning beside real results
    body = _xml(data_dir, "esearch1.xml").replace(
        b"</eSearchResult>", b"<ErrorList><PhraseNotFound>zzxq</PhraseNotFound></ErrorList></eSearchResult>")
    fake.route("esearch", [_ok(body)])
    res = _client(fake).esearch("biopython OR zzxq")
    assert res.count == 63 and len(res.ids) == 20 and res.warnings == ("PhraseNotFound: zzxq",)


def test_esearch_error_reply_is_a_service_error(fake: FakeEutils) -> None:
    fake.route("esearch", [_ok(b'<?xml version="1.0"?><eSearchResult><ERROR>Invalid query syntax</ERROR>'
                               b'</eSearchResult>')])
    with pytest.raises(ServiceError, match="Invalid query syntax"):
        _client(fake).esearch("((")
    assert len(fake.calls) == 1  # an error reply is not retried


def test_epost_replies(data_dir: Path, fake: FakeEutils) -> None:
    fake.route("epost", [_ok(_xml(data_dir, "epost1.xml"))])
    ids = [str(i) for i in range(1000, 1300)]
    assert _client(fake).epost(ids) == ("MCID_692851c130aec64bed0a8c2a", "1")
    (call,) = fake.calls
    assert call.method == "POST" and call.params["id"].split(",") == ids
    fake.route("epost", [_ok(_xml(data_dir, "epost2.xml"))])
    with pytest.raises(ServiceError, match="Invalid db name specified: nothing"):
        _client(fake).epost(["1"], db="nothing")
    fake.route("epost", [_ok(_xml(data_dir, "epost3.xml"))])
    with pytest.raises(ServiceError, match="Empty ID list; Nothing to store; Some IDs have invalid value"):
        _client(fake).epost(["-1"])


def test_esummary_replies(data_dir: Path, fake: FakeEutils) -> None:
    fake.route("esummary", [_ok(_xml(data_dir, "esummary1.xml"))])
    docs = _client(fake).esummary(["11850928", "11482001"])
    assert docs[0]["Id"] == "11850928" and docs[0]["Source"] == "Arch Dermatol"
    assert docs[0]["AuthorList"] == ["LoPresti PJ", "Hambrick GW Jr"]
    assert docs[0]["HasAbstract"] == 1
    fake.route("esummary", [_ok(_xml(data_dir, "esummary8.xml"))])
    with pytest.raises(ServiceError, match="Neither query_key nor id specified"):
        _client(fake).esummary([])


def test_efetch_by_ids_get_and_post(data_dir: Path, fake: FakeEutils) -> None:
    fake.route("efetch", [_ok(_xml(data_dir, "pubmed4.xml"))])
    (rec,) = _client(fake).efetch(["27797938"])
    assert rec.pmid == "27797938" and rec.doi == "10.1136/gutjnl-2016-312510"
    assert fake.calls[-1].method == "GET" and fake.calls[-1].params["retmode"] == "xml"
    many = [str(27797938 + i) for i in range(201)]
    _client(fake).efetch(many)
    assert fake.calls[-1].method == "POST" and fake.calls[-1].params["id"].split(",") == many


def test_efetch_by_history(data_dir: Path, fake: FakeEutils) -> None:
    fake.route("efetch", [_ok(_xml(data_dir, "pubmed2.xml"))])
    records = _client(fake).efetch(webenv="MCID_x", query_key="1", retstart=0, retmax=500)
    assert [r.pmid for r in records] == ["11748933", "11700088"]
    p = fake.calls[-1].params
    assert (p["WebEnv"], p["query_key"], p["retmax"]) == ("MCID_x", "1", "500")


def test_efetch_error_reply(fake: FakeEutils) -> None:
    fake.route("efetch", [_ok(b"<eFetchResult><ERROR>Cannot retrieve history data</ERROR></eFetchResult>")])
    with pytest.raises(ServiceError, match="Cannot retrieve history data"):
        _client(fake).efetch(webenv="gone", query_key="1")


# -- retries --------------------------------------------------------------------------------------

def test_429_with_retry_after_is_honoured(data_dir: Path, fake: FakeEutils) -> None:
    clock = FakeClock()
    fake.route("esearch", [Response("slow down", status=429, headers={"Retry-After": "7"}),
                           _ok(_xml(data_dir, "esearch1.xml"))])
    res = _client(fake, clock).esearch("biopython")
    assert res.count == 63 and len(fake.calls) == 2
    assert 7.0 in clock.sleeps


def test_429_without_retry_after_backs_off_with_jitter(data_dir: Path, fake: FakeEutils) -> None:
    clock = FakeClock()
    fake.route("esearch", [Response('{"error":"API rate limit exceeded"}', status=429),
                           Response('{"error":"API rate limit exceeded"}', status=429),
                           _ok(_xml(data_dir, "esearch1.xml"))])
    _client(fake, clock).esearch("biopython")
    backoffs = [s for s in clock.sleeps if s >= 0.4]  # the limiter's own waits are shorter here
    assert len(backoffs) == 2
    assert 0.5 <= backoffs[0] <= 1.5 and 1.0 <= backoffs[1] <= 3.0  # 1 s, then 2 s, each ×0.5–1.5


def test_502_then_success(data_dir: Path, fake: FakeEutils) -> None:
    fake.route("efetch", [Response("Bad Gateway", status=502), _ok(_xml(data_dir, "pubmed1.xml"))])
    records = _client(fake).efetch(["12091962", "9997"])
    assert [r.pmid for r in records] == ["12091962", "9997"] and len(fake.calls) == 2


def test_bounded_failure(fake: FakeEutils) -> None:
    fake.route("esearch", [Response("Bad Gateway", status=502)])
    with pytest.raises(NetworkError) as info:
        _client(fake, max_tries=3).esearch("x")
    assert len(fake.calls) == 3
    msg = str(info.value)
    assert "HTTP 502" in msg and "3 tries" in msg and fake.base in msg


def test_timeout_then_success(data_dir: Path, fake: FakeEutils) -> None:
    state = {"n": 0}

    def handler(params: dict[str, str]) -> Response:
        state["n"] += 1
        if state["n"] == 1:
            time.sleep(1.2)
        return _ok(_xml(data_dir, "esearch3.xml"))

    fake.route("esearch", handler)
    res = _client(fake, timeout=0.4).esearch("PNAS[ta] AND 97[vi]")
    assert res.count == 2651 and state["n"] == 2


def test_timeouts_exhaust_tries(fake: FakeEutils) -> None:
    def handler(params: dict[str, str]) -> Response:
        time.sleep(0.6)
        return _ok(b"<eSearchResult><Count>0</Count></eSearchResult>")

    fake.route("esearch", handler)
    with pytest.raises(NetworkError, match="timeout"):
        _client(fake, timeout=0.2, max_tries=2).esearch("x")


def test_truncated_xml_is_retried(data_dir: Path, fake: FakeEutils) -> None:
    full = _xml(data_dir, "pubmed4.xml")
    fake.route("efetch", [_ok(full[: len(full) // 3]), _ok(full)])
    (rec,) = _client(fake).efetch(["27797938"])
    assert rec.pmcid == "PMC5442267" and len(fake.calls) == 2
    fake.calls.clear()
    esearch = _xml(data_dir, "esearch1.xml")
    fake.route("esearch", [_ok(esearch[:300]), _ok(esearch)])
    assert _client(fake).esearch("biopython").count == 63 and len(fake.calls) == 2


def test_truncated_every_time_gives_network_error(data_dir: Path, fake: FakeEutils) -> None:
    full = _xml(data_dir, "pubmed4.xml")
    fake.route("efetch", [_ok(full[:5000])])
    with pytest.raises(NetworkError, match="truncated"):
        _client(fake, max_tries=2).efetch(["27797938"])


def test_content_length_mismatch_is_retried(data_dir: Path, fake: FakeEutils) -> None:
    full = _xml(data_dir, "esearch1.xml")

    def short() -> Response:
        r = Response(full[:200], status=200, content_type="text/xml")
        r.headers["Content-Length"] = str(len(full))  # promises more than it sends
        return r

    fake.route("esearch", [short(), _ok(full)])
    assert _client(fake).esearch("biopython").count == 63
    assert len(fake.calls) == 2


def test_entity_declaring_reply_is_refused(fake: FakeEutils) -> None:
    fake.route("esearch", [_ok(b'<?xml version="1.0"?><!DOCTYPE eSearchResult [<!ENTITY x SYSTEM '
                               b'"file:///etc/passwd">]><eSearchResult><Count>&x;</Count></eSearchResult>')])
    with pytest.raises(InputError, match="entit"):
        _client(fake).esearch("x")


# -- the API key stays secret ---------------------------------------------------------------------

def test_api_key_sent_but_never_shown(data_dir: Path, fake: FakeEutils) -> None:
    fake.route("esearch", [_ok(_xml(data_dir, "esearch1.xml"))])
    client = _client(fake, ncbi_api_key=SECRET)
    client.esearch("biopython")
    assert fake.calls[-1].params["api_key"] == SECRET
    assert client.limiter.rate == 10
    assert SECRET not in repr(client) and SECRET not in repr(client.settings)
    # a 400 whose body echoes the request URL with the key
    fake.route("esearch", [Response(f"bad request: /esearch.fcgi?term=x&api_key={SECRET}", status=400)])
    with pytest.raises(ServiceError) as info:
        client.esearch("x")
    assert SECRET not in str(info.value) and "api_key=***" in str(info.value)
    fake.route("esearch", [Response("down", status=503)])
    with pytest.raises(NetworkError) as info2:
        client.esearch("x")
    assert SECRET not in str(info2.value) and info2.value.__cause__ is None


def test_offline_is_quick_and_names_the_base_url() -> None:
    settings = Settings(eutils_url="http://127.0.0.1:9/eutils", ncbi_api_key=SECRET, timeout=2, max_tries=5)
    clock = FakeClock()
    start = time.monotonic()
    with pytest.raises(NetworkError) as info:
        EutilsClient(settings, clock=clock, sleep=clock.sleep).esearch("x")
    assert time.monotonic() - start < 3
    msg = str(info.value)
    assert "could not be reached" in msg and "http://127.0.0.1:9/eutils" in msg and SECRET not in msg


def test_scrub() -> None:
    assert scrub(f"GET /e?db=pubmed&api_key={SECRET}&term=x") == "GET /e?db=pubmed&api_key=***&term=x"
    assert scrub(f"key {SECRET} here", SECRET) == "key *** here"


# -- rate limit -------------------------------------------------------------------------------------

def _max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for u in times[i:] if u - t < window) for i, t in enumerate(times))


@pytest.mark.parametrize("rate", [3, 10])
def test_rate_limiter_fake_clock(rate: int) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, 1.0, clock=clock, sleep=clock.sleep)
    grants = [limiter.acquire() for _ in range(4 * rate + 1)]
    assert _max_in_window(grants, 1.0) == rate
    assert grants[-1] - grants[0] == pytest.approx(4 * limiter.window)  # no more waiting than the margin asks


def test_client_requests_respect_the_limit_fake_clock(data_dir: Path, fake: FakeEutils) -> None:
    clock = FakeClock()
    fake.route("esearch", [_ok(_xml(data_dir, "esearch1.xml"))])
    client = _client(fake, clock)
    grants = []
    for _ in range(9):
        client.esearch("biopython")
        grants.append(clock.now)
    assert client.limiter.rate == 3
    assert _max_in_window(grants, 1.0) <= 3 and clock.now - 1000.0 >= 2.0


def test_threads_share_the_process_limit(data_dir: Path, fake: FakeEutils) -> None:
    """Real clock, process-wide limiter (API key → 10/s), four threads at once."""
    fake.route("esearch", [_ok(_xml(data_dir, "esearch1.xml"))])
    settings = Settings(eutils_url=fake.base, ncbi_api_key=SECRET, timeout=5, max_tries=2)
    clients = [EutilsClient(settings) for _ in range(4)]  # separate clients, one shared limiter
    assert len({id(c.limiter) for c in clients}) == 1
    errors: list[BaseException] = []

    def work(c: EutilsClient) -> None:
        try:
            for _ in range(6):
                c.esearch("biopython")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    arrivals = [c.at for c in fake.named("esearch")]
    assert len(arrivals) == 24
    assert _max_in_window(arrivals, 1.0) <= 10  # server-side arrival times
    assert max(arrivals) - min(arrivals) >= 1.9  # 24 requests need at least two full windows


# -- the 9,999 cap: split by publication date ----------------------------------------------------

def _day(value: str, *, end: bool) -> dt.date:
    """NCBI's date forms: YYYY, YYYY/MM or YYYY/MM/DD (range start or end)."""
    assert re.fullmatch(r"\d{4}(/\d{2}(/\d{2})?)?", value), value
    parts = [int(p) for p in value.split("/")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1) if end else first
    return dt.date(parts[0], 12, 31) if end else dt.date(parts[0], 1, 1)


class DateCountServer:
    """esearch over synthetic ids, each with a publication date; answers per date range."""

    def __init__(self, per_day: dict[dt.date, int], cap: int) -> None:
        self.items: list[tuple[dt.date, str]] = []
        n = 0
        for day in sorted(per_day):
            for _ in range(per_day[day]):
                n += 1
                self.items.append((day, str(100000 + n)))
        self.cap = cap
        self.ranges: list[tuple[str | None, str | None, int]] = []

    def __call__(self, params: dict[str, str]) -> Response:
        lo = hi = None
        if "mindate" in params:
            assert params["datetype"] == "pdat"
            lo, hi = _day(params["mindate"], end=False), _day(params["maxdate"], end=True)
        hits = [i for d, i in self.items if (lo is None or lo <= d <= hi)]
        retmax = min(int(params.get("retmax", 20)), self.cap)
        self.ranges.append((params.get("mindate"), params.get("maxdate"), len(hits)))
        ids = "".join(f"<Id>{i}</Id>" for i in hits[:retmax])
        body = (f'<?xml version="1.0" encoding="UTF-8" ?><eSearchResult><Count>{len(hits)}</Count>'
                f"<RetMax>{min(retmax, len(hits))}</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey>"
                f"<WebEnv>MCID_test</WebEnv><IdList>{ids}</IdList><TranslationSet/>"
                f"<QueryTranslation>synthetic[All Fields]</QueryTranslation></eSearchResult>")
        return _ok(body.encode())


def test_date_split_recursive(fake: FakeEutils) -> None:
    # 1,000 ids over 2000–2009, crowded in 2004 so some halves need further halving
    per_day = {dt.date(2000 + y, 6, 1): 40 for y in range(10)}
    per_day.update({dt.date(2004, 1, 1) + dt.timedelta(days=7 * k): 15 for k in range(40)})
    server = DateCountServer(per_day, cap=100)
    fake.route("esearch", server)
    res = _client(fake).search_ids("synthetic", mindate="2000", maxdate="2009", cap=100)
    total = sum(per_day.values())
    assert res.count == total == 1000
    assert len(res.ids) == total and len(set(res.ids)) == total
    assert set(res.ids) == {i for _, i in server.items}
    assert all(n <= 100 for _, _, n in res.parts)
    assert sum(n for _, _, n in res.parts) == total
    # recursion: some range was itself over the cap and split again
    over = [r for r in server.ranges[1:] if r[2] > 100]
    assert over and len(res.parts) > 2
    assert res.query_translation == "synthetic[All Fields]"
    # the parts tile the requested period without gaps or overlaps
    spans = sorted((dt.date(*map(int, a.split("/"))), dt.date(*map(int, b.split("/")))) for a, b, _ in res.parts)
    assert spans[0][0] == dt.date(2000, 1, 1) and spans[-1][1] == dt.date(2009, 12, 31)
    assert all(b2 == a1 + dt.timedelta(days=1) for (_, a1), (b2, _) in zip(spans, spans[1:]))


def test_date_split_with_the_real_cap(fake: FakeEutils) -> None:
    per_day = {dt.date(2019, 3, 1): 6000, dt.date(2020, 8, 1): 6000, dt.date(2021, 2, 1): 500}
    server = DateCountServer(per_day, cap=9999)
    fake.route("esearch", server)
    res = _client(fake).search_ids("synthetic")  # no dates: from 1800 to next year
    assert res.count == 12500 and len(set(res.ids)) == 12500
    assert all(n <= 9999 for _, _, n in res.parts)


def test_single_day_over_the_cap_is_reported(fake: FakeEutils) -> None:
    server = DateCountServer({dt.date(2020, 1, 1): 150}, cap=100)
    fake.route("esearch", server)
    with pytest.raises(ServiceError, match="2020/01/01"):
        _client(fake).search_ids("synthetic", mindate="2020", maxdate="2020", cap=100)


def test_no_split_under_the_cap(data_dir: Path, fake: FakeEutils) -> None:
    fake.route("esearch", [_ok(_xml(data_dir, "esearch5.xml"))])
    res = _client(fake).search_ids("stem cells AND hasabstract")
    assert res.count == 5 and res.ids == ("6540636", "5830998", "4460425", "4466840", "3443459")
    assert len(fake.calls) == 1 and fake.calls[0].params["retmax"] == "9999"
