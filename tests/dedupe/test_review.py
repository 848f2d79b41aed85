"""Settling borderline pairs: review sheet out, decisions in, through the CLI and the store."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evsynth.cli import app, main
from evsynth.dedupe import find_duplicates
from evsynth.dedupe.review import (
    REVIEW_COLUMNS,
    SheetDecision,
    read_review_sheet,
    store_pair_decisions,
    stored_pair_decisions,
)
from evsynth.errors import InputError
from evsynth.living import _mark_new_duplicates
from evsynth.models import Record
from evsynth.store import Store

TITLE = "Intravenous infusion for chronic widespread pain: a randomised crossover trial"
OTHER = "Oral magnesium for chronic widespread pain: an open pilot study in primary care"


def _records() -> list[Record]:
    # Two pairs dedupe cannot settle alone: same title and authors but nothing else
    # to compare (title+authors-only), and the same again for a second paper.
    return [
        Record(source="ris", source_id="A", title=TITLE, authors=("Noppers, I.",), year=2011),
        Record(source="csv", source_id="B", title=TITLE, authors=("Noppers I", "Niesters M"), year=2011),
        Record(source="ris", source_id="C", title=OTHER, authors=("Bagis, S.",), year=2013),
        Record(source="csv", source_id="D", title=OTHER, authors=("Bagis S", "Karabiber M"), year=2013),
    ]


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "review.sqlite"
    with Store(path) as store:
        store.add_records(_records())
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write_rows(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns or list(REVIEW_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _ids(store_path: Path) -> dict[str, int]:
    with Store(store_path, create=False) as store:
        return {r.source_id: int(r.store_id) for r in store.iter_records()}  # type: ignore[misc]


def test_review_round_trip_through_the_cli(store_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    sheet = tmp_path / "pairs.csv"
    out = runner.invoke(app, ["dedupe", "--store", str(store_path), "--review", str(sheet)])
    assert out.exit_code == 0, out.output
    assert "2 borderline pair(s) written" in out.output
    rows = _rows(sheet)
    assert list(rows[0]) == list(REVIEW_COLUMNS)
    ids = _ids(store_path)
    by_pair = {(r["record_a"], r["record_b"]): r for r in rows}
    ab = by_pair[(str(ids["A"]), str(ids["B"]))]
    assert ab["a_title"] == ab["b_title"] == TITLE
    assert ab["a_authors"] == "Noppers, I." and ab["b_authors"] == "Noppers I; Niesters M"
    assert ab["a_year"] == "2011" and ab["rule"] == "title+authors-only" and ab["decision"] == ""
    assert '"title_similarity": 100.0' in ab["evidence"]

    # The reviewer decides: A and B are one paper; C and D are two (say, a pilot and its repeat).
    for r in rows:
        r["decision"] = "merge" if r is ab else "keep apart"
        r["note"] = "checked the PDFs" if r is ab else ""
    _write_rows(sheet, rows)
    out = runner.invoke(app, ["dedupe", "--store", str(store_path), "--decisions", str(sheet),
                              "--reviewer", "alice", "--review", str(tmp_path / "left.csv")])
    assert out.exit_code == 0, out.output
    assert "2 decision(s) stored (1 merge, 1 keep apart) by alice" in out.output
    assert _rows(tmp_path / "left.csv") == []  # nothing left to decide

    def check() -> None:
        with Store(store_path, create=False) as store:
            records = {r.source_id: r for r in store.iter_records()}
            assert {records["A"].duplicate_of, records["B"].duplicate_of} == {None, ids["A"]} or \
                   {records["A"].duplicate_of, records["B"].duplicate_of} == {None, ids["B"]}
            assert records["C"].duplicate_of is None and records["D"].duplicate_of is None
            (link,) = store.duplicate_links()
            assert link["rule"] == "reviewer"
            assert link["evidence"]["reviewer_decision"]["reviewer"] == "alice"
            decided = stored_pair_decisions(store)
            assert decided[(ids["A"], ids["B"])]["note"] == "checked the PDFs"
            assert decided[(ids["C"], ids["D"])]["decision"] == "apart"
            assert all(d["decided_at"] and d["source_file"] == str(sheet) for d in decided.values())

    check()
    # Re-running dedupe follows the stored decisions and lists nothing again.
    out = runner.invoke(app, ["dedupe", "--store", str(store_path), "--review", str(tmp_path / "again.csv")])
    assert out.exit_code == 0, out.output
    assert _rows(tmp_path / "again.csv") == []
    check()
    status = runner.invoke(app, ["status", "--store", str(store_path), "--extracted", str(tmp_path / "none")])
    assert status.exit_code == 0, status.output
    assert "dedupe pairs settled by a reviewer: 1 merge, 1 keep apart (alice)" in status.output


def test_a_later_decision_on_a_pair_replaces_the_earlier(store_path: Path, tmp_path: Path) -> None:
    ids = _ids(store_path)
    sheet = tmp_path / "s.csv"
    for decision in ("merge", "keep apart"):
        _write_rows(sheet, [{"record_a": str(ids["A"]), "record_b": str(ids["B"]), "decision": decision}])
        out = CliRunner().invoke(app, ["dedupe", "--store", str(store_path), "--decisions", str(sheet)])
        assert out.exit_code == 0, out.output
    with Store(store_path, create=False) as store:
        assert not store.duplicate_links()
        assert store.execute("SELECT COUNT(*) FROM dedupe_decisions").fetchone()[0] == 2  # history kept


def test_update_follows_stored_decisions(store_path: Path) -> None:
    ids = _ids(store_path)
    with Store(store_path, create=False) as store:
        store_pair_decisions(store, [SheetDecision(ids["C"], ids["D"], "merge", None, 2)], reviewer="bob")
        # B and D arrive with an update: D was settled as C's duplicate, B (a borderline
        # pair with A, nobody decided) is left alone.
        assert _mark_new_duplicates(store, [ids["B"], ids["D"]]) == {ids["D"]: ids["C"]}
        (link,) = store.duplicate_links()
        assert link["rule"] == "reviewer" and link["evidence"]["found_by"] == "update"


def test_find_duplicates_decisions_hold_against_chaining() -> None:
    records = _records()
    assert len(find_duplicates(records).review) == 2
    result = find_duplicates(records, decisions={(0, 1): "apart", (3, 2): {"decision": "merge", "reviewer": "x"}})
    assert [(l.record_index, l.kept_index, l.rule) for l in result.links] in ([(3, 2, "reviewer")],
                                                                                [(2, 3, "reviewer")])
    assert result.review == ()
    # A third copy of A cannot join A and B together when they were kept apart.
    third = records[0].replace(source_id="A2")
    result = find_duplicates([*records, third], decisions={(0, 1): "apart"})
    kept = result.kept_index()
    assert kept[0] != kept[1]
    with pytest.raises(ValueError, match="merge"):
        find_duplicates(records, decisions={(0, 1): "maybe"})


@pytest.mark.parametrize(
    ("rows", "columns", "line", "field", "message"),
    [
        ([{"record_a": "1", "record_b": "2", "decision": "maybe"}], None, 2, "decision", "merge"),
        ([{"record_a": "1", "record_b": "99", "decision": "merge"}], None, 2, "record_b", "no record 99"),
        ([{"record_a": "x1", "record_b": "2", "decision": "merge"}], None, 2, "record_a", "whole number"),
        ([{"record_a": "1", "record_b": "1", "decision": "merge"}], None, 2, "record_b", "same record"),
        ([{"record_a": "1", "record_b": "2", "decision": ""},
          {"record_a": "1", "record_b": "2", "decision": "merge"},
          {"record_a": "2", "record_b": "1", "decision": "keep apart"}], None, 4, "decision", "row 3"),
        ([{"record_a": "1", "record_b": "2"}], ["record_a", "record_b"], 1, "decision", "missing column"),
    ],
)
def test_bad_sheets_name_file_row_and_column(store_path: Path, tmp_path: Path, rows: list[dict[str, str]],
                                             columns: list[str] | None, line: int, field: str, message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "bad.csv"
    _write_rows(sheet, rows, columns)
    with pytest.raises(SystemExit) as exc:
        main(["dedupe", "--store", str(store_path), "--decisions", str(sheet)])
    assert exc.value.code == 3
    err = capsys.readouterr().err
    assert f"{sheet}, line {line}, field '{field}'" in err and message in err
    assert "Traceback" not in err
    with Store(store_path, create=False) as store:  # nothing stored, nothing marked
        assert store.execute("SELECT COUNT(*) FROM dedupe_decisions").fetchone()[0] == 0
        assert not store.duplicate_links()


def test_read_review_sheet_skips_undecided_rows_and_reads_a_bom(tmp_path: Path) -> None:
    sheet = tmp_path / "s.csv"
    sheet.write_bytes("\ufeffrecord_a,record_b,decision,note\n3,1,Keep apart,twins\n4,5,,\n".encode("utf-8"))
    (d,) = read_review_sheet(sheet, {1, 3, 4, 5})
    assert (d.record_a, d.record_b, d.decision, d.note, d.row) == (1, 3, "apart", "twins", 2)
    with pytest.raises(InputError, match="no such file"):
        read_review_sheet(tmp_path / "missing.csv")


def test_decisions_need_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,title\n1,A title of some length for the test\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["dedupe", str(src), "--clusters", str(tmp_path / "c.csv"), "--decisions", str(tmp_path / "s.csv")])
    assert exc.value.code == 3 and "without input files" in capsys.readouterr().err


def test_the_sheet_never_overwrites_the_store_or_the_sheet_being_read(store_path: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["dedupe", "--store", str(store_path), "--review", str(store_path)])
    assert exc.value.code != 0 and "record store" in capsys.readouterr().err
    sheet = tmp_path / "s.csv"
    _write_rows(sheet, [])
    with pytest.raises(SystemExit):
        main(["dedupe", "--store", str(store_path), "--decisions", str(sheet), "--review", str(sheet)])
    assert "decisions sheet" in capsys.readouterr().err
    with Store(store_path, create=False) as store:
        assert store.count_records() == 4 and not store.duplicate_links()
