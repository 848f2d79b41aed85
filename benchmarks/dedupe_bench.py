#!/usr/bin/env python
"""Accuracy and speed of evsynth's dedupe on the labelled sets, beside bib-dedupe 0.11.

Usage::

    python benchmarks/dedupe_bench.py [DEDUPE_DIR] [--no-bib-dedupe] [--show-links]

Sets (``tests/data/dedupe/`` by default, or ``$EVSYNTH_DEDUPE_SETS``):

* bib-dedupe format: ``records_pre_merged.csv`` + ``merged_record_ids.csv``
  (one true cluster per row, ids joined by ``;``; records not listed are
  unique).
* ASySD's diabetes set: one CSV (``labelled_test_set.csv``) whose column
  ``source`` is the gold label, ``unique`` or ``duplicate``: every true study
  has exactly one record labelled ``unique`` and its other records are
  labelled ``duplicate``. The file has no cluster id column, so a predicted
  cluster's true clusters are counted by its ``unique`` records (a cluster
  with none holds duplicates of one study whose ``unique`` record sits in
  another cluster). This is the record-level gold ASySD itself scores with.

Scoring (record level, as bib-dedupe reports it): in each predicted cluster,
the records of one true cluster beyond the first are true positives; every
further true cluster merged in is a false positive. FN = true duplicates -
TP; sensitivity = TP / true duplicates.

bib-dedupe is run on the same data (prep → block → match → cluster) when it
can be imported; otherwise the issue's reference figures are printed,
labelled as such.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evsynth.dedupe import find_duplicates  # noqa: E402
from evsynth.models import Record  # noqa: E402
from evsynth.sources.readers import read_records  # noqa: E402

#: Figures quoted in issue 3 for bib-dedupe 0.11 (printed only when it cannot run here).
REFERENCE = {
    "cytology_screening": {"sensitivity": 0.9922, "seconds": 3.8},
    "asysd_diabetes": {"sensitivity": 1.0, "seconds": None},
}


# -- gold and scoring --------------------------------------------------------
def score_clusters(predicted: Iterable[Sequence[str]], true_of: dict[str, str],
                   n_true_duplicates: int) -> dict[str, float]:
    """TP/FP/FN/sensitivity of predicted clusters against true cluster labels."""
    tp = fp = 0
    for cluster in predicted:
        groups = Counter(true_of[i] for i in cluster)
        tp += sum(size - 1 for size in groups.values())
        fp += len(groups) - 1
    fn = n_true_duplicates - tp
    return {"TP": tp, "FP": fp, "FN": fn,
            "sensitivity": tp / n_true_duplicates if n_true_duplicates else 1.0}


def score_unique_labels(predicted: Iterable[Sequence[str]], label_of: dict[str, str]) -> dict[str, float]:
    """Same scoring when the gold is one ``unique`` record per true study (ASySD)."""
    tp = fp = 0
    n_dup = sum(1 for v in label_of.values() if v == "duplicate")
    for cluster in predicted:
        u = sum(1 for i in cluster if label_of[i] == "unique")
        tp += len(cluster) - max(u, 1)
        fp += max(u - 1, 0)
    return {"TP": tp, "FP": fp, "FN": n_dup - tp, "sensitivity": tp / n_dup if n_dup else 1.0}


def load_set(folder: Path) -> tuple[list[Record], list[str], callable, str]:
    """Records, their ids, a scoring function over predicted clusters, and the input path."""
    if (folder / "records_pre_merged.csv").is_file():
        path = folder / "records_pre_merged.csv"
        records = read_records(path)
        ids = [r.source_id for r in records]
        true_of = {i: i for i in ids}
        resolve = _gold_id_resolver(ids)
        n_dup = 0
        for line in (folder / "merged_record_ids.csv").read_text().splitlines()[1:]:
            members = [resolve(m) for m in line.strip().strip('"').split(";") if m]
            n_dup += len(members) - 1
            for m in members:
                true_of[m] = members[0]
        return records, ids, lambda pred: score_clusters(pred, true_of, n_dup), str(path)
    path = next(folder.glob("*.csv"))
    records = read_records(path)
    ids = [r.source_id for r in records]
    label_of = {r.source_id: str(r.extra.get("source", "")).strip().lower() for r in records}
    if not set(label_of.values()) <= {"unique", "duplicate"}:
        raise SystemExit(f"{path}: column 'source' must hold unique/duplicate labels")
    return records, ids, lambda pred: score_unique_labels(pred, label_of), str(path)


def _gold_id_resolver(ids: Sequence[str]):
    """Map an id of merged_record_ids.csv onto a record id.

    bib-dedupe's sets do not always spell both files' ids alike (haematology:
    records ``0000000001``, gold ``id_0000001``). An id that is not a record id
    is matched by its number, which must name exactly one record; anything
    else stops the run rather than silently dropping gold pairs.
    """
    known = set(ids)
    by_number: dict[int, list[str]] = defaultdict(list)
    for i in ids:
        digits = "".join(ch for ch in i if ch.isdigit())
        if digits:
            by_number[int(digits)].append(i)

    def resolve(gold_id: str) -> str:
        if gold_id in known:
            return gold_id
        digits = "".join(ch for ch in gold_id if ch.isdigit())
        hits = by_number.get(int(digits), []) if digits else []
        if len(hits) != 1:
            raise SystemExit(f"gold id {gold_id!r} matches {len(hits)} record ids")
        return hits[0]

    return resolve


def clusters_from_kept(ids: Sequence[str], kept: Sequence[int]) -> list[list[str]]:
    groups: dict[int, list[str]] = defaultdict(list)
    for k, target in enumerate(kept):
        groups[target].append(ids[k])
    return list(groups.values())


# -- bib-dedupe --------------------------------------------------------------
def _bib_dedupe_frame(records: Sequence[Record], ids: Sequence[str]):
    import pandas as pd

    rows = []
    for rid, r in zip(ids, records):
        rows.append({
            "ID": rid,
            "ENTRYTYPE": r.record_type or "article",
            "title": r.title or "",
            "author": " and ".join(r.authors),
            "year": str(r.year or ""),
            "journal": r.journal or "",
            "booktitle": str(r.extra.get("booktitle") or ""),
            "volume": r.volume or "",
            "number": r.issue or "",
            "pages": r.pages or "",
            "doi": r.doi or "",
            "abstract": r.abstract or "",
        })
    return pd.DataFrame(rows)


def run_bib_dedupe(records: Sequence[Record], ids: Sequence[str]) -> tuple[list[list[str]], float]:
    import bib_dedupe.bib_dedupe as bd

    frame = _bib_dedupe_frame(records, ids)
    start = time.perf_counter()
    prepped = bd.prep(frame, verbosity_level=0)
    blocked = bd.block(prepped, verbosity_level=0)
    matched = bd.match(blocked, verbosity_level=0)
    id_sets = bd.cluster(matched, verbosity_level=0)
    seconds = time.perf_counter() - start
    in_sets = {i for s in id_sets for i in s}
    clusters = [list(s) for s in id_sets] + [[i] for i in ids if i not in in_sets]
    return clusters, seconds


def _bib_dedupe_available() -> str | None:
    try:
        from importlib.metadata import version

        import bib_dedupe.bib_dedupe  # noqa: F401

        return version("bib-dedupe")
    except Exception:  # pragma: no cover - depends on the machine
        return None


# -- main ---------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default=os.environ.get(
        "EVSYNTH_DEDUPE_SETS", str(ROOT / "tests" / "data" / "dedupe")))
    parser.add_argument("--no-bib-dedupe", action="store_true")
    parser.add_argument("--show-links", action="store_true", help="print every link made (rule, titles, years, pages)")
    args = parser.parse_args(argv)

    bd_version = None if args.no_bib_dedupe else _bib_dedupe_available()
    print(f"labelled sets: {args.folder}")
    print("bib-dedupe: " + (f"{bd_version} (run here, same data)" if bd_version else
                            "not run here; issue 3's reference figures shown"))
    header = f"{'set':<20} {'n':>5} {'tool':<12} {'TP':>5} {'FP':>4} {'FN':>4} {'sens':>7} {'seconds':>8}"
    print(header)
    print("-" * len(header))
    folders = sorted(p for p in Path(args.folder).iterdir() if p.is_dir())
    for folder in folders:
        records, ids, score, path = load_set(folder)
        start = time.perf_counter()
        records_again = read_records(path)  # time includes reading, like bib-dedupe's prep
        result = find_duplicates(records_again)
        ours_s = time.perf_counter() - start
        pred = clusters_from_kept(ids, result.kept_index())
        s = score(pred)
        print(f"{folder.name:<20} {len(ids):>5} {'evsynth':<12} {s['TP']:>5} {s['FP']:>4} {s['FN']:>4} "
              f"{s['sensitivity']:>7.4f} {ours_s:>8.3f}")
        if args.show_links:
            _show_links(folder.name, records, ids, result)
        if bd_version:
            try:
                bd_pred, bd_s = run_bib_dedupe(records, ids)
            except Exception as exc:  # pragma: no cover - third-party failure
                print(f"{'':<20} {'':>5} {'bib-dedupe':<12} failed: {type(exc).__name__}: {exc}")
            else:
                b = score(bd_pred)
                ref = REFERENCE.get(folder.name)
                quoted = "" if not ref else (
                    f"; issue 3 quotes sens {ref['sensitivity']}"
                    + (f", {ref['seconds']} s" if ref["seconds"] is not None else ""))
                print(f"{'':<20} {'':>5} {'bib-dedupe':<12} {b['TP']:>5} {b['FP']:>4} {b['FN']:>4} "
                      f"{b['sensitivity']:>7.4f} {bd_s:>8.3f}   speed-up {bd_s / ours_s:.1f}x{quoted}")
        elif folder.name in REFERENCE:
            ref = REFERENCE[folder.name]
            secs = "" if ref["seconds"] is None else f"{ref['seconds']:>8.1f}"
            print(f"{'':<20} {'':>5} {'bib-dedupe*':<12} {'':>5} {'':>4} {'':>4} "
                  f"{ref['sensitivity']:>7.4f} {secs}   (*reference figures from the issue)")
        print(f"{'':<20} {'':>5} {'':<12} review pairs: {len(result.review)}, "
              f"candidate pairs: {result.n_candidates}")


def _show_links(name: str, records: Sequence[Record], ids: Sequence[str], result) -> None:
    for link in result.links:
        a, b = records[link.record_index], records[link.kept_index]
        print(f"  [{name}] {ids[link.record_index]} -> {ids[link.kept_index]} {link.rule} "
              f"{link.evidence.get('title_similarity')}\n     {a.title!r} {a.year} {a.pages}\n"
              f"     {b.title!r} {b.year} {b.pages}")


if __name__ == "__main__":
    main()
