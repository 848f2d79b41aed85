"""Clusters from merge decisions, guarded against chaining.

Merge edges are applied strongest first with a union-find; two clusters are
joined only if no member of one has a hard conflict with any member of the
other (so A~B and B~C never put A and C together when A and C have different
DOIs, pages, years, ...). The record kept in each cluster is the most complete
one, a PubMed record first, never a notice (erratum) or a review's protocol beside its
article or review.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from ..models import RECORD_FIELDS, Record
from .cochrane import is_review_protocol
from .kinds import record_kind
from .normalise import normalise_title

__all__ = ["build_clusters", "choose_kept", "merged_fields"]


def build_clusters(
    n: int,
    edges: Iterable[tuple[float, int, int]],
    conflict: Callable[[int, int], bool],
) -> tuple[list[int], list[tuple[int, int, int]]]:
    """Greedy connected components with cannot-link constraints.

    Parameters
    ----------
    n : int
        Number of records.
    edges : iterable of (score, i, j)
        Merge decisions; applied in decreasing score order.
    conflict : callable
        ``conflict(i, j)`` is True when records i and j must stay apart.

    Returns
    -------
    (root, applied)
        ``root[i]`` is the cluster label of record i; ``applied`` lists the
        edges used as ``(i, j, edge_number)``, in the order applied.
    """
    parent = list(range(n))
    members: dict[int, list[int]] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    applied: list[tuple[int, int, int]] = []
    ordered = sorted(enumerate(edges), key=lambda e: (-e[1][0], e[1][1], e[1][2]))
    for number, (_, i, j) in ordered:
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        mi = members.get(ri, [ri])
        mj = members.get(rj, [rj])
        if any(conflict(x, y) for x in mi for y in mj):
            continue
        if len(mi) < len(mj):
            ri, rj, mi, mj = rj, ri, mj, mi
        parent[rj] = ri
        members[ri] = mi + mj
        members.pop(rj, None)
        applied.append((i, j, number))
    return [find(i) for i in range(n)], applied


def _rank(record: Record, index: int, kind: str | None = None) -> tuple[int, int, int, int]:
    pubmed = int(record.source in ("pubmed", "medline") or (record.source == "pubmed-xml"))
    if kind is None:
        kind = record_kind(record, normalise_title(record.title))[0]
    notice = kind != "article" or is_review_protocol(record)
    return (int(not notice), pubmed, record.completeness, -index)


def choose_kept(records: Sequence[Record], members: Sequence[int], kinds: Sequence[str] | None = None) -> int:
    """Index of the record kept: an article before a notice about it (an erratum merged
    with its article as one text) or a review's protocol (merged with its review as one
    review number), as a reviewer screening the notice would exclude the study with it;
    then PubMed-sourced first, then most complete, then first read.

    ``kinds`` are the records' kinds by index when the caller has them already
    (``NormalisedRecord.kind``); otherwise each member's is worked out from its title.
    """
    return max(members, key=lambda k: _rank(records[k], k, kinds[k] if kinds is not None else None))


def merged_fields(records: Sequence[Record], kept: int, members: Sequence[int],
                  kinds: Sequence[str] | None = None) -> dict[str, object]:
    """Fields empty in the kept record, filled from the others (most complete first);
    ``kinds`` as for :func:`choose_kept`."""
    donors = sorted((m for m in members if m != kept),
                    key=lambda k: _rank(records[k], k, kinds[k] if kinds is not None else None), reverse=True)
    out: dict[str, object] = {}
    base = records[kept]
    for name in RECORD_FIELDS:
        if getattr(base, name) not in (None, (), ""):
            continue
        for d in donors:
            if name == "abstract" and is_review_protocol(records[d]) and not is_review_protocol(base):
                continue  # a protocol's abstract would make the review look like its protocol
            value = getattr(records[d], name)
            if value not in (None, (), ""):
                out[name] = value
                break
    return out
