"""The review report end to end (offline, into tmp_path) and the review/situate/prisma commands."""

from __future__ import annotations

import json
import socket

import pytest

from evsynth.cli import app
from evsynth.project import load_review
from evsynth.report import run_review

EXPECTED_KEYS = {"title", "generated", "question", "inputs", "versions", "search", "prisma", "studies", "derived",
                 "main", "sensitivity", "sensitivity_notes", "analyses", "situation", "situation_text",
                 "limitations", "figures", "level", "pico", "updates"}


def _refuse(*args, **kwargs):
    raise AssertionError("network access during the review")


@pytest.fixture(scope="module")
def review(root, tmp_path_factory):
    """The review run once, with every socket connection refused (it must work offline)."""
    out = tmp_path_factory.mktemp("out")
    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", _refuse)
    try:
        return run_review(out, root / "extracted", queries=root / "queries", store=None)
    finally:
        mp.undo()


def test_results_json_has_every_section(review):
    data = json.loads(review.results.read_text(encoding="utf-8"))
    assert EXPECTED_KEYS <= set(data)
    main = data["main"]
    assert main["k"] == 4 and main["n_patients"] == 86
    assert main["estimate"] == pytest.approx(0.5903356, abs=1e-4)  # metafor 3.8-1, see tests/test_situate.py
    assert main["outcome_ids"] == ["sorensen1995.resp50", "gravennielsen2000.resp50",
                                   "noppers2011.resp50.15min.ket", "cohen2006.resp50"]


def test_sensitivity_analyses_present(review):
    names = [r["analysis"] for r in review.data["sensitivity"]]
    assert "Knapp-Hartung CI (REML)" in names
    assert "Estimator DL" in names
    assert "Freeman-Tukey double arcsine, REML" in names
    assert "Responder cut-off 67% where reported" in names
    assert "Excluding derived or uncertain counts" in names
    assert sum(n.startswith("Omitting ") for n in names) == 4
    by = {r["analysis"]: r for r in review.data["sensitivity"]}
    # R metafor 3.8-1, rma(measure="PLO", ...): Cohen 2006 at the 67% cut-off (13/34) -> 0.5608; without the
    # studies whose counts are derived or uncertain (Sörensen 1995 8/11 from wording, Noppers 2011 total 12
    # assumed analysed), i.e. 17/29 and 18/34 -> 0.5554
    assert by["Responder cut-off 67% where reported"]["estimate"] == pytest.approx(0.5607593, abs=1e-4)
    assert by["Excluding derived or uncertain counts"]["estimate"] == pytest.approx(0.5553643, abs=1e-4)
    assert by["Excluding derived or uncertain counts"]["k"] == 2
    assert "Sörensen 1995" in by["Excluding derived or uncertain counts"]["note"]
    assert "Noppers 2011" in by["Excluding derived or uncertain counts"]["note"]


def test_prisma_without_store_says_what_is_unavailable(review, root):
    prisma = review.data["prisma"]
    assert prisma["counts"]["screened"] is None
    # the review's own count is the previous version's, not this update's included reports
    assert prisma["counts"]["previous_reports"] == load_review(root).updates.publications == 7
    assert prisma["counts"].get("included_reports") is None
    assert "not available" in prisma["source"] and "PMID 34984054" in prisma["source"]


def test_figures_written_and_linked(review):
    for name in ("prisma", "forest", "leave_one_out", "cumulative", "evidence_map"):
        paths = review.figures[name]
        assert {p.suffix for p in paths} == {".png", ".svg", ".pdf"}
        assert all(p.stat().st_size > 1000 for p in paths)
    html = review.report.read_text(encoding="utf-8")
    for name in ("prisma", "forest", "evidence_map"):
        assert f'src="figures/{name}.png"' in html


def test_report_html_sections(review):
    html = review.report.read_text(encoding="utf-8")
    for heading in ("1. Question", "2. Search provenance", "3. PRISMA 2020 flow", "4. Included studies",
                    "5. Pooled result", "Sensitivity analyses", "6. All controlled evidence", "8. Risk of bias",
                    "9. Harms", "10. Where NCT06916403 stands", "11. Limitations"):
        assert heading in html
    assert "https://pubmed.ncbi.nlm.nih.gov/8610220/" in html  # Sörensen 1995 provenance link
    assert "https://doi.org/10.1016/S0304-3959(99)00308-5" in html
    assert "Derived values" in html and "Small k" in html and "Extrapolation" in html


