"""The command line: parse, call core, render. Nothing else lives here.

Only typer and the standard library are imported at start-up; pandas, rich and tabulate
load inside a command when it needs them, so `--help`, `--version` and shell
completion stay fast.
"""

# No `from __future__ import annotations` here: typer reads every command's signature on
# every run, and string annotations cost it an eval() per parameter (about 15 ms a run).
# Names imported only for type checking are therefore quoted.

import gc
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tindex import __version__
from tindex.errors import EXIT_DATA, TindexError, UsageError, printable
from tindex.locate import DATA_DIR_ENV, choose_data_dir, country_names
from tindex.render.formats import MAIN_FORMATS, OutputFormat, parse_format

if TYPE_CHECKING:
    from tindex.core import Profile, Report
    from tindex.data import Dataset

app = typer.Typer(
    name="tindex",
    help="Rank, compare and explain published torture-prevention indices: the CSP Index on "
    "Torture (scores 2019-2024) and the OMCT Global Torture Index (risk levels). "
    "A table on a terminal, CSV in a pipe; every figure cites its source.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Index(StrEnum):
    csp = "csp"
    gti = "gti"


# -- completion (no pandas: reads the CSV files with the csv module) -----------------------


def _complete_country(incomplete: str) -> list[str]:
    try:
        names = country_names(choose_data_dir(None))
    except TindexError:
        return []
    # typer keeps only exact-prefix matches, so completion is case-sensitive ("Kyr", not "kyr")
    return [name for name in names if name.startswith(incomplete)]


def _complete_subject(incomplete: str) -> list[str]:
    return [s for s in ("csp", "gti") if s.startswith(incomplete)] + _complete_country(incomplete)


def _complete_format(incomplete: str) -> list[str]:
    return [f.value for f in OutputFormat if f.value.startswith(incomplete)]


# -- the output options, declared once and shared by every command ------------------------

FormatOption = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar="FORMAT", autocompletion=_complete_format,
                 help=f"Output format: {MAIN_FORMATS}, or one of tabulate's (github, grid, "
                 "latex, html, rst, ...). Default: table on a terminal, csv otherwise."),
]
NoColorOption = Annotated[
    bool, typer.Option("--no-color", help="No colour (also when NO_COLOR is set or TERM=dumb).")
]
DataDirOption = Annotated[
    str | None,
    typer.Option("--data-dir", metavar="PATH",
                 help=f"Read this data directory instead of the bundled data (or set {DATA_DIR_ENV}).",
                 show_default=False),
]
TopOption = Annotated[int | None, typer.Option("--top", "-n", min=1, help="Show only the first N rows.")]
ReverseOption = Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the order (worst first).")]
EditionOption = Annotated[
    int | None, typer.Option("--edition", help="GTI edition year (default: the latest in the data).")
]


@dataclass(frozen=True)
class Output:
    fmt: str | None
    no_color: bool
    data_dir: str | None


def _use_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def _dataset(ctx: typer.Context, data_dir: str | None) -> "Dataset":
    """The data directory from --data-dir (command or global), $TINDEX_DATA_DIR or bundled."""
    data_dir_option = data_dir or (ctx.obj or {}).get("data_dir")
    directory = choose_data_dir(data_dir_option)
    from tindex.data import Dataset

    return Dataset(directory, None if data_dir_option or os.environ.get(DATA_DIR_ENV) else "data/")


def _emit(ctx: typer.Context, output: Output,
          build: "Callable[[Dataset, bool], Report | Profile]") -> None:
    """Load the data, build the result, render it to stdout in the chosen format."""
    fmt = parse_format(output.fmt, sys.stdout.isatty())
    dataset = _dataset(ctx, output.data_dir)
    from tindex.render import RenderOptions, render

    result = build(dataset, fmt is OutputFormat.TABLE)
    render(result, RenderOptions(fmt, _use_color(output.no_color)), sys.stdout)


def _refuse(*given: tuple[str, object], needs: str) -> None:
    """Options that do not apply are an error, not silently ignored."""
    used = [name for name, value in given if value is not None]
    if used:
        verb = "works" if len(used) == 1 else "work"
        raise UsageError(f"{' and '.join(used)} only {verb} with {needs}")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"tindex {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: DataDirOption = None,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Rank, compare and explain torture-prevention indices."""
    ctx.obj = {"data_dir": data_dir}


# -- commands ------------------------------------------------------------------------------


