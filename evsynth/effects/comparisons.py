"""All controlled evidence: every two-group comparison at every extracted timepoint, and timepoint choices.

:func:`controlled_comparisons` finds, in ``outcomes.csv``, every study × outcome × timepoint with a
responder row for an intervention arm and one for a control arm, and computes the effect (RR by
default, metafor's ``escalc`` conventions including the ½ continuity correction for zero cells)
for each, so no timepoint is left out because another one is more favourable. Nothing is pooled
across timepoints of one study.

:func:`later_timepoint_rows` gives the declared timepoint sensitivity analysis: for each row of an
analysis, the same study's row at the next later extracted timepoint (same outcome and arm) where
one exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from ..errors import InputError
from .binary import two_by_two

__all__ = ["CONTROL_ARMS", "Comparison", "controlled_comparisons", "later_timepoint_rows", "TimepointSwap",
           "cutoff_phrase"]

#: Arms that are controls (outcomes.csv vocabulary); every other arm is an intervention arm.
CONTROL_ARMS: tuple[str, ...] = ("placebo", "active_placebo")


@dataclass(frozen=True)
class Comparison:
    """One intervention-vs-control comparison at one timepoint (effect back-transformed for ratios)."""

    study_id: str
    label: str
    outcome: str
    timepoint: str | None
    treatment_arm: str
    control_arm: str
    events_treatment: int
    total_treatment: int
    events_control: int
    total_control: int
    measure: str
    yi: float
    vi: float
    estimate: float
    ci_low: float
    ci_high: float
    outcome_ids: tuple[str, str]
    analysis: str
    notes: tuple[str, ...] = ()

    def counts(self) -> str:
        """``8/12 vs 3/12``."""
        return f"{self.events_treatment}/{self.total_treatment} vs {self.events_control}/{self.total_control}"


def _timepoint_order(extraction: Any) -> dict[str, int]:
    """Timepoints in the order ``review.toml`` declares them (else their order of first use in outcomes.csv)."""
    declared = list(getattr(getattr(extraction, "review", None), "timepoints", None) or ())
    for o in extraction.outcomes:
        if o.timepoint and o.timepoint not in declared:
            declared.append(o.timepoint)
    return {t: i for i, t in enumerate(declared)}


def _control_arms(extraction: Any) -> tuple[str, ...]:
    """The control arms the review's analyses declare (``control = [...]``), else :data:`CONTROL_ARMS`."""
    arms = [a for an in getattr(getattr(extraction, "review", None), "analyses", ()) or ()
            for a in (getattr(an, "control", None) or ())]
    return tuple(dict.fromkeys(arms)) or CONTROL_ARMS


def controlled_comparisons(extraction: Any, measure: str = "RR", *, control_arms: Sequence[str] | None = None,
                           level: float = 95.0, **escalc_options: Any) -> tuple[Comparison, ...]:
    """Every comparison of an intervention arm with a control arm at every timepoint extracted.

    Parameters
    ----------
    extraction : Extraction
    measure : {"RR", "OR", "RD"}
    control_arms : sequence of str, optional
        Arms counted as controls; default the control arms the review's analyses declare.
    level : float
        Confidence level of the per-comparison CI (Wald, on the analysis scale).
    **escalc_options
        ``add``, ``to``, ``drop00`` as for :func:`evsynth.effects.two_by_two`.

    Returns
    -------
    tuple of Comparison
        In ``studies.csv`` order, then by the vocabulary order of timepoints.
    """
    from scipy import stats

    m = measure.upper()
    if m not in ("RR", "OR", "RD"):
        raise InputError("controlled_comparisons measure must be RR, OR or RD", field="measure")
    control_arms = tuple(control_arms) if control_arms is not None else _control_arms(extraction)
    rows = [o for o in extraction.outcomes if o.outcome_type in ("responders", "events") and o.events is not None
            and o.total is not None]
    labels = {s.study_id: s.label for s in extraction.studies}
    order = {s.study_id: i for i, s in enumerate(extraction.studies)}
    tp = _timepoint_order(extraction)
    pairs = []
    for t in rows:
        if t.arm in control_arms:
            continue
        for c in rows:
            if (c.arm in control_arms and c.study_id == t.study_id and c.outcome == t.outcome
                    and c.timepoint == t.timepoint and c.cutoff_percent == t.cutoff_percent):
                pairs.append((t, c))
    pairs.sort(key=lambda p: (order.get(p[0].study_id, 0), p[0].outcome, tp.get(p[0].timepoint or "", 99)))
    if not pairs:
        return ()
    es = two_by_two(m, [t.events for t, _ in pairs], [c.events for _, c in pairs],
                    n1i=[t.total for t, _ in pairs], n2i=[c.total for _, c in pairs], **escalc_options)
    z = float(stats.norm.isf((100 - level) / 200))
    out = []
    back = math.exp if m in ("RR", "OR") else (lambda v: v)
    for (t, c), y, v in zip(pairs, es.yi, es.vi):
        notes = []
        if 0 in (t.events, c.events, t.total - t.events, c.total - c.events):
            notes.append("zero cell: ½ added to each cell (metafor's default)")
        half = z * math.sqrt(v)
        out.append(Comparison(t.study_id, labels.get(t.study_id, t.study_id), t.outcome, t.timepoint, t.arm, c.arm,
                              t.events, t.total, c.events, c.total, m, float(y), float(v), back(float(y)),
                              back(float(y) - half), back(float(y) + half), (t.outcome_id, c.outcome_id),
                              t.analysis, tuple(notes)))
    return tuple(out)


