"""CSV and TSV: raw numbers (dot decimal, no separators), one header row, no decoration.

Text cells are escaped (control characters) and neutralised (formula-like starts) so the
output is safe to open in a spreadsheet or to print on a terminal; id lists are joined
with ';'; whole-number columns print as whole numbers (2025, never 2025.0).
"""

from __future__ import annotations

from typing import TextIO

import pandas as pd

from tindex.core.result import Profile, Role, Table
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, ids_text, neutralise_formula
from tindex.render.formats import OutputFormat
from tindex.render.plain import profile_table


def _safe(value: object) -> object:
    if isinstance(value, str):
        return neutralise_formula(clean_text(value))
    return value


def safe_frame(table: Table) -> pd.DataFrame:
    """A copy whose text cells and headers are safe; numeric columns are untouched."""
    frame = table.frame
    safe = {}
    for name in frame.columns:
        column = frame[name]
        role = table.role(str(name))
        if role.is_ids or column.map(lambda v: isinstance(v, (tuple, list))).any():
            column = column.map(lambda v: _safe(ids_text(v)))
        elif role in (Role.YEAR, Role.INTEGER, Role.ORDER, Role.SIGNED_INTEGER) and \
                pd.api.types.is_float_dtype(column):
            column = column.round().astype("Int64")
        elif isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object).map(_safe)
        elif not pd.api.types.is_numeric_dtype(column) or column.dtype == object:
            column = column.map(_safe)
        safe[str(_safe(clean_text(str(name))))] = column
    return pd.DataFrame(safe, index=frame.index)


def render(result: Table | Profile, options: RenderOptions, out: TextIO) -> None:
    table = result if isinstance(result, Table) else profile_table(result)
    if options.bom:
        out.write("\ufeff")
    separator = "\t" if options.fmt is OutputFormat.TSV else ","
    safe_frame(table).to_csv(out, index=False, sep=separator, lineterminator="\n")
