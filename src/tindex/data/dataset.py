"""A data directory: its tables, loaded on first use, each checked on its own and against
the tables it refers to (countries, indices, scales, releases, components, sources).

Every command runs the same checks on what it loads, so a swapped code, an unknown index
or a level not on its scale stops any command with one line naming file:line, not only
`tindex validate`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from tindex import schema
from tindex.data.keys import combined_codes
from tindex.data.reader import PROBLEM_LIMIT, Problem, TableProblems, TableReader, distinct_values
from tindex.errors import DataError
from tindex.locate import iso3_codes
from tindex.names import resolve_country
from tindex.schema import Kind, TableSpec

LineOf = Callable[[int], int]


class Dataset:
    """The tables of one data directory, loaded on first use and checked as they load."""

    def __init__(self, data_dir: Path, label_prefix: str | None = None) -> None:
        self.data_dir = data_dir
        self.label_prefix = label_prefix if label_prefix is not None else str(data_dir) + "/"
        self._tables: dict[str, pd.DataFrame] = {}
        self.warnings: list[Problem] = []

    def label(self, spec: TableSpec) -> str:
        return self.label_prefix + spec.filename

    def has(self, spec: TableSpec) -> bool:
        """The file is there and is a regular file (see unreadable() for the other cases)."""
        try:
            return (self.data_dir / spec.filename).is_file()
        except OSError:  # e.g. a directory that may not be searched
            return False

    def unreadable(self, spec: TableSpec) -> str | None:
        """Why a name that is in the directory cannot be read as a table, or None when it
        is a regular file or absent: a directory, a dangling link or a pipe in its place is
        a problem to report, never a file to skip (or, for a pipe, to block on)."""
        path = self.data_dir / spec.filename
        try:
            if not os.path.lexists(path) or path.is_file():
                return None
            if path.is_symlink():
                return "a symbolic link to nothing readable"
            return "a directory, not a file" if path.is_dir() else "not a regular file"
        except OSError as error:
            return f"cannot read: {error.strerror or error}"

    def table(self, spec: TableSpec, purpose: str = "") -> pd.DataFrame:
        """The checked table; a missing or broken file raises DataError (one line)."""
        if spec.name not in self._tables:
            if not self.has(spec):
                needed = f" ({purpose})" if purpose else ""
                raise DataError(f"{self.label(spec)}: {self.unreadable(spec) or 'file not found'}"
                                f"{needed}")
            frame, problems = self.read(spec)
            errors = [p for p in problems if not p.warning]
            if errors:
                raise as_error(errors)
            self.warnings += [p for p in problems if p.warning]
            self._tables[spec.name] = frame
        return self._tables[spec.name]

    def optional(self, spec: TableSpec) -> pd.DataFrame | None:
        """The table, or None when the data directory does not have that file."""
        return self.table(spec) if self.has(spec) or self.unreadable(spec) else None

    def read(self, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem]]:
        """Read and check one table, returning every problem found (for `validate`)."""
        reader = TableReader(self.data_dir / spec.filename, spec, self.label(spec))
        try:
            frame = reader.read()
        except TableProblems as stop:
            return pd.DataFrame(columns=spec.column_names), stop.problems
        problems = list(reader.problems)
        try:
            problems += References(self, spec, frame, reader.line_of).problems()
        except DataError:  # a table it refers to is broken: report this file's own problems first
            if not problems:
                raise
        if not any(not p.warning for p in problems):
            problems += plausibility(spec, frame, reader.line_of, self.label(spec))
        return frame, problems

    def loaded(self, spec: TableSpec) -> pd.DataFrame | None:
        return self._tables.get(spec.name)

    # -- countries --------------------------------------------------------------------

    def country_names(self) -> dict[str, str]:
        """iso3 -> the one display name of each country in countries.csv."""
        countries = self.table(schema.COUNTRIES, "country names")
        names = countries[countries["kind"] == "name"]
        return dict(zip(names["iso3"].astype(str), names["name"].astype(str), strict=True))

    def aliases(self) -> dict[str, str]:
        countries = self.table(schema.COUNTRIES, "country names")
        other = countries[countries["kind"] == "alias"]
        return dict(zip(other["name"].astype(str), other["iso3"].astype(str), strict=True))

    def resolve_country(self, text: str) -> str:
        """The iso3 code of the country the user meant; a miss is a usage error (exit 2)."""
        return resolve_country(text, self.country_names(), self.aliases())


def as_error(problems: list[Problem]) -> DataError:
    more = len(problems) - 1
    suffix = f" (and {more} more: run 'tindex validate')" if more else ""
    first = min(problems, key=lambda problem: problem.line or 0)  # the first in the file
    return DataError(str(first) + suffix)


def distinct_pairs(frame: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """The distinct (first, second) pairs with both present, with one row number of each."""
    codes, _span = combined_codes(frame, [first, second])
    present = frame[first].notna().to_numpy() & frame[second].notna().to_numpy()
    _unique, rows = np.unique(np.where(present, codes, -1), return_index=True)
    rows = rows[present[rows]]
    return pd.DataFrame({first: frame[first].to_numpy()[rows], second: frame[second].to_numpy()[rows],
                         "row": rows})


class References:
    """The cross-table rules for one table: every reference must resolve."""

    def __init__(self, dataset: Dataset, spec: TableSpec, frame: pd.DataFrame, line_of: LineOf) -> None:
        self.dataset = dataset
        self.spec = spec
        self.frame = frame
        self.line_of = line_of
        self.found: list[Problem] = []

    def add(self, row: int, column: str, message: str, value: object) -> None:
        if len(self.found) < PROBLEM_LIMIT:
            self.found.append(Problem(self.dataset.label(self.spec), self.line_of(int(row)), column,
                                      message, str(value)))

    def problems(self) -> list[Problem]:
        if self.frame.empty:
            return []
        for column in self.spec.columns:
            if column.name not in self.frame:
                continue
            if column.kind in (Kind.SOURCE, Kind.SOURCE_LIST):
                self._sources(column.name, column.kind is Kind.SOURCE_LIST)
        if self.spec is schema.COUNTRIES:
            self._one_name_per_code()
        elif self.spec.has_countries:
            self._codes_known("iso3")
        if self.spec is schema.RECOMMENDATIONS:
            self._codes_known("applies_to", listed=True)
        if "country" in self.frame:
            self._names_match_codes()
        if self.spec.name in schema.INDEX_KIND:
            self._indices_known(schema.INDEX_KIND[self.spec.name])
        if self.spec is schema.INDEX_LEVELS:
            self._levels_on_scale()
            self._components_defined()
        if self.spec is schema.INDEX_SCORES and "release" in self.frame:
            self._releases_declared()
        return self.found

    def _sources(self, column: str, listed: bool) -> None:
        known = set(self.dataset.table(schema.SOURCES, "every figure's source id must resolve")
                    ["source_id"].astype(str))
        values = self.frame[column]
        bad = [v for v in distinct_values(values)
               if any(p.strip() not in known for p in (str(v).split(";") if listed else [str(v)]))]
        if bad:
            for row in np.flatnonzero(values.isin(bad).to_numpy())[:PROBLEM_LIMIT]:
                self.add(row, column, f"unknown source id, not in {schema.SOURCES.filename}",
                         values.iloc[row])

    def _one_name_per_code(self) -> None:
        names = self.frame[self.frame["kind"] == "name"]
        twice = names[names["iso3"].duplicated(keep="first")]
        for row in twice.index[:PROBLEM_LIMIT]:
            self.add(int(row), "iso3", "a second display name for this code (make one of them "
                     "kind 'alias')", self.frame.at[row, "iso3"])
        unnamed = set(self.frame["iso3"].astype(str)) - set(names["iso3"].astype(str))
        for code in sorted(unnamed)[:PROBLEM_LIMIT]:
            row = int(np.flatnonzero((self.frame["iso3"] == code).to_numpy())[0])
            self.add(row, "iso3", "an alias for a code that has no row of kind 'name'", code)
        exact = self.frame["name"].astype(str)
        folded = exact.str.casefold()
        clash = folded.duplicated(keep="first") & ~exact.duplicated(keep="first")
        for row in np.flatnonzero(clash.to_numpy())[:PROBLEM_LIMIT]:
            self.add(row, "name", "the same name (ignoring case) is given twice",
                     self.frame["name"].iloc[row])

    def _codes_known(self, column: str, listed: bool = False) -> None:
        known = set(self.dataset.country_names())
        values = self.frame[column]
        # A code that is not ISO at all was reported by the reader: one mistake, one problem.
        bad = [v for v in distinct_values(values)
               if any(c.strip() not in known and c.strip() in iso3_codes()
                      for c in (str(v).split(";") if listed else [str(v)]))]
        if bad:
            for row in np.flatnonzero(values.isin(bad).to_numpy())[:PROBLEM_LIMIT]:
                self.add(row, column, f"country code not in {schema.COUNTRIES.filename}",
                         values.iloc[row])

    def _names_match_codes(self) -> None:
        """A `country` column beside the codes must name the country countries.csv gives."""
        countries = self.dataset.table(schema.COUNTRIES)
        spellings: dict[str, set[str]] = {}
        for code, name in zip(countries["iso3"].astype(str), countries["name"].astype(str),
                              strict=True):
            spellings.setdefault(code, set()).add(name.casefold())
        display = self.dataset.country_names()
        for code, name, row in distinct_pairs(self.frame, "iso3", "country").itertuples(index=False):
            if str(code) in display and str(name).casefold() not in spellings[str(code)]:
                self.add(row, "country", f"{code} is {display[str(code)]!r} in "
                         f"{schema.COUNTRIES.filename}, not this name", name)

    def _indices_known(self, kind: str | None) -> None:
        indices = self.dataset.table(schema.INDICES, "index definitions")
        kinds = dict(zip(indices["index"].astype(str), indices["kind"].astype(str), strict=True))
        values = self.frame["index"]
        for value in distinct_values(values):
            problem = None
            if str(value) not in kinds:
                problem = f"unknown index, not in {schema.INDICES.filename} ({', '.join(kinds)})"
            elif kind is not None and kinds[str(value)] != kind:
                problem = f"index {value} is of kind {kinds[str(value)]!r}; this file holds {kind} indices"
            if problem:
                row = int(np.flatnonzero((values == value).to_numpy())[0])
                self.add(row, "index", problem, value)

    def _levels_on_scale(self) -> None:
        scales = self.dataset.table(schema.SCALES, "the levels of each level index")
        allowed: dict[str, list[str]] = {}
        for index, level in zip(scales.sort_values("position")["index"].astype(str),
                                scales.sort_values("position")["level"].astype(str), strict=True):
            allowed.setdefault(index, []).append(level)
        spelt = {(index, level.casefold()): level for index, levels in allowed.items()
                 for level in levels}
        respell: dict[tuple[str, str], str] = {}
        for index, level, row in distinct_pairs(self.frame, "index", "level").itertuples(index=False):
            levels = allowed.get(str(index), [])
            scale_spelling = spelt.get((str(index), str(level).casefold()))
            if str(level) not in levels and scale_spelling is not None:
                respell[(str(index), str(level))] = scale_spelling  # 'very high' is Very High
            elif str(level) not in levels:
                hint = f"; allowed: {', '.join(levels)}" if levels else \
                    f"; {schema.SCALES.filename} has no levels for {index}"
                self.add(row, "level", f"not a level of {index}{hint}", level)
        if respell:
            text = self.frame["level"].astype(str)
            for (index, level), scale_spelling in respell.items():
                text = text.mask((self.frame["index"].astype(str) == index) & (text == level),
                                 scale_spelling)
            self.frame["level"] = text.astype("category")

    def _components_defined(self) -> None:
        rated = self.frame[self.frame["component"].notna()]
        if rated.empty:
            return
        components = self.dataset.table(schema.COMPONENTS, "component names")
        known = set(zip(components["index"].astype(str), components["component"].astype(int),
                        strict=True))
        for index, number, row in distinct_pairs(rated, "index", "component").itertuples(index=False):
            if (str(index), int(number)) not in known:
                self.add(int(rated.index[row]), "component",
                         f"no component {number} of {index} in {schema.COMPONENTS.filename}", number)

    def _releases_declared(self) -> None:
        releases = self.dataset.table(schema.RELEASES, "the releases each score comes from")
        known = set(zip(releases["index"].astype(str), releases["release"].astype(int), strict=True))
        for index, number, row in distinct_pairs(self.frame, "index", "release").itertuples(index=False):
            if (str(index), int(number)) not in known:
                self.add(row, "release", f"release {number} of {index} is not in "
                         f"{schema.RELEASES.filename}", number)


# -- plausibility: shown as warnings, the data is still used ------------------------------


def plausibility(spec: TableSpec, frame: pd.DataFrame, line_of: LineOf, label: str) -> list[Problem]:
    """Future years, values far outside their own series, years only some countries have."""
    if frame.empty or "year" not in frame or spec not in (schema.INDEX_SCORES, schema.INDEX_LEVELS):
        return []
    warnings: list[Problem] = []

    def warn(row: int, column: str | None, message: str, value: object | None) -> None:
        warnings.append(Problem(label, line_of(int(row)), column, message,
                                None if value is None else str(value), warning=True))

    years = frame["year"]
    limit = date.today().year + 1
    for row in np.flatnonzero((years > limit).fillna(False).to_numpy())[:PROBLEM_LIMIT]:
        warn(row, "year", f"a year in the future (after {limit})", years.iloc[row])
    if spec is schema.INDEX_SCORES:
        for row in _outliers(frame)[:PROBLEM_LIMIT]:
            warn(row, "score", "far outside this country's other scores (a lost decimal mark?)",
                 frame["score"].iloc[row])
    overall = frame if spec is schema.INDEX_SCORES else frame[frame["component"].isna()]
    for index, year, count, typical, row in _thin_years(overall):
        warn(row, "year", f"{index} {year}: {count} of {typical} countries have data", None)
    return warnings


def _outliers(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose score is more than 10 spreads away from the rest of its country's series
    (mean and spread of the other values; series of four or more)."""
    codes, _ = combined_codes(frame, ["index", "iso3"])
    _, series = np.unique(codes, return_inverse=True)
    scores = frame["score"].to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        count = np.bincount(series)[series].astype(float)
        total = np.bincount(series, weights=scores)[series]
        squares = np.bincount(series, weights=scores * scores)[series]
        others = count - 1
        mean = (total - scores) / others
        variance = np.maximum((squares - scores * scores) / others - mean * mean, 0.0)
        spread = np.maximum.reduce([np.sqrt(variance), 0.1 * np.abs(mean), np.ones_like(mean)])
        far = (count >= 4) & (np.abs(scores - mean) > 10 * spread) & np.isfinite(mean)
    return np.flatnonzero(far)


