"""CSV and TSV: raw numbers (dot decimal, no separators), one header row, no decoration.

Text cells are escaped (control characters) and neutralised (formula-like starts) so the
output is safe to open in a spreadsheet or to print on a terminal; id lists are joined
with ';'; whole-number columns print as whole numbers (2025, never 2025.0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

import numpy as np
import pandas as pd

from tindex.core.result import Profile, Role, Table
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, ids_text, is_missing_key, neutralise_formula
from tindex.render.formats import OutputFormat
from tindex.render.plain import profile_table


def _safe(value: object) -> object:
    if isinstance(value, str):
        return neutralise_formula(clean_text(value))
    return value


def _safe_ids(value: object) -> object:
    return _safe(ids_text(value))


def _is_sequence(value: object) -> bool:
    return isinstance(value, (tuple, list))


def _holds_sequences(column: pd.Series) -> bool:
    """Whether any cell is a tuple or list (an id list in a column of another role).

    Only object columns can hold one; a column of text alone is known from one C pass."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        used = np.bincount(codes[codes >= 0], minlength=len(column.cat.categories)) > 0
        return any(_is_sequence(value) for value in column.cat.categories[used])
    if column.dtype != object or pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return False
    return bool(column.map(_is_sequence).any())


def _plain_text(value: object) -> bool:
    return type(value) is str


def _plain_ids(value: object) -> bool:
    return type(value) is str or (type(value) is tuple and all(type(v) is str for v in value))


def _map_distinct(column: pd.Series, function: Callable[[object], object],
                  plain: Callable[[object], bool]) -> pd.Series | None:
    """column.map(function), computed once per distinct value rather than once per cell;
    None where that could differ from column.map (then the caller maps every cell).

    Every distinct value must be `plain` (str, or a tuple of str: a cell equal to it then
    maps to the same text; function maps it to text), and at least one cell must be present:
    column.map then gives text in every present cell and missing in the others (a text
    column), which this gives too. Distinct values are found with C loops (a dict of the
    cells), so a small column costs no pandas call beyond to_numpy.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        distinct = list(column.cat.categories)
        if not (codes >= 0).any() or not all(plain(value) for value in distinct):
            return None
        mapped = np.empty(len(distinct) + 1, dtype=object)  # the last one: a missing cell (code -1)
        for n, value in enumerate([*distinct, np.nan]):
            mapped[n] = function(value)
        if not all(isinstance(text, str) for text in mapped[:-1]):
            return None
        return pd.Series(mapped[codes], index=column.index, name=column.name)
    values = column.to_numpy(dtype=object).tolist()
    try:
        keys = dict.fromkeys(values)
    except TypeError:  # an unhashable cell, or NA compared with an equal hash
        return None
    missing = function(np.nan)
    texts: dict[object, object] = {}
    for key in keys:
        if plain(key):
            texts[key] = function(key)
        elif is_missing_key(key):
            texts[key] = missing
        else:
            return None
    if all(text is missing for text in texts.values()):
        return None
    cells = np.fromiter(map(texts.__getitem__, values), dtype=object, count=len(values))
    return pd.Series(cells, index=column.index, name=column.name)


def safe_frame(table: Table) -> pd.DataFrame:
    """A copy whose text cells and headers are safe; numeric columns are untouched.

    Text is made safe once per distinct value (a million rows hold a few thousand)."""
    frame = table.frame
    safe = {}
    for name in frame.columns:
        column = frame[name]
        role = table.role(str(name))
        categorical = isinstance(column.dtype, pd.CategoricalDtype)
        if role.is_ids or _holds_sequences(column):
            fast = None if categorical else _map_distinct(column, _safe_ids, _plain_ids)
            column = column.map(_safe_ids) if fast is None else fast
        elif role in (Role.YEAR, Role.INTEGER, Role.ORDER, Role.SIGNED_INTEGER) and \
                pd.api.types.is_float_dtype(column):
            column = column.round().astype("Int64")
        elif categorical or not pd.api.types.is_numeric_dtype(column) or column.dtype == object:
            fast = _map_distinct(column, _safe, _plain_text)
            if fast is not None:
                column = fast
            else:
                column = (column.astype(object) if categorical else column).map(_safe)
        safe[str(_safe(clean_text(str(name))))] = column
    return pd.DataFrame(safe, index=frame.index)


def render(result: Table | Profile, options: RenderOptions, out: TextIO) -> None:
    table = result if isinstance(result, Table) else profile_table(result)
    if options.bom:
        out.write("\ufeff")
    separator = "\t" if options.fmt is OutputFormat.TSV else ","
    safe_frame(table).to_csv(out, index=False, sep=separator, lineterminator="\n")
