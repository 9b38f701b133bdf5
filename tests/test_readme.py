"""The README's example outputs are what tindex prints today."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_readme_examples_are_current() -> None:
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "readme_examples.py"), "--check"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr


def test_readme_starts_with_the_two_setup_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("\n", 1)[1].split("```", 1)[0].strip() for b in text.split("```sh")[1:3]]
    assert blocks[0].endswith("pip install . && tindex rank 2024")
    assert blocks[1].endswith("pip install -e '.[test]' && python -m pytest -q")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[test]'" in ci and "python -m pytest -q" in ci
