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
from typing import Any

from tindex.core.result import Role
from tindex.errors import escape_controls

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def clean_text(value: str) -> str:
    """Replace control, bidi and format characters by visible escapes such as \\x1b."""
    return escape_controls(value)


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
