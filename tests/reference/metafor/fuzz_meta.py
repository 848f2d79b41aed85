"""Randomised check of ``evsynth meta`` against R metafor's ``escalc()`` + ``rma()`` (a dev tool).

Not part of the test suite (it needs R with metafor). Run from the repository root::

    python tests/reference/metafor/fuzz_meta.py --n 2000 --seed 1 --out /tmp/fuzz_meta

It writes random CSV tables (every measure of ``evsynth meta``, k = 1 … 40, homogeneous
and heterogeneous data, zero cells and double-zero tables, proportions with xi = 0 or
xi = ni, SMD with small n, numeric / categorical / logical / two / constant / collinear
moderators, missing values (also a factor level present only in a dropped row),
non-positive variances, every estimator with and without Knapp-Hartung, levels 95 and 90)
and a manifest, runs ``fuzz_meta.R`` on them (``read.csv(na.strings = c("NA", ""))``,
``escalc``, ``rma(..., control = list(threshold = 1e-12, maxiter = 10000))`` and again with
``tol = 1e-12``), runs ``evsynth.meta.meta_from_csv`` (and, for a sample, the
``evsynth meta`` command) on the same files, compares every JSON key at 1e-6 (relative,
absolute floor 1e-6) and writes ``OUT/report.json``. The summary line counts: agreements;
disagreements; disagreements that vanish with ``tol = 1e-12`` (metafor's tolerance, not
evsynth); cases where metafor stops with an error and evsynth answers (non-convergence,
one-level factors, PM above tau2.max); cases where only evsynth stops (variances <= 0);
and cases where both stop. Known, documented remaining differences: R² when τ² and the
τ² of the model without moderators are both ~1e-13 (a ratio of rounding-level numbers).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
KEYS = ("k", "estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "h2", "q", "q_p", "stat", "p")
MOD_KEYS = ("qm", "r2")
RTOL = ATOL = 1e-6

MEASURES = ["GEN", "MD", "SMD", "RR", "OR", "RD", "PLO", "PR", "PFT"]
METHODS = ["DL", "REML", "PM", "ML", "HE", "SJ", "EB", "HS", "FE"]
METHOD_P = np.array([3, 3, 3, 3, 2, 2, 3, 1, 1], dtype=float)
KS = [1, 2, 3, 5, 10, 40]
K_P = np.array([1, 2, 2, 3, 3, 2], dtype=float)


def _fmt(x: float) -> str:
    return f"{x:.7g}"


# ------------------------------------------------------------------ case generation
def _outcomes(rng: np.random.Generator, measure: str, k: int, het: str, shift: np.ndarray) -> dict[str, list]:
    """Raw columns of one table; ``shift`` is the moderator part of each study's true effect."""
    tau = {"none": 0.0, "identical": 0.0, "moderate": 0.3, "high": 1.0}[het]
    theta = rng.normal(0, 0.5) + shift + rng.normal(0, tau, k)
    if measure == "GEN":
        lo, hi = (0.001, 1.0) if rng.random() < 0.8 else (1e-4, 10.0)
        vi = np.exp(rng.uniform(np.log(lo), np.log(hi), k))
        yi = theta + rng.normal(0, np.sqrt(vi))
        if het == "identical":
            yi = np.full(k, round(float(yi[0]), 4))
        return {"yi": [_fmt(v) for v in yi], "vi": [_fmt(v) for v in vi]}
    if measure in ("MD", "SMD"):
        small = rng.random() < 0.4
        n1 = rng.integers(1 if measure == "SMD" and rng.random() < 0.1 else 2, 7 if small else 200, k)
        n2 = rng.integers(1 if measure == "SMD" and rng.random() < 0.1 else 2, 7 if small else 200, k)
        sd1 = np.exp(rng.normal(np.log(10), 0.4, k))
        sd2 = np.exp(rng.normal(np.log(10), 0.4, k))
        m2 = rng.normal(50, 5, k)
        m1 = m2 + 10 * theta + rng.normal(0, 1, k) * np.sqrt(sd1**2 / n1 + sd2**2 / n2)
        if het == "identical":
            m1 = m2 + 5.0
            sd1 = sd2 = np.full(k, 10.0)
            n1 = n2 = np.full(k, 20)
        return {"m1i": [_fmt(v) for v in m1], "sd1i": [_fmt(v) for v in sd1], "n1i": [str(v) for v in n1],
                "m2i": [_fmt(v) for v in m2], "sd2i": [_fmt(v) for v in sd2], "n2i": [str(v) for v in n2]}
    if measure in ("RR", "OR", "RD"):
        rare = rng.random() < 0.4
        n1 = rng.integers(3, 40, k) if rng.random() < 0.5 else rng.integers(20, 500, k)
        n2 = rng.integers(3, 40, k) if rng.random() < 0.5 else rng.integers(20, 500, k)
        base = rng.uniform(0.005, 0.08) if rare else rng.uniform(0.1, 0.6)
        lo = np.log(base / (1 - base))
        p2 = 1 / (1 + np.exp(-(lo + rng.normal(0, 0.3, k))))
        p1 = 1 / (1 + np.exp(-(lo + rng.normal(0, 0.3, k) + theta)))
        ai = rng.binomial(n1, p1)
        ci = rng.binomial(n2, p2)
        # special tables: double zero, all events, one arm empty of events
        for i in range(k):
            u = rng.random()
            if u < 0.06:
                ai[i] = ci[i] = 0
            elif u < 0.09:
                ai[i], ci[i] = n1[i], n2[i]
            elif u < 0.12:
                ai[i] = 0
        if het == "identical":
            ai, ci, n1, n2 = np.full(k, 5), np.full(k, 10), np.full(k, 50), np.full(k, 50)
        return {"ai": [str(v) for v in ai], "bi": [str(v) for v in n1 - ai], "ci": [str(v) for v in ci],
                "di": [str(v) for v in n2 - ci]}
    # proportions
    ni = rng.integers(1, 15, k) if rng.random() < 0.4 else rng.integers(10, 300, k)
    base = rng.uniform(0.02, 0.98)
    p = 1 / (1 + np.exp(-(np.log(base / (1 - base)) + theta)))
    xi = rng.binomial(ni, p)
    for i in range(k):
        u = rng.random()
        if u < 0.08:
            xi[i] = 0
        elif u < 0.16:
            xi[i] = ni[i]
    if het == "identical":
        xi, ni = np.full(k, 7), np.full(k, 20)
    return {"xi": [str(v) for v in xi], "ni": [str(v) for v in ni]}


