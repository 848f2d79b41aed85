"""`evsynth.cli.main`: how errors, usage mistakes and interrupts become exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer

from evsynth.cli import app, main
from evsynth.errors import ExitCode


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code)


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture) -> None:
    assert _run(["--no-such-option"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "No such option: --no-such-option" in err
    assert "Traceback" not in err


def test_missing_argument_is_a_usage_error(capsys: pytest.CaptureFixture) -> None:
    assert _run(["meta"]) == ExitCode.USAGE
    assert "Missing argument" in capsys.readouterr().err


def test_bad_choice_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    f = tmp_path / "d.csv"
    f.write_text("yi,vi\n0.1,0.01\n0.2,0.02\n")
    assert _run(["meta", str(f), "--measure", "NOPE"]) == ExitCode.USAGE
    assert "NOPE" in capsys.readouterr().err


def test_help_and_version_exit_zero(capsys: pytest.CaptureFixture) -> None:
    assert _run(["--help"]) == 0
    assert "review" in capsys.readouterr().out
    assert _run(["--version"]) == 0
    assert capsys.readouterr().out.startswith("evsynth ")


def test_library_error_gives_its_exit_code_and_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "missing.csv"
    assert _run(["meta", str(missing), "--measure", "GEN"]) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert str(missing) in err
    assert "Traceback" not in err


def test_typer_exit_code_is_honoured() -> None:
    @app.command("_exit-probe", hidden=True)
    def _probe() -> None:
        raise typer.Exit(code=7)

    try:
        assert _run(["_exit-probe"]) == 7
    finally:
        app.registered_commands = [c for c in app.registered_commands if c.name != "_exit-probe"]


def test_interrupt_exits_130_with_a_resume_note(capsys: pytest.CaptureFixture) -> None:
    @app.command("_interrupt-probe", hidden=True)
    def _probe() -> None:
        raise KeyboardInterrupt

    try:
        assert _run(["_interrupt-probe"]) == 130
    finally:
        app.registered_commands = [c for c in app.registered_commands if c.name != "_interrupt-probe"]
    assert "Run the command again to resume" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "evsynth", "--no-such-option"], capture_output=True, text=True)
    assert done.returncode == ExitCode.USAGE
    assert "No such option" in done.stderr


def test_error_text_with_brackets_is_printed_verbatim(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "[bold]x[/bold].csv"
    assert _run(["meta", str(missing), "--measure", "GEN"]) == ExitCode.INPUT
    assert "[bold]x[/bold].csv" in capsys.readouterr().err


def test_bad_import_creates_no_store_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "cut.ris"
    bad.write_text("TY  - JOUR\nTI  - A title\n")
    db = tmp_path / "new.sqlite"
    assert _run(["import", str(bad), "--store", str(db)]) == ExitCode.INPUT
    assert "cut.ris, line 1, field 'ER'" in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.parametrize("argv", [
    ["export", "--to", "csv"], ["status"], ["dedupe"], ["screen", "export"], ["prisma"],
])
def test_reading_commands_do_not_invent_an_empty_store(argv: list[str], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "typo.sqlite"
    assert _run([*argv, "--store", str(db)]) == ExitCode.NOT_FOUND
    assert "typo.sqlite" in capsys.readouterr().err
    assert not db.exists()
