"""What every data file must look like: columns, types, allowed values and references.

Kept free of pandas so that `--help`, `--version` and shell completion can read it
without paying for the pandas import. Nothing here names an index: the indices, their
kinds and scales are rows of `indices.csv` and `scales.csv`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """How a column's cells are parsed and checked."""

    TEXT = "text"
    SLUG = "identifier (lowercase letters, digits, '_' or '-')"
    INT = "whole number"
    FLOAT = "number"
    DATE = "date"  # YYYY, YYYY-MM or YYYY-MM-DD, or n.d. where the publisher gives none
    URL = "url"
    ISO3 = "ISO 3166-1 alpha-3 code"
    ISO3_LIST = "';'-separated ISO 3166-1 alpha-3 codes"
    SOURCE = "source id"
    SOURCE_LIST = "';'-separated source ids"
    CAVEAT_LIST = "';'-separated caveat ids"
    CHOICE = "choice"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True  # a cell may not be empty
    categorical: bool = False  # read as pandas 'category' (repeated text in large tables)
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()  # Kind.CHOICE: the allowed values
    optional_column: bool = False  # the file may leave the whole column out


@dataclass(frozen=True)
class TableSpec:
    name: str  # file stem: data/<name>.csv
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # columns that identify a row: no two rows may share them
    needs_rows: bool = False  # a header-only file is a problem
    required_file: bool = False  # a data directory without this file is incomplete

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def has_countries(self) -> bool:
        return any(c.name == "iso3" for c in self.columns)


# A table keyed by country may also carry a `country` column for people editing the file;
# when present it must name the same country as countries.csv does for that code.
COUNTRY_NAME = Column("country", Kind.TEXT, categorical=True, optional_column=True)
YEAR = Column("year", Kind.INT, minimum=1, maximum=9999, categorical=True)

SOURCES = TableSpec(
    "sources",
    (
        Column("source_id", Kind.SLUG),
        Column("title", Kind.TEXT),
        Column("publisher", Kind.TEXT),
        Column("date", Kind.DATE),
        Column("url", Kind.URL),
        Column("note", Kind.TEXT, required=False),
        Column("copy_of", Kind.SLUG, required=False, optional_column=True),
    ),
    key=("source_id",),
    needs_rows=True,
    required_file=True,
)

COUNTRIES = TableSpec(
    "countries",
    (
        Column("iso3", Kind.ISO3),
        Column("name", Kind.TEXT),
        Column("kind", Kind.CHOICE, choices=("name", "alias")),
        Column("note", Kind.TEXT, required=False),
    ),
    key=("name",),
    needs_rows=True,
    required_file=True,
)

INDICES = TableSpec(
    "indices",
    (
        Column("index", Kind.SLUG),
        Column("kind", Kind.CHOICE, choices=("score", "level")),
        Column("better", Kind.CHOICE, choices=("higher", "lower")),
        Column("minimum", Kind.FLOAT, required=False),
        Column("maximum", Kind.FLOAT, required=False),
        Column("year_means", Kind.TEXT),
        Column("name", Kind.TEXT),
        Column("publisher", Kind.TEXT),
        Column("description", Kind.TEXT),
        Column("source_id", Kind.SOURCE),
    ),
    key=("index",),
    needs_rows=True,
    required_file=True,
)

SCALES = TableSpec(
    "scales",
    (
        Column("index", Kind.SLUG),
        Column("position", Kind.INT, minimum=1, maximum=99),
        Column("level", Kind.TEXT),
    ),
    key=("index", "position"),
    needs_rows=True,
)

RELEASES = TableSpec(
    "releases",
    (
        Column("index", Kind.SLUG),
        Column("release", Kind.INT, minimum=1, maximum=9999),
        Column("source_id", Kind.SOURCE),
        Column("note", Kind.TEXT, required=False),
    ),
    key=("index", "release"),
    needs_rows=True,
)

INDEX_SCORES = TableSpec(
    "index_scores",
    (
        Column("index", Kind.SLUG, categorical=True),
        COUNTRY_NAME,
        Column("iso3", Kind.ISO3, categorical=True),
        YEAR,
        Column("score", Kind.FLOAT),
        # The publisher's uncertainty interval around the score, where it gives one.
        Column("low", Kind.FLOAT, required=False, optional_column=True),
        Column("high", Kind.FLOAT, required=False, optional_column=True),
        Column("release", Kind.INT, minimum=1, maximum=9999, categorical=True,
               optional_column=True),
        Column("source_id", Kind.SOURCE, categorical=True),
    ),
    key=("index", "iso3", "year", "release"),
    needs_rows=True,
)

