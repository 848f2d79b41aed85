"""Time and peak memory of importing, re-importing and exporting a large RIS file.

Run from the repository root::

    python benchmarks/import_export.py [N_RECORDS]     # default 50,000

Generates an RIS file of N synthetic records at run time (titles, 3–8 authors, journal, year,
volume, pages, DOI, keywords, an abstract of about 1,200 characters — the shape of an Embase
export) in a temporary folder, then runs each step in a fresh Python process and prints its
wall time and peak resident memory (``resource.getrusage(...).ru_maxrss``):

* ``import``    — ``evsynth import`` into a new store;
* ``re-import`` — the same file again (recognised by its SHA-256 before parsing: nothing new);
* ``export``    — ``evsynth export --to ris`` of every stored record to a file (streamed).

The baseline of a Python process that imports evsynth's CLI is printed first, for reference.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_WORDS = ("randomised controlled trial pain infusion placebo outcome analysis patients chronic receptor "
          "antagonist dose response efficacy safety cohort follow-up baseline score reduction adverse events "
          "treatment intravenous group difference confidence interval primary secondary").split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def make_ris(path: Path, n: int, seed: int = 1) -> None:
    """Write ``n`` synthetic RIS records to ``path``."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for i in range(n):
            lines = ["TY  - JOUR", f"ID  - {i + 1}", f"TI  - {_sentence(rng, rng.randint(8, 18))}"]
            lines += [f"AU  - {rng.choice('ABCDEFGHKLMNPRSTW')}{''.join(rng.choices('aeioulnrst', k=6))}, "
                      f"{rng.choice('ABCDEFGHJKLMNPRST')}." for _ in range(rng.randint(3, 8))]
            lines += [f"T2  - Journal of {rng.choice(_WORDS).capitalize()} {rng.choice(_WORDS).capitalize()}",
                      f"PY  - {rng.randint(1970, 2025)}", f"VL  - {rng.randint(1, 120)}",
                      f"SP  - {rng.randint(1, 900)}", f"EP  - {rng.randint(901, 999)}",
                      f"DO  - 10.{rng.randint(1000, 9999)}/bench.{i}"]
            lines += [f"KW  - {rng.choice(_WORDS)}" for _ in range(rng.randint(2, 6))]
            lines.append("AB  - " + " ".join(_sentence(rng, rng.randint(12, 25)) for _ in range(8)))
            lines.append("ER  - ")
            fh.write("\n".join(lines) + "\n\n")


_CHILD = r"""
import resource, sys, time
sys.argv = ["evsynth", *sys.argv[1:]]
from evsynth.cli import main
start = time.perf_counter()
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"RESULT {code} {wall:.2f} {peak:.0f}", file=sys.stderr)
"""


def run(args: list[str]) -> tuple[int, float, float, str]:
    """Run ``evsynth ARGS`` in a fresh process: (exit code, seconds, peak MiB, last message)."""
    proc = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    lines = proc.stderr.strip().splitlines()
    result = next(line for line in reversed(lines) if line.startswith("RESULT "))
    code, wall, peak = result.split()[1:]
    other = [line for line in lines if not line.startswith("RESULT ")] + proc.stdout.strip().splitlines()
    return int(code), float(wall), float(peak), (other[-1] if other else "")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        ris, store, out = tmp / "big.ris", tmp / "bench.sqlite", tmp / "out.ris"
        start = time.perf_counter()
        make_ris(ris, n)
        size = ris.stat().st_size / 2**20
        print(f"generated {n:,} RIS records ({size:.1f} MiB) in {time.perf_counter() - start:.1f} s")
        code, wall, peak, _ = run(["--version"])
        print(f"{'baseline':10s} exit {code}  {wall:6.2f} s  peak {peak:6.0f} MiB  (python + evsynth CLI)")
        for label, args in (("import", ["import", str(ris), "--store", str(store)]),
                            ("re-import", ["import", str(ris), "--store", str(store)]),
                            ("export", ["export", "--store", str(store), "--to", "ris", "-o", str(out)])):
            code, wall, peak, message = run(args)
            print(f"{label:10s} exit {code}  {wall:6.2f} s  peak {peak:6.0f} MiB  {message}")
        if out.exists():
            print(f"exported {out.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
