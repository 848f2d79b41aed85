#!/usr/bin/env python
"""Accuracy and speed of evsynth's dedupe on every labelled set, beside bib-dedupe.

Usage::

    python benchmarks/dedupe_bench.py [FOLDER ...] [--bib-dedupe-python PY]
        [--no-bib-dedupe] [--record] [--show-links] [--show-misses]

Sets: every sub-folder of ``tests/data/dedupe/``, ``benchmarks/data/dedupe/`` and
``benchmarks/data/dedupe/bib_dedupe_hard_cases/`` (the hard-case pools of the five
sets whose records are not public, see ``benchmarks/build_hard_cases.py``)
(or of the FOLDERs given, or of ``$EVSYNTH_DEDUPE_SETS``), plus ``benchmarks/data/dedupe/bib_dedupe_test_cases.json``
(bib-dedupe's labelled pairs). Where each set comes from is in
``benchmarks/data/dedupe/README.md``.

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
* a column ``search_set`` (bib-dedupe's test set) names records already
  deduplicated among themselves: they are passed to ``find_duplicates`` as
  ``groups`` and never merged with each other, as bib-dedupe does.
* labelled pairs (``*.json``, bib-dedupe's ``dedupe_test_cases/v1``): each
  pair is deduplicated alone; TP/FN over the pairs expected to be duplicates,
  FP over those expected not to be.

Scoring (record level, as bib-dedupe reports it): in each predicted cluster,
the records of one true cluster beyond the first are true positives; every
further true cluster merged in is a false positive. FN = true duplicates -
TP; sensitivity = TP / true duplicates; TN = true clusters not merged into
another.

bib-dedupe runs in a subprocess (``benchmarks/bib_dedupe_run.py``) with the
Python given by ``--bib-dedupe-python`` or ``$BIB_DEDUPE_PYTHON`` (a separate
venv with ``pip install bib-dedupe``), or with this Python if it can import
bib-dedupe. It reads the same CSV (bib-dedupe format sets) or the same
records (the ASySD set) and is scored the same way. When it cannot run, the
figures recorded by an earlier live run (``--record`` writes them to
``benchmarks/data/dedupe/bib_dedupe_results.json``, with bib-dedupe's version)
are printed instead, marked ``*``. Times: evsynth's includes reading the file;
bib-dedupe's is prep → block → match → cluster (its default, all CPUs).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evsynth.dedupe import find_duplicates  # noqa: E402
from evsynth.models import Record  # noqa: E402
from evsynth.sources.readers import read_records  # noqa: E402

DEFAULT_FOLDERS = (ROOT / "tests" / "data" / "dedupe", ROOT / "benchmarks" / "data" / "dedupe",
                   ROOT / "benchmarks" / "data" / "dedupe" / "bib_dedupe_hard_cases")
RECORDED = ROOT / "benchmarks" / "data" / "dedupe" / "bib_dedupe_results.json"
RUNNER = ROOT / "benchmarks" / "bib_dedupe_run.py"


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


@dataclass(frozen=True)
class LabelledSet:
    """One labelled set: its records, their ids, how to score predicted clusters."""

    name: str
    records: list[Record]
    ids: list[str]
    score: Callable[[Iterable[Sequence[str]]], dict[str, float]]
    path: Path
    bib_dedupe_csv: bool  # the file is in bib-dedupe's own format
    true_of: dict[str, str] | None = None  # id -> its true cluster, when the gold names them


def load_set(folder: Path) -> LabelledSet:
    """Read a bib-dedupe-format or ASySD-format set from ``folder``."""
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
        return LabelledSet(folder.name, records, ids,
                           lambda pred: score_clusters(pred, true_of, n_dup), path, True,
                           true_of)
    path = next(folder.glob("*.csv"))
    records = read_records(path)
    ids = [r.source_id for r in records]
    label_of = {r.source_id: str(r.extra.get("source", "")).strip().lower() for r in records}
    if not set(label_of.values()) <= {"unique", "duplicate"}:
        raise SystemExit(f"{path}: column 'source' must hold unique/duplicate labels")
    return LabelledSet(folder.name, records, ids,
                       lambda pred: score_unique_labels(pred, label_of), path, False)


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


def search_sets(records: Sequence[Record]) -> list[str | None] | None:
    """bib-dedupe's ``search_set`` column: records of one set were deduplicated before."""
    labels = [str(r.extra.get("search_set") or "").strip() or None for r in records]
    return labels if any(labels) else None


