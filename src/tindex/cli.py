"""The command line: parse, call core, render. Nothing else lives here.

Only typer and the standard library are imported at start-up; pandas, rich and tabulate
load inside a command when it needs them, so `--help`, `--version` and shell
completion stay fast.
"""

# No `from __future__ import annotations` here: typer reads every command's signature on
# every run, and string annotations cost it an eval() per parameter (about 15 ms a run).
# Names imported only for type checking are therefore quoted.

import contextlib
import copy
import errno
import functools
import gc
import inspect
import io
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ClassVar

import typer

from tindex import __version__
from tindex.completion import (
    InstallCompletionOption,
    complete_country,
    complete_directory,
    complete_file,
    complete_format,
    complete_import_id,
    complete_import_source,
    complete_index,
    complete_pillar,
    complete_subject,
    complete_year,
    show,
)
from tindex.errors import EXIT_DATA, Interrupts, TindexError, UsageError, escape_controls, printable
from tindex.locate import (
    DATA_DIR_ENV,
    bundled_data_dir,
    choose_data_dir,
    data_version,
    imports_dir,
    overlay_dirs,
)
from tindex.render.formats import (
    MAIN_FORMATS,
    SUFFIX_FORMATS,
    OutputFormat,
    format_for_file,
    parse_format,
    suffix,
)

if TYPE_CHECKING:
    from tindex.core.model import Model
    from tindex.core.result import Profile, Table

app = typer.Typer(
    name="tindex",
    help="Rank, compare and explain published torture-prevention indices: the CSP Index on "
    "Torture (scores by country and year, every release) and the OMCT Global Torture Index "
    "(risk levels). "
    "A table on a terminal, CSV in a pipe; every figure carries its sources and caveats.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,  # tindex.completion provides the options and the scripts
    context_settings={"help_option_names": ["-h", "--help"]},
)


# -- the options, declared once and shared by every command --------------------------------

FormatOption = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar="FORMAT", autocompletion=complete_format,
                 help=f"Output format: {MAIN_FORMATS}, or one of tabulate's (github, grid, "
                 "latex, html, rst, ...). Default: table on a terminal, csv otherwise, or what "
                 "the --output suffix says."),
]
OutputOption = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="FILE", autocompletion=complete_file, show_default=False,
                 help="Write to FILE (.csv, .tsv, .json, .md, .xlsx) instead of standard output."),
]
BomOption = Annotated[
    bool, typer.Option("--bom", help="Start CSV/TSV with a UTF-8 byte order mark (for Excel).")
]
NoColorOption = Annotated[
    bool, typer.Option("--no-color", help="No colour (also when NO_COLOR is set or TERM=dumb).")
]
DataDirOption = Annotated[
    str | None,
    typer.Option("--data-dir", metavar="PATH", autocompletion=complete_directory,
                 help=f"Read this data directory instead of the bundled data (or set {DATA_DIR_ENV}).",
                 show_default=False),
]
IndexOption = Annotated[
    str | None, typer.Option("--index", "-i", metavar="INDEX", autocompletion=complete_index,
                             help="Index id from the data (an unknown id lists them; default: "
                             "the first score index).", show_default=False)]
ReleaseOption = Annotated[
    str | None, typer.Option("--release", metavar="N|SOURCE_ID",
                             help="Use one release's table exactly (default: the latest release "
                             "of each country-year).", show_default=False)]
TopOption = Annotated[int | None, typer.Option("--top", "-n", min=1, metavar="N",
                                               help="Show only the first N rows, and any "
                                               "tied with the Nth.")]
ReverseOption = Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the order (worst first).")]
FromOption = Annotated[int | None, typer.Option("--from", metavar="YEAR", autocompletion=complete_year,
                                                help="First year.")]
ToOption = Annotated[int | None, typer.Option("--to", metavar="YEAR", autocompletion=complete_year,
                                              help="Last year.")]
YearOption = Annotated[int | None, typer.Option("--year", "-y", metavar="YEAR", autocompletion=complete_year,
                                                help="Edition of a level index.")]


