"""What core hands to renderers: plain tables with typed column roles, citations and caveats.

Core never decides how a result is shown; renderers never know core's column names. A
column's role says what kind of value it holds, and each renderer decides what that
means for its format (a sign on a change, two decimals, a list of ids joined by ';').
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple


class Role(StrEnum):
    LABEL = "label"  # a name a person reads first (country, pillar)
    CODE = "code"  # an identifier machines join on (iso3): context, not for people's tables
    YEAR = "year"
    INTEGER = "integer"  # ranks, counts
    NUMBER = "number"  # a published value, two decimals for people
    SIGNED = "signed"  # a change: always with its sign
    SIGNED_INTEGER = "signed integer"  # a rank change
    PERCENT = "percent"
    LEVEL = "level"  # an ordinal level as published
    ORDER = "order"  # a level's position on its scale: context for sorting tools
    TEXT = "text"
    VALUE = "value"  # a figure as published: a number where it is one ('7728'), else text
    SOURCES = "sources"  # source ids: one string ('a;b') or a tuple of strings
    CAVEATS = "caveats"  # caveat ids: a tuple of strings
    UNIT = "unit"  # qualifies the value column before it ("million", "%")
    PERIOD = "period"  # the time a value refers to ("2024", "2012-2025")

    @property
    def is_context(self) -> bool:
        """Columns that identify or cite rather than state a figure (codes, orders, ids),
        which a table for people may leave to its notes."""
        return self in (Role.CODE, Role.ORDER, Role.SOURCES, Role.CAVEATS)

    @property
    def is_ids(self) -> bool:
        return self in (Role.SOURCES, Role.CAVEATS)

    @property
    def is_numeric(self) -> bool:
        return self in (Role.YEAR, Role.INTEGER, Role.NUMBER, Role.SIGNED, Role.SIGNED_INTEGER,
                        Role.PERCENT, Role.ORDER)


@dataclass(frozen=True)
class Citation:
    source_id: str
    title: str
    publisher: str
    date: str
    url: str
    copy_of: str = ""  # the source this one copies (a copy folds into it in short lists)

    def __str__(self) -> str:
        return f"{self.reference} {self.url} [{self.source_id}]"

    @property
    def reference(self) -> str:
        """Title. Publisher, date. (one full stop after a date of n.d.)"""
        text = f"{self.title}. {self.publisher}, {self.date}"
        return text if text.endswith(".") else text + "."

    @property
    def short(self) -> str:
        """Publisher (its first part), year and key: one line, for under a table."""
        publisher = self.publisher.split(" (")[0].split(",")[0]
        return f"{publisher}, {self.date[:4]} [{self.source_id}]"


@dataclass(frozen=True)
class Caveat:
    caveat_id: str
    text: str
    source_ids: tuple[str, ...]
    index: str | None = None
    iso3: str | None = None
    year: int | None = None
    about_change: bool = False  # about the change into `year`, not about its figures

    @property
    def general(self) -> bool:
        """About an index (or an edition of it) as a whole, not about one country."""
        return self.iso3 is None


@dataclass(frozen=True)
class Note:
    """A sentence under a table or in a profile, with the sources it rests on (kept apart
    from the text, so each format can cite in its own way)."""

    text: str
    source_ids: tuple[str, ...] = ()
    caveat_ids: tuple[str, ...] = ()  # the caveats about what it says


@dataclass
class Table:
    """One table and what a reader needs around it."""

    title: str
    frame: Any  # a pandas DataFrame (Any here so that renderers' type hints stay light)
    roles: dict[str, Role]
    citations: list[Citation] = field(default_factory=list)
    caveats: list[Caveat] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # short facts about the table, drivers
    scale: tuple[str, ...] = ()  # for level columns: the levels from the best to the worst
    # Per-row series of values (sparklines), computed only when a renderer asks.
    history: Callable[[], list[list[float]]] | None = None
    # For columns that hold one country's values: that country's ISO code, so that a
    # caveat about a country (Caveat.iso3) can be placed on its column.
    column_codes: dict[str, str] = field(default_factory=dict)
    # Where the cells of one row come from different sources: (row label, column) -> the
    # source ids of that one value (the row's source_id column joins them all).
    cell_sources: dict[tuple[int, str], tuple[str, ...]] = field(default_factory=dict)
    # Who publishes the index: a value whose sources all have another publisher is a
    # report by someone else (the press, a partner), not the index's own publication.
    publisher: str = ""

    def role(self, column: str) -> Role:
        return self.roles.get(column, Role.TEXT)

    def column_of(self, role: Role) -> str:
        """The first column with this role (a renderer finds a column by what it holds)."""
        found = next((str(c) for c in self.frame.columns if self.role(str(c)) is role), None)
        if found is None:
            raise KeyError(f"no {role.value} column in {list(self.frame.columns)}")
        return found


class Headline(NamedTuple):
    """One headline fact of a profile. A figure names its sources and caveats as a table
    row does, so an export of the summary alone still says where it comes from."""

    key: str  # stable machine name
    label: str
    value: object
    role: Role
    source_ids: tuple[str, ...] = ()
    caveat_ids: tuple[str, ...] = ()


@dataclass
class Section:
    key: str  # stable machine name (JSON key, CSV section column)
    heading: str
    table: Table | None = None
    lines: list[Note] = field(default_factory=list)


@dataclass
class Profile:
    """A readable profile (explain): headline facts, then sections."""

    title: str
    summary: list[Headline]
    sections: list[Section]
    citations: list[Citation]
    caveats: list[Caveat] = field(default_factory=list)


Result = Table | Profile
