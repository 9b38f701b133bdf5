"""Markdown: GitHub-style pipe tables; for explain, a shareable brief with numbered sources.

Cells are escaped so that data cannot open links, emphasis, HTML or break a table.
"""

from __future__ import annotations

import re
from typing import TextIO

import pandas as pd

from tindex.core import Citation, Profile, Report
from tindex.render import RenderOptions
from tindex.render.cells import clean_text, display
from tindex.render.sparkline import sparkline

_PLAIN_URL = re.compile(r"https?://[^\s<>`\x00-\x1f\x7f-\x9f]+")
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape(text: str) -> str:
    """Backslash-escape Markdown punctuation; keep each cell on one line."""
    return _SPECIAL.sub(r"\\\1", clean_text(text))


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


def _sources(citations: list[Citation]) -> list[str]:
    return [f"{n}. {escape(c.title)}. {escape(c.publisher)}, {escape(c.date)}. {_link(c.url)} "
            f"\\[{escape(c.source_id)}\\]" for n, c in enumerate(citations, start=1)]


def render_report(report: Report, options: RenderOptions, out: TextIO) -> None:
    shown = report.frame.drop(columns=[c for c in report.context_columns if c in report.frame])
    parts = [f"### {escape(report.title)}", "", pipe_table(shown)]
    if report.notes:
        parts += ["", *[f"- Note: {escape(note)}" for note in report.notes]]
    if report.citations:
        parts += ["", "Sources:", "", *_sources(report.citations)]
    out.write("\n".join(parts) + "\n")


def render_profile(profile: Profile, options: RenderOptions, out: TextIO) -> None:
    parts = [f"# {escape(profile.title)}", ""]
    parts += [f"- **{escape(label)}:** {escape(display(value, 'change' if key.endswith('change') else key))}"
              for key, label, value in profile.summary]
    for section in profile.sections:
        parts += ["", f"## {escape(section.heading)}", ""]
        if section.trend is not None and len(section.trend) > 1:
            parts += [f"Trend: {sparkline(section.trend)}", ""]
        if section.frame is not None and not section.frame.empty:
            parts += [pipe_table(section.frame), ""]
        parts += [f"- {escape(line)}" for line in section.lines]
    if profile.citations:
        parts += ["", "## Sources", "", *_sources(profile.citations)]
    out.write("\n".join(parts).rstrip("\n") + "\n")