@dataclass(frozen=True)
class Output:
    """The shared output options of one run, as a data command receives them."""

    fmt: str | None
    no_color: bool
    data_dir: str | None
    path: str | None = None
    bom: bool = False


# name, annotation (the option), default: added to every data command by @with_output.
_OUTPUT_PARAMETERS = (
    ("fmt", FormatOption, None),
    ("output", OutputOption, None),
    ("bom", BomOption, False),
    ("no_color", NoColorOption, False),
    ("data_dir", DataDirOption, None),
)


def with_output(command: "Callable[..., None]") -> "Callable[..., None]":
    """Give a data command the output options (--format, -o, --bom, --no-color, --data-dir),
    declared once here: the command takes one `out: Output` instead of five parameters,
    and typer reads the options from the signature this wrapper presents."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "out"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                annotation=annotation)
              for name, annotation, default in _OUTPUT_PARAMETERS]

    @functools.wraps(command)
    def wrapper(*args: object, **kwargs: object) -> None:
        out = Output(fmt=kwargs.pop("fmt"), no_color=bool(kwargs.pop("no_color")),  # type: ignore[arg-type]
                     data_dir=kwargs.pop("data_dir"), path=kwargs.pop("output"),  # type: ignore[arg-type]
                     bom=bool(kwargs.pop("bom")))
        command(*args, out=out, **kwargs)

    del wrapper.__wrapped__  # typer must see the wrapper's signature, not the command's
    wrapper.__signature__ = signature.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {**{p.name: p.annotation for p in own},
                               **{name: annotation for name, annotation, _ in _OUTPUT_PARAMETERS},
                               "return": None}
    return wrapper


def _use_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def _terminal_width() -> int | None:
    text = os.environ.get("COLUMNS", "")
    if text.strip().isdigit():
        return int(text)
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return None


def _data_dir(ctx: typer.Context, data_dir: str | None) -> tuple[Path, str]:
    """The data directory from --data-dir (command or global), $TINDEX_DATA_DIR or bundled,
    and how messages name it."""
    given = data_dir if data_dir is not None else (ctx.obj or {}).get("data_dir")
    directory = choose_data_dir(given)
    label = "data/" if given is None and not os.environ.get(DATA_DIR_ENV) else \
        escape_controls(str(directory)) + "/"
    return directory, label


def _model(ctx: typer.Context, data_dir: str | None) -> "Model":
    directory, label = _data_dir(ctx, data_dir)
    from tindex.core.model import Model
    from tindex.data import Dataset

    return Model(Dataset(directory, label, overlay_dirs()))  # the user's imports on top


def _emit(ctx: typer.Context, output: Output, build: "Callable[[Model], Table | Profile]") -> None:
    """Load the data, build the result, render it in the chosen format to stdout or a file."""
    if output.path is not None:  # a folder is a folder, whatever its name ends with
        _refuse_unwritable(Path(output.path))
    if output.path is not None and output.fmt is None:
        fmt = format_for_file(output.path)
    else:
        fmt = parse_format(output.fmt, sys.stdout.isatty() and output.path is None)
    if fmt is OutputFormat.XLSX and output.path is None:
        raise UsageError("xlsx is a binary workbook: give -o FILE.xlsx")
    if fmt is OutputFormat.TABLE and output.path is not None:
        raise UsageError("--format table is for the terminal; for a file use csv, tsv, json, "
                         "markdown or xlsx")
    model = _model(ctx, output.data_dir)
    from tindex.render import RenderOptions, render, render_binary

    result = build(model)
    if Interrupts.seen:  # Ctrl-C that Python swallowed while loading: stop before any output
        raise KeyboardInterrupt
    _warn(model)
    # Only the workbook names the data it came from: the other formats skip reading for it.
    label = data_version(model.dataset.data_dir) if fmt is OutputFormat.XLSX else ""
    no_color = output.no_color or bool((ctx.obj or {}).get("no_color"))  # after or before the command
    options = RenderOptions(fmt, _use_color(no_color) and output.path is None,
                            _terminal_width(), output.bom, label)
    if output.path is None:
        buffer = _StdoutBuffer()
        render(result, options, buffer)
        sys.stdout.write(buffer.getvalue())  # one write: it fails whole or not at all
        return
    _write_atomically(Path(output.path), lambda handle: render_binary(result, options, handle)
                      if fmt is OutputFormat.XLSX else None,
                      None if fmt is OutputFormat.XLSX else lambda text: render(result, options, text))
    named = SUFFIX_FORMATS.get(suffix(output.path))
    wins = f" in {fmt.value} (--format wins over the {suffix(output.path)} suffix)" \
        if named is not None and named is not fmt else ""
    sys.stderr.write(f"tindex: wrote {escape_controls(output.path)}{wins}\n")


class _StdoutBuffer(io.StringIO):
    """Collects the rendered output, so that text the terminal's encoding cannot show
    (PYTHONIOENCODING=ascii) fails before any of it is written, not half way. It answers
    isatty() and encoding as stdout does, so the renderers choose as they would for stdout."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(sys.stdout, "encoding", None) or "utf-8"

    def isatty(self) -> bool:
        return sys.stdout.isatty()


