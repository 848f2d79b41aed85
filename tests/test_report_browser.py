"""The report as readers meet it: out/report.html rendered by a real headless Chromium.

Checks, at desktop (1280 px) and phone (375 px) widths: every image loads, no console
error, no horizontal overflow of the page, no network request; every table has a caption,
a header row and scoped header cells; every figure has a descriptive alt text; where each
value came from is in the page (expandable, opened from the keyboard), never only in a
hover tooltip; the single-file report shows its figures with nothing beside it.

Screenshots are written to ``out/screenshots/`` (or ``$EVSYNTH_SCREENSHOTS``) for a person
to look at. Chromium comes from the system (Debian's ``chromium`` package, installed by
``.ci/run``) and is driven by Playwright's Python package; the tests skip, saying why,
where either is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from evsynth.report import run_review
from evsynth.report_embed import make_single_file

CHROMIUM = os.environ.get("EVSYNTH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = {"desktop": 1280, "phone": 375}

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed"
                               " (pip install -e '.[test]')")
if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set EVSYNTH_CHROMIUM)",
                allow_module_level=True)


def _refuse(*args, **kwargs):
    raise AssertionError("network access during the review")


@pytest.fixture(scope="module")
def report(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    # the project in a folder with a long name: paths the report prints must not widen the page
    project = tmp_path_factory.mktemp("a-review-project-folder-with-a-long-name-as-users-make-them") / "review"
    project.mkdir()
    for name in ("review.toml", "queries", "extracted"):
        (shutil.copytree if (root / name).is_dir() else shutil.copy)(root / name, project / name)
    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", _refuse)
    try:
        return run_review(out, project / "extracted", queries=project / "queries", store=None).report
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def shots(root: Path) -> Path:
    folder = Path(os.environ.get("EVSYNTH_SCREENSHOTS", root / "out" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class _Page:
    """A page opened at a width, recording console errors and every request that is not local."""

    def __init__(self, browser, url: str, width: int) -> None:
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def _route(self, route) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()

    def js(self, script: str):
        return self.page.evaluate(script)


_IMAGES = "Array.from(document.images).map(i => ({src: i.getAttribute('src').slice(0, 80), ok: i.complete && i.naturalWidth > 0, alt: i.alt}))"
_OVERFLOW = "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"


@pytest.mark.parametrize("name", list(WIDTHS))
def test_renders_without_broken_images_errors_or_overflow(browser, report: Path, shots: Path, name: str) -> None:
    view = _Page(browser, report.as_uri(), WIDTHS[name])
    images = view.js(_IMAGES)
    assert len(images) >= 3
    assert [i["src"] for i in images if not i["ok"]] == [], "broken images"
    assert view.errors == [], "console errors"
    assert view.remote == [], "the report fetched something from the network"
    page_width, body_width, viewport = view.js(_OVERFLOW)
    assert page_width <= viewport and body_width <= viewport, f"horizontal overflow at {viewport} px"
    path = shots / f"report-{name}.png"
    view.page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    view.page.close()


def test_tables_have_caption_header_and_scope(browser, report: Path) -> None:
    view = _Page(browser, report.as_uri(), WIDTHS["desktop"])
    tables = view.js("""Array.from(document.querySelectorAll('table')).map(t => ({
        caption: t.caption ? t.caption.textContent.trim() : '',
        thead: !!t.tHead && t.tHead.querySelectorAll('th').length > 0,
        unscoped: Array.from(t.querySelectorAll('th')).filter(th => !['col', 'row'].includes(th.getAttribute('scope'))).length,
        region: !!t.closest('[role=region][tabindex="0"]')}))""")
    assert len(tables) >= 3
    for t in tables:
        assert t["caption"], tables
        assert t["thead"] and t["unscoped"] == 0, t
        assert t["region"], f"table {t['caption']!r} is not in a keyboard-scrollable region"
    view.page.close()


def test_figures_have_descriptive_alt_text(browser, report: Path) -> None:
    view = _Page(browser, report.as_uri(), WIDTHS["desktop"])
    for image in view.js(_IMAGES):
        words = image["alt"].split()
        assert len(words) >= 6, f"alt text of {image['src']!r} does not describe the figure: {image['alt']!r}"
    view.page.close()


def test_sources_reachable_without_hovering(browser, report: Path, shots: Path) -> None:
    view = _Page(browser, report.as_uri(), WIDTHS["phone"])
    # nothing is said only in a tooltip
    tooltip_only = view.js("""Array.from(document.querySelectorAll('[title]'))
        .filter(e => !document.body.textContent.includes(e.getAttribute('title')))
        .map(e => e.getAttribute('title'))""")
    assert tooltip_only == []
    details = view.page.locator("table details").first
    summary = details.locator("summary")
    summary.focus()
    view.page.keyboard.press("Enter")  # keyboard and touch both reach it
    assert details.evaluate("d => d.open")
    text = details.inner_text()
    assert "PMID:" in text and "Table" in text  # a source and where in it the value is
    view.page.screenshot(path=str(shots / "report-phone-sources-open.png"))
    view.page.close()


def test_single_file_report_stands_alone(browser, report: Path, tmp_path: Path, shots: Path) -> None:
    copy = tmp_path / "src"
    shutil.copytree(report.parent, copy)
    single = make_single_file(copy / "report.html", tmp_path / "mailed.html")
    alone = tmp_path / "inbox"
    alone.mkdir()
    moved = alone / "report.html"
    shutil.move(single, moved)  # nothing beside it
    view = _Page(browser, moved.as_uri(), WIDTHS["desktop"])
    images = view.js(_IMAGES)
    assert images and all(i["ok"] and i["src"].startswith("data:image/png;base64,") for i in images), images
    links = view.js("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    assert not [h for h in links if not h.startswith(("data:", "https:", "http:", "#", "mailto:"))], "links to files"
    assert view.errors == [] and view.remote == []
    view.page.screenshot(path=str(shots / "report-single-file.png"))
    view.page.close()
