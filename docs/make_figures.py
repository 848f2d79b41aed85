"""Regenerate the README's example figures in docs/img/ (run from the project root).

    python docs/make_figures.py

The ketamine figures come from the committed ``extracted/`` data through the
library (the same calls as ``evsynth review``). The funnel and bubble plots
need more studies than the ketamine review has (k = 4), so they use the BCG
vaccine trials (Colditz et al., JAMA 1994;271:698-702; metafor's ``dat.bcg``),
a public teaching data set.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from evsynth.effects import escalc
from evsynth.extraction import load_extracted
from evsynth.meta import cumulative, fit
from evsynth.plots import (
    arm_columns,
    bubble_plot,
    cumulative_plot,
    forest_plot,
    funnel_plot,
    leave_one_out_plot,
    prisma_diagram,
    save_figure,
)
from evsynth.project import load_review
from evsynth.project.analyses import analysis_fit
from evsynth.report import situation_map
from evsynth.situate import situate_trial

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"

# BCG vaccine trials (metafor dat.bcg): author, year, tpos, tneg, cpos, cneg, absolute latitude.
BCG = [
    ("Aronson", 1948, 4, 119, 11, 128, 44), ("Ferguson & Simes", 1949, 6, 300, 29, 274, 55),
    ("Rosenthal et al", 1960, 3, 228, 11, 209, 42), ("Hart & Sutherland", 1977, 62, 13536, 248, 12619, 52),
    ("Frimodt-Moller et al", 1973, 33, 5036, 47, 5761, 13), ("Stein & Aronson", 1953, 180, 1361, 372, 1079, 44),
    ("Vandiviere et al", 1973, 8, 2537, 10, 619, 19), ("TPT Madras", 1980, 505, 87886, 499, 87892, 13),
    ("Coetzee & Berjak", 1968, 29, 7470, 45, 7232, 27), ("Rosenthal et al", 1961, 17, 1699, 65, 1600, 42),
    ("Comstock et al", 1974, 186, 50448, 141, 27197, 18), ("Comstock & Webster", 1969, 5, 2493, 3, 2338, 33),
    ("Comstock et al", 1976, 27, 16886, 29, 17825, 33),
]


def _save(fig, name: str) -> None:
    save_figure(fig, IMG / name, ("png",), dpi=110, close=True)


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    review = load_review(ROOT)
    extraction = load_extracted(ROOT / "extracted", review)
    es, res = analysis_fit(extraction, review.analysis("responders"))
    outcome = {o.outcome_id: o for o in extraction.outcomes}
    cols = arm_columns("Ketamine", events=[outcome[o].events for o in es.outcome_ids],
                       total=[outcome[o].total for o in es.outcome_ids])
    _save(forest_plot(res, columns=cols, title="Responders (\u226550% pain reduction) shortly after ketamine"),
          "forest")
    _save(leave_one_out_plot(res, title="Leave-one-out"), "leave_one_out")
    years = {s.label: s.year or 0 for s in extraction.studies}
    order = sorted(range(len(es.labels)), key=lambda i: years[es.labels[i]])
    _save(cumulative_plot(res, cum=cumulative(res, order=order), title="Cumulative, by year"), "cumulative")
    situation = situate_trial(extraction, review.situate.trial, res, effects=es)
    _save(situation_map(extraction, situation, es), "evidence_map")
    counts = {"identified": {}, "duplicates_removed": None, "screened": None, "excluded_screening": None,
              "sought": None, "not_retrieved": None, "assessed": None, "excluded_fulltext": None,
              "included_studies": None, "included_reports": review.updates.publications}
    _save(prisma_diagram(counts, note="No record store: only the review's own count of included reports "
                                      f"({review.updates.source}) is known."), "prisma")
    # BCG: subgroup forest, funnel and bubble plots.
    labels = [f"{a} {y}" for a, y, *_ in BCG]
    tpos, tneg, cpos, cneg, lat = (np.array([r[i] for r in BCG], dtype=float) for i in range(2, 7))
    bcg = escalc("RR", ai=tpos, bi=tneg, ci=cpos, di=cneg)
    bres = fit(bcg.yi, bcg.vi, method="REML", measure="RR", labels=labels)
    _save(funnel_plot(bres, title="BCG vaccine trials"), "funnel")
    reg = fit(bcg.yi, bcg.vi, method="REML", measure="RR", labels=labels, moderators=lat)
    _save(bubble_plot(reg, lat, xlabel="Absolute latitude (degrees)", label_points=False,
                      title="BCG vaccine trials: meta-regression on latitude"), "bubble")


if __name__ == "__main__":
    main()