def _write_atomically(path: Path, write_binary: "Callable[..., object]",
                      write_text: "Callable[..., object] | None") -> None:
    """Write what a plain write to `path` would, but never a half file: a temporary file
    beside the target, renamed over it, with the permissions a plain write gives (those of
    the file it replaces, else the umask's; mkstemp's own are owner-only). A symbolic link
    is followed (its target is replaced, the link kept); a FIFO or a device such as
    /dev/stdout has nothing to replace and is written directly."""
    try:
        existing: os.stat_result | None = path.stat()
    except OSError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(path, "wb") if write_text is None else open(path, "w", encoding="utf-8",
                                                               newline="") as direct:
            (write_binary if write_text is None else write_text)(direct)
        return
    target = Path(os.path.realpath(path))
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=".tindex-", suffix=target.suffix, dir=folder)
    except OSError as error:
        raise UsageError(f"--output: cannot write in {escape_controls(str(folder))}: "
                         f"{error.strerror or error}") from None
    try:
        os.fchmod(handle, stat.S_IMODE(existing.st_mode) if existing is not None else _new_file_mode())
        if write_text is not None:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as text:
                write_text(text)
        else:
            with os.fdopen(handle, "wb") as binary:
                write_binary(binary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _new_file_mode() -> int:
    """0o666 less the umask: what open() gives a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _warn(model: "Model") -> None:
    """Plausibility warnings as one line on stderr; `tindex validate` lists them all."""
    warnings = model.dataset.warnings
    if warnings:
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        first = str(warnings[0]).replace(" warning: ", " ", 1)  # said once, at the start
        sys.stderr.write(f"tindex: warning: {first}{more}; run 'tindex validate' for all\n")


def _refuse(*given: tuple[str, object], needs: str) -> None:
    """Options that do not apply are an error, not silently ignored."""
    used = [name for name, value in given if value is not None and value is not False]
    if used:
        verb = "works" if len(used) == 1 else "work"
        raise UsageError(f"{' and '.join(used)} only {verb} with {needs}")


def _version(value: bool) -> None:
    if value:
        directory = bundled_data_dir()
        where = "bundled data"
        chosen = os.environ.get(DATA_DIR_ENV)
        words = _Invocation.words  # --version is eager: --data-dir is not parsed yet
        for position, word in enumerate(words):
            if word == "--data-dir" and position + 1 < len(words):
                chosen = words[position + 1]
            elif word.startswith("--data-dir="):
                chosen = word.split("=", 1)[1]
        if chosen:
            with contextlib.suppress(TindexError):  # a bad path: its command will say so
                directory, where = choose_data_dir(chosen), f"data from {escape_controls(chosen)}"
        sys.stdout.write(f"tindex {__version__}; {where}: {data_version(directory)}\n")
        raise typer.Exit()


def _show_completion(ctx: typer.Context, value: bool) -> None:
    """--show-completion [bash|zsh|fish]: a flag that runs before the rest of the command
    line is parsed (is_eager), so the shell it may name is read from the words after it:
    those that are neither an option nor an option's value (--data-dir X)."""
    if not value or ctx.resilient_parsing:
        return
    words = _Invocation.words
    after = words[words.index("--show-completion") + 1:] if "--show-completion" in words else []
    valued = {name for param in ctx.command.params if isinstance(param, typer.core.TyperOption)
              and not param.is_flag for name in param.opts}
    named: list[str] = []
    for previous, word in zip(["", *after], after, strict=False):
        if not word.startswith("-") and previous not in valued:
            named.append(word)
    show(named)
    raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: DataDirOption = None,
    no_color: NoColorOption = False,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Show the version of tindex and of its data, "
                                          "and exit.")] = False,
    show_completion: Annotated[bool, typer.Option(
        "--show-completion", callback=_show_completion, is_eager=True, expose_value=False,
        help="Print the completion script for this shell, or for the one named after it "
        "(bash, zsh or fish).")] = False,
    install_completion: InstallCompletionOption = False,
) -> None:
    """Rank, compare and explain torture-prevention indices."""
    ctx.obj = {"data_dir": data_dir, "no_color": no_color}


