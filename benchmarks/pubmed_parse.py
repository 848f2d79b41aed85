"""PubMed XML parse rate: evsynth's streaming parser vs ``Bio.Entrez.read``.

Builds large ``PubmedArticleSet`` files by repeating the recorded articles in
``../shared/fixtures/entrez/pubmed*.xml`` (read at run time, never copied into
the project), then prints:

* records/s of ``Bio.Entrez.read`` and of ``evsynth.sources.pubmed_xml.iter_pubmed_xml``
  and their ratio (target ≥ 10×);
* whether ``Bio.Entrez.parse`` (its "streaming" API) accepts a current
  PubmedArticleSet;
* peak memory of the streaming parser at two file sizes, each in a fresh
  process: ``ru_maxrss`` (all memory, libxml2's included) and tracemalloc's
  peak (Python objects only). Flat means: the larger file does not need more.

Usage::

    python benchmarks/pubmed_parse.py [--records 20000] [--entrez-records 2000]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EVSYNTH_SHARED", ROOT.parent / "shared"))
HEADER = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
          b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
          b"<PubmedArticleSet>\n")


def fixture_articles() -> list[bytes]:
    """The ``<PubmedArticle>`` elements of the shared fixtures, as recorded."""
    out = []
    for path in sorted((SHARED / "fixtures" / "entrez").glob("pubmed*.xml")):
        out.extend(m.group() for m in re.finditer(rb"<PubmedArticle>.*?</PubmedArticle>", path.read_bytes(), re.S))
    if not out:
        sys.exit(f"no fixture articles under {SHARED}/fixtures/entrez")
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


def time_entrez_read(path: Path) -> tuple[int, float]:
    from Bio import Entrez

    start = time.perf_counter()
    with path.open("rb") as fh:
        data = Entrez.read(fh)
    elapsed = time.perf_counter() - start
    return len(data["PubmedArticle"]), elapsed


def time_evsynth(path: Path) -> tuple[int, float]:
    from evsynth.sources.pubmed_xml import iter_pubmed_xml

    start = time.perf_counter()
    n = sum(1 for _ in iter_pubmed_xml(path))
    return n, time.perf_counter() - start


def time_lxml_only(path: Path) -> tuple[int, float]:
    """libxml2's own parse (iterparse, elements cleared, no records built): the ceiling."""
    from lxml import etree

    start = time.perf_counter()
    n = 0
    for _, el in etree.iterparse(str(path), events=("end",), tag="PubmedArticle", resolve_entities=False,
                                 no_network=True, load_dtd=False):
        n += 1
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]
    return n, time.perf_counter() - start


def entrez_parse_verdict(path: Path) -> str:
    from Bio import Entrez

    try:
        with path.open("rb") as fh:
            n = sum(1 for _ in Entrez.parse(fh))
    except Exception as exc:  # report exactly what Biopython says
        return f"refused: {type(exc).__name__}: {exc}"
    return f"accepted ({n} records)"


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
    ap.add_argument("--records", type=int, default=20000, help="records for evsynth's parser")
    ap.add_argument("--entrez-records", type=int, default=2000,
                    help="records for Bio.Entrez.read (it builds the whole file in memory)")
    ap.add_argument("--measure-memory", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure_memory:
        measure_memory(args.measure_memory)
        return

    articles = fixture_articles()
    print(f"fixture articles: {len(articles)} from {SHARED / 'fixtures' / 'entrez'}/pubmed*.xml "
          f"(mean {sum(map(len, articles)) / len(articles) / 1024:.1f} KiB each)")
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "entrez.xml"
        big = Path(tmp) / "big.xml"
        size_small = build_file(small, args.entrez_records, articles)
        size_big = build_file(big, args.records, articles)

        n_e, t_e = time_entrez_read(small)
        n_s, t_s = time_evsynth(small)
        n_b, t_b = time_evsynth(big)
        n_l, t_l = time_lxml_only(small)
        rate_e, rate_s, rate_b = n_e / t_e, n_s / t_s, n_b / t_b
        print(f"\nBio.Entrez.read   : {n_e:>7,} records, {size_small / 2**20:7.1f} MiB, {t_e:7.2f} s, "
              f"{rate_e:>9,.0f} records/s")
        print(f"iter_pubmed_xml   : {n_s:>7,} records, {size_small / 2**20:7.1f} MiB, {t_s:7.2f} s, "
              f"{rate_s:>9,.0f} records/s  (same file)")
        print(f"iter_pubmed_xml   : {n_b:>7,} records, {size_big / 2**20:7.1f} MiB, {t_b:7.2f} s, "
              f"{rate_b:>9,.0f} records/s")
        print(f"lxml parse only   : {n_l:>7,} records, {size_small / 2**20:7.1f} MiB, {t_l:7.2f} s, "
              f"{n_l / t_l:>9,.0f} records/s  (same file, no records built: the ceiling)")
        print(f"ratio (same file) : {rate_s / rate_e:.1f}x Bio.Entrez.read (target >= 10x; "
              f"the lxml parse alone is {n_l / t_l / rate_e:.1f}x)")
        print(f"ratio (large file): {rate_b / rate_e:.1f}x")
        print(f"\nBio.Entrez.parse on a current PubmedArticleSet: {entrez_parse_verdict(small)}")

        print("\npeak memory of iter_pubmed_xml, each size in a fresh process:")
        for path, size in ((small, size_small), (big, size_big)):
            out = subprocess.run([sys.executable, __file__, "--measure-memory", str(path)],
                                 capture_output=True, text=True, check=True).stdout.split()
            n, base, rss, peak = (int(x) for x in out)
            print(f"  {n:>7,} records, {size / 2**20:7.1f} MiB file: peak RSS {rss / 1024:6.1f} MiB "
                  f"(+{(rss - base) / 1024:5.1f} MiB while parsing), tracemalloc peak {peak / 2**20:5.2f} MiB")


if __name__ == "__main__":
    main()
