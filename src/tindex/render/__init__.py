"""Output: one module per format, chosen by a `match` over the format enum.

A renderer module is imported only when its format is asked for, so a CSV run never loads
rich and a table never loads tabulate or openpyxl.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, TextIO, assert_never

from tindex.render.formats import OutputFormat

if TYPE_CHECKING:
    from tindex.core.result import Profile, Table


@dataclass(frozen=True)
class RenderOptions:
    fmt: OutputFormat
    color: bool = False
    width: int | None = None  # terminal columns, for the rich table
    bom: bool = False  # CSV/TSV for spreadsheets: start with a UTF-8 byte order mark
    data_label: str = ""  # which data was used ("bundled data 2025-08-08", a directory)


def render(result: Table | Profile, options: RenderOptions, out: TextIO) -> None:
    """Write a result as text in the chosen format."""
    match options.fmt:
        case OutputFormat.TABLE:
            from tindex.render import table as module
        case OutputFormat.CSV | OutputFormat.TSV:
            from tindex.render import delimited as module  # type: ignore[no-redef]
        case OutputFormat.JSON:
            from tindex.render import json_format as module  # type: ignore[no-redef]
        case OutputFormat.MARKDOWN:
            from tindex.render import markdown as module  # type: ignore[no-redef]
        case OutputFormat.XLSX:
            raise ValueError("xlsx is binary: use render_binary")
        case (OutputFormat.COLON_GRID | OutputFormat.DOUBLE_GRID | OutputFormat.DOUBLE_OUTLINE |
              OutputFormat.FANCY_GRID | OutputFormat.FANCY_OUTLINE | OutputFormat.GITHUB |
              OutputFormat.GRID | OutputFormat.HEAVY_GRID | OutputFormat.HEAVY_OUTLINE |
              OutputFormat.HTML | OutputFormat.LATEX | OutputFormat.LATEX_BOOKTABS |
              OutputFormat.LATEX_LONGTABLE | OutputFormat.MIXED_GRID | OutputFormat.MIXED_OUTLINE |
              OutputFormat.OUTLINE | OutputFormat.PIPE | OutputFormat.PLAIN | OutputFormat.PRESTO |
              OutputFormat.PRETTY | OutputFormat.PSQL | OutputFormat.ROUNDED_GRID |
              OutputFormat.ROUNDED_OUTLINE | OutputFormat.RST | OutputFormat.SIMPLE |
              OutputFormat.SIMPLE_GRID | OutputFormat.SIMPLE_OUTLINE):
            from tindex.render import tabulated as module  # type: ignore[no-redef]
        case _:
            assert_never(options.fmt)
    module.render(result, options, out)


def render_binary(result: Table | Profile, options: RenderOptions, out: BinaryIO) -> None:
    """Write a result as a binary file format (xlsx)."""
    from tindex.render import xlsx  # type: ignore[attr-defined, unused-ignore]

    xlsx.render(result, options, out)