# -- commands ------------------------------------------------------------------------------


@app.command()
@with_output
def rank(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Argument(
        metavar="[YEAR]", help="Year (for a level index, its edition); default: the latest.",
        autocompletion=complete_year, show_default=False)] = None,
    index: IndexOption = None,
    pillar: Annotated[str | None, typer.Option(
        "--pillar", "-p", metavar="PILLAR", autocompletion=complete_pillar,
        help="Pillar of a level index: number, roman numeral or part of its name.")] = None,
    release: ReleaseOption = None,
    top: TopOption = None,
    reverse: ReverseOption = False,
    *,
    out: Output,
) -> None:
    """Who leads and who trails in a year.

    Best first: the highest score, or the lowest risk; ties share a rank."""
    from tindex.core import ranking

    def build(model: "Model") -> "Table":
        return ranking.rank(model, model.index(index), year, pillar, top, reverse, release)

    _emit(ctx, out, build)


@app.command()
@with_output
def delta(
    ctx: typer.Context,
    country: Annotated[str | None, typer.Argument(
        metavar="[COUNTRY]", help="Country name or ISO code.", autocompletion=complete_country,
        show_default=False)] = None,
    year: Annotated[int | None, typer.Option(
        "--year", "-y", metavar="YEAR", autocompletion=complete_year,
        help="Instead of one country: every country's change into this year.")] = None,
    start: FromOption = None,
    end: ToOption = None,
    index: IndexOption = None,
    release: ReleaseOption = None,
    top: TopOption = None,
    reverse: ReverseOption = False,
    *,
    out: Output,
) -> None:
    """How a country moved, and why.

    One country year by year with the published drivers; every country's change into a
    year (--year), or over a span (--from/--to without a country)."""
    from tindex.core import changes

    if country is not None and year is not None:
        raise UsageError("give a COUNTRY or --year YEAR, not both")
    if country is None and year is None and start is None and end is None:
        raise UsageError("give a COUNTRY, --year YEAR, or --from/--to for every country over a span")
    if year is not None:
        _refuse(("--from", start), ("--to", end), needs="a COUNTRY, or without --year")
    if country is not None:
        _refuse(("--top", top), ("--reverse", reverse or None), needs="--year or a span")

    def build(model: "Model") -> "Table":
        chosen = model.index(index, kind="score")
        if country is not None:
            return changes.country_changes(model, chosen, model.country(country), start, end, release)
        if year is not None:
            return changes.year_changes(model, chosen, year, top, reverse, release)
        return changes.span_changes(model, chosen, start, end, top, reverse, release)

    _emit(ctx, out, build)


