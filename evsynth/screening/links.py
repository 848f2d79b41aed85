"""Which stored records report which extracted study, and what does not match.

A study (a row of ``studies.csv``) is linked to the store's records by its ``record_ids`` (the ids
the store shows: a PMID, an NCT id, ``<file hash>:<id>`` for imports) and by its ``pmid``,
``doi`` and ``nct_id``. :func:`link_studies` reports the included records that no extracted study
claims and the extracted studies with no included record, and gives the record → study map that
:func:`~evsynth.screening.prisma_counts` uses to count studies rather than reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..store import Store
from ._state import record_statuses

__all__ = ["StudyLinks", "link_studies"]


@dataclass(frozen=True)
class StudyLinks:
    """Links between included records and extracted studies.

    Attributes
    ----------
    study_of : dict
        Store id of a record → study_id (every record that matches a study, included or not).
    records_of : dict
        study_id → store ids of its records.
    included_without_study : tuple of (int, str)
        Included records (full text) that no study claims: (store id, the id the store shows).
    studies_without_record : tuple of str
        Studies with results whose records are not among the included records.
    """

    study_of: dict[int, str]
    records_of: dict[str, tuple[int, ...]]
    included_without_study: tuple[tuple[int, str], ...]
    studies_without_record: tuple[str, ...]

    def messages(self, labels: dict[str, str] | None = None) -> list[str]:
        """The mismatches as sentences (empty when every included record and study match)."""
        labels = labels or {}
        out = []
        if self.included_without_study:
            out.append(f"{len(self.included_without_study)} included record(s) without an extracted study: "
                       + ", ".join(shown for _, shown in self.included_without_study))
        if self.studies_without_record:
            out.append(f"{len(self.studies_without_record)} extracted stud(ies) without an included record: "
                       + ", ".join(labels.get(s, s) for s in self.studies_without_record))
        return out


def _norm_doi(doi: str | None) -> str | None:
    return doi.strip().lower() if doi else None


def link_studies(store: Store, studies: Sequence[Any], *, results_statuses: Sequence[str] = ("completed",)
                 ) -> StudyLinks:
    """Match the store's records to ``studies`` (from ``extracted/``) and report the mismatches.

    Parameters
    ----------
    store : Store
    studies : sequence of Study
        Each with ``study_id`` and any of ``record_ids`` (``;``-separated), ``pmid``, ``doi``, ``nct_id``.
    results_statuses : sequence of str
        Statuses of studies expected among the included records (registered trials without results
        are not).
    """
    keys: dict[tuple[str, str], str] = {}
    for s in studies:
        for rid in (getattr(s, "record_ids", None) or "").split(";"):
            if rid.strip():
                keys[("source_id", rid.strip())] = s.study_id
        if getattr(s, "pmid", None):
            keys[("pmid", str(s.pmid))] = s.study_id
        if getattr(s, "doi", None):
            keys[("doi", _norm_doi(s.doi))] = s.study_id
        if getattr(s, "nct_id", None):
            keys[("nct_id", s.nct_id.upper())] = s.study_id
    study_of: dict[int, str] = {}
    shown: dict[int, str] = {}
    for rid, source_id, pmid, doi, nct in store.execute(
            "SELECT id, source_id, pmid, doi, nct_id FROM records WHERE duplicate_of IS NULL"):
        rid = int(rid)
        shown[rid] = source_id or str(rid)
        for key in (("source_id", source_id), ("pmid", pmid), ("doi", _norm_doi(doi)),
                    ("nct_id", (nct or "").upper())):
            if key[1] and key in keys:
                study_of[rid] = keys[key]
                break
    included = [rid for rid, status in record_statuses(store, "full-text").items() if status == "include"]
    records_of: dict[str, list[int]] = {}
    for rid, sid in study_of.items():
        records_of.setdefault(sid, []).append(rid)
    included_set = set(included)
    without_study = tuple((rid, shown.get(rid, str(rid))) for rid in included if rid not in study_of)
    without_record = tuple(s.study_id for s in studies if s.status in results_statuses
                           and not included_set.intersection(records_of.get(s.study_id, ())))
    return StudyLinks(study_of, {k: tuple(v) for k, v in records_of.items()}, without_study, without_record)
