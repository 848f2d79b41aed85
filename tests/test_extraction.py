"""extracted/: the schema and its bad-input rules, the review's real data, responder effects, the CLI."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from evsynth.cli import main
from evsynth.effects import RowSpec, arm_effects
from evsynth.errors import InputError, InputErrors
from evsynth.extraction import Extraction, load_extracted, validate_extracted


@pytest.fixture(scope="module")
def real(root: Path) -> Extraction:
    return load_extracted(root / "extracted")


@pytest.fixture()
def folder(root: Path, tmp_path: Path) -> Path:
    """A writable copy of the project's extracted/ (with its review.toml beside it) to break."""
    dest = tmp_path / "extracted"
    dest.mkdir()
    shutil.copy(root / "review.toml", tmp_path / "review.toml")
    for name in ("studies.csv", "outcomes.csv", "provenance.csv", "sources.csv"):
        shutil.copy(root / "extracted" / name, dest / name)
    return dest


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _set(path: Path, key: str, key_value: str, column: str, value: str) -> int:
    """Set one cell; returns the CSV row number (header = 1)."""
    rows = _rows(path)
    for i, row in enumerate(rows):
        if row[key] == key_value:
            row[column] = value
            _write(path, rows)
            return i + 2
    raise AssertionError(f"{key_value} not in {path}")


def _errors(folder: Path) -> list[InputError]:
    report = validate_extracted(folder)
    with pytest.raises(InputErrors):
        load_extracted(folder)
    return list(report.errors)


def _has(errors: list[InputError], path: Path, line: int, field: str, text: str) -> bool:
    return any(e.path == str(path) and e.line == line and e.field == field and text in e.message for e in errors)


# --- bad input: each rule names file, row and column --------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("sd", "0", "greater than 0"),
        ("sd", "-2.5", "greater than 0"),
        ("events", "13", "events (13) greater than total (12)"),
        ("total", "1", "greater than or equal to 2"),
        ("n", "1", "greater than or equal to 2"),
        ("timepoint", "2h", "not in the vocabulary"),
        ("scale", "VAS 0-1000", "not in the vocabulary"),
    ],
)
def test_bad_outcome_value_names_file_row_column(folder: Path, column: str, value: str, text: str) -> None:
    path = folder / "outcomes.csv"
    line = _set(path, "outcome_id", "noppers2011.resp50.15min.ket", column, value)
    errors = _errors(folder)
    field = "total" if column == "events" else column
    assert _has(errors, path, line, field, text), [str(e) for e in errors]


def test_n_randomised_below_two_is_an_error(folder: Path) -> None:
    path = folder / "studies.csv"
    line = _set(path, "study_id", "noppers2011", "n_randomised", "1")
    assert _has(_errors(folder), path, line, "n_randomised", "greater than or equal to 2")


def test_design_and_enantiomer_vocabularies(folder: Path) -> None:
    path = folder / "studies.csv"
    line = _set(path, "study_id", "cohen2006", "design", "cohort")
    line2 = _set(path, "study_id", "noppers2011", "enantiomer", "R")
    errors = _errors(folder)
    assert _has(errors, path, line, "design", "not in the vocabulary")
    assert _has(errors, path, line2, "enantiomer", "not in the vocabulary")


def test_value_without_provenance(folder: Path) -> None:
    prov = folder / "provenance.csv"
    rows = [r for r in _rows(prov) if not (r["record_id"] == "cohen2006.resp50" and r["field"] == "events")]
    _write(prov, rows)
    line = next(i + 2 for i, r in enumerate(_rows(folder / "outcomes.csv")) if r["outcome_id"] == "cohen2006.resp50")
    assert _has(_errors(folder), folder / "outcomes.csv", line, "events", "value without provenance")


def test_new_value_needs_provenance(folder: Path) -> None:
    path = folder / "studies.csv"
    line = _set(path, "study_id", "cohen2006", "follow_up", "6 weeks")
    assert _has(_errors(folder), path, line, "follow_up", "value without provenance")


