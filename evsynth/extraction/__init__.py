"""Structured extraction with provenance: the schema, loading and validation of ``extracted/``.

``extracted/`` holds four CSV files (documented in ``extracted/README.md``):
``studies.csv`` and ``outcomes.csv`` (the values), ``provenance.csv`` (where
each value came from, and whether it was derived or is uncertain) and
``sources.csv`` (the sources cited).
"""

from .load import (
    DerivedValue,
    Extraction,
    MissingValue,
    ValidationReport,
    iter_values,
    load_extracted,
    validate_extracted,
)
from .schema import Outcome, Provenance, Source, Study
from .vocab import ANALYSES, OUTCOME_TYPES, STATUSES

__all__ = [
    "load_extracted",
    "validate_extracted",
    "iter_values",
    "Extraction",
    "ValidationReport",
    "MissingValue",
    "DerivedValue",
    "Study",
    "Outcome",
    "Provenance",
    "Source",
    "STATUSES",
    "OUTCOME_TYPES",
    "ANALYSES",
]
