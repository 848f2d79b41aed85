"""Harms: the adverse events each study reports, as extracted, with where they are stated.

:func:`harms_table` gives one row per study from ``studies.csv``'s ``adverse_events`` column and its
provenance: the events as the source words them, and "not reported" where the extraction holds
nothing. Nothing is counted or
inferred beyond what the row says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["HarmsRow", "harms_table", "NOT_REPORTED"]

NOT_REPORTED = "not reported"


@dataclass(frozen=True)
class HarmsRow:
    """Adverse events of one study as extracted."""

    study_id: str
    label: str
    design: str
    n_patients: int | None
    status: str
    reported: str
    source: str | None
    location: str | None
    flags: str | None


def harms_table(extraction: Any, *, results_statuses: tuple[str, ...] = ("completed",)) -> list[HarmsRow]:
    """One :class:`HarmsRow` per study (``studies.csv`` order).

    ``reported`` is the extracted text; ``"not reported"`` when the cell is empty; for a study
    without results (status outside ``results_statuses``) ``"no results yet"``.
    """
    out = []
    for s in extraction.studies:
        text = getattr(s, "adverse_events", None)
        prov = None
        if text:
            prov = next((p for p in extraction.provenance if p.table == "studies" and p.record_id == s.study_id
                         and p.field == "adverse_events"), None)
        if s.status not in results_statuses:
            reported = "no results yet"
        else:
            reported = text or NOT_REPORTED
        flags = None
        if prov is not None and (prov.derived or prov.uncertain):
            flags = ", ".join(k for k, on in (("derived", prov.derived), ("uncertain", prov.uncertain)) if on)
        out.append(HarmsRow(s.study_id, s.label, s.design, s.n_patients, s.status, reported,
                            prov.source if prov else None, prov.location if prov else None, flags))
    return out
