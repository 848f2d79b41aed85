"""evsynth: literature evidence synthesis, from a saved PubMed search to a forest plot.

The public API is what ``__all__`` lists; modules and names starting with ``_``
are internal.
"""

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("evsynth")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from .config import Settings, load_settings
from .errors import (
    EvsynthError,
    ExitCode,
    InputError,
    InputErrors,
    NetworkError,
    NotFoundError,
    ServiceError,
    StoreError,
)
from .models import Record, SearchRun
from .store import Store, open_store

__all__ = [
    "__version__",
    "Settings",
    "load_settings",
    "EvsynthError",
    "ExitCode",
    "InputError",
    "InputErrors",
    "NetworkError",
    "NotFoundError",
    "ServiceError",
    "StoreError",
    "Record",
    "SearchRun",
    "Store",
    "open_store",
]
