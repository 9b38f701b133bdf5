"""A data directory: its tables, loaded on first use, each checked on its own and against
the tables it refers to (countries, indices, scales, releases, components, sources).

Every command runs the same checks on what it loads, so a swapped code, an unknown index
or a level not on its scale stops any command with one line naming file:line, not only
`tindex validate`.

Overlays (the user's imports, `tindex import`) are further directories in the same layout
whose tables are appended to the base tables of the same name: the cross-table checks
run on the combined tables, and a problem is labelled with the file it comes from. An
overlay adds rows and never changes one: a row whose key a base (or earlier overlay) row
already has is refused, except a country that is already named, which keeps the base name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from tindex import schema
from tindex.data.keys import BITMAP_LIMIT, all_distinct, combined_codes, key_codes
from tindex.data.reader import PROBLEM_LIMIT, Problem, TableProblems, TableReader, distinct_values
from tindex.errors import DataError, escape_controls
from tindex.locate import is_iso3
from tindex.names import resolve_country
from tindex.schema import Kind, TableSpec

LineOf = Callable[[int], int]
Locate = Callable[[int], tuple[str, int]]  # row of a combined table -> (file label, line)
OUTLIER_BLOCK = 1 << 16  # rows per block of _outliers' arithmetic
THIN_YEARS_BITMAP = 1 << 27  # cells (bytes) of the bitmap _thin_years counts countries with


@dataclass(frozen=True)
class _Part:
    """One file's rows in a combined table: where they start and how to name their lines."""

    label: str
    start: int
    rows: int
    line_of: LineOf
    overlay: bool


class Dataset:
    """The tables of one data directory (and its overlays), loaded on first use and checked
    as they load."""

    def __init__(self, data_dir: Path, label_prefix: str | None = None,
                 overlays: Sequence[Path] = ()) -> None:
        self.data_dir = data_dir
        self.label_prefix = label_prefix if label_prefix is not None else str(data_dir) + "/"
        self.overlays = list(overlays)
        self._tables: dict[str, pd.DataFrame] = {}
        self._parts: dict[str, list[_Part]] = {}
        self._names: dict[str, str] | None = None
        self.warnings: list[Problem] = []

    def label(self, spec: TableSpec) -> str:
        return self.label_prefix + spec.filename

    def has(self, spec: TableSpec) -> bool:
        """The file is there as a regular file (see unreadable() for the other cases): in
        the data directory, or for an optional table also in an overlay. A file every data
        directory needs must be in the directory itself: the user's imports layered over a
        wrong --data-dir must not pass for data."""
        try:
            if (self.data_dir / spec.filename).is_file():
                return True
            return not spec.required_file and any(
                (overlay / spec.filename).is_file() for overlay in self.overlays)
        except OSError:  # e.g. a directory that may not be searched
            return False

    def from_overlay(self, spec: TableSpec) -> np.ndarray:
        """Per row of the loaded table: True where the row comes from an overlay."""
        frame = self.table(spec)
        mask = np.zeros(len(frame), dtype=bool)
        for part in self._parts.get(spec.name, []):
            mask[part.start:part.start + part.rows] = part.overlay
        return mask

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
        files = [(self.data_dir / spec.filename, self.label(spec), False)]
        files += [(overlay / spec.filename, escape_controls(str(overlay / spec.filename)), True)
                  for overlay in self.overlays]
        frames: list[pd.DataFrame] = []
        parts: list[_Part] = []
        problems: list[Problem] = []
        start = 0
        for path, label, overlay in files:
            if not path.is_file():
                continue
            reader = TableReader(path, spec, label)
            try:
                frame = reader.read()
            except TableProblems as stop:
                return pd.DataFrame(columns=spec.column_names), stop.problems
            problems += reader.problems
            line_of: LineOf = reader.line_of
            if overlay and spec is schema.COUNTRIES and frames:
                # A country the data already names keeps that name: the overlay's row goes.
                named = set(pd.concat([f["iso3"].astype(str) for f in frames]))
                kept = np.flatnonzero(~frame["iso3"].astype(str).isin(named).to_numpy())
                frame = frame.iloc[kept].reset_index(drop=True)
                line_of = _shifted(reader.line_of, kept)
            frames.append(frame)
            parts.append(_Part(label, start, len(frame), line_of, overlay))
            start += len(frame)
        if not frames:
            return pd.DataFrame(columns=spec.column_names), problems
        frame = frames[0] if len(frames) == 1 else _combine(spec, frames)
        locate = _locator(parts)
        if len(frames) > 1:
            problems += _clashes(spec, frame, locate)
        self._parts[spec.name] = parts
        try:
            problems += References(self, spec, frame, locate).problems()
        except DataError:  # a table it refers to is broken: report this file's own problems first
            if not problems:
                raise
        if not any(not p.warning for p in problems) and parts and not parts[0].overlay:
            # Plausibility looks at the base data only: an import was checked against its
            # publisher's documented bounds when it was imported.
            base = frame.iloc[:parts[0].rows]
            problems += plausibility(spec, base, parts[0].line_of, parts[0].label)
        return frame, problems

    def loaded(self, spec: TableSpec) -> pd.DataFrame | None:
        return self._tables.get(spec.name)

    # -- countries --------------------------------------------------------------------

    def country_names(self) -> dict[str, str]:
        """iso3 -> the one display name of each country in countries.csv."""
        if self._names is None:
            self._names = {code: name for code, name, kind in self._country_rows() if kind == "name"}
        return self._names

    def aliases(self) -> dict[str, str]:
        return {name: code for code, name, kind in self._country_rows() if kind == "alias"}

    def _country_rows(self) -> list[tuple[str, str, object]]:
        """(iso3, name, kind) per row of countries.csv, as Python values: every command
        resolves names through these, and a filter through pandas costs more than the table."""
        countries = self.table(schema.COUNTRIES, "country names")
        return list(zip(map(str, countries["iso3"].tolist()), map(str, countries["name"].tolist()),
                        countries["kind"].tolist(), strict=True))

    def resolve_country(self, text: str) -> str:
        """The iso3 code of the country the user meant; a miss is a usage error (exit 2)."""
        return resolve_country(text, self.country_names(), self.aliases())


