"""Effect sizes from the rows of ``outcomes.csv``: which rows, then escalc.

:func:`select_rows` picks one row per study for an arm (by role, or at a
timepoint, optionally swapping in alternative rows); :func:`arm_effects`
turns them into :class:`EffectSizes` for any escalc measure — single-group
(PR, PLO, PAS, PFT from events/total; MC, SMCC, SMCR from pre-post rows; GEN
from yi/vi) or two-group (RR, OR, RD from events/total; MD, SMD, ROM from
means), pairing each row with the first control-arm row of the same study,
outcome and timepoint. What a review pools is declared in its
``review.toml`` (:mod:`evsynth.project`), not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ._core import (
    BINARY_MEASURES,
    CONTINUOUS_MEASURES,
    MEASURES,
    PAIRED_MEASURES,
    PROPORTION_MEASURES,
    EffectSizes,
)
from ..errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from ..extraction import Extraction, Outcome

__all__ = ["RowSpec", "select_rows", "arm_effects", "control_row", "TWO_GROUP_MEASURES", "SINGLE_GROUP_MEASURES"]

TWO_GROUP_MEASURES = BINARY_MEASURES + CONTINUOUS_MEASURES
SINGLE_GROUP_MEASURES = PROPORTION_MEASURES + PAIRED_MEASURES + ("GEN",)
_USED_ROLES = ("main", "secondary", "sensitivity")


@dataclass(frozen=True)
class RowSpec:
    """Which rows of ``outcomes.csv`` an analysis uses.

    Attributes
    ----------
    arm : str
        The (experimental) arm; empty = any arm.
    control : tuple of str
        Control arms for two-group measures.
    outcome : tuple of str
        Values of the ``outcome`` column (empty = any).
    outcome_type : str or None
    timepoint : str or None
        None: each study's row with ``role``; else rows at this timepoint (role main preferred).
    role : str
    where : mapping
        Alternative rows: rows of the chosen studies with these field values (and role ``role`` or
        ``sensitivity``) replace the chosen ones.
    """

    arm: str = ""
    control: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    outcome_type: str | None = None
    timepoint: str | None = None
    role: str = "main"
    where: Mapping[str, Any] | None = None


def _has_numbers(o: "Outcome", measure: str) -> bool:
    if measure in BINARY_MEASURES + PROPORTION_MEASURES:
        return o.events is not None and o.total is not None
    if measure == "GEN":
        return o.yi is not None and o.vi is not None
    if measure in PAIRED_MEASURES:
        return o.mean is not None and o.mean_pre is not None and o.n is not None
    return o.n is not None and (o.mean is not None or o.median is not None)


def _matches(o: "Outcome", spec: RowSpec, arms: Sequence[str]) -> bool:
    return ((not arms or o.arm in arms) and (not spec.outcome or o.outcome in spec.outcome)
            and (spec.outcome_type is None or o.outcome_type == spec.outcome_type))


def _equal(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, (int, float)) and not isinstance(wanted, bool) and value is not None:
        try:
            return float(value) == float(wanted)
        except (TypeError, ValueError):
            return False
    return value == wanted


def select_rows(extraction: "Extraction", spec: RowSpec, measure: str = "PLO") -> list["Outcome"]:
    """One row per study of ``spec.arm`` with usable numbers for ``measure``, in ``studies.csv`` order."""
    m = measure.upper()
    rows = [o for o in extraction.outcomes if _matches(o, spec, (spec.arm,) if spec.arm else ())
            and _has_numbers(o, m)]
    chosen: dict[str, "Outcome"] = {}
    for o in rows:
        if spec.timepoint is None:
            if o.analysis == spec.role:
                chosen.setdefault(o.study_id, o)
        elif o.timepoint == spec.timepoint and o.analysis in _USED_ROLES:
            if o.analysis == spec.role or o.study_id not in chosen:
                chosen[o.study_id] = o
    if spec.where:
        for o in rows:
            if o.study_id in chosen and o.analysis in (spec.role, "sensitivity") \
                    and (spec.timepoint is None or o.timepoint == spec.timepoint) \
                    and all(_equal(getattr(o, k, None), v) for k, v in spec.where.items()):
                chosen[o.study_id] = o
    order = {s.study_id: i for i, s in enumerate(extraction.studies)}
    return sorted(chosen.values(), key=lambda o: order.get(o.study_id, len(order)))


def _sd(o: "Outcome") -> tuple[float | None, float | None, str | None]:
    """(mean, sd, note) of a continuous row, converting SE, CI or the five-number summary."""
    from .conversions import ci_to_sd, conv_fivenum, se_to_sd

    if o.mean is not None and o.sd is not None:
        return o.mean, o.sd, None
    if o.mean is not None and o.se is not None:
        return o.mean, float(se_to_sd([o.se], [o.n])[0]), f"{o.outcome_id}: SD from SE"
    if o.mean is not None and o.ci_lb is not None and o.ci_ub is not None:
        return o.mean, float(ci_to_sd([o.ci_lb], [o.ci_ub], [o.n])[0]), f"{o.outcome_id}: SD from the CI"
    if o.median is not None:
        est = conv_fivenum(min=[o.min] if o.min is not None else None, q1=[o.q1] if o.q1 is not None else None,
                           median=[o.median], q3=[o.q3] if o.q3 is not None else None,
                           max=[o.max] if o.max is not None else None, n=[o.n])
        return float(est.mean[0]), float(est.sd[0]), f"{o.outcome_id}: mean and SD from the median summary"
    return o.mean, None, None


def control_row(extraction: "Extraction", o: "Outcome", spec: RowSpec, measure: str) -> "Outcome | None":
    """The first control-arm row (in ``spec.control`` order) of the same study, outcome and timepoint as ``o``."""
    for arm in spec.control:
        for c in extraction.outcomes:
            if (c.study_id == o.study_id and c.outcome == o.outcome and c.timepoint == o.timepoint
                    and c.arm == arm and c.outcome_type == o.outcome_type and _has_numbers(c, measure)):
                return c
    return None


def arm_effects(extraction: "Extraction", spec: RowSpec, measure: str = "PLO", *, ri: float | None = None,
                **escalc_options: Any) -> EffectSizes:
    """Effect sizes of the rows ``spec`` selects (see the module docstring).

    Parameters
    ----------
    extraction : Extraction
    spec : RowSpec
    measure : str
        Any escalc measure evsynth supports.
    ri : float, optional
        Pre-post correlation for MC, SMCC, SMCR (required there; not extracted).
    **escalc_options
        ``add``, ``to``, ``drop00``, ``vtype`` passed to :func:`~evsynth.effects.escalc`.

    Returns
    -------
    EffectSizes
        ``labels`` are study labels; ``study_ids``/``outcome_ids`` name the rows used (for
        two-group measures, the experimental arm's row).

    Raises
    ------
    InputError
        Unknown measure, or no rows with usable numbers.
    """
    from .escalc import escalc

    m = measure.upper()
    if m not in MEASURES:
        raise InputError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}", field="measure")
    rows = select_rows(extraction, spec, m)
    labels = {s.study_id: s.label for s in extraction.studies}
    where = (f"arm {spec.arm!r}" + (f", outcome {'/'.join(spec.outcome)}" if spec.outcome else "")
             + (f", timepoint {spec.timepoint!r}" if spec.timepoint else f", role {spec.role!r}"))
    notes: list[str] = []
    if m in TWO_GROUP_MEASURES:
        pairs = [(o, c) for o in rows if (c := control_row(extraction, o, spec, m)) is not None]
        if not pairs:
            raise InputError(f"no two-group data for {m} ({where}, control {'/'.join(spec.control) or 'none'})",
                             field="timepoint" if spec.timepoint else "arm")
        if m in BINARY_MEASURES:
            es = escalc(m, ai=[o.events for o, _ in pairs], ci=[c.events for _, c in pairs],
                        n1i=[o.total for o, _ in pairs], n2i=[c.total for _, c in pairs], **escalc_options)
        else:
            e = [_sd(o) for o, _ in pairs]
            c = [_sd(c) for _, c in pairs]
            notes += [n for _, _, n in e + c if n]
            es = escalc(m, m1i=[x[0] for x in e], sd1i=[x[1] for x in e], n1i=[o.n for o, _ in pairs],
                        m2i=[x[0] for x in c], sd2i=[x[1] for x in c], n2i=[c.n for _, c in pairs], **escalc_options)
        used = [o for o, _ in pairs]
    else:
        if not rows:
            raise InputError(f"no rows with usable numbers for {m} ({where})",
                             field="timepoint" if spec.timepoint else "arm")
        if m in PROPORTION_MEASURES:
            es = escalc(m, xi=[o.events for o in rows], ni=[o.total for o in rows], **escalc_options)
        elif m == "GEN":
            es = escalc(m, yi=[o.yi for o in rows], vi=[o.vi for o in rows])
        else:
            if ri is None:
                raise InputError(f"{m} needs the pre-post correlation ri (not extracted): pass ri=", field="ri")
            post = [_sd(o) for o in rows]
            notes += [n for _, _, n in post if n]
            es = escalc(m, m1i=[x[0] for x in post], sd1i=[x[1] for x in post],
                        m2i=[o.mean_pre for o in rows], sd2i=[o.sd_pre for o in rows], ni=[o.n for o in rows],
                        ri=[ri] * len(rows), **escalc_options)
        used = rows
    return EffectSizes(m, es.yi, es.vi, labels=tuple(labels.get(o.study_id, o.study_id) for o in used),
                       study_ids=tuple(o.study_id for o in used), outcome_ids=tuple(o.outcome_id for o in used),
                       ni=es.ni,
                       notes=tuple(es.notes) + tuple(notes))
