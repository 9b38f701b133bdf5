"""Time `read_import('vdem', ...)` against hand-written pandas on V-Dem-shaped files (issue 13).

Writes two files into benchmarks/work/ (git-ignored): 27,000 rows x 400 columns (the
Core file's shape) and 3,000 rows x 4,000 columns (Full+Others' width). Each job runs in
its own process, alternating in rotating order; wall and CPU (user + sys) time are medians
over rounds and each ratio the median of per-round ratios; peak memory is the child's max
RSS; both come from os.wait4. The load average is printed with each file's figures (the
machine may be shared). Usage: python benchmarks/import_bench.py [--runs 7] [--markdown FILE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

WORK = Path(__file__).parent / "work"
SHAPES = {"core": (27_000, 400), "wide": (3_000, 4_000)}

JOBS = {
    "tindex": "from pathlib import Path; import sys\n"
              "from tindex.importers import read_import\n"
              "r = read_import('vdem', Path(sys.argv[1])); print(len(r.scores))",
    # The same six columns tindex needs, with dtype hints and no checks.
    "pandas-6": "import sys, pandas as pd\n"
                "d = pd.read_csv(sys.argv[1], usecols=['country_name', 'country_text_id', 'year', 'v2cltort',"
                " 'v2cltort_codelow', 'v2cltort_codehigh'], dtype={'country_name': 'str',"
                " 'country_text_id': 'str', 'year': 'float64', 'v2cltort': 'float64',"
                " 'v2cltort_codelow': 'float64', 'v2cltort_codehigh': 'float64'}); print(len(d))",
    # The brief's baseline: four columns (code, year, score, one bound).
    "pandas-4": "import sys, pandas as pd\n"
                "d = pd.read_csv(sys.argv[1],"
                " usecols=['country_text_id', 'year', 'v2cltort', 'v2cltort_codelow'],"
                " dtype={'country_text_id': 'str', 'year': 'int64', 'v2cltort': 'float64',"
                " 'v2cltort_codelow': 'float64'}); print(len(d))",
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
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", JOBS[job], str(path)], stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{job} failed on {path.name}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _ratio(times: dict[str, list[float]], job: str, baseline: str) -> float:
    return statistics.median(t / b for t, b in zip(times[job], times[baseline], strict=True))


HEADER = ["| file | size | tindex wall / CPU | pandas-6 wall / CPU | ratio wall (CPU)"
          " | pandas-4 wall / CPU | ratio wall (CPU) | peak RSS tindex / pandas-6 | load average |",
          "|---|---|---|---|---|---|---|---|---|"]


def _line(path: Path, shape: tuple[int, int], walls: dict[str, list[float]], cpus: dict[str, list[float]],
          peaks: dict[str, list[float]], load: list[float]) -> str:
    """One markdown row: medians, paired ratios (wall, then CPU), peak memory, load range."""
    def cell(job: str) -> str:
        return f"{statistics.median(walls[job]):.2f} / {statistics.median(cpus[job]):.2f} s"

    def ratios(baseline: str) -> str:
        return f"{_ratio(walls, 'tindex', baseline):.2f}x ({_ratio(cpus, 'tindex', baseline):.2f}x)"

    peak_t, peak_6 = statistics.median(peaks["tindex"]), statistics.median(peaks["pandas-6"])
    return (f"| {shape[0]:,} x {shape[1]:,} | {path.stat().st_size / 1e6:.0f} MB | {cell('tindex')}"
            f" | {cell('pandas-6')} | {ratios('pandas-6')} | {cell('pandas-4')} | {ratios('pandas-4')}"
            f" | {peak_t:.0f} / {peak_6:.0f} MB ({peak_t / peak_6:.2f}x) | {min(load):.1f}-{max(load):.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
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
        lines.append(_line(path, shape, walls, cpus, peaks, load))
        print(lines[-1], flush=True)
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
