"""The plain-text summary of a trial situation (what ``evsynth situate`` prints).

:func:`situation_summary` turns a :class:`~evsynth.situate.TrialSituation`, computed by
:func:`~evsynth.situate.situate_trial`, into sentences: the trial's values, the gap to the prior
studies, the pooled estimate and the meta-regression. It only formats; it selects no data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from .situate import RegimenGap, TrialSituation

__all__ = ["situation_summary"]


def _range(pair: Sequence[float | None], unit: str) -> str:
    lo, hi = pair
    if lo is None and hi is None:
        return "not reported"
    if lo == hi or hi is None:
        return f"{lo:g} {unit}".rstrip()
    return f"{lo:g}\u2013{hi:g} {unit}".rstrip()


def _mult(pair: tuple[float, float] | None) -> str:
    if pair is None:
        return "not computable"
    lo, hi = pair
    return f"{lo:.1f}\u00d7" if abs(lo - hi) < 1e-9 else f"{lo:.1f}\u2013{hi:.1f}\u00d7"


def _named(labels: Sequence[str], gap: RegimenGap, axis: str) -> str:
    """Study labels, each with its flag when the value is derived or uncertain."""
    flags = dict(gap.flags)
    return ", ".join(l + (f" \u2014 {flags[l + ':' + axis]}" if l + ":" + axis in flags else "") for l in labels)


def _gap_lines(gap: RegimenGap, s: "TrialSituation") -> list[str]:
    cfg = s.config
    xu, yu, xn, yn = s.x_unit, s.y_unit, s.x_name, s.y_name
    n = len(gap.studies)
    lines = [f"Compared with {gap.basis}:"]
    if gap.x_max is not None:
        lines.append(f"  {xn}, reported by {len(gap.x_studies)} of {n} ({', '.join(gap.x_studies)}): largest prior "
                     f"{gap.x_max:g} {xu} ({_named(gap.x_max_studies, gap, 'x')}), smallest "
                     f"{gap.x_min:g} {xu} ({_named(gap.x_min_studies, gap, 'x')}); the trial has "
                     f"{_mult(gap.x_multiple_of_largest)} the largest and {_mult(gap.x_multiple_range)} across "
                     "the prior range")
        if gap.equivalent_x_max != gap.x_max:
            lines.append(f"  {cfg.equivalence_label or 'equivalent ' + xn}: largest prior "
                         f"{gap.equivalent_x_max:g} {xu} ({', '.join(gap.equivalent_x_max_studies)}); "
                         f"the trial has {_mult(gap.equivalent_multiple_of_largest)} that")
    else:
        lines.append(f"  {xn}: no prior study reports it")
    if gap.y_max is not None:
        lines.append(f"  {yn}, reported by {len(gap.y_studies)} of {n} ({', '.join(gap.y_studies)}): largest prior "
                     f"{gap.y_max:g} {yu} ({_named(gap.y_max_studies, gap, 'y')}), "
                     f"smallest {gap.y_min:g} {yu} ({_named(gap.y_min_studies, gap, 'y')}); the trial has "
                     f"{_mult(gap.y_multiple_of_largest)} the largest and {_mult(gap.y_multiple_range)} "
                     "across the prior range")
    else:
        lines.append(f"  {yn}: no prior study reports it")
    return lines


def situation_summary(s: TrialSituation, review: Any = None) -> str:
    """Plain-text summary of a :class:`~evsynth.situate.TrialSituation` (what ``evsynth situate`` prints)."""
    cfg = s.config
    xu, yu = s.x_unit, s.y_unit
    total = ""
    if s.total_at_reference[0] is not None:
        total = (f" = {_range(tuple(round(v) if v else v for v in s.total_at_reference), cfg.total_unit)} total at "
                 f"{cfg.reference_scale:g} {cfg.reference_scale_unit}")
    lines = [f"{s.nct_id}{'' if s.trial_label == s.nct_id else f' ({s.trial_label})'}: {_range(s.x, xu)} over "
             f"{_range(s.y, yu)}{total}"]
    if s.status:
        lines.append(f"Status: {s.status}.")
    if s.population:
        lines.append(f"Population: {s.population}.")
    for o in s.registered_outcomes:
        lines.append(f"Registered outcome: {o}.")
    if s.comparability_note:
        lines.append("Not comparable with the pooled estimate: " + s.comparability_note)
    if s.trial_meets_floor is not None:
        lines.append(f"{cfg.floor_label or 'Threshold'}: the trial {'meets' if s.trial_meets_floor else 'does not meet'}"
                     f" it; prior studies meeting it: {', '.join(s.prior_meeting_floor) or 'none'}"
                     + (f"; possibly, resting on an uncertain value: {', '.join(s.prior_possibly_meeting_floor)}"
                        if s.prior_possibly_meeting_floor else "") + ".")
    lines += _gap_lines(s.all_prior, s)
    if s.pooled_prior is not None and s.pooled_prior.studies != s.all_prior.studies:
        lines += _gap_lines(s.pooled_prior, s)
    if s.not_placed:
        lines.append(f"Not placed on the map ({s.x_name} or {s.y_name} not reported): "
                     + "; ".join(s.not_placed) + ".")
    if s.pooled is not None:
        p = s.pooled
        what = "proportion" if p.measure in ("PLO", "PR", "PAS", "PFT") else "estimate"
        lines.append(
            f"Pooled {what} in prior studies: {p.estimate:.2f} ({p.level:g}% CI {p.ci_low:.2f} to {p.ci_high:.2f}"
            + (f"; prediction interval {p.pi_low:.2f} to {p.pi_high:.2f}" if p.pi_low is not None else "")
            + f"), k = {p.k}" + (f", {p.n_patients} patients" if p.n_patients else "")
            + f", {p.method}, {p.measure} scale, I\u00b2 = {p.i2:.0f}%.")
        if p.pi_low is not None and (p.tau2 == 0 or p.k < 5):
            lines.append("  The prediction interval " + ("equals the CI only because \u03c4\u00b2 was estimated at 0 "
                                                        "(truncated)" if p.tau2 == 0 else f"rests on k = {p.k} studies")
                         + "; it does not show that the studies agree.")
        g = s.pooled_prior
        if g is not None and g.x_max is not None and g.y_max is not None:
            lines.append(f"  These studies have {s.x_name} {g.x_min:g}\u2013{g.x_max:g} {xu} and {s.y_name} "
                         f"{g.y_min:g}\u2013{g.y_max:g} {yu}; the pooled estimate describes them, not the trial.")
        if cfg.prior_note:
            lines.append("  " + cfg.prior_note)
    lines.append(s.metaregression_note)
    for pr in s.prediction:
        lines.append(f"  EXTRAPOLATION (k = {pr.k}, studied values {pr.data_range[0]:g}\u2013"
                     f"{pr.data_range[1]:g} {xu}): predicted value at {pr.x:g} {xu} "
                     f"{pr.estimate:.2f} (CI {pr.ci_low:.2f} to {pr.ci_high:.2f})" if pr.extrapolation else
                     f"  predicted value at {pr.x:g} {xu} {pr.estimate:.2f} "
                     f"(CI {pr.ci_low:.2f} to {pr.ci_high:.2f}, k = {pr.k})")
    lines += list(s.notes)
    return "\n".join(lines)