def test_provenance_rules(folder: Path) -> None:
    prov = folder / "provenance.csv"
    rows = _rows(prov)
    rows[0]["source"] = "somewhere.example/unknown"
    rows[1]["derived"] = "true"
    rows[1]["derivation"] = ""
    rows[2]["location"] = ""
    rows.append(dict(rows[3]))  # duplicate
    rows.append({**rows[4], "field": "n_analysed"})  # provenance for an empty value
    _write(prov, rows)
    errors = _errors(folder)
    assert _has(errors, prov, 2, "source", "not listed in sources.csv")
    assert _has(errors, prov, 3, "derivation", "needs its derivation")
    assert _has(errors, prov, 4, "location", "")
    assert _has(errors, prov, len(rows), "field", "duplicate provenance")  # header is row 1
    assert _has(errors, prov, len(rows) + 1, "field", "empty or does not exist")


def test_duplicate_study_id_and_unknown_study_in_outcomes(folder: Path) -> None:
    studies = folder / "studies.csv"
    rows = _rows(studies)
    rows.append(dict(rows[0]))
    _write(studies, rows)
    outcomes = folder / "outcomes.csv"
    line = _set(outcomes, "outcome_id", "cohen2006.resp67", "study_id", "cohen2007")
    errors = _errors(folder)
    assert _has(errors, studies, len(rows) + 1, "study_id", "duplicate study_id 'sorensen1995' (first on row 2)")
    assert _has(errors, outcomes, line, "study_id", "unknown study_id 'cohen2007'")


def test_all_errors_reported_at_once(folder: Path) -> None:
    outcomes = folder / "outcomes.csv"
    studies = folder / "studies.csv"
    l1 = _set(outcomes, "outcome_id", "noppers2011.resp50.15min.ket", "events", "20")
    l2 = _set(outcomes, "outcome_id", "cohen2006.resp50", "timepoint", "someday")
    l3 = _set(studies, "study_id", "hanna2016", "design", "anecdote")
    with pytest.raises(InputErrors) as err:
        load_extracted(folder)
    found = {(e.path, e.line, e.field) for e in err.value.errors}
    assert {(str(outcomes), l1, "total"), (str(outcomes), l2, "timepoint"), (str(studies), l3, "design")} <= found
    assert "outcomes.csv" in str(err.value) and f"line {l2}" in str(err.value)


def test_missing_column_and_file(folder: Path) -> None:
    rows = _rows(folder / "sources.csv")
    _write(folder / "sources.csv", [{k: v for k, v in r.items() if k != "kind"} for r in rows])
    (folder / "outcomes.csv").unlink()
    errors = _errors(folder)
    assert _has(errors, folder / "sources.csv", 1, "kind", "required column missing")
    assert any(e.path == str(folder / "outcomes.csv") and e.message == "no such file" for e in errors)


# --- the review's real data ---------------------------------------------------------------------


def test_real_extraction_validates(root: Path) -> None:
    report = validate_extracted(root / "extracted")
    assert report.ok, [str(e) for e in report.errors]
    assert report.n_studies == 8


def test_studies_of_the_review(real: Extraction) -> None:
    ids = [s.study_id for s in real.studies]
    assert ids == ["sorensen1995", "sorensen1997", "gravennielsen2000", "noppers2011", "cohen2006", "hanna2016",
                   "gupta2023", "nct06916403"]
    assert sum(s.n_patients for s in real.studies if s.in_review) == 117  # six of the review's 118
    noppers = real.study("noppers2011")
    assert (noppers.enantiomer, noppers.dose_mg_per_kg, noppers.infusion_minutes, noppers.design) == (
        "S", 0.5, 30, "parallel_rct")
    assert real.study("cohen2006").dose_mg_per_kg == 0.1 and real.study("cohen2006").infusion_minutes == 7
    frame = real.studies_frame()
    assert frame.loc[frame.study_id == "sorensen1995", "pmid"].item() == "8610220"


def test_registered_trial_as_the_registry_states_it(real: Extraction) -> None:
    # Evidence notes: "status active not recruiting, results pending"; two parts, retrospective (at least 4
    # prior infusions; NRS before and after each) and prospective (at least 3 prior infusions, then one more).
    trial = real.study("nct06916403")
    assert trial.status == "active_not_recruiting" and trial.nct_id == "NCT06916403" and trial.n_planned == 50
    assert trial.range("dose_mg_per_kg") == (1.5, 2.0) and trial.range("infusion_minutes") == (180, 240)
    assert trial.dose_mg_per_kg is None
    assert trial.range("prior_infusions") == (3, 4)
    assert "retrospective" in trial.population and "prospective" in trial.population
    outcomes = [o for o in real.outcomes if o.study_id == "nct06916403"]
    assert [(o.scale, o.outcome_type, o.events) for o in outcomes] == [("NRS", "narrative", None)]
    # every value of the trial cites its registry record, which a reader can open
    for p in real.provenance:
        if p.record_id.startswith("nct06916403"):
            assert p.source == "NCT06916403", (p.field, p.source)


