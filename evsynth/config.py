"""Settings: the only module that reads environment variables.

Every other module receives a :class:`Settings` instance (or calls
:func:`load_settings`), so tests and notebooks can build one explicitly.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from .errors import SettingsError

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


def _number(env: Mapping[str, str], name: str, default: float, kind: type, low: float, what: str) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value < low:
        raise SettingsError(f"{name}={text!r}: must be {what}")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    text = env.get(name, "").strip()
    if not text:
        return default
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name}={text!r}: must be an http:// or https:// URL")
    return text.rstrip("/")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from environment variables, checking every one.

    Parameters
    ----------
    environ : mapping, optional
        Defaults to :data:`os.environ`.

    Raises
    ------
    SettingsError
        A variable that is set but not valid (e.g. ``EVSYNTH_TIMEOUT=abc``, ``EVSYNTH_MAX_TRIES=0``,
        a URL without ``http(s)://``); the message names the variable. Empty counts as unset.
    """
    env = os.environ if environ is None else environ

    def _get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    key = _get("NCBI_API_KEY")
    if key is not None and not key.isprintable():
        raise SettingsError("NCBI_API_KEY: must be printable text (the key NCBI shows in your account)")
    timeout = _number(env, "EVSYNTH_TIMEOUT", 30.0, float, 0.0, "a number of seconds > 0 (e.g. 30)")
    if timeout == 0:
        raise SettingsError(f"EVSYNTH_TIMEOUT={env['EVSYNTH_TIMEOUT'].strip()!r}: must be a number of seconds > 0")
    return Settings(
        ncbi_email=_get("NCBI_EMAIL"),
        ncbi_api_key=key,
        eutils_url=_url(env, "EVSYNTH_EUTILS_URL", DEFAULT_EUTILS_URL),
        ctgov_url=_url(env, "EVSYNTH_CTGOV_URL", DEFAULT_CTGOV_URL),
        store_path=Path(_get("EVSYNTH_STORE") or DEFAULT_STORE),
        timeout=timeout,
        max_tries=int(_number(env, "EVSYNTH_MAX_TRIES", 5, int, 1, "a whole number ≥ 1 (e.g. 5)")),
    )
