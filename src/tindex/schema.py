"""What every data file must look like: columns, types and allowed values.

Kept free of pandas so that `--help`, `--version` and shell completion can read it
without paying for the pandas import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# The OMCT Global Torture Index's ordinal scales, lowest risk / most open first.
RISK_LEVELS: tuple[str, ...] = ("Low", "Moderate", "Considerable", "High", "Very High")
TRANSPARENCY_RATINGS: tuple[str, ...] = (
    "Suppressive",
    "Concealed",
    "Circumscribed",
    "Accessible",
    "Transparent",
)
INDEX_IDS: tuple[str, ...] = ("csp", "gti")
OVERALL_PILLAR = 0  # pillar number used for the overall GTI level in pillars.csv


class Kind(Enum):
    """How a column's cells are parsed and checked."""

    TEXT = "text"
    INT = "integer"
    FLOAT = "number"
    DATE = "date"  # YYYY, YYYY-MM or YYYY-MM-DD
    URL = "url"
    ISO3 = "ISO 3166-1 alpha-3 code"
    ISO3_LIST = "';'-separated ISO 3166-1 alpha-3 codes"
    SOURCE = "source id"
    SOURCE_LIST = "';'-separated source ids"
    RISK = "risk level"
    RATING = "transparency rating"
    INDEX = "index id"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True  # a cell may not be empty
    categorical: bool = False  # read as pandas 'category' (repeated text in large tables)
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str  # file stem: data/<name>.csv
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # columns that identify a row: no two rows may share them
    needs_rows: bool = False  # a header-only file is a problem

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)



def _country_columns() -> tuple[Column, Column]:
    return (
        Column("country", Kind.TEXT, categorical=True),
        Column("iso3", Kind.ISO3, categorical=True),
    )


SOURCES = TableSpec(
    "sources",
    (
        Column("source_id", Kind.TEXT),
        Column("title", Kind.TEXT),
        Column("publisher", Kind.TEXT),
        Column("date", Kind.DATE),
        Column("url", Kind.URL),
        Column("note", Kind.TEXT, required=False),
    ),
    key=("source_id",),
    needs_rows=True,
)

INDEX_SCORES = TableSpec(
    "index_scores",
    (
        *_country_columns(),
        Column("year", Kind.INT, minimum=1, maximum=9999),
        Column("score", Kind.FLOAT),
        Column("source_id", Kind.SOURCE, categorical=True),
    ),
    key=("iso3", "year"),
    needs_rows=True,
)

PILLARS = TableSpec(
    "pillars",
    (
        Column("edition", Kind.INT, minimum=1, maximum=9999),
        *_country_columns(),
        Column("pillar", Kind.INT, minimum=0, maximum=99),
        Column("pillar_name", Kind.TEXT, categorical=True),
        Column("level", Kind.RISK),
        Column("source_id", Kind.SOURCE, categorical=True),
    ),
    key=("edition", "iso3", "pillar"),
)

TRANSPARENCY = TableSpec(
    "transparency",
    (
        Column("edition", Kind.INT, minimum=1, maximum=9999),
        *_country_columns(),
        Column("rating", Kind.RATING),
        Column("source_id", Kind.SOURCE, categorical=True),
    ),
    key=("edition", "iso3"),
)

GTI_PILLARS = TableSpec(
    "gti_pillars",
    (
        Column("pillar", Kind.INT, minimum=1, maximum=99),
        Column("name", Kind.TEXT),
        Column("description", Kind.TEXT),
        Column("source_id", Kind.SOURCE),
    ),
    key=("pillar",),
)

INDICES = TableSpec(
    "indices",
    (
        Column("index", Kind.INDEX),
        Column("name", Kind.TEXT),
        Column("publisher", Kind.TEXT),
        Column("scale", Kind.TEXT),
        Column("description", Kind.TEXT),
        Column("source_id", Kind.SOURCE),
    ),
    key=("index",),
)

FACTS = TableSpec(
    "facts",
    (
        *_country_columns(),
        Column("fact_id", Kind.TEXT),
        Column("label", Kind.TEXT),
        Column("value", Kind.TEXT),
        Column("unit", Kind.TEXT, required=False),
        Column("period", Kind.TEXT, required=False),
        Column("source_id", Kind.SOURCE),
    ),
    key=("iso3", "fact_id", "period"),
)

DRIVERS = TableSpec(
    "drivers",
    (
        Column("index", Kind.INDEX),
        *_country_columns(),
        Column("year", Kind.INT, minimum=1, maximum=9999),
        Column("stated_change", Kind.FLOAT, required=False),
        Column("summary", Kind.TEXT),
        Column("source_id", Kind.SOURCE),
    ),
    key=("index", "iso3", "year"),
)

CAVEATS = TableSpec(
    "caveats",
    (
        Column("caveat_id", Kind.TEXT),
        Column("index", Kind.INDEX, required=False),
        Column("iso3", Kind.ISO3, required=False),
        Column("year", Kind.INT, required=False, minimum=1, maximum=9999),
        Column("text", Kind.TEXT),
        Column("source_ids", Kind.SOURCE_LIST),
    ),
    key=("caveat_id",),
)

RECOMMENDATIONS = TableSpec(
    "recommendations",
    (
        Column("rec_id", Kind.TEXT),
        Column("applies_to", Kind.ISO3_LIST),
        Column("number", Kind.INT, minimum=1, maximum=999),
        Column("text", Kind.TEXT),
        Column("source_id", Kind.SOURCE),
    ),
    key=("rec_id",),
)

ALIASES = TableSpec(
    "aliases",
    (
        Column("alias", Kind.TEXT),
        Column("iso3", Kind.ISO3),
        Column("note", Kind.TEXT, required=False),
    ),
    key=("alias",),
)

ALL_TABLES: tuple[TableSpec, ...] = (
    SOURCES,
    INDEX_SCORES,
    PILLARS,
    TRANSPARENCY,
    GTI_PILLARS,
    INDICES,
    FACTS,
    DRIVERS,
    CAVEATS,
    RECOMMENDATIONS,
    ALIASES,
)