def _thin_years(frame: pd.DataFrame) -> list[tuple[str, int, int, int, int]]:
    """(index, year, countries, typical, first row) for years with fewer than half the
    countries of a typical year (the median over that index's years)."""
    if frame.empty:
        return []
    keys = frame[["index", "iso3", "year"]].drop_duplicates(subset=["index", "iso3", "year"])
    counts = keys.groupby(["index", "year"], observed=True).size()
    found = []
    for index, per_year in counts.groupby(level=0, observed=True):
        typical = int(np.median(per_year.to_numpy()))
        for key, count in per_year.items():
            year = key[1]  # type: ignore[index]
            if count * 2 < typical:
                row = int(np.flatnonzero(((frame["index"] == index) & (frame["year"] == year))
                                         .to_numpy())[0])
                found.append((str(index), int(year), int(count), typical, row))
    return found[:PROBLEM_LIMIT]


def validate(dataset: Dataset) -> tuple[list[Problem], dict[str, int]]:
    """Every problem (and warning) in every table of the directory, and the rows of each."""
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    for spec in schema.ALL_TABLES:
        if not dataset.has(spec):
            reason = dataset.unreadable(spec)
            if reason is not None:
                problems.append(Problem(dataset.label(spec), None, None, reason))
            elif spec.required_file:
                problems.append(Problem(dataset.label(spec), None, None, "file not found"))
            continue
        try:
            frame, found = dataset.read(spec)
        except DataError as exc:  # a table it refers to is broken (reported under its own
            # name) or absent: an absent optional file must be named, or this table would
            # pass unchecked
            absent = [s for s in schema.ALL_TABLES if not dataset.has(s)
                      and str(exc).startswith(dataset.label(s) + ": file not found")]
            if absent:
                problem = Problem(dataset.label(absent[0]), None, None,
                                  str(exc).removeprefix(dataset.label(absent[0]) + ": "))
                if problem not in problems:
                    problems.append(problem)
            continue
        problems.extend(sorted(found, key=lambda problem: problem.line or 0))
        if not any(not p.warning for p in found):
            dataset._tables.setdefault(spec.name, frame)
            counts[spec.filename] = len(frame)
    return problems, counts
