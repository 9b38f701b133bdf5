"""The output formats, without importing any renderer (so `--help` stays cheap)."""

from __future__ import annotations

from enum import StrEnum

from tindex.errors import UsageError, did_you_mean


class OutputFormat(StrEnum):
    """Every format --format accepts. tests/test_render.py checks the list is exhaustive."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    MARKDOWN = "markdown"
    XLSX = "xlsx"  # a workbook: only with -o FILE
    # tabulate's formats whose cells are plain text, escaped by tabulate (html, latex), or
    # escaped here (github, pipe, rst). Left out: formats that pass cell text through as
    # live markup (unsafehtml, latex_raw, mediawiki, moinmoin, jira, textile, youtrack,
    # asciidoc, orgtbl) and tsv (tindex's own tsv neutralises formulas).
    COLON_GRID = "colon_grid"
    DOUBLE_GRID = "double_grid"
    DOUBLE_OUTLINE = "double_outline"
    FANCY_GRID = "fancy_grid"
    FANCY_OUTLINE = "fancy_outline"
    GITHUB = "github"
    GRID = "grid"
    HEAVY_GRID = "heavy_grid"
    HEAVY_OUTLINE = "heavy_outline"
    HTML = "html"
    LATEX = "latex"
    LATEX_BOOKTABS = "latex_booktabs"
    LATEX_LONGTABLE = "latex_longtable"
    MIXED_GRID = "mixed_grid"
    MIXED_OUTLINE = "mixed_outline"
    OUTLINE = "outline"
    PIPE = "pipe"
    PLAIN = "plain"
    PRESTO = "presto"
    PRETTY = "pretty"
    PSQL = "psql"
    ROUNDED_GRID = "rounded_grid"
    ROUNDED_OUTLINE = "rounded_outline"
    RST = "rst"
    SIMPLE = "simple"
    SIMPLE_GRID = "simple_grid"
    SIMPLE_OUTLINE = "simple_outline"


OWN_FORMATS = frozenset({OutputFormat.TABLE, OutputFormat.CSV, OutputFormat.TSV, OutputFormat.JSON,
                         OutputFormat.MARKDOWN, OutputFormat.XLSX})
TABULATE_FORMATS = frozenset(f.value for f in OutputFormat if f not in OWN_FORMATS)
UNSAFE_TABULATE_FORMATS = frozenset({
    "unsafehtml", "latex_raw", "mediawiki", "moinmoin", "jira", "textile", "youtrack", "asciidoc",
    "orgtbl", "tsv",
})
MARKUP_TABULATE_FORMATS = frozenset({"github", "pipe", "rst"})  # cells escaped as Markdown
MAIN_FORMATS = "table, csv, tsv, json, markdown, xlsx"


def parse_format(text: str | None, stdout_is_terminal: bool) -> OutputFormat:
    """--format wins; otherwise a rich table on a terminal and CSV in a pipe or file."""
    if text is None or text == "":
        return OutputFormat.TABLE if stdout_is_terminal else OutputFormat.CSV
    wanted = text.strip().lower()
    if wanted == "md":
        wanted = "markdown"
    for fmt in OutputFormat:
        if fmt.value == wanted:
            return fmt
    if wanted in UNSAFE_TABULATE_FORMATS:
        raise UsageError(f"format {text!r} is not offered: it would pass text from the data "
                         f"through as live markup; formats: {MAIN_FORMATS}, "
                         "and tabulate's (github, grid, latex, html, rst, ...)")
    hint = did_you_mean(wanted, [f.value for f in OutputFormat])
    raise UsageError(f"unknown format {text!r}{hint}; formats: {MAIN_FORMATS}, "
                     "and tabulate's (github, grid, latex, html, rst, ...)")


SUFFIX_FORMATS = {".csv": OutputFormat.CSV, ".tsv": OutputFormat.TSV, ".json": OutputFormat.JSON,
                  ".md": OutputFormat.MARKDOWN, ".xlsx": OutputFormat.XLSX}


def suffix(name: str) -> str:
    """A file name's suffix, lower-cased with its dot ('' when it has none)."""
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""


def format_for_file(name: str) -> OutputFormat:
    """-o FILE: the format its suffix names; an unknown suffix is a usage error."""
    if suffix(name) not in SUFFIX_FORMATS:
        hint = did_you_mean(suffix(name), list(SUFFIX_FORMATS)) if suffix(name) else ""
        raise UsageError(f"--output: cannot tell the format of {name!r} from its suffix{hint}; use "
                         + ", ".join(SUFFIX_FORMATS) + " (or give --format)")
    return SUFFIX_FORMATS[suffix(name)]
