"""Screening: sheets, decisions, conflicts, Cohen's kappa and PRISMA counts."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from typer.testing import CliRunner

from evsynth.cli import app
from evsynth.errors import InputError, InputErrors
from evsynth.models import Record
from evsynth.screening import (
    SHEET_COLUMNS,
    PrismaCounts,
    awaiting_screening,
    cohen_kappa,
    current_decisions,
    export_sheet,
    find_conflicts,
    import_decisions,
    prisma_counts,
    record_statuses,
)
from evsynth.store import Store


def _records(n: int, source: str = "pubmed") -> list[Record]:
    return [
        Record(
            source=source,
            source_id=f"{source}-{i}",
            pmid=str(1000 + i) if source == "pubmed" else None,
            title=f"Ketamine infusion study number {i}",
            abstract=f"Abstract {i}.\nSecond line, with a comma.",
            authors=(f"Author{i}, A", "Other, B"),
            journal="J Pain",
            year=2000 + i,
            doi=f"10.1000/x{i}",
        )
        for i in range(n)
    ]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.sqlite")
    yield s
    s.close()


def _fill(sheet_text: str, decisions: dict[int, tuple[str, str]], reviewer: str) -> str:
    rows = list(csv.DictReader(io.StringIO(sheet_text)))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()) if rows else list(SHEET_COLUMNS))
    w.writeheader()
    for row in rows:
        rid = int(row["record_id"])
        if rid in decisions:
            row["decision"], row["reason"] = decisions[rid]
            row["reviewer"] = reviewer
        w.writerow(row)
    return buf.getvalue()


# -- Cohen's kappa ---------------------------------------------------------------
def test_kappa_textbook_examples() -> None:
    # Wikipedia, "Cohen's kappa", worked example: 50 proposals, both yes 20,
    # A yes/B no 5, A no/B yes 10, both no 15 -> p_o 0.70, p_e 0.50, kappa 0.40.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    # Second Wikipedia example (100 items: 45, 15, 25, 15): p_o 0.60, p_e 0.54 -> 0.1304.
    a = ["yes"] * 60 + ["no"] * 40
    b = ["yes"] * 45 + ["no"] * 15 + ["yes"] * 25 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.06 / 0.46)


def test_kappa_three_categories_hand_computed() -> None:
    # 10 items; A: inc x4, exc x4, maybe x2; B agrees on 3 inc, 3 exc, 1 maybe.
    a = ["include"] * 4 + ["exclude"] * 4 + ["maybe"] * 2
    b = ["include", "include", "include", "exclude", "exclude", "exclude", "exclude", "maybe", "maybe", "include"]
    # p_o = 7/10; B marginals: include 4, exclude 4, maybe 2 ->
    # p_e = (4*4 + 4*4 + 2*2) / 100 = 0.36; kappa = (0.7 - 0.36) / 0.64.
    assert cohen_kappa(a, b) == pytest.approx((0.7 - 0.36) / 0.64)


def test_kappa_degenerate() -> None:
    assert math.isnan(cohen_kappa(["include"] * 3, ["include"] * 3))
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])


@hsettings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("iem"), st.sampled_from("iem")), min_size=1, max_size=40)
)
def test_kappa_properties(pairs: list[tuple[str, str]]) -> None:
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    k = cohen_kappa(a, b)
    k_rev = cohen_kappa(b, a)
    if math.isnan(k):
        assert math.isnan(k_rev)
        return
    assert k == pytest.approx(k_rev)
    assert -1.0 - 1e-12 <= k <= 1.0 + 1e-12
    if len(set(a)) > 1:
        assert cohen_kappa(a, a) == pytest.approx(1.0)


# -- export / import round trip ----------------------------------------------------
def test_export_excludes_duplicates_and_decided(store: Store) -> None:
    ids = store.add_records(_records(4))
    store.mark_duplicates([{"record_id": ids[3], "duplicate_of": ids[0], "rule": "doi"}])
    sheet = export_sheet(store, "title-abstract", "csv")
    assert sheet.record_ids == tuple(ids[:3])
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert tuple(rows[0].keys()) == SHEET_COLUMNS
    assert rows[0]["record_id"] == str(ids[0])
    assert rows[0]["authors"] == "Author0, A; Other, B"
    assert rows[0]["abstract"] == "Abstract 0.\nSecond line, with a comma."
    assert rows[0]["pmid"] == "1000" and rows[0]["decision"] == ""
    store.add_decisions([{"record_id": ids[1], "stage": "title-abstract", "decision": "exclude", "reviewer": "A"}])
    assert export_sheet(store).record_ids == (ids[0], ids[2])
    # full-text sheet: only records included or maybe at title-abstract
    assert export_sheet(store, "full-text").record_ids == ()
    store.add_decisions([
        {"record_id": ids[0], "stage": "title-abstract", "decision": "include", "reviewer": "A"},
        {"record_id": ids[2], "stage": "title-abstract", "decision": "maybe", "reviewer": "A"},
    ])
    assert export_sheet(store, "full-text").record_ids == (ids[0], ids[2])
    store.add_decisions([{"record_id": ids[0], "stage": "full-text", "decision": "include", "reviewer": "A"}])
    assert export_sheet(store, "full-text").record_ids == (ids[2],)


def test_round_trip_two_reviewers_conflicts_and_kappa(store: Store, tmp_path: Path) -> None:
    ids = store.add_records(_records(10))
    sheet = export_sheet(store).text
    # Same pattern as the three-category hand computation above.
    a_dec = ["include"] * 4 + ["exclude"] * 4 + ["maybe"] * 2
    b_dec = ["include", "include", "include", "exclude", "exclude", "exclude", "exclude", "maybe", "maybe", "include"]
    fa = tmp_path / "alice.csv"
    fa.write_text(_fill(sheet, {rid: (d, "") for rid, d in zip(ids, a_dec)}, ""), encoding="utf-8")
    res_a = import_decisions(store, fa, reviewer="alice")
    assert res_a.n_stored == 10 and res_a.reviewers == ("alice",)
    assert res_a.conflicts == () and res_a.agreements == ()
    # Reviewer B screens from a sheet filtered for her (dual screening).
    sheet_b = export_sheet(store, reviewer="bob")
    assert sheet_b.record_ids == tuple(ids)
    fb = tmp_path / "bob.csv"
    fb.write_text(_fill(sheet_b.text, {rid: (d, "") for rid, d in zip(ids, b_dec)}, "bob"), encoding="utf-8")
    res_b = import_decisions(store, fb)
    assert res_b.n_stored == 10
    assert [c.record_id for c in res_b.conflicts] == [ids[3], ids[7], ids[9]]
    conflict_ids = {c.record_id for c in res_b.conflicts}
    assert conflict_ids == {ids[i] for i in range(10) if a_dec[i] != b_dec[i]}
    c9 = next(c for c in res_b.conflicts if c.record_id == ids[9])
    assert dict(c9.decisions) == {"alice": "maybe", "bob": "include"}
    (agr,) = res_b.agreements
    assert (agr.reviewer_a, agr.reviewer_b, agr.n) == ("alice", "bob", 10)
    assert agr.observed == pytest.approx(0.7)
    assert agr.expected == pytest.approx(0.36)
    assert agr.kappa == pytest.approx((0.7 - 0.36) / 0.64)
    # conflicts stay on the sheet until resolved by a consensus decision
    assert set(export_sheet(store).record_ids) == conflict_ids
    store.add_decisions([{"record_id": ids[9], "stage": "title-abstract", "decision": "include", "reviewer": "consensus"}])
    assert ids[9] not in {c.record_id for c in find_conflicts(store, "title-abstract")}
    assert record_statuses(store, "title-abstract")[ids[9]] == "include"


def test_partial_sheet_blank_rows_skipped(store: Store, tmp_path: Path) -> None:
    ids = store.add_records(_records(3))
    f = tmp_path / "s.csv"
    f.write_text(_fill(export_sheet(store).text, {ids[0]: ("exclude", "")}, "carol"), encoding="utf-8")
    res = import_decisions(store, f)
    assert (res.n_stored, res.n_blank) == (1, 2)
    assert [r.store_id for r in awaiting_screening(store)] == ids[1:]


def test_append_only_latest_decision_is_current(store: Store, tmp_path: Path) -> None:
    ids = store.add_records(_records(2))
    f1 = tmp_path / "1.csv"
    f1.write_text(_fill(export_sheet(store).text, {ids[0]: ("exclude", "wrong population")}, "alice"), encoding="utf-8")
    import_decisions(store, f1, decided_at="2026-01-01T00:00:00+00:00")
    f2 = tmp_path / "2.csv"
    f2.write_text("record_id,decision,reason,reviewer\n" f"{ids[0]},include,,alice\n", encoding="utf-8")
    import_decisions(store, f2, decided_at="2026-01-02T00:00:00+00:00")
    rows = store.decisions("title-abstract")
    assert [(r["decision"], r["reviewer"], r["decided_at"][:10]) for r in rows] == [
        ("exclude", "alice", "2026-01-01"),
        ("include", "alice", "2026-01-02"),
    ]
    assert rows[0]["source_file"] == str(f1)
    assert current_decisions(store, "title-abstract")[ids[0]]["alice"].decision == "include"
    assert record_statuses(store, "title-abstract")[ids[0]] == "include"


def test_validation_reports_every_error_and_stores_nothing(store: Store, tmp_path: Path) -> None:
    ids = store.add_records(_records(3))
    f = tmp_path / "bad.csv"
    f.write_text(
        "record_id,decision,reason,reviewer\n"
        f"{ids[0]},include,,alice\n"  # fine
        "999,exclude,off topic,alice\n"  # unknown id (row 3)
        f"{ids[1]},excluded,,alice\n"  # decision outside vocabulary (row 4)
        f"{ids[2]},exclude,,alice\n"  # full-text exclusion without reason (row 5)
        f"abc,include,,alice\n",  # not an id (row 6)
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as info:
        import_decisions(store, f, stage="full-text")
    found = {(e.line, e.field) for e in info.value.errors}
    assert found == {(3, "record_id"), (4, "decision"), (5, "reason"), (6, "record_id")}
    assert all(e.path == str(f) for e in info.value.errors)
    assert store.decisions() == []
    # the same exclusion without a reason is fine at title-abstract
    f.write_text(f"record_id,decision,reason,reviewer\n{ids[2]},exclude,,alice\n", encoding="utf-8")
    assert import_decisions(store, f).n_stored == 1


def test_validation_missing_reviewer_duplicate_rows_and_columns(store: Store, tmp_path: Path) -> None:
    ids = store.add_records(_records(2))
    f = tmp_path / "s.csv"
    f.write_text(
        f"record_id,decision\n{ids[0]},include\n{ids[1]},include\n{ids[1]},exclude\n", encoding="utf-8"
    )
    with pytest.raises(InputErrors) as info:
        import_decisions(store, f)
    assert {(e.line, e.field) for e in info.value.errors} == {(2, "reviewer"), (3, "reviewer"), (4, "reviewer")}
    with pytest.raises(InputErrors) as info:
        import_decisions(store, f, reviewer="dan")
    assert [(e.line, e.field) for e in info.value.errors] == [(4, "record_id")]
    f.write_text("id,verdict\n1,include\n", encoding="utf-8")
    with pytest.raises(InputError) as one:
        import_decisions(store, f, reviewer="dan")
    assert one.value.line == 1 and "record_id" in str(one.value)
    assert store.decisions() == []


# -- PRISMA --------------------------------------------------------------------------
def test_prisma_counts_constructed_store(store: Store) -> None:
    run = store.start_search_run("pubmed", "ketamine AND fibromyalgia", query_name="main")
    pub = store.store_fetched(run, _records(6, "pubmed"))
    run2 = store.start_search_run("ctgov", "ketamine fibromyalgia", query_name="trials")
    ct = store.store_fetched(run2, [Record(source="ctgov", source_id="NCT06916403", nct_id="NCT06916403", title="T")])
    _, emb = store.add_import("embase.ris", "0" * 64, "ris", _records(3, "ris"), database_name="Embase")
    _, csvs = store.add_import("other.csv", "1" * 64, "csv", _records(1, "csv"))
    # a second PubMed run re-finding two records does not count them twice
    run3 = store.start_search_run("pubmed", "ketamine AND fibromyalgia", query_name="main")
    store.store_fetched(run3, _records(2, "pubmed"))
    # 2 Embase records duplicate PubMed ones
    store.mark_duplicates([
        {"record_id": emb[0], "duplicate_of": pub[0], "rule": "doi"},
        {"record_id": emb[1], "duplicate_of": pub[1], "rule": "doi"},
    ])
    kept = pub + ct + [emb[2]] + csvs  # 9 records to screen
    ta = {pub[0]: "include", pub[1]: "include", pub[2]: "exclude", pub[3]: "exclude",
          pub[4]: "maybe", ct[0]: "include", emb[2]: "include", csvs[0]: "exclude"}
    store.add_decisions({"record_id": r, "stage": "title-abstract", "decision": d, "reviewer": "a"} for r, d in ta.items())
    # a decision on a duplicate is ignored
    store.add_decisions([{"record_id": emb[0], "stage": "title-abstract", "decision": "exclude", "reviewer": "a"}])
    # pub[5] has a conflict at title-abstract
    store.add_decisions([
        {"record_id": pub[5], "stage": "title-abstract", "decision": "include", "reviewer": "a"},
        {"record_id": pub[5], "stage": "title-abstract", "decision": "exclude", "reviewer": "b"},
    ])
    ft = [
        (pub[0], "include", None),
        (pub[1], "exclude", "wrong population"),
        (pub[4], "exclude", "Not retrieved"),
        (ct[0], "exclude", "no results"),
        (emb[2], "exclude", "wrong population"),
    ]
    store.add_decisions({"record_id": r, "stage": "full-text", "decision": d, "reason": why, "reviewer": "a"}
                        for r, d, why in ft)
    # a later full-text decision replaces the earlier one of the same reviewer
    store.add_decisions([{"record_id": emb[2], "stage": "full-text", "decision": "include", "reviewer": "a"}])
    counts = prisma_counts(store)
    assert isinstance(counts, PrismaCounts)
    assert counts.identified == {"PubMed": 6, "Embase": 3, "ClinicalTrials.gov": 1, "csv": 1}
    assert counts.duplicates_removed == 2
    assert len(kept) == 9
    assert counts.screened == 9  # 8 decided + 1 with an unresolved conflict (screened, not decided)
    assert counts.conflicts_screening == 1 and counts.problems() == []
    assert counts.excluded_screening == 3
    assert counts.awaiting_screening == 1 and counts.conflicts == 1
    assert counts.sought == 5  # pub0, pub1, pub4 (maybe), ct0, emb2
    assert counts.not_retrieved == 1
    assert counts.assessed == 4
    assert counts.excluded_fulltext == {"no results": 1, "wrong population": 1}
    assert counts.included_reports == 2 and counts.included_studies == 2
    assert prisma_counts(store, study_of={pub[0]: "s1", emb[2]: "s1"}).included_studies == 1
    assert counts.to_dict()["identified"]["PubMed"] == 6


# -- CLI -------------------------------------------------------------------------------
def test_cli_export_import(store: Store, tmp_path: Path) -> None:
    ids = store.add_records(_records(4))
    path = str(store.path)
    runner = CliRunner()
    out = tmp_path / "sheet.csv"
    r = runner.invoke(app, ["screen", "export", "--store", path, "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    (tmp_path / "a.csv").write_text(_fill(text, {i: ("include", "") for i in ids}, "alice"), encoding="utf-8")
    (tmp_path / "b.csv").write_text(
        _fill(text, {ids[0]: ("include", ""), ids[1]: ("include", ""), ids[2]: ("exclude", ""), ids[3]: ("exclude", "")}, "bob"),
        encoding="utf-8",
    )
    r = runner.invoke(app, ["screen", "import", str(tmp_path / "a.csv"), "--store", path])
    assert r.exit_code == 0, r.output
    assert "stored 4 title-abstract decision(s)" in r.output
    r = runner.invoke(app, ["screen", "import", str(tmp_path / "b.csv"), "--store", path])
    assert r.exit_code == 0, r.output
    assert "2 conflict(s)" in r.output
    # alice all include, bob 2/2: p_o 0.5, p_e 0.5 -> kappa 0
    assert "Cohen's kappa 0.000" in r.output
    r = runner.invoke(app, ["screen", "export", "--store", path])
    assert r.exit_code == 0
    assert [row["record_id"] for row in csv.DictReader(io.StringIO(r.stdout))] == [str(ids[2]), str(ids[3])]
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,decision,reviewer\n77,yes,x\n", encoding="utf-8")
    r = runner.invoke(app, ["screen", "import", str(bad), "--store", path])
    assert r.exit_code != 0
    assert isinstance(r.exception, InputErrors)


def test_export_ris_keeps_store_id(store: Store) -> None:
    import rispy

    ids = store.add_records(_records(3))
    store.mark_duplicates([{"record_id": ids[2], "duplicate_of": ids[0], "rule": "doi"}])
    sheet = export_sheet(store, fmt="ris")
    entries = rispy.loads(sheet.text)
    assert [e["id"] for e in entries] == [str(i) for i in ids[:2]]
    assert [e.get("title") or e.get("primary_title") for e in entries] == [
        "Ketamine infusion study number 0",
        "Ketamine infusion study number 1",
    ]
    assert entries[0]["doi"] == "10.1000/x0"


@hsettings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["alice", "bob", "consensus"]), st.sampled_from(["include", "exclude", "maybe"])),
        max_size=25,
    )
)
def test_latest_row_is_current_and_status_follows(rows: list[tuple[int, str, str]]) -> None:
    with Store(":memory:") as s:
        ids = s.add_records(_records(4))
        s.add_decisions({"record_id": ids[i], "stage": "title-abstract", "decision": d, "reviewer": who}
                        for i, who, d in rows)
        assert len(s.decisions()) == len(rows)  # append-only: every row kept
        latest: dict[tuple[int, str], str] = {}
        for i, who, d in rows:
            latest[(ids[i], who)] = d
        current = current_decisions(s, "title-abstract")
        assert {(rid, who): dec.decision for rid, m in current.items() for who, dec in m.items()} == latest
        statuses = record_statuses(s, "title-abstract")
        for rid in ids:
            mine = {who: d for (r, who), d in latest.items() if r == rid}
            if not mine:
                expected = "awaiting"
            elif "consensus" in mine:
                expected = mine["consensus"]
            else:
                expected = mine.popitem()[1] if len(set(mine.values())) == 1 else "conflict"
            assert statuses[rid] == expected
        assert {c.record_id for c in find_conflicts(s, "title-abstract")} == {
            rid for rid, v in statuses.items() if v == "conflict"
        }
