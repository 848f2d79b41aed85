"""PRISMA 2020 flow diagram (Page et al., BMJ 2021;372:n71) for new reviews."""

from __future__ import annotations

import textwrap
from typing import Any, Mapping

from matplotlib.patches import FancyBboxPatch

from . import _style

__all__ = ["prisma_diagram", "is_register"]

_REGISTER_WORDS = ("clinicaltrials", "ctgov", "registry", "register", "ictrp", "euctr", "isrctn", "anzctr", "chictr")

#: Characters per line in a box.
_WRAP = 50

#: Text shown for a count the data do not give.
UNAVAILABLE = "not available"


def is_register(source: str) -> bool:
    """True for trial registers (ClinicalTrials.gov, ICTRP, ...), False for bibliographic databases."""
    low = source.lower().replace(" ", "").replace(".", "")
    return any(word in low for word in _REGISTER_WORDS)


def _n(value: Any) -> str:
    return f"(n = {UNAVAILABLE})" if value is None else f"(n = {int(value)})"


def _get(counts: Any, name: str, default: Any = None) -> Any:
    if isinstance(counts, Mapping):
        return counts.get(name, default)
    return getattr(counts, name, default)


def _wrap(text: str, wrap: int) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        indent = "   " if para.startswith("  ") else ""
        lines += textwrap.wrap(para, wrap, subsequent_indent=indent) or [""]
    return lines


def _height(text: str, wrap: int = _WRAP, minimum: float = 0.32) -> float:
    """Box height (axis units = inches) for ``text`` wrapped at ``wrap`` characters."""
    return max(minimum, 0.14 + 0.125 * len(_wrap(text, wrap)))


def _box(ax, x: float, y: float, w: float, h: float, text: str, gid: str, *, shade: bool = False,
         wrap: int = _WRAP, ha: str = "left") -> None:
    ax.add_patch(FancyBboxPatch((x, y - h), w, h, boxstyle="square,pad=0", facecolor="#ececec" if shade else "white",
                                edgecolor=_style.INK, lw=0.7, gid=f"box:{gid}"))
    tx = x + 0.08 if ha == "left" else x + w / 2
    ax.text(tx, y - 0.07, "\n".join(_wrap(text, wrap)), ha=ha, va="top", fontsize=_style.SMALL_FONT_SIZE,
            gid=f"text:{gid}", linespacing=1.25)


def _arrow(ax, x0: float, y0: float, x1: float, y1: float) -> None:
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                arrowprops=dict(arrowstyle="-|>", color=_style.INK, lw=0.7, shrinkA=0, shrinkB=0, mutation_scale=8))


