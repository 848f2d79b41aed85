"""HTTP discipline shared by the service clients: rate limits, retries, scrubbing.

* :class:`RateLimiter` — a sliding window over request start times (never more than
  ``rate`` starts in any ``period`` seconds, spaced evenly, with a 10 % margin so that
  arrivals at the service keep the limit too), thread-safe; :func:`shared_limiter` hands out one
  limiter per service and rate for the whole process, so every thread of the
  process shares it.
* :func:`send` — one request with bounded retries, exponential backoff and
  jitter on 429 (honouring ``Retry-After``), 5xx, timeouts, connection errors
  and bodies that fail validation (truncated replies).
* :func:`scrub` — removes secrets (``api_key``) from any text before it reaches
  a message, a log line or an exception.
"""

from __future__ import annotations

import collections
import email.utils
import logging
import random
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import requests

from ..errors import NetworkError, NotFoundError, ServiceError

__all__ = ["RateLimiter", "RetryPolicy", "Retryable", "shared_limiter", "send", "scrub"]

log = logging.getLogger("evsynth.sources")

Clock = Callable[[], float]
Sleep = Callable[[float], None]

_SECRET_PARAM = re.compile(r"(api_key|apikey|key)=([^&\s'\"<>]+)", re.IGNORECASE)


def scrub(text: object, *secrets: str | None) -> str:
    """Return ``text`` with ``api_key=...`` values and the given secrets masked."""
    out = _SECRET_PARAM.sub(r"\1=***", str(text))
    for secret in secrets:
        if secret:
            out = out.replace(secret, "***")
    return out


class Retryable(Exception):
    """Raised by a response validator: the body is unusable (e.g. truncated); try again."""


class RateLimiter:
    """At most ``rate`` request starts in any window of ``period`` seconds, with a safety margin.

    The service counts requests as they *arrive*, and arrival lags the start by a latency that
    varies (a new connection, a busy thread), so the limit is kept with room to spare on both
    counts: starts are spaced at least ``period · (1 + margin) / rate`` apart (no bursts), and no
    more than ``rate`` starts fall in any window of ``period · (1 + margin)`` seconds. With the
    default margin of 10 %, arrivals stay within ``rate`` per ``period`` unless the latency of
    one request exceeds the one before it by more than 10 % of ``period / rate`` (33 ms at 3/s).

    Parameters
    ----------
    rate : int
        Requests allowed per window.
    period : float
        Window length in seconds.
    margin : float
        Fraction added to the window and the spacing (default 0.1).
    clock, sleep : callable, optional
        Injectable time source and sleep (tests use a fake clock whose
        ``sleep`` advances it). Defaults: :func:`time.monotonic`, :func:`time.sleep`.

    Notes
    -----
    The lock is held while waiting, so concurrent threads queue up in order
    and the window holds for all of them together.
    """

    def __init__(self, rate: int, period: float = 1.0, *, margin: float = 0.1, clock: Clock | None = None,
                 sleep: Sleep | None = None) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1")
        if margin < 0:
            raise ValueError("margin must be >= 0")
        self.rate = int(rate)
        self.period = float(period)
        self.window = self.period * (1.0 + margin)
        self.spacing = self.window / self.rate
        self._clock = clock or time.monotonic
        self._sleep = sleep or time.sleep
        self._times: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def _wait(self, now: float) -> float:
        """Seconds to wait before a start at ``now`` keeps both rules (0: may start)."""
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        wait = 0.0
        if self._times:
            wait = self._times[-1] + self.spacing - now
        if len(self._times) >= self.rate:
            wait = max(wait, self._times[0] + self.window - now)
        return max(wait, 0.0)

    def acquire(self) -> float:
        """Wait until a request may be sent; return the time it was granted."""
        with self._lock:
            while True:
                now = self._clock()
                wait = self._wait(now)
                if wait <= 0:
                    self._times.append(now)
                    if len(self._times) > self.rate:
                        self._times.popleft()
                    return now
                self._sleep(wait)


