"""`evsynth review` replaces out/ whole: interrupted half-way, out/ is the complete old one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest

import evsynth.plots
from evsynth.cli import main
from evsynth.output import TMP_MARK
from evsynth.report import run_review


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    """A review stopped half-way leaves its figures open; close them after each test."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first_out(tmp_path_factory: pytest.TempPathFactory, root: Path) -> Path:
    """A folder holding a complete review, plus a file another command wrote there."""
    out = tmp_path_factory.mktemp("review") / "out"
    run_review(out, root / "extracted", queries=root / "queries", formats=("png", "svg"))
    (out / "prisma.svg").write_text("<svg>from evsynth prisma</svg>", encoding="utf-8")
    return out


def _copy(src: Path, dest: Path) -> Path:
    for path in src.rglob("*"):
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    return dest


def test_figures_fail_half_way(first_out: Path, tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _copy(first_out, tmp_path / "out")
    before = _snapshot(out)
    real_save = evsynth.plots.save_figure
    calls: list[Any] = []

    def save_then_fail(fig: Any, stem: Any, *args: Any, **kwargs: Any) -> list[Path]:
        calls.append(stem)
        if len(calls) == 3:  # two figures written for real, then the third one fails
            raise RuntimeError("drawing failed")
        return real_save(fig, stem, *args, **kwargs)

    monkeypatch.setattr(evsynth.plots, "save_figure", save_then_fail)
    with pytest.raises(RuntimeError, match="drawing failed"):
        run_review(out, root / "extracted", queries=root / "queries", formats=("png", "svg"))
    assert len(calls) == 3
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(f"*{TMP_MARK}*"))


def test_ctrl_c_while_writing_the_report(first_out: Path, tmp_path: Path, root: Path,
                                         monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    out = _copy(first_out, tmp_path / "out")
    before = _snapshot(out)

    def interrupted(self: Any, *args: Any, **kwargs: Any) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(jinja2.Template, "render", interrupted)  # figures and results.json are written by then
    with pytest.raises(SystemExit) as info:
        main(["review", "--out", str(out), "--folder", str(root / "extracted"), "--queries", str(root / "queries"),
              "--store", str(tmp_path / "none.sqlite")])
    assert info.value.code == 130
    assert "Traceback" not in capsys.readouterr().err
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(f"*{TMP_MARK}*"))


def test_a_finished_review_replaces_out_and_keeps_other_files(first_out: Path, tmp_path: Path, root: Path) -> None:
    out = _copy(first_out, tmp_path / "out")
    (out / "report.html").write_text("stale", encoding="utf-8")
    (out / "figures" / "forest.png").unlink()
    run = run_review(out, root / "extracted", queries=root / "queries", formats=("png", "svg"))
    after = _snapshot(out)
    assert after["report.html"] != b"stale" and after["report.html"].startswith(b"<!")
    assert (out / "figures" / "forest.png").is_file()
    assert after["prisma.svg"] == b"<svg>from evsynth prisma</svg>"  # another command's file is kept
    assert run.report == out / "report.html" and run.results == out / "results.json"
    assert all(p.is_file() and out in p.parents for paths in run.figures.values() for p in paths)
    assert not list(tmp_path.glob(f"*{TMP_MARK}*"))
