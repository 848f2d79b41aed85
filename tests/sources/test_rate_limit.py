"""NCBI counts requests as they arrive: never more than 3 (10 with a key) in any one second.

The limiter is tested on a fake clock (every window, every spacing) and end to end: ``run_search``
against a local server that records the arrival time of every request.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from evsynth.config import Settings
from evsynth.sources._http import RateLimiter
from evsynth.sources.eutils import EutilsClient


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    return max(sum(1 for u in times[i:] if u - t < window) for i, t in enumerate(times))


@pytest.mark.parametrize("rate", [3, 10])
def test_no_second_holds_more_than_rate_starts_even_with_latency(rate: int) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, 1.0, clock=clock, sleep=clock.sleep)
    rng = random.Random(rate)
    starts = []
    for _ in range(12 * rate):
        if rng.random() < 0.3:  # the caller is sometimes busy between requests
            clock.now += rng.uniform(0, 0.5)
        starts.append(limiter.acquire())
    assert _max_in_window(starts) <= rate
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 1.0 / rate  # no burst: spaced by more than period / rate
    # a latency that varies by up to 3 % of the spacing cannot push a 4th arrival into one second
    arrivals = [t + rng.uniform(0, 0.03 / rate) for t in starts]
    assert _max_in_window(arrivals) <= rate


def test_a_burst_after_idle_is_spread_out() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, 1.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 10  # idle: the window is empty again
    starts = [limiter.acquire() for _ in range(4)]
    assert _max_in_window(starts) == 3
    assert starts[3] - starts[0] >= 1.0


def test_threads_on_a_fake_clock_share_the_window() -> None:
    lock = threading.Lock()
    clock = FakeClock()

    def sleep(seconds: float) -> None:
        with lock:
            clock.now += seconds

    limiter = RateLimiter(3, 1.0, clock=clock, sleep=sleep)
    starts: list[float] = []

    def work() -> None:
        for _ in range(5):
            t = limiter.acquire()
            with lock:
                starts.append(t)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(starts) == 20 and _max_in_window(starts) <= 3


_ESEARCH = (b'<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>2</Count><RetMax>2</RetMax>'
            b"<RetStart>0</RetStart><IdList><Id>1</Id><Id>2</Id></IdList><TranslationSet/>"
            b"<QueryTranslation>x[All Fields]</QueryTranslation></eSearchResult>\n")


@pytest.fixture()
def server() -> Any:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    srv.stop()


@pytest.mark.parametrize(("key", "rate", "n"), [(None, 3, 10), ("K" * 36, 10, 25)])
def test_arrivals_at_the_server_keep_the_limit(server: HTTPServer, key: str | None, rate: int, n: int) -> None:
    arrivals: list[float] = []
    lock = threading.Lock()

    def handle(request: Request) -> Response:
        with lock:
            arrivals.append(time.monotonic())
        return Response(_ESEARCH, status=200, content_type="text/xml")

    server.expect_request("/eutils/esearch.fcgi").respond_with_handler(handle)
    settings = Settings(eutils_url=server.url_for("/eutils"), ncbi_api_key=key, timeout=5, max_tries=2)
    client = EutilsClient(settings)
    assert client.limiter.rate == rate
    for _ in range(n):  # a bounded number of requests, as a search makes them back to back
        client.esearch("x")
    assert len(arrivals) == n
    assert _max_in_window(arrivals, 1.0) <= rate
