"""Excel workbooks: the table with real number cells, then its notes and its sources.

openpyxl is imported only here, so only `-o FILE.xlsx` pays for it. Text is always stored
as text: a cell that starts with '=' stays a string, never a formula, and control
characters are escaped as everywhere else.
"""

from __future__ import annotations

import math
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tindex.core.result import Profile, Role, Table
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, ids_text
from tindex.render.plain import plain, profile_table

WHOLE_ROLES = frozenset({Role.YEAR, Role.INTEGER, Role.ORDER, Role.SIGNED_INTEGER})
MAX_WIDTH = 60


def _value(value: Any, role: Role) -> Any:
    """A cell's value as Excel should hold it: int, float, or text."""
    value = plain(value)
    if value is None:
        return None
    if isinstance(value, list):
        return clean_text(ids_text(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if role in WHOLE_ROLES or (isinstance(value, float) and value.is_integer()
                                   and role not in (Role.NUMBER, Role.SIGNED, Role.PERCENT)):
            return int(value)
        return value
    return clean_text(str(value))


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _sheet(sheet: Worksheet, headers: list[str], rows: list[list[Any]]) -> None:
    bold = Font(bold=True)
    for column, header in enumerate(headers, start=1):
        _put(sheet, 1, column, clean_text(header)).font = bold
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _put(sheet, row_number, column, value)
    sheet.freeze_panes = "A2"
    for column, header in enumerate(headers, start=1):
        widest = max([len(header), *(len(str(r[column - 1])) for r in rows if r[column - 1] is not None)])
        sheet.column_dimensions[get_column_letter(column)].width = min(widest + 2, MAX_WIDTH)


def render(result: Table | Profile, options: RenderOptions, out: BinaryIO) -> None:
    table = result if isinstance(result, Table) else profile_table(result, numbers=True)
    book = Workbook()
    data = book.active
    assert data is not None
    data.title = "data"
    columns = [str(c) for c in table.frame.columns]
    rows = [[_value(v, table.role(c)) for v, c in zip(row, columns, strict=True)]
            for row in table.frame.itertuples(index=False, name=None)]
    _sheet(data, columns, rows)
    notes = book.create_sheet("notes")
    note_rows: list[list[Any]] = [["", clean_text(table.title), ""]]
    note_rows += [["", clean_text(note.text), ";".join(note.source_ids)] for note in table.notes]
    note_rows += [[c.caveat_id, clean_text(c.text), ";".join(c.source_ids)] for c in table.caveats]
    _sheet(notes, ["caveat_id", "text", "source_ids"], note_rows)
    sources = book.create_sheet("sources")
    source_rows: list[list[Any]] = [[c.source_id, clean_text(c.title), clean_text(c.publisher), c.date,
                                     clean_text(c.url)] for c in table.citations]
    if options.data_label:
        source_rows.append(["(data)", clean_text(f"tindex data: {options.data_label}"), "", "", ""])
    _sheet(sources, ["source_id", "title", "publisher", "date", "url"], source_rows)
    book.save(out)
