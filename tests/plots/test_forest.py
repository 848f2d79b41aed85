"""Forest plot content: rows, texts, squares, diamond, prediction interval, subgroups."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.patches import Polygon, Rectangle

from evsynth.errors import InputError
from evsynth.plots import arm_columns, forest_plot, save_figure

from ._bcg import CNEG, CPOS, LABELS, TNEG, TPOS, WEIGHTS, YI, RmaFit


def _by_gid(fig, gid):
    found = [a for a in fig.findobj(lambda a: a.get_gid() == gid)]
    assert found, f"no artist with gid {gid!r}"
    return found[0]


def _texts(fig, prefix):
    return {t.get_gid(): t.get_text() for t in fig.findobj(lambda a: str(a.get_gid()).startswith(prefix))}


@pytest.fixture(scope="module")
def fig():
    res = RmaFit()
    cols = {**arm_columns("Vaccinated", events=TPOS, total=np.add(TPOS, TNEG)),
            **arm_columns("Control", events=CPOS, total=np.add(CPOS, CNEG))}
    return forest_plot(res, columns=cols, favours=("Favours vaccine", "Favours control"), title="BCG")


def test_one_row_per_study_with_label_and_columns(fig):
    labels = _texts(fig, "label:")
    for i, lab in enumerate(LABELS):
        assert labels[f"label:{i}"] == lab
        assert _by_gid(fig, f"cell:{i}:0").get_text() == str(TPOS[i])
        assert _by_gid(fig, f"cell:{i}:1").get_text() == str(TPOS[i] + TNEG[i])
        assert _by_gid(fig, f"cell:{i}:2").get_text() == str(CPOS[i])
    assert _by_gid(fig, "header-group:Vaccinated").get_text() == "Vaccinated"


def test_effect_text_is_back_transformed_and_weights_printed(fig):
    # Aronson 1948: RR = exp(-0.889) = 0.41 [0.13, 1.26] as in metafor's forest()
    assert _by_gid(fig, "right:0:0").get_text() == "0.41 [0.13, 1.26]"
    for i, w in enumerate(WEIGHTS):
        assert _by_gid(fig, f"right:{i}:1").get_text() == f"{w:.1f}%"
    assert _by_gid(fig, "right:overall:0").get_text() == "0.49 [0.34, 0.70]"
    assert _by_gid(fig, "right:overall:1").get_text() == "100%"


def test_squares_sized_by_weight_at_estimates(fig):
    sizes = []
    for i in range(len(YI)):
        sq = _by_gid(fig, f"square:{i}")
        x, _ = sq.get_offsets()[0]
        assert x == pytest.approx(YI[i])
        sizes.append(sq.get_sizes()[0])
    order = np.argsort(WEIGHTS)
    assert np.all(np.diff(np.asarray(sizes)[order]) >= -1e-9)  # monotone in weight
    assert np.asarray(sizes)[order][-1] / np.asarray(sizes)[order][0] == pytest.approx(WEIGHTS.max() / WEIGHTS.min())


def test_diamond_vertices_are_estimate_and_ci(fig):
    res = RmaFit()
    d = _by_gid(fig, "diamond:overall")
    assert isinstance(d, Polygon)
    xs = d.get_xy()[:4, 0]  # closed polygon repeats the first vertex
    assert min(xs) == pytest.approx(res.ci_low)
    assert max(xs) == pytest.approx(res.ci_high)
    assert sorted(xs)[1] == pytest.approx(res.estimate)


def test_prediction_interval_and_notes(fig):
    res = RmaFit()
    pi = _by_gid(fig, "pi:overall")
    assert isinstance(pi, Rectangle)
    assert pi.get_x() == pytest.approx(res.pi_low)
    assert pi.get_x() + pi.get_width() == pytest.approx(res.pi_high)
    het = _by_gid(fig, "note:het:overall").get_text()
    assert "\u03c4\u00b2 = 0.313" in het and "I\u00b2 = 92%" in het and "Q = 152.23, df = 12" in het
    assert "p < 0.001" in het
    test = _by_gid(fig, "note:test:overall").get_text()
    assert re.search(r"z = \u22123\.97 \(p < 0\.001\)", test)


def test_log_axis_ticks_are_ratios_and_null_line(fig):
    ax = fig.evsynth_axes["plot"]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    ticks = ax.get_xticks()
    assert "1" in labels
    assert ticks[labels.index("1")] == pytest.approx(0.0)
    assert _by_gid(fig, "refline").get_xdata()[0] == 0.0
    assert _by_gid(fig, "favours:left").get_text() == "Favours vaccine"


def test_clipped_whiskers_get_arrows():
    res = RmaFit()
    fig = forest_plot(res, xlim=(-0.9, 0.2))
    # Comstock & Webster 1969 (index 11): RR 1.56 [0.37, 6.53] -> log CI beyond both limits
    assert _by_gid(fig, "arrow:11:left") is not None
    assert _by_gid(fig, "arrow:11:right") is not None
    ci = _by_gid(fig, "ci:11").get_xdata()
    assert min(ci) == pytest.approx(-0.9) and max(ci) == pytest.approx(0.2)


def test_height_grows_with_k_and_long_labels_wrap():
    res = RmaFit()
    small = forest_plot(res)
    import dataclasses

    long = dataclasses.replace(res, labels=tuple(l + " and a very long additional description" for l in LABELS))
    wrapped = forest_plot(long, wrap=25)
    assert "\n" in _by_gid(wrapped, "label:0").get_text()
    assert wrapped.get_figheight() > small.get_figheight()
    few = dataclasses.replace(res, k=5, yi=res.yi[:5], vi=res.vi[:5], weights=res.weights[:5], labels=LABELS[:5])
    assert forest_plot(few).get_figheight() < small.get_figheight()


def test_column_length_mismatch_is_input_error():
    with pytest.raises(InputError):
        forest_plot(RmaFit(), columns={"n": [1, 2]})


def test_given_axes_is_used_and_figure_saved(tmp_path):
    from matplotlib.figure import Figure

    host = Figure(figsize=(8, 5))
    ax = host.add_axes([0.45, 0.2, 0.3, 0.7])
    fig = forest_plot(RmaFit(), ax=ax)
    assert fig is host
    paths = save_figure(fig, tmp_path / "sub" / "forest")
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_proportion_measure_backtransforms_logit():
    # Single-arm proportions on the logit scale: text and ticks show proportions.
    import dataclasses

    yi = np.log(np.array([8 / 3, 17 / 12, 18 / 16]))  # logit of 8/11, 17/29, 18/34
    res = dataclasses.replace(RmaFit(), k=3, measure="PLO", yi=yi, vi=np.array([0.5, 0.14, 0.12]),
                              weights=np.array([20.0, 38.0, 42.0]), labels=("a", "b", "c"),
                              estimate=float(yi.mean()), ci_low=float(yi.mean() - 0.5),
                              ci_high=float(yi.mean() + 0.5))
    fig = forest_plot(res)
    text = _by_gid(fig, "right:0:0").get_text()
    assert text.startswith("0.73 [")  # 8/11
    ax = fig.evsynth_axes["plot"]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "0.5" in labels
    assert ax.get_xticks()[labels.index("0.5")] == pytest.approx(0.0)
    assert not fig.findobj(lambda a: a.get_gid() == "refline")  # no null line for one-group proportions
    assert not fig.findobj(lambda a: a.get_gid() == "note:test:overall")  # nor a test against it


# Subgroups by allocation (metafor 3.8-1: rma(yi, vi, subset = alloc == g), REML; the test for
# subgroup differences is the fixed-effect Q across the three subgroup estimates, as R meta does).
_GROUPS = {
    "random": ([0, 1, 2, 3, 6, 7, 8], dict(k=7, estimate=-0.9709644758, se=0.2759557015, ci_low=-1.5118277120,
                                           ci_high=-0.4301012395, pi_low=-2.3127571627, pi_high=0.3708282112,
                                           tau2=0.3925265491, i2=89.9342820817, q=110.2132611752, q_df=6,
                                           q_p=1e-20, stat=-3.5185519649, p=0.0004339088)),
    "alternate": ([4, 5], dict(k=2, estimate=-0.5407929618, se=0.2816016131, ci_low=-1.0927219815,
                               ci_high=0.0111360578, pi_low=-1.4429652747, pi_high=0.3613793510, tau2=0.1325770399,
                               i2=82.0225155667, q=5.5625135080, q_df=1, q_p=0.0183490514, stat=-1.9204185512,
                               p=0.0548050521)),
    "systematic": ([9, 10, 11, 12], dict(k=4, estimate=-0.4242073430, se=0.3597453874, ci_low=-1.1292953458,
                                         ci_high=0.2808806599, pi_low=-1.8507636527, pi_high=1.0023489668,
                                         tau2=0.4003462968, i2=86.4221318019, q=16.5918635795, q_df=3,
                                         q_p=0.0008573296, stat=-1.1791877196, p=0.2383234350)),
}


def test_subgroup_blocks_with_own_diamonds_and_test_for_differences():
    from dataclasses import dataclass, replace

    overall = RmaFit()
    groups = {}
    for name, (idx, vals) in _GROUPS.items():
        groups[name] = replace(overall, yi=YI[idx], vi=overall.vi[idx], weights=WEIGHTS[idx],
                               labels=tuple(LABELS[i] for i in idx), **vals)

    @dataclass(frozen=True)
    class Sub:
        groups: dict
        overall: object
        q_between: float = 1.861446
        df_between: int = 2
        p_between: float = 0.3942685

    fig = forest_plot(Sub(groups, overall))
    for name, (idx, vals) in _GROUPS.items():
        assert _by_gid(fig, f"label:group:{name}").get_text() == name
        xs = _by_gid(fig, f"diamond:{name}").get_xy()[:4, 0]
        assert min(xs) == pytest.approx(vals["ci_low"]) and max(xs) == pytest.approx(vals["ci_high"])
        # studies of the group sit between its header and its diamond
        ys = [_by_gid(fig, f"square:{i}").get_offsets()[0][1] for i in idx]
        header_y = _by_gid(fig, f"label:group:{name}").get_position()[1]
        diamond_y = _by_gid(fig, f"diamond:{name}").get_xy()[0, 1]
        assert all(diamond_y < y < header_y for y in ys)
    assert "I\u00b2 = 90%" in _by_gid(fig, "note:het:random").get_text()
    assert _by_gid(fig, "note:subgroups").get_text() == (
        "Test for subgroup differences: Q = 1.86, df = 2 (p = 0.39)")
    xs = _by_gid(fig, "diamond:overall").get_xy()[:4, 0]
    assert min(xs) == pytest.approx(overall.ci_low)


def test_arm_columns_for_continuous_outcomes():
    cols = arm_columns("Ketamine", mean=[5.0, None], sd=[1.0, 2.5], total=[12, 10])
    assert list(cols) == ["Ketamine\nMean", "Ketamine\nSD", "Ketamine\nTotal"]
    assert cols["Ketamine\nMean"] == ["5.0", ""] and cols["Ketamine\nSD"] == ["1.0", "2.5"]
    assert cols["Ketamine\nTotal"] == ["12", "10"]


def test_heterogeneity_note_carries_q_profile_cis_and_pi_caveat():
    import json
    from pathlib import Path

    from evsynth.meta import fit
    from evsynth.plots import forest_plot

    ref = json.loads((Path(__file__).parents[1] / "reference" / "metafor" / "heterogeneity_ci.json").read_text())
    bcg = next(c for c in ref["cases"] if c["name"] == "bcg" and c["method"] == "REML")
    fig = forest_plot(fit(bcg["yi"], bcg["vi"], measure="RR"))
    het = _by_gid(fig, "note:het:overall").get_text()
    lo, hi = bcg["i2_ci"]
    assert f"I\u00b2 = 92% [{lo:.0f}%, {hi:.0f}%]" in het
    assert f"[{bcg['tau2_ci'][0]:.3f}, {bcg['tau2_ci'][1]:.3f}]" in het
    assert not fig.findobj(lambda a: str(a.get_gid()).startswith("note:picaveat"))
    four = next(c for c in ref["cases"] if c["name"] == "four_proportions" and c["method"] == "REML")
    fig = forest_plot(fit(four["yi"], four["vi"], measure="PLO"))
    cav = _by_gid(fig, "note:picaveat:overall").get_text()
    assert "estimated at 0" in cav and "k = 4" in cav