INDEX_LEVELS = TableSpec(
    "index_levels",
    (
        Column("index", Kind.SLUG, categorical=True),
        COUNTRY_NAME,
        Column("iso3", Kind.ISO3, categorical=True),
        YEAR,
        Column("component", Kind.INT, required=False, minimum=1, maximum=99),
        Column("level", Kind.TEXT, categorical=True),
        Column("source_id", Kind.SOURCE, categorical=True),
    ),
    key=("index", "iso3", "year", "component"),
    needs_rows=True,
)

COMPONENTS = TableSpec(
    "components",
    (
        Column("index", Kind.SLUG),
        Column("component", Kind.INT, minimum=1, maximum=99),
        Column("name", Kind.TEXT),
        Column("description", Kind.TEXT),
        Column("source_id", Kind.SOURCE),
    ),
    key=("index", "component"),
    needs_rows=True,
)

COVERAGE = TableSpec(
    "coverage",
    (
        Column("index", Kind.SLUG),
        Column("year", Kind.INT, minimum=1, maximum=9999),
        Column("measured", Kind.INT, minimum=0, maximum=999),
        Column("source_id", Kind.SOURCE),
        Column("note", Kind.TEXT, required=False),
    ),
    key=("index", "year"),
)

FACTS = TableSpec(
    "facts",
    (
        COUNTRY_NAME,
        Column("iso3", Kind.ISO3, categorical=True),
        Column("fact_id", Kind.SLUG),
        Column("label", Kind.TEXT),
        Column("value", Kind.TEXT),
        Column("unit", Kind.TEXT, required=False),
        Column("period", Kind.TEXT, required=False),
        Column("source_id", Kind.SOURCE),
        Column("caveat_ids", Kind.CAVEAT_LIST, required=False, optional_column=True),
    ),
    key=("iso3", "fact_id", "period"),
)

DRIVERS = TableSpec(
    "drivers",
    (
        Column("index", Kind.SLUG),
        COUNTRY_NAME,
        Column("iso3", Kind.ISO3),
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
        Column("caveat_id", Kind.SLUG),
        Column("index", Kind.SLUG, required=False),
        Column("country", Kind.TEXT, required=False, categorical=True, optional_column=True),
        Column("iso3", Kind.ISO3, required=False),
        Column("year", Kind.INT, required=False, minimum=1, maximum=9999),
        Column("about", Kind.CHOICE, choices=("figures", "change"), required=False,
               optional_column=True),
        Column("text", Kind.TEXT),
        Column("source_ids", Kind.SOURCE_LIST),
    ),
    key=("caveat_id",),
)

RECOMMENDATIONS = TableSpec(
    "recommendations",
    (
        Column("rec_id", Kind.SLUG),
        Column("applies_to", Kind.ISO3_LIST),
        Column("number", Kind.INT, minimum=1, maximum=999),
        Column("text", Kind.TEXT),
        Column("source_id", Kind.SOURCE),
        Column("caveat_ids", Kind.CAVEAT_LIST, required=False, optional_column=True),
    ),
    key=("rec_id",),
)

ALL_TABLES: tuple[TableSpec, ...] = (
    SOURCES,
    COUNTRIES,
    INDICES,
    SCALES,
    RELEASES,
    INDEX_SCORES,
    INDEX_LEVELS,
    COMPONENTS,
    COVERAGE,
    FACTS,
    DRIVERS,
    CAVEATS,
    RECOMMENDATIONS,
)

# Tables whose `index` column names an index of indices.csv, and the kind it must have.
INDEX_KIND: dict[str, str | None] = {
    "scales": "level",
    "releases": None,
    "index_scores": "score",
    "index_levels": "level",
    "components": "level",
    "coverage": None,
    "drivers": "score",
    "caveats": None,
}


def id_list(cell: object) -> tuple[str, ...]:
    """The ids in a ';'-separated cell (source_ids, caveat_ids), stripped; () for an empty
    or missing cell. The reader has already refused a malformed list."""
    if not isinstance(cell, str):
        return ()
    return tuple(part.strip() for part in cell.split(";") if part.strip())
