"""The ``evsynth`` command line: a thin layer over the library.

Each submodule registers its commands on the shared typer app; :func:`main`
maps :class:`~evsynth.errors.EvsynthError` to a one-line message on stderr and
the matching :class:`~evsynth.errors.ExitCode`.
"""

from __future__ import annotations

import sys

from ..errors import EvsynthError, ExitCode
from ._app import app, err_console

# Command modules register themselves on import (order = order in --help).
from . import search as _search  # noqa: F401,E402
from . import records as _records  # noqa: F401,E402
from . import dedupe as _dedupe  # noqa: F401,E402
from . import living as _living  # noqa: F401,E402
from . import extract as _extract  # noqa: F401,E402
from . import meta as _meta  # noqa: F401,E402
from . import review as _review  # noqa: F401,E402

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exits the process with an :class:`ExitCode`."""
    try:
        app(args=argv, prog_name="evsynth", standalone_mode=False)
    except EvsynthError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        err_console.print("interrupted; the store keeps what was committed. Run the command again to resume.")
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click's own usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(1)
        raise
    sys.exit(int(ExitCode.OK))
