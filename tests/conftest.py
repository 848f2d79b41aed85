"""Shared test fixtures.

``shared`` is the one place tests find ``../shared`` (read-only fixtures,
never copied into the project). Outside CI a missing folder skips the tests
that need it; with ``CI=true`` it fails them, so CI never passes by skipping.
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
SHARED = Path(os.environ.get("EVSYNTH_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    """Path of the read-only shared material (``../shared``)."""
    if not SHARED.is_dir():
        message = f"shared material not found at {SHARED}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: refusing to skip)")
        pytest.skip(message)
    return SHARED


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
