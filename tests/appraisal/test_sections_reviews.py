"""The appraisal sections render for any review: the shipped one with a record store, and the BCG example."""

from __future__ import annotations

import shutil

import pytest

from evsynth.models import Record
from evsynth.report import build_report
from evsynth.store import Store


def test_second_review_gets_the_same_sections(root):
    data, figures = build_report(root / "examples" / "bcg")
    ids = list(data["analyses"])
    assert [r["analysis"] for r in data["summary_of_findings"]] == ids
    assert all(r["certainty"] == "not rated" for r in data["summary_of_findings"])
    assert data["risk_of_bias"]["assessed"] is False
    assert data["harms"] == [] and "no adverse_events covariate" in data["harms_note"]
    assert any(l.startswith("Harms:") for l in data["limitations"])
    h = data["heterogeneity"][ids[0]]
    assert h["k"] == 13 and h["i2_ci"][0] < h["i2"] < h["i2_ci"][1] and h["pi_caveat"] == ""
    assert len(data["controlled"]["rows"]) == 13 and "controlled" in figures


def test_report_with_a_store_links_records_and_adds_up(root, tmp_path):
    project = tmp_path / "review"
    shutil.copytree(root, project, ignore=shutil.ignore_patterns(".venv", ".git", "out", "*.sqlite", "tests",
                                                                 "notebooks", "benchmarks", "examples", "docs"))
    store_path = project / "review.sqlite"
    with Store(store_path) as store:
        run = store.start_search_run("pubmed", "x", query_name="main")
        ids = store.store_fetched(run, [Record(source="pubmed", source_id=p, pmid=p, title=f"T {p}")
                                        for p in ("8610220", "10781923", "999")])
        store.add_decisions({"record_id": r, "stage": s, "decision": "include", "reviewer": "consensus"}
                            for r in ids for s in ("title-abstract", "full-text"))
    data, _ = build_report(project, store=store_path)
    prisma = data["prisma"]
    assert prisma["problems"] == []
    assert prisma["counts"]["included_reports"] == 3 and prisma["counts"]["included_studies"] == 3
    assert prisma["counts"]["previous_studies"] == 7
    links = " ".join(prisma["links"])
    assert "1 included record(s) without an extracted study: 999" in links
    assert "Noppers 2011" in links and "Sörensen 1995" not in links  # 8610220 is Sörensen 1995's PMID


def _run(args, capsys):
    from evsynth.cli import main

    with pytest.raises(SystemExit) as ex:
        main(args)
    out = capsys.readouterr()
    return int(ex.value.code), out.out + out.err


def test_extract_validate_checks_rob_and_grade(root, tmp_path, capsys):
    project = tmp_path / "p"
    project.mkdir()
    shutil.copytree(root / "extracted", project / "extracted")
    shutil.copy(root / "review.toml", project / "review.toml")
    code, out = _run(["extract", "validate", "--project", str(project)], capsys)
    assert code == 0 and "risk of bias: not assessed" in out and "GRADE: not rated" in out
    (project / "extracted" / "rob.csv").write_text(
        "study_id,tool,domain,judgement,support,source,location\nnoppers2011,RoB 2,D9,low,x,PMID:1,T\n",
        encoding="utf-8")
    (project / "extracted" / "grade.csv").write_text(
        "analysis,certainty,risk_of_bias,inconsistency,indirectness,imprecision,publication_bias,reasons,rater\n"
        "nope,low,,,,,,r,AB\n", encoding="utf-8")
    code, out = _run(["extract", "validate", "--project", str(project)], capsys)
    flat = " ".join(out.split())
    assert code == 3
    assert "rob.csv, line 2, field 'domain'" in flat and "grade.csv, line 2, field 'analysis'" in flat
