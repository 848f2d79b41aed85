"""A review is a folder: review.toml, `evsynth init`, --project, and the shipped BCG review against metafor.

Reference values: tests/reference/metafor/bcg_review.json (Rscript tests/reference/metafor/bcg_review.R, which
also checks that examples/bcg/extracted holds metadat's dat.bcg) and reference.json (make_reference.R).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from evsynth.cli import main
from evsynth.errors import InputError, InputErrors, NotFoundError
from evsynth.project import find_project, load_review

TOL = dict(rel=1e-6, abs=1e-6)


@pytest.fixture(scope="module")
def ref(root: Path) -> dict:
    return json.loads((root / "tests" / "reference" / "metafor" / "bcg_review.json").read_text(encoding="utf-8"))


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ex:
        main(args)
    out = capsys.readouterr()
    return int(ex.value.code), out.out, out.err


def _check_fit(got: dict, want: dict) -> None:
    for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "q", "k"):
        assert got[key] == pytest.approx(want[key], **TOL), key
    for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
        assert got["natural"][key] == pytest.approx(want["natural"][key], **TOL), key


# --- review.toml -------------------------------------------------------------------------------


def test_shipped_reviews_load(root: Path) -> None:
    k = load_review(root)
    assert k.main_analysis.id == "responders" and k.situate is not None and k.covariate("enantiomer").levels
    b = load_review(root / "examples" / "bcg")
    assert [a.measure for a in b.analyses] == ["RR", "RR", "OR"] and b.analysis("rr").moderators == ("ablat",)


@pytest.mark.parametrize(("old", "new", "key", "text"), [
    ('measure = "RR"', 'measure = "XYZ"', "analyses[0].measure", "measure 'XYZ' is not one of"),
    ('moderators = ["ablat"]', 'moderators = ["latitude"]', "analyses[0].moderators", "not a declared covariate"),
    ('type = "number"', 'type = "numeric"', "covariates.ablat.type", "is not one of"),
    ('control = ["control"]\nmeasure = "RR"\nmethod = "REML"\nmoderators',
     'measure = "RR"\nmethod = "REML"\nmoderators', "analyses[0].control", "needs `control`"),
])
def test_review_toml_errors_name_file_line_and_key(root: Path, tmp_path: Path, old: str, new: str, key: str,
                                                   text: str) -> None:
    src = (root / "examples" / "bcg" / "review.toml").read_text(encoding="utf-8")
    assert old in src
    path = tmp_path / "review.toml"
    path.write_text(src.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_review(path)
    err = info.value
    assert err.path == str(path) and err.field == key and text in err.message and key in err.message
    line = path.read_text(encoding="utf-8").splitlines()[err.line - 1]
    assert key.rsplit(".", 1)[-1] in line or line == "[[analyses]]", line  # a missing key: its table's header


def test_not_toml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "review.toml").write_text('title = "x"\nquestion = \n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_review(tmp_path)
    assert info.value.line == 2 and "not valid TOML" in info.value.message


def test_find_project_flag_env_and_upwards(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVSYNTH_PROJECT", raising=False)
    bcg = root / "examples" / "bcg"
    assert find_project(bcg) == bcg
    assert find_project(start=bcg / "extracted") == bcg.resolve()
    monkeypatch.setenv("EVSYNTH_PROJECT", str(bcg))
    assert find_project() == bcg
    monkeypatch.delenv("EVSYNTH_PROJECT")
    with pytest.raises(NotFoundError):
        find_project(tmp_path)
    with pytest.raises(NotFoundError):
        find_project(start=tmp_path)


# --- the shipped BCG review through the CLI, against metafor --------------------------------------


@pytest.fixture(scope="module")
def bcg_results(root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bcg")
    with pytest.raises(SystemExit) as ex:
        main(["review", "--project", str(root / "examples" / "bcg"), "--out", str(out)])
    assert ex.value.code == 0
    assert (out / "report.html").exists()
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_bcg_extraction_validates(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["extract", "validate", "--project", str(root / "examples" / "bcg")], capsys)
    assert code == 0 and "13 studies, 26 outcome rows" in out and "valid: no errors" in out


def test_bcg_pooled_and_sensitivity_match_metafor(bcg_results: dict, ref: dict) -> None:
    rr = bcg_results["analyses"]["rr"]
    _check_fit(rr, ref["fits"]["rr_REML"])
    assert rr["natural"]["scale"] == "ratio"
    by = {r["analysis"]: r for r in rr["sensitivity"]}
    for name, key in (("Knapp-Hartung CI (REML)", "rr_REML_knha"), ("Estimator DL", "rr_DL"),
                      ("Estimator PM", "rr_PM")):
        want = ref["fits"][key]["natural"]
        for k in ("estimate", "ci_low", "ci_high"):
            assert by[name][k] == pytest.approx(want[k], rel=1e-5), (name, k)
    loo = [r for r in rr["sensitivity"] if r["note"] == "leave-one-out"]
    assert [r["estimate"] for r in loo] == pytest.approx([pytest.approx(v) for v in
                                                          map(__import__("math").exp, ref["leave1out"]["estimate"])])
    _check_fit(bcg_results["analyses"]["or"], ref["fits"]["or_REML"])


def test_bcg_metaregression_and_subgroups_match_metafor(bcg_results: dict, ref: dict) -> None:
    mr = bcg_results["analyses"]["rr"]["metaregression"]
    want = ref["metaregression_ablat"]
    assert mr["k"] == want["k"] == 13
    assert mr["qm"] == pytest.approx(want["qm"], **TOL) and mr["tau2"] == pytest.approx(want["tau2"], **TOL)
    assert mr["r2"] == pytest.approx(want["r2"], **TOL)
    for got, exp in zip(mr["coefficients"], want["coefficients"]):
        assert got["name"] == exp["name"]
        for k in ("estimate", "se", "ci_low", "ci_high", "p"):
            assert got[k] == pytest.approx(exp[k], **TOL), (got["name"], k)
    sg = bcg_results["analyses"]["rr-by-allocation"]["subgroups"]["groups"]
    for name, exp in ref["subgroups_alloc"].items():
        assert sg[name]["estimate"] == pytest.approx(exp["estimate"], **TOL)
        assert sg[name]["tau2"] == pytest.approx(exp["tau2"], **TOL)
    assert {"bubble", "funnel", "forest", "leave_one_out", "cumulative"} <= set(bcg_results["figures"])


def test_bcg_status_update_paths(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from evsynth.store import open_store

    store = tmp_path / "s.sqlite"
    open_store(store).close()
    code, out, _ = _run(["status", "--project", str(root / "examples" / "bcg"), "--store", str(store)], capsys)
    assert code == 0 and "studies extracted: 13" in out and "back-transformed 0.489" in out


@pytest.mark.parametrize("command", ["search", "update"])
def test_saved_query_by_name_in_the_project(root: Path, tmp_path: Path, command: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    # `bcg` is examples/bcg/queries/bcg.toml; the service is unreachable in tests (exit 4, nothing stored),
    # so reaching the network at all shows the name was resolved (an unknown file is exit 3)
    code, _, err = _run([command, "bcg", "--project", str(root / "examples" / "bcg"), "--store",
                         str(tmp_path / "s.sqlite")], capsys)
    assert code == 4, err
    code, _, err = _run([command, "nosuchquery", "--project", str(root / "examples" / "bcg"), "--store",
                         str(tmp_path / "s.sqlite")], capsys)
    assert code == 3 and "nosuchquery" in err


# --- evsynth init, then fill in ------------------------------------------------------------------


def test_init_skeleton_validates_and_reviews(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = tmp_path / "new"
    code, out, _ = _run(["init", str(proj), "--title", 'A "quoted" review'], capsys)
    assert code == 0 and (proj / "review.toml").exists() and (proj / "queries" / "main.toml").exists()
    assert load_review(proj).title == 'A "quoted" review'
    code, out, _ = _run(["extract", "validate", "--project", str(proj)], capsys)
    assert code == 0 and "valid: no errors" in out and "no studies yet" in out
    code, out, err = _run(["review", "--project", str(proj), "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert "not pooled" in out and "Fill in outcomes.csv" in out and "to fill in" in err
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "This review is not complete yet" in html
    code, _, err = _run(["init", str(proj)], capsys)  # never overwrites
    assert code == 3 and "already exists" in err


def _write(path: Path, rows: list[dict]) -> None:
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})


def _fill_from_table(proj: Path, table: Path, arms: tuple[str, str], kind: str, covariates: dict) -> None:
    """extracted/ of a new project from a reference table (ai/n1i... or m1i/sd1i...), every value sourced."""
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    src = "doi:10.1001/jama.1994.03510330076038" if kind == "events" else "doi:10.1002/sim.4780131017"
    studies, outcomes, prov = [], [], []
    for i, r in enumerate(rows):
        sid = f"s{i + 1:02d}"
        st = {"study_id": sid, "label": r["study"], "design": "parallel_rct", "status": "completed"}
        st.update({name: fn(r) for name, fn in covariates.items()})
        studies.append(st)
        for f in ("design", "status", *covariates):
            prov.append({"table": "studies", "record_id": sid, "field": f, "source": src, "location": f"row {i + 1}"})
        for arm, suffix in zip(arms, ("1", "2")):
            oid = f"{sid}.{arm}"
            o = {"outcome_id": oid, "study_id": sid, "outcome": "main", "arm": arm, "timepoint": "end",
                 "analysis": "main"}
            if kind == "events":
                a, b = ("ai", "bi") if suffix == "1" else ("ci", "di")
                o.update(outcome_type="events", events=r[a], total=str(int(r[a]) + int(r[b])))
                fields = ("timepoint", "events", "total")
            else:
                o.update(outcome_type="continuous", mean=r[f"m{suffix}i"], sd=r[f"sd{suffix}i"], n=r[f"n{suffix}i"])
                fields = ("timepoint", "mean", "sd", "n")
            outcomes.append(o)
            for f in fields:
                prov.append({"table": "outcomes", "record_id": oid, "field": f, "source": src,
                             "location": f"row {i + 1}", "derived": "true" if f == "total" else "false",
                             "derivation": "events + non-events" if f == "total" else ""})
    x = proj / "extracted"
    _write(x / "studies.csv", studies)
    _write(x / "outcomes.csv", outcomes)
    _write(x / "provenance.csv", prov)
    _write(x / "sources.csv", [{"source": src, "kind": "article", "citation": "the data set's source"}])


def test_init_fill_two_group_review_with_moderator_matches_metafor(root: Path, tmp_path: Path, ref: dict,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    proj = tmp_path / "bcg-again"
    assert _run(["init", str(proj)], capsys)[0] == 0
    # the template declares arms intervention/control, covariates latitude/allocation and an RR analysis on latitude
    _fill_from_table(proj, root / "tests" / "reference" / "metafor" / "data" / "bcg.csv", ("intervention", "control"),
                     "events", {"latitude": lambda r: r["ablat"], "allocation": lambda r: r["alloc"],
                                "year": lambda r: r["year"]})
    code, out, err = _run(["extract", "validate", "--project", str(proj)], capsys)
    assert code == 0, err
    code, out, err = _run(["review", "--project", str(proj)], capsys)
    assert code == 0, err
    data = json.loads((proj / "out" / "results.json").read_text(encoding="utf-8"))
    _check_fit(data["analyses"]["main"], ref["fits"]["rr_REML"])
    mr = data["analyses"]["main"]["metaregression"]
    assert [c["estimate"] for c in mr["coefficients"]] == pytest.approx(
        [c["estimate"] for c in ref["metaregression_ablat"]["coefficients"]], **TOL)


def test_init_fill_mean_difference_matches_metafor(root: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Length of stay (dat.normand1999): a mean difference, k = 9, moderator declared but k < 10."""
    proj = tmp_path / "los"
    assert _run(["init", str(proj)], capsys)[0] == 0
    toml = proj / "review.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('outcome_type = "events"', 'outcome_type = "continuous"').replace('measure = "RR"',
                                                                                          'measure = "MD"')
    toml.write_text(text, encoding="utf-8")
    _fill_from_table(proj, root / "tests" / "reference" / "metafor" / "data" / "normand.csv",
                     ("intervention", "control"), "continuous", {})
    code, out, err = _run(["review", "--project", str(proj)], capsys)
    assert code == 0, err
    data = json.loads((proj / "out" / "results.json").read_text(encoding="utf-8"))
    reference = json.loads((root / "tests" / "reference" / "metafor" / "reference.json").read_text(encoding="utf-8"))
    want = next(c["result"] for c in reference["csv_fits"] if c["file"] == "normand.csv" and c["measure"] == "MD"
                and c["method"] == "REML" and not c["knha"] and c["level"] == 95 and not c["mods"])
    got = data["analyses"]["main"]
    for key in ("estimate", "ci_low", "ci_high", "tau2", "i2", "q", "pi_low", "pi_high"):
        assert got[key] == pytest.approx(want[key], rel=1e-5, abs=1e-6), key
    assert got["natural"]["estimate"] == got["estimate"]  # a mean difference is not back-transformed
    assert any("Meta-regression on latitude is not done: k = 9" in n for n in got["notes"])


