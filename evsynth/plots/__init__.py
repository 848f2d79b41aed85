"""Figures: forest, funnel, bubble, cumulative, leave-one-out, evidence map, PRISMA 2020, risk of bias.

Every function takes ``ax=None``, returns the :class:`matplotlib.figure.Figure`
and never calls ``show()``; :func:`save_figure` writes PNG, SVG and PDF.

* Without ``ax`` a function makes a pyplot figure (as ``plt.subplots`` does), so
  Jupyter's inline backend shows it at the end of the cell with no magic; scripts
  that draw many figures close them (``save_figure(..., close=True)`` or
  ``plt.close(fig)``), as the CLI and the report do.
* With ``ax`` everything is drawn inside that axes: forest-type tables (forest,
  cumulative, leave-one-out) and the PRISMA diagram split it into their columns
  and scale their font down where it is small; axis plots (funnel, bubble,
  evidence map) keep legends inside the axes or below the axis label, where a
  layout engine (``layout="constrained"``) makes room for them.
"""

from ._style import save_figure
from .bubble import bubble_plot
from .comparisons import comparisons_plot
from .cumulative import cumulative_plot
from .evidence_map import evidence_map
from .forest import arm_columns, forest_plot
from .funnel import funnel_plot
from .influence import leave_one_out_plot
from .prisma import prisma_diagram
from .rob import rob_summary_plot, rob_traffic_light

__all__ = [
    "arm_columns",
    "bubble_plot",
    "comparisons_plot",
    "cumulative_plot",
    "evidence_map",
    "forest_plot",
    "funnel_plot",
    "leave_one_out_plot",
    "prisma_diagram",
    "rob_summary_plot",
    "rob_traffic_light",
    "save_figure",
]
