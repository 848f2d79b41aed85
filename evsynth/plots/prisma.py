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


def _pending(head: str, items: list[tuple[str, Any]]) -> str | None:
    """A box for records without a decision: the total and each kind, or None when there are none."""
    items = [(label, v) for label, v in items if v]
    if not items:
        return None
    return f"{head} {_n(sum(v for _, v in items))}:\n" + "\n".join(f"  {label} {_n(v)}" for label, v in items)


def prisma_diagram(counts: Any, *, title: str | None = None, note: str | None = None, strict: bool = False,
                   ax: Any = None):
    """PRISMA 2020 flow diagram (databases and registers; for updated reviews with the previous version).

    Parameters
    ----------
    counts : PrismaCounts or mapping
        From :func:`evsynth.screening.prisma_counts`: ``identified`` (source →
        n; sources whose names look like trial registers go to "Registers"),
        ``duplicates_removed``, ``screened``, ``excluded_screening``,
        ``sought``, ``not_retrieved``, ``assessed``, ``excluded_fulltext``
        (reason → n), ``included_studies``, ``included_reports``; records without a decision
        (``conflicts_screening``, ``not_screened``, ``conflicts_fulltext``, ``maybe_fulltext``,
        ``not_assessed``) get their own boxes so every box follows from the one above; with
        ``previous_studies`` the diagram is the template for updated reviews (previous studies
        beside the new identification, and the total). A value of ``None`` prints
        "n = not available" (never a guess).
    title : str, optional
    note : str, optional
        Footnote (e.g. where counts came from).
    strict : bool
        Raise :class:`~evsynth.errors.InputError` when the counts do not add up (otherwise the
        diagram is drawn with the failing equations printed in red below it).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Boxes have gids ``box:<name>`` and texts ``text:<name>`` with names
        identified, removed, not_screened, screened, excluded, pending, sought, not_retrieved, pending_fulltext,
        assessed, excluded_fulltext, included, and for updates previous, total.
    """
    identified = dict(_get(counts, "identified") or {})
    databases = {k: v for k, v in identified.items() if not is_register(k)}
    registers = {k: v for k, v in identified.items() if is_register(k)}
    problems = counts.problems() if hasattr(counts, "problems") else []
    if problems and strict:
        from ..errors import InputError

        raise InputError("the PRISMA counts do not add up: " + "; ".join(problems), field="prisma")
    update = _get(counts, "previous_studies") is not None or _get(counts, "previous_reports") is not None
    created = ax is None
    with _style.style():
        if created:
            fig, ax = _style.new_figure(_style.DOUBLE_COLUMN, 6.2, layout=None)
        else:
            fig = ax.figure
        xmax = 8.6 if update else 7.0
        ax.set_xlim(0, xmax)
        ax.axis("off")
        if update:
            px, pw = 0.5, 1.75
            lx, rx, w, rw = 2.45, 5.55, 2.85, 2.9
        else:
            lx, rx, w, rw = 0.55, 3.95, 2.9, 2.9
        wrap_r = int(_WRAP * rw / 2.9)
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
        twice = _get(counts, "counted_twice", 0) or 0
        rm_text = f"Records removed before screening:\n  Duplicate records {_n(dup)}"
        if twice:
            rm_text += f"\n  Found by more than one source {_n(twice)}"
        h_id = max(_height(id_text, minimum=0.95), _height(rm_text))
        _box(ax, lx, y, w, h_id, id_text, "identified")
        _box(ax, rx, y, rw, h_id, rm_text, "removed", wrap=wrap_r)
        _arrow(ax, lx + w, y - h_id / 2, rx, y - h_id / 2)
        if update:
            prev_text = (f"Studies included in previous version of review {_n(_get(counts, 'previous_studies'))}\n\n"
                         f"Reports of studies included in previous version of review "
                         f"{_n(_get(counts, 'previous_reports'))}")
            h_prev = max(_height(prev_text, wrap=int(_WRAP * pw / 2.9)), h_id)
            _box(ax, px, y, pw, h_prev, prev_text, "previous", wrap=int(_WRAP * pw / 2.9))
            ax.text(px + pw / 2, y + 0.08, "Previous studies", ha="center", va="bottom", fontweight="bold",
                    fontsize=_style.SMALL_FONT_SIZE)
            ax.text(lx + (rx + rw - lx) / 2, y + 0.08, "Identification of new studies via databases and registers",
                    ha="center", va="bottom", fontweight="bold", fontsize=_style.SMALL_FONT_SIZE)
        # Records nobody has screened leave the flow here (beside the arrow), so the screened box and
        # the boxes beside it add up to it: identified − removed − not yet screened = screened.
        t_ns = _pending("Records not yet screened", [("awaiting a title/abstract decision",
                                                       _get(counts, "not_screened", 0))])
        if t_ns:
            h_ns = _height(t_ns, wrap_r)
            y_ns = y - h_id - 0.25
            _box(ax, rx, y_ns, rw, h_ns, t_ns, "not_screened", wrap=wrap_r, shade=True)
            _arrow(ax, lx + w / 2, y_ns - h_ns / 2, rx, y_ns - h_ns / 2)
            y1 = y_ns - h_ns - 0.35
        else:
            y1 = y - h_id - 0.35
        _arrow(ax, lx + w / 2, y - h_id, lx + w / 2, y1)
        # Screening
        t_scr = f"Records screened {_n(_get(counts, 'screened'))}"
        t_exc = f"Records excluded {_n(_get(counts, 'excluded_screening'))}"
        t_pend = _pending("Records without a title/abstract decision",
                          [("unresolved reviewer conflicts", _get(counts, "conflicts_screening", 0))])
        h_exc = _height(t_exc)
        h_pend = _height(t_pend, wrap_r) if t_pend else 0.0
        h = max(_height(t_scr), h_exc + (h_pend + 0.12 if t_pend else 0.0))
        _box(ax, lx, y1, w, h, t_scr, "screened")
        _box(ax, rx, y1, rw, h_exc, t_exc, "excluded", wrap=wrap_r)
        _arrow(ax, lx + w, y1 - h_exc / 2, rx, y1 - h_exc / 2)
        if t_pend:
            _box(ax, rx, y1 - h_exc - 0.12, rw, h_pend, t_pend, "pending", wrap=wrap_r, shade=True)
            _arrow(ax, lx + w, y1 - h_exc - 0.12 - h_pend / 2, rx, y1 - h_exc - 0.12 - h_pend / 2)
        y2 = y1 - h - 0.35
        _arrow(ax, lx + w / 2, y1 - h, lx + w / 2, y2)
        t_sought = f"Reports sought for retrieval {_n(_get(counts, 'sought'))}"
        t_nr = f"Reports not retrieved {_n(_get(counts, 'not_retrieved'))}"
        t_pft = _pending("Reports without a full-text decision",
                         [("unresolved reviewer conflicts", _get(counts, "conflicts_fulltext", 0)),
                          ("undecided ('maybe')", _get(counts, "maybe_fulltext", 0)),
                          ("not yet assessed", _get(counts, "not_assessed", 0))])
        h_nr = _height(t_nr)
        h_pft = _height(t_pft, wrap_r) if t_pft else 0.0
        h = max(_height(t_sought), h_nr + (h_pft + 0.12 if t_pft else 0.0))
        _box(ax, lx, y2, w, h, t_sought, "sought")
        _box(ax, rx, y2, rw, h_nr, t_nr, "not_retrieved", wrap=wrap_r)
        _arrow(ax, lx + w, y2 - h_nr / 2, rx, y2 - h_nr / 2)
        if t_pft:
            _box(ax, rx, y2 - h_nr - 0.12, rw, h_pft, t_pft, "pending_fulltext", wrap=wrap_r, shade=True)
            _arrow(ax, lx + w, y2 - h_nr - 0.12 - h_pft / 2, rx, y2 - h_nr - 0.12 - h_pft / 2)
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
        h_ex = max(_height("\n".join(ex_lines), wrap_r), _height(t_ass))
        _box(ax, lx, y3, w, h_ex, t_ass, "assessed")
        _box(ax, rx, y3, rw, h_ex, "\n".join(ex_lines), "excluded_fulltext", wrap=wrap_r)
        _arrow(ax, lx + w, y3 - h_ex / 2, rx, y3 - h_ex / 2)
        y4 = y3 - h_ex - 0.35
        _arrow(ax, lx + w / 2, y3 - h_ex, lx + w / 2, y4)
        new = "New studies included in review" if update else "Studies included in review"
        rep = "Reports of new included studies" if update else "Reports of included studies"
        t_in = (f"{new} {_n(_get(counts, 'included_studies'))}\n"
                f"{rep} {_n(_get(counts, 'included_reports'))}")
        h_in = _height(t_in, minimum=0.66)
        _box(ax, lx, y4, w, h_in, t_in, "included")
        bottom = y4 - h_in
        if update:
            y5 = bottom - 0.35
            prev, new_n = _get(counts, "previous_studies"), _get(counts, "included_studies")
            total = None if prev is None or new_n is None else prev + new_n
            t_tot = f"Total studies included in review {_n(total)}"
            h_tot = _height(t_tot)
            _box(ax, lx, y5, w, h_tot, t_tot, "total")
            _arrow(ax, lx + w / 2, bottom, lx + w / 2, y5)
            ax.annotate("", xy=(lx, y5 - h_tot / 2), xytext=(px + pw / 2, y - h_prev),
                        arrowprops=dict(arrowstyle="-|>", color=_style.INK, lw=0.7, shrinkA=0, shrinkB=0,
                                        mutation_scale=8, connectionstyle="angle,angleA=-90,angleB=180,rad=0"))
            bottom = y5 - h_tot
        # Phase bands on the left (shaded, with rotated labels).
        band_x = px - 0.42 if update else 0.05
        for name, top, bot in (("Identification", 0.0, y - h_id), ("Screening", y1, y3 - h_ex),
                               ("Included", y4, bottom)):
            ax.add_patch(FancyBboxPatch((band_x, bot), 0.3, top - bot, boxstyle="round,pad=0,rounding_size=0.06",
                                        facecolor="#c9d7e6", edgecolor=_style.INK, lw=0.5, gid=f"phase:{name}"))
            ax.text(band_x + 0.15, (top + bot) / 2, name, rotation=90, ha="center", va="center", fontweight="bold",
                    fontsize=_style.SMALL_FONT_SIZE)
        foot = bottom - 0.12
        if problems:
            ax.text(0.05, foot, "\n".join(textwrap.wrap("Counts do not add up: " + "; ".join(problems), 120)),
                    ha="left", va="top", fontsize=_style.SMALL_FONT_SIZE, color="#b00000", gid="problems")
            foot -= 0.16 * (1 + len(problems))
        if note:
            ax.text(0.05, foot, "\n".join(textwrap.wrap(note, 130)), ha="left", va="top",
                    fontsize=_style.SMALL_FONT_SIZE - 0.5, fontstyle="italic", gid="note")
            foot -= 0.35
        top_y = 0.45 if (title or update) else 0.1
        ax.set_ylim(min(foot, bottom - 0.1), top_y + (0.25 if title and update else 0))
        if title:
            ax.text(0.05, top_y + (0.2 if update else -0.1), title, ha="left", va="top", fontweight="bold",
                    fontsize=_style.FONT_SIZE + 1)
        height = (ax.get_ylim()[1] - ax.get_ylim()[0])
        if created:
            fig.set_size_inches(_style.DOUBLE_COLUMN * xmax / 7.0, height * 0.95)
            ax.set_position([0.01, 0.01, 0.98, 0.98])
        else:
            # Drawn for a 7-inch-wide page: in a smaller axes the text shrinks with the boxes.
            box = ax.get_position()
            s = min(1.0, box.width * fig.get_figwidth() / (_style.DOUBLE_COLUMN * xmax / 7.0),
                    box.height * fig.get_figheight() / height)
            for text in ax.texts:
                text.set_fontsize(text.get_fontsize() * s)
    return fig
