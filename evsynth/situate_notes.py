"""Sentences of the trial situation that rest on flags and enrolment criteria.

:func:`value_flag` states how a value of ``extracted/`` was derived or why it is uncertain (so a
sentence that quotes it carries the flag); :func:`comparability_note` says why a trial of patients
who had already received treatments cannot be set beside a pooled estimate of untreated patients.
"""

from __future__ import annotations

from typing import Any, Sequence

__all__ = ["value_flag", "comparability_note"]


def value_flag(extraction: Any, table: str, record_id: str, field: str) -> str | None:
    """"derived, uncertain: <how>" for a value flagged in ``provenance.csv``, else None."""
    for p in getattr(extraction, "provenance", ()):
        if p.table == table and p.record_id == record_id and p.field == field:
            kinds = [k for k, on in (("derived", p.derived), ("uncertain", p.uncertain)) if on]
            if not kinds:
                return None
            why = "; ".join(x for x in (p.derivation, p.note) if x)
            return ", ".join(kinds) + (f": {why}" if why else "")
    return None


def comparability_note(trial: Any, pooled_prior: Sequence[Any], cfg: Any, extraction: Any = None) -> str:
    """Why a trial of pre-treated patients cannot be set beside the pooled estimate ('' if nothing says so).

    Computed from the trial's ``[situate] prior_exposure`` covariate, the pooled studies' ``exposures`` and,
    when ``extraction`` is given, whether any pooled study records a ``prior_exposure`` of its own.
    """
    if not cfg.prior_exposure:
        return ""
    lo, hi = trial.range(cfg.prior_exposure)
    if not lo and not hi:
        return ""
    noun = cfg.exposure_noun
    prior_txt = f"{lo:g}" if hi in (None, lo) else f"{lo:g}\u2013{hi:g}" if lo is not None else f"{hi:g}"
    single = [p.label for p in pooled_prior if p.exposures == 1]
    unknown = [p.label for p in pooled_prior if p.exposures is None]
    more = [f"{p.label} ({p.exposures})" for p in pooled_prior if p.exposures not in (None, 1)]
    basis = []
    if single:
        basis.append("one in " + ", ".join(single))
    if more:
        basis.append("several in " + ", ".join(more))
    if unknown:
        basis.append(f"number of {noun} not reported in " + ", ".join(unknown))
    with_prior = []
    if extraction is not None:
        for p in pooled_prior:
            lo_p, hi_p = extraction.study(p.study_id).range(cfg.prior_exposure)
            if lo_p or hi_p:
                with_prior.append(p.label)
    recorded = (f"prior {noun} recorded for none of the pooled studies" if not with_prior
                else f"prior {noun} recorded only for {', '.join(with_prior)}")
    return (f"{trial.label} enrols patients who had already received at least {prior_txt} {noun} before the one "
            f"it assesses. Patients go on to further {noun} when earlier ones were tolerated and helped, so its "
            "response is measured in a group selected by earlier response; the pooled estimate comes from patients "
            f"not selected that way ({recorded}; {noun} given: "
            + "; ".join(basis) + "). Comparing the trial's responder rate with the pooled rate would overstate "
            f"the effect of one of its {noun}.")
