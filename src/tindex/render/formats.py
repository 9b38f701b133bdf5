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

    @property
    def module(self) -> str:
        """The renderer module (tindex.render.<module>) that writes this format."""
        return _OWN_MODULES.get(self, "tabulated")


_OWN_MODULES = {
    OutputFormat.TABLE: "table",
    OutputFormat.CSV: "delimited",
    OutputFormat.TSV: "delimited",
    OutputFormat.JSON: "json_format",
    OutputFormat.MARKDOWN: "markdown",
}
UNSAFE_TABULATE_FORMATS = frozenset({
    "unsafehtml", "latex_raw", "mediawiki", "moinmoin", "jira", "textile", "youtrack", "asciidoc",
    "orgtbl", "tsv",
})
MARKUP_TABULATE_FORMATS = frozenset({"github", "pipe", "rst"})  # cells escaped as Markdown
MAIN_FORMATS = "table, csv, tsv, json, markdown"


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
    hint = did_you_mean(wanted, [f.value for f in OutputFormat])
    raise UsageError(f"unknown format {text!r}{hint}; formats: {MAIN_FORMATS}, "
                     "and tabulate's (github, grid, latex, html, rst, ...)")
