"""situate_trial on the committed extraction, against values worked out by hand from the evidence notes.

Evidence notes (tests/data/evidence/ketamine-fibromyalgia.md): NCT06916403 gives 1.5–2 mg/kg over
180–240 min. Prior regimens: Sörensen 1995 and 1997 0.3 mg/kg over 10 min; Graven-Nielsen 2000
0.3 mg/kg over 30 min; Noppers 2011 S-ketamine 0.5 mg/kg over 30 min; Cohen 2006 0.1 mg/kg over
7 min; Gupta 2023 (case report) two-hour infusions of 50–240 mg; Hanna 2016 200 mg, duration not found.
Responders shortly after infusion: 8/11, 17/29, 8/12, 18/34.
"""

from __future__ import annotations

import json

import pytest

from evsynth.errors import NotFoundError
from evsynth.extraction import load_extracted
from evsynth.situate import MIN_K_METAREGRESSION, situate_trial, situation_summary


@pytest.fixture(scope="module")
def extraction(root):
    return load_extracted(root / "extracted")


@pytest.fixture(scope="module")
def situation(extraction):
    return situate_trial(extraction, "NCT06916403")


def test_trial_regimen_from_extraction(situation):
    assert situation.x == (1.5, 2.0)  # review.toml [situate] x = "dose_mg_per_kg"
    assert situation.y == (180, 240)  # y = "infusion_minutes"
    assert situation.total_at_reference == pytest.approx((105.0, 140.0))  # 70 kg
    assert situation.trial_meets_floor is True


def test_multiples_against_all_prior_studies(situation):
    g = situation.all_prior
    assert g.x_max == 0.5 and g.x_max_studies == ("Noppers 2011",)
    assert g.x_min == 0.1 and g.x_min_studies == ("Cohen 2006",)
    assert g.x_multiple_of_largest == pytest.approx((3.0, 4.0))  # 1.5/0.5, 2/0.5
    assert g.x_multiple_range == pytest.approx((3.0, 20.0))  # 1.5/0.5 .. 2/0.1
    # S-ketamine ~2x as potent: Noppers' 0.5 mg/kg S = 1.0 mg/kg racemic-equivalent
    assert g.equivalent_x_max == pytest.approx(1.0)
    assert g.equivalent_multiple_of_largest == pytest.approx((1.5, 2.0))
    # The longest prior infusion is the 2-hour case report (Gupta 2023)
    assert g.y_max == 120 and g.y_max_studies == ("Gupta 2023",)
    assert g.y_min == 7 and g.y_min_studies == ("Cohen 2006",)
    assert g.y_multiple_of_largest == pytest.approx((1.5, 2.0))
    assert g.y_multiple_range == pytest.approx((180 / 120, 240 / 7))


def test_multiples_against_pooled_studies(situation):
    g = situation.pooled_prior
    assert set(g.studies) == {"Sörensen 1995", "Graven-Nielsen 2000", "Noppers 2011", "Cohen 2006"}
    assert g.y_max == 30 and set(g.y_max_studies) == {"Graven-Nielsen 2000", "Noppers 2011"}
    assert g.y_multiple_of_largest == pytest.approx((6.0, 8.0))
    # "6–34 times the duration" and "3–20 times the dose" (evidence notes)
    assert g.y_multiple_range == pytest.approx((6.0, 240 / 7))
    assert g.x_multiple_range == pytest.approx((3.0, 20.0))


def test_guideline_and_unplaced_studies(situation):
    # Gupta 2023 reaches the threshold only through its derived, uncertain infusion length: it is
    # never listed as meeting it, only apart as "possibly", with the flag
    assert situation.prior_meeting_floor == ()
    assert len(situation.prior_possibly_meeting_floor) == 1
    assert situation.prior_possibly_meeting_floor[0].startswith("Gupta 2023")
    line = next(l for l in situation_summary(situation).splitlines() if "meeting it" in l)
    met = line[line.index("meeting it:"):line.index("; possibly")]
    assert "Gupta" not in met and "none" in met
    assert "possibly, resting on an uncertain value: Gupta 2023" in line and "uncertain" in line
    assert situation.not_placed == ("Hanna 2016 (case report)", "Gupta 2023 (case report)")


def test_pooled_proportion_matches_metafor(situation):
    # R metafor 3.8-1: rma(measure="PLO", xi=c(8,17,8,18), ni=c(11,29,12,34)); predict(transf=transf.ilogit)
    p = situation.pooled
    assert p.k == 4 and p.n_patients == 86
    assert p.estimate == pytest.approx(0.5903356, abs=1e-4)
    assert p.ci_low == pytest.approx(0.4827356, abs=1e-4)
    assert p.ci_high == pytest.approx(0.6899298, abs=1e-4)
    assert p.method.startswith("REML") and p.measure == "PLO"


