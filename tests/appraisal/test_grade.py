"""GRADE signals, the reviewer's ratings (grade.csv) and the Summary of Findings rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evsynth.appraisal import (NOT_RATED, grade_signals, load_grade, load_rob, ois_proportion, ois_two_groups,
                               summary_of_findings)
from evsynth.errors import InputErrors
from evsynth.meta import fit, heterogeneity

REF = json.loads((Path(__file__).parents[1] / "reference" / "metafor" / "heterogeneity_ci.json").read_text())


def _case(name, method="REML"):
    return next(c for c in REF["cases"] if c["name"] == name and c["method"] == method)


def test_ois_matches_r_power_prop_test():
    # R 4.2.2: 2 * ceiling(power.prop.test(p1 = p, p2 = 0.75 * p, sig.level = 0.05, power = 0.8)$n)
    assert (ois_two_groups(0.2), ois_two_groups(0.1), ois_two_groups(0.5)) == (1812, 4010, 494)
    assert ois_proportion(0.5, 0.1) == 97  # 1.96² · 0.25 / 0.01 = 96.04


def _effect(res):
    return {"estimate": res.estimate, "ci_low": res.ci_low, "ci_high": res.ci_high, "pi_low": res.pi_low,
            "pi_high": res.pi_high}


def test_signals_small_k_without_rob():
    c = _case("four_proportions")
    res = fit(c["yi"], c["vi"])
    sig = grade_signals("main", res, study_ids=["a", "b", "c", "d"], n_patients=86, effect=_effect(res),
                        ois=ois_proportion(0.59, 0.10), ois_basis="±0.10 around 0.59")
    assert sig.k == 4 and "not assessable (k = 4 < 10" in sig.publication_bias
    assert sig.risk_of_bias == "risk of bias not assessed in any of the 4 studies"
    lo, hi = heterogeneity(res).i2_ci
    assert f"I² = 0% (95% CI {lo:.0f}% to {hi:.0f}%)" in sig.inconsistency and "estimated at 0" in sig.inconsistency
    assert sig.ois == 93 and sig.ois_met is False and "not met" in sig.imprecision
    assert sig.ci_width == pytest.approx(res.ci_high - res.ci_low)


def test_signals_large_k_runs_egger_and_counts_rob(tmp_path):
    c = _case("bcg")
    res = fit(c["yi"], c["vi"])
    ids = [f"s{i}" for i in range(res.k)]
    rob_csv = tmp_path / "rob.csv"
    rob_csv.write_text("study_id,tool,domain,judgement,support,source,location\n"
                       "s0,RoB 2,overall,high,x,PMID:1,T\ns1,RoB 2,overall,low,x,PMID:1,T\n", encoding="utf-8")
    sig = grade_signals("bcg", res, study_ids=ids, n_patients=None, effect=_effect(res), rob=load_rob(rob_csv))
    assert sig.publication_bias.startswith("Egger's test") and "k = 13" in sig.publication_bias
    assert sig.rob_counts == {"high": 1, "low": 1, "not assessed": 11}
    assert sig.pi_caveat == ""


def test_ratings_are_read_not_made_up(tmp_path):
    path = tmp_path / "grade.csv"
    assert load_grade(path) == {}
    path.write_text("analysis,certainty,risk_of_bias,inconsistency,indirectness,imprecision,publication_bias,"
                    "reasons,rater\nmain,low,serious,,,serious,,few small studies,AB\n", encoding="utf-8")
    ratings = load_grade(path, analyses=["main", "other"])
    assert ratings["main"].certainty == "low" and ratings["main"].domains == {"risk_of_bias": "serious",
                                                                              "imprecision": "serious"}
    c = _case("four_proportions")
    res = fit(c["yi"], c["vi"])
    sig = grade_signals("main", res, study_ids=list("abcd"), n_patients=86, effect=_effect(res))
    rows = summary_of_findings([{"analysis": "main", "outcome": "x", "effect": "0.59", "signals": sig},
                                {"analysis": "other", "outcome": "y", "effect": "1", "signals": sig}], ratings)
    assert [r.certainty for r in rows] == ["low", NOT_RATED]
    assert rows[0].certainty_reasons == "few small studies (rated by AB)" and rows[1].certainty_reasons == ""


def test_bad_ratings_name_line_and_column(tmp_path):
    path = tmp_path / "grade.csv"
    path.write_text("analysis,certainty,risk_of_bias,inconsistency,indirectness,imprecision,publication_bias,"
                    "reasons,rater\nmain,medium,,,,,,r,AB\nmain,low,bad,,,,,,AB\nzzz,low,,,,,,r,AB\n",
                    encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_grade(path, analyses=["main"])
    found = {(e.line, e.field) for e in info.value.errors}
    assert found == {(2, "certainty"), (3, "risk_of_bias"), (3, "reasons"), (4, "analysis")}
