"""Every CLI command is documented in the README and has --help text for itself and its options."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

import evsynth.cli


def _is_group(cmd: Any) -> bool:
    # typer may ship its own copy of click, so test by shape, not by class
    return isinstance(getattr(cmd, "commands", None), dict)


def _commands() -> list[tuple[str, Any]]:
    """(``"screen export"``-style path, command) for every command and group."""
    root = typer.main.get_command(evsynth.cli.app)
    out: list[tuple[str, Any]] = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        if path:
            out.append((" ".join(path), cmd))
        if _is_group(cmd):
            for name, sub in sorted(cmd.commands.items()):
                walk(sub, (*path, name))

    walk(root, ())
    return out


def _readme_code(root: Path) -> str:
    """The README's fenced code blocks, joined."""
    text = (root / "README.md").read_text(encoding="utf-8")
    return "\n".join(re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.S))


COMMANDS = _commands()


def test_command_tree_is_not_empty() -> None:
    names = {name for name, _ in COMMANDS}
    # the commands this module's own stage registers
    assert {"screen", "screen export", "screen import", "update", "status"} <= names


@pytest.mark.parametrize("name", [n for n, c in COMMANDS if not _is_group(c)])
def test_command_in_readme(name: str, root: Path) -> None:
    code = _readme_code(root)
    pattern = r"\bevsynth\s+" + r"\s+".join(map(re.escape, name.split())) + r"(?![\w-])"
    assert re.search(pattern, code), f"README.md has no code example of `evsynth {name}`"


@pytest.mark.parametrize("name", [n for n, _ in COMMANDS])
def test_command_has_help(name: str) -> None:
    cmd = dict(COMMANDS)[name]
    text = (cmd.help or cmd.short_help or "").strip()
    assert text, f"`evsynth {name}` has no --help text"


@pytest.mark.parametrize("name", [n for n, _ in COMMANDS])
def test_options_have_help(name: str) -> None:
    cmd = dict(COMMANDS)[name]
    undocumented = [
        "/".join(p.opts)
        for p in cmd.params
        if getattr(p, "param_type_name", "") == "option"
        and not (getattr(p, "help", None) or "").strip()
        and "--help" not in p.opts
    ]
    assert not undocumented, f"`evsynth {name}` options without help: {undocumented}"


@pytest.mark.parametrize("name", [n for n, c in COMMANDS if not _is_group(c)])
def test_help_runs(name: str) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(evsynth.cli.app, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
