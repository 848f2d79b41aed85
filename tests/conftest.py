"""Shared test fixtures.

``data_dir`` is the one place tests find their recorded material: ``tests/data``
(``entrez/``, ``exports/``, ``dedupe/``, ``evidence/``, ``seeds/``, ``ctgov/``,
each with its origin and licence beside it; see ``tests/data/README.md``). A
clone alone has everything the tests read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Callable

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


@pytest.fixture()
def read_only(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """A function that makes a folder read-only (chmod 555).

    Root ignores permission bits; when the folder is still writable after the
    chmod, the system's answer for a read-only folder (EACCES on creating
    anything in it) is given by ``os.open`` / ``os.mkdir`` for paths inside it.
    """

    def make(folder: Path) -> None:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        probe = folder / ".probe"
        try:
            probe.touch()
        except PermissionError:
            return
        probe.unlink()
        inside = str(folder.resolve()) + os.sep
        real_open, real_mkdir = os.open, os.mkdir

        def _open(path, flags, mode=0o777, *, dir_fd=None):  # type: ignore[no-untyped-def]
            if str(path).startswith(inside) and flags & os.O_CREAT:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, flags, mode, dir_fd=dir_fd)

        def _mkdir(path, mode=0o777, *, dir_fd=None):  # type: ignore[no-untyped-def]
            if str(path).startswith(inside):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_mkdir(path, mode, dir_fd=dir_fd)

        monkeypatch.setattr(os, "open", _open)
        monkeypatch.setattr(os, "mkdir", _mkdir)

    return make


@pytest.fixture()
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk is full: flushing a written file to disk (``os.fsync``) fails with ENOSPC."""

    def _fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", _fsync)


@pytest.fixture(autouse=True)
def _close_figures():
    """Figures are pyplot figures (Jupyter shows them): close what a test opened, as a script would."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
