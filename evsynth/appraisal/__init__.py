"""Appraisal of the evidence: risk of bias (``rob.csv``), GRADE signals and the reviewer's ratings
(``grade.csv``), the Summary of Findings table, and the harms table.

Judgements and ratings are data a reviewer enters with their source; evsynth validates them,
computes the signals it can (heterogeneity, imprecision, small-study assessment), and shows
"not assessed" / "not rated" where nothing was entered. It never invents a judgement.
"""

from .grade import (
    CERTAINTY,
    MIN_K_SMALL_STUDY,
    NOT_RATED,
    GradeRating,
    GradeSignals,
    SofRow,
    grade_signals,
    load_grade,
    ois_proportion,
    ois_two_groups,
    summary_of_findings,
)
from .harms import NOT_REPORTED, HarmsRow, harms_table
from .sections import AnalysisInput, add_appraisal, appraisal_sections
from .rob import (
    NOT_ASSESSED,
    ROB_COLUMNS,
    TOOLS,
    RobExclusion,
    RobJudgement,
    RobTable,
    RobTool,
    exclude_high_risk,
    load_rob,
)

__all__ = [
    "AnalysisInput",
    "appraisal_sections",
    "add_appraisal",
    "NOT_REPORTED",
    "HarmsRow",
    "harms_table",
    "CERTAINTY",
    "MIN_K_SMALL_STUDY",
    "NOT_RATED",
    "GradeRating",
    "GradeSignals",
    "SofRow",
    "grade_signals",
    "load_grade",
    "ois_proportion",
    "ois_two_groups",
    "summary_of_findings",
    "NOT_ASSESSED",
    "ROB_COLUMNS",
    "TOOLS",
    "RobExclusion",
    "RobJudgement",
    "RobTable",
    "RobTool",
    "exclude_high_risk",
    "load_rob",
]
