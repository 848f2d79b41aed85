"""Figures: forest, funnel, bubble, cumulative, leave-one-out, evidence map, PRISMA 2020, risk of bias.

Every function takes ``ax=None``, returns the :class:`matplotlib.figure.Figure`
and never calls ``show()``; :func:`save_figure` writes PNG, SVG and PDF.
Figures are built without pyplot's global state.
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
