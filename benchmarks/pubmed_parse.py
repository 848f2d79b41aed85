"""PubMed XML parse rate: one file in one process vs ``Bio.Entrez.read``, and many files with ``jobs``.

Builds PubmedArticleSet files by repeating the recorded articles in
``tests/data/entrez/pubmed*.xml`` (Biopython's recorded PubMed XML, kept in the
repository with its licence; the files are made at run time in a temporary
folder), then prints:

* one file, one process: records/s of ``Bio.Entrez.read`` and of
  ``evsynth.sources.pubmed_xml.iter_pubmed_xml`` and their ratio, with
  libxml2's own parse (no records built) for scale;
* many files (as PubMed's baseline/update files come): records/s of
  ``evsynth.imports.read_files`` with ``jobs=1`` and ``jobs=2`` (worker
  processes started with ``spawn``, their start-up included), and of
  ``import_files`` into a fresh store (reading plus storing, which stays in
  this process) at 1 and 2 jobs;
* whether ``Bio.Entrez.parse`` (its "streaming" API) accepts a current
  PubmedArticleSet;
* peak memory of the streaming parser at two file sizes, each in a fresh
  process (peak resident memory, libxml2's included, and tracemalloc's peak).
  Flat means: the larger file does not need more.

The machine's load is printed with the figures: on a shared machine the
rates, and above all what a second process gains, depend on it. CPU seconds
(this process and the workers it waited for) show the work done whatever the
load: records per CPU second compare the parsers, and the CPU seconds of
``jobs=2`` beside ``jobs=1`` show what the pool costs.

Usage::

    python benchmarks/pubmed_parse.py [--records 20000] [--entrez-records 2000] [--files 12]
                                      [--file-records 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
ENTREZ = ROOT / "tests" / "data" / "entrez"
HEADER = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
          b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
          b"<PubmedArticleSet>\n")


def fixture_articles() -> list[bytes]:
    """The ``<PubmedArticle>`` elements of the recorded fixtures, as recorded."""
    out = []
    for path in sorted(ENTREZ.glob("pubmed*.xml")):
        out.extend(m.group() for m in re.finditer(rb"<PubmedArticle>.*?</PubmedArticle>", path.read_bytes(), re.S))
    if not out:
        sys.exit(f"no fixture articles under {ENTREZ}")
    return out


def build_file(path: Path, n: int, articles: list[bytes], first: int = 0) -> int:
    """Write ``n`` records (the fixtures in turn from the ``first``) into one PubmedArticleSet; return its size."""
    articles = articles[first % len(articles):] + articles[:first % len(articles)]
    with path.open("wb") as fh:
        fh.write(HEADER)
        fh.write(b"<!-- %d -->\n" % first)  # every file its own bytes (import_files recognises a file by them)
        for i in range(n):
            fh.write(articles[i % len(articles)])
            fh.write(b"\n")
        fh.write(b"</PubmedArticleSet>\n")
    return path.stat().st_size


def best_of(runs: int, parse: Callable[[], int]) -> tuple[int, float, float]:
    """Records, seconds and CPU seconds of the fastest of ``runs`` calls of ``parse`` (which returns its record count).

    CPU seconds count this process and the worker processes it waited for. The
    garbage of earlier runs is collected before each, untimed: ``Bio.Entrez.read``
    leaves about a million objects in reference cycles (0.7 s to collect here),
    which would otherwise be collected, and timed, in whichever run comes next.
    """
    best, cpu, n = float("inf"), 0.0, 0
    for _ in range(runs):
        gc.collect()
        before = os.times()
        start = time.perf_counter()
        n = parse()
        seconds = time.perf_counter() - start
        after = os.times()
        if seconds < best:
            best, cpu = seconds, sum(after[:4]) - sum(before[:4])
    return n, best, cpu


def entrez_read(path: Path) -> int:
    from Bio import Entrez

    with path.open("rb") as fh:
        return len(Entrez.read(fh)["PubmedArticle"])


def evsynth_parse(path: Path) -> int:
    """Records of ``iter_pubmed_xml`` (one process)."""
    from evsynth.sources.pubmed_xml import iter_pubmed_xml

    return sum(1 for _ in iter_pubmed_xml(path))


def read_many(paths: list[Path], jobs: int) -> int:
    """Records of ``read_files`` over ``paths`` with ``jobs`` processes (pool start-up included)."""
    from evsynth.imports import read_files

    return sum(len(r.records) for r in read_files(paths, jobs=jobs))


def import_many(paths: list[Path], jobs: int, folder: Path) -> int:
    """Records ``import_files`` stores from ``paths`` into a fresh store with ``jobs`` processes."""
    from evsynth.imports import import_files
    from evsynth.store import Store

    db = folder / f"store-{time.monotonic_ns()}.sqlite"
    try:
        with Store(db) as store:
            return import_files(store, paths, jobs=jobs).n_records
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


def lxml_only(path: Path) -> int:
    """libxml2's own parse in one process (iterparse, elements cleared, no records built)."""
    from lxml import etree

    n = 0
    for _, el in etree.iterparse(str(path), events=("end",), tag="PubmedArticle", resolve_entities=False,
                                 no_network=True, load_dtd=False):
        n += 1
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]
    return n


