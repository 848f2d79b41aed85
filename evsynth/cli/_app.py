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


ProjectOption = Annotated[
    Optional[Path],
    typer.Option("--project", help="Review project folder (holding review.toml). Default: $EVSYNTH_PROJECT, "
                                   "else the nearest folder upwards holding review.toml."),
]


def settings(store: Path | None = None) -> Settings:
    """Settings from the environment, with ``--store`` applied."""
    return load_settings().with_store(store)


def review_of(project: Path | None, *, required: bool = True):
    """The review project of ``--project`` (or found upwards); None when not ``required`` and none exists."""
    import os

    from ..errors import NotFoundError
    from ..project import find_project, load_review

    try:
        return load_review(find_project(project))
    except NotFoundError:
        if required or project is not None or os.environ.get("EVSYNTH_PROJECT"):
            raise
        return None


def project_store(project: Path | None, store: Path | None) -> Path:
    """``--store``, else ``$EVSYNTH_STORE``, else the project's ``evsynth.sqlite`` (``./evsynth.sqlite`` without one)."""
    import os

    if store is not None or os.environ.get("EVSYNTH_STORE"):
        return settings(store).store_path
    review = review_of(project, required=False)
    return review.store if review is not None else settings().store_path


def project_file(project: Path | None, path: Path, folder: str) -> Path:
    """``path`` as given when it exists, else inside the project's ``folder`` (``queries/NAME`` or ``NAME.toml``)."""
    if path.exists() or path.is_absolute():
        return path
    review = review_of(project, required=False)
    if review is None:
        return path
    base = review.queries if folder == "queries" else review.root / folder
    for candidate in (base / path, base / f"{path}.toml", review.root / path):
        if candidate.exists():
            return candidate
    return path


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
