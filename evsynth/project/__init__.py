"""A review is a folder: the protocol in ``review.toml``, ``queries/``, ``extracted/``, the store, ``out/``.

:func:`load_review` reads the protocol into a :class:`Review`; :func:`find_project`
finds the folder (``--project DIR``, ``EVSYNTH_PROJECT``, or the nearest folder
upwards holding ``review.toml``); :func:`init_project` writes a new review skeleton.
"""

from .load import REVIEW_FILE, find_project, generic_review, load_review, open_review, parse_review
from .model import (
    COVARIATE_TYPES,
    Alternative,
    Analysis,
    Covariate,
    Floor,
    OisAssumptions,
    ReferenceLine,
    Review,
    ReviewRef,
    Sensitivity,
    Situate,
)

__all__ = [
    "REVIEW_FILE",
    "COVARIATE_TYPES",
    "load_review",
    "parse_review",
    "find_project",
    "open_review",
    "generic_review",
    "Review",
    "ReviewRef",
    "Covariate",
    "Analysis",
    "Sensitivity",
    "Alternative",
    "Situate",
    "Floor",
    "ReferenceLine",
    "OisAssumptions",
]
