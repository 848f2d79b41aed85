"""The worked-example notebooks: stored without outputs, executed offline in a fresh kernel.

The notebooks hold only what a user writes against the real services. To run them offline, the
harness starts a local E-utilities server (pytest-httpserver) that answers with recorded NCBI
responses from ``tests/data/entrez`` and points ``EVSYNTH_EUTILS_URL`` (and ``EVSYNTH_CTGOV_URL``)
of the kernel at it. The kernel uses its default matplotlib backend (Jupyter's inline backend), so
a cell that draws a figure must have an ``image/png`` output.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs

import nbformat
import pytest
from nbclient import NotebookClient
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

NOTEBOOKS = ("01_forest_plot.ipynb", "02_situate_trial.ipynb", "03_update_review.ipynb", "04_new_review.ipynb")
ENTREZ = Path(__file__).parent / "data" / "entrez"

#: What PubMed "finds" on each run of a search (esearch from the start of the list), in order: the
#: review's first search, then the update run weeks later (three records more, one no longer found).
SEARCH_RUNS = (["12091962", "9997", "11748933"],
               ["12091962", "11748933", "11700088", "27797938", "30108519"])

#: Functions whose figure the inline backend shows.
FIGURE_CALLS = re.compile(r"\bev\.(forest_plot|funnel_plot|bubble_plot|cumulative_plot|leave_one_out_plot|"
                          r"evidence_map|situation_map|prisma_diagram)\(")


class RecordedEutils:
    """esearch / epost / efetch answered from recorded PubMed XML (Biopython's test fixtures)."""

    def __init__(self) -> None:
        self.articles: dict[str, str] = {}
        for name in ("pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed6.xml"):
            text = (ENTREZ / name).read_text(encoding="utf-8")
            for block in re.findall(r"<PubmedArticle>.*?</PubmedArticle>", text, flags=re.S):
                pmid = re.search(r"<PMID[^>]*>(\d+)</PMID>", block)
                assert pmid is not None
                self.articles[pmid.group(1)] = block
        self.runs = 0
        self.envs: dict[str, list[str]] = {}

    @staticmethod
    def _params(request: Request) -> dict[str, str]:
        params = {k: v for k, v in request.args.items()}
        if request.method == "POST":
            params.update({k: v[-1] for k, v in parse_qs(request.get_data(as_text=True)).items()})
        return params

    @staticmethod
    def _xml(body: str, status: int = 200) -> Response:
        return Response(body, status=status, content_type="application/xml")

    def __call__(self, request: Request) -> Response:
        p = self._params(request)
        endpoint = request.path.rsplit("/", 1)[-1]
        if endpoint.startswith("esearch"):
            start, retmax = int(p.get("retstart", 0)), int(p.get("retmax", 20))
            if start == 0:
                self.runs += 1
            ids = SEARCH_RUNS[min(self.runs, len(SEARCH_RUNS)) - 1]
            env = f"MCID_LOCAL{len(self.envs)}"
            self.envs[env] = list(ids)
            page = "".join(f"<Id>{i}</Id>" for i in ids[start:start + retmax])
            history = f"<QueryKey>1</QueryKey><WebEnv>{env}</WebEnv>" if p.get("usehistory") == "y" else ""
            return self._xml(f"<?xml version='1.0'?><eSearchResult><Count>{len(ids)}</Count>"
                             f"<RetMax>{len(ids[start:start + retmax])}</RetMax><RetStart>{start}</RetStart>"
                             f"{history}<IdList>{page}</IdList><TranslationSet/><QueryTranslation>"
                             "recorded</QueryTranslation></eSearchResult>")
        if endpoint.startswith("epost"):
            env = f"MCID_POST{len(self.envs)}"
            self.envs[env] = [i for i in p.get("id", "").split(",") if i]
            return self._xml(f"<?xml version='1.0'?><ePostResult><QueryKey>1</QueryKey><WebEnv>{env}</WebEnv>"
                             "</ePostResult>")
        if endpoint.startswith("efetch"):
            if p.get("id"):
                wanted = [i.strip() for i in p["id"].split(",") if i.strip()]
            else:
                env_ids = self.envs.get(p.get("WebEnv", ""), [])
                start = int(p.get("retstart", 0))
                wanted = env_ids[start:start + int(p.get("retmax", len(env_ids)))]
            blocks = "\n".join(self.articles[i] for i in wanted if i in self.articles)
            return self._xml(f"<?xml version='1.0'?>\n<PubmedArticleSet>\n{blocks}\n</PubmedArticleSet>\n")
        return self._xml("<error>unknown endpoint</error>", status=404)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_stored_without_outputs(name: str, root: Path) -> None:
    nb = nbformat.read(root / "notebooks" / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{name} has no code cells"
    for cell in code:
        assert cell.get("outputs", []) == [], f"{name}: outputs not stripped"
        assert cell.get("execution_count") is None, f"{name}: execution counts not stripped"
    # only the public API: `import evsynth as ev`, no private modules
    source = "\n".join(c.source for c in code)
    assert "import evsynth as ev" in source
    assert "from evsynth." not in source and "import evsynth." not in source
    assert "ev._" not in source
    # what a user writes against the real services: no server, no recorded responses, no magics
    for word in ("http.server", "HTTPServer", "BaseHTTPRequestHandler", "fixtures", "EVSYNTH_SHARED", "%matplotlib",
                 "127.0.0.1", "localhost"):
        assert word not in source, f"{name}: {word!r} in a notebook"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes_and_shows_its_figures(name: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = RecordedEutils()
    with HTTPServer(host="127.0.0.1", port=0) as server:
        server.expect_request(re.compile(r"^/entrez/eutils/.*")).respond_with_handler(recorded)
        # The kernel inherits this process's environment: the services point at the local server, and
        # matplotlib's backend is the kernel's default (the inline backend), as in a user's Jupyter.
        monkeypatch.setenv("EVSYNTH_EUTILS_URL", server.url_for("/entrez/eutils"))
        monkeypatch.setenv("EVSYNTH_CTGOV_URL", server.url_for("/ctgov/api/v2"))
        monkeypatch.delenv("MPLBACKEND", raising=False)
        monkeypatch.delenv("EVSYNTH_SHARED", raising=False)
        monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        folder = root / "notebooks"
        before = set(os.listdir(folder))
        nb = nbformat.read(folder / name, as_version=4)
        client = NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=False,
                                resources={"metadata": {"path": str(folder)}})
        client.execute()  # raises CellExecutionError naming the failing cell
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
    figure_cells = [c for c in code if FIGURE_CALLS.search(c.source)]
    assert figure_cells, f"{name}: no cell draws a figure"
    for cell in figure_cells:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        texts = [o["data"].get("text/plain", "") for o in cell.outputs if "data" in o]
        assert len(images) == 1, f"{name}: cell {cell.source[:60]!r} shows {len(images)} images; outputs {texts}"
        assert not any("<Figure size" in t and "image/png" not in o.get("data", {})
                       for o, t in zip(cell.outputs, texts))
    if name == "03_update_review.ipynb":
        assert recorded.runs == 2  # the first search and the update, both answered by the local server
    # scratch files (stores, sheets, figures) go to temporary folders, not beside the notebooks
    assert set(os.listdir(folder)) - before <= {".ipynb_checkpoints"}