# -- labelled pairs -----------------------------------------------------------
def _pair_rows(case: dict) -> tuple[list[str], list[dict]]:
    rows = [dict(case["record_a"], ID="a"), dict(case["record_b"], ID="b")]
    keys = ["ID"] + sorted({k for row in rows for k in row} - {"ID"})
    return keys, rows


def pair_case_records(case: dict) -> list[Record]:
    """The two records of one labelled pair, as a CSV in bib-dedupe's field names."""
    import io

    from evsynth.sources.readers import read_text

    keys, rows = _pair_rows(case)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=keys)
    w.writeheader()
    w.writerows(rows)
    return read_text(out.getvalue(), "csv")


def score_pairs(expected: Sequence[bool], merged: Sequence[bool]) -> dict[str, float]:
    tp = sum(e and m for e, m in zip(expected, merged))
    fp = sum(m and not e for e, m in zip(expected, merged))
    fn = sum(e and not m for e, m in zip(expected, merged))
    tn = sum(not e and not m for e, m in zip(expected, merged))
    n_dup = tp + fn
    return {"TP": tp, "FP": fp, "FN": fn, "TN": tn, "sensitivity": tp / n_dup if n_dup else 1.0}


# -- bib-dedupe --------------------------------------------------------------
def _write_bib_dedupe_csv(records: Sequence[Record], ids: Sequence[str], path: Path) -> None:
    """The records as a CSV in bib-dedupe's field names (for sets not in its format)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "ENTRYTYPE", "title", "author", "year", "journal", "booktitle",
                    "volume", "number", "pages", "doi", "abstract"])
        for rid, r in zip(ids, records):
            w.writerow([rid, r.record_type or "article", r.title or "", " and ".join(r.authors),
                        str(r.year or ""), r.journal or "", str(r.extra.get("booktitle") or ""),
                        r.volume or "", r.issue or "", r.pages or "", r.doi or "",
                        r.abstract or ""])


def run_bib_dedupe(python: str, csv_path: Path) -> dict:
    """Run ``bib_dedupe_run.py`` under ``python``; its JSON reply."""
    done = subprocess.run([python, str(RUNNER), str(csv_path)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                           else f"exit {done.returncode}")
    return json.loads(done.stdout)


def bib_dedupe_clusters(python: str, ls: LabelledSet) -> tuple[list[list[str]], float, str]:
    """bib-dedupe's predicted clusters (singletons included), its time and version."""
    with tempfile.TemporaryDirectory() as tmp:
        path = ls.path
        if not ls.bib_dedupe_csv:
            path = Path(tmp) / "records.csv"
            _write_bib_dedupe_csv(ls.records, ls.ids, path)
        reply = run_bib_dedupe(python, path)
    in_sets = {i for s in reply["clusters"] for i in s}
    clusters = [list(s) for s in reply["clusters"]] + [[i] for i in ls.ids if i not in in_sets]
    return clusters, reply["seconds"], reply["version"]


def bib_dedupe_pairs(python: str, cases: Sequence[dict]) -> tuple[list[bool], float, str]:
    """bib-dedupe's verdict on each labelled pair, run one pair at a time."""
    merged, seconds, version = [], 0.0, ""
    with tempfile.TemporaryDirectory() as tmp:
        for k, case in enumerate(cases):
            path = Path(tmp) / f"pair{k}.csv"
            keys, rows = _pair_rows(case)
            with path.open("w", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=keys)
                w.writeheader()
                w.writerows(rows)
            reply = run_bib_dedupe(python, path)
            merged.append(any({"a", "b"} <= set(s) for s in reply["clusters"]))
            seconds += reply["seconds"]
            version = reply["version"]
    return merged, seconds, version


