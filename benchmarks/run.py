"""Time tindex against bare pandas scripts, in paired runs, and check the issue-4 targets.

    python benchmarks/run.py                          # everything: startup, small, large
    python benchmarks/run.py --suites startup,small   # the quick part (about a minute)
    python benchmarks/run.py --suites large --sizes 100k,1m --large-runs 3

Every command runs as its own process: the real `tindex` console script and the
baseline scripts in benchmarks/baselines/, with the same interpreter. Within a group the
commands run alternately (the order rotates each round), so both sides see the same
machine load; the ratio reported is the median over rounds of tindex / baseline wall
time. CPU time (user + sys) comes from os.wait4, peak memory (max RSS) from GNU time.
The outputs of tindex, the pandas baseline and DuckDB are compared once before timing.

Children run with a bytecode cache (PYTHONPYCACHEPREFIX under benchmarks/work/), as an
installed tindex has; set --as-is to keep the environment untouched (for example with
PYTHONDONTWRITEBYTECODE=1 every run recompiles tindex's modules).
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import io
import itertools
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
BASELINES = HERE / "baselines"
BUNDLED_SCORES = REPO / "data" / "index_scores.csv"
YEAR = "2024"
COMPARED = ("Kazakhstan", "Kyrgyzstan")
RELEASE = "1"  # the release `rank --release` picks in the directories with releases
GNU_TIME = "/usr/bin/time"  # reports the peak RSS of the command itself (see run_once)
COMPLETION_ENV = {"_TINDEX_COMPLETE": "complete_bash", "COMP_WORDS": "tindex delta Kaz",
                  "COMP_CWORD": "2"}


@dataclass
class Command:
    label: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    pty: bool = False
    target: float | None = None  # wall-time ratio to the group's baseline, at most
    memory_target: float | None = None  # peak-memory ratio to the baseline, at most
    tolerance: float = 1e-9  # how far a number may differ from tindex's in the output check


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_kb: int


@dataclass
class Group:
    title: str
    baseline: Command
    others: list[Command]
    rows: int | None = None  # data rows, for time per row
    same_output: bool = False  # every CSV-writing command must print the same table
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    @property
    def commands(self) -> list[Command]:
        return [self.baseline, *self.others]


# -- running one process -----------------------------------------------------------------


def child_env(as_is: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TINDEX_DATA_DIR", None)
    if not as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    return env


def _drain(fd: int, sink: io.BytesIO) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return
        if not chunk:
            return
        sink.write(chunk)


def gnu_time() -> bool:
    try:
        found = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True)
    except OSError:
        return False
    return "GNU" in found.stdout + found.stderr


def run_once(command: Command, env: dict[str, str], keep_output: bool = False) -> tuple[Sample, bytes]:
    """Run the command once; wall time, CPU time and peak RSS of that process alone.

    ru_maxrss of a child started from this (larger) process also counts the pages it
    shared with us before exec, so the peak comes from GNU time, which forks from a
    process of about 1 MB; without GNU time it falls back to ru_maxrss.
    """
    full_env = env | command.env
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out, \
            tempfile.NamedTemporaryFile("r") as peak:
        argv = command.argv
        if HAVE_GNU_TIME:
            argv = [GNU_TIME, "-f", "%M", "-o", peak.name, *argv]
        stdout: int | io.BufferedRandom = out if keep_output else subprocess.DEVNULL
        master = slave = -1
        sink = io.BytesIO()
        reader = None
        if command.pty:
            master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 120, 0, 0))
            stdout = slave
            reader = threading.Thread(target=_drain, args=(master, sink), daemon=True)
            reader.start()
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout,
                                   stderr=err, env=full_env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if command.pty:
            os.close(slave)
            assert reader is not None
            reader.join(5)
            os.close(master)
        code = process.returncode
        if code != 0:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()
            raise SystemExit(f"run.py: {command.label} exited {code}: {message}\n  {command.argv}")
        out.seek(0)
        output = sink.getvalue() if command.pty else out.read()
        rss_kb = int(peak.read().split()[-1]) if HAVE_GNU_TIME else usage.ru_maxrss
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss_kb), output


HAVE_GNU_TIME = gnu_time()


# -- checking that both sides do the same job ---------------------------------------------


def _same_table(a: bytes, b: bytes, tolerance: float) -> str | None:
    """None when the two CSV outputs hold the same cells (numbers within tolerance)."""
    rows_a = list(csv.reader(io.StringIO(a.decode())))
    rows_b = list(csv.reader(io.StringIO(b.decode())))
    if len(rows_a) != len(rows_b):
        return f"{len(rows_a)} lines vs {len(rows_b)}"
    for number, (x, y) in enumerate(zip(rows_a, rows_b, strict=True), start=1):
        if len(x) != len(y):
            return f"line {number}: {len(x)} fields vs {len(y)}"
        for u, v in zip(x, y, strict=True):
            if u == v:
                continue
            try:
                if abs(float(u) - float(v)) <= tolerance:
                    continue
            except ValueError:
                pass
            return f"line {number}: {u!r} vs {v!r}"
    return None


def check_outputs(group: Group, env: dict[str, str]) -> None:
    """Before timing: every CSV-writing command in the group prints the same table."""
    if not group.same_output:
        return
    checked = [c for c in group.commands if not c.pty]
    outputs = {c.label: run_once(c, env, keep_output=True)[1] for c in checked}
    reference_label = next(c.label for c in group.others if c.label.startswith("tindex"))
    reference = outputs[reference_label]
    for command in checked:
        if command.label == reference_label:
            continue
        problem = _same_table(reference, outputs[command.label], command.tolerance)
        if problem:
            raise SystemExit(f"run.py: {group.title}: {command.label} differs from "
                             f"{reference_label}: {problem}")


# -- the suites ---------------------------------------------------------------------------


def startup_group(python: str, tindex: str) -> Group:
    return Group("start-up (no data read)", Command("python -c 'import typer'",
                                                    [python, "-c", "import typer"]), [
        Command("tindex --help", [tindex, "--help"], target=1.5),
        Command("tindex --version", [tindex, "--version"], target=1.5),
        Command("completion 'delta Kaz'", [tindex], env=COMPLETION_ENV, target=1.5),
        Command("tindex rank --help", [tindex, "rank", "--help"]),
    ])


def small_group(python: str, tindex: str) -> Group:
    return Group(f"rank {YEAR}, bundled data ({BUNDLED_SCORES.relative_to(REPO)})", Command(
        "bare pandas script", [python, str(BASELINES / "bare_rank.py"), str(BUNDLED_SCORES), YEAR]), [
        Command(f"tindex rank {YEAR} --format csv", [tindex, "rank", YEAR, "--format", "csv"],
                target=1.15, memory_target=1.1),
        Command(f"tindex rank {YEAR} (terminal table)", [tindex, "rank", YEAR], pty=True,
                target=1.3, memory_target=1.1),
    ])


def data_directory(python: str, size: str, releases: bool) -> tuple[Path, int]:
    """The synthetic directory for a size (made by generate.py if absent), and its score rows."""
    directory = WORK / f"data-{size}" if not releases else WORK / f"data-{size}-releases"
    scores = directory / "index_scores.csv"
    if not scores.is_file():
        extra = ["--releases"] if releases else []
        if subprocess.run([python, str(HERE / "generate.py"), size, *extra]).returncode:
            raise SystemExit(f"run.py: no data for size {size!r} (see generate.py's message)")
    with scores.open("rb") as handle:
        rows = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 24), b"")) - 1
    return directory, rows


# job -> (tindex arguments, baseline script, baseline arguments, data with releases, target);
# rank-latest ranks the latest release of each country-year, rank-release one release.
LARGE_JOBS: dict[str, tuple[list[str], str, list[str], bool, float | None]] = {
    "rank": (["rank", YEAR], "rank", [YEAR], False, 1.2),
    "delta": (["delta", "--year", YEAR], "delta", [YEAR], False, 1.2),
    "compare": (["compare", *COMPARED], "compare", list(COMPARED), False, 1.2),
    "validate": (["validate"], "validate", [], False, None),
    "rank-latest": (["rank", YEAR], "rank", [YEAR], True, 1.2),
    "rank-release": (["rank", YEAR, "--release", RELEASE], "rank", [YEAR, RELEASE],
                                  True, 1.2),
    "revisions": (["revisions"], "revisions", [], True, 1.2),
}
DUCKDB_JOBS = ("rank", "delta", "compare")  # on the directory without releases


def large_groups(python: str, tindex: str, size: str, with_duckdb: bool,
                 jobs: list[str]) -> list[Group]:
    groups = []
    for job in jobs:
        tindex_args, script, baseline_args, releases, target = LARGE_JOBS[job]
        directory, rows = data_directory(python, size, releases)
        same_output = script != "validate"  # validate prints its own wording
        csv_format = ["--format", "csv"] if same_output else []
        others = [Command(f"tindex {' '.join(tindex_args)}" + (" --format csv" if csv_format else ""),
                          [tindex, "--data-dir", str(directory), *tindex_args, *csv_format],
                          target=target)]
        if with_duckdb and job in DUCKDB_JOBS:
            # DuckDB rounds the exact decimal, pandas the binary float: a half may round the
            # other way in the last printed digit (0.1 for pct_change).
            others.append(Command("duckdb (reference)", [python, str(BASELINES / "duckdb_jobs.py"),
                                                         job, str(directory), *baseline_args],
                                  tolerance=0.1 + 1e-9))
        groups.append(Group(f"{job}, {rows:,} rows ({directory.name})", Command(
            "pandas with dtype hints", [python, str(BASELINES / f"pandas_{script}.py"),
                                        str(directory), *baseline_args]), others, rows=rows,
                            same_output=same_output))
    return groups


def time_group(group: Group, runs: int, env: dict[str, str]) -> None:
    check_outputs(group, env)
    for command in group.commands:  # warm-up: bytecode cache, page cache
        run_once(command, env)
    group.samples = {c.label: [] for c in group.commands}
    commands = group.commands
    for round_number in range(runs):
        shift = round_number % len(commands)
        for command in commands[shift:] + commands[:shift]:
            sample, _ = run_once(command, env)
            group.samples[command.label].append(sample)


# -- reporting ----------------------------------------------------------------------------


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                  .splitlines() if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    versions = ", ".join(f"{name} {_version(name)}" for name in
                         ("pandas", "numpy", "typer", "rich", "duckdb", "pyarrow"))
    return (f"{date.today().isoformat()}; nproc {os.cpu_count()}; {model}; "
            f"{mem_kb / 1024 / 1024:.1f} GiB RAM; Python {platform.python_version()}; {versions}; "
            f"load average at start {os.getloadavg()[0]:.2f}")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def summarise(group: Group, markdown: list[str]) -> list[str]:
    """Print the group's table; return the lines of failed targets."""
    base = group.samples[group.baseline.label]
    base_rss = statistics.median(s.rss_kb for s in base)
    failures = []
    print(f"\n{group.title}")
    print(f"  {'command':<42} {'wall ms':>9} {'cpu ms':>8} {'ratio':>6} {'target':>7} "
          f"{'peak MB':>8} {'mem':>5}" + ("  us/row" if group.rows and group.rows > 1000 else ""))
    markdown += [f"\n**{group.title}**\n",
                 "| command | median wall | median CPU | ratio (paired median) | target "
                 "| peak RSS | memory ratio |", "|---|---:|---:|---:|---:|---:|---:|"]
    for command in group.commands:
        samples = group.samples[command.label]
        wall = statistics.median(s.wall for s in samples)
        cpu = statistics.median(s.cpu for s in samples)
        rss = statistics.median(s.rss_kb for s in samples)
        ratio = statistics.median(s.wall / b.wall for s, b in zip(samples, base, strict=True))
        mem = rss / base_rss
        verdict = ""
        if command.target is not None:
            ok = ratio <= command.target
            verdict = f"<={command.target:g} {'ok' if ok else 'MISSED'}"
            if not ok:
                failures.append(f"{group.title}: {command.label}: {ratio:.2f}x (target "
                                f"{command.target:g}x)")
        mem_verdict = f"{mem:.2f}"
        if command.memory_target is not None:
            ok = mem <= command.memory_target
            mem_verdict += "" if ok else " MISSED"
            if not ok:
                failures.append(f"{group.title}: {command.label}: peak memory {mem:.2f}x "
                                f"(target {command.memory_target:g}x)")
        per_row = (f"  {wall / group.rows * 1e6:6.2f}"
                   if group.rows and group.rows > 1000 else "")
        is_base = command is group.baseline
        print(f"  {command.label:<42} {wall * 1000:9.1f} {cpu * 1000:8.1f} "
              f"{'base' if is_base else f'{ratio:.2f}':>6} {verdict:>7} {rss / 1024:8.1f} "
              f"{mem_verdict:>5}{per_row}")
        markdown.append(f"| {command.label} | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | "
                        f"{'baseline' if is_base else f'{ratio:.2f}x'} | "
                        f"{'' if command.target is None else f'<= {command.target:g}x'} | "
                        f"{rss / 1024:.1f} MB | {'' if is_base else f'{mem:.2f}x'} |")
    return failures


