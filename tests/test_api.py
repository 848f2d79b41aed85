"""The public API: what ``evsynth.__all__`` promises exists, is public, and is listed once."""

from __future__ import annotations

import subprocess
import sys

import evsynth


def test_every_public_name_resolves() -> None:
    missing = [name for name in evsynth.__all__ if not hasattr(evsynth, name)]
    assert missing == []


def test_public_names_are_unique_and_not_private() -> None:
    assert len(evsynth.__all__) == len(set(evsynth.__all__))
    assert [n for n in evsynth.__all__ if n.startswith("_") and n != "__version__"] == []


def test_the_pipeline_is_reachable_from_the_top() -> None:
    for name in ("run_search", "import_files", "find_duplicates", "import_decisions", "load_extracted",
                 "escalc", "fit", "forest_plot", "situate_trial", "run_review"):
        assert name in evsynth.__all__


def test_import_writes_nothing(tmp_path) -> None:
    # no I/O at import time: importing in an empty folder leaves it empty
    subprocess.run([sys.executable, "-c", "import evsynth, evsynth.cli"], cwd=tmp_path, check=True)
    assert list(tmp_path.iterdir()) == []


def test_import_is_light_and_names_load_on_use() -> None:
    code = ("import sys, evsynth, evsynth.cli; heavy = [m for m in ('pandas', 'scipy', 'matplotlib', 'lxml') "
            "if m in sys.modules]; print(heavy); from evsynth import fit; print('matplotlib' in sys.modules "
            "or 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True"


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from evsynth import *", namespace)
    assert set(evsynth.__all__) <= set(namespace)


def test_subpackages_are_reachable_as_attributes() -> None:
    code = "import evsynth as ev; print(ev.meta.fit.__name__, ev.dedupe.find_duplicates.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["fit", "find_duplicates"]


def test_type_checking_imports_match_the_lazy_table() -> None:
    # type checkers read the TYPE_CHECKING block, the runtime reads _LAZY: they must name the same things
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(evsynth))
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    imported = {(f".{node.module}", alias.name) for node in ast.walk(block) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert imported == {(module, name) for name, module in evsynth._LAZY.items()}
