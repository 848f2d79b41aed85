"""ClinicalTrials.gov API v2 client: one study by NCT id, or a search by term.

Same discipline as the E-utilities client (:mod:`evsynth.sources._http`): a
process-wide rate limit, bounded retries with backoff and jitter on 429, 5xx,
timeouts and truncated (non-parsing) JSON, then a clear
:class:`~evsynth.errors.NetworkError`.

Studies become :class:`~evsynth.models.Record` of source ``ctgov`` with the NCT
id as ``source_id``; the registry fields without a bibliographic slot
(status, phase, enrollment, interventions, dates, sponsor, ...) go to ``extra``.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any, Callable, Mapping

import requests

from ..config import TOOL_NAME, Settings, load_settings
from ..errors import InputError, NotFoundError, ServiceError
from ..models import Record
from . import _http

__all__ = ["CtgovClient", "study_to_record", "NCT_PATTERN"]

#: An NCT id: "NCT" and eight digits.
NCT_PATTERN = re.compile(r"^NCT\d{8}$")
_SERVICE = "ClinicalTrials.gov API"
#: ClinicalTrials.gov asks for about 50 requests per minute at most.
_RATE, _PERIOD = 50, 60.0


def _normalise_nct(nct_id: str) -> str:
    value = str(nct_id).strip().upper()
    if not NCT_PATTERN.match(value):
        raise InputError(f"not an NCT id: {nct_id!r} (expected NCT followed by 8 digits)", field="nct_id")
    return value


def _get(data: Mapping[str, Any] | None, *path: str) -> Any:
    cur: Any = data
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def _year(date: str | None) -> int | None:
    m = re.match(r"(\d{4})", date or "")
    return int(m.group(1)) if m else None


def study_to_record(study: Mapping[str, Any]) -> Record:
    """Map one API v2 study object to a :class:`Record` (``source="ctgov"``).

    Raises
    ------
    InputError
        The object has no ``protocolSection.identificationModule.nctId``.
    """
    proto = study.get("protocolSection") if isinstance(study, Mapping) else None
    ident = _get(proto, "identificationModule") or {}
    nct = ident.get("nctId")
    if not nct:
        raise InputError("ClinicalTrials.gov study without protocolSection.identificationModule.nctId",
                         field="nctId")
    status = _get(proto, "statusModule") or {}
    design = _get(proto, "designModule") or {}
    desc = _get(proto, "descriptionModule") or {}
    conditions = _get(proto, "conditionsModule") or {}
    arms = _get(proto, "armsInterventionsModule") or {}
    sponsor = _get(proto, "sponsorCollaboratorsModule", "leadSponsor", "name")
    start = _get(status, "startDateStruct", "date")
    enrollment = _get(design, "enrollmentInfo") or {}
    interventions = [
        {k: v for k, v in (("type", i.get("type")), ("name", i.get("name")),
                           ("description", i.get("description"))) if v}
        for i in arms.get("interventions") or [] if isinstance(i, Mapping)
    ]
    extra: dict[str, Any] = {
        "official_title": ident.get("officialTitle"),
        "organization": _get(ident, "organization", "fullName"),
        "sponsor": sponsor,
        "status": status.get("overallStatus"),
        "study_type": design.get("studyType"),
        "phases": list(design.get("phases") or []),
        "enrollment": enrollment.get("count"),
        "enrollment_type": enrollment.get("type"),
        "start_date": start,
        "primary_completion_date": _get(status, "primaryCompletionDateStruct", "date"),
        "completion_date": _get(status, "completionDateStruct", "date"),
        "first_posted": _get(status, "studyFirstPostDateStruct", "date"),
        "last_update_posted": _get(status, "lastUpdatePostDateStruct", "date"),
        "conditions": list(conditions.get("conditions") or []),
        "interventions": interventions,
        "detailed_description": desc.get("detailedDescription"),
        "has_results": study.get("hasResults"),
    }
    extra = {k: v for k, v in extra.items() if v not in (None, [], "")}
    return Record(
        source="ctgov",
        source_id=nct,
        nct_id=nct,
        title=ident.get("briefTitle") or ident.get("officialTitle"),
        abstract=desc.get("briefSummary"),
        authors=(sponsor,) if sponsor else (),
        year=_year(start),
        keywords=tuple(conditions.get("keywords") or ()),
        url=f"https://clinicaltrials.gov/study/{nct}",
        entry_date=_get(status, "studyFirstSubmitDate"),
        extra=extra,
    )


def _json_reply(response: requests.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError as exc:
        raise _http.Retryable(f"JSON does not parse ({exc}), the reply may be truncated") from None


class CtgovClient:
    """A client of the ClinicalTrials.gov API v2.

    Parameters
    ----------
    settings : Settings, optional
        ``ctgov_url``, timeout and tries (default: :func:`load_settings`).
    clock, sleep : callable, optional
        Injected into a private rate limiter and used for backoff (tests).
    session : requests.Session, optional
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
        self.base_url = self.settings.ctgov_url.rstrip("/")
        if clock is not None:  # a private limiter on the injected clock (tests)
            self.limiter = _http.RateLimiter(_RATE, _PERIOD, clock=clock, sleep=sleep)
        else:
            self.limiter = _http.shared_limiter("ctgov", _RATE, _PERIOD)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", f"{TOOL_NAME} (requests)")
        self.session.headers.setdefault("Accept", "application/json")
        self.policy = _http.RetryPolicy(max_tries=self.settings.max_tries, timeout=self.settings.timeout)

    def __repr__(self) -> str:
        return f"CtgovClient(base_url={self.base_url!r})"

    def _get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        _, value = _http.send(
            self.session, "GET", f"{self.base_url}{path}", service=_SERVICE, base_url=self.base_url,
            limiter=self.limiter, policy=self.policy, params=dict(params or {}),
            validate=_json_reply, sleep=self._sleep, rng=self._rng, setting="EVSYNTH_CTGOV_URL",
        )
        return value

    def get_study(self, nct_id: str) -> Record:
        """One study by NCT id.

        Raises
        ------
        InputError
            Not an NCT id.
        NotFoundError
            The registry has no such study.
        """
        nct = _normalise_nct(nct_id)
        try:
            data = self._get_json(f"/studies/{nct}")
        except NotFoundError:
            raise NotFoundError(f"{nct} is not in ClinicalTrials.gov ({self.base_url})") from None
        record = study_to_record(data)
        if record.nct_id != nct:
            raise NotFoundError(f"ClinicalTrials.gov answered {record.nct_id} when asked for {nct}")
        return record

    def search(self, term: str, *, page_size: int = 100, max_records: int | None = None) -> list[Record]:
        """Every study matching ``query.term`` (following ``nextPageToken``)."""
        records, _ = self.search_with_count(term, page_size=page_size, max_records=max_records)
        return records

    def search_with_count(self, term: str, *, page_size: int = 100,
                          max_records: int | None = None) -> tuple[list[Record], int | None]:
        """Like :meth:`search`, also returning the registry's ``totalCount``."""
        params: dict[str, Any] = {"query.term": term, "pageSize": page_size, "countTotal": "true",
                                  "format": "json"}
        records: list[Record] = []
        total: int | None = None
        seen_tokens: set[str] = set()
        while True:
            data = self._get_json("/studies", params)
            if not isinstance(data, Mapping):
                raise ServiceError(f"{_SERVICE}: the reply is not a JSON object")
            if total is None and isinstance(data.get("totalCount"), int):
                total = data["totalCount"]
            for study in data.get("studies") or []:
                records.append(study_to_record(study))
                if max_records is not None and len(records) >= max_records:
                    return records, total
            token = data.get("nextPageToken")
            if not token or token in seen_tokens:
                return records, total if total is not None else len(records)
            seen_tokens.add(token)
            params["pageToken"] = token