def per_row_summary(groups: list[Group], markdown: list[str]) -> None:
    """Time per row at each size, and the marginal cost per row between sizes.

    Start-up (about 0.6 s of imports) dominates small files, so linear scaling shows in
    the marginal cost: (t2 - t1) / (rows2 - rows1) should stay about the same.
    """
    by_job: dict[str, list[tuple[int, float, float]]] = {}
    for group in groups:
        if group.rows is None:
            continue
        job = group.title.split(",")[0]
        label = next(c.label for c in group.others if c.label.startswith("tindex"))
        wall = statistics.median(s.wall for s in group.samples[label])
        base = statistics.median(s.wall for s in group.samples[group.baseline.label])
        by_job.setdefault(job, []).append((group.rows, wall, base))
    if not by_job:
        return
    print("\ntime per row (us): tindex at each size; marginal us/row between sizes, "
          "tindex / pandas baseline")
    markdown += ["\n**Time per row** (tindex at each size; marginal cost per extra row between "
                 "sizes, tindex / pandas baseline)\n", "| job | per row | marginal per row |",
                 "|---|---|---|"]
    for job, points in by_job.items():
        points.sort()
        at = [f"{rows:,}: {wall / rows * 1e6:.2f}" for rows, wall, _ in points]
        marginal = [
            f"{r1:,}->{r2:,}: {(w2 - w1) / (r2 - r1) * 1e6:.2f} / {(b2 - b1) / (r2 - r1) * 1e6:.2f}"
            for (r1, w1, b1), (r2, w2, b2) in itertools.pairwise(points)
        ]
        print(f"  {job:<8} {'; '.join(at)}")
        if marginal:
            print(f"  {'':<8} marginal {'; '.join(marginal)}")
        markdown.append(f"| {job} | {'; '.join(at)} | {'; '.join(marginal)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suites", default="startup,small,large",
                        help="comma-separated: startup, small, large (default: all)")
    parser.add_argument("--sizes", default="100k,1m,10m",
                        help="data sizes for the large suite (generate.py names; default "
                             "100k,1m,10m; max = the schema's limit, 13.4M rows)")
    parser.add_argument("--jobs", default=",".join(LARGE_JOBS),
                        help="large-suite jobs, comma-separated (default: all: "
                             + ", ".join(LARGE_JOBS) + ")")
    parser.add_argument("--runs", type=int, default=21, help="rounds for startup/small (21)")
    parser.add_argument("--large-runs", type=int, default=5, help="rounds per large job (5)")
    parser.add_argument("--no-duckdb", action="store_true", help="skip the DuckDB reference")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter for the baselines (default: this one)")
    parser.add_argument("--tindex", default=None,
                        help="tindex console script (default: next to --python, else on PATH)")
    parser.add_argument("--as-is", action="store_true",
                        help="do not give the children a bytecode cache")
    parser.add_argument("--markdown", type=Path, help="also write the tables as Markdown here")
    args = parser.parse_args()

    tindex = args.tindex or shutil.which("tindex", path=str(Path(args.python).parent)) \
        or shutil.which("tindex")
    if tindex is None:
        parser.error("no tindex console script found; pip install -e . first, or pass --tindex")
    suites = {s.strip() for s in args.suites.split(",") if s.strip()}
    unknown = suites - {"startup", "small", "large"}
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(sorted(unknown))}")
    jobs = [j.strip() for j in args.jobs.split(",") if j.strip()]
    unknown_jobs = [j for j in jobs if j not in LARGE_JOBS]
    if unknown_jobs:
        parser.error(f"unknown job(s): {', '.join(unknown_jobs)}")
    with_duckdb = not args.no_duckdb and _version("duckdb") != "not installed"
    if "large" in suites and not args.no_duckdb and not with_duckdb:
        print("run.py: duckdb is not installed (pip install -r benchmarks/requirements.txt); "
              "skipping the reference", file=sys.stderr)

    WORK.mkdir(exist_ok=True)
    env = child_env(args.as_is)
    header = machine()
    print(header)
    if not HAVE_GNU_TIME:
        print("warning: no GNU time at /usr/bin/time; peak memory includes this runner's own "
              "pages (ru_maxrss)", file=sys.stderr)
    if _version("pyarrow") != "not installed":
        print("warning: pyarrow is installed; pandas 3 imports it, so these figures are not "
              "those of a tindex install without it", file=sys.stderr)
    groups: list[tuple[Group, int]] = []
    if "startup" in suites:
        groups.append((startup_group(args.python, tindex), args.runs))
    if "small" in suites:
        groups.append((small_group(args.python, tindex), args.runs))
    large: list[Group] = []
    if "large" in suites:
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            large += large_groups(args.python, tindex, size, with_duckdb, jobs)
        groups += [(g, args.large_runs) for g in large]

    markdown = [f"Machine: {header}"]
    failures: list[str] = []
    started = time.perf_counter()
    for group, runs in groups:
        time_group(group, runs, env)
        failures += summarise(group, markdown)
        sys.stdout.flush()
    per_row_summary(large, markdown)
    markdown.append(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    print(f"\n{len(groups)} groups in {time.perf_counter() - started:.0f} s; "
          + ("all targets met" if not failures else f"{len(failures)} target(s) missed:"))
    for failure in failures:
        print(f"  {failure}")
    if args.markdown:
        args.markdown.write_text("\n".join(markdown) + "\n")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