def prisma_diagram(counts: Any, *, title: str | None = None, note: str | None = None, ax: Any = None):
    """PRISMA 2020 flow diagram (databases and registers) from counts.

    Parameters
    ----------
    counts : PrismaCounts or mapping
        From :func:`evsynth.screening.prisma_counts`: ``identified`` (source →
        n; sources whose names look like trial registers go to "Registers"),
        ``duplicates_removed``, ``screened``, ``excluded_screening``,
        ``sought``, ``not_retrieved``, ``assessed``, ``excluded_fulltext``
        (reason → n), ``included_studies``, ``included_reports``. A value of
        ``None`` prints "n = not available" (never a guess).
    title : str, optional
    note : str, optional
        Footnote (e.g. where counts came from).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Boxes have gids ``box:<name>`` and texts ``text:<name>`` with names
        identified, removed, screened, excluded, sought, not_retrieved,
        assessed, excluded_fulltext, included.
    """
    identified = dict(_get(counts, "identified") or {})
    databases = {k: v for k, v in identified.items() if not is_register(k)}
    registers = {k: v for k, v in identified.items() if is_register(k)}
    created = ax is None
    with _style.style():
        if created:
            fig, ax = _style.new_figure(_style.DOUBLE_COLUMN, 6.2, layout=None)
        else:
            fig = ax.figure
        ax.set_xlim(0, 7.0)
        ax.set_ylim(-6.2 if not note else -6.5, 0.35 if title else 0.1)
        ax.axis("off")
        lx, rx, w = 0.55, 3.95, 2.9
        db_total = sum(databases.values()) if databases else None
        reg_total = sum(registers.values()) if registers else None
        lines = [f"Databases {_n(db_total) if databases else '(n = 0)'}"]
        lines += [f"  {k} {_n(v)}" for k, v in databases.items()]
        lines += [f"Registers {_n(reg_total) if registers else '(n = 0)'}"]
        lines += [f"  {k} {_n(v)}" for k, v in registers.items()]
        if not identified:
            lines = [f"Databases and registers {_n(None)}"]
        # Identification
        y = 0.0
        id_text = "Records identified from:\n" + "\n".join(lines)
        dup = _get(counts, "duplicates_removed")
        rm_text = f"Records removed before screening:\n  Duplicate records {_n(dup)}"
        h_id = max(_height(id_text, minimum=0.95), _height(rm_text))
        _box(ax, lx, y, w, h_id, id_text, "identified")
        _box(ax, rx, y, w, h_id, rm_text, "removed")
        _arrow(ax, lx + w, y - h_id / 2, rx, y - h_id / 2)
        y1 = y - h_id - 0.35
        _arrow(ax, lx + w / 2, y - h_id, lx + w / 2, y1)
        # Screening
        t_scr = f"Records screened {_n(_get(counts, 'screened'))}"
        t_exc = f"Records excluded {_n(_get(counts, 'excluded_screening'))}"
        h = max(_height(t_scr), _height(t_exc))
        _box(ax, lx, y1, w, h, t_scr, "screened")
        _box(ax, rx, y1, w, h, t_exc, "excluded")
        _arrow(ax, lx + w, y1 - h / 2, rx, y1 - h / 2)
        y2 = y1 - h - 0.35
        _arrow(ax, lx + w / 2, y1 - h, lx + w / 2, y2)
        t_sought = f"Reports sought for retrieval {_n(_get(counts, 'sought'))}"
        t_nr = f"Reports not retrieved {_n(_get(counts, 'not_retrieved'))}"
        h = max(_height(t_sought), _height(t_nr))
        _box(ax, lx, y2, w, h, t_sought, "sought")
        _box(ax, rx, y2, w, h, t_nr, "not_retrieved")
        _arrow(ax, lx + w, y2 - h / 2, rx, y2 - h / 2)
        y3 = y2 - h - 0.35
        _arrow(ax, lx + w / 2, y2 - h, lx + w / 2, y3)
        reasons = _get(counts, "excluded_fulltext")
        if reasons is None:
            ex_lines = [f"Reports excluded {_n(None)}"]
        else:
            reasons = dict(reasons)
            ex_lines = [f"Reports excluded {_n(sum(reasons.values()))}" + (":" if reasons else "")]
            ex_lines += [f"  {reason} {_n(v)}" for reason, v in sorted(reasons.items(), key=lambda kv: -kv[1])]
        t_ass = f"Reports assessed for eligibility {_n(_get(counts, 'assessed'))}"
        h_ex = max(_height("\n".join(ex_lines)), _height(t_ass))
        _box(ax, lx, y3, w, h_ex, t_ass, "assessed")
        _box(ax, rx, y3, w, h_ex, "\n".join(ex_lines), "excluded_fulltext")
        _arrow(ax, lx + w, y3 - h_ex / 2, rx, y3 - h_ex / 2)
        y4 = y3 - h_ex - 0.35
        _arrow(ax, lx + w / 2, y3 - h_ex, lx + w / 2, y4)
        t_in = (f"Studies included in review {_n(_get(counts, 'included_studies'))}\n"
                f"Reports of included studies {_n(_get(counts, 'included_reports'))}")
        h_in = _height(t_in, minimum=0.66)
        _box(ax, lx, y4, w, h_in, t_in, "included")
        bottom = y4 - h_in
        # Phase bands on the left (shaded, with rotated labels).
        for name, top, bot in (("Identification", 0.0, y - h_id), ("Screening", y1, y3 - h_ex), ("Included", y4, bottom)):
            ax.add_patch(FancyBboxPatch((0.05, bot), 0.3, top - bot, boxstyle="round,pad=0,rounding_size=0.06",
                                        facecolor="#c9d7e6", edgecolor=_style.INK, lw=0.5, gid=f"phase:{name}"))
            ax.text(0.2, (top + bot) / 2, name, rotation=90, ha="center", va="center", fontweight="bold",
                    fontsize=_style.SMALL_FONT_SIZE)
        ax.set_ylim(bottom - (0.45 if note else 0.1), 0.4 if title else 0.1)
        if title:
            ax.text(0.05, 0.3, title, ha="left", va="top", fontweight="bold", fontsize=_style.FONT_SIZE + 1)
        if note:
            ax.text(0.05, bottom - 0.12, "\n".join(textwrap.wrap(note, 130)), ha="left", va="top",
                    fontsize=_style.SMALL_FONT_SIZE - 0.5, fontstyle="italic", gid="note")
        height = (ax.get_ylim()[1] - ax.get_ylim()[0])
        if created:
            fig.set_size_inches(_style.DOUBLE_COLUMN, height * 0.95)
            ax.set_position([0.01, 0.01, 0.98, 0.98])
        else:
            # Drawn for a 7-inch-wide page: in a smaller axes the text shrinks with the boxes.
            box = ax.get_position()
            s = min(1.0, box.width * fig.get_figwidth() / 7.0, box.height * fig.get_figheight() / height)
            for text in ax.texts:
                text.set_fontsize(text.get_fontsize() * s)
    return fig