def test_no_metaregression_below_threshold(situation):
    assert MIN_K_METAREGRESSION == 10
    assert situation.prediction == ()
    assert "k = 4" in situation.metaregression_note and "10" in situation.metaregression_note


def test_metaregression_when_threshold_lowered_is_labelled_extrapolation(extraction):
    # Only to exercise the path: R metafor 3.8-1 rma(yi, vi, mods = ~dose) on the 4 studies,
    # predict(newmods = c(1.5, 2), transf = transf.ilogit).
    s = situate_trial(extraction, min_k=4)
    assert [p.x for p in s.prediction] == [1.5, 2.0]
    assert all(p.extrapolation and p.k == 4 for p in s.prediction)
    assert s.prediction[0].data_range == (0.1, 0.5)
    assert s.prediction[0].estimate == pytest.approx(0.911715, abs=1e-3)
    assert s.prediction[0].ci_low == pytest.approx(0.155879, abs=1e-3)
    assert s.prediction[1].estimate == pytest.approx(0.957634, abs=1e-3)
    assert "EXTRAPOLATION (k = 4" in situation_summary(s)


def test_summary_and_dict(situation):
    text = situation_summary(situation)
    assert "NCT06916403" in text and "1.5\u20132 mg/kg" in text and "180\u2013240 min" in text
    assert "3.0\u201320.0\u00d7" in text and "Noppers 2011" in text
    assert "0.59" in text and "k = 4" in text
    d = situation.to_dict()
    json.dumps(d)
    assert d["all_prior"]["x_multiple_range"] == pytest.approx([3.0, 20.0])


def test_unknown_trial_is_not_found(extraction):
    with pytest.raises(NotFoundError):
        situate_trial(extraction, "NCT00000000")


# --- sentences computed from the rows that support them (issue 15) ----------------------------------


def test_values_are_compared_only_among_studies_reporting_them(situation, extraction):
    g = situation.all_prior
    done = [s for s in extraction.studies if s.status == "completed"]
    with_dose = {s.label for s in done if s.covariates.get("dose_mg_per_kg") is not None}
    with_minutes = {s.label for s in done if s.covariates.get("infusion_minutes") is not None}
    assert set(g.x_studies) == with_dose and "Hanna 2016" not in with_dose
    assert set(g.y_studies) == with_minutes and "Hanna 2016" not in with_minutes
    text = situation_summary(situation)
    line = next(l for l in text.splitlines() if l.strip().startswith(f"{situation.y_name}, reported by"))
    assert f"reported by {len(with_minutes)} of {len(g.studies)}" in line and "Hanna 2016" not in line


def test_an_uncertain_value_is_stated_only_with_its_flag(situation, extraction):
    # Gupta 2023's 120 min is derived and uncertain (two hours stated for maintenance infusions only)
    prov = extraction.provenance_of("studies", "gupta2023", "infusion_minutes")
    assert prov.derived and prov.uncertain
    text = situation_summary(situation)
    for line in text.splitlines():
        if "Gupta 2023" in line and ("120 min" in line or "meeting it" in line):
            after = line[line.index("Gupta 2023"):]
            assert "derived, uncertain" in after and "maintenance" in after, line
    assert all("derived, uncertain" in m for m in situation.prior_possibly_meeting_floor)
    assert not any("Gupta 2023" in m for m in situation.prior_meeting_floor)


def test_trial_status_design_outcome_and_preselection(situation, extraction):
    trial = extraction.study("nct06916403")
    text = situation_summary(situation)
    assert "active, not recruiting; results pending" in text and "planned" not in text.lower()
    assert "retrospective" in text and "prospective" in text and "(NRS)" in text
    lo, hi = trial.range("prior_infusions")
    assert f"at least {lo:g}\u2013{hi:g} infusions" in situation.comparability_note
    assert "selected by earlier response" in situation.comparability_note
    single = [s.label for s in extraction.studies if s.label in situation.pooled.studies
              and s.covariates.get("n_infusions") == 1]
    assert "one in " + ", ".join(single) in situation.comparability_note


def test_no_comparability_note_without_prior_treatment(extraction):
    import dataclasses

    def strip(s):
        cov = {k: v for k, v in s.covariates.items() if not k.startswith("prior_infusions")}
        return dataclasses.replace(s, covariates=cov)

    studies = tuple(strip(s) if s.study_id == "nct06916403" else s for s in extraction.studies)
    other = dataclasses.replace(extraction, studies=studies)
    assert situate_trial(other, "NCT06916403").comparability_note == ""


def test_prediction_interval_caveat_when_tau2_is_zero(situation):
    text = situation_summary(situation)
    assert situation.pooled.tau2 == 0
    assert "equals the CI only because τ² was estimated at 0" in text
