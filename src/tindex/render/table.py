"""Rich tables for the terminal: title, aligned numbers, trend sparklines, notes, sources.

Every cell is a rich Text object built from escaped text, so data can never act as
rich markup ("[bold]") or as a terminal escape sequence.
"""

from __future__ import annotations

from typing import TextIO

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tindex.core import Citation, Profile, Report
from tindex.render import RenderOptions
from tindex.render.cells import PERCENT_COLUMNS, SIGNED_COLUMNS, clean_text, display
from tindex.render.flatten import people_frame, section_frame, summary_column
from tindex.render.sparkline import sparkline


def _console(options: RenderOptions, out: TextIO) -> Console:
    return Console(
        file=out,
        color_system="auto" if options.color else None,
        no_color=not options.color,
        markup=False,
        emoji=False,
        highlight=False,
    )


def _cell(value: object, column: str, color: bool) -> Text:
    text = display(value, column)
    style = ""
    if color and (column in SIGNED_COLUMNS or column in PERCENT_COLUMNS) and text:
        style = "green" if text.startswith("+") else "red" if text.startswith("-") else ""
    return Text(text, style=style)


def _table(frame: pd.DataFrame, title: str | None, color: bool,
           trends: list[list[float]] | None = None,
           column_trends: dict[str, list[float]] | None = None) -> Table:
    table = Table(
        title=Text(clean_text(title), style="bold") if title else None,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        header_style="bold" if color else "",
        title_style="" if color else None,
    )
    numeric = {str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    for name in frame.columns:
        # Numbers and country names keep their full width (never cut, never broken); long
        # text and headers wrap instead.
        short = str(name) in numeric or str(name) in ("country", "level", "source")
        widest = max((len(display(v, str(name))) for v in frame[name]), default=0)
        table.add_column(Text(clean_text(str(name))), justify="right" if str(name) in numeric else "left",
                         overflow="fold", min_width=widest if short else None)
    show_trends = trends is not None and any(len(t) > 1 for t in trends)
    if show_trends:
        table.add_column(Text("trend"), no_wrap=True)
    columns = [str(c) for c in frame.columns]
    for position, row in enumerate(frame.itertuples(index=False, name=None)):
        cells = [_cell(value, column, color) for value, column in zip(row, columns, strict=True)]
        if show_trends and trends is not None:
            cells.append(Text(sparkline(trends[position]), style="cyan" if color else ""))
        table.add_row(*cells)
    if column_trends:
        table.add_row(*[
            Text(sparkline(column_trends[c]), style="cyan" if color else "") if c in column_trends
            else Text("trend" if i == 0 else "")
            for i, c in enumerate(columns)
        ], end_section=False)
    return table




def _footer(console: Console, notes: list[str], citations: list[Citation]) -> None:
    for note in notes:
        console.print(Text("Note: " + clean_text(note), style="yellow"))
    for citation in citations:
        # soft_wrap: long URLs stay whole, so they can be copied from the terminal
        console.print(Text("Source: " + clean_text(str(citation)), style="dim"), soft_wrap=True)


def render_report(report: Report, options: RenderOptions, out: TextIO) -> None:
    console = _console(options, out)
    console.print(Text(clean_text(report.title), style="bold" if options.color else ""))
    console.print(_table(people_frame(report), None, options.color, report.trends,
                         report.column_trends))
    _footer(console, report.notes, report.citations)


def render_profile(profile: Profile, options: RenderOptions, out: TextIO) -> None:
    console = _console(options, out)
    console.rule(Text(clean_text(profile.title), style="bold"))
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold" if options.color else "")
    summary.add_column()
    for key, label, value in profile.summary:
        summary.add_row(Text(clean_text(label)), Text(display(value, summary_column(key))))
    console.print(summary)
    for section in profile.sections:
        console.print()
        console.print(Text(clean_text(section.heading), style="bold underline" if options.color else ""))
        if section.trend is not None and len(section.trend) > 1:
            console.print(Text("trend " + sparkline(section.trend), style="cyan" if options.color else ""))
        if section.frame is not None and not section.frame.empty:
            console.print(_table(section_frame(section.frame, profile.citations), None,
                                 options.color))
        for line in section.lines:
            console.print(Text("- " + clean_text(line)))
    if profile.citations:
        console.print()
        console.print(Text("Sources", style="bold underline" if options.color else ""))
        for number, citation in enumerate(profile.citations, start=1):
            console.print(Text(f"{number}. " + clean_text(str(citation))), soft_wrap=True)
