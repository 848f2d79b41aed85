"""pyproject.toml declares what evsynth/ imports, and nothing it does not."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

# distribution name → import name, where they differ
_IMPORT_NAME = {"biopython": "Bio"}


def _imported_top_level(package: Path) -> set[str]:
    names: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_declared_dependencies_are_imported_and_imports_declared(root: Path) -> None:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].strip().lower() for d in project["dependencies"]}
    imported = _imported_top_level(root / "evsynth")
    third_party = {n for n in imported if n not in sys.stdlib_module_names and n != "evsynth"}
    as_imported = {_IMPORT_NAME.get(d, d).lower() for d in declared}
    unused = sorted(d for d in declared if _IMPORT_NAME.get(d, d) not in imported)
    undeclared = sorted(n for n in third_party if n.lower() not in as_imported)
    assert not unused, f"declared in pyproject.toml but imported nowhere in evsynth/: {unused}"
    assert not undeclared, f"imported in evsynth/ but not declared in pyproject.toml: {undeclared}"
