"""Shared test fixtures.

``data_dir`` is the one place tests find their recorded material: ``tests/data``
(``entrez/``, ``exports/``, ``dedupe/``, ``evidence/``, ``seeds/``, ``ctgov/``,
each with its origin and licence beside it; see ``tests/data/README.md``). A
clone alone has everything the tests read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as _hypothesis_settings

# Property tests explore new examples on developers' machines; CI replays a fixed
# sequence so that a clean clone passes or fails the same way every time.
_hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    _hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The recorded test material in the repository (``tests/data``)."""
    return DATA


@pytest.fixture(scope="session")
def root() -> Path:
    """The project's root folder."""
    return ROOT


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the services at an unroutable local port unless a test sets them.

    Tests that talk to a service start a local HTTP server and set
    ``EVSYNTH_EUTILS_URL`` / ``EVSYNTH_CTGOV_URL`` themselves.
    """
    monkeypatch.setenv("EVSYNTH_EUTILS_URL", "http://127.0.0.1:9/eutils")
    monkeypatch.setenv("EVSYNTH_CTGOV_URL", "http://127.0.0.1:9/api/v2")
    monkeypatch.setenv("EVSYNTH_MAX_TRIES", "2")
    monkeypatch.setenv("EVSYNTH_TIMEOUT", "2")
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