def test_no_local_path_is_cited(root: Path) -> None:
    for path in (root / "extracted").glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert "seeds/" not in text and "shared/" not in text and "../" not in text, path.name


def test_a_local_path_is_not_a_source(tmp_path: Path, root: Path) -> None:
    import shutil

    folder = tmp_path / "x"
    shutil.copytree(root / "extracted", folder)
    prov = folder / "provenance.csv"
    text = prov.read_text(encoding="utf-8")
    prov.write_text(text.replace("NCT06916403,\"registry record, description: 'This two-part",
                                 "seeds/004.txt,\"registry record, description: 'This two-part", 1), encoding="utf-8")
    report = validate_extracted(folder)
    assert any(e.field == "source" and "no local paths" in str(e) for e in report.errors)


def test_flagged_values_carry_over(real: Extraction) -> None:
    p = real.provenance_of("outcomes", "sorensen1995.resp50", "events")
    assert p.derived and p.uncertain and "6 of 8" in p.location
    s95 = next(o for o in real.outcomes if o.outcome_id == "sorensen1995.resp50")
    assert (s95.events, s95.total) == (8, 11)
    gn = next(o for o in real.outcomes if o.outcome_id == "gravennielsen2000.resp50")
    assert (gn.events, gn.total) == (17, 29)
    assert real.provenance_of("studies", "gravennielsen2000", "pmid").uncertain
    cohen = {o.cutoff_percent: o for o in real.outcomes if o.study_id == "cohen2006"}
    assert (cohen[50].events, cohen[50].total, cohen[50].analysis) == (18, 34, "main")
    assert (cohen[67].events, cohen[67].total, cohen[67].analysis) == (13, 34, "sensitivity")
    hanna = real.study("hanna2016")
    assert hanna.total_dose_mg == 200 and real.provenance_of("studies", "hanna2016", "total_dose_mg").uncertain
    gupta = real.study("gupta2023")
    assert (gupta.n_infusions, gupta.total_dose_mg_low, gupta.total_dose_mg_high, gupta.infusion_minutes) == (
        9, 50, 240, 120)
    # two hours is stated for the maintenance infusions only; nine counts only the initial sessions
    minutes = real.provenance_of("studies", "gupta2023", "infusion_minutes")
    assert minutes.derived and minutes.uncertain and "maintenance" in minutes.derivation
    sessions = real.provenance_of("studies", "gupta2023", "n_infusions")
    assert sessions.uncertain and "maintenance" in sessions.note
    noppers = {(o.timepoint, o.arm): (o.events, o.total) for o in real.outcomes
               if o.study_id == "noppers2011" and o.outcome_type == "responders"}
    assert noppers == {("15min", "ketamine"): (8, 12), ("15min", "active_placebo"): (3, 12),
                       ("180min", "ketamine"): (6, 12), ("180min", "active_placebo"): (2, 12),
                       ("1wk", "ketamine"): (2, 12), ("1wk", "active_placebo"): (0, 12),
                       ("8wk", "ketamine"): (2, 12), ("8wk", "active_placebo"): (2, 12)}


def test_missing_and_derived_are_reported(root: Path) -> None:
    report = validate_extracted(root / "extracted")
    missing = {(m.record_id, m.field) for m in report.missing}
    assert ("sorensen1995", "rob_judgement") in missing  # no risk-of-bias judgements in the sources
    assert ("sorensen1997", "pmid") in missing and ("noppers2011", "doi") in missing
    assert ("nct06916403", "*") in missing
    derived = {(d.record_id, d.field) for d in report.derived}
    assert {("sorensen1995.resp50", "events"), ("nct06916403", "infusion_minutes_low"),
            ("gupta2023", "infusion_minutes")} <= derived


