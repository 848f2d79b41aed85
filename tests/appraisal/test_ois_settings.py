"""The optimal information size's assumptions set in review.toml ([grade.ois], [analyses.ois]).

Reference values: tests/reference/ois/ois.json (``Rscript tests/reference/ois/ois.R``: R's
``power.prop.test`` for two groups, the normal approximation for one proportion, metafor for the
pooled proportion of the BCG arm).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evsynth.appraisal import ois_proportion, ois_two_groups
from evsynth.cli import main
from evsynth.errors import InputError
from evsynth.project import OisAssumptions, load_review
from evsynth.project.init import REVIEW_TEMPLATE, init_project

#: Written into a copy of examples/bcg/review.toml before its first [[analyses]].
GRADE = """[grade.ois]
rrr = 0.2
alpha = 0.01
power = 0.9
half_width = 0.01

"""
#: Appended to the last analysis ("or") of the copy, with a single-group analysis of the BCG arm.
OVERRIDES = """
[analyses.ois]
control_risk = 0.05
control_risk_source = "an assumed risk for the test"
rrr = 0.3

[[analyses]]
id = "bcg-arm"
outcome_type = "events"
outcome = "tb_cases"
arm = "bcg"
measure = "PLO"
report = "secondary"

[analyses.ois]
half_width = 0.005

