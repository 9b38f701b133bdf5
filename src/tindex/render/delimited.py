"""CSV and TSV: raw numbers (dot decimal, no separators), one header row, no decoration.

Text cells are escaped (control characters) and neutralised (formula-like starts) so the
output is safe to open in a spreadsheet or to print on a terminal.
"""

from __future__ import annotations

from typing import TextIO

import pandas as pd

from tindex.core import Profile, Report
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, neutralise_formula
from tindex.render.flatten import profile_rows
from tindex.render.formats import OutputFormat


def _safe(value: object) -> object:
    if isinstance(value, str):
        return neutralise_formula(clean_text(value))
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers are safe; numeric columns are untouched."""
    safe = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.cat.rename_categories([str(_safe(str(c))) for c in column.cat.categories])
        elif not pd.api.types.is_numeric_dtype(column) or column.dtype == object:
            column = column.map(_safe)
        safe[str(_safe(str(name)))] = column
    return pd.DataFrame(safe, index=frame.index)


def _write(frame: pd.DataFrame, options: RenderOptions, out: TextIO) -> None:
    separator = "\t" if options.fmt is OutputFormat.TSV else ","
    safe_frame(frame).to_csv(out, index=False, sep=separator, lineterminator="\n")


def render_report(report: Report, options: RenderOptions, out: TextIO) -> None:
    _write(report.frame, options, out)


def render_profile(profile: Profile, options: RenderOptions, out: TextIO) -> None:
    _write(profile_rows(profile), options, out)