@app.command()
def rank(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Argument(help="Year (CSP) or edition (GTI); default: latest.",
                                               show_default=False)] = None,
    index: Annotated[Index, typer.Option("--index", "-i", help="csp (scores) or gti (risk levels).")]
    = Index.csp,
    pillar: Annotated[str | None, typer.Option(
        "--pillar", "-p", help="GTI pillar: number (1-7), roman numeral or part of its name.")] = None,
    edition: EditionOption = None,
    top: TopOption = None,
    reverse: ReverseOption = False,
    fmt: FormatOption = None,
    no_color: NoColorOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Who leads and who trails: CSP countries best first, or GTI countries lowest risk first."""
    from tindex import core

    if index is Index.csp:
        _refuse(("--pillar", pillar), ("--edition", edition), needs="--index gti")
    elif year is not None and edition is not None and year != edition:
        raise UsageError(f"give the GTI edition once: YEAR {year} or --edition {edition}")

    def build(dataset: "Dataset", terminal: bool) -> "Report":
        if index is Index.gti:
            return core.rank_gti(dataset, edition or year, pillar, top, reverse)
        return core.rank_csp(dataset, year, top, reverse, with_trends=terminal)

    _emit(ctx, Output(fmt, no_color, data_dir), build)


@app.command()
def delta(
    ctx: typer.Context,
    country: Annotated[str | None, typer.Argument(
        help="Country name or ISO code.", autocompletion=_complete_country,
        show_default=False)] = None,
    year: Annotated[int | None, typer.Option(
        "--year", "-y", help="Instead of one country: every country's change into this year.")] = None,
    start: Annotated[int | None, typer.Option("--from", help="First year to show.")] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year to show.")] = None,
    top: TopOption = None,
    reverse: ReverseOption = False,
    fmt: FormatOption = None,
    no_color: NoColorOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """How a country moved year by year (and why, where published), or every country's change."""
    from tindex import core

    if (country is None) == (year is None):
        raise UsageError("give a COUNTRY, or --year YEAR for every country's change into that year")
    if country is None:
        _refuse(("--from", start), ("--to", end), needs="a COUNTRY")
    else:
        _refuse(("--top", top), ("--reverse", reverse or None), needs="--year")

    def build(dataset: "Dataset", terminal: bool) -> "Report":
        if country is None:
            return core.delta_year(dataset, year, top, reverse, with_trends=terminal)
        return core.delta_country(dataset, dataset.resolve_country(country), start, end,
                                  with_trends=terminal)

    _emit(ctx, Output(fmt, no_color, data_dir), build)


@app.command()
def compare(
    ctx: typer.Context,
    countries: Annotated[list[str], typer.Argument(
        help="Two or more countries (names or ISO codes).", autocompletion=_complete_country,
        show_default=False)],
    index: Annotated[Index, typer.Option("--index", "-i", help="csp (scores) or gti (pillar levels).")]
    = Index.csp,
    start: Annotated[int | None, typer.Option("--from", help="First year (CSP).")] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year (CSP).")] = None,
    edition: EditionOption = None,
    fmt: FormatOption = None,
    no_color: NoColorOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Countries side by side: CSP scores per year with the gap, or GTI pillar levels."""
    from tindex import core

    if index is Index.gti:
        _refuse(("--from", start), ("--to", end), needs="--index csp (the default)")
    else:
        _refuse(("--edition", edition), needs="--index gti")

    def build(dataset: "Dataset", terminal: bool) -> "Report":
        resolved = [dataset.resolve_country(name) for name in countries]
        if index is Index.gti:
            return core.compare_gti(dataset, resolved, edition)
        return core.compare_csp(dataset, resolved, start, end, with_trends=terminal)

    _emit(ctx, Output(fmt, no_color, data_dir), build)


@app.command()
def chart(
    ctx: typer.Context,
    countries: Annotated[list[str], typer.Argument(
        metavar="COUNTRY...", help="One or more countries (names or ISO codes).",
        autocompletion=_complete_country, show_default=False)],
    output: Annotated[str, typer.Option(
        "--output", "-o", metavar="FILE", show_default=False,
        help="File to write: .svg or .png (the suffix picks the format).")],
    index: Annotated[Index, typer.Option(
        "--index", "-i", help="csp (scores over the years) or gti (pillar levels).")] = Index.csp,
    start: Annotated[int | None, typer.Option("--from", help="First year (CSP).")] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year (CSP).")] = None,
    edition: EditionOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Draw a chart for a report: CSP scores as lines, or GTI pillar levels as a grid."""
    path = Path(output)
    if path.suffix.lower() not in (".svg", ".png"):
        raise UsageError(f"--output {printable(output)}: give a file ending in .svg or .png")
    try:
        from tindex.render import chart as draw
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] != "matplotlib":
            raise
        raise TindexError("charts need matplotlib: pip install 'tindex[chart]' "
                          "(from a clone: pip install '.[chart]')") from None
    from tindex import core

    dataset = _dataset(ctx, data_dir)
    resolved = [dataset.resolve_country(name) for name in countries]
    if index is Index.gti:
        draw.gti_grid(core.gti_levels(dataset, resolved, edition), path)
    else:
        draw.csp_lines(core.csp_series(dataset, resolved, start, end), path)
    sys.stderr.write(f"tindex: wrote {path}\n")