@app.command()
@with_output
def compare(
    ctx: typer.Context,
    countries: Annotated[list[str], typer.Argument(
        metavar="COUNTRY...", help="Two or more countries (names or ISO codes).",
        autocompletion=complete_country,
        show_default=False)],
    index: IndexOption = None,
    start: FromOption = None,
    end: ToOption = None,
    year: YearOption = None,
    transpose: Annotated[bool, typer.Option("--transpose", "-t",
                                            help="Countries as rows, years or pillars as columns.")] = False,
    release: ReleaseOption = None,
    *,
    out: Output,
) -> None:
    """Countries side by side, with the gap.

    Scores per year (with the gap for two countries), or levels per pillar."""
    from tindex.core import comparison

    def build(model: "Model") -> "Table":
        chosen = model.index(index)
        resolved = [model.country(name) for name in countries]
        if chosen.is_score:
            _refuse(("--year", year), needs="a level index (use --from/--to for years)")
            table = comparison.compare_scores(model, chosen, resolved, start, end, release)
        else:
            _refuse(("--from", start), ("--to", end), ("--release", release), needs="a score index")
            table = comparison.compare_levels(model, chosen, resolved, year)
        return comparison.transpose(table, model, resolved) if transpose else table

    _emit(ctx, out, build)


@app.command()
def chart(
    ctx: typer.Context,
    countries: Annotated[list[str], typer.Argument(
        metavar="COUNTRY...", help="One or more countries (names or ISO codes).",
        autocompletion=complete_country, show_default=False)],
    output: Annotated[str, typer.Option(
        "--output", "-o", metavar="FILE", autocompletion=complete_file, show_default=False,
        help="File to write: .svg, .png or .pdf (the suffix picks the format).")],
    index: IndexOption = None,
    start: FromOption = None,
    end: ToOption = None,
    year: YearOption = None,
    release: ReleaseOption = None,
    title: Annotated[str | None, typer.Option(
        "--title", metavar="TEXT", help="Title instead of the index and countries.",
        show_default=False)] = None,
    subtitle: Annotated[str | None, typer.Option(
        "--subtitle", metavar="TEXT", help="Subtitle instead of the description ('' for none).",
        show_default=False)] = None,
    width: Annotated[float, typer.Option(
        "--width", metavar="INCHES", help="Page width in inches.")] = 6.5,
    height: Annotated[float, typer.Option(
        "--height", metavar="INCHES", help="Page height in inches.")] = 4.0,
    data_dir: DataDirOption = None,
) -> None:
    """A chart for a report (SVG, PNG or PDF).

    Scores as lines, or levels as a grid; caveats marked and footnoted."""
    path = Path(output)
    if path.suffix.lower() not in (".svg", ".png", ".pdf"):
        raise UsageError(f"--output {printable(output)}: give a file ending in .svg, .png or .pdf")
    for name, inches in (("--width", width), ("--height", height)):
        if not 2 <= inches <= 40:  # also rejects nan
            raise UsageError(f"{name} {inches:g}: give a size from 2 to 40 inches")
    _refuse_unwritable(path)
    try:
        from tindex.render import chart as draw
    except ModuleNotFoundError as missing:
        if (missing.name or "").partition(".")[0] != "matplotlib":
            raise
        raise TindexError("charts need matplotlib: pip install 'tindex[chart]' "
                          "(from a clone: pip install '.[chart]')") from None
    from tindex.core import comparison

    model = _model(ctx, data_dir)
    chosen = model.index(index)
    resolved = [model.country(name) for name in countries]
    options = draw.ChartOptions(title, subtitle, width, height)
    if chosen.is_score:
        draw.score_lines(comparison.score_series(model, chosen, resolved, start, end, release), path,
                         options)
    else:
        draw.level_grid(comparison.component_levels(model, chosen, resolved, year), path, options)
    _warn(model)
    sys.stderr.write(f"tindex: wrote {escape_controls(str(path))}\n")


