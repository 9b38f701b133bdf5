"""Renderers: the format list is exhaustive, and markup-capable formats escape data."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from tabulate import tabulate_formats

from tindex.core.result import Note, Role, Table
from tindex.render import RenderOptions, render
from tindex.render.cells import display
from tindex.render.formats import (
    MARKUP_TABULATE_FORMATS,
    UNSAFE_TABULATE_FORMATS,
    OutputFormat,
    parse_format,
)
from tindex.render.plain import note_text, number_or_text
from tindex.render.sparkline import sparkline

OWN = {"table", "csv", "tsv", "json", "markdown", "xlsx"}


def test_every_safe_tabulate_format_is_offered_and_no_unsafe_one() -> None:
    offered = {f.value for f in OutputFormat} - OWN
    assert offered == set(tabulate_formats) - UNSAFE_TABULATE_FORMATS
    assert offered >= MARKUP_TABULATE_FORMATS


@pytest.mark.parametrize("fmt", [f for f in OutputFormat if f is not OutputFormat.XLSX])
def test_every_text_format_renders_a_table(fmt: OutputFormat) -> None:
    table = Table(title="t", frame=pd.DataFrame({"country": ["Aland"], "score": [1.5]}),
                  roles={"country": Role.LABEL, "score": Role.NUMBER})
    out = io.StringIO()
    render(table, RenderOptions(fmt), out)
    cells = re.split(r"[\s|,\t&<>{}\"\[\]:=]+", out.getvalue())
    assert "Aland" in cells and ("1.5" in cells or "1.50" in cells), out.getvalue()


def test_default_format_follows_the_terminal() -> None:
    assert parse_format(None, stdout_is_terminal=True) is OutputFormat.TABLE
    assert parse_format(None, stdout_is_terminal=False) is OutputFormat.CSV
    assert parse_format("JSON", stdout_is_terminal=True) is OutputFormat.JSON


HOSTILE = "[x](http://evil.example) | <b>bold</b> *em* `code`"


@pytest.mark.parametrize("fmt", sorted(MARKUP_TABULATE_FORMATS))
def test_markup_formats_escape_cells(fmt: str) -> None:
    report = Table(title="t", frame=pd.DataFrame({"country": [HOSTILE], "score": [1.0]}),
                   roles={"country": Role.LABEL, "score": Role.NUMBER})
    out = io.StringIO()
    render(report, RenderOptions(OutputFormat(fmt)), out)
    text = out.getvalue()
    # Every markup character from the data arrives backslash-escaped, so it stays text.
    for unescaped in (r"(?<!\\)\]\(", r"(?<!\\)<b>", r"(?<!\\)\*em", r"(?<!\\)\| <"):
        assert not re.search(unescaped, text), unescaped


def test_html_format_escapes_tags() -> None:
    report = Table(title="t", frame=pd.DataFrame({"country": ["<script>x</script>"]}),
                   roles={"country": Role.LABEL})
    out = io.StringIO()
    render(report, RenderOptions(OutputFormat.HTML), out)
    assert "<script>" not in out.getvalue() and "&lt;script&gt;" in out.getvalue()


@pytest.mark.parametrize(("value", "role", "shown"), [
    (12.14, Role.SIGNED, "+12.14"), (-4.07, Role.SIGNED, "-4.07"), (0.0, Role.SIGNED, "0.00"),
    (9.87, Role.PERCENT, "+9.9%"), (0.0, Role.PERCENT, "0.0%"), (134.65, Role.NUMBER, "134.65"),
    (104.0, Role.NUMBER, "104.00"), (2, Role.SIGNED_INTEGER, "+2"), (0, Role.SIGNED_INTEGER, "0"),
    (2025.0, Role.YEAR, "2025"), (("a", "b"), Role.SOURCES, "a; b"),
    (None, Role.SIGNED, ""), (float("nan"), Role.NUMBER, ""),
])
def test_display_rules(value: object, role: Role, shown: str) -> None:
    assert display(value, role) == shown


def test_sparkline_scales_each_series_to_its_own_range() -> None:
    assert sparkline([1, 2, 3]) == "▁▅█"
    assert sparkline([5]) == ""  # one year: no trend to show
    assert sparkline([2, 2]) == "▅▅"


@pytest.mark.parametrize(("text", "held"), [
    ("7728", 7728), ("20.5", 20.5), ("-7.3", -7.3), ("0", 0), ("0.5", 0.5),
    ("-0", "-0"), ("007", "007"), ("20.50", "20.50"), ("1e5", "1e5"), ("40-50", "40-50"),
    ("Ratified", "Ratified"), ("0.123456789012345", 0.123456789012345),
    ("123456789012345.12345678901234", "123456789012345.12345678901234"),
])
def test_a_figure_becomes_a_number_only_when_it_reads_back_the_same(text: str, held: object) -> None:
    """A workbook gets a number only where printing that number gives the published text
    back: '-0', '20.50' and a value past float precision stay text."""
    value = number_or_text(text)
    assert value == held and type(value) is type(held)
    if not isinstance(value, str):
        assert str(value) == text


@pytest.mark.parametrize(("ids", "shown"), [
    ((), "Text [s1]"), (("c1",), "Text [s1] (caveat: c1)"), (("c1", "c2"), "Text [s1] (caveats: c1, c2)")])
def test_a_note_names_its_caveats(ids: tuple[str, ...], shown: str) -> None:
    assert note_text(Note("Text", ("s1",), ids)) == shown
