"""NCBI E-utilities client (esearch, epost, efetch, esummary) on ``requests``.

* ``tool`` and ``email`` on every request, ``api_key`` when given — the key is
  masked in every message, log line and exception (:func:`~._http.scrub`).
* A rate limit shared by every thread of the process: 3 requests in any second
  without a key, 10 with one (:func:`~._http.shared_limiter`).
* Retries with exponential backoff and jitter on 429 (``Retry-After``
  honoured), 5xx, timeouts, connection errors and replies whose XML does not
  parse (truncated bodies); then :class:`~evsynth.errors.NetworkError`.
* ``<ERROR>`` in a reply → :class:`~evsynth.errors.ServiceError`; an esearch
  ``ErrorList`` (e.g. ``PhraseNotFound``) is a warning kept on the result.
* PubMed's esearch returns at most 9,999 ids: :meth:`EutilsClient.search_ids`
  splits larger searches by publication date, recursively, until every part
  is under the cap.
"""

from __future__ import annotations

import datetime as _dt
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import requests
from lxml import etree

from ..config import TOOL_NAME, Settings, load_settings
from ..errors import InputError, ServiceError
from ..models import Record
from . import _http
from ._xml_prolog import SAFE_PARSER_OPTIONS, check_dtd, check_prolog
from .pubmed_xml import MalformedXMLError, iter_pubmed_xml

__all__ = ["EutilsClient", "ESearchResult", "SearchIds", "PUBMED_CAP", "POST_THRESHOLD"]

#: esearch never returns ids beyond the first 9,999 of a PubMed search.
PUBMED_CAP = 9999
#: More ids than this go in a POST body instead of the URL.
POST_THRESHOLD = 200
_SERVICE = "NCBI E-utilities"


@dataclass(frozen=True)
class ESearchResult:
    """One esearch reply.

    Attributes
    ----------
    count : int
        Hits PubMed reports for the query (and date limits).
    ids : tuple of str
        The ids returned (at most ``retmax``).
    query_translation : str or None
    webenv, query_key : str or None
        History server handles (``usehistory=y``).
    warnings : tuple of str
        ``ErrorList`` / ``WarningList`` entries (e.g. ``PhraseNotFound: abcXYZ``).
    """

    count: int
    ids: tuple[str, ...]
    query_translation: str | None = None
    webenv: str | None = None
    query_key: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchIds:
    """All ids of a search, collected over date parts when it exceeds the cap.

    Attributes
    ----------
    count : int
        PubMed's count for the whole query.
    ids : tuple of str
        Every id, without repeats, in PubMed's order within each part.
    query_translation : str or None
    warnings : tuple of str
    parts : tuple of (mindate, maxdate, count)
        The date ranges searched (one part with ``None`` dates when no split
        was needed).
    """

    count: int
    ids: tuple[str, ...]
    query_translation: str | None = None
    warnings: tuple[str, ...] = ()
    parts: tuple[tuple[str | None, str | None, int], ...] = field(default_factory=tuple)


_PARSER_KW = dict(SAFE_PARSER_OPTIONS, remove_blank_text=True)


def _parse_xml(content: bytes) -> Any:
    """Parse a small E-utilities reply with a hardened parser (root element)."""
    check_prolog(content[: 1 << 20], "E-utilities reply")
    try:
        root = etree.fromstring(content, etree.XMLParser(**_PARSER_KW))
    except etree.XMLSyntaxError as exc:
        raise _http.Retryable(f"XML does not parse ({exc.msg}), the reply may be truncated") from None
    check_dtd(root.getroottree(), "E-utilities reply")
    return root


def _errors(root: Any) -> list[str]:
    return [t.strip() for t in (e.text or "" for e in root.iter("ERROR")) if t.strip()]


def _date(value: _dt.date) -> str:
    return value.strftime("%Y/%m/%d")


def _parse_date(value: str, *, end: bool) -> _dt.date:
    """``YYYY``, ``YYYY/MM`` or ``YYYY/MM/DD`` (also with ``-``) → a date (range start or end)."""
    parts = [int(p) for p in value.replace("-", "/").split("/") if p]
    if not parts or len(parts) > 3:
        raise InputError(f"not a date: {value!r} (use YYYY, YYYY/MM or YYYY/MM/DD)")
    year = parts[0]
    if len(parts) == 1:
        return _dt.date(year, 12, 31) if end else _dt.date(year, 1, 1)
    month = parts[1]
    if len(parts) == 2:
        if end:
            nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
            return nxt - _dt.timedelta(days=1)
        return _dt.date(year, month, 1)
    return _dt.date(year, month, parts[2])


