"""Commands: import, export, convert (records in and out of files)."""

from __future__ import annotations

from ._app import app, console  # noqa: F401
