"""Every command in every format, byte for byte against tests/golden/ (a refactor's safety net).

The golden files are written by scripts/refresh_golden.py, which runs the same in-process call
(tindex.cli.run, bundled data, NO_COLOR=1, COLUMNS=100). Their figures are checked against the
published releases elsewhere (test_cli.py, test_published_data.py); here they pin everything
else: columns, order, number formatting, notes, caveats and citations in each format.
"""

from __future__ import annotations

import difflib
import sys

import pytest

from conftest import REPO, on_terminal

sys.path.insert(0, str(REPO / "scripts"))
try:
    from refresh_golden import COMMANDS, ENVIRONMENT, FORMATS, command_line, golden_path, produce
finally:
    sys.path.pop(0)

CASES = [(name, fmt) for name in COMMANDS for fmt in FORMATS]


def _mismatch(name: str, fmt: str, expected: str, got: str) -> str:
    path = golden_path(name, fmt).relative_to(REPO)
    diff = difflib.unified_diff(expected.splitlines(keepends=True), got.splitlines(keepends=True),
                                str(path), "now", n=1)
    shown = "".join(list(diff)[:40])
    return (f"`{command_line(name, fmt)}` no longer prints {path}.\n"
            "If the change is intended, run `python scripts/refresh_golden.py` and review "
            f"`git diff tests/golden` before committing.\n{shown}")


@pytest.mark.parametrize(("name", "fmt"), CASES, ids=[f"{n}.{f}" for n, f in CASES])
def test_output_matches_the_golden_file(name: str, fmt: str) -> None:
    path = golden_path(name, fmt)
    assert path.is_file(), f"{path} is missing: run python scripts/refresh_golden.py"
    code, out, err = produce(name, fmt)
    assert code == 0 and err == "", err
    expected = path.read_bytes().decode("utf-8")
    assert out == expected, _mismatch(name, fmt, expected, out)


def test_every_golden_file_belongs_to_a_case() -> None:
    wanted = {golden_path(name, fmt) for name, fmt in CASES}
    present = {p for p in golden_path("x", "y").parent.iterdir() if not p.name.startswith(".")}
    assert present - wanted == set(), "stale golden files: run python scripts/refresh_golden.py"


@pytest.mark.e2e
def test_the_terminal_table_is_what_a_real_terminal_shows() -> None:
    """The in-process table at COLUMNS=100 equals the console script's on a pseudo-terminal."""
    code, out = on_terminal("rank", "2024", env=ENVIRONMENT)
    assert code == 0
    assert out == golden_path("rank_2024", "table").read_text(encoding="utf-8")
