"""Rich tables for the terminal: the table first, then short notes and short citations.

Every cell is a rich Text object built from escaped text, so data can never act as rich
markup or as a terminal escape. Numbers are never cut: when the table cannot fit the
terminal with every digit, each row is shown as a record (one "column: value" per line).
"""

from __future__ import annotations

import io
import re
from typing import TextIO

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from tindex.core.result import Caveat, Citation, Note, Profile, Role, Table
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, display, display_rows
from tindex.render.plain import note_text
from tindex.render.sparkline import sparkline

MIN_WIDTH = 20  # narrower than this (COLUMNS=0, 5 ...) is read as this


def _console(options: RenderOptions, out: TextIO) -> Console:
    """A console of the given width. Its height is given too (nothing tindex draws depends on
    it), else rich asks the operating system for the terminal's size on every print."""
    width = max(options.width or 80, MIN_WIDTH)
    return Console(file=out, width=width, height=25, color_system="auto" if options.color else None,
                   no_color=not options.color, markup=False, emoji=False, highlight=False,
                   soft_wrap=False)


class _Printer:
    """Lines of text printed in runs, one console.print per run of lines that wrap alike:
    each print costs rich a fixed setup, and a run of Texts joined by newlines is wrapped,
    styled and cropped line by line exactly as the same Texts printed one by one."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.width = console.width
        self._run: list[Text] = []
        self._soft_wrap = False

    def line(self, text: Text, soft_wrap: bool = False) -> None:
        if self._run and soft_wrap != self._soft_wrap:
            self.flush()
        self._soft_wrap = soft_wrap
        self._run.append(text)

    def show(self, renderable: RichTable) -> None:
        self.flush()
        self.console.print(renderable)

    def flush(self) -> None:
        if self._run:
            self.console.print(*self._run, sep="\n", soft_wrap=self._soft_wrap)
            self._run = []


def _style(text: str, role: Role, color: bool, scale: tuple[str, ...] = ()) -> str:
    """Colour says what the text already says: rises green, falls red; levels from green
    (the best third of their scale) through yellow to red (the worst third)."""
    if not color or not text:
        return ""
    if role in (Role.SIGNED, Role.SIGNED_INTEGER, Role.PERCENT):
        return "green" if text.startswith("+") else "red" if text.startswith("-") else ""
    if role is Role.LEVEL and text in scale and len(scale) > 1:
        share = scale.index(text) / (len(scale) - 1)
        return "green" if share < 0.34 else "red" if share > 0.66 else "yellow"
    return ""


_DATA_ROLES = frozenset({Role.NUMBER, Role.SIGNED, Role.SIGNED_INTEGER, Role.PERCENT, Role.LEVEL})


def _people_columns(table: Table) -> list[str]:
    """Columns a person reads: no codes or ids (they are in the notes), and no column that
    holds the same value on every row when the title or a note already says it."""
    frame = table.frame
    said = {note.text for note in table.notes}
    shown = []
    for column in (str(c) for c in frame.columns):
        role = table.role(column)
        if role.is_context:
            continue
        values = frame[column]
        # The one-value test (a pass over the column) runs only when the cheap tests pass.
        if len(frame) and str(values.iloc[0]) in said and values.astype(str).nunique() == 1:
            continue  # the notes under the table say it once
        shown_once = display(values.iloc[0], role) if len(frame) else ""
        if (len(frame) > 1 and role not in _DATA_ROLES and shown_once and shown_once in table.title
                and values.astype(str).nunique() == 1):
            continue  # the title already says it
        shown.append(column)
    return shown


def _cells(table: Table, columns: list[str]) -> list[list[str]]:
    return display_rows(table.frame[columns], [table.role(c) for c in columns])


def _fold_qualifiers(table: Table) -> Table:
    """Units and periods read best beside their value ("178 complaints (2022)"): on a
    terminal they join the column before them instead of taking columns of their own."""
    columns = [str(c) for c in table.frame.columns]
    if not any(table.role(c) in (Role.UNIT, Role.PERIOD) for c in columns):
        return table
    frame = table.frame.copy()
    for position, column in enumerate(columns):
        role = table.role(column)
        if role not in (Role.UNIT, Role.PERIOD) or position == 0:
            continue
        target = next(c for c in reversed(columns[:position])
                      if table.role(c) not in (Role.UNIT, Role.PERIOD))
        extra = frame[column].map(lambda v: "" if v is None or str(v) in ("", "nan") else str(v))
        joined = [f"{display(v, table.role(target))} ({e})" if role is Role.PERIOD and e
                  else f"{display(v, table.role(target))} {e}" if e else display(v, table.role(target))
                  for v, e in zip(frame[target], extra, strict=True)]
        frame[target] = joined
        frame = frame.drop(columns=column)
    roles: dict[str, Role] = {c: r for c, r in table.roles.items() if r not in (Role.UNIT, Role.PERIOD)}
    return Table(title=table.title, frame=frame, roles=roles, citations=table.citations,
                 caveats=table.caveats, notes=table.notes, scale=table.scale, history=table.history)


def _is_link(cell: str) -> bool:
    """A cell holding a URL, which must copy and click whole."""
    return "://" in cell


def _kept_whole(role: Role, cells: list[str]) -> bool:
    """Numbers, names and levels never wrap; nor does a column holding a link (as in the
    record layout)."""
    return role.is_numeric or role in (Role.LABEL, Role.LEVEL) or any(map(_is_link, cells))


def _needed_width(headers: list[str], rows: list[list[str]], columns: list[str], table: Table) -> int:
    """The narrowest the table can be with every number and link whole (text may wrap to 12).

    Columns kept whole never wrap, and neither do their headers: rich would rather cut a
    cell than wrap a no-wrap column, so such a table must fit as a whole."""
    total = 0
    for position, column in enumerate(columns):
        cells = [r[position] for r in rows]
        widest = max((len(c) for c in cells), default=0)
        if _kept_whole(table.role(column), cells):
            total += max(widest, len(headers[position]))
        else:
            total += min(widest, 12)
        total += 2
    return total


def _rich_table(table: Table, color: bool, width: int) -> RichTable | None:
    table = _fold_qualifiers(table)
    columns = _people_columns(table)
    headers = [clean_text(c) for c in columns]
    rows = _cells(table, columns)
    trends: list[str] = []
    if table.history is not None and len(table.frame) > 0:
        series = table.history()
        trends = [sparkline(s) for s in series] if len(series) == len(rows) else []
    needed = _needed_width(headers, rows, columns, table)
    if needed > width:
        return None
    if trends and any(trends) and needed + max(len(t) for t in trends) + 2 <= width:
        columns_shown = [*columns, "trend"]
        rows = [[*row, trend] for row, trend in zip(rows, trends, strict=True)]
    else:
        columns_shown = columns
    rich = RichTable(box=box.SIMPLE_HEAD, header_style="bold" if color else "", pad_edge=False,
                     show_edge=False)
    for position, column in enumerate(columns_shown):
        role = table.role(column) if column != "trend" else Role.TEXT
        cells = [r[position] for r in rows]
        widest = max((len(c) for c in cells), default=0)
        keep_whole = column == "trend" or _kept_whole(role, cells)
        rich.add_column(Text(clean_text(column)), justify="right" if role.is_numeric else "left",
                        overflow="fold", min_width=widest if keep_whole else None,
                        no_wrap=keep_whole)
    for row in rows:
        rich.add_row(*[Text(cell, style=_style(cell, table.role(column), color, table.scale))
                       for cell, column in zip(row, columns_shown, strict=True)])
    return rich


def _records(printer: _Printer, table: Table) -> None:
    """The narrow-terminal layout: each row as 'column: value' lines, nothing cut."""
    columns = _people_columns(table)
    for number, row in enumerate(_cells(table, columns)):
        if number:
            printer.line(Text())
        for column, cell in zip(columns, row, strict=True):
            # A link is never broken by tindex: the terminal wraps it, and it copies whole.
            printer.line(Text(f"{clean_text(column)}: {cell}"), soft_wrap=_is_link(cell))


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)%][.;]) (?=[A-Za-z])")


def first_sentence(text: str) -> str:
    """A note's first sentence, so that each note takes a line or two; the whole text is one
    command away (tindex caveats ID)."""
    parts = _SENTENCE_END.split(text, maxsplit=1)
    return parts[0] + (" …" if len(parts) > 1 else "")


def _short_sources(citations: list[Citation]) -> list[Citation]:
    """One citation per publication: a copy folds into the release it copies."""
    cited = {c.source_id for c in citations}
    return [c for c in citations if not (c.copy_of and c.copy_of in cited)]


def _cited(table: Table) -> set[str]:
    """The source ids the rows themselves cite."""
    found: set[str] = set()
    for column in table.frame.columns:
        if table.role(str(column)) is Role.SOURCES:
            for value in table.frame[column].dropna():
                parts = value if isinstance(value, (tuple, list)) else str(value).split(";")
                found.update(str(p).strip() for p in parts)
    return found


def notes(printer: _Printer, caveats: list[Caveat], lines: list[Note], citations: list[Citation],
          color: bool, cited: set[str] | None = None) -> None:
    """Short notes under a table: its facts, the caveats about its rows, one pointer line
    for the caveats about the index as a whole, then one short citation per source."""
    for line in lines:
        printer.line(Text(clean_text(note_text(line))))
    for caveat in caveats:
        if not caveat.general:
            printer.line(Text(f"Note [{caveat.caveat_id}]: " + clean_text(first_sentence(caveat.text)),
                               style="yellow" if color else ""))
    general = [c for c in caveats if c.general]
    if general:  # by id: the index's id would list its other caveats too
        ids = clean_text(" ".join(c.caveat_id for c in general))
        # A caveat about a source or a set of facts names no index: it is not the index's.
        about = "the whole index or year" if all(c.index for c in general) else "no single country"
        printer.line(Text(f"{len(general)} caveat{'s' if len(general) > 1 else ''} about {about}: "
                          f"tindex caveats {ids}", style="dim" if color else ""))
    wanted = (cited or set()) | {i for c in caveats if not c.general for i in c.source_ids} \
        | {i for line in lines for i in line.source_ids}
    shown = _short_sources([c for c in citations if cited is None or c.source_id in wanted])
    style = "dim" if color else ""
    if len(shown) <= 4:
        for citation in shown:
            printer.line(Text("Source: " + clean_text(citation.short), style=style))
    elif shown:  # many sources: one paragraph keeps the table on the screen
        printer.line(Text("Sources: " + "; ".join(clean_text(c.short) for c in shown), style=style))
    if shown or any(not c.general for c in caveats):
        printer.line(Text("Full texts: tindex caveats ID, tindex sources KEY", style=style))


def render_table(table: Table, options: RenderOptions, out: TextIO) -> None:
    printer = _Printer(_console(options, out))
    printer.line(Text(clean_text(table.title), style="bold" if options.color else ""))
    rich = _rich_table(table, options.color, printer.width)
    if rich is None:
        _records(printer, table)
    else:
        printer.show(rich)
    notes(printer, table.caveats, table.notes, table.citations, options.color, _cited(table))
    printer.flush()


def render_profile(profile: Profile, options: RenderOptions, out: TextIO) -> None:
    printer = _Printer(_console(options, out))
    printer.line(Text(clean_text(profile.title), style="bold" if options.color else ""))
    summary = RichTable.grid(padding=(0, 2))
    summary.add_column(style="bold" if options.color else "", max_width=max(printer.width * 9 // 20, 12))
    summary.add_column(overflow="fold")
    for headline in profile.summary:
        if headline.role.is_context or (headline.role is Role.LABEL
                                        and str(headline.value) in profile.title):
            continue  # the title already says it
        summary.add_row(Text(clean_text(headline.label)), Text(display(headline.value, headline.role)))
    printer.show(summary)
    cited: set[str] = set()  # what the sections cite: their sources are listed at the end
    for section in profile.sections:
        if section.table is not None:
            cited |= _cited(section.table)
        cited.update(i for line in section.lines for i in line.source_ids)
        printer.line(Text())
        history = section.table.history() if section.table and section.table.history else []
        trend = "  " + sparkline(history[0]) if history and len(history[0]) > 1 else ""
        heading = Text(clean_text(section.heading), style="bold underline" if options.color else "")
        printer.line(heading + Text(trend))
        if section.table is not None and not section.table.frame.empty:
            rich = _rich_table(_without_history(section.table), options.color, printer.width)
            if rich is None:
                _records(printer, section.table)
            else:
                printer.show(rich)
        for position, line in enumerate(section.lines):
            following = section.lines[position + 1] if position + 1 < len(section.lines) else None
            # A run of lines with the same sources cites them once, after its last line.
            same = following is not None and following.source_ids == line.source_ids
            shown = Note(line.text, (), line.caveat_ids) if same else line
            printer.line(Text("- " + clean_text(note_text(shown))))
    printer.line(Text())
    notes(printer, profile.caveats, [], profile.citations, options.color, cited)
    printer.flush()


def _without_history(table: Table) -> Table:
    return Table(title=table.title, frame=table.frame, roles=table.roles)


def render(result: Table | Profile, options: RenderOptions, out: TextIO) -> None:
    """Draw the result; without colour, lines carry no trailing padding (it would come
    along when a table is pasted into an article)."""
    target: TextIO = out if options.color else io.StringIO()
    if isinstance(result, Table):
        render_table(result, options, target)
    else:
        render_profile(result, options, target)
    if not options.color:
        assert isinstance(target, io.StringIO)
        out.write("".join(line.rstrip(" ") + "\n" for line in target.getvalue().splitlines()))


__all__ = ["pd", "render"]
