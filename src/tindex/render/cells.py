"""Make cells safe and readable: text from data files is shown literally, never acted on.

- Control characters (ESC, BEL, CR, OSC/CSI introducers, C1 controls) and bidi
  overrides are replaced by visible escapes, so no cell can drive a terminal.
- In CSV/TSV a text cell that a spreadsheet would run as a formula gets a leading
  apostrophe; cells that are plain numbers (e.g. "-3.62") are left as they are.
"""

from __future__ import annotations

import math
import re
from typing import Any

from tindex.errors import escape_controls

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

SIGNED_COLUMNS = frozenset({"change", "gap", "rank_change", "stated_change"})
PERCENT_COLUMNS = frozenset({"pct_change"})


def clean_text(value: str) -> str:
    """Replace control and bidi characters by visible escapes such as \\x1b."""
    return escape_controls(value)


def neutralise_formula(value: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would evaluate (=, +, -, @, TAB, CR)."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def display(value: Any, column: str) -> str:
    """A cell as a person reads it: 2 decimals, signs on changes, blank when missing."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"):
        whole = int(value)
        return f"{whole:+d}" if column in SIGNED_COLUMNS and whole else str(whole)
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f"):
        number = float(value)
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        if column in PERCENT_COLUMNS:
            return f"{number:+.1f}%" if round(number, 1) else "0.0%"
        if column in SIGNED_COLUMNS:
            return f"{number:+.2f}" if number else "0.00"
        if column in ("rank", "of", "year", "edition", "pillar", "countries"):
            return f"{number:.0f}"
        return f"{number:.2f}"
    return clean_text(str(value))
