"""Commands: extract validate, effects."""

from __future__ import annotations

from ._app import app, console  # noqa: F401
