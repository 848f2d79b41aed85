"""Store mode: mark duplicates in a record store (never delete) and fill kept records."""

from __future__ import annotations

from typing import Any

from ..store import Store
from ._core import DedupeResult, find_duplicates
from .review import decisions_by_position, stored_pair_decisions

__all__ = ["dedupe_store"]


def dedupe_store(store: Store) -> DedupeResult:
    """Deduplicate every record of ``store``.

    Each duplicate gets ``duplicate_of`` = the store id of the record kept,
    with its rule, score and evidence in ``duplicate_links``; the kept
    record's empty fields are filled from its duplicates. Earlier marks are
    replaced; a person's decisions on pairs (``dedupe_decisions``, see
    :mod:`evsynth.dedupe.review`) are followed and never replaced.
    Everything happens in one transaction; no record is deleted.

    Parameters
    ----------
    store : Store

    Returns
    -------
    DedupeResult
        Positions refer to the records in store-id order
        (``list(store.iter_records())``).
    """
    records = list(store.iter_records())
    ids = [r.store_id for r in records]
    decided = decisions_by_position(stored_pair_decisions(store), ids)
    result = find_duplicates(records, decisions=decided)
    links: list[dict[str, Any]] = []
    for link in result.links:
        evidence = dict(link.evidence)
        via = dict(evidence.get("joined_via") or {})
        if "index" in via:
            via["record_id"] = ids[via.pop("index")]
            evidence["joined_via"] = via
        links.append({
            "record_id": ids[link.record_index],
            "duplicate_of": ids[link.kept_index],
            "rule": link.rule,
            "score": link.score,
            "evidence": evidence,
        })
    with store.transaction():
        store.mark_duplicates(links, reset=True)
        for kept, fields in result.filled:
            store.update_record_fields(ids[kept], dict(fields))
    return result