[report]"""


@pytest.fixture(scope="module")
def reference(root: Path) -> dict:
    return json.loads((root / "tests" / "reference" / "ois" / "ois.json").read_text(encoding="utf-8"))


def _bcg_copy(root: Path, folder: Path) -> Path:
    shutil.copytree(root / "examples" / "bcg", folder, ignore=shutil.ignore_patterns("out"))
    path = folder / "review.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count("\n[report]") == 1
    text = text.replace("[[analyses]]", GRADE + "[[analyses]]", 1).replace("\n[report]", OVERRIDES, 1)
    path.write_text(text, encoding="utf-8")
    return folder


def test_defaults_are_the_functions_defaults() -> None:
    s = OisAssumptions()
    assert (s.rrr, s.alpha, s.power, s.half_width, s.control_risk, s.level) == (0.25, 0.05, 0.80, 0.10, None, 95.0)
    assert ois_two_groups(0.2, s.rrr, s.alpha, s.power) == ois_two_groups(0.2)
    assert ois_proportion(0.59, s.half_width, s.level) == ois_proportion(0.59)


def test_ois_functions_match_r(reference: dict) -> None:
    for c in reference["two_groups"]:
        assert ois_two_groups(c["control_risk"], c["rrr"], c["alpha"], c["power"]) == c["ois"], c
    for c in reference["proportion"]:
        level = OisAssumptions(alpha=c["alpha"]).level
        assert ois_proportion(c["proportion"], c["half_width"], level) == c["ois"], c
    assert len({c["ois"] for c in reference["two_groups"]}) > 60  # the settings change the number


def test_review_wide_settings_and_per_analysis_overrides_are_parsed(root: Path, tmp_path: Path) -> None:
    review = load_review(_bcg_copy(root, tmp_path / "bcg"))
    assert review.ois == OisAssumptions(rrr=0.2, alpha=0.01, power=0.9, half_width=0.01)
    assert review.analysis("rr").ois == review.ois == review.analysis("rr-by-allocation").ois
    assert review.analysis("or").ois == OisAssumptions(rrr=0.3, alpha=0.01, power=0.9, half_width=0.01,
                                                       control_risk=0.05,
                                                       control_risk_source="an assumed risk for the test")
    assert review.analysis("bcg-arm").ois == OisAssumptions(rrr=0.2, alpha=0.01, power=0.9, half_width=0.005)
    assert load_review(root / "examples" / "bcg").analysis("rr").ois == OisAssumptions()


@pytest.mark.parametrize(("old", "new", "key", "text"), [
    ("rrr = 0.2\n", "rrr = 1.5\n", "grade.ois.rrr", "strictly between 0 and 1, not 1.5"),
    ("alpha = 0.01\n", "alpha = 0\n", "grade.ois.alpha", "strictly between 0 and 1, not 0"),
    ("power = 0.9\n", "power = 1\n", "grade.ois.power", "strictly between 0 and 1, not 1"),
    ("half_width = 0.01\n", "half_width = -0.1\n", "grade.ois.half_width", "strictly between 0 and 1"),
    ("half_width = 0.01\n", 'half_width = "ten percent"\n', "grade.ois.half_width", "must be a number"),
    ("power = 0.9\n", "powr = 0.9\n", "grade.ois.powr", "unknown key 'powr'"),
    ("control_risk = 0.05\n", "control_risk = 5\n", "analyses[2].ois.control_risk", "not 5"),
    ("half_width = 0.005\n", "half_width = 0.5\nalpha = 1.01\n", "analyses[3].ois.alpha", "not 1.01"),
    ('control_risk_source = "an assumed risk for the test"\n', "", "analyses[2].ois.control_risk_source",
     "needs control_risk_source"),
    ("control_risk = 0.05\n", "", "analyses[2].ois.control_risk", "set control_risk beside it"),
])
def test_invalid_settings_name_file_key_and_line(root: Path, tmp_path: Path, old: str, new: str, key: str,
                                                 text: str) -> None:
    path = _bcg_copy(root, tmp_path / "bcg") / "review.toml"
    src = path.read_text(encoding="utf-8")
    assert old in src
    path.write_text(src.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_review(path)
    err = info.value
    assert err.path == str(path) and err.field == key and text in err.message and key in err.message
    line = path.read_text(encoding="utf-8").splitlines()[err.line - 1]
    name = key.rsplit(".", 1)[-1]
    table = "[grade.ois]" if key.startswith("grade") else "[analyses.ois]"
    assert line.startswith(f"{name} =") or line == table, line  # a missing key: its table's header


def test_settings_change_the_ois_in_results(root: Path, tmp_path: Path, reference: dict,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    proj = _bcg_copy(root, tmp_path / "bcg")
    with pytest.raises(SystemExit) as ex:
        main(["review", "--project", str(proj)])
    assert ex.value.code == 0, capsys.readouterr().err
    html = (proj / "out" / "report.html").read_text(encoding="utf-8")
    signals = json.loads((proj / "out" / "results.json").read_text(encoding="utf-8"))["grade_signals"]
    for aid, want in reference["bcg"].items():
        got = signals[aid]
        assert got["ois"] == want["ois"], aid
        assumed = got["ois_assumptions"]
        for k, v in want.items():
            if k != "ois":
                assert assumed[k] == pytest.approx(v, rel=1e-9), (aid, k)
        assert got["ois_basis"] in got["imprecision"] and got["ois_basis"] in html
    assert signals["rr"]["ois"] != ois_two_groups(signals["rr"]["ois_assumptions"]["control_risk"])  # not the default
    assert signals["rr"]["ois_basis"] == ("one trial detecting a 20% relative risk reduction from a control risk of "
                                          "0.00908 (α 0.01, power 0.90)")
    assert signals["rr"]["ois_assumptions"]["control_risk_from"].startswith("control arms of the analysis")
    assert signals["or"]["ois_basis"] == ("one trial detecting a 30% relative risk reduction from a control risk of "
                                          "0.05 (an assumed risk for the test; α 0.01, power 0.90)")
    assert signals["or"]["ois_assumptions"]["control_risk_from"] == "review.toml"
    p = reference["bcg"]["bcg-arm"]["proportion"]
    assert signals["bcg-arm"]["ois_basis"] == f"patients to estimate a proportion of {p:.2f} within ±0.005 (99% CI)"
    assert signals["bcg-arm"]["ois_assumptions"]["level"] == 99.0


def test_init_template_documents_every_key_and_loads(tmp_path: Path) -> None:
    block = REVIEW_TEMPLATE[REVIEW_TEMPLATE.index("[grade.ois]"):]
    for key in ("rrr", "alpha", "power", "half_width", "control_risk", "control_risk_source"):
        assert f"{key} =" in block, key
    assert "[analyses.ois]" in REVIEW_TEMPLATE
    init_project(tmp_path / "new")
    path = tmp_path / "new" / "review.toml"
    assert load_review(path).ois == OisAssumptions() == load_review(path).analyses[0].ois
    text = path.read_text(encoding="utf-8").replace("# control_risk = 0.20 ", "control_risk = 0.20 ").replace(
        '# control_risk_source = "', 'control_risk_source = "').replace("rrr = 0.25 ", "rrr = 0.15 ")
    path.write_text(text, encoding="utf-8")
    got = load_review(path).analyses[0].ois
    assert (got.rrr, got.control_risk) == (0.15, 0.20) and got.control_risk_source.startswith("cohort of")
