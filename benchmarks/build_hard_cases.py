#!/usr/bin/env python
"""Build the hard-case pools of bib-dedupe's benchmark sets whose records are not public.

bib-dedupe's ``cardiac``, ``depression``, ``diabetes``, ``neuroimaging`` and ``srsr``
sets moved to a repository that is not public; their ``records_pre_merged.csv`` files
are absent from every public snapshot of bib-dedupe's history. What that history does
hold, for each set, is its gold file (``merged_record_ids.csv``) and, commit after
commit, the lists of pairs bib-dedupe got wrong while it was being tuned
(``matches_FN_list.csv``, ``matches_FP_list.csv``, ``blocks_FN_list.csv``, with the
records of each pair). This script gathers every record of every version of those
lists into one pool per set and keeps the gold groups among the pool's records::

    python benchmarks/build_hard_cases.py --bib-dedupe-git PATH/TO/bib-dedupe/.git

A pool is scored like a whole set (``benchmarks/dedupe_bench.py``): a pair inside it
is a duplicate exactly when the set's gold file says so.

What the pools are not: a sample. They hold the pairs that were hard for bib-dedupe,
and the fields are bib-dedupe's *prepared* values (lower case, punctuation dropped;
in later versions titles without stop words, DOIs without dots, journals
abbreviated to four letters per word). Each record is taken from the oldest version
that lists it, where the preparation is lightest. Two repairs are made and nothing
else: author lists that preparation glued together ("Cai Z. P.Parajuli N.",
"JukicM.Carrilo-RoaT.", "Ooi Cheow PengYassin Zaitun") are split again into
"Surname, Given" names (a surname with a capital inside, "McDonald", is split
too), and C1 control
characters (mojibake in a few abstracts) are dropped.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import subprocess
from pathlib import Path

SETS = ("cardiac", "depression", "diabetes", "neuroimaging", "srsr")
#: The last commit before the benchmark left bib-dedupe's repository (gold files from here).
GOLD_COMMIT = "e3f876d981ba3a84abac2d211e8bf723c01e0434^"
OUT = Path(__file__).resolve().parent / "data" / "dedupe" / "bib_dedupe_hard_cases"
_C1 = re.compile("[\x80-\x9f]")
_GLUED = re.compile(r"^(.+?)\s*((?:[A-Z]\.\s?)+)$")


def _id(value: str) -> str | None:
    """``id_0000341`` for ``341``, ``id_0000341`` or ``source_1.bib/0000000341``."""
    m = re.search(r"(\d+)\s*$", value.strip())
    return f"id_{int(m.group(1)):07d}" if m else None


def _authors(value: str) -> str:
    """Undo bib-dedupe's glued ``author_full`` into "Surname, Given and ..." names.

    Two forms: initials with dots ("Cai Z. P.Parajuli N.", "JukicM.Carrilo-RoaT.") and
    Web of Science full names without any separator ("Ooi Cheow PengYassin Zaitun",
    "Joshi VHBhuta T"), split where a lower-case letter or a run of initials meets the
    next capitalised surname.
    """
    if " and " in value or ";" in value:
        return value
    if re.search(r"\.[A-Z]", value):
        names = []
        for part in re.split(r"(?<=\.)(?=[A-Z][a-z])", value):
            m = _GLUED.match(part.strip())
            names.append(f"{m.group(1).strip()}, {m.group(2).strip()}" if m else part.strip())
        return " and ".join(names)
    if "," not in value and re.search(r"[a-z][A-Z]|[A-Z][A-Z][a-z]", value):
        parts = re.split(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", value)
        names = []
        for part in filter(None, (p.strip() for p in parts)):
            surname, _, given = part.partition(" ")
            names.append(f"{surname}, {given}" if given else surname)
        return " and ".join(names)
    return value


def build(git_dir: Path, out: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True,
                              check=True).stdout

    csv.field_size_limit(1 << 30)
    for name in SETS:
        lists = sorted({f for f in git("log", "--all", "--format=", "--name-only", "--", f"data/{name}/").split()
                        if f.endswith(".csv") and "_list" in f})
        versions = []
        for path in lists:
            for line in git("log", "--all", "--format=%H %ct", "--", path).splitlines():
                commit, when = line.split()
                try:
                    versions.append((int(when), commit, path, git("show", f"{commit}:{path}")))
                except subprocess.CalledProcessError:
                    continue  # deleted in this commit
        versions.sort()
        rows: dict[str, dict] = {}
        origin: dict[str, str] = {}
        for _, commit, path, text in versions:
            if path.endswith("_ignored.csv"):
                continue
            for row in csv.DictReader(io.StringIO(text)):
                rid = _id(row.get("ID") or "")
                if rid and rid not in rows:
                    rows[rid], origin[rid] = row, f"{path}@{commit[:7]}"
        gold = [[m for m in map(_id, line.strip().strip('"').split(";")) if m in rows]
                for line in git("show", f"{GOLD_COMMIT}:data/{name}/merged_record_ids.csv").splitlines()[1:]]
        gold = [g for g in gold if len(g) > 1]
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "records_pre_merged.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["ID", "ENTRYTYPE", "author", "year", "title", "journal", "volume", "number", "pages",
                        "doi", "abstract", "listed_in"])
            for rid in sorted(rows):
                r = rows[rid]
                values = [rid, r.get("ENTRYTYPE") or "article", _authors(r.get("author_full") or r.get("author") or ""),
                          r.get("year", ""), r.get("title", ""), r.get("container_title") or r.get("journal") or "",
                          r.get("volume", ""), r.get("number", ""), r.get("pages", ""), r.get("doi", ""),
                          r.get("abstract", ""), origin[rid]]
                w.writerow([_C1.sub("", v or "") for v in values])
        with (folder / "merged_record_ids.csv").open("w", encoding="utf-8") as fh:
            fh.write("merged_ids\n" + "".join('"' + ";".join(g) + '"\n' for g in gold))
        pairs = sum(len(g) * (len(g) - 1) // 2 for g in gold)
        print(f"{name}: {len(rows)} records, {len(gold)} gold groups ({pairs} duplicate pairs), "
              f"from {len(versions)} list versions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bib-dedupe-git", type=Path, required=True,
                        help="git directory of a bib-dedupe clone with its full history")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    build(args.bib_dedupe_git, args.out)


if __name__ == "__main__":
    main()
