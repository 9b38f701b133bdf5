"""The README's example outputs are what tindex prints today."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
try:
    from readme_examples import BLOCK, PAGES, refused_formats, run_in_terminal
finally:
    sys.path.pop(0)

EXAMPLES = [(page, match.group("command"), match.group("output"))
            for page in PAGES for match in BLOCK.finditer(page.read_text(encoding="utf-8"))]


def test_the_pages_have_examples() -> None:
    assert len(EXAMPLES) >= 20
    assert {page.name for page, _, _ in EXAMPLES} >= {"README.md", "examples.md", "imports.md"}


@pytest.mark.e2e
@pytest.mark.parametrize(("page", "command", "shown"), EXAMPLES,
                         ids=[f"{page.name}: {command[:60]}" for page, command, _ in EXAMPLES])
def test_every_example_shows_what_tindex_prints_today(page: Path, command: str, shown: str) -> None:
    """One test per example, run as scripts/readme_examples.py runs it (bash on a terminal),
    so that the test processes share them out; refresh with that script."""
    assert run_in_terminal(command) == shown, f"stale example in {page.name}: " \
        "run python scripts/readme_examples.py"


def _words(line: str) -> list[str]:
    """A shell line's words, without leading VAR=value assignments and without --quiet."""
    words = [word for word in shlex.split(line) if word != "--quiet"]
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        words.pop(0)
    return words


def test_ci_runs_the_readmes_setup_and_test_commands() -> None:
    """The README's second block is what a contributor runs; .ci/run must run the same
    install and the same test command (it may add --quiet and environment variables)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("\n", 1)[1].split("```", 1)[0].strip() for b in text.split("```sh")[1:3]]
    assert [_words(c) for c in blocks[0].split("&&")][-2:] == [["pip", "install", "."],
                                                               ["tindex", "rank", "2024"]]
    *_, install, test = [_words(c) for c in blocks[1].split("&&")]
    assert install == ["pip", "install", "-e", ".[test]"]
    assert test == ["python", "-m", "pytest", "-q"]
    ci = [_words(line) for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if re.match(r"([A-Z_][A-Z0-9_]*=\S*\s+)*python ", line)]
    assert ["python", "-m", *install] in ci
    assert test in ci


def test_the_docs_name_only_formats_that_format_accepts(tmp_path: Path) -> None:
    assert refused_formats(PAGES) == []
    page = tmp_path / "page.md"
    page.write_text("- `--format` (`-f`) always wins: `table`, `csv`, `mediawiki`\n"
                    "Or `tindex rank -f moinmoin`.\n", encoding="utf-8")
    assert refused_formats([page]) == ["mediawiki", "moinmoin"]