def _refuse_unwritable(path: Path) -> None:
    """An --output that cannot be written is refused before any work (a chart takes a few
    tenths of a second to draw), as the shell would refuse `> PATH`: a folder, a folder
    that is missing, a file or folder the user may not write. Nothing is created here; what
    only writing can find (a full disk) is reported when the output is written."""
    folder = path.parent
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISDIR(folder.stat().st_mode):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        # An existing file is overwritten; a new one needs a folder it can be added to.
        if not (os.access(path, os.W_OK) if path.exists()
                else os.access(folder, os.W_OK | os.X_OK)):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


@app.command()
@with_output
def explain(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(
        metavar="COUNTRY|INDEX", help="A country, or an index id from the data.",
        autocompletion=complete_subject, show_default=False)],
    *,
    out: Output,
) -> None:
    """A profile of a country or an index.

    Scores, drivers, levels, facts, caveats, recommendations and sources."""
    from tindex.core import profiles

    _emit(ctx, out,
          lambda model: profiles.explain(model, subject))


@app.command()
@with_output
def countries(
    ctx: typer.Context,
    *,
    out: Output,
) -> None:
    """Who is covered, by which index, for which years."""
    from tindex.core import provenance

    _emit(ctx, out, provenance.list_countries)


@app.command()
@with_output
def sources(
    ctx: typer.Context,
    keys: Annotated[list[str] | None, typer.Argument(metavar="[KEY...]", help="Source ids to show.",
                                                     show_default=False)] = None,
    *,
    out: Output,
) -> None:
    """The bibliography behind every figure.

    Title, publisher, date and URL of each source (or of the KEYs given)."""
    from tindex.core import provenance

    _emit(ctx, out,
          lambda model: provenance.list_sources(model, keys or None))


@app.command()
@with_output
def caveats(
    ctx: typer.Context,
    subjects: Annotated[list[str] | None, typer.Argument(
        metavar="[COUNTRY|ID|INDEX...]",
        help="Caveat ids (from an export's caveat_ids), countries or index ids.",
        autocompletion=complete_country, show_default=False)] = None,
    *,
    out: Output,
) -> None:
    """What to keep in mind: caveats and their sources.

    By caveat id (from an export's caveat_ids), country or index."""
    from tindex.core import provenance

    _emit(ctx, out,
          lambda model: provenance.list_caveats(model, subjects or []))


@app.command()
@with_output
def revisions(
    ctx: typer.Context,
    index: Annotated[str | None, typer.Argument(metavar="[INDEX]", help="A score index (default: the first).",
                                                autocompletion=complete_index, show_default=False)] = None,
    *,
    out: Output,
) -> None:
    """Values changed between releases.

    Each release's value of every country-year that differs, and the change."""
    from tindex.core import changes

    _emit(ctx, out,
          lambda model: changes.revisions(model, model.index(index, kind="score")))


IMPORT_PROGRESS_BYTES = 16 << 20  # smaller files read in a blink: no progress bar