def find_bib_dedupe_python(given: str | None) -> str | None:
    """The Python that runs bib-dedupe, or None when there is none."""
    candidates = [given] if given else [os.environ.get("BIB_DEDUPE_PYTHON"), sys.executable]
    for python in filter(None, candidates):
        probe = subprocess.run([python, "-c", "import bib_dedupe.bib_dedupe"],
                               capture_output=True, check=False)
        if probe.returncode == 0:
            return python
    return None


# -- main ---------------------------------------------------------------------
_HEADER = (f"{'set':<20} {'n':>5} {'tool':<12} {'TP':>5} {'FP':>4} {'FN':>4} {'TN':>5} "
           f"{'sens':>7} {'seconds':>8}")


def _row(name: str, n: int | str, tool: str, s: dict, seconds: float | None, note: str = "") -> str:
    secs = "" if seconds is None else f"{seconds:.3f}"
    return (f"{name:<20} {n:>5} {tool:<12} {s['TP']:>5} {s['FP']:>4} {s['FN']:>4} "
            f"{s.get('TN', ''):>5} {s['sensitivity']:>7.4f} {secs:>8}{note}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    env = os.environ.get("EVSYNTH_DEDUPE_SETS")
    parser.add_argument("folders", nargs="*", type=Path,
                        default=[Path(env)] if env else list(DEFAULT_FOLDERS))
    parser.add_argument("--bib-dedupe-python", help="Python with bib-dedupe installed")
    parser.add_argument("--no-bib-dedupe", action="store_true", help="print recorded figures only")
    parser.add_argument("--record", action="store_true",
                        help=f"write bib-dedupe's live figures to {RECORDED.relative_to(ROOT)}")
    parser.add_argument("--show-links", action="store_true", help="print every link made")
    parser.add_argument("--show-misses", action="store_true",
                        help="print true duplicates evsynth kept apart (and false merges)")
    args = parser.parse_args(argv)

    python = None if args.no_bib_dedupe else find_bib_dedupe_python(args.bib_dedupe_python)
    recorded = json.loads(RECORDED.read_text()) if RECORDED.is_file() else {"sets": {}}
    print("labelled sets: " + ", ".join(str(f) for f in args.folders))
    print("bib-dedupe: " + (f"run here with {python}" if python else
                            f"not run here; figures recorded with bib-dedupe "
                            f"{recorded.get('bib_dedupe_version', '?')} shown (*)"))
    print(_HEADER)
    print("-" * len(_HEADER))
    fresh: dict[str, dict] = {}
    bd_version = None
    for folder in args.folders:
        for sub in sorted(p for p in folder.iterdir() if p.is_dir() and any(p.glob("*.csv"))):
            ls = load_set(sub)
            start = time.perf_counter()
            again = read_records(ls.path)  # time includes reading
            result = find_duplicates(again, groups=search_sets(again))
            ours_s = time.perf_counter() - start
            pred = clusters_from_kept(ls.ids, result.kept_index())
            s = ls.score(pred)
            s["TN"] = s.get("TN", _true_clusters_kept(ls, pred))
            print(_row(ls.name, len(ls.ids), "evsynth", s, ours_s))
            if args.show_links:
                _show_links(ls, result)
            if args.show_misses:
                _show_misses(ls, pred)
            if python:
                try:
                    bd_pred, bd_s, bd_version = bib_dedupe_clusters(python, ls)
                except Exception as exc:  # pragma: no cover - third-party failure
                    print(f"{'':<20} {'':>5} {'bib-dedupe':<12} failed: {exc}")
                else:
                    b = ls.score(bd_pred)
                    b["TN"] = _true_clusters_kept(ls, bd_pred)
                    fresh[ls.name] = dict(b, seconds=round(bd_s, 3))
                    print(_row("", "", "bib-dedupe", b, bd_s, f"   speed-up {bd_s / ours_s:.1f}x"))
            elif ls.name in recorded["sets"]:
                print(_row("", "", "bib-dedupe*", recorded["sets"][ls.name],
                           recorded["sets"][ls.name].get("seconds")))
            print(f"{'':<20} {'':>5} {'':<12} review pairs: {len(result.review)}, "
                  f"candidate pairs: {result.n_candidates}")
        for cases_file in sorted(folder.glob("*.json")):
            if cases_file.name == RECORDED.name:
                continue
            _pairs_rows(cases_file, python, recorded, fresh, args.show_misses)
    if args.record and fresh:
        RECORDED.write_text(json.dumps({
            "bib_dedupe_version": bd_version,
            "recorded": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
                       f"Python {platform.python_version()}",
            "note": "benchmarks/dedupe_bench.py --record; scored as that script scores evsynth",
            "sets": fresh}, indent=1) + "\n")
        print(f"recorded bib-dedupe's figures in {RECORDED.relative_to(ROOT)}")


def _true_clusters_kept(ls: LabelledSet, pred: Sequence[Sequence[str]]) -> int:
    """True clusters not merged into another one (bib-dedupe's TN, record level)."""
    s = ls.score(pred)
    return len(ls.ids) - s["TP"] - s["FN"] - s["FP"]


def _pairs_rows(path: Path, python: str | None, recorded: dict, fresh: dict,
                show_misses: bool) -> None:
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    expected = [bool(c["expected_duplicate"]) for c in cases]
    start = time.perf_counter()
    merged = [bool(find_duplicates(pair_case_records(c)).links) for c in cases]
    ours_s = time.perf_counter() - start
    name = path.stem
    print(_row(name, f"{len(cases)}p", "evsynth", score_pairs(expected, merged), ours_s))
    if show_misses:
        for c, e, m in zip(cases, expected, merged):
            if e != m:
                print(f"  [{name}] {c['id']}: expected {e}, evsynth {m}")
    if python:
        bd_merged, bd_s, _ = bib_dedupe_pairs(python, cases)
        b = score_pairs(expected, bd_merged)
        fresh[name] = dict(b, seconds=round(bd_s, 3))
        print(_row("", "", "bib-dedupe", b, bd_s))
    elif name in recorded["sets"]:
        print(_row("", "", "bib-dedupe*", recorded["sets"][name],
                   recorded["sets"][name].get("seconds")))


def _show_links(ls: LabelledSet, result) -> None:
    for link in result.links:
        a, b = ls.records[link.record_index], ls.records[link.kept_index]
        print(f"  [{ls.name}] {ls.ids[link.record_index]} -> {ls.ids[link.kept_index]} {link.rule} "
              f"{link.evidence.get('title_similarity')}\n     {a.title!r} {a.year} {a.pages}\n"
              f"     {b.title!r} {b.year} {b.pages}")


def _describe(r: Record, rid: str) -> str:
    return (f"{rid}: {r.title!r} {r.year} {'; '.join(r.authors[:2])} | {r.journal} "
            f"{r.volume}({r.issue}) {r.pages} {r.doi or ''}")


def _show_misses(ls: LabelledSet, pred: Sequence[Sequence[str]]) -> None:
    """Print each false merge and each true cluster split over predicted clusters."""
    by_id = dict(zip(ls.ids, ls.records))
    for c in pred:
        if len(c) > 1 and ls.score([c])["FP"]:
            print(f"  [{ls.name}] FALSE MERGE:\n     " + "\n     ".join(
                _describe(by_id[i], i) for i in c))
    if ls.true_of is None:
        return
    cluster_of = {i: k for k, c in enumerate(pred) for i in c}
    members: dict[str, list[str]] = defaultdict(list)
    for i in ls.ids:
        members[ls.true_of[i]].append(i)
    for group in members.values():
        if len({cluster_of[i] for i in group}) > 1:
            print(f"  [{ls.name}] MISSED:\n     " + "\n     ".join(
                f"[{cluster_of[i]}] " + _describe(by_id[i], i) for i in group))


if __name__ == "__main__":
    main()