def test_no_risk_of_bias_judgement_is_made_up(real: Extraction) -> None:
    assert all(s.rob_judgement is None and s.rob_tool is None for s in real.studies)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("–", "-").replace("—", "-"))


def test_provenance_points_at_the_evidence(real: Extraction, data_dir: Path) -> None:
    evidence = _norm((data_dir / "evidence" / "ketamine-fibromyalgia.md").read_text(encoding="utf-8"))
    seeds = {f"seeds/{p.name}": _norm(p.read_text(encoding="utf-8")) for p in (data_dir / "seeds").iterdir()}
    corpus = evidence + " ".join(seeds.values())
    review = next(s for s in real.sources if s.source == "PMID:34984054")
    assert review.kind == "review" and "10.31486/toj.21.0038" in review.citation
    for src in real.sources:
        assert src.source.removeprefix("doi:").removeprefix("PMID:") in evidence, src.source
    for p in real.provenance:
        for quote in re.findall(r"'([^']{6,})'", p.location):
            assert _norm(quote) in corpus, (p.record_id, p.field, quote)
        address = re.search(r"\(([\w.-]+\.(?:gov|com|org)[^)]*)\)", p.location)
        if address:
            assert address.group(1) in evidence, p.location


def test_reported_numbers_appear_in_the_evidence(real: Extraction, data_dir: Path) -> None:
    evidence = _norm((data_dir / "evidence" / "ketamine-fibromyalgia.md").read_text(encoding="utf-8"))
    for s in real.studies:
        if s.dose_mg_per_kg is not None:
            assert f"{s.dose_mg_per_kg:g} mg/kg" in evidence
        if s.infusion_minutes is not None and not real.provenance_of("studies", s.study_id, "infusion_minutes").derived:
            assert f"over {s.infusion_minutes:g} min" in evidence
        if s.doi:
            assert s.doi in evidence


# --- responder effects --------------------------------------------------------------------------


#: The rows the shipped review.toml's analyses select (analyses "responders" and "responders-vs-control").
MAIN = RowSpec(arm="ketamine", outcome_type="responders")
CONTROLLED = RowSpec(arm="ketamine", control=("placebo", "active_placebo"), outcome_type="responders")


def responder_effects(real: Extraction, measure: str = "PLO", timepoint: str | None = None,
                      cutoff: float | None = None):
    from dataclasses import replace

    spec = CONTROLLED if measure in ("RR", "OR", "RD", "SMD") else MAIN
    spec = replace(spec, timepoint=timepoint, where={"cutoff_percent": cutoff} if cutoff else None)
    return arm_effects(real, spec, measure)


def test_responder_effects_main_rows(real: Extraction) -> None:
    es = responder_effects(real)
    assert es.measure == "PLO"
    assert es.study_ids == ("sorensen1995", "gravennielsen2000", "noppers2011", "cohen2006")
    assert es.outcome_ids[2] == "noppers2011.resp50.15min.ket"
    np.testing.assert_allclose(es.yi, np.log([8 / 3, 17 / 12, 8 / 4, 18 / 16]))
    np.testing.assert_allclose(es.vi, [1 / 8 + 1 / 3, 1 / 17 + 1 / 12, 1 / 8 + 1 / 4, 1 / 18 + 1 / 16])
    assert es.labels[0] == "Sörensen 1995"
    np.testing.assert_array_equal(es.ni, [11, 29, 12, 34])


def test_responder_effects_sensitivity_and_two_group(real: Extraction) -> None:
    sens = responder_effects(real, cutoff=67)
    assert sens.outcome_ids[3] == "cohen2006.resp67"
    np.testing.assert_allclose(sens.yi[3], np.log(13 / 21))
    rr = responder_effects(real, measure="RR")
    assert rr.study_ids == ("noppers2011",)
    np.testing.assert_allclose(rr.yi, np.log((8 / 12) / (3 / 12)))
    np.testing.assert_allclose(rr.vi, 1 / 8 - 1 / 12 + 1 / 3 - 1 / 12)
    wk1 = responder_effects(real, measure="RR", timepoint="1wk")
    np.testing.assert_allclose(wk1.yi, np.log((2.5 / 13) / (0.5 / 13)))
    assert wk1.notes
    pft = responder_effects(real, measure="PFT")
    assert pft.measure == "PFT" and len(pft) == 4
    with pytest.raises(InputError):
        responder_effects(real, measure="SMD")


