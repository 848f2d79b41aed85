"""The typer application and helpers shared by the command modules.

Command modules (``evsynth/cli/*.py``) register commands on :data:`app`;
they parse arguments, call one library function, and print. No logic here
that a notebook could not call from the library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from ..config import Settings, load_settings

app = typer.Typer(
    name="evsynth",
    help="Literature evidence synthesis: search, import, dedupe, screen, extract, pool, plot.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Human-facing output (tables, summaries). Markup is off: titles and ids such as
#: "[review]" are data and must print verbatim; pass ``markup=True`` for styled text.
console = Console(highlight=False, soft_wrap=True, markup=False)
#: Errors and progress go to stderr so stdout stays machine-readable.
err_console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

StoreOption = Annotated[
    Optional[Path],
    typer.Option("--store", help="Record store (SQLite file). Default: $EVSYNTH_STORE or ./evsynth.sqlite."),
]


def settings(store: Path | None = None) -> Settings:
    """Settings from the environment, with ``--store`` applied."""
    return load_settings().with_store(store)


def _version_callback(value: bool) -> None:
    if value:
        from .. import __version__

        console.print(f"evsynth {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Literature evidence synthesis: search, import, dedupe, screen, extract, pool, plot."""
