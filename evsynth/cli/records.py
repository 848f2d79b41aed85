"""Commands: search, import, export, convert, trial (records in and out)."""

from __future__ import annotations

from ._app import app, console  # noqa: F401
