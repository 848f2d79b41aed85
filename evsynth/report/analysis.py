"""One report section per analysis declared in ``review.toml``.

:func:`analysis_section` fits the analysis and its declared sensitivity
analyses and draws its figures (forest, leave-one-out, cumulative; funnel and
Egger's test when k ≥ 10; a bubble plot per numeric moderator when k ≥ 10;
subgroups when declared). Values are shown back-transformed where the
measure calls for it (RR/OR/ROM as ratios, proportions for PLO/PR/PAS/PFT).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import InputError
from ..project.analyses import analysis_effects, back_transformed, natural_scale, row_spec, summarise_fit
from ._util import SCALE_NAMES, jsonable

__all__ = ["analysis_section", "fit_row", "MIN_K_BIAS"]

#: Fewest studies for funnel plots, Egger's test and meta-regression (Cochrane Handbook 10.11.5.1, 13.3.5.4).
MIN_K_BIAS = 10
_NUMERIC = ("events", "total", "mean", "sd", "n", "median", "q1", "q3", "min", "max", "se", "ci_lb", "ci_ub",
            "mean_pre", "sd_pre", "yi", "vi")


def fit_row(name: str, res: Any, ni: Any = None, note: str = "") -> dict[str, Any]:
    """One row of a sensitivity table: the pooled estimate of ``res``, back-transformed."""
    from ..situate import pooled_estimate

    row = {"analysis": name, **jsonable(pooled_estimate(res, ni))}
    row.update({"knha": bool(getattr(res, "knha", False)), "q": float(res.q), "q_p": float(res.q_p), "note": note})
    return row


def _fit(es: Any, analysis: Any, **kw: Any) -> Any:
    from ..meta import fit

    opts = {"method": analysis.method, "knha": analysis.knha, "level": analysis.level, **kw}
    return fit(es.yi, es.vi, measure=es.measure, labels=list(es.labels), **opts)


def _columns(extraction: Any, analysis: Any, es: Any) -> dict[str, list[str]]:
    """Per-arm data columns of the forest plot."""
    from ..plots import arm_columns

    outcome = {o.outcome_id: o for o in extraction.outcomes}
    rows = [outcome[o] for o in es.outcome_ids]
    arm = analysis.arm_label or analysis.arm.replace("_", " ").capitalize() or "Arm"
    control_rows = []
    if analysis.control:
        from ..effects.rows import control_row

        spec = row_spec(analysis)
        control_rows = [control_row(extraction, o, spec, es.measure) for o in rows]
    cols: dict[str, list[str]] = {}
    if es.measure in ("GEN",):
        return cols
    binary = rows and rows[0].events is not None and es.measure not in ("MD", "SMD", "ROM", "MC", "SMCC", "SMCR")
    if binary:
        cols.update(arm_columns(arm, events=[o.events for o in rows], total=[o.total for o in rows]))
        if control_rows:
            name = analysis.control_label or "Control"
            cols.update(arm_columns(name, events=[c.events for c in control_rows], total=[c.total for c in control_rows]))
    else:
        cols.update(arm_columns(arm, mean=[o.mean for o in rows], sd=[o.sd for o in rows], total=[o.n for o in rows]))
        if control_rows:
            name = analysis.control_label or "Control"
            cols.update(arm_columns(name, mean=[c.mean for c in control_rows], sd=[c.sd for c in control_rows],
                                    total=[c.n for c in control_rows]))
    return cols


def _derived_ids(validation: Any, outcome_ids: Sequence[str]) -> list[Any]:
    used = set(outcome_ids)
    return [d for d in validation.derived if d.table == "outcomes" and d.record_id in used and d.field in _NUMERIC]


def _sensitivity(extraction: Any, analysis: Any, es: Any, res: Any, main: dict[str, Any], derived_ids: set[str]
                 ) -> tuple[list[dict], list[str], Any]:
    from ..meta import leave_one_out

    sens = analysis.sensitivity
    rows, notes = [main], []
    if sens.knha and not analysis.knha:
        rows.append(fit_row(f"Knapp-Hartung CI ({analysis.method})", _fit(es, analysis, knha=True), es.ni))
    for method in sens.estimators:
        try:
            alt = _fit(es, analysis, method=method, knha=False)
        except (InputError, ValueError) as exc:
            notes.append(f"Estimator {method} not available: {exc}")
            continue
        rows.append(fit_row(f"Estimator {method}", alt, es.ni))
    for measure in sens.measures:
        try:
            other = analysis_effects(extraction, analysis, measure=measure)
        except InputError as exc:
            notes.append(f"Measure {measure} not available: {exc}")
            continue
        rows.append(fit_row(f"{SCALE_NAMES.get(measure, (measure,))[0][:1].upper()}"
                            f"{SCALE_NAMES.get(measure, (measure,))[0][1:]}, {analysis.method}",
                            _fit(other, analysis, knha=False), other.ni))
    for alt in sens.alternatives:
        try:
            other = analysis_effects(extraction, analysis, where=alt.where)
        except InputError as exc:
            notes.append(f"{alt.label} not available: {exc}")
            continue
        changed = [(l, o) for l, o, b in zip(other.labels, other.outcome_ids, es.outcome_ids) if o != b]
        rows.append(fit_row(alt.label, _fit(other, analysis, knha=False), other.ni,
                            note="uses " + ", ".join(f"{l} ({o})" for l, o in changed) if changed else "no row changed"))
    if sens.exclude_derived:
        keep = [i for i, o in enumerate(es.outcome_ids) if o not in derived_ids]
        dropped = [es.labels[i] for i in range(len(es.labels)) if i not in keep]
        what = "counts" if es.measure in ("PLO", "PR", "PAS", "PFT", "RR", "OR", "RD") else "values"
        if dropped and len(keep) >= 2:
            from ..meta import fit

            sub = fit(es.yi[keep], es.vi[keep], method=analysis.method, measure=es.measure,
                      labels=[es.labels[i] for i in keep], level=analysis.level)
            rows.append(fit_row(f"Excluding derived or uncertain {what}", sub,
                                None if es.ni is None else es.ni[keep], note="omits " + ", ".join(dropped)))
        elif dropped:
            notes.append(f"Excluding derived or uncertain {what} leaves fewer than 2 studies: not fitted.")
    loo = None
    if sens.leave_one_out and res.k >= 3:
        loo = leave_one_out(res)
        for _, r in loo.to_frame().iterrows():
            rows.append({"analysis": f"Omitting {r['omitted']}", "k": int(res.k) - 1, "measure": res.measure,
                         "method": res.method, "knha": bool(res.knha),
                         "estimate": back_transformed(res.measure, r["estimate"]),
                         "ci_low": back_transformed(res.measure, r["ci_low"]),
                         "ci_high": back_transformed(res.measure, r["ci_high"]), "pi_low": None, "pi_high": None,
                         "i2": jsonable(r.get("i2")), "tau2": jsonable(r.get("tau2")), "q": None, "q_p": None,
                         "studies": [l for l in res.labels if l != r["omitted"]], "note": "leave-one-out"})
    return rows, notes, loo


def _order(extraction: Any, es: Any, key: str) -> list[int]:
    def value(i: int) -> Any:
        s = extraction.study(es.study_ids[i])
        v = s.value(key)
        return (v is None, v if v is not None else 0)

    return sorted(range(len(es.labels)), key=value)


def _moderators(extraction: Any, analysis: Any, es: Any, res: Any, section: dict, figures: dict, prefix: str) -> None:
    """Meta-regression (and a bubble plot per numeric moderator) and subgroups, when k allows."""
    from ..meta import fit, subgroup

    review = extraction.review
    studies = [extraction.study(s) for s in es.study_ids]
    if analysis.moderators:
        if res.k < MIN_K_BIAS:
            section["notes"].append(f"Meta-regression on {', '.join(analysis.moderators)} is not done: k = {res.k}, "
                                    f"fewer than the {MIN_K_BIAS} studies the Cochrane Handbook (10.11.5.1) asks for.")
        else:
            mods = {m: [s.value(m) for s in studies] for m in analysis.moderators}
            keep = [i for i in range(len(studies)) if all(mods[m][i] is not None for m in mods)]
            mr = fit(es.yi[keep], es.vi[keep], method=analysis.method, knha=analysis.knha, level=analysis.level,
                     measure=es.measure, labels=[es.labels[i] for i in keep],
                     moderators={m: [mods[m][i] for i in keep] for m in mods})
            section["metaregression"] = jsonable({
                "moderators": list(analysis.moderators),
                "labels": [(review.covariate(m).label or m).lower() for m in analysis.moderators], "k": mr.k, "qm": mr.qm, "qm_p": getattr(mr, "qm_p", None),
                "r2": mr.r2, "tau2": mr.tau2, "i2": mr.i2,
                "coefficients": [{"name": c.name, "estimate": c.estimate, "se": c.se, "ci_low": c.ci_low,
                                  "ci_high": c.ci_high, "p": c.p} for c in mr.coefficients]})
            numeric = [m for m in analysis.moderators if review.covariate(m).type in ("number", "integer", "range")]
            if len(analysis.moderators) == 1 and numeric:
                from ..plots import bubble_plot

                cov = review.covariate(numeric[0])
                figures[f"{prefix}bubble"] = (bubble_plot(mr, [mods[numeric[0]][i] for i in keep], xlabel=cov.title,
                                                          label_points=False,
                                                          title=f"Meta-regression on {(cov.label or cov.name).lower()}"),
                                              f"Meta-regression of {analysis.title} on {cov.title}.")
    if analysis.subgroup:
        groups = [s.value(analysis.subgroup) for s in studies]
        keep = [i for i, g in enumerate(groups) if g is not None]
        if len({groups[i] for i in keep}) >= 2:
            sg = subgroup(es.yi[keep], es.vi[keep], [str(groups[i]) for i in keep], method=analysis.method,
                          measure=es.measure, labels=[es.labels[i] for i in keep])
            from ..plots import forest_plot

            cov = review.covariate(analysis.subgroup)
            figures[f"{prefix}forest"] = (  # the forest plot of this analysis, one block per subgroup
                forest_plot(sg, title=f"{analysis.title}, by {(cov.label or cov.name).lower()}"),
                f"Subgroups by {(cov.label or cov.name).lower()}, with the test for subgroup differences.")
            section["subgroups"] = jsonable({
                "covariate": analysis.subgroup, "label": (cov.label or cov.name).lower(), "q_between": sg.q_between, "df_between": sg.df_between,
                "p_between": sg.p_between,
                "groups": {g: summarise_fit(r) for g, r in sg.groups.items()}})


def _single_studies(analysis: Any, es: Any) -> list[str]:
    from scipy.stats import norm

    crit = float(norm.ppf(0.5 + analysis.level / 200))
    out = []
    for label, oid, y, v in zip(es.labels, es.outcome_ids, es.yi, es.vi):
        half = crit * float(np.sqrt(v))
        e, lo, hi = (back_transformed(es.measure, t) for t in (y, y - half, y + half))
        name = analysis.effect_label or SCALE_NAMES.get(es.measure, (es.measure, es.measure))[1]
        out.append(f"{analysis.title} ({label}, {oid}): {name.lower()} {e:.2f} ({analysis.level:g}% CI {lo:.2f} to "
                   f"{hi:.2f}); " + (" ".join(analysis.notes) or "one study, so nothing is pooled."))
    return out


def analysis_section(extraction: Any, analysis: Any, validation: Any, prefix: str = "") -> tuple[dict, dict]:
    """Fit one declared analysis; returns (section data, figures: name → (Figure, caption)).

    When the data do not allow a fit the section holds ``error`` (what to fill in) and no figures.
    """
    from ..meta import cumulative, egger_test
    from ..plots import cumulative_plot, forest_plot, funnel_plot, leave_one_out_plot

    section: dict[str, Any] = {"id": analysis.id, "title": analysis.title, "measure": analysis.measure,
                               "method": analysis.method, "knha": analysis.knha, "level": analysis.level,
                               "notes": [], "natural_scale": natural_scale(analysis.measure)}
    figures: dict[str, tuple[Any, str]] = {}
    try:
        es = analysis_effects(extraction, analysis)
    except InputError as exc:
        section["error"] = (f"{getattr(exc, 'message', exc)}. Fill in outcomes.csv rows with arm {analysis.arm!r}"
                            + (f" and control {'/'.join(analysis.control)}" if analysis.control else "")
                            + f", role {analysis.role!r} and the numbers measure {analysis.measure} needs "
                            f"(review.toml analyses id {analysis.id!r}).")
        return section, figures
    section["outcome_ids"] = list(es.outcome_ids)
    section["effect_notes"] = list(es.notes)
    if len(es.yi) == 1:  # one study: its own estimate (metafor's k = 1 fit), nothing pooled
        section.update(summarise_fit(_fit(es, analysis), es.ni))
        section["notes"] += _single_studies(analysis, es)
        section["summary"] = section["notes"][0]
        return section, figures
    res = _fit(es, analysis)
    section.update(summarise_fit(res, es.ni))
    section["studies"] = [{"label": l, "study_id": s, "outcome_id": o, "yi": float(y), "vi": float(v),
                           "natural": back_transformed(es.measure, y, None if es.ni is None else [es.ni[i]])}
                          for i, (l, s, o, y, v) in enumerate(zip(es.labels, es.study_ids, es.outcome_ids, es.yi, es.vi))]
    scale, short = SCALE_NAMES.get(es.measure, (es.measure, es.measure))
    main = fit_row(f"Main: {scale}, {analysis.method}", res, es.ni)
    n_pat = main["n_patients"]
    main["outcome_ids"] = list(es.outcome_ids)
    from ..effects import cutoff_phrase

    cutoffs = cutoff_phrase(extraction, es.outcome_ids) or "as each study defines it"
    lead = (analysis.summary or f"Pooled {(analysis.effect_label or short).lower()}").replace("{cutoffs}", cutoffs)
    main["summary"] = (f"{lead}: {main['estimate']:.2f} ({analysis.level:g}% CI {main['ci_low']:.2f} to "
                       f"{main['ci_high']:.2f}), k = {res.k} studies" + (f", {n_pat} patients" if n_pat else "")
                       + f"; random effects ({analysis.method}{' + Knapp-Hartung' if analysis.knha else ''}) on the "
                       f"{short} scale; I² = {res.i2:.0f}%, τ² = {res.tau2:.3f}.")
    section["main"] = main
    section["summary"] = main["summary"]
    cols = _columns(extraction, analysis, es)
    favours = tuple(analysis.favours[:2]) if len(analysis.favours) >= 2 else None
    if not analysis.subgroup:  # with subgroups, the forest plot has one block per group (below)
        figures[f"{prefix}forest"] = (forest_plot(res, columns=cols or None, ni=es.ni, label_header="Study",
                                                  title=(analysis.forest_title or analysis.title).replace("{cutoffs}", cutoffs),
                                                  favours=favours),
                                      f"Forest plot: {analysis.title}")
    derived = _derived_ids(validation, es.outcome_ids)
    section["derived_used"] = [jsonable(d) for d in derived]
    rows, notes, loo = _sensitivity(extraction, analysis, es, res, main, {d.record_id for d in derived})
    section["sensitivity"] = rows
    section["notes"] += notes
    if loo is not None:
        figures[f"{prefix}leave_one_out"] = (leave_one_out_plot(res, loo=loo, title="Leave-one-out"),
                                             "Leave-one-out: the pooled estimate omitting each study in turn.")
    if analysis.sensitivity.cumulative:
        key = analysis.sensitivity.cumulative
        order = _order(extraction, es, key)
        figures[f"{prefix}cumulative"] = (cumulative_plot(res, cum=cumulative(res, order=order),
                                                          title=f"Cumulative, by {key.replace('_', ' ')}"),
                                          f"Cumulative meta-analysis, studies added by {key.replace('_', ' ')}.")
    if res.k >= MIN_K_BIAS:
        eg = egger_test(res)
        section["egger"] = jsonable({"k": eg.k, "stat": eg.stat, "stat_name": eg.stat_name, "p": eg.p, "df": eg.df,
                                     "limit_estimate": eg.limit_estimate})
        figures[f"{prefix}funnel"] = (funnel_plot(res, ni=es.ni, title="Funnel plot"),
                                      f"Funnel plot with significance contours; Egger's test p = {eg.p:.3f}.")
    else:
        section["notes"].append(f"Funnel plot, Egger test and meta-regression are not done: k = {res.k}, fewer than "
                                f"the {MIN_K_BIAS} studies the Cochrane Handbook (10.11.5.1, 13.3.5.4) asks for.")
    _moderators(extraction, analysis, es, res, section, figures, prefix)
    section["notes"] += list(analysis.notes)
    return section, figures
