"""The review's pooled outcome from ``extracted/``: responders after a ketamine infusion.

Which row each study contributes is recorded in ``outcomes.csv`` (column
``analysis``), not chosen here:

* ``main`` — Sörensen 1995 (8/11, derived from wording, uncertain),
  Graven-Nielsen 2000 (17/29), Noppers 2011 at 15 min (8/12 ketamine; 3/12
  midazolam for the risk ratio), Cohen 2006 with the review's >50% cut-off (18/34).
* ``sensitivity`` — Cohen 2006 with the abstract's 67% cut-off (13/34), used
  instead of its main row when ``cutoff=67``.

Single-arm measures (PLO, PR, PFT, PAS) use the ketamine arm of every study;
two-group measures (RR, OR, RD) use the studies with a control arm at the
same timepoint (only Noppers 2011).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._core import BINARY_MEASURES, PROPORTION_MEASURES, EffectSizes
from .binary import two_by_two
from .proportions import proportion
from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from ..extraction import Extraction, Outcome

#: Measures :func:`responder_effects` accepts.
RESPONDER_MEASURES = PROPORTION_MEASURES + BINARY_MEASURES

_CONTROL_ARMS = ("placebo", "active_placebo")


def _pick(extraction: "Extraction", timepoint: str | None, cutoff: float | None) -> list["Outcome"]:
    """Ketamine-arm responder rows, one per study."""
    rows = [o for o in extraction.outcomes if o.outcome_type == "responders" and o.arm == "ketamine"
            and o.events is not None and o.total is not None]
    chosen: dict[str, "Outcome"] = {}
    for o in rows:
        if timepoint is None:
            if o.analysis == "main":
                chosen.setdefault(o.study_id, o)
        elif o.timepoint == timepoint and o.analysis in ("main", "secondary", "sensitivity"):
            if o.analysis == "main" or o.study_id not in chosen:
                chosen[o.study_id] = o
    if cutoff is not None:
        for o in rows:
            if o.cutoff_percent == cutoff and o.study_id in chosen and o.analysis in ("main", "sensitivity") \
                    and (timepoint is None or o.timepoint == timepoint):
                chosen[o.study_id] = o
    order = [s.study_id for s in extraction.studies]
    return sorted(chosen.values(), key=lambda o: order.index(o.study_id))


def responder_effects(
    extraction: "Extraction",
    measure: str = "PLO",
    timepoint: str | None = None,
    cutoff: float | None = None,
    **escalc_options: object,
) -> EffectSizes:
    """Effect sizes of the proportion of responders (≥ 50 % pain reduction) after ketamine.

    Parameters
    ----------
    extraction : Extraction
        From :func:`evsynth.extraction.load_extracted`.
    measure : str
        ``PLO`` (default), ``PR``, ``PFT``, ``PAS`` — ketamine arm of each study
        (single-arm view); or ``RR``, ``OR``, ``RD`` — ketamine vs control in the
        studies that have a control arm (Noppers 2011, active placebo).
    timepoint : str, optional
        ``None`` uses each study's ``main`` row (shortly after the infusion); a
        vocabulary timepoint (e.g. ``"180min"``) uses the rows at that time.
    cutoff : float, optional
        Use the rows with this responder cut-off where a study reports several
        (``67`` → Cohen 2006's abstract cut-off; the sensitivity analysis).
    **escalc_options
        ``add``, ``to``, ``drop00`` passed to the effect-size function.

    Returns
    -------
    EffectSizes
        ``labels`` are study labels; ``study_ids``/``outcome_ids`` say which rows were used
        (for two-group measures, the ketamine row's id).
    """
    m = measure.upper()
    if m not in RESPONDER_MEASURES:
        raise InputError(f"responder_effects measure must be one of {', '.join(RESPONDER_MEASURES)}", field="measure")
    rows = _pick(extraction, timepoint, cutoff)
    labels = {s.study_id: s.label for s in extraction.studies}
    if m in PROPORTION_MEASURES:
        if not rows:
            raise InputError(f"no responder rows for timepoint={timepoint!r}, cutoff={cutoff!r}", field="timepoint")
        es = proportion(m, [o.events for o in rows], [o.total for o in rows], **escalc_options)  # type: ignore[arg-type]
        return EffectSizes(m, es.yi, es.vi, labels=tuple(labels[o.study_id] for o in rows),
                           study_ids=tuple(o.study_id for o in rows), outcome_ids=tuple(o.outcome_id for o in rows),
                           ni=es.ni, notes=es.notes)
    pairs = []
    for o in rows:
        controls = [c for c in extraction.outcomes
                    if c.study_id == o.study_id and c.outcome == o.outcome and c.timepoint == o.timepoint
                    and c.arm in _CONTROL_ARMS and c.outcome_type == "responders"
                    and c.events is not None and c.total is not None]
        if controls:
            pairs.append((o, controls[0]))
    if not pairs:
        raise InputError(f"no two-group responder data for timepoint={timepoint!r}", field="timepoint")
    es = two_by_two(m, [o.events for o, _ in pairs], [c.events for _, c in pairs],
                    n1i=[o.total for o, _ in pairs], n2i=[c.total for _, c in pairs], **escalc_options)  # type: ignore[arg-type]
    return EffectSizes(m, es.yi, es.vi, labels=tuple(labels[o.study_id] for o, _ in pairs),
                       study_ids=tuple(o.study_id for o, _ in pairs),
                       outcome_ids=tuple(o.outcome_id for o, _ in pairs), ni=es.ni, notes=es.notes)


def outcome_effects(
    folder: str = "extracted",
    measure: str = "PLO",
    outcome: str = "responders",
    timepoint: str | None = None,
    cutoff: float | None = None,
) -> EffectSizes:
    """Load ``folder`` and compute the per-study effect table of ``outcome`` (the CLI's ``evsynth effects``).

    Parameters
    ----------
    folder : str
        The extraction folder.
    measure : str
        See :func:`responder_effects`.
    outcome : {"responders"}
        The outcome; the extracted data hold responder counts only (continuous
        outcomes are narrative, without numbers).
    timepoint, cutoff
        See :func:`responder_effects`.

    Returns
    -------
    EffectSizes
    """
    from ..extraction import load_extracted

    if outcome != "responders":
        raise InputError(f"unknown outcome {outcome!r}; extracted/ holds numbers for 'responders' only",
                         field="outcome")
    return responder_effects(load_extracted(folder), measure, timepoint=timepoint, cutoff=cutoff)