@app.command()
def explain(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(
        metavar="COUNTRY|csp|gti", help="A country, or csp / gti to explain an index.",
        autocompletion=_complete_subject, show_default=False)],
    fmt: FormatOption = None,
    no_color: NoColorOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """A readable profile of a country (scores, drivers, GTI levels, facts, caveats, sources)."""
    from tindex import core

    def build(dataset: "Dataset", terminal: bool) -> "Profile":
        if subject.strip().casefold() in ("csp", "gti"):
            return core.explain_index(dataset, subject.strip().casefold())
        return core.explain_country(dataset, dataset.resolve_country(subject))

    _emit(ctx, Output(fmt, no_color, data_dir), build)


@app.command()
def countries(
    ctx: typer.Context,
    fmt: FormatOption = None,
    no_color: NoColorOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Who is covered: CSP years, GTI edition and level, number of facts per country."""
    from tindex import core

    _emit(ctx, Output(fmt, no_color, data_dir), lambda dataset, _: core.list_countries(dataset))


@app.command()
def sources(
    ctx: typer.Context,
    fmt: FormatOption = None,
    no_color: NoColorOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """The bibliography behind every figure: title, publisher, date, URL."""
    from tindex import core

    _emit(ctx, Output(fmt, no_color, data_dir), lambda dataset, _: core.list_sources(dataset))


@app.command()
def validate(
    ctx: typer.Context,
    path: Annotated[str | None, typer.Argument(
        metavar="[PATH]", help="Data directory to check (default: --data-dir or the bundled data).",
        show_default=False)] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Check a data directory and list every problem as file:line: column: problem (value)."""
    chosen = path or data_dir or (ctx.obj or {}).get("data_dir")
    directory = choose_data_dir(chosen, "PATH" if path else "--data-dir")
    from tindex.data import Dataset
    from tindex.data import validate as check

    dataset = Dataset(directory, None if chosen or os.environ.get(DATA_DIR_ENV) else "data/")
    problems, counts = check(dataset)
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    if problems:
        sys.stderr.write(f"tindex: {len(problems)} problem(s) in {dataset.label_prefix.rstrip('/')}\n")
        raise typer.Exit(EXIT_DATA)
    rows = sum(counts.values())
    where = dataset.label_prefix.rstrip("/")
    sys.stderr.write(f"tindex: {where}: {len(counts)} files, {rows} rows, no problems\n")


# -- entry point ---------------------------------------------------------------------------


def _fail(message: str, code: int) -> int:
    sys.stderr.write("tindex: error: " + " ".join(message.split()) + "\n")
    return code


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into one line on stderr and an exit code."""
    try:
        result = app(args=argv, prog_name="tindex", standalone_mode=False)
    except TindexError as error:
        return _fail(error.message, error.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        return _fail("interrupted", 130)
    except typer.Exit as done:
        return int(done.exit_code)
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except Exception as error:  # click's own usage errors, and anything unforeseen
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `tindex`: show the help
            sys.stderr.write(error.format_message() + "\n")  # type: ignore[attr-defined]
            return 2
        if hasattr(error, "format_message") and hasattr(error, "exit_code"):
            return _fail(error.format_message(), int(error.exit_code))
        if os.environ.get("TINDEX_DEBUG"):
            raise
        return _fail(f"internal error: {type(error).__name__}: {error} "
                     "(set TINDEX_DEBUG=1 to see where)", EXIT_DATA)
    return int(result) if isinstance(result, int) else 0


def _silence_stdout() -> None:
    """After the reader of a pipe has gone, make the final flush at exit quiet too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main() -> None:
    """Console-script entry point."""
    gc.disable()  # start-up allocates many long-lived objects; collecting them is wasted time
    # numpy's OpenBLAS starts one thread per core when it loads, and they spin for a while;
    # tindex does no linear algebra, so one thread is enough (-40 ms per run on 2 cores).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `tindex ... | head -1` ends quietly
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    sys.exit(code)

