"""Figures are pyplot figures (Jupyter's inline backend shows them); scripts and the CLI close what they save."""

from __future__ import annotations

import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt

from evsynth.meta import fit
from evsynth.plots import forest_plot, funnel_plot, prisma_diagram, save_figure

from ._bcg import LABELS, VI, YI


def test_new_figures_are_registered_with_pyplot_and_save_figure_can_close_them(tmp_path):
    res = fit(YI, VI, measure="RR", labels=list(LABELS))
    figs = [forest_plot(res), funnel_plot(res), prisma_diagram({"identified": {"PubMed": 3}})]
    try:
        for fig in figs:
            assert plt.fignum_exists(fig.number)  # what the inline backend displays at the end of a cell
        save_figure(figs[0], tmp_path / "forest", ("png",), close=True)
        assert not plt.fignum_exists(figs[0].number)
        assert plt.fignum_exists(figs[1].number)  # kept open unless asked
    finally:
        for fig in figs:
            plt.close(fig)


def test_the_review_closes_every_figure_it_saves(root, tmp_path):
    from evsynth.report import run_review

    before = set(plt.get_fignums())
    run = run_review(tmp_path / "out", root / "extracted", queries=root / "queries", store=None, formats=("png",))
    assert run.figures
    assert set(plt.get_fignums()) == before


def test_cli_draws_with_agg_whatever_backend_the_environment_names(root, tmp_path):
    # Another backend named in the environment (on a desktop, a GUI one) is not used by the CLI. A GUI
    # backend would fall back to Agg on this headless machine, so a non-GUI one stands in for it.
    env = {**os.environ, "MPLBACKEND": "svg"}
    code = ("import atexit, sys; from evsynth.cli import main; "
            "atexit.register(lambda: print('backend:', sys.modules['matplotlib'].get_backend())); "
            f"main(['situate', 'NCT06916403', '--out', {str(tmp_path)!r}, '--offline'])")
    r = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "evidence_map.png").stat().st_size > 1000
    assert r.stdout.strip().splitlines()[-1].lower() == "backend: agg"
