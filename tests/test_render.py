"""Renderers: the format list is exhaustive, and markup-capable formats escape data."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from tabulate import tabulate_formats

from tindex.core import Report
from tindex.render import RenderOptions, render
from tindex.render.cells import display
from tindex.render.formats import (
    MARKUP_TABULATE_FORMATS,
    UNSAFE_TABULATE_FORMATS,
    OutputFormat,
    parse_format,
)
from tindex.render.sparkline import sparkline

OWN = {"table", "csv", "tsv", "json", "markdown"}


def test_every_safe_tabulate_format_is_offered_and_no_unsafe_one() -> None:
    offered = {f.value for f in OutputFormat} - OWN
    assert offered == set(tabulate_formats) - UNSAFE_TABULATE_FORMATS
    assert not offered & UNSAFE_TABULATE_FORMATS
    assert offered >= MARKUP_TABULATE_FORMATS


def test_every_format_has_a_renderer_module() -> None:
    import importlib

    for fmt in OutputFormat:
        module = importlib.import_module(f"tindex.render.{fmt.module}")
        assert callable(module.render_report) and callable(module.render_profile)


def test_default_format_follows_the_terminal() -> None:
    assert parse_format(None, stdout_is_terminal=True) is OutputFormat.TABLE
    assert parse_format(None, stdout_is_terminal=False) is OutputFormat.CSV
    assert parse_format("JSON", stdout_is_terminal=True) is OutputFormat.JSON


HOSTILE = "[x](http://evil.example) | <b>bold</b> *em* `code`"


@pytest.mark.parametrize("fmt", sorted(MARKUP_TABULATE_FORMATS))
def test_markup_formats_escape_cells(fmt: str) -> None:
    report = Report(name="t", title="t", frame=pd.DataFrame({"country": [HOSTILE], "score": [1.0]}))
    out = io.StringIO()
    render(report, RenderOptions(OutputFormat(fmt)), out)
    text = out.getvalue()
    # Every markup character from the data arrives backslash-escaped, so it stays text.
    for unescaped in (r"(?<!\\)\]\(", r"(?<!\\)<b>", r"(?<!\\)\*em", r"(?<!\\)\| <"):
        assert not re.search(unescaped, text), unescaped


def test_html_format_escapes_tags() -> None:
    report = Report(name="t", title="t", frame=pd.DataFrame({"country": ["<script>x</script>"]}))
    out = io.StringIO()
    render(report, RenderOptions(OutputFormat.HTML), out)
    assert "<script>" not in out.getvalue() and "&lt;script&gt;" in out.getvalue()


@pytest.mark.parametrize(("value", "column", "shown"), [
    (12.14, "change", "+12.14"), (-4.07, "change", "-4.07"), (0.0, "change", "0.00"),
    (9.87, "pct_change", "+9.9%"), (0.0, "pct_change", "0.0%"), (134.65, "score", "134.65"),
    (104.0, "score", "104.00"), (2, "rank_change", "+2"), (0, "rank_change", "0"),
    (None, "change", ""), (float("nan"), "score", ""),
])
def test_display_rules(value: object, column: str, shown: str) -> None:
    assert display(value, column) == shown


def test_sparkline_scales_each_series_to_its_own_range() -> None:
    assert sparkline([1, 2, 3]) == "▁▅█"
    assert sparkline([5]) == ""  # one year: no trend to show
    assert sparkline([2, 2]) == "▅▅"
