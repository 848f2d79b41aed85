"""PubMed XML parse rate: evsynth's streaming parser vs ``Bio.Entrez.read``.

Builds large ``PubmedArticleSet`` files by repeating the recorded articles in
``tests/data/entrez/pubmed*.xml`` (Biopython's recorded PubMed XML, kept in the
repository with its licence), then prints:

* records/s of ``Bio.Entrez.read`` and of ``evsynth.sources.pubmed_xml.iter_pubmed_xml``
  and their ratio (target ≥ 10×), both as called by default (a second process
  for inputs of 8 MiB or more where two CPUs are usable) and in this process
  only (``processes=1``);
* whether ``Bio.Entrez.parse`` (its "streaming" API) accepts a current
  PubmedArticleSet;
* peak memory of the streaming parser at two file sizes, each in a fresh
  process: the peak resident memory of that process and of its helper (all
  memory, libxml2's included) and tracemalloc's peak (Python objects only).
  Flat means: the larger file does not need more.

Usage::

    python benchmarks/pubmed_parse.py [--records 20000] [--entrez-records 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
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


def build_file(path: Path, n: int, articles: list[bytes]) -> int:
    """Write ``n`` records (the fixtures in turn) into one PubmedArticleSet; return its size."""
    with path.open("wb") as fh:
        fh.write(HEADER)
        for i in range(n):
            fh.write(articles[i % len(articles)])
            fh.write(b"\n")
        fh.write(b"</PubmedArticleSet>\n")
    return path.stat().st_size


def best_of(runs: int, parse: Callable[[], int]) -> tuple[int, float]:
    """Records and seconds of the fastest of ``runs`` calls of ``parse`` (which returns its record count).

    The garbage of earlier runs is collected before each, untimed: ``Bio.Entrez.read`` leaves
    about a million objects in reference cycles (0.7 s to collect here), which would otherwise
    be collected, and timed, in whichever run comes next.
    """
    best, n = float("inf"), 0
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        n = parse()
        best = min(best, time.perf_counter() - start)
    return n, best


def entrez_read(path: Path) -> int:
    from Bio import Entrez

    with path.open("rb") as fh:
        return len(Entrez.read(fh)["PubmedArticle"])


def evsynth_parse(path: Path, processes: int | None = None, helpers: list[int] | None = None) -> int:
    """Records of ``iter_pubmed_xml``; appends to ``helpers`` the helper processes running at its first record."""
    from evsynth.sources.pubmed_xml import iter_pubmed_xml

    n = 0
    for _ in iter_pubmed_xml(path, processes=processes):
        n += 1
        if n == 1 and helpers is not None:
            helpers.append(len(multiprocessing.active_children()))
    return n


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
    helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB; 0 without a helper
    print(n, base, rss, peak, helper)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20000, help="records for evsynth's parser")
    ap.add_argument("--entrez-records", type=int, default=2000,
                    help="records for Bio.Entrez.read (it builds the whole file in memory)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each parser (the best is shown)")
    ap.add_argument("--measure-memory", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure_memory:
        measure_memory(args.measure_memory)
        return

    articles = fixture_articles()
    print(f"fixture articles: {len(articles)} from {ENTREZ}/pubmed*.xml "
          f"(mean {sum(map(len, articles)) / len(articles) / 1024:.1f} KiB each)")
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "entrez.xml"
        big = Path(tmp) / "big.xml"
        size_small = build_file(small, args.entrez_records, articles)
        size_big = build_file(big, args.records, articles)

        runs = args.runs
        n_e, t_e = best_of(runs, lambda: entrez_read(small))
        helpers: list[int] = []
        n_s, t_s = best_of(runs, lambda: evsynth_parse(small, helpers=helpers))
        n_1, t_1 = best_of(runs, lambda: evsynth_parse(small, processes=1))
        n_b, t_b = best_of(runs, lambda: evsynth_parse(big))
        n_l, t_l = best_of(runs, lambda: lxml_only(small))
        rate_e = n_e / t_e

        def row(label: str, n: int, seconds: float, size: int, note: str = "") -> None:
            print(f"{label:<30}: {n:>7,} records, {size / 2**20:6.1f} MiB, {seconds:6.2f} s, "
                  f"{n / seconds:>7,.0f} records/s, {n / seconds / rate_e:5.1f}x Bio.Entrez.read{note}")

        print(f"\nbest of {runs} runs each; {_usable_cpus()} CPUs usable; by default iter_pubmed_xml ran "
              f"{1 + max(helpers)} process(es) here")
        row("Bio.Entrez.read", n_e, t_e, size_small)
        row("iter_pubmed_xml (default)", n_s, t_s, size_small, "  <- target >= 10x")
        row("iter_pubmed_xml (processes=1)", n_1, t_1, size_small, "  (this process only)")
        row("iter_pubmed_xml (default)", n_b, t_b, size_big, "  (large file)")
        row("lxml parse only, 1 process", n_l, t_l, size_small, "  (no records built)")
        print(f"\nBio.Entrez.parse on a current PubmedArticleSet: {entrez_parse_verdict(small)}")

        print("\npeak memory of iter_pubmed_xml, each size in a fresh process:")
        for path, size in ((small, size_small), (big, size_big)):
            out = subprocess.run([sys.executable, __file__, "--measure-memory", str(path)],
                                 capture_output=True, text=True, check=True).stdout.split()
            n, base, rss, peak, helper = (int(x) for x in out)
            print(f"  {n:>7,} records, {size / 2**20:7.1f} MiB file: peak RSS {rss / 1024:6.1f} MiB "
                  f"(+{(rss - base) / 1024:5.1f} MiB while parsing), helper process {helper / 1024:6.1f} MiB, "
                  f"tracemalloc peak {peak / 2**20:5.2f} MiB")


if __name__ == "__main__":
    main()
