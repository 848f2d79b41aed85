"""Conflicts between reviewers and their agreement (Cohen's kappa)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Mapping, Sequence

from ..store import Store
from ._state import CONSENSUS_REVIEWER, DECISIONS, _duplicate_ids, _status, current_decisions

@dataclass(frozen=True)
class Conflict:
    """Reviewers disagreeing on one record at one stage.

    Parameters
    ----------
    record_id : int
    stage : str
    decisions : mapping
        Reviewer → their current decision.
    title : str or None
        The record's title.
    """

    record_id: int
    stage: str
    decisions: Mapping[str, str]
    title: str | None = None

    @property
    def votes(self) -> str:
        """``"alice=include; bob=exclude"``."""
        return "; ".join(f"{who}={what}" for who, what in self.decisions.items())


@dataclass(frozen=True)
class Agreement:
    """Cohen's kappa between two reviewers on the records both screened.

    Parameters
    ----------
    reviewer_a, reviewer_b : str
    stage : str
    n : int
        Records both reviewers decided.
    observed : float
        Proportion of agreement.
    expected : float
        Agreement expected by chance from each reviewer's marginals.
    kappa : float
        ``(observed - expected) / (1 - expected)``; NaN when ``expected == 1``.
    """

    reviewer_a: str
    reviewer_b: str
    stage: str
    n: int
    observed: float
    expected: float
    kappa: float


def find_conflicts(store: Store, stage: str) -> list[Conflict]:
    """Records whose reviewers disagree at ``stage`` and no consensus decision settles.

    Duplicates are left out.
    """
    dup = _duplicate_ids(store)
    out = []
    for rid, by_reviewer in sorted(current_decisions(store, stage).items()):
        if rid not in dup and _status(by_reviewer) == "conflict":
            out.append(Conflict(rid, stage, {k: v.decision for k, v in sorted(by_reviewer.items())}))
    if out:
        marks = ",".join("?" * len(out))
        titles = dict(store.execute(f"SELECT id, title FROM records WHERE id IN ({marks})", [c.record_id for c in out]))
        out = [Conflict(c.record_id, c.stage, c.decisions, titles.get(c.record_id)) for c in out]
    return out


def cohen_kappa(
    a: Sequence[str],
    b: Sequence[str],
    categories: Sequence[str] | None = None,
) -> float:
    """Cohen's kappa between two raters' labels of the same items.

    Parameters
    ----------
    a, b : sequence of str
        Labels, item by item (same length, at least one item).
    categories : sequence of str, optional
        The category set (default: every label seen).

    Returns
    -------
    float
        ``(p_o - p_e) / (1 - p_e)``; NaN when chance agreement ``p_e`` is 1
        (both raters used one and the same category throughout).

    Examples
    --------
    >>> round(cohen_kappa(["y"] * 25 + ["n"] * 25, ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15), 3)
    0.4
    """
    return _kappa(a, b, categories)[2]


def _kappa(a: Sequence[str], b: Sequence[str], categories: Sequence[str] | None) -> tuple[float, float, float]:
    if len(a) != len(b):
        raise ValueError(f"rater label sequences differ in length ({len(a)} vs {len(b)})")
    n = len(a)
    if n == 0:
        raise ValueError("no items rated by both raters")
    cats = list(categories) if categories is not None else sorted(set(a) | set(b))
    ca, cb = Counter(a), Counter(b)
    observed = sum(x == y for x, y in zip(a, b)) / n
    expected = sum(ca[c] * cb[c] for c in cats) / (n * n)
    kappa = math.nan if math.isclose(expected, 1.0) else (observed - expected) / (1.0 - expected)
    return observed, expected, kappa


def agreement(store: Store, stage: str) -> list[Agreement]:
    """Cohen's kappa for each pair of reviewers who decided the same records at ``stage``.

    Uses each reviewer's current decision; the ``consensus`` reviewer and
    duplicates are left out.
    """
    dup = _duplicate_ids(store)
    by_reviewer: dict[str, dict[int, str]] = defaultdict(dict)
    for rid, decisions in current_decisions(store, stage).items():
        if rid in dup:
            continue
        for who, d in decisions.items():
            if who and who != CONSENSUS_REVIEWER:
                by_reviewer[who][rid] = d.decision
    out = []
    for ra, rb in combinations(sorted(by_reviewer), 2):
        common = sorted(set(by_reviewer[ra]) & set(by_reviewer[rb]))
        if not common:
            continue
        la = [by_reviewer[ra][i] for i in common]
        lb = [by_reviewer[rb][i] for i in common]
        po, pe, k = _kappa(la, lb, DECISIONS)
        out.append(Agreement(ra, rb, stage, len(common), po, pe, k))
    return out