LEVEL_SETS = [["A", "B"], ["A", "B", "C"], ["low", "mid", "high"], ["rand", "syst", "alt", "Other"]]


def _moderators(rng: np.random.Generator, k: int, kind: str) -> tuple[dict[str, list], list[str], np.ndarray]:
    """Moderator columns (as text), the names to pass, and their effect on the true values."""
    cols: dict[str, list] = {}
    shift = np.zeros(k)

    def numeric(name: str, integer: bool = False) -> np.ndarray:
        if integer:
            x = rng.integers(1960, 2020, k).astype(float)
        else:
            x = np.round(rng.normal(0, 2, k) + rng.normal(0, 3), 3)
        cols[name] = [str(int(v)) if integer else _fmt(v) for v in x]
        return x

    def categorical(name: str) -> np.ndarray:
        levels = LEVEL_SETS[rng.integers(len(LEVEL_SETS))]
        idx = rng.integers(0, len(levels), k)
        cols[name] = [levels[i] for i in idx]
        return idx.astype(float)

    if kind == "none":
        return cols, [], shift
    if kind == "numeric":
        x = numeric("x1", integer=rng.random() < 0.3)
        shift = 0.3 * (x - x.mean()) / (x.std() + 1)
        return cols, ["x1"], shift
    if kind == "categorical":
        g = categorical("grp")
        return cols, ["grp"], 0.4 * g
    if kind == "two":
        x = numeric("x1")
        if rng.random() < 0.5:
            g = categorical("grp")
            return cols, ["x1", "grp"], 0.2 * x + 0.3 * g
        z = numeric("x2", integer=rng.random() < 0.5)
        return cols, ["x1", "x2"], 0.2 * x + 0.01 * (z - z.mean())
    if kind == "constant":
        cols["c1"] = ["3"] * k if rng.random() < 0.5 else ["same"] * k
        if rng.random() < 0.5:
            numeric("x1")
            return cols, ["x1", "c1"], shift
        return cols, ["c1"], shift
    if kind == "collinear":
        x = numeric("x1")
        cols["x2"] = [_fmt(2 * v + 1) for v in x]
        return cols, ["x1", "x2"], 0.2 * x
    if kind == "logical":
        cols["flag"] = [str(v) for v in rng.choice(["TRUE", "FALSE"] if rng.random() < 0.7 else ["T", "F"], k)]
        return cols, ["flag"], 0.5 * np.array([v in ("TRUE", "T") for v in cols["flag"]], dtype=float)
    if kind == "level_dropped":  # the first level (R's order) only in a row whose outcome is missing
        g = categorical("grp")
        levels = sorted(set(cols["grp"]), key=lambda t: (t.lower(), t))
        cols["grp"] = [levels[-1] if v == "AAfirst" else v for v in cols["grp"]]
        cols["grp"][0] = "AAfirst"
        return cols, ["grp"], 0.3 * g
    if kind == "missing_mod":
        x = numeric("x1")
        cat = rng.random() < 0.4
        if cat:
            categorical("x1")
        miss = rng.choice(k, size=max(1, k // 8), replace=False)
        for i in miss:
            cols["x1"][i] = "NA" if rng.random() < 0.5 else ""
        return cols, ["x1"], shift
    raise ValueError(kind)


MOD_KINDS = ["none", "numeric", "categorical", "two", "constant", "collinear", "missing_mod", "logical",
             "level_dropped"]
MOD_P = np.array([8, 4, 3, 3, 1, 1, 1, 1, 1], dtype=float)


def make_cases(n: int, seed: int, out: Path) -> list[dict]:
    rng = np.random.default_rng(seed)
    cases = []
    (out / "cases").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        measure = MEASURES[rng.integers(len(MEASURES))]
        k = int(rng.choice(KS, p=K_P / K_P.sum()))
        het = str(rng.choice(["none", "moderate", "high", "identical"], p=[0.3, 0.3, 0.3, 0.1]))
        mk = str(rng.choice(MOD_KINDS, p=MOD_P / MOD_P.sum())) if k >= 3 else "none"
        mcols, mods, shift = _moderators(rng, k, mk)
        cols = _outcomes(rng, measure, k, het, shift)
        special = "none"
        u = rng.random()
        if mk == "level_dropped":  # row 1 holds the only "AAfirst": make its outcome missing
            special = "missing_outcome"
            cols[list(cols)[0]][0] = "NA"
        elif u < 0.05 and k >= 3:  # a missing outcome value
            special = "missing_outcome"
            c = list(cols)[rng.integers(len(cols))]
            cols[c][rng.integers(k)] = "NA" if rng.random() < 0.5 else ""
        elif u < 0.08 and measure == "GEN":
            special = "nonpositive_vi"
            cols["vi"][rng.integers(k)] = "0" if rng.random() < 0.5 else "-0.01"
        method = str(rng.choice(METHODS, p=METHOD_P / METHOD_P.sum()))
        knha = bool(rng.random() < 0.5)
        level = 90.0 if rng.random() < 0.25 else 95.0
        table = {"study": [f"S{j + 1}" for j in range(k)], **cols, **mcols}
        name = f"case{i:05d}.csv"
        with open(out / "cases" / name, "w", encoding="utf-8") as fh:
            fh.write(",".join(table) + "\n")
            for j in range(k):
                fh.write(",".join(str(table[c][j]) for c in table) + "\n")
        cases.append({"id": i, "file": f"cases/{name}", "measure": measure, "method": method, "knha": knha,
                      "level": level, "mods": mods, "k_rows": k, "het": het, "mod_kind": mk, "special": special})
    (out / "manifest.json").write_text(json.dumps(cases, indent=1), encoding="utf-8")
    return cases


# ------------------------------------------------------------------ running
def run_r(out: Path) -> None:
    t0 = time.time()
    subprocess.run(["Rscript", str(HERE / "fuzz_meta.R"), str(out)], check=True)
    print(f"R: {time.time() - t0:.1f} s", file=sys.stderr)


def run_evsynth(out: Path, cases: list[dict], cli_sample: int, seed: int) -> dict[int, dict]:
    from evsynth.errors import InputError
    from evsynth.meta import meta_from_csv

    res: dict[int, dict] = {}
    t0 = time.time()
    for cs in cases:
        try:
            r = meta_from_csv(out / cs["file"], measure=cs["measure"], method=cs["method"], knha=cs["knha"],
                              moderators=cs["mods"], level=cs["level"])
            res[cs["id"]] = {"ok": True, "out": r.to_dict()}
        except InputError as exc:
            res[cs["id"]] = {"ok": False, "error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - a crash is a finding
            res[cs["id"]] = {"ok": False, "crash": f"{type(exc).__name__}: {exc}"}
    print(f"evsynth: {time.time() - t0:.1f} s", file=sys.stderr)
    # the command itself on a sample: same JSON as the library call
    rng = np.random.default_rng(seed + 1)
    mism = []
    for cs in rng.choice(cases, size=min(cli_sample, len(cases)), replace=False):
        args = [sys.executable, "-m", "evsynth", "meta", str(out / cs["file"]), "--measure", cs["measure"],
                "--method", cs["method"], "--level", str(cs["level"]), "--format", "json"]
        if cs["knha"]:
            args.append("--knha")
        for m in cs["mods"]:
            args += ["--moderator", m]
        p = subprocess.run(args, capture_output=True, text=True)
        lib = res[cs["id"]]
        if p.returncode == 0:
            if not lib["ok"] or json.loads(p.stdout) != json.loads(json.dumps(lib["out"])):
                mism.append(cs["id"])
        elif lib["ok"] or p.returncode != 3:
            mism.append(cs["id"])
    print(f"CLI sample of {min(cli_sample, len(cases))}: {len(mism)} differ from the library call {mism}",
          file=sys.stderr)
    return res


# ------------------------------------------------------------------ comparing
def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.isclose(float(a), float(b), rtol=RTOL, atol=ATOL))


def compare(cs: dict, ev: dict, rr: dict) -> list[str]:
    """Keys on which evsynth's JSON and metafor disagree."""
    out = ev["out"]
    bad = []
    for key in KEYS:
        if not _close(out.get(key), rr.get(key)):
            bad.append(f"{key}: evsynth {out.get(key)!r} metafor {rr.get(key)!r}")
    if rr.get("p_params", 1) > 1 or "coefficients" in out:
        names = [c["name"] for c in out.get("coefficients", [{"name": "intrcpt"}])]
        if names != rr["names"]:
            bad.append(f"coefficient names: evsynth {names} metafor {rr['names']}")
        else:
            for j, c in enumerate(out.get("coefficients", [])):
                for key, rkey in (("estimate", "b"), ("se", "se_b")):
                    if not _close(c[key], rr[rkey][j]):
                        bad.append(f"{c['name']} {key}: evsynth {c[key]!r} metafor {rr[rkey][j]!r}")
            for key in MOD_KEYS:
                if not _close(out.get(key), rr.get(key)):
                    bad.append(f"{key}: evsynth {out.get(key)!r} metafor {rr.get(key)!r}")
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("/tmp/fuzz_meta"))
    ap.add_argument("--cli-sample", type=int, default=50)
    ap.add_argument("--skip-r", action="store_true", help="reuse r_results.json")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    cases = make_cases(a.n, a.seed, a.out)
    if not a.skip_r:
        run_r(a.out)
    rres = {r["id"]: r for r in json.loads((a.out / "r_results.json").read_text())}
    ev = run_evsynth(a.out, cases, a.cli_sample, a.seed)
    report = {"disagree": [], "metafor_failed": [], "evsynth_error_only": [], "both_error": [], "tol_sensitive": [],
              "agree": 0}
    for cs in cases:
        r = rres[cs["id"]]
        e = ev[cs["id"]]
        base = {"id": cs["id"], "file": cs["file"], "measure": cs["measure"], "method": cs["method"],
                "knha": cs["knha"], "level": cs["level"], "mods": cs["mods"], "special": cs["special"],
                "mod_kind": cs["mod_kind"], "r_warnings": r.get("warnings", [])}
        rf = r["control"]
        if "error" in rf:
            if e["ok"]:
                report["metafor_failed"].append({**base, "metafor": rf["error"], "evsynth_tau2": e["out"]["tau2"],
                                                 "evsynth_warnings": e["out"]["warnings"]})
            else:
                report["both_error"].append({**base, "metafor": rf["error"],
                                             "evsynth": e.get("error") or e.get("crash")})
            continue
        if not e["ok"]:
            report["evsynth_error_only"].append({**base, "evsynth": e.get("error") or e.get("crash")})
            continue
        bad = compare(cs, e, rf)
        if bad:
            tight = r.get("tight", {})
            bad_t = compare(cs, e, tight) if "error" not in tight and tight else ["(tight fit failed)"]
            entry = {**base, "diffs": bad, "diffs_with_tol_1e-12": bad_t, "evsynth_warnings": e["out"]["warnings"]}
            (report["tol_sensitive"] if not bad_t else report["disagree"]).append(entry)
        else:
            report["agree"] += 1
    (a.out / "report.json").write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    mix = {}
    for key in ("measure", "method", "k_rows", "mod_kind", "special", "level", "knha", "het"):
        vals, counts = np.unique([str(c[key]) for c in cases], return_counts=True)
        mix[key] = dict(zip(vals.tolist(), counts.tolist()))
    print(json.dumps(mix))
    print(f"{len(cases)} cases: {report['agree']} agree, {len(report['disagree'])} disagree, "
          f"{len(report['tol_sensitive'])} differ only with metafor's default tol, "
          f"{len(report['metafor_failed'])} metafor failed (evsynth answered), "
          f"{len(report['evsynth_error_only'])} evsynth error only, {len(report['both_error'])} both error")


if __name__ == "__main__":
    main()
