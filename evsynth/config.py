"""Settings: the only module that reads environment variables.

Every other module receives a :class:`Settings` instance (or calls
:func:`load_settings`), so tests and notebooks can build one explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

#: NCBI's public E-utilities base URL.
DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
#: ClinicalTrials.gov API v2 base URL.
DEFAULT_CTGOV_URL = "https://clinicaltrials.gov/api/v2"
#: Default record store, relative to the working directory.
DEFAULT_STORE = Path("evsynth.sqlite")
#: The ``tool`` parameter sent to NCBI with every request.
TOOL_NAME = "evsynth"


@dataclass(frozen=True)
class Settings:
    """Runtime settings.

    Parameters
    ----------
    ncbi_email : str or None
        Contact e-mail sent to NCBI (``NCBI_EMAIL``).
    ncbi_api_key : str or None
        NCBI API key (``NCBI_API_KEY``); raises the rate limit from 3 to 10
        requests per second. Never shown in ``repr``, logs or errors.
    eutils_url : str
        E-utilities base URL (``EVSYNTH_EUTILS_URL``), without trailing slash.
    ctgov_url : str
        ClinicalTrials.gov API v2 base URL (``EVSYNTH_CTGOV_URL``).
    store_path : Path
        SQLite record store (``EVSYNTH_STORE``; default ``evsynth.sqlite``).
    timeout : float
        Seconds before an HTTP request is abandoned (``EVSYNTH_TIMEOUT``).
    max_tries : int
        Attempts per HTTP request before giving up (``EVSYNTH_MAX_TRIES``).
    """

    ncbi_email: str | None = None
    ncbi_api_key: str | None = field(default=None, repr=False)
    eutils_url: str = DEFAULT_EUTILS_URL
    ctgov_url: str = DEFAULT_CTGOV_URL
    store_path: Path = DEFAULT_STORE
    timeout: float = 30.0
    max_tries: int = 5

    def with_store(self, path: str | os.PathLike[str] | None) -> "Settings":
        """Return a copy with another store path (``None`` keeps the current one)."""
        return self if path is None else replace(self, store_path=Path(path))

    @property
    def requests_per_second(self) -> int:
        """NCBI's limit: 10 requests/s with an API key, 3 without."""
        return 10 if self.ncbi_api_key else 3


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from environment variables.

    Parameters
    ----------
    environ : mapping, optional
        Defaults to :data:`os.environ`.
    """
    env = os.environ if environ is None else environ

    def _get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    return Settings(
        ncbi_email=_get("NCBI_EMAIL"),
        ncbi_api_key=_get("NCBI_API_KEY"),
        eutils_url=(_get("EVSYNTH_EUTILS_URL") or DEFAULT_EUTILS_URL).rstrip("/"),
        ctgov_url=(_get("EVSYNTH_CTGOV_URL") or DEFAULT_CTGOV_URL).rstrip("/"),
        store_path=Path(_get("EVSYNTH_STORE") or DEFAULT_STORE),
        timeout=float(_get("EVSYNTH_TIMEOUT") or 30.0),
        max_tries=int(_get("EVSYNTH_MAX_TRIES") or 5),
    )