def _shifted(line_of: LineOf, kept: np.ndarray) -> LineOf:
    return lambda row: line_of(int(kept[row]))


def _combine(spec: TableSpec, frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts one under the other: categories unified, whole numbers kept whole where a
    part leaves an optional column out."""
    frame = pd.concat(frames, ignore_index=True)
    for column in spec.columns:
        if column.name not in frame:
            continue
        dtypes = [f[column.name].dtype for f in frames if column.name in f]
        if any(isinstance(d, pd.CategoricalDtype) for d in dtypes):
            if not isinstance(frame[column.name].dtype, pd.CategoricalDtype):
                frame[column.name] = frame[column.name].astype("category")
        elif column.kind is Kind.INT and frame[column.name].dtype.kind == "f":
            frame[column.name] = frame[column.name].astype("Int64")
    return frame


def _locator(parts: list[_Part]) -> Locate:
    starts = np.array([part.start for part in parts])

    def locate(row: int) -> tuple[str, int]:
        part = parts[int(np.searchsorted(starts, row, side="right")) - 1]
        return part.label, part.line_of(row - part.start)

    return locate


def _clashes(spec: TableSpec, frame: pd.DataFrame, locate: Locate) -> list[Problem]:
    """A row of an overlay whose key an earlier file already has: overlays only add rows."""
    key = [k for k in spec.key if k in frame]
    if all_distinct(frame, key):
        return []
    found: list[Problem] = []
    first = frame.drop_duplicates(subset=key, keep="first")
    origin = {tuple(values): int(row) for row, values in
              zip(first.index, first[key].itertuples(index=False, name=None), strict=True)}
    for row in np.flatnonzero(frame.duplicated(subset=key, keep="first").to_numpy())[:PROBLEM_LIMIT]:
        values = tuple(frame[key].iloc[int(row)])
        label, line = locate(int(row))
        other_label, other_line = locate(origin[values])
        shown = ", ".join(f"{k}={'' if pd.isna(v) else v}" for k, v in zip(key, values, strict=True))
        found.append(Problem(label, line, None, f"{shown} is already in {other_label}:{other_line}; "
                             "an import adds rows and may not replace one"))
    return found


def as_error(problems: list[Problem]) -> DataError:
    more = len(problems) - 1
    suffix = f" (and {more} more: run 'tindex validate')" if more else ""
    first = min(problems, key=lambda problem: problem.line or 0)  # the first in the file
    return DataError(str(first) + suffix)


def distinct_pairs(frame: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """The distinct (first, second) pairs with both present, with one row number of each."""
    codes, span = combined_codes(frame, [first, second])
    present = frame[first].notna().to_numpy() & frame[second].notna().to_numpy()
    if span <= BITMAP_LIMIT:  # the first row of each code without sorting every row
        first_row = np.full(span, -1, dtype=np.int64)
        first_row[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # the last write wins
        rows = first_row[first_row >= 0]
    else:
        _unique, rows = np.unique(codes, return_index=True)
    rows = rows[present[rows]]
    return pd.DataFrame({first: frame[first].to_numpy()[rows], second: frame[second].to_numpy()[rows],
                         "row": rows})


class References:
    """The cross-table rules for one table: every reference must resolve."""

    def __init__(self, dataset: Dataset, spec: TableSpec, frame: pd.DataFrame, locate: Locate) -> None:
        self.dataset = dataset
        self.spec = spec
        self.frame = frame
        self.locate = locate
        self.found: list[Problem] = []

    def add(self, row: int, column: str, message: str, value: object) -> None:
        if len(self.found) < PROBLEM_LIMIT:
            label, line = self.locate(int(row))
            self.found.append(Problem(label, line, column, message, str(value)))

    def problems(self) -> list[Problem]:
        if self.frame.empty:
            return []
        for column in self.spec.columns:
            if column.name not in self.frame:
                continue
            if column.kind in (Kind.SOURCE, Kind.SOURCE_LIST):
                self._ids_known(column.name, column.kind is Kind.SOURCE_LIST, schema.SOURCES,
                                "source_id", "every figure's source id must resolve")
            elif column.kind is Kind.CAVEAT_LIST:
                self._ids_known(column.name, True, schema.CAVEATS, "caveat_id",
                                f"{self.spec.filename} names caveats")
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

    def _ids_known(self, column: str, listed: bool, target: TableSpec, key: str,
                   purpose: str) -> None:
        """Each id a row names (one, or a ';'-separated list) is a `key` of `target`, which
        must then be there; an empty optional column asks nothing of it."""
        values = self.frame[column]
        named = distinct_values(values)
        if len(named) == 0:
            return
        known = set(self.dataset.table(target, purpose)[key].astype(str))
        bad = [v for v in named
               if any(i not in known for i in (schema.id_list(v) if listed else (str(v),)))]
        if bad:
            for row in np.flatnonzero(values.isin(bad).to_numpy())[:PROBLEM_LIMIT]:
                self.add(row, column, f"unknown {key.replace('_', ' ')}, not in {target.filename}",
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
               if any(c.strip() not in known and is_iso3(c.strip())
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
    # The combined codes of (index, iso3) are small numbers already: bincount over them
    # directly, no np.unique (a sort of every row). The per-row arithmetic runs in blocks
    # so that its temporaries stay small (whole-column ones added ~80 MB at 1M rows).
    series, span = combined_codes(frame, ["index", "iso3"])
    scores = frame["score"].to_numpy(dtype=float)
    found = []
    with np.errstate(all="ignore"):  # huge scores overflow the squares: no outlier then
        count_of = np.bincount(series, minlength=span).astype(float)
        total_of = np.bincount(series, weights=scores, minlength=span)
        squares_of = np.bincount(series, weights=scores * scores, minlength=span)
        for start in range(0, len(scores), OUTLIER_BLOCK):
            part = series[start:start + OUTLIER_BLOCK]
            value = scores[start:start + OUTLIER_BLOCK]
            count = count_of[part]
            others = count - 1
            mean = (total_of[part] - value) / others
            variance = np.maximum((squares_of[part] - value * value) / others - mean * mean, 0.0)
            spread = np.maximum(np.maximum(np.sqrt(variance), 0.1 * np.abs(mean)), 1.0)
            far = (count >= 4) & (np.abs(value - mean) > 10 * spread) & np.isfinite(mean)
            found.append(np.flatnonzero(far) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


def _thin_years(frame: pd.DataFrame) -> list[tuple[str, int, int, int, int]]:
    """(index, year, countries, typical, first row) for years with fewer than half the
    countries of a typical year (the median over that index's years)."""
    if frame.empty:
        return []
    # Integer codes instead of drop_duplicates + groupby (about 0.2 s at 1M rows): each
    # row's (index, year, iso3) marks one cell of a bitmap laid out index-major, so a row
    # of the bitmap holds one (index, year) and its count of set cells is the number of
    # countries, whatever the number of releases per country-year.
    key = ["index", "year", "iso3"]
    full, span = combined_codes(frame, key)
    iso3_size = key_codes(frame["iso3"])[2]
    year_size = key_codes(frame["year"])[2]
    if span <= THIN_YEARS_BITMAP:
        seen = np.zeros(span, dtype=np.bool_)
        seen[full] = True
        counts = np.count_nonzero(seen.reshape(-1, iso3_size), axis=1)
    else:
        counts = np.bincount(np.unique(full) // iso3_size, minlength=span // iso3_size)
    found: list[tuple[str, int, int, int, int]] = []
    pairs: np.ndarray | None = None
    for index_slot, per_year in enumerate(counts.reshape(-1, year_size)):  # years ascending
        held = np.flatnonzero(per_year)
        if not len(held):
            continue
        typical = typical_count(per_year[held])
        for slot in held[per_year[held] * 2 < typical]:
            if pairs is None:
                pairs = full // iso3_size
            row = int(np.argmax(pairs == index_slot * year_size + int(slot)))
            found.append((str(frame["index"].iloc[row]), int(frame["year"].iloc[row]),
                          int(per_year[slot]), typical, row))
            if len(found) == PROBLEM_LIMIT:
                return found
    return found


def typical_count(counts: np.ndarray) -> int:
    """int(np.median(counts)) for a few counts (one per year) in Python: np.median's
    partition code is about 0.1 MB of numpy that nothing else on a command's way loads."""
    ordered = sorted(counts.tolist())
    middle = len(ordered) // 2
    return int(ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2)


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
