"""Markdown: GitHub-style pipe tables; for explain, a shareable brief with numbered sources.

Text from data is escaped just enough that it cannot make a link, emphasis, code, HTML,
strikethrough or a new block, nor break a table, while plain prose such as
"Low < High (2024): +3.5" stays readable in the Markdown source too.
"""

from __future__ import annotations

import re
from typing import TextIO

import pandas as pd

from tindex.core import Citation, Profile, Report
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, display
from tindex.render.flatten import people_frame, section_frame, summary_column
from tindex.render.sparkline import sparkline

_PLAIN_URL = re.compile(r"https?://[^\s<>`\x00-\x1f\x7f-\x9f]+")
# Characters that act anywhere in a line: \ ` * [ ] | ~ always; '_' unless inside a word
# (intraword underscores cannot emphasise); '<' when it could start HTML or an autolink;
# '&' when it would start an entity such as &copy;.
_INLINE = re.compile(r"[\\`*\[\]|~]|(?<!\w)_|_(?!\w)|<(?=[A-Za-z/!?])|&(?=#?\w+;)")
# What would open a block at the start of a list item: a heading, a quote, a list marker
# ("-", "+", "1." or "1)" before a space) or a thematic break ("---").
_BLOCK_START = re.compile(r"[#>]|[+-](?=\s|-|$)|\d{1,9}(?=[.)](\s|$))")


def escape(text: str) -> str:
    """Escape Markdown in text that sits inside a line (a table cell, after a label)."""
    return _INLINE.sub(r"\\\g<0>", clean_text(text))


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


def pipe_table(frame: pd.DataFrame) -> str:
    columns = [str(c) for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = [
        "| " + " | ".join(escape(c) for c in columns) + " |",
        "| " + " | ".join("---:" if n else "---" for n in numeric) + " |",
    ]
    for row in frame.itertuples(index=False, name=None):
        cells = [escape(display(value, column)) for value, column in zip(row, columns, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _link(url: str) -> str:
    """An autolink when the URL is plain; escaped text when it could break out of <...>."""
    return f"<{url}>" if _PLAIN_URL.fullmatch(url) else escape(url)


def _sources(citations: list[Citation]) -> str:
    return "\n".join(
        f"{n}. {escape_block(c.title)}. {escape(c.publisher)}, {escape(c.date)}. {_link(c.url)} "
        f"\\[{escape(c.source_id)}\\]" for n, c in enumerate(citations, start=1))


def _bullets(lines: list[str], prefix: str = "") -> str:
    return "\n".join(f"- {prefix}{escape(line)}" if prefix else f"- {escape_block(line)}"
                     for line in lines)


def _write(blocks: list[str], out: TextIO) -> None:
    """Blocks separated by exactly one blank line, so every table and list stands alone."""
    out.write("\n\n".join(block for block in blocks if block) + "\n")


def render_report(report: Report, options: RenderOptions, out: TextIO) -> None:
    blocks = [heading(3, report.title), pipe_table(people_frame(report)), _bullets(report.notes, "Note: ")]
    if report.citations:
        blocks += ["Sources:", _sources(report.citations)]
    _write(blocks, out)


def render_profile(profile: Profile, options: RenderOptions, out: TextIO) -> None:
    summary = "\n".join(
        f"- **{escape(label)}:** {escape(display(value, summary_column(key)))}"
        for key, label, value in profile.summary)
    blocks = [heading(1, profile.title), summary]
    for section in profile.sections:
        blocks.append(heading(2, section.heading))
        if section.trend is not None and len(section.trend) > 1:
            blocks.append(f"Trend: {sparkline(section.trend)}")
        if section.frame is not None and not section.frame.empty:
            blocks.append(pipe_table(section_frame(section.frame, profile.citations)))
        blocks.append(_bullets(section.lines))
    if profile.citations:
        blocks += [heading(2, "Sources"), _sources(profile.citations)]
    _write(blocks, out)
