"""Shared styling for evsynth's figures, and :func:`save_figure`.

Figures are drawn for a journal page: a single column is about 3.5 in wide,
a double column about 7 in. Text is at least 7 pt at the saved size. Colours
are always paired with a marker, line style or hatch, so every figure reads
in greyscale.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import matplotlib

#: Width in inches of a single / double journal column.
SINGLE_COLUMN = 3.5
DOUBLE_COLUMN = 7.0

#: Base font size (points) and the smaller size for footnotes.
FONT_SIZE = 8.0
SMALL_FONT_SIZE = 7.0

#: Ink colours: near-black for data, a mid grey for secondary marks. They stay
#: distinct in greyscale.
INK = "#1a1a1a"
GREY = "#6e6e6e"
LIGHT_GREY = "#bdbdbd"
#: Accent used for pooled estimates and highlighted regions (dark blue: reads
#: as dark grey in greyscale).
ACCENT = "#1f4e79"
#: Second accent (orange-brown: reads as mid grey).
ACCENT2 = "#b35806"

RC_PARAMS: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": SMALL_FONT_SIZE,
    "ytick.labelsize": SMALL_FONT_SIZE,
    "legend.fontsize": SMALL_FONT_SIZE,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "lines.linewidth": 0.9,
    "hatch.linewidth": 0.5,
    "savefig.dpi": 300,
    "figure.dpi": 100,
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


@contextmanager
def style() -> Iterator[None]:
    """Context in which evsynth's rc parameters apply (restored afterwards)."""
    with matplotlib.rc_context(RC_PARAMS):
        yield


def new_figure(width: float, height: float):  # -> tuple[Figure, Axes]
    """A figure with one axes, not registered with pyplot (no global state)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot(1, 1, 1)
    return fig, ax


def figure_and_axes(ax, width: float, height: float):
    """Return ``(fig, ax)``: the given axes and its figure, or a new pair."""
    if ax is None:
        return new_figure(width, height)
    return ax.figure, ax


def save_figure(
    fig,
    stem: str | os.PathLike[str],
    formats: Sequence[str] = ("png", "svg", "pdf"),
    *,
    dpi: int = 300,
) -> list[Path]:
    """Save ``fig`` as ``stem.<format>`` for each format; return the paths.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    stem : str or PathLike
        Path without suffix (``out/forest`` writes ``out/forest.png`` ...).
        Parent folders are created. Each file is written whole or not at all
        (:func:`evsynth.output.open_output`); a file that cannot be written
        raises :class:`~evsynth.errors.OutputError`.
    formats : sequence of str
        Any format matplotlib writes (``png``, ``svg``, ``pdf``, ``eps``).
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    list of Path
    """
    from ..output import output_error, output_path

    stem = Path(stem)
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(stem.parent, exc, what="folder") from None
    paths = []
    for fmt in formats:
        path = stem.with_name(stem.name + "." + fmt.lstrip("."))
        metadata = {"Software": "evsynth"} if fmt == "png" else None
        with style(), output_path(path) as tmp:  # each file whole or not at all
            fig.savefig(tmp, format=fmt.lstrip("."), dpi=dpi, bbox_inches="tight", pad_inches=0.05, metadata=metadata)
        paths.append(path)
    return paths


def fmt_p(p: float) -> str:
    """A p-value as journals print it: ``p < 0.001`` or ``p = 0.034``."""
    if p != p:  # NaN
        return "p = NA"
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def fmt_num(x: float, digits: int = 2) -> str:
    """A number with ``digits`` decimals and a true minus sign."""
    if x != x:
        return "NA"
    text = f"{x:.{digits}f}"
    return text.replace("-", "\u2212")
