"""tabulate's formats (github, grid, latex, html, rst, ...): the table alone, for embedding."""

from __future__ import annotations

from typing import TextIO

import pandas as pd
from tabulate import tabulate

from tindex.core import Profile, Report
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, display
from tindex.render.flatten import people_frame, profile_rows
from tindex.render.formats import MARKUP_TABULATE_FORMATS
from tindex.render.markdown import escape


def _write(frame: pd.DataFrame, options: RenderOptions, out: TextIO) -> None:
    columns = [str(c) for c in frame.columns]
    # Markdown-like formats would let a cell open a link or split the table: escape them.
    cell = escape if options.fmt.value in MARKUP_TABULATE_FORMATS else clean_text
    rows = [[cell(display(value, column)) for value, column in zip(row, columns, strict=True)]
            for row in frame.itertuples(index=False, name=None)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    text = tabulate(rows, headers=[cell(c) for c in columns], tablefmt=options.fmt.value,
                    disable_numparse=True,
                    colalign=["right" if n else "left" for n in numeric] if columns else None)
    out.write(text + "\n")


def render_report(report: Report, options: RenderOptions, out: TextIO) -> None:
    _write(people_frame(report), options, out)


def render_profile(profile: Profile, options: RenderOptions, out: TextIO) -> None:
    _write(profile_rows(profile), options, out)
