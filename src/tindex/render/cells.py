"""Make cells safe and readable: text from data files is shown literally, never acted on.

- Control, bidi and invisible format characters are replaced by visible escapes, so no
  cell can drive a terminal and two different cells never look the same.
- In CSV/TSV a text cell that a spreadsheet would run as a formula gets a leading
  apostrophe; cells that are plain numbers (e.g. "-3.62") are left as they are.
- How a value reads depends on its column's role (core.result.Role), not on its name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from tindex.core.result import Role
from tindex.errors import escape_controls

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def clean_text(value: str) -> str:
    """Replace control, bidi and format characters by visible escapes such as \\x1b.

    Printable ASCII (most cells) holds none of them, and two C calls tell it faster than
    the regular expression."""
    return value if value.isascii() and value.isprintable() else escape_controls(value)


def neutralise_formula(value: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would evaluate (=, +, -, @, TAB, CR)."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (tuple, list, str)):
        return False
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def ids_text(value: Any, separator: str = ";") -> str:
    """A tuple of ids as one cell: 'a;b'."""
    if isinstance(value, (tuple, list)):
        return separator.join(str(v) for v in value)
    return "" if is_missing(value) else str(value)


T = TypeVar("T")


_MISSING = object()  # the key of a masked column's missing cells
# The types of cell whose equal values read alike (a dict may merge them): texts, tuples
# (of texts, checked per distinct value) and missing values.
TEXT_CELLS = frozenset({str, tuple, type(None), float, type(pd.NA), type(pd.NaT)})


def is_missing_key(key: object) -> bool:
    """A missing value that, as a dict key, stands only for itself: None, NA, NaT or a NaN
    float (equal to nothing, not even another NaN)."""
    return key is None or key is pd.NA or key is pd.NaT or (type(key) is float and key != key)


def _alike_only_to_itself(key: object) -> bool:
    """A dict key that no other cell of a text column can equal unless it reads the same:
    a text, a tuple of texts, or a missing value."""
    if type(key) is tuple:
        return all(type(v) is str for v in key)
    return type(key) is str or is_missing_key(key)


def map_distinct(column: pd.Series, function: Callable[[Any], T]) -> list[T]:
    """[function(cell) for cell in column], with function called once per distinct value, so a
    million rows cost a few thousand calls; the rest is C loops (tolist, dict, map), cheap on
    a small result as on a large one.

    Cells count as the same only when function must treat them alike: numbers of one dtype
    with the same bits (0.0 and -0.0 differ), texts and tuples of texts that are equal, the
    very same missing value. Any other column (lists, mixed objects, dates, masked floats) is
    mapped cell by cell. Cells are passed as iterating the column gives them (Python scalars
    for NumPy columns, NumPy scalars or NA for masked ones).
    """
    dtype = column.dtype
    array = column.array
    if isinstance(dtype, np.dtype) and dtype.kind in "iubf":
        numbers = column.to_numpy()
        values = numbers.tolist()
        keys = numbers.view(f"i{numbers.itemsize}").tolist() if dtype.kind == "f" else values
        return _memo(keys, dict(zip(keys, values, strict=True)), function)
    if isinstance(array, pd.arrays.IntegerArray | pd.arrays.BooleanArray):
        scalar = array.dtype.type  # iteration gives NumPy scalars of this type
        keys = array.to_numpy(dtype=scalar, na_value=0).tolist()
        cells: dict[Any, Any] = {key: scalar(key) for key in dict.fromkeys(keys)}
        for position in np.flatnonzero(array.isna()).tolist():
            keys[position] = _MISSING
        cells[_MISSING] = array.dtype.na_value
        return _memo(keys, cells, function)
    if isinstance(dtype, pd.CategoricalDtype | pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
        values = column.to_numpy(dtype=object).tolist()
        if set(map(type, values)) <= TEXT_CELLS:
            try:
                distinct = dict.fromkeys(values)
            except TypeError:  # NA compared with an equal hash: cannot tell, so map every cell
                distinct = {}
            if distinct and all(_alike_only_to_itself(key) for key in distinct):
                return _memo(values, {key: key for key in distinct}, function)
    return [function(value) for value in column]


def _memo(keys: list[Any], cells: dict[Any, Any], function: Callable[[Any], T]) -> list[T]:
    """function of the cell behind each key, computed once per key."""
    mapped = {key: function(cell) for key, cell in cells.items()}
    return list(map(mapped.__getitem__, keys))


def display(value: Any, role: Role) -> str:
    """A cell as a person reads it: 2 decimals, signs on changes, blank when missing."""
    if is_missing(value):
        return ""
    if role.is_ids or isinstance(value, (tuple, list)):
        return clean_text(ids_text(value, "; "))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return clean_text(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return clean_text(str(value))
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    if role in (Role.YEAR, Role.INTEGER, Role.ORDER):
        return f"{number:.0f}"
    if role is Role.SIGNED_INTEGER:
        return f"{number:+.0f}" if number else "0"
    if role is Role.PERCENT:
        return f"{number:+.1f}%" if round(number, 1) else "0.0%"
    if role is Role.SIGNED:
        return f"{number:+.2f}" if number else "0.00"
    if number.is_integer() and role is not Role.NUMBER:
        return f"{number:.0f}"
    return f"{number:.2f}"


def display_rows(frame: pd.DataFrame, roles: list[Role],
                 then: Callable[[str], str] | None = None) -> list[list[str]]:
    """Every row's cells as `display` reads them (then passed through `then`, e.g. an escape),
    each column mapped once per distinct value."""
    columns = [map_distinct(column, _reader(role, then))
               for (_, column), role in zip(frame.items(), roles, strict=True)]
    return [list(row) for row in frame_rows(columns, len(frame))]


def frame_rows(columns: list[list[T]], length: int) -> list[tuple[T, ...]]:
    """The rows of these columns of `length` cells; without columns, `length` empty rows
    (as itertuples gives a frame that has rows but no columns)."""
    return list(zip(*columns, strict=True)) if columns else [()] * length


def _reader(role: Role, then: Callable[[str], str] | None) -> Callable[[Any], str]:
    if then is None:
        return lambda value: display(value, role)
    return lambda value: then(display(value, role))
