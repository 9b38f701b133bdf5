"""Time `tindex import vdem FILE` against hand-written pandas on V-Dem-shaped files (issue 13).

Writes two files into benchmarks/work/ (git-ignored): 27,000 rows x 400 columns (the
Core file's shape) and 3,000 rows x 4,000 columns (Full+Others' width). Measured: the
reader alone (`read_import`), the whole command (the console script, storing into a fresh
XDG_DATA_HOME, checked over the bundled data), and two pandas reads. Each job runs in
its own process, alternating in rotating order; wall and CPU (user + sys) time are medians
over rounds and each ratio the median of per-round ratios; peak memory is the child's max
RSS; both come from os.wait4. The load average is printed with each file's figures (the
machine may be shared). --compare NAME=TINDEX (repeatable) adds another tindex console
script (an earlier commit installed in its own virtualenv, say) to the same rounds as job
`tindex import (NAME)`, for a paired before/after.
Usage: python benchmarks/import_bench.py [--runs 7] [--markdown FILE] [--compare NAME=TINDEX]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

WORK = Path(__file__).parent / "work"
SHAPES = {"core": (27_000, 400), "wide": (3_000, 4_000)}

PYTHON = [sys.executable, "-c"]
JOBS = {
    "read_import": [*PYTHON, "from pathlib import Path; import sys\n"
                    "from tindex.importers import read_import\n"
                    "r = read_import('vdem', Path(sys.argv[1])); print(len(r.scores))"],
    "tindex import": [str(Path(sys.executable).with_name("tindex")), "import", "vdem"],
    # The fair baseline: the six columns the import needs (it matches each code together
    # with the name, and keeps both interval bounds), with dtype hints and no checks.
    "pandas-6": [*PYTHON, "import sys, pandas as pd\n"
                 "d = pd.read_csv(sys.argv[1], usecols=['country_name', 'country_text_id', 'year',"
                 " 'v2cltort', 'v2cltort_codelow', 'v2cltort_codehigh'], dtype={'country_name': 'str',"
                 " 'country_text_id': 'str', 'year': 'float64', 'v2cltort': 'float64',"
                 " 'v2cltort_codelow': 'float64', 'v2cltort_codehigh': 'float64'}); print(len(d))"],
    # The four columns taken literally (code, year, score, one bound): less than
    # the import needs, so a stricter baseline.
    "pandas-4": [*PYTHON, "import sys, pandas as pd\n"
                 "d = pd.read_csv(sys.argv[1],"
                 " usecols=['country_text_id', 'year', 'v2cltort', 'v2cltort_codelow'],"
                 " dtype={'country_text_id': 'str', 'year': 'int64', 'v2cltort': 'float64',"
                 " 'v2cltort_codelow': 'float64'}); print(len(d))"],
}


def generate(name: str, rows: int, columns: int) -> Path:
    path = WORK / f"V-Dem-CY-{name}-v15.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(13)
    codes = ["KAZ", "KGZ", "RUS", "ARM", "UKR", "XKX", "ZZB", "DDR", "BLR"]
    names = ["Kazakhstan", "Kyrgyzstan", "Russia", "Armenia", "Ukraine", "Kosovo", "Zanzibar",
             "German Democratic Republic", "Belarus"]
    per = -(-rows // len(codes))
    frame = pd.DataFrame({
        "country_name": np.repeat(names, per)[:rows],
        "country_text_id": np.repeat(codes, per)[:rows],
        "country_id": np.repeat(np.arange(len(codes)), per)[:rows],
        "year": np.tile(np.arange(1789, 1789 + per), len(codes))[:rows],
        "histname": "Name, then another name",  # quoted commas, as in V-Dem's histname
    })
    filler = np.round(rng.normal(size=(rows, columns - 8)), 3)
    half = (columns - 8) // 2
    score = np.round(rng.normal(size=rows), 3)
    score[rng.random(rows) < 0.02] = np.nan
    parts = [frame, pd.DataFrame(filler[:, :half], columns=[f"v2x_f{i}" for i in range(half)]),
             pd.DataFrame({"v2cltort": score, "v2cltort_codelow": score - 0.4,
                           "v2cltort_codehigh": score + 0.4}),
             pd.DataFrame(filler[:, half:], columns=[f"v2x_g{i}" for i in range(columns - 8 - half)])]
    WORK.mkdir(parents=True, exist_ok=True)
    pd.concat(parts, axis=1).to_csv(path, index=False)
    return path


def run(job: str, path: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and max RSS (MB) of one child."""
    # A bytecode cache, as an installed package has: with PYTHONDONTWRITEBYTECODE set (these
    # machines set it) and a fresh prefix, every child would recompile pandas (+1.5 s each).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    with tempfile.TemporaryDirectory(dir=WORK) as home:  # the command stores its import here
        env["XDG_DATA_HOME"] = home
        start = time.perf_counter()
        child = subprocess.Popen([*JOBS[job], str(path)], stdout=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{job} failed on {path.name}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _ratio(times: dict[str, list[float]], job: str, baseline: str) -> float:
    return statistics.median(t / b for t, b in zip(times[job], times[baseline], strict=True))


HEADER = ["| file | job | wall / CPU (median) | ratio to pandas-6: wall (CPU) | ratio to pandas-4: wall (CPU)"
          " | peak RSS | load average |",
          "|---|---|---|---|---|---|---|"]


def _lines(path: Path, shape: tuple[int, int], walls: dict[str, list[float]], cpus: dict[str, list[float]],
           peaks: dict[str, list[float]], load: list[float]) -> list[str]:
    """Markdown rows, one per job: medians, paired ratios (wall, then CPU), peak memory, load range."""
    name = f"{shape[0]:,} x {shape[1]:,} ({path.stat().st_size / 1e6:.0f} MB)"
    rows = []
    for job in JOBS:
        ratios = [f"{_ratio(walls, job, base):.2f}x ({_ratio(cpus, job, base):.2f}x)"
                  for base in ("pandas-6", "pandas-4")]
        times = f"{statistics.median(walls[job]):.2f} / {statistics.median(cpus[job]):.2f} s"
        rows.append(f"| {name} | {job} | {times} | {ratios[0]} | {ratios[1]}"
                    f" | {statistics.median(peaks[job]):.0f} MB | {min(load):.1f}-{max(load):.1f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--compare", action="append", default=[], metavar="NAME=TINDEX",
                        help="another tindex console script to time in the same rounds")
    args = parser.parse_args()
    for pair in args.compare:
        name, _, script = pair.partition("=")
        JOBS[f"tindex import ({name})"] = [script, "import", "vdem"]
    lines = list(HEADER)
    for name, shape in SHAPES.items():
        path = generate(name, *shape)
        for job in JOBS:  # warm the page cache and the bytecode cache
            run(job, path)
        load = [os.getloadavg()[0]]
        walls: dict[str, list[float]] = {job: [] for job in JOBS}
        cpus: dict[str, list[float]] = {job: [] for job in JOBS}
        peaks: dict[str, list[float]] = {job: [] for job in JOBS}
        order = list(JOBS)
        for round_ in range(args.runs):
            for job in order[round_ % len(order):] + order[: round_ % len(order)]:
                wall, cpu, peak = run(job, path)
                walls[job].append(wall)
                cpus[job].append(cpu)
                peaks[job].append(peak)
            load.append(os.getloadavg()[0])
        rows = _lines(path, shape, walls, cpus, peaks, load)
        lines.extend(rows)
        print("\n".join(rows), flush=True)
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