@app.command("import")
@with_output
def import_(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Argument(
        metavar="SOURCE", help="vdem, pts, cirights or hrmi.", autocompletion=complete_import_source,
        show_default=False)] = None,
    file: Annotated[str | None, typer.Argument(
        metavar="FILE", help="The publisher's CSV file, as downloaded.", autocompletion=complete_file,
        show_default=False)] = None,
    show: Annotated[bool, typer.Option("--list", help="Show what is imported.")] = False,
    remove: Annotated[str | None, typer.Option("--remove", metavar="ID",
                                               help="Remove one import (its id from --list).",
                                               autocompletion=complete_import_id,
                                               show_default=False)] = None,
    *,
    out: Output,
) -> None:
    """Import a V-Dem, PTS, CIRIGHTS or HRMI file.

    Stored in your user data directory, layered over the data in use; --list shows the
    imports, --remove ID drops one."""
    if show or remove is not None:
        _refuse(("SOURCE", source), ("FILE", file), needs="an import (not with --list or --remove)")
    if show and remove is not None:
        raise UsageError("give --list or --remove, not both")
    if not show:
        _refuse(("--format", out.fmt), ("--output", out.path), ("--bom", out.bom or None),
                needs="--list")
    from tindex.data import imports

    if show:
        from tindex.core import provenance

        _emit(ctx, out,
              lambda model: provenance.list_imports(imports.stored(imports_dir())))
        return
    if remove is not None:
        gone = imports.remove(imports_dir(), remove)
        sys.stdout.write(f"Removed import {gone}.\n")
        return
    if source is None or file is None:
        raise UsageError("give SOURCE FILE (vdem, pts, cirights or hrmi), --list or --remove ID")
    path = Path(file)
    if not path.is_file():
        raise UsageError(f"FILE: no such file: {printable(file)}")
    directory, label = _data_dir(ctx, out.data_dir)
    from tindex.importers import read_import

    if sys.stderr.isatty() and path.stat().st_size >= IMPORT_PROGRESS_BYTES:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(f"reading {escape_controls(path.name)}", total=path.stat().st_size)
            result = read_import(source, path,
                                 lambda done, total: bar.update(task, completed=done, total=total))
    else:
        result = read_import(source, path)
    manifest = imports.store(result, imports_dir(), directory, label)
    sys.stdout.write(
        f"Imported {manifest.id} from {escape_controls(manifest.file_name)} (version "
        f"{escape_controls(manifest.version)}, SHA-256 {manifest.sha256[:12]}...): "
        f"{', '.join(manifest.indices)}; {manifest.rows} scores, {manifest.countries} countries, "
        f"{manifest.years}"
        + (f"; {manifest.missing} country-year{'s' if manifest.missing != 1 else ''} without a value "
           "left out" if manifest.missing else "")
        + ".\n")
    for line in manifest.kept_as_user_code:
        sys.stdout.write(f"Kept under a user-assigned code: {line}\n")
    for line in manifest.skipped:
        sys.stdout.write(f"Skipped: {line}\n")


@app.command()
@with_output
def agree(
    ctx: typer.Context,
    index_a: Annotated[str, typer.Argument(metavar="INDEX_A", autocompletion=complete_index,
                                           help="An index id (tindex explain lists them).",
                                           show_default=False)],
    index_b: Annotated[str, typer.Argument(metavar="INDEX_B", autocompletion=complete_index,
                                           help="Another index id.", show_default=False)],
    year: Annotated[int | None, typer.Option("--year", "-y", metavar="YEAR", autocompletion=complete_year,
                                             help="Only this year.")] = None,
    detail: Annotated[bool, typer.Option(
        "--detail", "-d", help="Each country's rank in both, largest disagreement first (the "
        "latest shared year, or --year).")] = False,
    *,
    out: Output,
) -> None:
    """Do two indices order countries alike?

    Spearman and Kendall rank correlation per year, each index in its own direction
    (positive = agreement)."""
    from tindex.core import agreement

    _emit(ctx, out,
          lambda model: agreement.agree(model, model.index(index_a), model.index(index_b),
                                        year, detail))


