#!/usr/bin/env python
"""Run bib-dedupe on one CSV of records and print its clusters as JSON.

Usage (with a Python that has ``bib-dedupe`` installed, e.g. a separate venv)::

    python benchmarks/bib_dedupe_run.py RECORDS.csv

``RECORDS.csv`` is in bib-dedupe's benchmark format (column ``ID`` and
bib-dedupe's field names), read with pandas as bib-dedupe's own evaluation
reads ``records_pre_merged.csv``. Prints one JSON object: ``version``,
``seconds`` (prep, block, match and cluster; reading the CSV excluded) and
``clusters`` (every predicted duplicate set of two or more ids).

``benchmarks/dedupe_bench.py`` calls this script in a subprocess so that
bib-dedupe and its dependencies never have to be installed beside evsynth.
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version


def main(path: str) -> None:
    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    frame = pd.read_csv(path)
    start = time.perf_counter()
    prepped = prep(frame, verbosity_level=0)
    blocked = block(prepped, verbosity_level=0)
    matched = match(blocked, verbosity_level=0)
    id_sets = cluster(matched, verbosity_level=0)
    seconds = time.perf_counter() - start
    json.dump({"version": version("bib-dedupe"), "seconds": seconds,
               "clusters": [sorted(s) for s in id_sets]}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
