"""find_duplicates: the pipeline (normalise → block → score → cluster) and its result types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from ..models import Record
from .block import candidate_pairs
from .cluster import build_clusters, choose_kept, merged_fields
from .normalise import NormalisedRecord, normalise_record
from .score import PairDecision, decide, hard_conflicts

__all__ = ["DedupeResult", "DuplicateLink", "ReviewPair", "find_duplicates"]

#: Pairs whose titles score below this (rapidfuzz token_set_ratio) and share no
#: identifier are not scored further.
_PREFILTER = 75.0
_ID_RULES = ("doi+", "pmid+")


@dataclass(frozen=True)
class DuplicateLink:
    """One record marked as a duplicate of the record kept.

    Attributes
    ----------
    record_index : int
        Position of the duplicate in the input sequence.
    kept_index : int
        Position of the record kept (never ``record_index``).
    rule : str
        Rule that joined the record to its cluster (e.g. ``doi+title``).
    score : float
        Similarity of that joining pair, in [0, 1].
    evidence : mapping
        Fields compared with the kept record (values and scores), the rule,
        and ``joined_via`` (the pair that made the link, which may be another
        member of the cluster).
    """

    record_index: int
    kept_index: int
    rule: str
    score: float
    evidence: Mapping[str, Any] = field(compare=False)


@dataclass(frozen=True)
class ReviewPair:
    """A borderline pair left unmerged for a person to judge.

    Attributes
    ----------
    first_index, second_index : int
        Positions in the input (``first_index < second_index``).
    rule : str
        Why it is borderline (e.g. ``title-only``, ``doi-titles-differ``).
    score : float
    evidence : mapping
    """

    first_index: int
    second_index: int
    rule: str
    score: float
    evidence: Mapping[str, Any] = field(compare=False)


@dataclass(frozen=True)
class DedupeResult:
    """Result of :func:`find_duplicates`.

    Attributes
    ----------
    n_records : int
    links : tuple of DuplicateLink
        One per duplicate record, pointing at its cluster's kept record.
    review : tuple of ReviewPair
        Borderline pairs (not merged).
    clusters : tuple of tuple of int
        Clusters with more than one record, kept record first.
    filled : tuple of (int, dict)
        For each kept record, the fields filled from its duplicates.
    n_candidates : int
        Candidate pairs the blocking produced.
    uncomparable : tuple of int
        Records with neither title nor DOI: kept, never merged.
    notes : tuple of str
        Messages for the user (file mode names file and record of each
        uncomparable record).
    """

    n_records: int
    links: tuple[DuplicateLink, ...]
    review: tuple[ReviewPair, ...]
    clusters: tuple[tuple[int, ...], ...]
    filled: tuple[tuple[int, Mapping[str, Any]], ...] = ()
    n_candidates: int = 0
    uncomparable: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def n_duplicates(self) -> int:
        """Number of records marked as duplicates."""
        return len(self.links)

    def kept_index(self) -> list[int]:
        """For every input position, the position of the record it is kept as (itself if kept)."""
        out = list(range(self.n_records))
        for link in self.links:
            out[link.record_index] = link.kept_index
        return out


def _codes(values: Sequence[object]) -> np.ndarray:
    """Integer code per value (equal values, equal codes); -1 for None."""
    table: dict[object, int] = {}
    return np.fromiter(
        (-1 if v is None else table.setdefault(v, len(table)) for v in values), dtype=np.int64, count=len(values)
    )


def _prefilter(norm: Sequence[NormalisedRecord], pairs: np.ndarray) -> np.ndarray:
    """Keep pairs worth scoring (vectorised).

    A pair is dropped when it has a conflict cheap to see on whole arrays
    (different PMIDs, years more than one apart; the same
    rules :func:`~evsynth.dedupe.score.hard_conflicts` applies) or when its
    titles are dissimilar and it shares no identifier (nor journal, volume
    and page range).
    """
    if len(pairs) == 0:
        return pairs
    i, j = pairs[:, 0], pairs[:, 1]
    doi = _codes([r.doi for r in norm])
    pmid = _codes([r.pmid for r in norm])
    year = np.fromiter((r.year or 0 for r in norm), dtype=np.int64, count=len(norm))
    both = lambda a: (a[i] >= 0) & (a[j] >= 0)  # noqa: E731
    # Different DOIs alone are not dropped here: when the rest of the citation agrees the
    # pair goes to the review list (score.decide), so it must reach the scorer.
    conflict = both(pmid) & (pmid[i] != pmid[j])
    conflict |= (year[i] > 0) & (year[j] > 0) & (np.abs(year[i] - year[j]) > 1)
    same_id = (both(doi) & (doi[i] == doi[j])) | (both(pmid) & (pmid[i] == pmid[j]))
    # The same journal, volume and page range also pass (a translated title).
    cite = _codes([(r.journals[0], r.volume, r.first_page, r.last_page)
                   if r.journals and r.volume and r.first_page and r.last_page else None for r in norm])
    same_id |= both(cite) & (cite[i] == cite[j])
    pairs = pairs[~conflict]
    same_id = same_id[~conflict]
    titles = [r.title or "" for r in norm]
    left = [titles[a] for a in pairs[:, 0]]
    right = [titles[b] for b in pairs[:, 1]]
    sim = np.asarray(process.cpdist(left, right, scorer=fuzz.token_set_ratio, workers=1))
    return pairs[(sim >= _PREFILTER) | same_id]


def _drop_ambiguous(
    edges: list[tuple[float, int, int]],
    info: list[tuple[str, float]],
    conflict: Callable[[int, int], bool],
) -> tuple[list[tuple[float, int, int]], list[tuple[str, float]], list[tuple[int, int, Any]]]:
    """Withdraw the merges of a record that matches records which must stay apart.

    A record without DOI or pages can look like each of two distinct papers
    with the same title; attaching it to either would be a guess. Its pairs go
    to the review list instead (rule ``ambiguous``).
    """
    partners: dict[int, list[int]] = {}
    for (_, i, j), (rule, _) in zip(edges, info):
        if rule.startswith(_ID_RULES):
            continue  # a shared DOI or PMID is not a guess
        partners.setdefault(i, []).append(j)
        partners.setdefault(j, []).append(i)
    unsure = {
        x for x, ps in partners.items()
        if len(ps) > 1 and any(conflict(p, q) for k, p in enumerate(ps) for q in ps[k + 1:])
    }
    if not unsure:
        return edges, info, []
    kept_edges, kept_info, withdrawn = [], [], []
    for edge, meta in zip(edges, info):
        _, i, j = edge
        if (i in unsure or j in unsure) and not meta[0].startswith(_ID_RULES):
            evidence = {"rule": "ambiguous", "matched_rule": meta[0],
                        "note": "matches records that must stay apart"}
            withdrawn.append((i, j, PairDecision("review", "ambiguous", meta[1], evidence)))
        else:
            kept_edges.append(edge)
            kept_info.append(meta)
    return kept_edges, kept_info, withdrawn


def _settled(decisions: Mapping[tuple[int, int], Any], n: int) -> dict[tuple[int, int], dict[str, Any]]:
    """Decisions keyed ``(low, high)``, each a dict with ``decision`` ``merge`` or ``apart``."""
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for (i, j), value in decisions.items():
        d = dict(value) if isinstance(value, Mapping) else {"decision": value}
        if d.get("decision") not in ("merge", "apart"):
            raise ValueError(f"decision for pair {(i, j)} must be 'merge' or 'apart', not {d.get('decision')!r}")
        if not (0 <= i < n and 0 <= j < n) or i == j:
            raise ValueError(f"decision for pair {(i, j)}: positions must be two different records of {n}")
        out[(min(i, j), max(i, j))] = d
    return out


def find_duplicates(
    records: Sequence[Record],
    *,
    decisions: Mapping[tuple[int, int], str | Mapping[str, Any]] | None = None,
    groups: Sequence[Hashable | None] | None = None,
) -> DedupeResult:
    """Find duplicate records, cluster them and explain every link.

    Parameters
    ----------
    records : sequence of Record
    decisions : mapping, optional
        A person's settled pairs: ``(i, j)`` positions → ``"merge"`` or
        ``"apart"`` (or a mapping with ``decision`` and whatever else should
        go into the evidence, e.g. ``reviewer`` and ``decided_at``). A
        ``merge`` pair is merged (rule ``reviewer``), whatever the two
        records' own conflicts, unless an ``apart`` decision or a conflict
        with another member stands in its clusters' way; an
        ``apart`` pair is never put in one cluster, not even through other
        records. Neither goes to the review list again.
    groups : sequence, optional
        One label per record (or None) naming a set already deduplicated
        (bib-dedupe's ``search_set``: the records of an earlier search): two
        records with the same label are never merged, not even through
        other records.

    Returns
    -------
    DedupeResult
        Positions refer to ``records``. Records without title and DOI are
        never merged. Nothing is modified.
    """
    records = list(records)
    n = len(records)
    norm = [normalise_record(r) for r in records]
    candidates = candidate_pairs(norm)
    pairs = _prefilter(norm, candidates)
    settled = _settled(decisions or {}, n)
    apart = {key for key, d in settled.items() if d["decision"] == "apart"}
    group = list(groups) if groups is not None else [None] * n
    if len(group) != n:
        raise ValueError(f"groups has {len(group)} labels for {n} records")
    together = {key for key, d in settled.items() if d["decision"] == "merge"}

    edges: list[tuple[float, int, int]] = []
    edge_info: list[tuple[str, float]] = []
    reviews: list[tuple[int, int, Any]] = []
    conflict_cache: dict[tuple[int, int], bool] = {}
    for i, j in pairs.tolist():
        if (i, j) in settled or (group[i] is not None and group[i] == group[j]):
            continue  # a person decided this pair, or its set was deduplicated before
        conflicts = hard_conflicts(norm[i], norm[j])
        conflict_cache[(i, j)] = bool(conflicts)
        if conflicts and conflicts != ["doi"]:  # kept apart: nothing to score or review
            continue
        d = decide(norm[i], norm[j], conflicts=conflicts)
        if d.decision == "merge":
            edges.append((d.score, i, j))
            edge_info.append((d.rule, d.score))
        elif d.decision == "review":
            reviews.append((i, j, d))

    def conflict(x: int, y: int) -> bool:
        key = (x, y) if x < y else (y, x)
        if key in apart or (group[x] is not None and group[x] == group[y]):
            return True
        if key in together:
            return False  # a person read both records: their conflict is settled
        hit = conflict_cache.get(key)
        if hit is None:
            hit = bool(hard_conflicts(norm[x], norm[y]))
            conflict_cache[key] = hit
        return hit

    edges, edge_info, ambiguous = _drop_ambiguous(edges, edge_info, conflict)
    reviews.extend(ambiguous)
    for (i, j), d in settled.items():
        if d["decision"] == "merge":  # a person's merge comes first: highest score
            edges.append((2.0, i, j))
            edge_info.append(("reviewer", 1.0))

    root, applied = build_clusters(n, edges, conflict)
    by_root: dict[int, list[int]] = {}
    for idx, r in enumerate(root):
        by_root.setdefault(r, []).append(idx)
    joined_by: dict[int, tuple[int, int]] = {}  # record → (partner, edge number)
    for i, j, number in applied:
        joined_by.setdefault(j, (i, number))
        joined_by.setdefault(i, (j, number))

    links: list[DuplicateLink] = []
    clusters: list[tuple[int, ...]] = []
    filled: list[tuple[int, Mapping[str, Any]]] = []
    kinds = [r.kind for r in norm]  # worked out once, in normalise_record
    for members in by_root.values():
        if len(members) < 2:
            continue
        kept = choose_kept(records, members, kinds)
        clusters.append((kept, *sorted(m for m in members if m != kept)))
        fills = merged_fields(records, kept, members, kinds)
        if fills:
            filled.append((kept, fills))
        for m in sorted(members):
            if m == kept:
                continue
            partner, number = joined_by[m]
            rule, score = edge_info[number]
            direct = decide(norm[m], norm[kept])
            evidence = dict(direct.evidence)
            evidence["rule"] = rule
            if rule == "reviewer":
                pair_key = (min(m, partner), max(m, partner))
                evidence["reviewer_decision"] = {k: v for k, v in settled[pair_key].items()}
            evidence["joined_via"] = {"index": partner, "rule": rule, "score": score}
            evidence["direct_rule"] = direct.rule
            links.append(DuplicateLink(m, kept, rule, score, evidence))

    review = tuple(
        ReviewPair(i, j, d.rule, d.score, d.evidence)
        for i, j, d in reviews
        if root[i] != root[j] and (min(i, j), max(i, j)) not in settled
    )
    links.sort(key=lambda l: l.record_index)
    clusters.sort()
    return DedupeResult(
        n_records=n,
        links=tuple(links),
        review=review,
        clusters=tuple(clusters),
        filled=tuple(sorted(filled, key=lambda f: f[0])),
        n_candidates=int(len(candidates)),
        uncomparable=tuple(k for k, r in enumerate(norm) if not r.comparable),
    )
