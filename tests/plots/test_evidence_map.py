"""Evidence map content (positions, sizes, hollow markers, trial region, guideline lines)."""

from __future__ import annotations

import pytest

from evsynth.plots import evidence_map
from evsynth.plots.evidence_map import MapPoint, Reference, TrialRegion

# Regimens of two prior studies as the review's Table 1 gives them (evidence notes):
# Graven-Nielsen 2000 0.3 mg/kg over 30 min, n = 29, 17 responders; Noppers 2011
# S-ketamine 0.5 mg/kg over 30 min, n = 12, 8 responders at 15 min. Sörensen 1997:
# 0.3 mg/kg over 10 min, no responder count.
POINTS = [
    MapPoint("Graven-Nielsen 2000", 0.3, 30, 29, "racemic", 17 / 29),
    MapPoint("Noppers 2011", 0.5, 30, 12, "S", 8 / 12),
    MapPoint("Sörensen 1997", 0.3, 10, 18, "racemic", None),
]


def _gid(fig, gid):
    found = fig.findobj(lambda a: a.get_gid() == gid)
    assert found, gid
    return found[0]


@pytest.fixture(scope="module")
def fig():
    # the guideline floor of the shipped review.toml: >= 2 h, >= 80 mg total = 80/70 mg/kg at 70 kg
    refs = [Reference("y", 120, "guideline \u2265 2 h"), Reference("x", 80 / 70, "\u2265 80 mg total at 70 kg")]
    return evidence_map(POINTS, trial=TrialRegion("NCT06916403", 1.5, 2.0, 180, 240), references=refs,
                        groups={"racemic": "Racemic", "S": "S"}, xlabel="Dose", xunit="mg/kg", ylabel="Infusion",
                        yunit="min", xlim=(0.05, 4.0), ylim=(4.0, 800.0), not_shown=["Hanna 2016"])


def test_studies_at_dose_and_minutes_with_size_colour_shape(fig):
    gn = _gid(fig, "study:Graven-Nielsen 2000")
    assert tuple(gn.get_offsets()[0]) == pytest.approx((0.3, 30))
    no = _gid(fig, "study:Noppers 2011")
    assert gn.get_sizes()[0] > no.get_sizes()[0]  # n 29 > 12
    assert gn.get_paths()[0].vertices.shape != no.get_paths()[0].vertices.shape  # circle vs triangle
    hollow = _gid(fig, "study:Sörensen 1997")
    assert hollow.get_facecolors()[0][3] == 0.0  # no responder data -> hollow
    assert gn.get_facecolors()[0][3] == 1.0
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


def test_trial_region_and_guideline(fig):
    r = _gid(fig, "trial-region")
    assert (r.get_x(), r.get_y()) == pytest.approx((1.5, 180))
    assert (r.get_x() + r.get_width(), r.get_y() + r.get_height()) == pytest.approx((2.0, 240))
    assert _gid(fig, "reference-y").get_ydata()[0] == 120
    assert _gid(fig, "reference-x").get_xdata()[0] == pytest.approx(80 / 70)
    assert "70 kg" in _gid(fig, "reference-x-label").get_text()
    assert "mg/kg" in fig.axes[0].get_xlabel() and "min" in fig.axes[0].get_ylabel()
    assert "Hanna 2016" in _gid(fig, "not-shown").get_text()


def test_labels_do_not_overlap(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    labels = [t for t in fig.axes[0].texts if str(t.get_gid()).startswith("label:")]
    assert {t.get_text() for t in labels} == {p.label for p in POINTS}
    boxes = [t.get_window_extent(renderer) for t in labels]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j])


def test_same_position_shares_one_label():
    pts = [MapPoint("A 1995", 0.3, 10, 11, "racemic", 0.7), MapPoint("A 1997", 0.3, 10, 18, "racemic", None)]
    fig = evidence_map(pts)
    labels = [t.get_text() for t in fig.axes[0].texts if str(t.get_gid()).startswith("label:")]
    assert labels == ["A 1995; A 1997"]
