"""rob.csv: validation (file, line, column), summaries, the high-risk sensitivity selection, the figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.appraisal import NOT_ASSESSED, exclude_high_risk, load_rob
from evsynth.errors import InputErrors
from evsynth.plots import rob_summary_plot, rob_traffic_light

HEADER = "study_id,tool,domain,judgement,support,source,location\n"
# Constructed judgements for the tests (not a review's data).
ROWS = """a,RoB 2,D1,low,computer randomisation,PMID:1,Table 2
a,RoB 2,D2,some concerns,open label,PMID:1,Table 2
a,RoB 2,overall,some concerns,worst domain,PMID:1,Table 2
b,RoB 2,D1,high,alternation,PMID:1,Table 2
b,RoB 2,overall,high,allocation by alternation,PMID:1,Table 2
c,RoB 2,D1,low,sealed envelopes,PMID:1,Table 2
c,RoB 2,overall,low,,PMID:1,Table 2
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rob.csv"
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def test_missing_file_is_not_assessed(tmp_path):
    table = load_rob(tmp_path / "rob.csv")
    assert table.judgements == () and table.overall("x") == NOT_ASSESSED


def test_every_error_names_line_and_column(tmp_path):
    path = _write(tmp_path, ROWS + "d,RoB 3,D1,low,x,PMID:1,T\ne,ROBINS-I,D9,serious,x,PMID:1,T\n"
                               "a,RoB 2,D1,low,again,PMID:1,Table 2\nf,ROBINS-I,D1,some concerns,x,PMID:1,T\n")
    with pytest.raises(InputErrors) as info:
        load_rob(path, study_ids=["a", "b", "c", "d", "e", "f"])
    found = {(e.line, e.field) for e in info.value.errors}
    assert (8, "support") in found  # c overall has no support
    assert (9, "tool") in found and (10, "domain") in found and (11, "domain") in found
    assert (12, "judgement") in found  # ROBINS-I has no "some concerns"
    assert all(e.path == str(path) for e in info.value.errors)


def test_unknown_study_and_two_tools(tmp_path):
    path = _write(tmp_path, "a,RoB 2,D1,low,x,PMID:1,T\na,ROBINS-I,D1,low,x,PMID:1,T\nz,RoB 2,D1,low,x,PMID:1,T\n")
    with pytest.raises(InputErrors) as info:
        load_rob(path, study_ids=["a"])
    found = {(e.line, e.field) for e in info.value.errors}
    assert found == {(3, "tool"), (4, "study_id")}


def test_summary_and_high_risk_exclusion(tmp_path):
    table = load_rob(_write(tmp_path, ROWS.replace("c,RoB 2,overall,low,,", "c,RoB 2,overall,low,ok,")))
    rows = table.summary([("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")])
    assert [r["overall"] for r in rows] == ["some concerns", "high", "low", NOT_ASSESSED]
    ex = exclude_high_risk(table, ["a", "b", "c", "d"])
    assert ex.runnable and ex.keep == (0, 2, 3) and ex.excluded == ("b",) and ex.not_assessed == ("d",)
    none = exclude_high_risk(table, ["d", "e"])
    assert not none.runnable and "not assessed" in none.note
    low = exclude_high_risk(table, ["a", "c"])
    assert not low.runnable and low.keep == (0, 1)


def test_figures(tmp_path):
    table = load_rob(_write(tmp_path, ROWS.replace("c,RoB 2,overall,low,,", "c,RoB 2,overall,low,ok,")))
    fig = rob_traffic_light(table, labels={"a": "Study A"})
    gids = {a.get_gid() for ax in fig.axes for a in ax.collections}
    assert {"rob:a:D1", "rob:a:D2", "rob:b:overall", "rob:c:overall"} <= gids
    assert "rob:b:D2" not in gids  # not judged: no disc
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Study A", "b", "c"]
    bars = rob_summary_plot(table)
    widths = {p.get_gid(): p.get_width() for p in bars.axes[0].patches if p.get_gid()}
    assert widths["robbar:overall:0"] == pytest.approx(100 / 3) and widths["robbar:overall:2"] == pytest.approx(100 / 3)
    assert widths["robbar:D2:1"] == pytest.approx(100)
    empty = rob_traffic_light(load_rob(tmp_path / "none.csv"))
    assert any(t.get_text() == "Risk of bias not assessed" for t in empty.axes[0].texts)
    fig.savefig(tmp_path / "tl.png")


def test_unclosed_quote_is_an_error_at_its_line(tmp_path):
    # read with the shared strict CSV reader: the open quote on line 3 would otherwise swallow the rows after it
    path = _write(tmp_path, 'a,RoB 2,D1,low,x,PMID:1,Table 2\na,RoB 2,D2,low,"open,PMID:1,T\n'
                            "a,RoB 2,overall,low,x,PMID:1,T\n")
    with pytest.raises(InputErrors) as info:
        load_rob(path, study_ids=["a"])
    assert [(e.line, e.field) for e in info.value.errors] == [(3, "support")]
    assert "never closed" in info.value.errors[0].message
