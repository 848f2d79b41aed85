"""CLI polish: --help names values as users type them, a bad choice lists the choices,
integers print as integers, tables stay aligned, validate gives its verdict first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

import evsynth.cli
from evsynth.cli import main
from evsynth.meta import fit


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out = capsys.readouterr()
    return int(info.value.code), out.out, out.err


def _commands() -> list[list[str]]:
    root = typer.main.get_command(evsynth.cli.app)
    out: list[list[str]] = [[]]

    def walk(cmd, path):
        for name, sub in getattr(cmd, "commands", {}).items():
            out.append([*path, name])
            walk(sub, [*path, name])

    walk(root, [])
    return out


_PY_TYPE = re.compile(r"<(bool|str|int|float|path|Path|list\[[^\]]*\]|[A-Za-z_]+Format|_\w+)>")


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "evsynth")
def test_help_shows_no_python_types(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run([*command, "--help"], capsys)
    assert code == 0
    assert not _PY_TYPE.search(out), _PY_TYPE.search(out).group(0)


def test_help_metavars(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(["import", "--help"], capsys)
    assert re.search(r"FILES\s+PATH\.\.\.", out) and re.search(r"--store\s+PATH", out)
    assert re.search(r"--accept-missing-er\s+RIS", out)  # a flag takes no value: nothing between
    _, out, _ = _run(["export", "--help"], capsys)
    assert "ris|bibtex|csv|json" in out


def test_bad_choice_lists_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["export", "--to", "docx"], capsys)
    assert code == 2
    assert "'docx' is not a choice; choose from ris, bibtex, csv, json" in err
    assert "Value error" not in err


def test_effects_prints_counts_as_integers_in_a_table(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["effects", "--measure", "PLO", "--folder", str(root / "extracted")], capsys)
    assert code == 0
    header = next(line for line in out.splitlines() if line.split()[:2] == ["label", "outcome_id"])
    assert header.split()[-1] == "ni"
    row = next(line for line in out.splitlines() if line.lstrip().startswith("Graven-Nielsen 2000"))
    assert row.split()[-1] == "29" and "29.0000" not in out
    assert re.search(r"\s0\.3483\s", row)  # effect sizes keep 4 decimals


def test_meta_text_aligned_with_long_moderator_names() -> None:
    yi = [-0.9, -1.6, -1.4, -1.5, -0.2, -0.5, -0.02]
    vi = [0.36, 0.2, 0.4, 0.02, 0.05, 0.01, 0.07]
    res = fit(yi, vi, moderators={"absolute_latitude_of_trial_site": [44, 55, 42, 52, 13, 44, 19]})
    lines = res.summary().splitlines()
    start = next(i for i, line in enumerate(lines) if "estimate" in line and "ci.ub" in line)
    table = lines[start:start + 3]
    assert len({len(line) for line in table}) == 1, table  # header and rows the same width
    end = table[0].index("estimate") + len("estimate")
    for row in table[1:]:  # each estimate ends under the end of its header
        assert row[end - 1].isdigit() and row[end] == " ", table


def test_validate_verdict_first(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["extract", "validate", "--folder", str(root / "extracted")], capsys)
    assert code == 0
    assert out.splitlines()[0].endswith("valid: no errors")
    code, out, _ = _run(["extract", "validate", "--summary", "--folder", str(root / "extracted")], capsys)
    assert len(out.splitlines()) == 2 and "missing" in out and "derived or uncertain" in out