_LIMITERS: dict[tuple[str, int, float], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_limiter(service: str, rate: int, period: float = 1.0) -> RateLimiter:
    """The process-wide limiter of one service at one rate (real clock)."""
    key = (service, int(rate), float(period))
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None:
            limiter = _LIMITERS[key] = RateLimiter(rate, period)
        return limiter


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Parameters
    ----------
    max_tries : int
        Attempts in all (the first one included).
    timeout : float
        Seconds for connecting and for each read.
    backoff : float
        First delay; doubled after every failed attempt, with jitter (×0.5–1.5).
    max_backoff : float
        Cap on one delay, and on an honoured ``Retry-After``.
    connect_tries : int
        Attempts when the service cannot be reached at all (connection
        refused, unknown host): offline is reported quickly.
    """

    max_tries: int = 5
    timeout: float = 30.0
    backoff: float = 1.0
    max_backoff: float = 60.0
    connect_tries: int = 2


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _is_unreachable(exc: requests.ConnectionError) -> bool:
    text = repr(exc)
    return any(s in text for s in ("NewConnectionError", "NameResolutionError", "Connection refused",
                                   "Failed to resolve", "Name or service not known",
                                   "nodename nor servname", "Temporary failure in name resolution"))


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    service: str,
    base_url: str,
    limiter: RateLimiter,
    policy: RetryPolicy,
    params: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    validate: Callable[[requests.Response], Any] | None = None,
    sleep: Sleep | None = None,
    rng: random.Random | None = None,
    secrets: tuple[str | None, ...] = (),
    setting: str | None = None,
) -> tuple[requests.Response, Any]:
    """Send one request with the retry discipline; return ``(response, validate(response))``.

    Parameters
    ----------
    session : requests.Session
    method, url : str
    service : str
        Human name for messages ("NCBI E-utilities").
    base_url : str
        Named in messages (never with parameters).
    limiter : RateLimiter
        Acquired before every attempt.
    policy : RetryPolicy
    params, data : mapping, optional
        Query string / form body.
    validate : callable, optional
        Called with a 2xx response; raises :class:`Retryable` when the body is
        unusable (truncated), returns the parsed value otherwise.
    sleep : callable, optional
        For backoff waits (tests inject a fake).
    rng : random.Random, optional
        Jitter source.
    secrets : tuple of str
        Values masked in every message.
    setting : str, optional
        The environment variable holding ``base_url``, named in the offline message.

    Raises
    ------
    NetworkError
        Unreachable service, or still failing after ``policy.max_tries``.
    NotFoundError
        HTTP 404.
    ServiceError
        Any other 4xx: the service refused the request.
    """
    sleep = sleep or time.sleep
    rng = rng or random.Random()
    endpoint = url.split("?", 1)[0]
    last = "no attempt made"
    tries = max(1, int(policy.max_tries))
    attempt = 0
    while True:
        attempt += 1
        delay: float | None = None
        limiter.acquire()
        try:
            response = session.request(method, url, params=params, data=data,
                                       timeout=(policy.timeout, policy.timeout))
        except requests.ConnectionError as exc:
            if _is_unreachable(exc) and attempt >= min(tries, policy.connect_tries):
                raise NetworkError(
                    f"{service} could not be reached at {base_url} (connection refused or unknown host); "
                    f"check the network connection{f' or {setting}' if setting else ''}. Nothing was stored "
                    "for this request; run the command again when online."
                ) from None
            last = f"connection error ({scrub(type(exc).__name__)})"
        except requests.Timeout:
            last = f"no answer within {policy.timeout:g} s (timeout)"
        except requests.RequestException as exc:  # truncated transfer, content-length mismatch, ...
            last = f"transfer failed ({type(exc).__name__}: {scrub(exc, *secrets)[:200]})"
        else:
            status = response.status_code
            if status == 429:
                retry_after = _retry_after(response)
                last = "HTTP 429 Too Many Requests"
                if retry_after is not None:
                    delay = min(policy.max_backoff, retry_after)
            elif status >= 500:
                last = f"HTTP {status}"
            elif status == 404:
                raise NotFoundError(f"{service}: not found (HTTP 404) at {scrub(endpoint, *secrets)}")
            elif status >= 400:
                snippet = scrub(response.text[:300], *secrets).strip()
                raise ServiceError(f"{service} refused the request (HTTP {status}) at "
                                   f"{scrub(endpoint, *secrets)}: {snippet}")
            else:
                try:
                    value = validate(response) if validate else None
                except Retryable as exc:
                    last = f"unusable reply ({scrub(exc, *secrets)})"
                else:
                    return response, value
        log.debug("%s %s attempt %d/%d failed: %s", method, scrub(endpoint, *secrets), attempt, tries, last)
        if attempt >= tries:
            raise NetworkError(
                f"{service} at {base_url} kept failing: {last}; gave up after {attempt} tries. "
                "What was fetched before is stored; run the command again later to resume."
            ) from None
        if delay is None:
            delay = min(policy.max_backoff, policy.backoff * 2 ** (attempt - 1)) * (0.5 + rng.random())
        sleep(delay)
