"""Re-run the examples in README.md and docs/*.md and refresh their output (or check it).

Each example is a ```console block whose first line is `$ <shell command>`. The command
runs in bash on a pseudo-terminal (so tindex draws the table a person would see) with
NO_COLOR=1 and 100 columns; pipes inside the command behave as pipes.

    python scripts/readme_examples.py          # rewrite README.md
    python scripts/readme_examples.py --check  # exit 1 if any output is stale
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```console\n\$ (?P<command>[^\n]+)\n(?P<output>.*?)```", re.DOTALL)


def run_on_pty(argv: list[str], env: dict[str, str], stderr_too: bool = True,
               cwd: Path | None = None) -> tuple[int, str]:
    """Run argv with stdout (and stderr) on a pseudo-terminal; return (exit code, output)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=follower,
                               stderr=follower if stderr_too else subprocess.PIPE, env=env, cwd=cwd)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    code = process.wait(timeout=300)
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def run_in_terminal(command: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TINDEX_")}
    environment.update({"NO_COLOR": "1", "COLUMNS": "100", "LINES": "50", "TERM": "xterm"})
    _, text = run_on_pty(["bash", "-c", command], environment, cwd=README.parent)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def refresh(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        command = match.group("command")
        return f"```console\n$ {command}\n{run_in_terminal(command)}```"

    return BLOCK.sub(replace, text)


FORMAT_USE = re.compile(r"(?:--format|-f)[ =]`?([A-Za-z_]+)")
FORMAT_BULLET = re.compile(r"^- `--format`.*?(?=^\S|^- |\Z)", re.MULTILINE | re.DOTALL)


def formats_named(text: str) -> set[str]:
    """Every format the prose names: after --format/-f, and in the bullet listing them."""
    named = set(FORMAT_USE.findall(text))
    for bullet in FORMAT_BULLET.findall(text):
        named |= {word for word in re.findall(r"`([a-z_]+)`", bullet)}
    return named


def refused_formats(pages: list[Path]) -> list[str]:
    """Formats named in the docs that --format would refuse (e.g. a tabulate format that
    tindex leaves out because it passes text through as markup)."""
    from tindex.render.formats import OutputFormat

    accepted = {f.value for f in OutputFormat} | {"md"}
    return sorted({name for page in pages for name in formats_named(page.read_text(encoding="utf-8"))}
                  - accepted)


def main() -> int:
    refused = refused_formats(PAGES)
    if refused:
        sys.stderr.write(f"formats named in the docs but refused by --format: {', '.join(refused)}\n")
        return 1
    stale = []
    for page in PAGES:
        current = page.read_text(encoding="utf-8")
        fresh = refresh(current)
        if fresh != current:
            stale.append(page.relative_to(ROOT))
            if "--check" not in sys.argv[1:]:
                page.write_text(fresh, encoding="utf-8")
    if stale and "--check" in sys.argv[1:]:
        sys.stderr.write(f"stale examples in {', '.join(map(str, stale))}: "
                         "run python scripts/readme_examples.py\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
