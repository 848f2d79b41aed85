"""Screening decisions in and out in the formats screeners use: ASReview (labelled RIS / CSV),
Rayyan (notes with RAYYAN-INCLUSION), semicolon-delimited sheets, the consensus sheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import rispy
from typer.testing import CliRunner

from evsynth.cli import app
from evsynth.errors import InputError, InputErrors
from evsynth.models import Record
from evsynth.screening import current_decisions, export_sheet, find_conflicts, import_decisions, record_statuses
from evsynth.store import Store

_TITLES = ["Infusion trial in chronic widespread pain", "Open-label infusion series", "Case report of a reaction",
           "Cohort of repeated infusions", "Survey of pain clinics"]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.sqlite")
    s.add_records([
        Record(source="pubmed", source_id=str(100 + i), pmid=str(100 + i), title=t, year=2010 + i,
               doi=f"10.1000/r{i}", authors=(f"Author{i}, A.",), abstract=f"Abstract {i}.")
        for i, t in enumerate(_TITLES)
    ])
    yield s
    s.close()


def _ids(store: Store) -> list[int]:
    return [int(r[0]) for r in store.execute("SELECT id FROM records ORDER BY id")]


def _write(path: Path, rows: list[list[object]], delimiter: str = ",") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


# -- ASReview ---------------------------------------------------------------------------------


def test_asreview_ris_labels_read_from_n1(store: Store, tmp_path: Path) -> None:
    sheet = export_sheet(store, fmt="ris")
    entries = rispy.loads(sheet.text)  # what ASReview reads and writes RIS with
    labels = ["ASReview_relevant", "ASReview_irrelevant", "ASReview_not_seen", "ASReview_relevant",
              "ASReview_irrelevant"]
    for entry, label in zip(entries, labels):
        entry["notes"] = ["imported from evsynth", label]
    path = tmp_path / "asreview_export.ris"
    path.write_text(rispy.dumps(entries), encoding="utf-8")
    result = import_decisions(store, path, reviewer="alice")
    assert (result.n_stored, result.n_blank, result.reviewers) == (4, 1, ("alice",))
    ids = _ids(store)
    current = current_decisions(store, "title-abstract")
    assert {rid: current[rid]["alice"].decision for rid in current} == {
        ids[0]: "include", ids[1]: "exclude", ids[3]: "include", ids[4]: "exclude"}


def test_asreview_csv_included_column_matched_by_title_when_ids_are_its_own(store: Store, tmp_path: Path) -> None:
    # ASReview LAB numbers records itself (record_id 0, 1, ...): matched by DOI / title instead
    path = _write(tmp_path / "asreview.csv", [
        ["record_id", "title", "abstract", "doi", "included", "asreview_ranking"],
        [0, _TITLES[2], "", "", 1, 1],
        [1, _TITLES[0], "", "10.1000/R0", 0, 2],
        [2, _TITLES[1], "", "", "", 3],
    ])
    result = import_decisions(store, path, reviewer="bob")
    assert (result.n_stored, result.n_blank) == (2, 1)
    ids = _ids(store)
    current = current_decisions(store, "title-abstract")
    assert current[ids[2]]["bob"].decision == "include" and current[ids[0]]["bob"].decision == "exclude"


def test_asreview_needs_a_reviewer_and_known_labels(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", [["title", "included"], [_TITLES[0], 1]])
    with pytest.raises(InputErrors, match="pass --reviewer"):
        import_decisions(store, path)
    bad = _write(tmp_path / "b.csv", [["title", "included"], [_TITLES[0], "yes"]])
    with pytest.raises(InputError, match=r"line 2.*ASReview label 'yes'") as info:
        import_decisions(store, bad, reviewer="bob")
    assert info.value.field == "included"
    unknown = _write(tmp_path / "c.csv", [["title", "included"], ["A title nobody stored", 1]])
    with pytest.raises(InputErrors, match="no stored record matches this row"):
        import_decisions(store, unknown, reviewer="bob")


def test_asreview_export_labels_every_record(store: Store, tmp_path: Path) -> None:
    ids = _ids(store)
    _write(tmp_path / "d.csv", [["record_id", "decision", "reviewer"], [ids[0], "include", "consensus"],
                                [ids[1], "exclude", "consensus"]])
    import_decisions(store, tmp_path / "d.csv")
    ris = export_sheet(store, fmt="asreview")
    notes = {int(e["id"]): e["notes"] for e in rispy.loads(ris.text)}
    assert len(notes) == 5
    assert notes[ids[0]][-1] == "ASReview_relevant" and notes[ids[1]][-1] == "ASReview_irrelevant"
    assert {n[-1] for rid, n in notes.items() if rid not in ids[:2]} == {"ASReview_not_seen"}
    table = list(csv.DictReader(io.StringIO(export_sheet(store, fmt="asreview-csv").text)))
    assert {int(r["record_id"]): r["included"] for r in table} == {
        ids[0]: "1", ids[1]: "0", ids[2]: "", ids[3]: "", ids[4]: ""}
    # and it reads back as the same decisions
    again = tmp_path / "again.ris"
    again.write_text(ris.text, encoding="utf-8")
    assert import_decisions(store, again, reviewer="asreview").n_stored == 2


# -- Rayyan -----------------------------------------------------------------------------------


def _rayyan_notes(votes: dict[str, str], reasons: str = "") -> str:
    body = ", ".join(f'"{who}"=>"{what}"' for who, what in votes.items())
    note = f"RAYYAN-INCLUSION: {{{body}}}"
    if reasons:
        note += f" | RAYYAN-EXCLUSION-REASONS: {reasons}"
    return note + " | RAYYAN-LABELS: pilot"


def test_rayyan_csv_two_reviewers_conflicts_reasons(store: Store, tmp_path: Path) -> None:
    sheet = list(csv.DictReader(io.StringIO(export_sheet(store, fmt="rayyan").text)))
    assert list(sheet[0])[:4] == ["key", "title", "authors", "journal"]
    ids = [int(r["key"]) for r in sheet]
    rows = [["key", "title", "authors", "journal", "year", "notes", "doi", "pubmed_id"]]
    votes = [{"Alice Smith": "Included", "Bob": "Included"}, {"Alice Smith": "Excluded", "Bob": "Included"},
             {"Alice Smith": "Maybe"}, {}, {"Alice Smith": "Excluded", "Bob": "Excluded"}]
    for rid, title, v in zip(ids, _TITLES, votes):
        reasons = "wrong population,foreign language" if "Excluded" in v.values() else ""
        rows.append([rid, title, "", "", "", _rayyan_notes(v, reasons) if v else "", "", ""])
    result = import_decisions(store, _write(tmp_path / "articles.csv", rows))
    assert result.reviewers == ("Alice Smith", "Bob") and result.n_stored == 7
    current = current_decisions(store, "title-abstract")
    assert current[ids[4]]["Bob"].reason == "wrong population,foreign language"
    assert current[ids[0]]["Bob"].reason is None
    assert [(c.record_id, c.title) for c in result.conflicts] == [(ids[1], _TITLES[1])]
    (agreement,) = result.agreements
    assert agreement.n == 3


def test_rayyan_own_keys_fall_back_to_pmid(store: Store, tmp_path: Path) -> None:
    # Rayyan's key is its own numbering here (1, 2): the title does not match the store id,
    # so the PMID decides
    rows = [["key", "title", "notes", "pubmed_id"],
            [1, _TITLES[3], _rayyan_notes({"Ana": "Included"}), "103"],
            [2, _TITLES[4], _rayyan_notes({"Ana": "Excluded"}), "104"]]
    import_decisions(store, _write(tmp_path / "articles.csv", rows))
    ids = _ids(store)
    current = current_decisions(store, "title-abstract")
    assert current[ids[3]]["Ana"].decision == "include" and current[ids[4]]["Ana"].decision == "exclude"
    assert ids[0] not in current


def test_rayyan_ris_notes(store: Store, tmp_path: Path) -> None:
    entries = rispy.loads(export_sheet(store, fmt="ris").text)
    entries[0]["notes"] = [_rayyan_notes({"Kofi": "Excluded"}, "wrong design")]
    entries[1]["notes"] = [_rayyan_notes({"Kofi": "Included"})]
    path = tmp_path / "rayyan.ris"
    path.write_text(rispy.dumps(entries[:2]), encoding="utf-8")
    result = import_decisions(store, path)
    assert result.n_stored == 2 and result.reviewers == ("Kofi",)
    current = current_decisions(store, "title-abstract")
    assert current[int(entries[0]["id"])]["Kofi"].reason == "wrong design"


def test_rayyan_unknown_decision_named(store: Store, tmp_path: Path) -> None:
    rows = [["key", "title", "notes"], [1, _TITLES[0], _rayyan_notes({"Ana": "Perhaps"})]]
    with pytest.raises(InputError, match="Rayyan decision 'Perhaps' of 'Ana'") as info:
        import_decisions(store, _write(tmp_path / "articles.csv", rows))
    assert (info.value.line, info.value.field) == (2, "notes")


# -- delimiters -------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_sheet_with_semicolons_or_tabs_is_read(store: Store, tmp_path: Path, delimiter: str) -> None:
    text = export_sheet(store).text
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for row in rows[1:3]:
        row[header.index("decision")] = "include"
        row[header.index("reviewer")] = "eva"
    path = _write(tmp_path / "excel.csv", rows, delimiter=delimiter)
    assert import_decisions(store, path).n_stored == 2


def test_sheet_without_known_columns_says_which_delimiter_and_columns(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "odd.csv", [["id", "verdict"], [1, "in"]], delimiter=";")
    with pytest.raises(InputError) as info:
        import_decisions(store, path)
    message = str(info.value)
    assert "semicolon delimiter" in message and "id, verdict" in message and info.value.line == 1


# -- consensus sheet --------------------------------------------------------------------------


def test_consensus_sheet_shows_votes_and_titles_blind_for_a_reviewer(store: Store, tmp_path: Path) -> None:
    ids = _ids(store)
    _write(tmp_path / "a.csv", [["record_id", "decision"], [ids[0], "include"], [ids[1], "include"]])
    _write(tmp_path / "b.csv", [["record_id", "decision"], [ids[0], "exclude"], [ids[1], "include"]])
    import_decisions(store, tmp_path / "a.csv", reviewer="alice")
    import_decisions(store, tmp_path / "b.csv", reviewer="bob")
    (conflict,) = find_conflicts(store, "title-abstract")
    assert (conflict.title, conflict.votes) == (_TITLES[0], "alice=include; bob=exclude")
    rows = list(csv.DictReader(io.StringIO(export_sheet(store, conflicts_only=True).text)))
    assert [(int(r["record_id"]), r["title"], r["votes"]) for r in rows] == [
        (ids[0], _TITLES[0], "alice=include; bob=exclude")]
    full = list(csv.DictReader(io.StringIO(export_sheet(store).text)))
    assert {r["votes"] for r in full if int(r["record_id"]) != ids[0]} == {""}
    blind = list(csv.DictReader(io.StringIO(export_sheet(store, reviewer="carol").text)))
    assert {r["votes"] for r in blind} == {""}
    assert record_statuses(store, "title-abstract")[ids[0]] == "conflict"


def test_cli_conflicts_listed_with_titles(store: Store, tmp_path: Path) -> None:
    ids = _ids(store)
    _write(tmp_path / "a.csv", [["record_id", "decision"], [ids[2], "include"]])
    _write(tmp_path / "b.csv", [["record_id", "decision"], [ids[2], "exclude"]])
    db = str(store.path)
    runner = CliRunner()
    assert runner.invoke(app, ["screen", "import", str(tmp_path / "a.csv"), "--reviewer", "alice", "--store", db]).exit_code == 0
    result = runner.invoke(app, ["screen", "import", str(tmp_path / "b.csv"), "--reviewer", "bob", "--store", db])
    assert result.exit_code == 0
    assert f"record {ids[2]} (title-abstract): alice=include, bob=exclude — {_TITLES[2]}" in result.output
    out = tmp_path / "consensus.csv"
    result = runner.invoke(app, ["screen", "export", "--conflicts", "-o", str(out), "--store", db])
    assert result.exit_code == 0
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert (row["title"], row["votes"]) == (_TITLES[2], "alice=include; bob=exclude")