# --- command line -------------------------------------------------------------------------------


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ex:
        main(args)
    out = capsys.readouterr()
    return int(ex.value.code), out.out, out.err


def test_cli_extract_validate(root: Path, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["extract", "validate", "--folder", str(root / "extracted")], capsys)
    assert code == 0 and "valid: no errors" in out
    assert out.index("valid: no errors") < out.index("Missing (")  # the verdict first
    row = next(line for line in out.splitlines() if "sorensen1995.resp50" in line and " events " in line)
    assert row.split()[:6] == ["outcomes", "sorensen1995.resp50", "events", "8", "derived,", "uncertain"]
    _set(folder / "outcomes.csv", "outcome_id", "cohen2006.resp50", "sd", "0")
    _set(folder / "studies.csv", "study_id", "cohen2006", "design", "cohort")
    code, out, err = _run(["extract", "validate", "--folder", str(folder)], capsys)
    assert code == 3 and "outcomes.csv" in err and "'sd'" in err and "'design'" in err


def test_cli_effects_formats(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(root / "extracted")
    code, out, _ = _run(["effects", "--measure", "PLO", "--folder", folder], capsys)
    assert code == 0 and "Graven-Nielsen 2000" in out
    code, out, _ = _run(["effects", "--measure", "RR", "--format", "csv", "--folder", folder], capsys)
    lines = out.strip().splitlines()
    assert lines[0].startswith("label,") and len(lines) == 2 and "Noppers 2011" in lines[1]
    code, out, _ = _run(["effects", "--measure", "PR", "--format", "json", "--folder", folder], capsys)
    import json

    rows = json.loads(out)["rows"]
    assert [round(r["yi"], 6) for r in rows] == [round(8 / 11, 6), round(17 / 29, 6), round(8 / 12, 6),
                                                  round(18 / 34, 6)]
    code, _, err = _run(["effects", "--analysis", "fiq", "--folder", folder], capsys)
    assert code == 3 and "analysis" in err and "responders-vs-control" in err


def test_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    from evsynth.errors import InputError
    from evsynth.extraction import load_extracted

    with pytest.raises(InputError) as info:
        load_extracted(tmp_path / "nope")
    assert "no such folder" in str(info.value) and "--folder" in str(info.value)


def test_unreadable_file_is_reported_first_and_its_consequences_skipped(root, tmp_path, capsys):
    """studies.csv saved as Latin-1: the cause (file, line, field, byte) comes first, and the
    checks across files that would only echo it (outcomes' unknown study_id, provenance of values
    that 'do not exist') are not run; validate and review exit 3."""
    import shutil

    from evsynth.extraction import validate_extracted

    shutil.copytree(root / "extracted", tmp_path / "extracted")
    shutil.copy(root / "review.toml", tmp_path / "review.toml")
    studies = tmp_path / "extracted" / "studies.csv"
    text = studies.read_text(encoding="utf-8")
    assert any(ord(ch) > 127 and ch.encode("latin-1", "replace") != b"?" for ch in text)
    studies.write_bytes(text.encode("latin-1", errors="replace"))
    report = validate_extracted(tmp_path / "extracted")
    assert report.errors
    assert all(e.path and str(e.path).endswith("studies.csv") and "not UTF-8" in str(e) for e in report.errors)
    assert not any("unknown study_id" in str(e) or "does not exist" in str(e) for e in report.errors)
    for args in (["extract", "validate", "--project", str(tmp_path)],
                 ["review", "--project", str(tmp_path), "--out", str(tmp_path / "out")]):
        code, out, err = _run(args, capsys)
        out = out + err
        assert code == 3, (args, out)
        first = next(l for l in out.splitlines() if "studies.csv, line" in l or "outcomes.csv, line" in l)
        assert "studies.csv, line 2" in first and "not UTF-8: byte 0x" in first, out
        assert "unknown study_id" not in out and "Traceback" not in out
    # an open quote is the same: the cause first, nothing that only follows from it
    studies.write_text(text.replace(",", ',"', 1), encoding="utf-8")
    errs = validate_extracted(tmp_path / "extracted").errors
    assert str(errs[0].path).endswith("studies.csv") and not any("unknown study_id" in str(e) for e in errs)
