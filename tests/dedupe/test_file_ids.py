"""Records of several files that share ids (EndNote, Rayyan number them 1...n): one id scheme
in dedupe's file mode, the store and convert (evsynth.sources.ids)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from evsynth.cli import app
from evsynth.dedupe import dedupe_files
from evsynth.imports import convert_file, import_files
from evsynth.sources.ids import file_ids, qualify_ids
from evsynth.store import Store

# Two EndNote RIS exports, both numbering their records from 1: record 1 of each is the
# same paper, record 2 of each is a different one.
EMBASE = """TY  - JOUR
ID  - 1
TI  - Intravenous infusion for chronic widespread pain: a randomised crossover trial
AU  - Noppers, I.
PY  - 2011
JO  - Pain
VL  - 152
SP  - 2173
EP  - 2178
DO  - 10.1016/j.pain.2011.01.015
ER  - 

TY  - JOUR
ID  - 2
TI  - Oral magnesium for chronic widespread pain: an open pilot study in primary care
AU  - Bagis, S.
PY  - 2013
JO  - Rheumatol Int
VL  - 33
SP  - 167
EP  - 172
ER  - 
"""
PSYCINFO = """TY  - JOUR
ID  - 1
TI  - INTRAVENOUS INFUSION FOR CHRONIC WIDESPREAD PAIN - A RANDOMISED CROSSOVER TRIAL
AU  - Noppers I
PY  - 2011
JO  - PAIN
VL  - 152
SP  - 2173-8
DO  - https://doi.org/10.1016/J.PAIN.2011.01.015
ER  - 

TY  - JOUR
ID  - 2
TI  - Sleep quality after a mindfulness course in adults with chronic widespread pain
AU  - Roe, A.
PY  - 2019
JO  - Sleep Med
VL  - 54
SP  - 1
EP  - 9
ER  - 
"""


def _files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "embase.ris", tmp_path / "psycinfo.ris"
    a.write_text(EMBASE, encoding="utf-8")
    b.write_text(PSYCINFO, encoding="utf-8")
    return a, b


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_file_mode_qualifies_ids_shared_by_files(tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    out = tmp_path / "clusters.csv"
    result = CliRunner().invoke(app, ["dedupe", str(a), str(b), "--clusters", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["record_id"]: r["duplicate_of"] for r in _rows(out)}
    assert rows == {"embase.ris:1": "", "embase.ris:2": "", "psycinfo.ris:1": "embase.ris:1",
                    "psycinfo.ris:2": ""}
    assert "qualified by its file" in result.output


def test_unique_ids_stay_as_they_are_and_repeated_ones_in_one_file_go_by_position(tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    b.write_text(PSYCINFO.replace("ID  - 1", "ID  - P1").replace("ID  - 2", "ID  - P2"), encoding="utf-8")
    result = dedupe_files([a, b], clusters=tmp_path / "c.csv")
    assert [r["record_id"] for r in _rows(tmp_path / "c.csv")] == ["1", "2", "P1", "P2"]
    assert result.notes == ()
    a.write_text(EMBASE.replace("ID  - 2", "ID  - 1"), encoding="utf-8")  # a file whose ids repeat
    result = dedupe_files([a, b], clusters=tmp_path / "c.csv")
    assert [r["record_id"] for r in _rows(tmp_path / "c.csv")] == ["#1", "#2", "P1", "P2"]
    assert "every record is named by its position" in result.notes[0]


def test_files_of_the_same_name_are_told_apart_by_path(tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    (tmp_path / "x").mkdir()
    c = tmp_path / "x" / "embase.ris"
    c.write_text(PSYCINFO, encoding="utf-8")
    ids, qualified = qualify_ids([a, c], [["1", "2"], ["1", "2"]])
    assert qualified and ids == [[f"{a}:1", f"{a}:2"], [f"{c}:1", f"{c}:2"]]
    assert qualify_ids([a, b], [["1"], ["2"]]) == ([["1"], ["2"]], False)


def test_store_keeps_both_files_records_and_links_the_duplicate(tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    with Store(tmp_path / "s.sqlite") as store:
        result = import_files(store, [a, b])
        assert store.count_records() == 4  # record 1 of one file does not overwrite record 1 of the other
        stored = list(store.iter_records())
        assert sorted(r.extra["id_in_file"] for r in stored) == ["1", "1", "2", "2"]
        assert len({r.source_id for r in stored}) == 4
        assert all(r.source_id.endswith((":1", ":2")) for r in stored)  # <file digest>:<id in file>
        assert result.n_records == 4


def test_convert_names_records_by_position_when_ids_repeat(tmp_path: Path) -> None:
    a, _ = _files(tmp_path)
    text, _ = convert_file(a, "json")
    assert [r["source_id"] for r in json.loads(text)] == ["1", "2"]  # unique: kept
    a.write_text(EMBASE.replace("ID  - 2", "ID  - 1"), encoding="utf-8")
    text, _ = convert_file(a, "json")
    records = json.loads(text)
    assert [r["source_id"] for r in records] == ["#1", "#2"]
    assert [r["extra"]["id_in_file"] for r in records] == ["1", "1"]
    assert file_ids([])[0] == []


def test_records_without_an_id_go_by_position_beside_those_with_one(tmp_path: Path) -> None:
    a, _ = _files(tmp_path)
    a.write_text(EMBASE.replace("ID  - 2\n", ""), encoding="utf-8")
    result = dedupe_files([a], clusters=tmp_path / "c.csv")
    assert [r["record_id"] for r in _rows(tmp_path / "c.csv")] == ["1", "#2"]
    assert "1 record(s) without an id" in result.notes[0]