def test_results_json_per_analysis_on_both_scales(review):
    data = json.loads(review.results.read_text(encoding="utf-8"))
    main = data["analyses"]["responders"]
    for key in ("estimate", "ci_low", "ci_high", "tau2", "i2", "q", "pi_low", "pi_high", "k"):
        assert key in main, key
    # metafor 3.8-1 rma(measure="PLO", xi=c(8,17,8,18), ni=c(11,29,12,34)): logit estimate, ilogit back
    assert main["natural"]["estimate"] == pytest.approx(0.5903356, abs=1e-4)
    assert main["estimate"] == pytest.approx(0.3650, abs=1e-3)
    assert main["natural"]["ci_low"] == pytest.approx(0.4827356, abs=1e-4)
    rr = data["analyses"]["responders-vs-control"]
    assert rr["k"] == 1 and "2.67" in rr["notes"][0]  # 8/12 vs 3/12: RR = 2.67, shown as a ratio


def test_limitations_state_numbers(review):
    text = " ".join(review.data["limitations"])
    assert "k = 4" in text and "86 patients" in text
    assert "3–20 times the dose" in text and "6–34 times the infusion length" in text


def test_cli_review_situate_prisma(root, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    runner = CliRunner()
    monkeypatch.chdir(root)
    out = tmp_path / "cli"
    r = runner.invoke(app, ["review", "--out", str(out), "--store", str(tmp_path / "none.sqlite")])
    assert r.exit_code == 0, r.output
    assert (out / "report.html").exists() and (out / "results.json").exists()
    assert "0.59" in r.output
    r = runner.invoke(app, ["situate", "NCT06916403", "--out", str(out), "--offline"])
    assert r.exit_code == 0, r.output
    assert "3.0–20.0×" in r.output and (out / "evidence_map.png").exists()
    # online, but the registry (EVSYNTH_CTGOV_URL) is unreachable: said plainly, not an error
    r = runner.invoke(app, ["situate", "NCT06916403", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "extracted/" in r.output
    r = runner.invoke(app, ["prisma", "--store", str(tmp_path / "missing.sqlite"), "-o", str(out)])
    assert r.exit_code != 0


def test_prisma_from_store(tmp_path):
    from typer.testing import CliRunner

    from evsynth.models import Record
    from evsynth.store import open_store

    store = tmp_path / "s.sqlite"
    with open_store(store) as st:
        st.add_records([Record(source="pubmed", source_id="1", pmid="1", title="a"),
                        Record(source="pubmed", source_id="2", pmid="2", title="b")])
    r = CliRunner().invoke(app, ["prisma", "--store", str(store), "-o", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output
    assert {p.suffix for p in (tmp_path / "p").iterdir()} == {".png", ".svg", ".pdf"}


def test_search_provenance_quotes_every_saved_query(review, root):
    import html as _html

    files = sorted((root / "queries").glob("*.toml"))
    names = [q["name"] for q in review.data["search"]["queries"]]
    assert len(names) == len(files)
    page = _html.unescape(review.report.read_text(encoding="utf-8"))
    for q in review.data["search"]["queries"]:
        assert q["query"].strip() in page
    if not review.data["search"]["runs"]:
        assert "No record store" in review.data["search"]["notes"][0]


def test_registry_summary_states_what_the_registry_says():
    from evsynth.models import Record
    from evsynth.report import registry_summary

    # Facts of NCT06916403 as the evidence notes give them (meddatax.com/clinical-trials/NCT06916403).
    rec = Record(source="ctgov", source_id="NCT06916403", nct_id="NCT06916403",
                 title="Safety and Efficacy of Ketamine Intravenous Infusions in the Treatment of Fibromyalgia",
                 extra={"status": "ACTIVE_NOT_RECRUITING", "enrollment": 50, "start_date": "2020-11-30",
                        "completion_date": "2025-12-30", "interventions": [{"type": "DRUG", "name": "Ketamine"}]})
    text = registry_summary(rec)
    assert text.startswith("Registry record NCT06916403: Safety and Efficacy")
    assert "status ACTIVE_NOT_RECRUITING" in text and "enrollment 50" in text and "start 2020-11-30" in text
    assert "intervention DRUG: Ketamine" in text and text.endswith("comes from extracted/.")


def test_responder_definition_is_taken_from_the_data(review, root):
    import re

    from evsynth.extraction import load_extracted

    ex = load_extracted(root / "extracted")
    used = {o.outcome_id: o for o in ex.outcomes if o.outcome_id in review.data["main"]["outcome_ids"]}
    strict = [o for o in used.values() if re.search(r">\s*50%", o.definition)]
    at_least = [o for o in used.values() if re.search(r"≥\s*50%", o.definition)]
    assert len(strict) == 3 and len(at_least) == 1  # three studies define ">50%"
    assert ">50% or \u226550% pain reduction" in review.data["main"]["summary"]
    assert "at least 50%" not in review.data["question"]


# --- appraisal sections (issue 15) -----------------------------------------------------------------


def test_summary_of_findings_at_the_top_and_in_results(review):
    import html as _html

    data = json.loads(review.results.read_text(encoding="utf-8"))
    sof = data["summary_of_findings"]
    main = data["main"]
    first = sof[0]
    assert first["analysis"] == "responders" and first["k"] == main["k"] and first["n_patients"] == main["n_patients"]
    assert f"{main['estimate']:.2f} (95% CI {main['ci_low']:.2f} to {main['ci_high']:.2f})" in first["effect"]
    assert first["comparison"] is False and "not a comparison" in first["comments"]
    assert all(r["certainty"] == "not rated" for r in sof)  # no grade.csv rating is shipped
    page = _html.unescape(review.report.read_text(encoding="utf-8"))
    assert page.index("Summary of findings") < page.index("1. Question")


def test_heterogeneity_with_q_profile_cis_and_caveat(review):
    from evsynth.extraction import load_extracted
    from evsynth.meta import heterogeneity
    from evsynth.project.analyses import analysis_fit

    h = review.data["heterogeneity"]["responders"]
    ex = load_extracted(review.data["inputs"]["extracted"])
    _, res = analysis_fit(ex, ex.review.analysis("responders"))
    ref = heterogeneity(res)
    assert h["i2_ci"] == pytest.approx(list(ref.i2_ci)) and h["tau2_ci"] == pytest.approx(list(ref.tau2_ci))
    assert res.tau2 == 0 and "estimated at 0" in h["pi_caveat"]


def test_risk_of_bias_not_assessed_is_stated_and_a_limitation(review):
    rob = review.data["risk_of_bias"]
    assert rob["assessed"] is False
    assert all(r["overall"] == "not assessed" for r in rob["rows"])
    assert any(l.startswith("Risk of bias not assessed") for l in review.data["limitations"])
    sens = review.data["appraisal_sensitivity"]["responders"]
    assert sens[0]["k"] is None and "not assessed" in sens[0]["note"]


def test_all_controlled_evidence_and_later_timepoint(review, root):
    from evsynth.extraction import load_extracted

    ex = load_extracted(root / "extracted")
    rows = review.data["controlled"]["rows"]
    controls = [o for o in ex.outcomes if o.arm in ("placebo", "active_placebo") and o.events is not None]
    assert len(rows) == len(controls) == 4
    assert [r["counts"] for r in rows] == ["8/12 vs 3/12", "6/12 vs 2/12", "2/12 vs 0/12", "2/12 vs 2/12"]
    later = review.data["appraisal_sensitivity"]["responders"][1]
    assert round(later["estimate"], 3) == 0.567 and round(later["ci_low"], 3) == 0.46
    assert round(later["ci_high"], 3) == 0.668 and "Noppers 2011 at 180min" in later["note"]


def test_harms_and_update_prisma(review, root):
    from evsynth.extraction import load_extracted

    ex = load_extracted(root / "extracted")
    harms = {h["study_id"]: h for h in review.data["harms"]}
    for s in ex.studies:
        if s.status == "completed":
            assert harms[s.study_id]["reported"] == (s.adverse_events or "not reported")
    counts = review.data["prisma"]["counts"]
    new = [s.label for s in ex.studies if s.status == "completed" and s.in_review is False]
    assert new == ["Gupta 2023"] and counts["included_studies"] == 1
    assert counts["previous_studies"] == load_review(root).updates.publications
    assert "Gupta 2023" in review.data["prisma"]["source"]


def test_sentences_about_studies_are_computed(review, root):
    from evsynth.extraction import load_extracted

    ex = load_extracted(root / "extracted")
    in_review = [s for s in ex.studies if s.in_review]
    missing = load_review(root).updates.publications - len(in_review)
    line = next(l for l in review.data["limitations"] if l.startswith("The review being updated reports"))
    assert f"{len(in_review)} are identified here ({sum(s.n_patients for s in in_review)} patients)" in line
    assert missing == 1 and "The remaining publication could not be identified" in line


def test_included_studies_table_flags_derived_or_uncertain_cells(review, root):
    """Each cell of the Included-studies table whose value provenance.csv marks derived or uncertain
    carries a visible marker (and the legend says what it means); plain cells carry none."""
    import re

    from evsynth.extraction import load_extracted

    ex = load_extracted(root / "extracted")
    shown = [c for c in load_review(root).covariates if c.show]
    rows = {r["study_id"]: r for r in review.data["studies"]["rows"]}
    html = review.report.read_text(encoding="utf-8")
    seen_flag = False
    for s in ex.studies:
        for c, flag in zip(shown, rows[s.study_id]["covariate_flags"]):
            prov = [p for p in ex.provenance if p.table == "studies" and p.record_id == s.study_id
                    and p.field in c.columns]
            assert bool(flag) == any(p.derived or p.uncertain for p in prov), (s.study_id, c.name)
            seen_flag |= bool(flag)
    assert seen_flag and review.data["studies"]["flagged"]
    # the rendered row of each study has as many markers as flagged cells
    for s in ex.studies:
        row = re.search(r'<tr><th scope="row">' + re.escape(s.label) + r"(.*?)</tr>", html, re.S).group(1)
        n_flags = sum(bool(f) for f in rows[s.study_id]["covariate_flags"]) + bool(rows[s.study_id]["n_patients_flag"])
        assert row.count('class="flag"') == n_flags, s.label
    assert "† The value is derived or uncertain" in html


def test_report_paths_levels_and_section_numbers(review, root):
    """Paths relative to the project folder; the CI level without a trailing .0; every section
    numbered in order, appraisal sections before the trial is situated, heterogeneity with the analyses."""
    import re

    html = review.report.read_text(encoding="utf-8")
    assert str(root.resolve()) not in html and str(root) not in html
    assert "<code>extracted</code>" in html
    for q in sorted((root / "queries").glob("*.toml")):
        assert f"<code>queries/{q.name}</code>" in html
    assert ".0% CI" not in html and f"{review.data['level']:g}% CI" in html
    heads = re.findall(r"<h2>(?:(\d+)\. )?([^<]*)</h2>", html)
    assert heads[0] == ("", "Summary of findings")
    numbers = [int(n) for n, _ in heads[1:]]
    assert numbers == list(range(1, len(heads))), heads
    titles = [t for _, t in heads[1:]]
    situate = next(i for i, t in enumerate(titles) if t.startswith("Where "))
    for t in ("All controlled evidence", "Risk of bias", "Harms"):
        assert titles.index(t) < situate, titles
    assert titles[-1] == "Limitations"
    pooled = titles.index("Pooled result") + 1
    assert re.search(rf"<h3>{pooled}\.\d+ Heterogeneity and its uncertainty</h3>", html)


def test_summary_of_findings_controlled_row_shows_every_timepoint(review):
    rows = review.data["controlled"]["rows"]
    sof = next(s for s in review.data["summary_of_findings"] if s["comparison"])
    analysed = [c for c in rows if c["label"] in sof["comments"]]
    assert len(analysed) == len(rows) > 1  # every timepoint of the compared studies
    for c in rows:
        assert f"{c['timepoint']}: {c['counts']}" in sof["comments"]
    assert f"{len(rows)} timepoints of this comparison" in sof["comments"]
