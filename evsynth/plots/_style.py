"""Shared styling for evsynth's figures, and :func:`save_figure`.

Figures are drawn for a journal page: a single column is about 3.5 in wide,
a double column about 7 in. Text is at least 7 pt at the saved size. Colours
are always paired with a marker, line style or hatch, so every figure reads
in greyscale.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
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


def new_figure(width: float, height: float, *, layout: str | None = "constrained"):  # -> tuple[Figure, Axes]
    """A pyplot figure with one axes, as ``plt.subplots`` makes it.

    The figure is registered with pyplot, so Jupyter's inline backend shows it
    at the end of the cell (with no magic) and ``plt.close(fig)`` releases it;
    the CLI and the report close every figure they save (``save_figure(...,
    close=True)``). ``layout="constrained"`` keeps titles, legends and
    footnotes inside the figure.
    """
    from matplotlib import pyplot as plt

    fig = plt.figure(figsize=(width, height), layout=layout)
    ax = fig.add_subplot(1, 1, 1)
    return fig, ax


def renderer(fig):
    """The renderer of ``fig``'s canvas (an Agg renderer where the canvas has none), for measuring text."""
    canvas = fig.canvas
    if hasattr(canvas, "get_renderer"):
        return canvas.get_renderer()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return FigureCanvasAgg(fig).get_renderer()


def text_width_pt(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """Width in points of ``text`` (its longest line) at font ``size`` in evsynth's font."""
    return _text_width(str(text), float(size), bool(bold), bool(italic))


@lru_cache(maxsize=4096)
def _text_width(text: str, size: float, bold: bool, italic: bool) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family=str(RC_PARAMS["font.family"]), size=size, weight="bold" if bold else "normal",
                          style="italic" if italic else "normal")
    measure = TextToPath().get_text_width_height_descent
    return max((measure(line, prop, ismath=False)[0] for line in text.split("\n") if line), default=0.0)


def wrap_to_width(text: str, width_pt: float, size: float, *, italic: bool = False) -> str:
    """``text`` wrapped (at spaces) so that no line is wider than ``width_pt`` at font ``size``."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width_pt(trial, size, italic=italic) > width_pt:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return "\n".join(lines)


def close_figure(fig) -> None:
    """Release ``fig`` from pyplot (no-op for a figure pyplot does not know)."""
    from matplotlib import pyplot as plt

    plt.close(fig)


def figure_and_axes(ax, width: float, height: float):
    """Return ``(fig, ax)``: the given axes and its figure, or a new pyplot pair (:func:`new_figure`)."""
    if ax is None:
        return new_figure(width, height)
    return ax.figure, ax


def save_figure(
    fig,
    stem: str | os.PathLike[str],
    formats: Sequence[str] = ("png", "svg", "pdf"),
    *,
    dpi: int = 300,
    close: bool = False,
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
    close : bool
        Close the figure after saving (scripts and the CLI, which draw many
        figures and show none; a notebook keeps it open to display it).

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
    if close:
        close_figure(fig)
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
