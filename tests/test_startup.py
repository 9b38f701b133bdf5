"""Start-up stays cheap: each run imports only what it uses (issue 4).

Every case runs the console-script entry point in a fresh interpreter and reads back the
modules that were loaded when it exited. Nothing here is timed: the timings live in
benchmarks/ (python benchmarks/run.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer

from tindex.cli import app

# Runs tindex.cli.main() as the console script does, then writes sys.modules to a file.
CHILD = """
import atexit, json, os, sys

def report():
    with open(os.environ["TINDEX_TEST_MODULES"], "w") as handle:
        json.dump(sorted(sys.modules), handle)

atexit.register(report)
sys.argv = ["tindex", *sys.argv[1:]]
from tindex.cli import main
main()
"""
HEAVY = ("pandas", "numpy")
COMMANDS = sorted(typer.main.get_group(app).commands)  # every subcommand
pytestmark = pytest.mark.e2e  # every case starts a fresh interpreter


@dataclass
class Run:
    code: int
    out: str
    err: str
    modules: set[str]

    def loaded(self, package: str) -> bool:
        return any(m == package or m.startswith(package + ".") for m in self.modules)


def tindex(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    report = tmp_path / "modules.json"
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TINDEX_", "_TINDEX_", "COMP_"))}
    environment.update(env or {})
    environment["TINDEX_TEST_MODULES"] = str(report)
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          env=environment, timeout=120, check=False)
    return Run(done.returncode, done.stdout, done.stderr, set(json.loads(report.read_text())))


def complete(tmp_path: Path, words: str) -> Run:
    """Ask for bash completion of the last word of `words`, as the shell script does.

    The answer is one `plain,VALUE` line per candidate (tindex.completion); out holds the values.
    """
    run = tindex(tmp_path, env={"_TINDEX_COMPLETE": "complete_bash", "COMP_WORDS": words,
                                "COMP_CWORD": str(len(words.split()) - 1)})
    run.out = "".join(line.removeprefix("plain,") for line in run.out.splitlines(keepends=True))
    return run


def test_the_help_cases_cover_every_command() -> None:
    """A command renamed or added is noticed here, so the help check below covers it."""
    assert COMMANDS == ["agree", "caveats", "chart", "compare", "countries", "delta", "explain",
                        "import", "rank", "revisions", "sources", "validate"]


@pytest.mark.parametrize("args", [["--help"], ["-h"], *[[command, "--help"] for command in COMMANDS]],
                         ids=" ".join)
def test_help_imports_neither_pandas_nor_numpy(tmp_path: Path, args: list[str]) -> None:
    run = tindex(tmp_path, *args)
    assert run.code == 0 and run.err == "", run.err
    usage = " ".join(["tindex", *args[:-1]])
    assert run.out.startswith(f"Usage: {usage} [OPTIONS]"), run.out
    for package in HEAVY:
        assert not run.loaded(package), f"{' '.join(args)} imported {package}"


def test_version_imports_neither_pandas_nor_numpy(tmp_path: Path) -> None:
    run = tindex(tmp_path, "--version")
    assert run.code == 0 and run.err == "", run.err
    assert run.out.startswith("tindex ") and "; bundled data: csp " in run.out
    assert not run.loaded("pandas") and not run.loaded("numpy")


def test_no_arguments_shows_the_help_with_exit_2_without_pandas(tmp_path: Path) -> None:
    run = tindex(tmp_path)
    assert run.code == 2 and run.out == ""  # click's usage exit code; the help goes to stderr
    assert run.err.startswith("Usage: tindex [OPTIONS] COMMAND [ARGS]..."), run.err
    assert not run.loaded("pandas") and not run.loaded("numpy")


@pytest.mark.parametrize("words, expected", [
    ("tindex delta Kaz", "Kazakhstan"),
    ("tindex compare Armenia Mol", "Moldova"),
    ("tindex explain Kyr", "Kyrgyzstan"),
    ("tindex rank --format cs", "csv"),
])
def test_completion_answers_without_pandas(tmp_path: Path, words: str, expected: str) -> None:
    run = complete(tmp_path, words)
    assert run.code == 0, run.err
    assert expected in run.out.split("\n")
    for package in HEAVY:
        assert not run.loaded(package), f"completing {words!r} imported {package}"


def test_completion_offers_only_matching_countries(tmp_path: Path) -> None:
    offered = [line for line in complete(tmp_path, "tindex delta Kaz").out.split("\n") if line]
    assert offered == ["Kazakhstan"]


def test_a_command_that_reads_data_does_load_pandas(tmp_path: Path) -> None:
    """The probe sees imports: a real command shows pandas in sys.modules."""
    run = tindex(tmp_path, "countries", "--format", "csv")
    assert run.code == 0, run.err
    assert run.loaded("pandas")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_machine_formats_import_neither_rich_nor_tabulate(tmp_path: Path, fmt: str) -> None:
    run = tindex(tmp_path, "rank", "2024", "--format", fmt)
    assert run.code == 0, run.err
    assert "Kazakhstan" in run.out
    assert not run.loaded("rich")
    assert not run.loaded("tabulate")


def test_csv_in_a_pipe_by_default_imports_neither_rich_nor_tabulate(tmp_path: Path) -> None:
    run = tindex(tmp_path, "rank", "2024")  # stdout is a pipe: CSV
    assert run.code == 0, run.err
    assert run.out.startswith("rank,of,country,iso3,")
    assert not run.loaded("rich")
    assert not run.loaded("tabulate")


def test_a_table_uses_rich_and_not_tabulate(tmp_path: Path) -> None:
    run = tindex(tmp_path, "rank", "2024", "--format", "table")
    assert run.code == 0, run.err
    assert "Kazakhstan" in run.out
    assert run.loaded("rich")
    assert not run.loaded("tabulate")


def test_a_tabulate_format_uses_tabulate_and_not_rich(tmp_path: Path) -> None:
    run = tindex(tmp_path, "rank", "2024", "--format", "github")
    assert run.code == 0, run.err
    assert run.loaded("tabulate")
    assert not run.loaded("rich")


def test_pycountry_is_imported_only_when_a_name_misses(tmp_path: Path) -> None:
    known = tindex(tmp_path, "delta", "Kazakhstan", "--format", "csv")
    assert known.code == 0, known.err
    assert not known.loaded("pycountry")
    by_code = tindex(tmp_path, "compare", "KAZ", "kgz", "--format", "csv")
    assert by_code.code == 0, by_code.err
    assert not by_code.loaded("pycountry")
    official = tindex(tmp_path, "delta", "Kyrgyz Republic", "--format", "csv")
    assert official.code == 0, official.err
    assert official.out.splitlines()[1].startswith("Kyrgyzstan,KGZ,")
    assert official.loaded("pycountry")
