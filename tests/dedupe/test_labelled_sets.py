"""Every labelled set in the repository: no false merge, and most true duplicates found.

The sets (bib-dedupe's and ASySD's benchmarks, see benchmarks/data/dedupe/README.md) hold
editorials under one title, errata, translations, conference and journal versions: a false
merge here is a rule that would drop a study elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evsynth.dedupe import find_duplicates
from evsynth.sources.readers import read_records

ROOT = Path(__file__).resolve().parents[2]
SETS = sorted(
    p for base in (ROOT / "tests" / "data" / "dedupe", ROOT / "benchmarks" / "data" / "dedupe")
    if base.is_dir() for p in base.iterdir() if (p / "merged_record_ids.csv").is_file()
)


def _true_study(folder: Path, records: list) -> dict[str, str]:
    """Each record id's true study (the first id of its gold group) from merged_record_ids.csv."""
    true_of = {r.source_id: r.source_id for r in records}
    for line in (folder / "merged_record_ids.csv").read_text().splitlines()[1:]:
        members = [m for m in line.strip().strip('"').split(";") if m]
        for m in members:
            true_of[m] = members[0]
    return true_of


def _assert_no_false_merge(records: list, result, true_of: dict[str, str]) -> None:
    for link in result.links:
        a, b = records[link.record_index].source_id, records[link.kept_index].source_id
        assert true_of[a] == true_of[b], (a, b, link.rule)


@pytest.mark.parametrize("folder", SETS, ids=[p.name for p in SETS])
def test_no_false_merges_and_most_duplicates_found(folder: Path) -> None:
    records = read_records(folder / "records_pre_merged.csv")
    true_of = _true_study(folder, records)
    groups = [str(r.extra.get("search_set") or "").strip() or None for r in records]
    result = find_duplicates(records, groups=groups if any(groups) else None)
    _assert_no_false_merge(records, result, true_of)
    n_true = sum(1 for k, v in true_of.items() if k != v)
    assert len(result.links) >= 0.85 * n_true


HARD = ROOT / "benchmarks" / "data" / "dedupe" / "bib_dedupe_hard_cases"
POOLS = sorted(p for p in HARD.iterdir() if (p / "merged_record_ids.csv").is_file()) if HARD.is_dir() else []


@pytest.mark.parametrize("folder", POOLS, ids=[p.name for p in POOLS])
def test_no_false_merge_in_the_hard_cases_of_the_sets_not_public(folder: Path) -> None:
    # The pairs bib-dedupe once got wrong on the five sets whose records are not public
    # (benchmarks/build_hard_cases.py): fields prepared by bib-dedupe, so sensitivity is
    # the benchmark's to print; a false merge is a failure here as anywhere.
    records = read_records(folder / "records_pre_merged.csv")
    true_of = _true_study(folder, records)
    result = find_duplicates(records)
    _assert_no_false_merge(records, result, true_of)
    assert result.links  # the pools are full of true duplicates


def test_the_repository_holds_the_labelled_sets() -> None:
    assert {p.name for p in POOLS} == {"cardiac", "depression", "diabetes", "neuroimaging", "srsr"}
    assert {p.name for p in SETS} >= {"cytology_screening", "special_cases", "digital_work", "haematology",
                                      "respiratory", "stroke", "bib_dedupe_tests"}