def test_covariate_errors_name_the_review_toml_key(root: Path, tmp_path: Path) -> None:
    from evsynth.extraction import validate_extracted

    proj = tmp_path / "bcg"
    shutil.copytree(root / "examples" / "bcg", proj)
    path = proj / "extracted" / "studies.csv"
    text = path.read_text(encoding="utf-8").replace(",44,random\n", ",-44,randomly\n", 1)
    path.write_text(text, encoding="utf-8")
    errors = validate_extracted(proj / "extracted").errors
    by = {e.field: e for e in errors}
    assert by["ablat"].line == 2 and "covariates.ablat" in by["ablat"].message
    assert by["alloc"].line == 2 and "covariates.alloc.levels" in by["alloc"].message
    outcomes = proj / "extracted" / "outcomes.csv"
    outcomes.write_text(outcomes.read_text(encoding="utf-8").replace(",bcg,", ",vaccine,", 1), encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        from evsynth.extraction import load_extracted

        load_extracted(proj / "extracted")
    arm = next(e for e in info.value.errors if e.field == "arm")
    assert arm.line == 2 and "vocabulary.arms" in arm.message and str(outcomes) == arm.path


def test_library_names_no_review(root: Path) -> None:
    """evsynth/ is review-agnostic: the shipped review's words live in its review.toml and extracted/."""
    import re

    banned = re.compile(r"ketamine|fibromyalgia|NCT06916403|enantiomer|mg/kg", re.I)
    hits = [f"{p.relative_to(root)}:{i}" for p in sorted((root / "evsynth").rglob("*"))
            if p.is_file() and p.suffix in (".py", ".j2", ".toml", ".md", ".txt", ".html")
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1) if banned.search(line)]
    assert hits == []
    assert banned.search((root / "review.toml").read_text(encoding="utf-8"))  # the test can fail


def test_study_covariates_as_attributes_and_frame(root: Path) -> None:
    from evsynth.extraction import load_extracted

    x = load_extracted(root / "examples" / "bcg" / "extracted")
    s = x.study("aronson1948")
    assert (s.ablat, s.alloc, s.range("ablat")) == (44.0, "random", (44.0, 44.0))
    with pytest.raises(AttributeError):
        s.dose  # not a declared covariate
    frame = x.studies_frame()
    assert list(frame.columns[-2:]) == ["ablat", "alloc"] and frame["ablat"].sum() == 435  # dat.bcg ablat
