"""The test harness itself: the guard that keeps `-m "not e2e"` free of processes."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable

import pytest


@pytest.mark.parametrize("start", [
    lambda: subprocess.run([sys.executable, "-c", "1"], check=False),
    lambda: subprocess.run(f"{sys.executable} -c 1 | head -1", shell=True, check=False),
    lambda: subprocess.run(["env", "tindex", "--version"], check=False),
    lambda: subprocess.run("tindex", capture_output=True, check=False),
    lambda: os.system("true"),
    pty.fork,
], ids=["python", "shell", "env", "tindex", "os.system", "pty.fork"])
def test_an_unmarked_test_cannot_start_a_program(start: Callable[[], object]) -> None:
    with pytest.raises(AssertionError, match=re.escape("mark it @pytest.mark.e2e")):
        start()


def test_an_unmarked_test_may_use_other_tools_and_popen_itself() -> None:
    done = subprocess.run(["true"], check=False)
    assert done.returncode == 0

    class Logged(subprocess.Popen[bytes]):
        pass

    assert issubclass(Logged, subprocess.Popen)


@pytest.mark.e2e
def test_an_e2e_test_may_start_tindex() -> None:
    done = subprocess.run([sys.executable, "-m", "tindex", "--version"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("tindex "), done.stderr