@dataclass(frozen=True)
class TimepointSwap:
    """A row replaced by the same study's row at a later timepoint."""

    study_id: str
    label: str
    from_outcome_id: str
    from_timepoint: str | None
    to_outcome_id: str
    to_timepoint: str | None


def later_timepoint_rows(extraction: Any, outcome_ids: Sequence[str]) -> tuple[tuple[str, ...], tuple[TimepointSwap, ...]]:
    """For each row of an analysis, the same study's row at the next later timepoint (same outcome, arm, cut-off).

    Returns
    -------
    (tuple of str, tuple of TimepointSwap)
        The outcome ids of the alternative analysis (unchanged where a study has no later row) and
        the swaps made. No swap at all means the alternative equals the main analysis.
    """
    tp = _timepoint_order(extraction)
    by_id = {o.outcome_id: o for o in extraction.outcomes}
    labels = {s.study_id: s.label for s in extraction.studies}
    new_ids, swaps = [], []
    for oid in outcome_ids:
        o = by_id[oid]
        here = tp.get(o.timepoint or "", -1)
        later = [r for r in extraction.outcomes
                 if r.study_id == o.study_id and r.outcome == o.outcome and r.arm == o.arm
                 and r.cutoff_percent == o.cutoff_percent and r.outcome_type == o.outcome_type
                 and r.events is not None and r.total is not None and tp.get(r.timepoint or "", -1) > here]
        if o.timepoint is None or not later:
            new_ids.append(oid)
            continue
        nxt = min(later, key=lambda r: tp[r.timepoint])
        new_ids.append(nxt.outcome_id)
        swaps.append(TimepointSwap(o.study_id, labels.get(o.study_id, o.study_id), oid, o.timepoint, nxt.outcome_id,
                                   nxt.timepoint))
    return tuple(new_ids), tuple(swaps)


def cutoff_phrase(extraction: Any, outcome_ids: Sequence[str]) -> str:
    """The cut-offs of the rows used, as the studies word them: ``">50% or ≥50%"`` ('' when none is stated).

    Each row's ``definition`` is searched for its comparison and percentage (``>50%``, ``≥50%``,
    ``at least 50%``, ``more than 50%``); a row without one falls back to ``cutoff_percent``
    (``"50% (wording not stated)"``). This is what ``{cutoffs}`` in ``review.toml`` texts becomes.
    """
    import re

    found: list[str] = []
    rows = {o.outcome_id: o for o in extraction.outcomes}
    for oid in outcome_ids:
        o = rows.get(oid)
        if o is None:
            continue
        m = re.search(r"(>=|≥|>|at least|more than)\s*(\d+(?:\.\d+)?)\s*%", o.definition or "")
        if m:
            op = {">=": "\u2265", "at least": "\u2265", "more than": ">"}.get(m.group(1), m.group(1))
            text = f"{op}{m.group(2)}%"
        elif o.cutoff_percent is not None:
            text = f"{o.cutoff_percent:g}% (wording not stated)"
        else:
            continue
        if text not in found:
            found.append(text)
    return " or ".join(found)
