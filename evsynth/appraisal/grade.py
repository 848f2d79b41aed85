"""GRADE: the signals evsynth can compute per analysis, the reviewer's ratings, the Summary of Findings.

:func:`grade_signals` computes, for one fitted analysis, what bears on the GRADE domains and can be
computed: inconsistency (I² with its Q-profile CI, Q, the prediction interval and its caveat),
imprecision (the CI and its width, k, patients against an optimal information size), publication
bias (not assessable below :data:`MIN_K_SMALL_STUDY` studies, else Egger's test) and risk of bias
(the studies' overall judgements from ``rob.csv``, "not assessed" when there are none). The
certainty rating and its reasons are the reviewer's: they are read from ``grade.csv`` by
:func:`load_grade`; an analysis nobody rated is "not rated". :func:`summary_of_findings` puts one
row per analysis together (outcome, k, patients, effect with CI, certainty, comments).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from scipy import stats

from ..errors import InputError, InputErrors
from ._table import read_rows

__all__ = [
    "CERTAINTY", "DOWNGRADES", "GRADE_COLUMNS", "MIN_K_SMALL_STUDY", "NOT_RATED", "GradeRating", "GradeSignals",
    "SofRow", "grade_signals", "load_grade", "ois_two_groups", "ois_proportion", "summary_of_findings",
]

#: Fewest studies for a funnel plot or a test for small-study effects (Cochrane Handbook 13.3.5.4).
MIN_K_SMALL_STUDY = 10
CERTAINTY = ("high", "moderate", "low", "very low")
DOWNGRADES = ("no", "serious", "very serious")
GRADE_DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
GRADE_COLUMNS = ("analysis", "certainty", *GRADE_DOMAINS, "reasons", "rater")
NOT_RATED = "not rated"


def ois_two_groups(control_risk: float, rrr: float = 0.25, alpha: float = 0.05, power: float = 0.80) -> int:
    """Optimal information size for a binary outcome: total patients of one two-arm trial (1:1) that detects a
    relative risk reduction ``rrr`` from ``control_risk`` (GRADE guidelines 6, Guyatt et al. J Clin Epidemiol
    2011;64:1283-1293; normal approximation for two proportions)."""
    p1 = control_risk
    p2 = control_risk * (1 - rrr)
    za, zb = stats.norm.isf(alpha / 2), stats.norm.isf(1 - power)
    pbar = (p1 + p2) / 2
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p1 - p2) ** 2
    return 2 * math.ceil(n)


def ois_proportion(proportion: float, half_width: float = 0.10, level: float = 95.0) -> int:
    """Patients needed to estimate a single proportion to within ± ``half_width`` (normal approximation)."""
    z = stats.norm.isf((100 - level) / 200)
    return math.ceil(z**2 * proportion * (1 - proportion) / half_width**2)


@dataclass(frozen=True)
class GradeSignals:
    """What evsynth computes towards the GRADE domains for one analysis (never a rating)."""

    analysis: str
    k: int
    n_patients: int | None
    risk_of_bias: str
    rob_counts: dict[str, int]
    inconsistency: str
    i2: float
    i2_ci: tuple[float, float]
    tau2: float
    tau2_ci: tuple[float, float]
    pi: tuple[float | None, float | None]
    pi_caveat: str
    imprecision: str
    ci: tuple[float, float]
    ci_width: float
    ois: int | None
    ois_basis: str
    ois_met: bool | None
    publication_bias: str
    notes: tuple[str, ...] = field(default=())
    ois_assumptions: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..situate import jsonable

        return jsonable(self)

    def comments(self) -> str:
        """The signals as one comment for the Summary of Findings table."""
        return "; ".join([self.risk_of_bias, self.inconsistency, self.imprecision, self.publication_bias])


def grade_signals(
    analysis: str,
    res: Any,
    *,
    study_ids: Sequence[str],
    n_patients: int | None,
    effect: dict[str, Any],
    rob: Any = None,
    ois: int | None = None,
    ois_basis: str = "",
    ois_assumptions: dict[str, Any] | None = None,
) -> GradeSignals:
    """Compute the GRADE signals of one fitted analysis.

    Parameters
    ----------
    analysis : str
        The analysis id (as in ``grade.csv``).
    res : MetaResult
    study_ids : sequence of str
        The studies in the analysis (to look up their risk of bias).
    n_patients : int, optional
    effect : dict
        ``estimate``, ``ci_low``, ``ci_high`` (and ``pi_low``, ``pi_high``) on the scale shown to readers.
    rob : RobTable, optional
    ois : int, optional
        Optimal information size with its ``ois_basis`` (see :func:`ois_two_groups`, :func:`ois_proportion`).
    ois_assumptions : dict, optional
        The values the optimal information size assumed (for ``results.json``).
    """
    from ..meta.heterogeneity import heterogeneity

    h = heterogeneity(res)
    k = int(res.k)
    counts: dict[str, int] = {}
    for sid in study_ids:
        key = rob.overall(sid) if rob is not None else "not assessed"
        counts[key] = counts.get(key, 0) + 1
    if set(counts) == {"not assessed"}:
        rob_text = ("risk of bias not assessed (1 study)" if k == 1
                    else f"risk of bias not assessed in any of the {k} studies")
    else:
        rob_text = "risk of bias (overall): " + ", ".join(f"{v} {key}" for key, v in counts.items())
    if k < 2:
        inc = "inconsistency not assessable (one study)"
    else:
        lo, hi = h.i2_ci
        ci_txt = f"{h.level:g}% CI {lo:.0f}% to {hi:.0f}%" if math.isfinite(lo) and math.isfinite(hi) else "CI n/a"
        inc = f"I² = {h.i2:.0f}% ({ci_txt}), Q p = {h.q_p:.2g}"
        if effect.get("pi_low") is not None:
            inc += f"; prediction interval {effect['pi_low']:.2f} to {effect['pi_high']:.2f}"
        if h.pi_caveat:
            inc += f" ({h.pi_caveat})"
    width = float(effect["ci_high"]) - float(effect["ci_low"])
    met = None if ois is None or n_patients is None else n_patients >= ois
    imp = (f"{h.level:g}% CI {effect['ci_low']:.2f} to {effect['ci_high']:.2f} (width {width:.2f}), k = {k}"
           + (f", {n_patients} patients" if n_patients is not None else ""))
    if ois is not None:
        imp += (f"; optimal information size {ois} ({ois_basis}): "
                + ("not known" if met is None else "met" if met else "not met"))
    if k < MIN_K_SMALL_STUDY:
        pub = f"publication bias not assessable (k = {k} < {MIN_K_SMALL_STUDY} studies)"
    else:
        from ..meta import egger_test

        eg = egger_test(res)
        pub = f"Egger's test for small-study effects p = {eg.p:.2g} (k = {k})"
    return GradeSignals(
        analysis=analysis, k=k, n_patients=n_patients, risk_of_bias=rob_text, rob_counts=counts, inconsistency=inc,
        i2=h.i2, i2_ci=h.i2_ci, tau2=h.tau2, tau2_ci=h.tau2_ci,
        pi=(effect.get("pi_low"), effect.get("pi_high")), pi_caveat=h.pi_caveat, imprecision=imp,
        ci=(float(effect["ci_low"]), float(effect["ci_high"])), ci_width=width, ois=ois, ois_basis=ois_basis,
        ois_met=met, publication_bias=pub, ois_assumptions=dict(ois_assumptions or {}),
    )


@dataclass(frozen=True)
class GradeRating:
    """A reviewer's rating of one analysis (a row of ``grade.csv``)."""

    analysis: str
    certainty: str
    domains: dict[str, str]
    reasons: str
    rater: str
    line: int