@app.command()
def validate(
    ctx: typer.Context,
    path: Annotated[str | None, typer.Argument(
        metavar="[PATH]", help="Data directory to check, alone (default: --data-dir or the "
        "bundled data, with your imports).",
        autocompletion=complete_directory, show_default=False)] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Check a data directory and list every problem.

    Each as file:line: column: problem (value), then the plausibility warnings (future
    years, outliers, thin years), which do not fail."""
    chosen = path if path is not None else data_dir if data_dir is not None else \
        (ctx.obj or {}).get("data_dir")
    directory = choose_data_dir(chosen, "PATH" if path is not None else "--data-dir")
    from tindex.data import Dataset
    from tindex.data import validate as check

    label = "data/" if chosen is None and not os.environ.get(DATA_DIR_ENV) else \
        escape_controls(str(directory)) + "/"
    # The data the commands use includes the user's imports; a PATH named is checked alone.
    imports = overlay_dirs() if path is None else []
    dataset = Dataset(directory, label, imports)
    problems, counts = check(dataset)
    if imports:
        from tindex.data.imports import damaged

        problems += damaged(imports_dir())
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    errors = [p for p in problems if not p.warning]
    where = label.rstrip("/") + (f" with {len(imports)} import(s)" if imports else "")
    if errors:
        sys.stderr.write(f"tindex: {len(errors)} problem(s) in {where}\n")
        raise typer.Exit(EXIT_DATA)
    warned = len(problems) - len(errors)
    rows = sum(counts.values())
    tail = f", {warned} warning(s)" if warned else ""
    files = sum((folder / name).is_file() for folder in (directory, *imports) for name in counts)
    sys.stderr.write(f"tindex: {where}: {files} files, {rows} rows, no problems{tail}\n")


# -- entry point ---------------------------------------------------------------------------


INTERRUPTED = 130  # the shell's code for a run ended by SIGINT


def _fail(message: str, code: int) -> int:
    with contextlib.suppress(OSError, ValueError):  # stderr itself may be closed
        sys.stderr.write("tindex: error: " + " ".join(message.split()) + "\n")
    return code


def _command_name(info: "typer.models.CommandInfo") -> str | None:
    """The name a command is typed as: given in @app.command(NAME), else typer's from the
    function's name."""
    if info.callback is None:
        return None
    return info.name or typer.main.get_command_name(info.callback.__name__)


def _command_names() -> list[str]:
    return [name for info in app.registered_commands if (name := _command_name(info))]


@functools.cache
def _click_command(name: str | None) -> "typer.core.TyperGroup":
    """The click group typer builds from `app`, with every command, or (name given) with that
    one only: building all twelve costs about 14 ms a run, and `tindex rank ...` needs one.
    Built once per process (the tests call `run` thousands of times)."""
    if name is None:
        return typer.main.get_group(app)
    only = copy.copy(app)
    only.registered_commands = [info for info in app.registered_commands
                                if _command_name(info) == name]
    return typer.main.get_group(only)


class _Invocation:
    """The words this run was given (the command line, or run's argv in-process)."""

    words: ClassVar[list[str]] = []


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every failure into one line on stderr and an exit code."""
    words = sys.argv[1:] if argv is None else argv
    _Invocation.words = list(words)
    try:  # Ctrl-C can come at any point from here on, even while the command is looked up
        named = words[0] if words and words[0] in _command_names() else None
        result = _click_command(named)(args=words, prog_name="tindex", standalone_mode=False)
    except TindexError as error:
        return _fail(error.message, error.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        return _fail("interrupted", INTERRUPTED)
    except typer.Exit as done:
        return int(done.exit_code)
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except UnicodeEncodeError as error:
        return _fail(f"standard output cannot show {printable(error.object[error.start:error.end])} "
                     f"in {error.encoding}: set PYTHONIOENCODING=utf-8 or use -o FILE", EXIT_DATA)
    except OSError as error:
        return _fail(f"cannot write the output: {error.strerror or error}", EXIT_DATA)
    except Exception as error:  # click's own usage errors, and anything unforeseen
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `tindex`: show the help
            sys.stderr.write(error.format_message() + "\n")  # type: ignore[attr-defined]
            return 2
        if hasattr(error, "format_message") and hasattr(error, "exit_code"):
            return _fail(escape_controls(error.format_message()), int(error.exit_code))
        if os.environ.get("TINDEX_DEBUG"):
            raise
        return _fail(f"internal error: {type(error).__name__}: {escape_controls(str(error))} "
                     "(set TINDEX_DEBUG=1 to see where)", EXIT_DATA)
    if result == INTERRUPTED:  # typer turns Ctrl-C inside a command into a returned 130
        return _fail("interrupted", INTERRUPTED)
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
    if sys.stdout is None:  # started with stdout closed (>&-)
        sys.exit(_fail("standard output is closed", EXIT_DATA))
    code = run()
    # The work is done: an interrupt now would only turn the last flush into a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as error:
        code = _fail(f"cannot write the output: {error.strerror or error}", EXIT_DATA)
    # Python's last collection at exit walks every object pandas and typer made (about
    # 80 ms); frozen objects are left to the process's end. Output is flushed above and
    # files are closed where they are written, so no finaliser is waited for.
    gc.freeze()
    sys.exit(code)
