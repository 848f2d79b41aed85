"""Harms table, all controlled comparisons and the later-timepoint alternative on the shipped extraction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evsynth.appraisal import NOT_REPORTED, harms_table
from evsynth.effects import back_transform, controlled_comparisons, later_timepoint_rows, proportion
from evsynth.extraction import load_extracted
from evsynth.meta import fit
from evsynth.plots import comparisons_plot

REF = json.loads((Path(__file__).parents[1] / "reference" / "metafor" / "controlled.json").read_text())


@pytest.fixture(scope="module")
def ex(root):
    return load_extracted(root / "extracted")


def test_harms_rows_follow_the_extraction(ex):
    rows = {r.study_id: r for r in harms_table(ex)}
    assert list(rows) == [s.study_id for s in ex.studies]
    for s in ex.studies:
        r = rows[s.study_id]
        if s.status != "completed":
            assert r.reported == "no results yet"
        elif s.adverse_events:
            assert r.reported == s.adverse_events
            assert r.source == ex.provenance_of("studies", s.study_id, "adverse_events").source
        else:
            assert r.reported == NOT_REPORTED and r.source is None
    assert rows["gupta2023"].reported == NOT_REPORTED  # the sources found give none


def test_every_controlled_comparison_at_every_timepoint(ex):
    cmp = controlled_comparisons(ex)
    # evidence notes: Noppers 2011 15 min 8 vs 3, 180 min 6 vs 2, week 1 2 vs 0, week 8 2 vs 2 (of 12 each)
    assert [(c.timepoint, c.counts()) for c in cmp] == [("15min", "8/12 vs 3/12"), ("180min", "6/12 vs 2/12"),
                                                       ("1wk", "2/12 vs 0/12"), ("8wk", "2/12 vs 2/12")]
    ref = REF["rr"]
    assert [c.timepoint for c in cmp] == ref["timepoint"]
    assert [c.yi for c in cmp] == pytest.approx(ref["yi"], abs=1e-12)
    assert [c.vi for c in cmp] == pytest.approx(ref["vi"], abs=1e-12)
    assert [c.ci_low for c in cmp] == pytest.approx(ref["ci_low"], rel=1e-9)
    assert [c.ci_high for c in cmp] == pytest.approx(ref["ci_high"], rel=1e-9)
    assert cmp[2].notes and not cmp[0].notes  # the zero cell is said
    fig = comparisons_plot(cmp)
    gids = {ln.get_gid() for ln in fig.axes[0].lines}
    assert {f"cmp:{i}" for i in range(4)} <= gids


def test_later_timepoint_alternative_matches_metafor(ex):
    main = [o.outcome_id for o in ex.outcomes if o.analysis == "main" and o.arm == "ketamine"]
    ids, swaps = later_timepoint_rows(ex, main)
    assert [(s.study_id, s.from_timepoint, s.to_timepoint) for s in swaps] == [("noppers2011", "15min", "180min")]
    rows = {o.outcome_id: o for o in ex.outcomes}
    ref = REF["later_timepoint"]
    assert [rows[i].events for i in ids] == ref["xi"] and [rows[i].total for i in ids] == ref["ni"]
    es = proportion("PLO", ref["xi"], ref["ni"])
    res = fit(es.yi, es.vi)
    got = back_transform("PLO", [res.estimate, res.ci_low, res.ci_high])
    assert list(got) == pytest.approx([ref["estimate"], ref["ci_low"], ref["ci_high"]], abs=1e-6)
    assert round(float(got[0]), 3) == 0.567
