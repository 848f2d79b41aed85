"""The worked-example notebooks run offline, cell by cell, and are stored without outputs."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = ("01_forest_plot.ipynb", "02_situate_trial.ipynb", "03_update_review.ipynb", "04_new_review.ipynb")


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


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes(name: str, root: Path, shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the kernel inherits this process's environment
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("EVSYNTH_SHARED", str(shared))
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    folder = root / "notebooks"
    before = set(os.listdir(folder))
    nb = nbformat.read(folder / name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(root / "notebooks")}},
    )
    client.execute()  # raises CellExecutionError naming the failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
    # scratch files (stores, sheets, figures) go to temporary folders, not beside the notebooks
    assert set(os.listdir(folder)) - before <= {".ipynb_checkpoints"}
