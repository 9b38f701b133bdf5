"""Markdown: GitHub-style pipe tables; for explain, a shareable brief with numbered sources.

Text from data is escaped just enough that it cannot make a link, emphasis, code, HTML,
strikethrough or a new block, nor break a table, while plain prose such as
"Low < High (2024): +3.5" stays readable in the Markdown source too.
"""

from __future__ import annotations

import re
from typing import TextIO

from tindex.core.result import Caveat, Citation, Note, Profile, Table
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, display, display_rows
from tindex.render.plain import caveats_named

_PLAIN_URL = re.compile(r"https?://[^\s<>`\x00-\x1f\x7f-\x9f]+")
# Characters that act anywhere in a line: \ ` * [ ] | ~ always; '_' unless inside a word
# (intraword underscores cannot emphasise); '<' when it could start HTML or an autolink;
# '&' when it would start an entity such as &copy;.
_INLINE = re.compile(r"[\\`*\[\]|~]|(?<!\w)_|_(?!\w)|<(?=[A-Za-z/!?])|&(?=#?\w+;)")
# What would open a block at the start of a list item: a heading, a quote, a list marker
# ("-", "+", "1." or "1)" before a space) or a thematic break ("---").
_BLOCK_START = re.compile(r"[#>]|[+-](?=\s|-|$)|\d{1,9}(?=[.)](\s|$))")


# Every match of _INLINE holds one of these: text without them is left as it is, and this
# plain character class finds that out several times faster than _INLINE.sub.
_MAY_ACT = re.compile(r"[\\`*\[\]|~_<&]")


def escape(text: str) -> str:
    """Escape Markdown in text that sits inside a line (a table cell, after a label)."""
    cleaned = clean_text(text)
    return _INLINE.sub(r"\\\g<0>", cleaned) if _MAY_ACT.search(cleaned) else cleaned


def escape_block(text: str) -> str:
    """Escape text that starts a block (a list item, a paragraph), so it stays a paragraph."""
    escaped = escape(text.lstrip())
    start = _BLOCK_START.match(escaped)
    if start is None:
        return escaped
    if start.group(0).isdigit():  # "1." would start an ordered list
        end = start.end()
        return escaped[:end] + "\\" + escaped[end:]
    return "\\" + escaped


def heading(level: int, text: str) -> str:
    """A heading; '#' is escaped too, since a trailing ' #' would be dropped as a closer."""
    return "#" * level + " " + escape(text.strip()).replace("#", "\\#")


def pipe_table(table: Table) -> str:
    columns = [str(c) for c in table.frame.columns]
    numeric = [table.role(c).is_numeric for c in columns]
    lines = [
        "| " + " | ".join(escape(c) for c in columns) + " |",
        "| " + " | ".join("---:" if n else "---" for n in numeric) + " |",
    ]
    lines += ["| " + " | ".join(cells) + " |"
              for cells in display_rows(table.frame, [table.role(c) for c in columns], escape)]
    return "\n".join(lines)


def _link(url: str) -> str:
    """An autolink when the URL is plain; escaped text when it could break out of <...>."""
    return f"<{url}>" if _PLAIN_URL.fullmatch(url) else escape(url)


def cite(note: Note, block: bool = False) -> str:
    """A note as Markdown: its text escaped, its source keys in plain brackets after it
    (no reference definitions are ever written, so '[key]' stays text)."""
    text = escape_block(note.text) if block else escape(note.text)
    keys = "; ".join(escape(k) for k in note.source_ids)
    return (f"{text} [{keys}]" if keys else text) + escape(caveats_named(note))


def notes_blocks(caveats: list[Caveat], lines: list[Note], citations: list[Citation]) -> list[str]:
    """Numbered notes (the caveats, each with its source keys) and the sources they cite."""
    blocks = []
    items = [cite(line, block=True) for line in lines]
    items += [f"{escape(c.caveat_id)}: {cite(Note(c.text, c.source_ids))}" for c in caveats]
    if items:
        blocks += ["Notes:", "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))]
    if citations:
        blocks += ["Sources:", "\n".join(
            f"{n}. {escape(c.source_id)}: {escape(c.reference)} {_link(c.url)}"
            for n, c in enumerate(citations, start=1))]
    return blocks


def _write(blocks: list[str], out: TextIO) -> None:
    """Blocks separated by exactly one blank line, so every table and list stands alone."""
    out.write("\n\n".join(block for block in blocks if block) + "\n")


def render(result: Table | Profile, options: RenderOptions, out: TextIO) -> None:
    if isinstance(result, Table):
        _write([heading(3, result.title), pipe_table(result),
                *notes_blocks(result.caveats, result.notes, result.citations)], out)
        return
    summary = "\n".join(
        f"- **{escape(h.label)}:** "
        f"{cite(Note(display(h.value, h.role), h.source_ids, h.caveat_ids))}"
        for h in result.summary)
    blocks = [heading(1, result.title), summary]
    for section in result.sections:
        blocks.append(heading(2, section.heading))
        if section.table is not None and not section.table.frame.empty:
            blocks.append(pipe_table(section.table))
        blocks.append("\n".join(f"- {cite(line, block=True)}" for line in section.lines))
    notes = notes_blocks(result.caveats, [], result.citations)  # a brief to publish: every text
    blocks += [heading(2, b.rstrip(":")) if b in ("Notes:", "Sources:") else b for b in notes]
    _write(blocks, out)
