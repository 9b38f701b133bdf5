"""tabulate's formats (github, grid, latex, html, rst, ...): every column, then the notes.

No format drops source_id or caveat_ids. HTML gets its notes and sources as ordered lists
under the table, LaTeX as a paragraph, the text formats as plain lines.
"""

from __future__ import annotations

import html
from typing import TextIO

from tabulate import tabulate

from tindex.core.result import Note, Profile, Table
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, display_rows
from tindex.render.formats import MARKUP_TABULATE_FORMATS, OutputFormat
from tindex.render.markdown import escape, notes_blocks
from tindex.render.plain import note_text, profile_table

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


_LATEX_TABLE = str.maketrans(_LATEX_SPECIAL)  # one C pass rather than a call per character


def _latex(text: str) -> str:
    return clean_text(text).translate(_LATEX_TABLE)


def _note_items(table: Table) -> tuple[list[str], list[str]]:
    notes = [*(note_text(n) for n in table.notes),
             *[f"{c.caveat_id}: {note_text(Note(c.text, c.source_ids))}" for c in table.caveats]]
    sources = [f"{c.source_id}: {c.reference} {c.url}" for c in table.citations]
    return notes, sources


def render(result: Table | Profile, options: RenderOptions, out: TextIO) -> None:
    table = result if isinstance(result, Table) else profile_table(result)
    columns = [str(c) for c in table.frame.columns]
    markup = options.fmt.value in MARKUP_TABULATE_FORMATS
    cell = escape if markup else clean_text
    rows = display_rows(table.frame, [table.role(c) for c in columns], cell)
    numeric = [table.role(c).is_numeric for c in columns]
    text = tabulate(rows, headers=[cell(c) for c in columns], tablefmt=options.fmt.value,
                    disable_numparse=True,
                    colalign=["right" if n else "left" for n in numeric] if columns else None)
    if options.fmt is OutputFormat.HTML:  # a caption, as Markdown has its heading
        out.write(f"<h3>{html.escape(clean_text(table.title))}</h3>\n")
    out.write(text + "\n")
    notes, sources = _note_items(table)
    if options.fmt is OutputFormat.HTML:
        for heading, items in (("Notes", notes), ("Sources", sources)):
            if items:
                out.write(f"<p>{heading}:</p>\n<ol>\n" + "".join(
                    f"<li>{html.escape(clean_text(item))}</li>\n" for item in items) + "</ol>\n")
    elif options.fmt.value.startswith("latex"):
        for heading, items in (("Notes", notes), ("Sources", sources)):
            if items:
                out.write(f"\n\\paragraph{{{heading}}} " + " ".join(
                    f"({n}) {_latex(item)}" for n, item in enumerate(items, start=1)) + "\n")
    elif markup:
        blocks = notes_blocks(table.caveats, table.notes, table.citations)
        if blocks:
            out.write("\n" + "\n\n".join(blocks) + "\n")
    else:
        for heading, items in (("Notes", notes), ("Sources", sources)):
            if items:
                out.write(f"\n{heading}:\n" + "".join(
                    f"{n}. {clean_text(item)}\n" for n, item in enumerate(items, start=1)))