def load_grade(path: str | Path, analyses: Sequence[str] | None = None) -> dict[str, GradeRating]:
    """Read ``grade.csv`` (the reviewer's certainty ratings); a missing file means nothing is rated.

    Columns: ``analysis, certainty, risk_of_bias, inconsistency, indirectness, imprecision,
    publication_bias, reasons, rater``. ``certainty`` ∈ high, moderate, low, very low; each domain ∈
    no, serious, very serious (empty: not judged); ``reasons`` and ``rater`` are required.

    Raises
    ------
    InputErrors
        Every problem, naming file, line and column.
    """
    path = Path(path)
    errors: list[InputError] = []
    rows = read_rows(path, GRADE_COLUMNS, ("analysis", "certainty", "reasons", "rater"), errors)
    out: dict[str, GradeRating] = {}
    for line, row in rows:
        bad = False

        def err(msg: str, col: str) -> None:
            nonlocal bad
            bad = True
            errors.append(InputError(msg, path=path, line=line, field=col))

        aid = row.get("analysis", "")
        if not aid:
            err("empty analysis", "analysis")
        elif analyses is not None and aid not in analyses:
            err(f"unknown analysis {aid!r} (analyses: {', '.join(analyses)})", "analysis")
        elif aid in out:
            err(f"analysis {aid!r} already rated on line {out[aid].line}", "analysis")
        cert = row.get("certainty", "").lower()
        if cert not in CERTAINTY:
            err(f"certainty {row.get('certainty', '')!r} is not one of: {', '.join(CERTAINTY)}", "certainty")
        domains = {}
        for d in GRADE_DOMAINS:
            v = row.get(d, "").lower()
            if v and v not in DOWNGRADES:
                err(f"{d} {row.get(d)!r} is not one of: {', '.join(DOWNGRADES)}", d)
            elif v:
                domains[d] = v
        for col in ("reasons", "rater"):
            if not row.get(col):
                err(f"empty {col}: a rating states its reasons and who rated", col)
        if not bad:
            out[aid] = GradeRating(aid, cert, domains, row["reasons"], row["rater"], line)
    if errors:
        raise InputErrors(errors)
    return out


@dataclass(frozen=True)
class SofRow:
    """One row of the Summary of Findings table."""

    analysis: str
    outcome: str
    k: int
    n_patients: int | None
    effect: str
    certainty: str
    certainty_reasons: str
    comments: str
    comparison: bool


def summary_of_findings(items: Sequence[dict[str, Any]], ratings: dict[str, GradeRating]) -> list[SofRow]:
    """Rows of the Summary of Findings table.

    Parameters
    ----------
    items : sequence of dict
        Per analysis: ``analysis``, ``outcome`` (words), ``effect`` (text with CI), ``signals``
        (:class:`GradeSignals`), ``comparison`` (False for a single-group pool), optional ``comment``.
    ratings : dict
        From :func:`load_grade`; an analysis without a rating is "not rated".
    """
    out = []
    for it in items:
        sig: GradeSignals = it["signals"]
        r = ratings.get(it["analysis"])
        comment = "; ".join(c for c in (it.get("comment", ""), sig.comments()) if c)
        out.append(SofRow(it["analysis"], it["outcome"], sig.k, sig.n_patients, it["effect"],
                          r.certainty if r else NOT_RATED, (f"{r.reasons} (rated by {r.rater})" if r else ""),
                          comment, bool(it.get("comparison", True))))
    return out