class EutilsClient:
    """A client of NCBI's E-utilities.

    Parameters
    ----------
    settings : Settings, optional
        Base URL, e-mail, API key, timeout and tries (default: :func:`load_settings`).
    clock, sleep : callable, optional
        A ``clock`` gives the client a private rate limiter on that clock (tests
        pass a fake clock whose ``sleep`` advances it); without one the
        process-wide limiter is used. ``sleep`` also serves the backoff waits.
    session : requests.Session, optional
    rng : random.Random, optional
        Jitter source.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        session: requests.Session | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.base_url = self.settings.eutils_url.rstrip("/")
        rate = self.settings.requests_per_second
        if clock is not None:  # a private limiter on the injected clock (tests)
            self.limiter = _http.RateLimiter(rate, 1.0, clock=clock, sleep=sleep)
        else:
            self.limiter = _http.shared_limiter("eutils", rate)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", f"{TOOL_NAME} (requests)")
        self.policy = _http.RetryPolicy(max_tries=self.settings.max_tries, timeout=self.settings.timeout)

    def __repr__(self) -> str:
        return f"EutilsClient(base_url={self.base_url!r}, rate={self.limiter.rate}/s)"

    # -- plumbing ----------------------------------------------------------
    def _common(self) -> dict[str, str]:
        params = {"tool": TOOL_NAME}
        if self.settings.ncbi_email:
            params["email"] = self.settings.ncbi_email
        if self.settings.ncbi_api_key:
            params["api_key"] = self.settings.ncbi_api_key
        return params

    def _call(self, utility: str, params: dict[str, Any], validate: Callable[[requests.Response], Any],
              *, post: bool = False) -> Any:
        all_params = {**params, **self._common()}
        url = f"{self.base_url}/{utility}.fcgi"
        _, value = _http.send(
            self.session, "POST" if post else "GET", url,
            service=_SERVICE, base_url=self.base_url, limiter=self.limiter, policy=self.policy,
            params=None if post else all_params, data=all_params if post else None,
            validate=validate, sleep=self._sleep, rng=self._rng,
            secrets=(self.settings.ncbi_api_key,), setting="EVSYNTH_EUTILS_URL",
        )
        return value

    def _xml_reply(self, utility: str) -> Callable[[requests.Response], Any]:
        def validate(response: requests.Response) -> Any:
            root = _parse_xml(response.content)
            errors = _errors(root)
            if errors and root.find("Count") is None:
                raise ServiceError(f"{_SERVICE} {utility} error: " + "; ".join(_http.scrub(e) for e in errors))
            return root
        return validate

    # -- utilities -----------------------------------------------------------
    def esearch(
        self,
        term: str,
        *,
        db: str = "pubmed",
        retmax: int = 0,
        retstart: int = 0,
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str | None = None,
        usehistory: bool = True,
    ) -> ESearchResult:
        """Run one esearch (``usehistory=y`` by default)."""
        params: dict[str, Any] = {"db": db, "term": term, "retmax": retmax, "retstart": retstart}
        if usehistory:
            params["usehistory"] = "y"
        if mindate or maxdate:
            params["datetype"] = datetype or "pdat"
            params["mindate"] = mindate or "1800/01/01"
            params["maxdate"] = maxdate or _date(_dt.date(_dt.date.today().year + 1, 12, 31))
        elif datetype:
            params["datetype"] = datetype
        root = self._call("esearch", params, self._xml_reply("esearch"), post=len(term) > 2000)
        errors = _errors(root)
        if errors:
            raise ServiceError(f"{_SERVICE} esearch error: " + "; ".join(errors))
        count_text = root.findtext("Count")
        if count_text is None or not count_text.strip().isdigit():
            raise ServiceError(f"{_SERVICE} esearch reply without a count (root <{root.tag}>)")
        warnings = []
        for holder in ("ErrorList", "WarningList"):
            for el in root.findall(holder + "/*"):
                if (el.text or "").strip():
                    warnings.append(f"{el.tag}: {el.text.strip()}")
        return ESearchResult(
            count=int(count_text),
            ids=tuple(i.text.strip() for i in root.findall("IdList/Id") if i.text),
            query_translation=(root.findtext("QueryTranslation") or None),
            webenv=root.findtext("WebEnv"),
            query_key=root.findtext("QueryKey"),
            warnings=tuple(warnings),
        )

    def epost(self, ids: Sequence[str], *, db: str = "pubmed") -> tuple[str, str]:
        """Post ids to the history server; return ``(webenv, query_key)``."""
        root = self._call("epost", {"db": db, "id": ",".join(ids)}, self._xml_reply("epost"), post=True)
        webenv, key = root.findtext("WebEnv"), root.findtext("QueryKey")
        if not webenv or not key:
            raise ServiceError(f"{_SERVICE} epost reply without WebEnv/QueryKey")
        return webenv.strip(), key.strip()

    def esummary(self, ids: Sequence[str] | None = None, *, db: str = "pubmed",
                 webenv: str | None = None, query_key: str | None = None) -> list[dict[str, Any]]:
        """Document summaries (version 1.0 XML) as dicts (``Id`` plus every ``Item``)."""
        params: dict[str, Any] = {"db": db}
        if ids is not None:
            params["id"] = ",".join(ids)
        if webenv:
            params["WebEnv"], params["query_key"] = webenv, query_key
        root = self._call("esummary", params, self._xml_reply("esummary"),
                          post=ids is not None and len(ids) > POST_THRESHOLD)
        out = []
        for doc in root.iterfind("DocSum"):
            entry: dict[str, Any] = {"Id": (doc.findtext("Id") or "").strip()}
            for item in doc.iterfind("Item"):
                entry[item.get("Name", "")] = _item_value(item)
            out.append(entry)
        return out

    def efetch(
        self,
        ids: Sequence[str] | None = None,
        *,
        db: str = "pubmed",
        webenv: str | None = None,
        query_key: str | None = None,
        retstart: int = 0,
        retmax: int | None = None,
    ) -> list[Record]:
        """Fetch PubMed XML (by ids, or by WebEnv/query_key) and parse it into records.

        More than :data:`POST_THRESHOLD` ids go in a POST body.
        """
        if ids is None and not (webenv and query_key):
            raise ValueError("efetch needs ids or webenv and query_key")
        params: dict[str, Any] = {"db": db, "retmode": "xml", "rettype": "abstract"}
        if ids is not None:
            if not ids:
                return []
            params["id"] = ",".join(ids)
        else:
            params.update({"WebEnv": webenv, "query_key": query_key, "retstart": retstart})
            if retmax is not None:
                params["retmax"] = retmax

        def validate(response: requests.Response) -> list[Record]:
            content = response.content
            head = content[:4096]
            if b"<eFetchResult" in head or (b"<ERROR>" in head and b"<PubmedArticle" not in head):
                root = _parse_xml(content)
                errors = _errors(root) or [f"unexpected reply <{root.tag}>"]
                raise ServiceError(f"{_SERVICE} efetch error: " + "; ".join(_http.scrub(e) for e in errors))
            try:
                return list(iter_pubmed_xml(content, name="efetch reply"))
            except MalformedXMLError as exc:
                raise _http.Retryable(exc.message) from None

        return self._call("efetch", params, validate, post=ids is not None and len(ids) > POST_THRESHOLD)

    def iter_fetch(self, ids: Sequence[str], *, batch_size: int = 200, db: str = "pubmed"
                   ) -> Iterator[tuple[list[str], list[Record]]]:
        """Fetch ``ids`` in batches; yield ``(batch_ids, records)`` per batch."""
        for start in range(0, len(ids), batch_size):
            batch = list(ids[start:start + batch_size])
            yield batch, self.efetch(batch, db=db)

    # -- the 9,999 cap -----------------------------------------------------
    def search_ids(
        self,
        term: str,
        *,
        db: str = "pubmed",
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str | None = None,
        cap: int = PUBMED_CAP,
    ) -> SearchIds:
        """Every id a query finds, splitting by publication date above ``cap``.

        Parameters
        ----------
        term : str
        mindate, maxdate : str, optional
            ``YYYY/MM/DD`` (or ``YYYY``, ``YYYY/MM``) limits.
        datetype : str, optional
            ``pdat`` (default when dates are given), ``edat``, ``mdat``.
        cap : int
            The most ids one esearch returns (9,999 for PubMed).

        Raises
        ------
        ServiceError
            More than ``cap`` records on one single day (cannot be split further).
        """
        first = self.esearch(term, db=db, retmax=cap, mindate=mindate, maxdate=maxdate, datetype=datetype)
        if first.count <= cap:
            return SearchIds(first.count, _unique(first.ids), first.query_translation, first.warnings,
                             ((mindate, maxdate, first.count),))
        dtype = datetype or "pdat"
        lo = _parse_date(mindate, end=False) if mindate else _dt.date(1800, 1, 1)
        hi = _parse_date(maxdate, end=True) if maxdate else _dt.date(_dt.date.today().year + 1, 12, 31)
        ids: list[str] = []
        parts: list[tuple[str | None, str | None, int]] = []
        self._split(term, db, dtype, lo, hi, cap, ids, parts)
        return SearchIds(first.count, _unique(ids), first.query_translation, first.warnings, tuple(parts))

    def _split(self, term: str, db: str, dtype: str, lo: _dt.date, hi: _dt.date, cap: int,
               ids: list[str], parts: list[tuple[str | None, str | None, int]]) -> None:
        if lo == hi:
            raise ServiceError(
                f"{_SERVICE}: more than {cap:,} records on {_date(lo)} alone ({dtype}); "
                "narrow the query, PubMed returns at most the first 9,999 ids of a search"
            )
        mid = lo + (hi - lo) // 2
        for a, b in ((lo, mid), (mid + _dt.timedelta(days=1), hi)):
            res = self.esearch(term, db=db, retmax=cap, mindate=_date(a), maxdate=_date(b), datetype=dtype)
            if res.count > cap:
                self._split(term, db, dtype, a, b, cap, ids, parts)
            else:
                parts.append((_date(a), _date(b), res.count))
                ids.extend(res.ids)


def _unique(ids: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def _item_value(item: Any) -> Any:
    if item.get("Type") == "List":
        children = list(item.iterfind("Item"))
        if children and all(c.get("Type") != "List" for c in children) and \
                len({c.get("Name") for c in children}) == 1:
            return [(c.text or "").strip() for c in children]
        return {c.get("Name", ""): _item_value(c) for c in children}
    text = (item.text or "").strip()
    if item.get("Type") == "Integer" and text.lstrip("-").isdigit():
        return int(text)
    return text

