"""Risk-of-bias figures in the style of robvis (McGuinness & Higgins, Res Syn Meth 2021;12:55-61).

:func:`rob_traffic_light` draws one row per study and one column per domain (plus Overall), a
coloured disc with a symbol for each judgement; :func:`rob_summary_plot` draws one stacked bar per
domain, the share of studies at each level. Both take a :class:`~evsynth.appraisal.RobTable` and
the tool to draw (one figure per tool, as robvis does). Colours are paired with symbols (+, −, ×,
!, ?) and hatches so the figures read in greyscale.
"""

from __future__ import annotations

from typing import Any, Sequence

from . import _style

__all__ = ["rob_traffic_light", "rob_summary_plot", "ROB_COLOURS"]

#: severity → (colour, symbol, hatch, legend text); None = no information.
ROB_COLOURS: dict[int | None, tuple[str, str, str, str]] = {
    0: ("#02C100", "+", "", "Low"),
    1: ("#E2DF07", "\u2212", "..", "Some concerns / moderate"),
    2: ("#BF0000", "\u00d7", "//", "High / serious"),
    3: ("#820000", "!", "xx", "Critical"),
    None: ("#4EA1F7", "?", "", "No information"),
}


def _tool_rows(table: Any, tool: str | None) -> tuple[str, list[Any]]:
    tools = list(dict.fromkeys(j.tool for j in table.judgements))
    if tool is None:
        if len(tools) > 1:
            raise ValueError(f"the table holds several tools ({', '.join(tools)}); pass tool=")
        tool = tools[0] if tools else ""
    return tool, [j for j in table.judgements if j.tool == tool]


def _domains(tool: str, rows: Sequence[Any]) -> list[str]:
    from ..appraisal.rob import TOOLS

    used = {j.domain for j in rows}
    order = [d for d in TOOLS[tool].domains if d in used] if tool in TOOLS else sorted(used - {"overall"})
    return order + (["overall"] if "overall" in used else [])


def _empty(ax: Any, message: str):
    fig, ax = _style.figure_and_axes(ax, _style.SINGLE_COLUMN, 1.0)
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, gid="rob:none")
    return fig


def rob_traffic_light(table: Any, *, tool: str | None = None, labels: dict[str, str] | None = None,
                      ax: Any = None):
    """Traffic-light plot: studies × domains of one tool.

    Parameters
    ----------
    table : RobTable
    tool : str, optional
        Which tool's judgements to draw (needed when the table holds several).
    labels : dict, optional
        study_id → display label.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Discs have gids ``rob:<study_id>:<domain>``; an empty table draws "Risk of bias not assessed".
    """
    tool, rows = _tool_rows(table, tool)
    if not rows:
        return _empty(ax, "Risk of bias not assessed")
    labels = labels or {}
    studies = list(dict.fromkeys(j.study_id for j in rows))
    domains = _domains(tool, rows)
    cell = {(j.study_id, j.domain): j for j in rows}
    with _style.style():
        fig, ax = _style.figure_and_axes(ax, max(_style.SINGLE_COLUMN, 1.6 + 0.45 * len(domains)),
                                         0.9 + 0.32 * len(studies))
        for r, sid in enumerate(studies):
            for c, dom in enumerate(domains):
                j = cell.get((sid, dom))
                if j is None:
                    continue
                colour, symbol, hatch, _ = ROB_COLOURS[j.severity]
                ax.scatter([c], [r], s=170, c=colour, edgecolors=_style.INK, linewidths=0.5, gid=f"rob:{sid}:{dom}")
                ax.text(c, r, symbol, ha="center", va="center", fontsize=_style.FONT_SIZE, color="black",
                        fontweight="bold")
        ax.set_xticks(range(len(domains)))
        ax.set_xticklabels(["Overall" if d == "overall" else d for d in domains])
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(studies)))
        ax.set_yticklabels([labels.get(s, s) for s in studies])
        ax.set_xlim(-0.6, len(domains) - 0.4)
        ax.set_ylim(len(studies) - 0.5, -0.5)
        for side in ("right", "bottom", "left", "top"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
        ax.set_title(f"Risk of bias ({tool})", loc="left", pad=18)
        from ..appraisal.rob import TOOLS

        legend = "; ".join(f"{d}: {TOOLS[tool].domains[d]}" for d in domains if d != "overall" and tool in TOOLS)
        used = sorted({j.severity for j in rows}, key=lambda v: 9 if v is None else v)
        key = "   ".join(f"{ROB_COLOURS[s][1]} {ROB_COLOURS[s][3]}" for s in used)
        ax.text(0, -0.02, key + ("\n" + legend if legend else ""), transform=ax.transAxes, va="top", ha="left",
                fontsize=_style.SMALL_FONT_SIZE, wrap=True)
    return fig


def rob_summary_plot(table: Any, *, tool: str | None = None, ax: Any = None):
    """Summary plot: per domain, the percentage of the studies judged in it at each level (unweighted, as robvis' default).

    Returns
    -------
    matplotlib.figure.Figure
        Bar segments have gids ``robbar:<domain>:<severity>``.
    """
    tool, rows = _tool_rows(table, tool)
    if not rows:
        return _empty(ax, "Risk of bias not assessed")
    domains = _domains(tool, rows)
    levels = [0, 1, 2, 3, None]
    with _style.style():
        fig, ax = _style.figure_and_axes(ax, _style.DOUBLE_COLUMN * 0.8, 0.8 + 0.3 * len(domains))
        for r, dom in enumerate(domains):
            in_dom = [j for j in rows if j.domain == dom]
            left = 0.0
            for lev in levels:
                share = 100.0 * sum(1 for j in in_dom if j.severity == lev) / len(in_dom)
                if share == 0:
                    continue
                colour, _, hatch, _ = ROB_COLOURS[lev]
                ax.barh(r, share, left=left, color=colour, hatch=hatch, edgecolor=_style.INK, linewidth=0.4,
                        gid=f"robbar:{dom}:{lev}")
                left += share
        ax.set_yticks(range(len(domains)))
        from ..appraisal.rob import TOOLS

        names = TOOLS[tool].domains if tool in TOOLS else {}
        ax.set_yticklabels(["Overall risk of bias" if d == "overall" else f"{d} {names.get(d, '')}".strip()
                            for d in domains])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Studies (%)")
        ax.set_title(f"Risk of bias summary ({tool}, {len({j.study_id for j in rows})} studies)", loc="left")
        from matplotlib.patches import Patch

        used = [lev for lev in levels if any(j.severity == lev for j in rows)]
        ax.legend(handles=[Patch(facecolor=ROB_COLOURS[lev][0], hatch=ROB_COLOURS[lev][2], edgecolor=_style.INK,
                                 label=ROB_COLOURS[lev][3]) for lev in used],
                  loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(domains) < 4 else -0.15),
                  ncol=len(used), frameon=False)
    return fig
