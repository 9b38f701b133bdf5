"""The index model over a Dataset: indices declared in data, scores by release, levels on
their scales, countries, caveats and citations. Everything in core works through this.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from tindex import schema
from tindex.core.result import Caveat, Citation
from tindex.data import Dataset
from tindex.errors import DataError, UsageError, did_you_mean, printable

LATEST_BY_PASSES = 16  # up to this many releases, the latest is found one release at a time


@dataclass(frozen=True)
class IndexInfo:
    id: str
    kind: str  # "score" or "level"
    better: str  # "higher" or "lower"
    minimum: float | None
    maximum: float | None
    year_means: str
    name: str
    publisher: str
    description: str
    source_id: str
    levels: tuple[str, ...] = ()  # for level indices: the scale, lowest position first

    @property
    def is_score(self) -> bool:
        return self.kind == "score"

    @property
    def higher_is_better(self) -> bool:
        return self.better == "higher"

    @property
    def best_first(self) -> tuple[str, ...]:
        """The levels from the best to the worst (Low ... Very High for a risk index)."""
        return self.levels[::-1] if self.higher_is_better else self.levels


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str


def year_span(years: Iterable[int]) -> str:
    """2019, 2020, 2021, 2023 -> '2019-2021, 2023'."""
    ordered = sorted({int(y) for y in years})
    if not ordered:
        return "none"
    runs: list[list[int]] = [[ordered[0], ordered[0]]]
    for year in ordered[1:]:
        if year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def coded(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Per cell an integer code (-1: missing), and the text of each code."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categorical: pd.Categorical = column.array
        return np.asarray(categorical.codes), [str(c) for c in categorical.categories]
    codes, uniques = pd.factorize(column)
    return codes, [str(u) for u in uniques]


def year_spans(iso3: pd.Series, years: np.ndarray, chosen: np.ndarray | None = None
               ) -> dict[str, str]:
    """Each country's year_span() of its years (the rows where `chosen`, or all): the
    distinct (country, year) pairs as integer keys, then runs of years cut with array
    comparisons; only the text of each run is made in Python."""
    codes, labels = coded(iso3)
    keep = codes >= 0 if chosen is None else chosen & (codes >= 0)
    codes, years = codes[keep].astype(np.int64), years[keep]
    if len(years) == 0:
        return {}
    low = int(years.min())
    width = int(years.max()) - low + 1
    key = np.unique(codes * width + (years - low))  # distinct (country, year), in order
    code, year = key // width, key % width + low
    first = np.ones(len(key), dtype=np.bool_)  # where a run of consecutive years starts
    first[1:] = (code[1:] != code[:-1]) | (year[1:] != year[:-1] + 1)
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(key)) - 1
    runs: dict[str, list[str]] = {}
    for number, a, b in zip(code[starts].tolist(), year[starts].tolist(), year[ends].tolist(),
                            strict=True):
        runs.setdefault(labels[number], []).append(str(a) if a == b else f"{a}-{b}")
    return {label: ", ".join(parts) for label, parts in runs.items()}


class Model:
    """Read-only views of one data directory, each built once."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    # -- indices ------------------------------------------------------------------------

    @cached_property
    def indices(self) -> dict[str, IndexInfo]:
        """Every declared index, in the order of indices.csv."""
        frame = self.dataset.table(schema.INDICES, "index definitions")
        scales = self.dataset.optional(schema.SCALES)
        levels: dict[str, list[str]] = {}
        if scales is not None:
            for index, _, level in sorted(zip(map(str, scales["index"].tolist()),
                                              scales["position"].tolist(),
                                              map(str, scales["level"].tolist()), strict=True)):
                levels.setdefault(index, []).append(level)
        found: dict[str, IndexInfo] = {}
        for record in records(frame):
            found[str(record["index"])] = IndexInfo(
                id=str(record["index"]), kind=str(record["kind"]), better=str(record["better"]),
                minimum=_number(record["minimum"]), maximum=_number(record["maximum"]),
                year_means=str(record["year_means"]), name=str(record["name"]),
                publisher=str(record["publisher"]), description=str(record["description"]),
                source_id=str(record["source_id"]),
                levels=tuple(levels.get(str(record["index"]), ())))
        return found

    @cached_property
    def imported(self) -> frozenset[str]:
        """The ids of the indices that come from the user's imports (overlays)."""
        frame = self.dataset.table(schema.INDICES, "index definitions")
        return frozenset(frame["index"].astype(str)[self.dataset.from_overlay(schema.INDICES)])

    def index(self, wanted: str | None, kind: str | None = None) -> IndexInfo:
        """The index named by --index; by default the first score index declared."""
        if wanted is None:
            candidates = [i for i in self.indices.values() if i.is_score] or list(self.indices.values())
            if not candidates:
                raise DataError(f"{self.dataset.label(schema.INDICES)}: no index declared")
            chosen = candidates[0]
        else:
            key = wanted.strip().casefold()
            matches = [i for i in self.indices.values() if i.id.casefold() == key]
            if not matches:
                hint = did_you_mean(wanted.strip(), list(self.indices))
                raise UsageError(f"unknown index {printable(wanted)}{hint}; indices: "
                                 + ", ".join(self.indices))
            chosen = matches[0]
        if kind is not None and chosen.kind != kind:
            others = [i.id for i in self.indices.values() if i.kind == kind]
            raise UsageError(f"{chosen.id} is a {chosen.kind} index; this needs a {kind} index "
                             f"({', '.join(others) or 'none declared'})")
        return chosen

    # -- countries -----------------------------------------------------------------------

    @cached_property
    def names(self) -> dict[str, str]:
        return self.dataset.country_names()

    def country(self, text: str) -> Country:
        iso3 = self.dataset.resolve_country(text)
        return Country(iso3, self.names[iso3])

    def name_of(self, codes: pd.Series) -> pd.Series:
        return codes.astype(str).map(self.names)

    # -- scores and levels -----------------------------------------------------------------

    def releases(self, index: IndexInfo) -> pd.DataFrame:
        releases = self.dataset.optional(schema.RELEASES)
        if releases is None:
            return pd.DataFrame({"release": pd.Series(dtype="int64"),
                                 "source_id": pd.Series(dtype=object)})
        return releases[releases["index"] == index.id].sort_values("release")

    def release_number(self, index: IndexInfo, wanted: str) -> int:
        """--release 5 or --release csp-2024 -> 5."""
        releases = self.releases(index)
        text = wanted.strip()
        for number, source in zip(releases["release"], releases["source_id"].astype(str),
                                  strict=True):
            if text == str(int(number)) or text.casefold() == source.casefold():
                return int(number)
        listed = ", ".join(f"{int(n)} ({s})" for n, s in
                           zip(releases["release"], releases["source_id"], strict=True))
        raise UsageError(f"no release {printable(wanted)} of {index.id}; releases: {listed or 'none'}")

    def all_scores(self, index: IndexInfo) -> pd.DataFrame:
        """Every row of this score index, every release."""
        scores = self.dataset.table(schema.INDEX_SCORES, "index scores")
        rows = equal_rows(scores["index"], index.id)
        # Every row is compared, even in a file of one index: that index may not be this one.
        mine = scores if rows.all() else scores.take(np.flatnonzero(rows))
        if mine.empty:
            raise DataError(f"{self.dataset.label(schema.INDEX_SCORES)}: no scores for {index.id}")
        if "release" in mine and np.isnan(mine["release"].to_numpy(dtype=float, na_value=np.nan)).all():
            # The column came with another file's rows (an import beside the base data):
            # this index's own rows have no releases.
            mine = mine.drop(columns="release")
        return mine

    def scores(self, index: IndexInfo, release: str | None = None) -> pd.DataFrame:
        """iso3, year, score, source_id: the latest release's value of each country-year, or
        exactly the table of one release."""
        mine = self.all_scores(index)
        if "release" not in mine:
            return mine
        if release is not None:
            number = self.release_number(index, release)
            chosen = mine[mine["release"] == number]
            if chosen.empty:
                raise UsageError(f"release {number} of {index.id} has no scores in the data")
            return chosen
        from tindex.data.keys import BITMAP_LIMIT, combined_codes, count_distinct

        key, span = combined_codes(mine, ["iso3", "year"])
        if count_distinct(key, span) == len(key):  # one release per country-year
            return mine
        release_numbers = mine["release"].to_numpy()
        low = int(release_numbers.min())  # releases are 1..9999: bincount, not a sort
        numbers = np.flatnonzero(np.bincount(release_numbers - low)) + low
        if span > BITMAP_LIMIT or len(numbers) > LATEST_BY_PASSES:
            latest = mine.sort_values("release", kind="stable").drop_duplicates(
                subset=["iso3", "year"], keep="last")
            return latest.sort_index()
        # One pass per release, oldest first: each country-year ends up holding its latest
        # release number (a sort of every row costs about ten of these passes).
        newest = np.zeros(span, dtype=release_numbers.dtype)
        for number in numbers.tolist():
            newest[key[release_numbers == number]] = number
        latest_rows: pd.DataFrame = mine[release_numbers == newest[key]]
        return latest_rows

    def holds_data(self, index: IndexInfo) -> bool:
        """Whether the data has any row of this index: one may be declared before its
        figures are added, and the commands that go over every index pass it by."""
        table = self.dataset.optional(schema.INDEX_SCORES if index.is_score else schema.INDEX_LEVELS)
        return table is not None and bool(equal_rows(table["index"], index.id).any())

    def levels(self, index: IndexInfo) -> pd.DataFrame:
        """iso3, year, component (NA = overall), level, position, source_id."""
        levels = self.dataset.table(schema.INDEX_LEVELS, "level ratings")
        rows = np.flatnonzero(equal_rows(levels["index"], index.id))
        if len(rows) == 0:
            raise DataError(f"{self.dataset.label(schema.INDEX_LEVELS)}: no ratings for {index.id}")
        mine = levels.take(rows)
        # Each level's place on the scale (1 = first), looked up once per category.
        scale = pd.Index(list(index.levels), dtype=object)
        codes, labels = coded(mine["level"])
        position = np.append(scale.get_indexer(pd.Index(labels, dtype=object)), -1)[codes] + 1
        if (position == 0).any():  # the dataset's checks keep every level on its scale
            raise DataError(f"{self.dataset.label(schema.INDEX_LEVELS)}: a level of {index.id} "
                            "is not on its scale")
        mine["position"] = position.astype(np.int64)
        return mine

    def components(self, index: IndexInfo) -> dict[int, str]:
        components = self.dataset.optional(schema.COMPONENTS)
        if components is None:
            return {}
        mine = components[components["index"] == index.id].sort_values("component")
        return {int(n): str(name) for n, name in zip(mine["component"], mine["name"], strict=True)}

    def measured(self, index: IndexInfo, year: int) -> int | None:
        """How many countries the publisher measured that year, where the data says."""
        return self._measured.get((index.id, year))

    @cached_property
    def _measured(self) -> dict[tuple[str, int], int]:
        coverage = self.dataset.optional(schema.COVERAGE)
        if coverage is None:
            return {}
        return {(str(i), int(y)): int(m) for i, y, m in
                zip(coverage["index"], coverage["year"], coverage["measured"], strict=True)}

    # -- provenance -------------------------------------------------------------------------

    @cached_property
    def caveats(self) -> list[Caveat]:
        frame = self.dataset.optional(schema.CAVEATS)
        if frame is None:
            return []
        return [Caveat(str(row["caveat_id"]), str(row["text"]),
                       schema.id_list(row["source_ids"]),
                       _text(row["index"]), _text(row["iso3"]),
                       None if _missing(row["year"]) else int(row["year"]),
                       _text(row.get("about")) == "change")
                for row in records(frame)]

    def caveats_for(self, index: str | None, iso3: str | None, year: int | None,
                    general: bool = True) -> list[Caveat]:
        """The caveats about this index (or none), this country (or none), this year (or none).

        A row of a table gets the caveats that name its index, country and year, or leave
        one of them open; general=False leaves out those about the index as a whole.
        """
        return [c for c in self.caveats
                if (c.index is None or c.index == index)
                and (c.iso3 is None or c.iso3 == iso3)
                and (c.year is None or c.year == year)
                and (general or not c.general)]

    def citations(self, ids: Iterable[object]) -> list[Citation]:
        wanted: list[str] = []
        for raw in ids:
            if raw is None or (isinstance(raw, float) and np.isnan(raw)):
                continue
            for part in (raw if isinstance(raw, tuple) else str(raw).split(";")):
                part = part.strip()
                if part and part not in wanted:
                    wanted.append(part)
        records = self._sources_by_id
        return [Citation(sid, str(records[sid]["title"]), str(records[sid]["publisher"]),
                         str(records[sid]["date"]), str(records[sid]["url"]),
                         _text(records[sid].get("copy_of")) or "")
                for sid in wanted if sid in records]

    @cached_property
    def _sources_by_id(self) -> dict[str, dict[str, object]]:
        frame = self.dataset.table(schema.SOURCES)
        return {str(row["source_id"]): {str(k): v for k, v in row.items()}
                for row in records(frame)}


def equal_rows(column: pd.Series, value: object) -> np.ndarray:
    """A mask of the cells equal to `value`, like (column == value).to_numpy(): on a
    categorical column, its codes against the value's one code (a comparison through
    pandas costs more than the whole comparison on a small table)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categorical: pd.Categorical = column.array
        try:
            code = categorical.categories.get_loc(value)
        except KeyError:
            return np.zeros(len(column), dtype=np.bool_)
        return np.asarray(categorical.codes == code)
    array = column.to_numpy()
    if array.dtype == object:
        hit = array == value
        if hit.dtype == np.bool_:  # else a cell is NA, whose comparison is NA
            return np.asarray(hit)
    return (column == value).to_numpy(dtype=np.bool_, na_value=False)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts of Python values, like to_dict("records") but through one object
    array (several times faster on the small tables the model reads at every start);
    missing cells come as NaN, None or NA, which _missing reads alike."""
    names = [str(name) for name in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in frame.to_numpy(dtype=object).tolist()]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _text(value: object) -> str | None:
    return None if _missing(value) else str(value)


def _number(value: object) -> float | None:
    return None if _missing(value) else float(value)  # type: ignore[arg-type]
