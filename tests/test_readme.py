"""The README's code blocks work as written, in a copy of the repository, offline.

Convention: every ```python and ```bash block in README.md is preceded by a marker line,

    <!-- readme-test: run -->                  the test runs it
    <!-- readme-test: skip (why) -->           it is not run, for the reason given

so no block is left untested by accident. A ``run`` block runs in a temporary copy of
the repository's data (``review.toml``, ``extracted/``, ``queries/``, ``examples/``, ``tests/``) with that copy
as working directory: Python blocks with this interpreter, shell blocks line by line
with ``bash -e`` (a plain ``evsynth ...`` line through :func:`evsynth.cli.main` in this
process, which is the same program without the start-up time), each command exiting 0.
The network is not used: the service URLs point at a closed local port.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evsynth.cli import main

ROOT = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"^(?P<marker><!-- readme-test: (?P<what>run|skip \([^)]+\)) -->\n)?```(?P<lang>python|bash)\n"
                    r"(?P<code>.*?)^```", re.M | re.S)
_COPIED = ("review.toml", "extracted", "queries", "examples", "tests/reference", "tests/data", "README.md")


def _blocks() -> list[tuple[int, str, str | None, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start("lang")) + 1, m.group("lang"), m.group("what"), m.group("code"))
            for m in _BLOCK.finditer(text)]


BLOCKS = _blocks()
RUN = [b for b in BLOCKS if b[2] == "run"]


def test_every_code_block_is_marked_run_or_skip() -> None:
    assert len(BLOCKS) >= 10
    unmarked = [line for line, _, what, _ in BLOCKS if what is None]
    assert not unmarked, (f"README.md code blocks at lines {unmarked} have no '<!-- readme-test: run -->' or"
                          " '<!-- readme-test: skip (why) -->' line before them")
    assert len(RUN) >= 6


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("clone")
    for name in _COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, work / name)
    return work


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env.update({
        "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
        "EVSYNTH_EUTILS_URL": "http://127.0.0.1:9/eutils",  # closed port: refused at once, never the network
        "EVSYNTH_CTGOV_URL": "http://127.0.0.1:9/ctgov",
        "EVSYNTH_MAX_TRIES": "1",
        "EVSYNTH_TIMEOUT": "5",
        "EVSYNTH_STORE": str(work / "evsynth.sqlite"),
        "MPLBACKEND": "Agg",
        "HOME": str(work),
    })
    return env


def _commands(code: str) -> list[str]:
    """Shell lines, comments stripped, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", code)
    return [line for line in (re.sub(r"(^|\s)#.*$", "", x).strip() for x in joined.splitlines()) if line]


@pytest.mark.slow
@pytest.mark.parametrize("line,lang,what,code", RUN, ids=[f"README.md:{b[0]}-{b[1]}" for b in RUN])
def test_runnable_block_runs(workdir: Path, line: int, lang: str, what: str, code: str,
                             monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env = _env(workdir)
    if lang == "python":
        done = subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"README.md line {line}: python block failed\n{done.stderr[-3000:]}"
        return
    for command in _commands(code):
        if re.fullmatch(r"evsynth [^|&;<>$`]*", command):  # plain evsynth command: in this process (faster)
            for key, value in env.items():
                monkeypatch.setenv(key, value)
            monkeypatch.chdir(workdir)
            with pytest.raises(SystemExit) as info:
                main(shlex.split(command)[1:])
            capsys.readouterr()
            assert info.value.code == 0, f"README.md line {line}: `{command}` exited {info.value.code}"
            continue
        done = subprocess.run(["bash", "-e", "-c", command], cwd=workdir, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, (f"README.md line {line}: `{command}` exited {done.returncode}\n"
                                      f"{done.stderr[-3000:]}")
