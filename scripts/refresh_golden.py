"""Write the golden outputs in tests/golden/: what each command prints in each format.

tests/test_golden.py compares tindex's output with these files byte for byte, so a refactor
that changes any output fails. When a change is intended, rerun this script and review the
diff (`git diff tests/golden`) before committing it.

    python scripts/refresh_golden.py          # rewrite every golden file
    python scripts/refresh_golden.py --check  # exit 1 if any file is stale

Every command runs in-process through tindex.cli.run, on the bundled data, with NO_COLOR=1
and COLUMNS=100: the terminal table is the one a 100-column terminal without colour shows.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"

# name -> the command's arguments; each is written once per format, as NAME.FORMAT.
COMMANDS: dict[str, tuple[str, ...]] = {
    "rank_2024": ("rank", "2024"),
    "rank_gti": ("rank", "--index", "gti"),
    "rank_2023_release_5": ("rank", "2023", "--release", "5"),
    "delta_kazakhstan": ("delta", "Kazakhstan"),
    "delta_year_2024": ("delta", "--year", "2024"),
    "delta_2019_to_2024": ("delta", "--from", "2019", "--to", "2024"),
    "compare_armenia_moldova": ("compare", "Armenia", "Moldova"),
    "compare_gti_kyrgyzstan_belarus": ("compare", "--index", "gti", "Kyrgyzstan", "Belarus"),
    "compare_armenia_moldova_ukraine_transposed": ("compare", "Armenia", "Moldova", "Ukraine",
                                                   "--transpose"),
    "explain_kyrgyzstan": ("explain", "Kyrgyzstan"),
    "explain_csp": ("explain", "csp"),
    "countries": ("countries",),
    "sources": ("sources",),
    "caveats_kgz": ("caveats", "kgz"),
    "revisions": ("revisions",),
}
FORMATS = ("csv", "tsv", "json", "markdown", "html", "latex", "github", "table")
ENVIRONMENT = {"NO_COLOR": "1", "COLUMNS": "100"}


def golden_path(name: str, fmt: str) -> Path:
    return GOLDEN / f"{name}.{fmt}"


def command_line(name: str, fmt: str) -> str:
    return " ".join(("tindex", *COMMANDS[name], "--format", fmt))


@contextlib.contextmanager
def _environment() -> Iterator[None]:
    """NO_COLOR and 100 columns, no TINDEX_* variable; the old environment afterwards."""
    saved = dict(os.environ)
    for key in [k for k in os.environ if k.startswith("TINDEX_")]:
        del os.environ[key]
    os.environ.update(ENVIRONMENT)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def produce(name: str, fmt: str) -> tuple[int, str, str]:
    """Run one command in-process; return (exit code, stdout, stderr)."""
    from tindex.cli import run

    out, err = io.StringIO(), io.StringIO()
    with _environment(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run([*COMMANDS[name], "--format", fmt])
    return code, out.getvalue(), err.getvalue()


def main() -> int:
    check = "--check" in sys.argv[1:]
    GOLDEN.mkdir(parents=True, exist_ok=True)
    stale: list[str] = []
    for name in COMMANDS:
        for fmt in FORMATS:
            code, out, err = produce(name, fmt)
            if code != 0 or err:
                sys.stderr.write(f"{command_line(name, fmt)} failed (exit {code}): {err}")
                return 2
            path = golden_path(name, fmt)
            if not path.is_file() or path.read_bytes() != out.encode("utf-8"):
                stale.append(path.name)
                if not check:
                    path.write_bytes(out.encode("utf-8"))
    wanted = {golden_path(name, fmt).name for name in COMMANDS for fmt in FORMATS}
    for extra in sorted(p for p in GOLDEN.iterdir() if p.name not in wanted and p.name[0] != "."):
        stale.append(extra.name)
        if not check:
            extra.unlink()
    if stale:
        verb = "stale" if check else "refreshed"
        sys.stderr.write(f"{verb}: {len(stale)} golden file(s): {', '.join(stale)}\n")
    return 1 if stale and check else 0


if __name__ == "__main__":
    sys.exit(main())
