"""PRISMA 2020 diagram content from counts."""

from __future__ import annotations

import pytest

from evsynth.plots import prisma_diagram, save_figure
from evsynth.plots.prisma import is_register


def _text(fig, name):
    found = fig.findobj(lambda a: a.get_gid() == f"text:{name}")
    assert found, name
    return found[0].get_text()


COUNTS = dict(identified={"PubMed": 120, "Embase": 80, "ClinicalTrials.gov": 3}, duplicates_removed=40,
              screened=163, excluded_screening=141, sought=22, not_retrieved=2, assessed=20,
              excluded_fulltext={"wrong population": 8, "not intravenous": 5}, included_studies=6,
              included_reports=7)


def test_every_box_has_its_count():
    fig = prisma_diagram(COUNTS)
    ident = _text(fig, "identified")
    assert "Databases (n = 200)" in ident and "PubMed (n = 120)" in ident and "Embase (n = 80)" in ident
    assert "Registers (n = 3)" in ident and "ClinicalTrials.gov (n = 3)" in ident
    assert "Duplicate records (n = 40)" in _text(fig, "removed")
    assert _text(fig, "screened") == "Records screened (n = 163)"
    assert _text(fig, "excluded") == "Records excluded (n = 141)"
    assert _text(fig, "sought") == "Reports sought for retrieval (n = 22)"
    assert _text(fig, "not_retrieved") == "Reports not retrieved (n = 2)"
    assert _text(fig, "assessed") == "Reports assessed for eligibility (n = 20)"
    ex = _text(fig, "excluded_fulltext")
    assert ex.startswith("Reports excluded (n = 13)")
    assert "wrong population (n = 8)" in ex and "not intravenous (n = 5)" in ex
    inc = _text(fig, "included")
    assert "Studies included in review (n = 6)" in inc and "Reports of included studies (n = 7)" in inc


def test_unavailable_counts_are_said_not_guessed(tmp_path):
    counts = {k: None for k in COUNTS}
    counts["identified"] = {}
    counts["included_reports"] = 7
    fig = prisma_diagram(counts, note="Only the review's report gives counts.")
    assert _text(fig, "screened") == "Records screened (n = not available)"
    assert "not available" in _text(fig, "identified")
    assert "Reports of included studies (n = 7)" in _text(fig, "included")
    paths = save_figure(fig, tmp_path / "prisma")
    assert all(p.exists() for p in paths)


def test_prisma_counts_object_from_screening():
    from evsynth.screening import PrismaCounts

    counts = PrismaCounts(**COUNTS)
    fig = prisma_diagram(counts)
    assert _text(fig, "screened") == "Records screened (n = 163)"


@pytest.mark.parametrize("name,expected", [("ClinicalTrials.gov", True), ("ctgov", True), ("WHO ICTRP", True),
                                           ("PubMed", False), ("Embase", False), ("ris", False)])
def test_register_detection(name, expected):
    assert is_register(name) is expected
