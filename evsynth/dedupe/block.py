"""Candidate generation: blocking on several keys, never all pairs.

Each record gets a handful of keys (exact DOI, PMID, title-token keys, year +
first page, journal + volume + first page, first author + year + first title
word). Records sharing a key become candidate pairs. A block larger than
``max_block`` is not expanded into all its pairs: its members are sorted by
title and each is paired with its ``window`` neighbours (sorted
neighbourhood), so the number of pairs grows linearly with the records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Sequence

import numpy as np

from .normalise import NormalisedRecord, significant_tokens

__all__ = ["blocking_keys", "candidate_pairs"]


def _journal_key(tokens: tuple[str, ...]) -> str | None:
    # Initials survive full-name vs abbreviation ("curr opin lipidol" ~ "current opinion lipidology").
    return "".join(t[0] for t in tokens) if tokens else None


def blocking_keys(rec: NormalisedRecord, rare: Counter[str] | None = None) -> list[str]:
    """Blocking keys of one normalised record.

    Parameters
    ----------
    rec : NormalisedRecord
    rare : Counter, optional
        Document frequency of title tokens in the whole set; used to build a
        key of the record's two rarest title words.
    """
    keys: list[str] = []
    if rec.doi:
        keys.append("d:" + rec.doi)
    if rec.pmid:
        keys.append("p:" + rec.pmid)
    tokens = significant_tokens(rec.title)
    if len(tokens) >= 2:
        keys.append("t:" + " ".join(tokens[:4]))
        keys.append("e:" + " ".join(tokens[-4:]))
        if rare is not None:
            long_tokens = sorted({t for t in tokens if len(t) > 2}, key=lambda t: (rare[t], t))[:2]
            if len(long_tokens) == 2:
                keys.append("r:" + " ".join(sorted(long_tokens)))
    elif tokens:
        keys.append("t:" + tokens[0])
    page = rec.first_page
    if page and rec.year:
        keys.append(f"yp:{rec.year}:{page}")
    if page and rec.volume:
        jk = _journal_key(rec.journals[0]) if rec.journals else ""
        keys.append(f"jvp:{jk}:{rec.volume}:{page}")
    if rec.first_author and rec.year and tokens:
        keys.append(f"ay:{rec.first_author}:{rec.year}:{tokens[0][:4]}")
    return keys


def candidate_pairs(
    records: Sequence[NormalisedRecord], *, max_block: int = 20, window: int = 6
) -> np.ndarray:
    """Unique candidate pairs ``(i, j)`` with ``i < j``, as an ``(m, 2)`` int array.

    Records that cannot be compared (no title and no DOI) get no keys.

    Parameters
    ----------
    records : sequence of NormalisedRecord
    max_block : int
        Largest block expanded into all its pairs.
    window : int
        Neighbours paired within a larger block, after sorting by title.
    """
    n = len(records)
    rare: Counter[str] = Counter()
    for rec in records:
        rare.update(set(significant_tokens(rec.title)))
    blocks: dict[str, list[int]] = defaultdict(list)
    for idx, rec in enumerate(records):
        if not rec.comparable:
            continue
        for key in blocking_keys(rec, rare):
            blocks[key].append(idx)
    firsts: list[np.ndarray] = []
    seconds: list[np.ndarray] = []
    for members in blocks.values():
        size = len(members)
        if size < 2:
            continue
        arr = np.asarray(members, dtype=np.int64)
        if size <= max_block:
            i, j = np.triu_indices(size, k=1)
            firsts.append(arr[i])
            seconds.append(arr[j])
        else:
            order = sorted(members, key=lambda k: (records[k].title or "", k))
            arr = np.asarray(order, dtype=np.int64)
            for step in range(1, window + 1):
                firsts.append(arr[:-step])
                seconds.append(arr[step:])
    if not firsts:
        return np.empty((0, 2), dtype=np.int64)
    a = np.concatenate(firsts)
    b = np.concatenate(seconds)
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    keep = lo != hi
    codes = np.unique(lo[keep] * np.int64(max(n, 1)) + hi[keep])
    return np.stack([codes // max(n, 1), codes % max(n, 1)], axis=1)
