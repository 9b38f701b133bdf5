"""Turn results into plain rows: the shared step behind CSV, TSV, JSON and tabulate."""

from __future__ import annotations

from typing import Any

import pandas as pd

from tindex.core import Citation, Profile, Report


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values, missing values as None."""
    plain = frame.astype(object).where(frame.notna(), None)
    return [
        {str(k): _plain(v) for k, v in row.items()}
        for row in plain.to_dict(orient="records")
    ]


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return value


def profile_rows(profile: Profile) -> pd.DataFrame:
    """A profile in long form: section, item, field, value (one fact per row)."""
    rows: list[tuple[str, str, str, Any]] = []
    for key, _label, value in profile.summary:
        rows.append(("summary", key, "value", value))
    for section in profile.sections:
        if section.frame is not None and not section.frame.empty:
            first = str(section.frame.columns[0])
            for record in records(section.frame):
                item = record.pop(first)
                for field, value in record.items():
                    rows.append((section.key, str(item), field, value))
        for number, line in enumerate(section.lines, start=1):
            rows.append((section.key, str(number), "text", line))
    for citation in profile.citations:
        for field in ("title", "publisher", "date", "url"):
            rows.append(("sources", citation.source_id, field, getattr(citation, field)))
    return pd.DataFrame(rows, columns=["section", "item", "field", "value"])


def profile_object(profile: Profile) -> dict[str, Any]:
    """A profile as one JSON-ready object."""
    return {
        "title": profile.title,
        "summary": {key: value for key, _label, value in profile.summary},
        "sections": {
            section.key: {
                "heading": section.heading,
                "rows": records(section.frame) if section.frame is not None else [],
                "lines": section.lines,
            }
            for section in profile.sections
        },
        "sources": [citation.__dict__ for citation in profile.citations],
    }


# -- views for people (terminal tables, Markdown, tabulate's formats) ----------------------


def people_frame(report: Report) -> pd.DataFrame:
    """The report's table without the columns only machines need (codes, ids, context)."""
    return report.frame.drop(columns=[c for c in report.context_columns if c in report.frame])


def section_frame(frame: pd.DataFrame, citations: list[Citation]) -> pd.DataFrame:
    """A profile section with source ids replaced by the numbers of the source list."""
    if "source_id" not in frame:
        return frame
    numbers = {c.source_id: f"[{n}]" for n, c in enumerate(citations, start=1)}
    return frame.assign(source_id=frame["source_id"].map(numbers)).rename(
        columns={"source_id": "source"})


def summary_column(key: str) -> str:
    """The display rule for a summary value: changes get a sign, the rest as they are."""
    return "change" if key.endswith("change") else key
