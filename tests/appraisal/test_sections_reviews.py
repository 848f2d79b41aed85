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
