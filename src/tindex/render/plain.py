"""Results as plain rows and objects: the shared step behind CSV, TSV, JSON, tabulate, xlsx."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from tindex.core.result import Caveat, Citation, Note, Profile, Role, Table
from tindex.render.cells import frame_rows, map_distinct


def note_text(note: Note) -> str:
    """A note as one line of plain text: 'text [key; key] (caveat: id)'."""
    text = f"{note.text} [{'; '.join(note.source_ids)}]" if note.source_ids else note.text
    return text + caveats_named(note)


_PLAIN_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{0,14}[1-9])?")


def number_or_text(value: Any) -> Any:
    """A published figure held as text ('7728', '20.5') as a number when it is written the
    way Python writes that number back (so a CSV shows the same characters); other text
    ('Ratified', '40-50', '007') as it is."""
    if not isinstance(value, str) or not _PLAIN_NUMBER.fullmatch(value) or value == "-0":
        return value
    if "." not in value:
        return int(value)
    number = float(value)
    return number if repr(number) == value else value


def caveats_named(note: Note) -> str:
    """' (caveat: id)' after a note that names caveats, else ''."""
    if not note.caveat_ids:
        return ""
    return f" (caveat{'s' if len(note.caveat_ids) > 1 else ''}: {', '.join(note.caveat_ids)})"


def plain(value: Any) -> Any:
    """A cell as a plain Python value: None for missing (and non-finite), lists for ids."""
    if isinstance(value, (tuple, list)):
        return [str(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (each column converted once per distinct value)."""
    columns = [str(c) for c in frame.columns]
    values = [map_distinct(column, plain) for _, column in frame.items()]
    return [dict(zip(columns, row, strict=True)) for row in frame_rows(values, len(frame))]


def profile_table(profile: Profile, numbers: bool = False) -> Table:
    """A profile in long form: section, item, field, value (one fact per row). numbers: a
    figure published as text ('7728') becomes a number, for a workbook (text formats
    print it as published)."""
    rows: list[tuple[str, str, str, Any]] = []
    for headline in profile.summary:
        rows.append(("summary", headline.key, "value", headline.value))
        rows += _id_rows("summary", headline.key, headline.source_ids, headline.caveat_ids)
    for section in profile.sections:
        if section.table is not None and not section.table.frame.empty:
            first = str(section.table.frame.columns[0])
            for record in records(section.table.frame):
                item = record.pop(first)
                for field, value in record.items():
                    if numbers and section.table.role(field) is Role.VALUE:
                        value = number_or_text(value)
                    rows.append((section.key, str(item), field, value))
        for number, line in enumerate(section.lines, start=1):
            rows.append((section.key, str(number), "text", line.text))
            rows += _id_rows(section.key, str(number), line.source_ids, line.caveat_ids)
    for caveat in profile.caveats:  # every text: a row's caveat_ids resolve in the same file
        part = "general_caveats" if caveat.general else "caveats"
        if caveat.general:
            rows.append((part, caveat.caveat_id, "index", caveat.index))
        rows.append((part, caveat.caveat_id, "text", caveat.text))
        rows.append((part, caveat.caveat_id, "source_ids", list(caveat.source_ids)))
    for citation in profile.citations:
        for field in ("title", "publisher", "date", "url"):
            rows.append(("sources", citation.source_id, field, getattr(citation, field)))
    frame = pd.DataFrame(rows, columns=["section", "item", "field", "value"])
    frame["value"] = [";".join(v) if isinstance(v, list) else v for v in frame["value"]]
    return Table(title=profile.title, frame=frame, roles={"section": Role.LABEL, "item": Role.LABEL,
                 "field": Role.LABEL, "value": Role.TEXT}, citations=profile.citations,
                 caveats=profile.caveats)


def _id_rows(section: str, item: str, source_ids: tuple[str, ...], caveat_ids: tuple[str, ...]
             ) -> list[tuple[str, str, str, Any]]:
    """The long-form rows after a figure or line: the ids it cites, where it cites any."""
    return [(section, item, field, list(ids))
            for field, ids in (("source_ids", source_ids), ("caveat_ids", caveat_ids)) if ids]


def caveat_object(caveat: Caveat) -> dict[str, Any]:
    return {"caveat_id": caveat.caveat_id, "index": caveat.index, "iso3": caveat.iso3,
            "year": caveat.year, "text": caveat.text, "source_ids": list(caveat.source_ids)}


def citation_object(citation: Citation) -> dict[str, str]:
    return {"source_id": citation.source_id, "title": citation.title,
            "publisher": citation.publisher, "date": citation.date, "url": citation.url}


def profile_object(profile: Profile) -> dict[str, Any]:
    """A profile as one JSON-ready object with stable machine keys for its sections."""
    return {
        "title": profile.title,
        "summary": {h.key: plain(h.value) for h in profile.summary},
        # What each headline figure rests on, by its summary key (a separate object keeps
        # "summary" a flat map of values).
        "summary_ids": {h.key: {"source_ids": list(h.source_ids), "caveat_ids": list(h.caveat_ids)}
                        for h in profile.summary if h.source_ids or h.caveat_ids},
        "sections": {
            section.key: {
                "heading": section.heading,
                "rows": records(section.table.frame) if section.table is not None else [],
                "lines": [{"text": line.text, "source_ids": list(line.source_ids),
                           "caveat_ids": list(line.caveat_ids)} for line in section.lines],
            }
            for section in profile.sections
        },
        "caveats": [caveat_object(c) for c in profile.caveats],
        "general_caveat_ids": [c.caveat_id for c in profile.caveats if c.general],
        "sources": [citation_object(c) for c in profile.citations],
    }


def specific_and_general(caveats: list[Caveat]) -> tuple[list[Caveat], list[Caveat]]:
    return [c for c in caveats if not c.general], [c for c in caveats if c.general]
