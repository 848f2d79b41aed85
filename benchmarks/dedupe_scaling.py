#!/usr/bin/env python
"""How find_duplicates scales: 10k / 30k / 100k records made by perturbing real ones.

Usage::

    python benchmarks/dedupe_scaling.py [--sizes 10000 30000 100000] [--seed 1]

The real records are the labelled sets in ``tests/data/dedupe`` (or ``$EVSYNTH_DEDUPE_SETS``),
one record per true study. Synthetic *papers* are made from them: the first
copy of a real record is that record; further copies become distinct papers
by swapping a few title words for words of another real title and changing
DOI, year, volume and pages. Each paper then appears as 1 to 3 records, the
extra ones perturbed the way databases differ: a typo in the title, another
author format ("Zhai, Q. J." / "Zhai QJ" / "Q. J. Zhai"), another DOI form
(URL, ``doi:``, upper case), abbreviated pages, missing fields.

Each size runs in its own process so its peak memory (max RSS) is its own.
Printed: records, seconds, candidate pairs, duplicates found, false merges
(records of different synthetic papers merged), sensitivity, peak RSS, and
the growth exponent (log-log slope of time against records).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evsynth.models import Record  # noqa: E402

SETS = Path(os.environ.get("EVSYNTH_DEDUPE_SETS", ROOT / "tests" / "data" / "dedupe"))


def real_records() -> list[Record]:
    """One record per true study of the labelled sets (with a title)."""
    from evsynth.sources.readers import read_records

    out: list[Record] = []
    for folder in sorted(p for p in SETS.iterdir() if p.is_dir()):
        if (folder / "records_pre_merged.csv").is_file():
            records = read_records(folder / "records_pre_merged.csv")
            dup: set[str] = set()
            for line in (folder / "merged_record_ids.csv").read_text().splitlines()[1:]:
                dup.update(line.strip().strip('"').split(";")[1:])
            out.extend(r for r in records if r.source_id not in dup)
        else:
            records = read_records(next(folder.glob("*.csv")))
            out.extend(r for r in records if str(r.extra.get("source")) == "unique")
    return [r for r in out if r.title]


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 20:
        return text
    k = rng.randrange(5, len(text) - 5)
    op = rng.randrange(3)
    if op == 0:
        return text[:k] + text[k + 1:]  # deletion
    if op == 1:
        return text[:k] + text[k + 1] + text[k] + text[k + 2:]  # transposition
    return text[:k] + rng.choice("aeiourstn") + text[k:]  # insertion


def _author_form(name: str, rng: random.Random) -> str:
    if "," in name:
        surname, given = (p.strip() for p in name.split(",", 1))
    else:
        parts = name.split()
        surname, given = parts[0], " ".join(parts[1:])
    initials = "".join(t[0] for t in given.replace(".", " ").split() if t)
    form = rng.randrange(3)
    if form == 0:
        return f"{surname}, {'. '.join(initials)}." if initials else surname
    if form == 1:
        return f"{surname} {initials}".strip()
    return (" ".join(f"{c}." for c in initials) + " " + surname).strip()


def _doi_form(doi: str, rng: random.Random) -> str:
    return rng.choice([doi, f"https://doi.org/{doi}", f"doi:{doi.upper()}", f"http://dx.doi.org/{doi}"])


def _short_pages(pages: str | None) -> str | None:
    if not pages or "-" not in pages:
        return pages
    first, last = pages.split("-", 1)
    if first.isdigit() and last.isdigit() and len(first) == len(last) and len(first) > 1:
        k = 0
        while k < len(first) - 1 and first[k] == last[k]:
            k += 1
        return f"{first}-{last[k:]}"
    return pages


def make_paper(base: Record, variant: int, donor: Record, rng: random.Random) -> Record:
    """A distinct paper: ``base`` itself (variant 0) or a changed copy of it."""
    if variant == 0:
        return base
    words = (base.title or "").split()
    other = (donor.title or "").split()
    for _ in range(min(3, max(1, len(words) // 4))):
        if words and other:
            words[rng.randrange(len(words))] = rng.choice(other)
    words.append(str(variant))
    page = rng.randrange(1, 3000)
    return base.replace(
        title=" ".join(words),
        doi=f"10.{5000 + variant % 4000}/synthetic.{variant}.{rng.randrange(10**6)}" if base.doi else None,
        year=(base.year or 2000) + variant % 7 + 2,
        volume=str(rng.randrange(1, 400)),
        pages=f"{page}-{page + rng.randrange(1, 15)}",
        pmid=None,
    )


def perturb(paper: Record, rng: random.Random) -> Record:
    """Another database's record of ``paper``."""
    changes: dict[str, object] = {}
    if rng.random() < 0.3 and paper.title:
        changes["title"] = _typo(paper.title, rng)
    elif rng.random() < 0.3 and paper.title:
        changes["title"] = paper.title.upper()
    changes["authors"] = tuple(_author_form(a, rng) for a in paper.authors)
    if paper.doi:
        changes["doi"] = None if rng.random() < 0.3 else _doi_form(paper.doi, rng)
    changes["pages"] = None if rng.random() < 0.2 else _short_pages(paper.pages)
    if rng.random() < 0.2:
        changes["volume"] = None
    if rng.random() < 0.2:
        changes["journal"] = None
    if rng.random() < 0.3:
        changes["abstract"] = None
    return paper.replace(**changes)


