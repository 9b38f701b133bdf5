"""Shared helpers: run the CLI in-process the way the console script does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tindex.cli import run

# Property tests: a quick run by default, a thorough one in CI (HYPOTHESIS_PROFILE=thorough).
settings.register_profile("quick", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


@pytest.fixture(autouse=True)
def user_data_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty XDG_DATA_HOME: no test reads or writes the real home's
    imports (subprocesses inherit it through os.environ)."""
    home = tmp_path_factory.mktemp("xdg-data")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def tindex(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
           ) -> Callable[..., Result]:
    """Call tindex.cli.run (the console script's error handling included), capture output."""
    monkeypatch.delenv("TINDEX_DATA_DIR", raising=False)

    def call(*args: str) -> Result:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


def console_script(*args: str, env: dict[str, str] | None = None,
                   cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a subprocess (stdout is a pipe, not a terminal)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TINDEX_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tindex", *args],
        capture_output=True, text=True, env=environment, cwd=cwd, timeout=120, check=False,
    )


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled CSV files that a test may break."""
    target = tmp_path / "data"
    target.mkdir()
    for source in DATA.glob("*.csv"):
        shutil.copyfile(source, target / source.name)
    return target


def on_terminal(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run `python -m tindex ARGS` with stdout on a pseudo-terminal; return (exit code, output)."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from readme_examples import run_on_pty
    finally:
        sys.path.pop(0)
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TINDEX_DATA_DIR")}
    environment.update({"TERM": "xterm-256color", "COLUMNS": "120"})
    environment.update(env or {})
    return run_on_pty([sys.executable, "-m", "tindex", *args], environment, stderr_too=False)
