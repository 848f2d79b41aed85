"""Randomised check of evsynth.effects.escalc and transf_* against metafor 3.8-1 at 1e-10 (a dev tool).

Not part of the test suite (it needs R with metafor). From the repository root::

    python tests/reference/escalc/fuzz_escalc.py OUT_DIR [N_CASES] [SEED]

Draws N_CASES (default 400) random inputs: 2×2 tables with zero cells, double zeros and all
events (``bi``/``di`` or ``n1i``/``n2i``; ``add``, ``to``, ``drop00``, RD ``vtype``), MD / SMD /
ROM with n from 1 and SD 0 (all ``vtype``), MC / SMCC / SMCR (LS, LS2), PR / PLO / PAS / PFT with
xi = 0 and xi = ni (``add``, ``to``, PR ``vtype``), GEN, and the ``transf.*`` functions; runs
metafor's ``escalc`` in R and evsynth on each and prints every disagreement of yi or vi.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from evsynth.effects import (escalc, transf_arcsin, transf_iarcsin, transf_ilogit, transf_ipft, transf_ipft_hm,
                             transf_logit, transf_pft)

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/fz_escalc")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 400
rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 5)
OUT.mkdir(parents=True, exist_ok=True)


def counts(n):
    return [int(v) for v in n]


cases = []
for i in range(N):
    k = int(rng.integers(1, 12))
    fam = rng.choice(["bin", "cont", "pair", "prop", "gen", "transf"], p=[.3, .2, .15, .2, .05, .1])
    args: dict = {}
    if fam == "bin":
        m = str(rng.choice(["RR", "OR", "RD"]))
        n1, n2 = rng.integers(0, 60, k), rng.integers(0, 60, k)
        ai = rng.binomial(n1, rng.uniform(0, 1, k)); ci = rng.binomial(n2, rng.uniform(0, 1, k))
        for j in range(k):
            u = rng.random()
            if u < 0.15:
                ai[j] = 0
            elif u < 0.25:
                ai[j] = ci[j] = 0
            elif u < 0.3:
                ai[j], ci[j] = n1[j], n2[j]
        if rng.random() < 0.3:
            inputs = {"ai": counts(ai), "n1i": counts(n1), "ci": counts(ci), "n2i": counts(n2)}
        else:
            inputs = {"ai": counts(ai), "bi": counts(n1 - ai), "ci": counts(ci), "di": counts(n2 - ci)}
        if rng.random() < 0.4:
            args["to"] = str(rng.choice(["only0", "all", "if0all", "none"]))
        if rng.random() < 0.3:
            args["add"] = float(rng.choice([0, 0.25, 1]))
        if rng.random() < 0.2:
            args["drop00"] = True
        if m == "RD" and rng.random() < 0.4:
            args["vtype"] = "UB"
    elif fam == "cont":
        m = str(rng.choice(["MD", "SMD", "ROM"]))
        n1, n2 = rng.integers(1, 40, k), rng.integers(1, 40, k)
        m1, m2 = np.round(rng.uniform(0.5, 80, k), 3), np.round(rng.uniform(0.5, 80, k), 3)  # ROM: > 0
        s1, s2 = np.round(rng.uniform(0, 20, k), 3), np.round(rng.uniform(0.1, 20, k), 3)
        inputs = {"m1i": m1.tolist(), "m2i": m2.tolist(), "sd1i": s1.tolist(), "sd2i": s2.tolist(),
                  "n1i": counts(n1), "n2i": counts(n2)}
        vt = {"MD": ["LS", "HO", "UB"], "SMD": ["LS", "UB", "LS2"], "ROM": ["LS", "HO"]}[m]
        if rng.random() < 0.5:
            args["vtype"] = str(rng.choice(vt))
    elif fam == "pair":
        m = str(rng.choice(["MC", "SMCC", "SMCR"]))
        ni = rng.integers(1, 40, k)
        inputs = {"m1i": np.round(rng.uniform(0, 80, k), 3).tolist(),
                  "m2i": np.round(rng.uniform(0, 80, k), 3).tolist(),
                  "sd1i": np.round(rng.uniform(0.1, 20, k), 3).tolist(),
                  "sd2i": np.round(rng.uniform(0.1, 20, k), 3).tolist(), "ni": counts(ni),
                  "ri": np.round(rng.uniform(-0.9, 0.95, k), 3).tolist()}
        if m != "MC" and rng.random() < 0.4:
            args["vtype"] = "LS2"
    elif fam == "prop":
        m = str(rng.choice(["PR", "PLO", "PAS", "PFT"]))
        ni = rng.integers(1, 80, k)
        xi = rng.binomial(ni, rng.uniform(0, 1, k))
        for j in range(k):
            u = rng.random()
            if u < 0.15:
                xi[j] = 0
            elif u < 0.3:
                xi[j] = ni[j]
        inputs = {"xi": counts(xi), "ni": counts(ni)}
        if rng.random() < 0.3:
            args["to"] = str(rng.choice(["only0", "all", "if0all", "none"]))
        if rng.random() < 0.3:
            args["add"] = float(rng.choice([0, 0.5, 0.25]))
        if m == "PR" and rng.random() < 0.3:
            args["vtype"] = "UB"
    elif fam == "gen":
        m = "GEN"
        inputs = {"yi": np.round(rng.normal(0, 1, k), 4).tolist()}
        if rng.random() < 0.5:
            inputs["vi"] = np.round(rng.uniform(0.001, 1, k), 5).tolist()
        else:
            inputs["sei"] = np.round(rng.uniform(0.01, 1, k), 5).tolist()
    else:
        m = str(rng.choice(["ilogit", "iarcsin", "pft", "ipft", "ipft.hm", "logit", "arcsin"]))
        ni = rng.integers(1, 80, k)
        if m in ("ilogit",):
            inputs = {"x": np.round(rng.normal(0, 3, k), 4).tolist()}
        elif m in ("iarcsin", "ipft", "ipft.hm"):
            inputs = {"x": np.round(rng.uniform(-0.1, 1.7, k), 4).tolist(), "ni": counts(ni)}
        else:
            inputs = {"x": np.round(rng.uniform(0, 1, k), 4).tolist(), "ni": counts(ni)}
    cases.append({"id": i, "measure": m, "family": str(fam), "inputs": inputs, "args": args})
(OUT / "cases.json").write_text(json.dumps(cases))

R = r'''
suppressMessages(library(metafor)); library(jsonlite)
cs <- fromJSON(file.path(commandArgs(TRUE)[1], "cases.json"), simplifyVector = FALSE)
res <- lapply(cs, function(c) {
  inp <- lapply(c$inputs, unlist)
  out <- tryCatch({
    if (c$family == "transf") {
      x <- inp$x; ni <- inp$ni
      y <- switch(c$measure, ilogit = transf.ilogit(x), iarcsin = transf.iarcsin(x), pft = transf.pft(x, ni),
                  ipft = transf.ipft(x, ni), ipft.hm = transf.ipft.hm(x, targs = list(ni = ni)),
                  logit = transf.logit(x), arcsin = transf.arcsin(x))
      list(yi = as.numeric(y), vi = rep(NA_real_, length(y)))
    } else {
      e <- suppressWarnings(do.call(escalc, c(list(measure = c$measure), inp, c$args)))
      list(yi = as.numeric(e$yi), vi = as.numeric(e$vi))
    }
  }, error = function(e) list(error = conditionMessage(e)))
  c(list(id = c$id), out)
})
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, na = "string"), file.path(commandArgs(TRUE)[1], "r.json"))
'''
(OUT / "run.R").write_text(R)
subprocess.run(["Rscript", str(OUT / "run.R"), str(OUT)], check=True)
rr = {r["id"]: r for r in json.loads((OUT / "r.json").read_text())}


def num(v):
    conv = {"NA": np.nan, "NaN": np.nan, "Inf": np.inf, "-Inf": -np.inf}
    v = v if isinstance(v, list) else [v]
    return np.array([conv[x] if isinstance(x, str) else x for x in v], dtype=float)


bad, errs = [], []
fns = {"ilogit": lambda x, ni: transf_ilogit(x), "iarcsin": lambda x, ni: transf_iarcsin(x),
       "pft": transf_pft, "ipft": transf_ipft, "ipft.hm": transf_ipft_hm,
       "logit": lambda x, ni: transf_logit(x), "arcsin": lambda x, ni: transf_arcsin(x)}
for c in cases:
    r = rr[c["id"]]
    inp = {k: np.asarray(v, dtype=float) for k, v in c["inputs"].items()}
    try:
        if c["family"] == "transf":
            y = fns[c["measure"]](inp["x"], inp.get("ni"))
            v = np.full(len(y), np.nan)
        else:
            es = escalc(c["measure"], **inp, **c["args"])
            y, v = es.yi, es.vi
    except Exception as exc:  # noqa: BLE001
        errs.append((c["id"], c["measure"], c["args"], f"evsynth: {exc}", r.get("error")))
        continue
    if "error" in r:
        errs.append((c["id"], c["measure"], c["args"], "evsynth ok", r["error"]))
        continue
    for name, a, b in (("yi", y, num(r["yi"])), ("vi", v, num(r["vi"]))):
        ok = np.isclose(a, b, rtol=1e-10, atol=1e-10, equal_nan=True) | ((a == b) & np.isinf(a))
        if not ok.all():
            bad.append((c["id"], c["measure"], c["args"], name, a[~ok].tolist(), b[~ok].tolist(),
                        {k: np.asarray(vv)[~ok].tolist() for k, vv in c["inputs"].items()}))
print(f"{len(cases)} cases, {sum(len(c['inputs'][next(iter(c['inputs']))]) for c in cases)} rows: "
      f"{len(bad)} disagree, {len(errs)} error on one or both sides")
for b in bad[:30]:
    print("DIFF", b)
for e in errs[:30]:
    print("ERR", e)