def build(size: int, seed: int) -> tuple[list[Record], list[int]]:
    """``size`` records and, for each, the synthetic paper it belongs to."""
    rng = random.Random(seed)
    real = real_records()
    records: list[Record] = []
    paper_of: list[int] = []
    p = 0
    while len(records) < size:
        base = real[p % len(real)]
        paper = make_paper(base, p // len(real), real[rng.randrange(len(real))], rng)
        copies = rng.choice([1, 1, 2, 2, 3])
        for c in range(copies):
            if len(records) >= size:
                break
            rec = paper if c == 0 else perturb(paper, rng)
            records.append(rec.replace(source_id=f"s{len(records)}"))
            paper_of.append(p)
        p += 1
    order = list(range(len(records)))
    rng.shuffle(order)
    return [records[k] for k in order], [paper_of[k] for k in order]


def run_one(size: int, seed: int) -> dict[str, float]:
    from evsynth.dedupe import find_duplicates

    records, paper_of = build(size, seed)
    start = time.perf_counter()
    result = find_duplicates(records)
    seconds = time.perf_counter() - start
    kept = result.kept_index()
    clusters: dict[int, list[int]] = {}
    for k, t in enumerate(kept):
        clusters.setdefault(t, []).append(k)
    tp = fp = 0
    for members in clusters.values():
        groups: dict[int, int] = {}
        for k in members:
            groups[paper_of[k]] = groups.get(paper_of[k], 0) + 1
        tp += sum(n - 1 for n in groups.values())
        fp += len(groups) - 1
    n_true = len(records) - len(set(paper_of))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    return {"records": len(records), "seconds": seconds, "candidates": result.n_candidates,
            "duplicates": result.n_duplicates, "true_duplicates": n_true, "false_merges": fp,
            "sensitivity": tp / n_true if n_true else 1.0, "peak_mib": peak}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.seed)))
        return
    print(f"real base records from {SETS}; seed {args.seed}; cores: {os.cpu_count()}")
    header = (f"{'records':>8} {'seconds':>8} {'cand.pairs':>10} {'dups found':>10} {'true dups':>9} "
              f"{'false merges':>12} {'sens':>6} {'peak MiB':>8}")
    print(header)
    rows = []
    for size in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(size), "--seed", str(args.seed)],
                             capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(f"{row['records']:>8} {row['seconds']:>8.2f} {row['candidates']:>10} {row['duplicates']:>10} "
              f"{row['true_duplicates']:>9} {row['false_merges']:>12} {row['sensitivity']:>6.3f} "
              f"{row['peak_mib']:>8.0f}")
    if len(rows) >= 2:
        xs = [math.log(r["records"]) for r in rows]
        ys = [math.log(r["seconds"]) for r in rows]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        print(f"growth exponent (log-log slope of seconds on records): {slope:.2f}")
    print("targets: 100k records in <= 60 s, peak memory <= 2048 MiB")


if __name__ == "__main__":
    main()