def entrez_parse_verdict(path: Path) -> str:
    from Bio import Entrez

    try:
        with path.open("rb") as fh:
            n = sum(1 for _ in Entrez.parse(fh))
    except Exception as exc:  # report exactly what Biopython says
        return f"refused: {type(exc).__name__}: {exc}"
    return f"accepted ({n} records)"


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _peak_rss_kib() -> int:
    """Peak resident memory of this process in KiB (VmHWM; ru_maxrss where /proc is missing).

    ru_maxrss of a child started from a big parent reports the parent's peak, so
    /proc's VmHWM (reset by exec) is preferred.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def measure_memory(path: Path) -> None:
    """Child-process mode: parse ``path`` and print records, peak RSS before/after (KiB), tracemalloc peak."""
    from evsynth.sources.pubmed_xml import iter_pubmed_xml

    base = _peak_rss_kib()
    tracemalloc.start()
    n = sum(1 for _ in iter_pubmed_xml(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = _peak_rss_kib()
    print(n, base, rss, peak)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20000, help="records of the large file (memory)")
    ap.add_argument("--entrez-records", type=int, default=2000,
                    help="records of the one-file comparison (Bio.Entrez.read builds the whole file in memory)")
    ap.add_argument("--files", type=int, default=12, help="files of the many-file runs")
    ap.add_argument("--file-records", type=int, default=2000, help="records per file of the many-file runs")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each (the best is shown)")
    ap.add_argument("--measure-memory", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure_memory:
        measure_memory(args.measure_memory)
        return

    articles = fixture_articles()
    print(f"fixture articles: {len(articles)} from {ENTREZ.relative_to(ROOT)}/pubmed*.xml "
          f"(mean {sum(map(len, articles)) / len(articles) / 1024:.1f} KiB each)")
    print(f"{_usable_cpus()} CPUs usable; load average before: {_load()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small, big = folder / "entrez.xml", folder / "big.xml"
        size_small = build_file(small, args.entrez_records, articles)
        size_big = build_file(big, args.records, articles)
        many = [folder / f"update{i:04d}.xml" for i in range(args.files)]
        size_many = sum(build_file(p, args.file_records, articles, i) for i, p in enumerate(many))

        runs = args.runs
        n_e, t_e, c_e = best_of(runs, lambda: entrez_read(small))
        n_1, t_1, c_1 = best_of(runs, lambda: evsynth_parse(small))
        n_l, t_l, c_l = best_of(runs, lambda: lxml_only(small))
        rate_e = n_e / t_e

        def row(label: str, n: int, seconds: float, cpu: float, size: int, note: str = "") -> None:
            print(f"{label:<36}: {n:>7,} records, {size / 2**20:6.1f} MiB, {seconds:6.2f} s, "
                  f"{n / seconds:>6,.0f} records/s{note}; {cpu:6.2f} CPU s, {n / cpu:>6,.0f} records/CPU s")

        print(f"\none file, one process (best of {runs} runs each)")
        row("Bio.Entrez.read", n_e, t_e, c_e, size_small)
        row("iter_pubmed_xml", n_1, t_1, c_1, size_small, f", {n_1 / t_1 / rate_e:4.1f}x Bio.Entrez.read")
        row("lxml parse only (no records built)", n_l, t_l, c_l, size_small, f", {n_l / t_l / rate_e:4.1f}x")

        print(f"\n{args.files} files of {args.file_records:,} records (best of {runs} runs each)")
        rates = {}
        for jobs in (1, 2):
            n, t, c = best_of(runs, lambda: read_many(many, jobs))
            rates[("read", jobs)] = n / t
            row(f"read_files, jobs={jobs}", n, t, c, size_many,
                "" if jobs == 1 else f", {n / t / rates[('read', 1)]:4.2f}x jobs=1")
        for jobs in (1, 2):
            n, t, c = best_of(runs, lambda: import_many(many, jobs, folder))
            rates[("import", jobs)] = n / t
            row(f"import_files (fresh store), jobs={jobs}", n, t, c, size_many,
                "" if jobs == 1 else f", {n / t / rates[('import', 1)]:4.2f}x jobs=1")
        print(f"load average after: {_load()}")
        print(f"\nBio.Entrez.parse on a current PubmedArticleSet: {entrez_parse_verdict(small)}")

        print("\npeak memory of iter_pubmed_xml, each size in a fresh process:")
        for path, size in ((small, size_small), (big, size_big)):
            out = subprocess.run([sys.executable, __file__, "--measure-memory", str(path)],
                                 capture_output=True, text=True, check=True).stdout.split()
            n, base, rss, peak = (int(x) for x in out)
            print(f"  {n:>7,} records, {size / 2**20:7.1f} MiB file: peak RSS {rss / 1024:6.1f} MiB "
                  f"(+{(rss - base) / 1024:5.1f} MiB while parsing), tracemalloc peak {peak / 2**20:5.2f} MiB")


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


if __name__ == "__main__":
    main()
