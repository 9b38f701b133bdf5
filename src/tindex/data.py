"""Load the CSV tables into pandas, check them against the schema, resolve country names.

Every problem with a file becomes a `Problem` naming file, line, column and value; a
command stops at the first one (one line, exit 1), `tindex validate` lists them all.
Tables load only when a command asks for them, each once.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tindex import schema
from tindex.errors import DataError, UsageError, did_you_mean, printable
from tindex.locate import iso3_codes
from tindex.schema import Column, Kind, TableSpec

HEADER_LIMIT = 1_000_000  # bytes: a longer first line is not a CSV header
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_WHOLE_NUMBER = r"[+-]?\d+"
_DATE = r"\d{4}(-\d{2}(-\d{2})?)?"
_ISO3_FORMAT = r"[A-Z]{3}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, printed as `file:line: column: problem (value)`."""

    file: str
    line: int | None
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        column = f" {self.column}:" if self.column else ""
        value = f" ({printable(self.value)})" if self.value is not None else ""
        return f"{where}:{column} {self.message}{value}"


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str


class TableProblems(Exception):
    """Raised inside the loader to stop reading a file that cannot be read at all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(str(problems[0]))
        self.problems = problems


def _line_numbers(mask: pd.Series) -> np.ndarray:
    """File line numbers of the rows selected by mask (line 1 is the header)."""
    return np.flatnonzero(mask.to_numpy()) + 2


class TableReader:
    """Reads one CSV file against its spec, collecting problems rather than raising."""

    def __init__(self, path: Path, spec: TableSpec, label: str) -> None:
        self.path = path
        self.spec = spec
        self.label = label
        self.problems: list[Problem] = []

    def problem(self, message: str, line: int | None = None, column: str | None = None,
                value: object | None = None) -> None:
        self.problems.append(
            Problem(self.label, line, column, message, None if value is None else str(value))
        )

    def read(self) -> pd.DataFrame:
        header = self._header()
        columns = self.spec.column_names
        try:
            frame = self._read_typed(columns)
        except (ValueError, TypeError, OverflowError) as exc:
            if isinstance(exc, pd.errors.ParserError):
                raise TableProblems([self._parser_problem(exc)]) from None
            frame = self._read_as_text(columns)  # slow path: find and name the bad cells
        self._check_extra_fields(header)
        return self._check(frame)

    def _header(self) -> list[str]:
        try:
            with self.path.open("rb") as handle:
                first = handle.readline(HEADER_LIMIT)
                sample = first + handle.read(8192)
        except OSError as exc:
            raise TableProblems([Problem(self.label, None, None, f"cannot read: {exc.strerror}")]) from None
        if not sample.strip():
            raise TableProblems([Problem(
                self.label, None, None,
                "empty file (expected a header: " + ",".join(self.spec.column_names) + ")",
            )])
        if b"\x00" in sample:
            raise TableProblems([Problem(self.label, None, None, "binary file, not CSV text")])
        if not first.endswith(b"\n") and len(first) >= HEADER_LIMIT:
            raise TableProblems([Problem(self.label, 1, None, "first line is too long to be a header")])
        try:
            text = first.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TableProblems([Problem(self.label, 1, None, "not UTF-8 text")]) from None
        names = [name.strip() for name in next(csv.reader([text.rstrip("\r\n")]), [])]
        missing = [c for c in self.spec.column_names if c not in names]
        if missing:
            extra = [n for n in names if n not in self.spec.column_names]
            raise TableProblems([
                Problem(self.label, 1, None, f"missing column {name!r}{did_you_mean(name, extra)}")
                for name in missing
            ])
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise TableProblems([Problem(self.label, 1, None, f"column named twice: {twice[0]!r}")])
        return names

    def _read_csv(self, columns: list[str], dtypes: dict[str, Any]) -> pd.DataFrame:
        try:
            return pd.read_csv(
                self.path,
                encoding="utf-8-sig",
                usecols=columns,
                dtype=dtypes,
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=False,
                engine="c",
            )
        except UnicodeDecodeError:
            raise TableProblems([Problem(self.label, None, None, "not UTF-8 text")]) from None

    def _read_typed(self, columns: list[str]) -> pd.DataFrame:
        return self._read_csv(columns, {c.name: _typed_dtype(c) for c in self.spec.columns})

    def _read_as_text(self, columns: list[str]) -> pd.DataFrame:
        try:
            return self._read_csv(columns, dict.fromkeys(columns, object))
        except pd.errors.ParserError as exc:
            raise TableProblems([self._parser_problem(exc)]) from None

    def _parser_problem(self, exc: Exception) -> Problem:
        text = str(exc).strip()
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
        if found:
            expected, line, saw = found.groups()
            return Problem(self.label, int(line), None,
                           f"expected {expected} fields, found {saw} (ragged row)")
        return Problem(self.label, None, None, "not readable as CSV: " + text.splitlines()[-1])

    def _check_extra_fields(self, header: list[str]) -> None:
        """pandas silently drops fields beyond the header when usecols is given."""
        # A cheap scan is only needed for small files; large files rely on pandas.
        if self.path.stat().st_size > 5_000_000:
            return
        width = len(header)
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            for line_no, row in enumerate(csv.reader(handle), start=1):
                if row and len(row) > width:
                    raise TableProblems([Problem(
                        self.label, line_no, None,
                        f"expected {width} fields, found {len(row)} (ragged row)",
                    )])

    # -- checks ---------------------------------------------------------------------

    def _check(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.spec.needs_rows and frame.empty:
            self.problem("no data rows (only a header)")
        for column in self.spec.columns:
            frame[column.name] = self._check_column(frame[column.name], column)
        self._check_keys(frame)
        if "country" in frame and "iso3" in frame:
            self._check_country_codes(frame)
        return frame

    def _check_column(self, values: pd.Series, column: Column) -> pd.Series:
        name = column.name
        if column.kind in (Kind.INT, Kind.FLOAT) and not pd.api.types.is_numeric_dtype(values):
            values = self._to_number(values, column)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            values = _strip(values)
        empty = values.isna()
        if column.required and empty.any():
            for line in _line_numbers(empty)[:20]:
                self.problem("empty cell", int(line), name)
        if column.kind is Kind.INT:
            self._check_range(values, column)
            return values.astype("int64") if not empty.any() else values.astype("Int64")
        if column.kind is Kind.FLOAT:
            return values.astype("float64")
        if column.kind is Kind.RISK:
            return self._to_levels(values, column, schema.RISK_LEVELS)
        if column.kind is Kind.RATING:
            return self._to_levels(values, column, schema.TRANSPARENCY_RATINGS)
        checks = {
            Kind.ISO3: self._check_iso3,
            Kind.ISO3_LIST: self._check_iso3_list,
            Kind.DATE: self._check_pattern(_DATE, "not a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
            Kind.URL: self._check_pattern(r"https?://\S+", "not an http(s) URL"),
            Kind.INDEX: self._check_index,
        }
        check = checks.get(column.kind)
        if check is not None:
            check(values, column)
        if column.categorical and not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        return values

    def _to_number(self, values: pd.Series, column: Column) -> pd.Series:
        text = _strip(values)
        if column.kind is Kind.FLOAT:
            comma = text.str.fullmatch(_DECIMAL_COMMA.pattern).fillna(False).astype(bool)
            text = text.where(~comma, text.str.replace(",", ".", regex=False))
            numbers = pd.to_numeric(text, errors="coerce")
            message = "not a number"
        else:
            whole = text.str.fullmatch(_WHOLE_NUMBER).fillna(False).astype(bool)
            numbers = pd.to_numeric(text.where(whole), errors="coerce")
            message = "not a whole number"
        bad = numbers.isna() & text.notna()
        for line in _line_numbers(bad)[:20]:
            self.problem(message, int(line), column.name, text.iloc[line - 2])
        return numbers

    def _check_range(self, values: pd.Series, column: Column) -> None:
        outside = pd.Series(False, index=values.index)
        if column.minimum is not None:
            outside |= (values < column.minimum).fillna(False).astype(bool)
        if column.maximum is not None:
            outside |= (values > column.maximum).fillna(False).astype(bool)
        if outside.any():
            limits = f"{column.minimum} to {column.maximum}"
            for line in _line_numbers(outside)[:20]:
                self.problem(f"out of range ({limits})", int(line), column.name, values.iloc[line - 2])

    def _to_levels(self, values: pd.Series, column: Column, allowed: tuple[str, ...]) -> pd.Series:
        canonical = {level.casefold(): level for level in allowed}
        text = values.astype("object")
        normalised = text.map(lambda v: canonical.get(v.casefold(), v) if isinstance(v, str) else v)
        unknown = normalised.notna() & ~normalised.isin(allowed)
        for line in _line_numbers(unknown)[:20]:
            value = normalised.iloc[line - 2]
            hint = did_you_mean(value, list(allowed))
            self.problem(f"unknown {column.kind.value}{hint}; allowed: {', '.join(allowed)}",
                         int(line), column.name, value)
        return pd.Series(
            pd.Categorical(normalised.where(~unknown), categories=allowed, ordered=True),
            index=values.index,
        )

    def _bad_values(self, values: pd.Series, is_good: Any) -> pd.Series:
        """Mask of non-empty cells that fail is_good, testing each distinct value once."""
        distinct = values.dropna().unique()
        bad = [v for v in distinct if not is_good(v)]
        return values.isin(bad) if bad else pd.Series(False, index=values.index)

    def _report(self, mask: pd.Series, values: pd.Series, column: str, message: str) -> None:
        for line in _line_numbers(mask)[:20]:
            self.problem(message, int(line), column, values.iloc[line - 2])

    def _check_iso3(self, values: pd.Series, column: Column) -> None:
        codes = iso3_codes()
        bad = self._bad_values(values, lambda v: isinstance(v, str) and v in codes)
        self._report(bad, values, column.name, "not an ISO 3166-1 alpha-3 code")

    def _check_iso3_list(self, values: pd.Series, column: Column) -> None:
        codes = iso3_codes()
        bad = self._bad_values(values, lambda v: all(p.strip() in codes for p in str(v).split(";")))
        self._report(bad, values, column.name, "not a ';'-separated list of ISO 3166-1 alpha-3 codes")

    def _check_index(self, values: pd.Series, column: Column) -> None:
        bad = self._bad_values(values, lambda v: v in schema.INDEX_IDS)
        self._report(bad, values, column.name, f"unknown index; allowed: {', '.join(schema.INDEX_IDS)}")

    def _check_pattern(self, pattern: str, message: str) -> Any:
        compiled = re.compile(pattern)

        def check(values: pd.Series, column: Column) -> None:
            bad = self._bad_values(values, lambda v: bool(compiled.fullmatch(str(v))))
            self._report(bad, values, column.name, message)

        return check

    def _check_keys(self, frame: pd.DataFrame) -> None:
        key = list(self.spec.key)
        if frame.empty or pd.Index(_combined_codes(frame, key)).is_unique:
            return
        twice = frame.duplicated(subset=key, keep="first")
        for line in _line_numbers(twice)[:20]:
            row = frame.iloc[line - 2]
            shown = ", ".join(f"{k}={row[k]}" for k in key)
            self.problem(f"duplicate row for {shown}", int(line), None)

    def _check_country_codes(self, frame: pd.DataFrame) -> None:
        """One name per code and one code per name, so that look-ups cannot disagree."""
        pairs = frame[["iso3", "country"]].dropna().drop_duplicates()
        for column, other in (("iso3", "country"), ("country", "iso3")):
            clashing = pairs[pairs.duplicated(subset=[column], keep=False)]
            if not clashing.empty:
                value = clashing[column].iloc[0]
                names = sorted(str(v) for v in clashing[other].unique())
                first = frame.index[frame[column] == value]
                rows = frame.loc[first]
                line = int(first[(rows[other] != rows[other].iloc[0]).to_numpy()][0]) + 2
                self.problem(f"{column} {value} is paired with more than one {other}: "
                             + "; ".join(names), line, other)


def _typed_dtype(column: Column) -> Any:
    if column.kind is Kind.INT:
        return "int64" if column.required else "Int64"
    if column.kind is Kind.FLOAT:
        return "float64"
    return "category" if column.categorical else object


def _strip(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.CategoricalDtype):
        stripped = values.cat.rename_categories(lambda c: str(c).strip()) if _needs_strip(
            values.cat.categories) else values
        return stripped
    text = values.astype("object")
    mask = text.notna()
    text = text.where(~mask, text.astype(str).str.strip())
    return text.where(text != "")


def _needs_strip(categories: pd.Index) -> bool:
    as_text = [str(c) for c in categories]
    stripped = [c.strip() for c in as_text]
    return stripped != as_text and len(set(stripped)) == len(stripped)


def _combined_codes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One int64 per row that is equal exactly when the key columns are equal."""
    combined = np.zeros(len(frame), dtype=np.int64)
    for name in columns:
        values = frame[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes, size = values.cat.codes.to_numpy().astype(np.int64), len(values.cat.categories) + 1
        else:
            codes_raw, uniques = pd.factorize(values, use_na_sentinel=True)
            codes, size = codes_raw.astype(np.int64), len(uniques) + 1
        combined = combined * size + (codes + 1)
    return combined


class Dataset:
    """The tables of one data directory, loaded on first use and checked as they load."""

    def __init__(self, data_dir: Path, label_prefix: str | None = None) -> None:
        self.data_dir = data_dir
        self.label_prefix = label_prefix if label_prefix is not None else str(data_dir) + "/"
        self._tables: dict[str, pd.DataFrame] = {}

    def label(self, spec: TableSpec) -> str:
        return self.label_prefix + spec.filename

    def has(self, spec: TableSpec) -> bool:
        return (self.data_dir / spec.filename).is_file()

    def table(self, spec: TableSpec, purpose: str = "") -> pd.DataFrame:
        """The checked table; a missing or broken file raises DataError (one line)."""
        if spec.name not in self._tables:
            if not self.has(spec):
                needed = f" ({purpose})" if purpose else ""
                raise DataError(f"{self.label(spec)}: file not found{needed}")
            frame, problems = self.read(spec)
            if problems:
                raise _as_error(problems)
            self._tables[spec.name] = frame
        return self._tables[spec.name]

    def optional(self, spec: TableSpec) -> pd.DataFrame | None:
        """The table, or None when the data directory does not have that file."""
        return self.table(spec) if self.has(spec) else None

    def read(self, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem]]:
        """Read and check one table, returning every problem found (for `validate`)."""
        reader = TableReader(self.data_dir / spec.filename, spec, self.label(spec))
        try:
            frame = reader.read()
        except TableProblems as stop:
            return pd.DataFrame(columns=spec.column_names), stop.problems
        problems = reader.problems
        if not problems:
            problems = self._check_sources(frame, spec)
        return frame, problems

    def _check_sources(self, frame: pd.DataFrame, spec: TableSpec) -> list[Problem]:
        source_columns = [c for c in spec.columns if c.kind in (Kind.SOURCE, Kind.SOURCE_LIST)]
        if not source_columns:
            return []
        known = set(self.table(schema.SOURCES, "every figure's source id must resolve")["source_id"])
        problems: list[Problem] = []
        for column in source_columns:
            values = frame[column.name]
            distinct = values.dropna().unique()
            if column.kind is Kind.SOURCE_LIST:
                bad = [v for v in distinct if any(p.strip() not in known for p in str(v).split(";"))]
            else:
                bad = [v for v in distinct if v not in known]
            if bad:
                for line in _line_numbers(values.isin(bad))[:20]:
                    problems.append(Problem(
                        self.label(spec), int(line), column.name,
                        f"unknown source id, not in {schema.SOURCES.filename}",
                        str(values.iloc[line - 2]),
                    ))
        return problems

    # -- countries --------------------------------------------------------------------

    def countries(self) -> pd.DataFrame:
        """Every country the data names (iso3, country), from whichever tables exist."""
        pairs = []
        for spec in (schema.INDEX_SCORES, schema.PILLARS, schema.TRANSPARENCY, schema.FACTS):
            if self.has(spec):
                frame = self.table(spec)
                pairs.append(_distinct_pairs(frame))
        if not pairs:
            return pd.DataFrame({"iso3": pd.Series(dtype=object), "country": pd.Series(dtype=object)})
        merged = pd.concat(pairs, ignore_index=True).drop_duplicates(subset=["iso3"])
        return merged.sort_values("country", ignore_index=True)

    def resolve_country(self, text: str) -> Country:
        """Find a country by name, code, official or common name; a miss says what is close."""
        wanted = text.strip()
        if not wanted:
            raise UsageError("empty country name")
        known = self.countries()
        by_code = dict(zip(known["iso3"], known["country"], strict=True))
        by_name = {name.casefold(): code for code, name in by_code.items()}
        folded = wanted.casefold()
        code = by_name.get(folded) or (wanted.upper() if wanted.upper() in by_code else None)
        code = code or self._alias(folded) or _pycountry_code(wanted)
        if code is not None and code in by_code:
            return Country(code, str(by_code[code]))
        names = list(by_code.values())
        if code is not None:
            raise UsageError(
                f"no data for {printable(wanted)} ({code}); countries with data: {', '.join(names)}"
            )
        aliases = list(self._aliases())
        raise UsageError(f"unknown country {printable(wanted)}{did_you_mean(wanted, names + aliases)}")

    def _aliases(self) -> dict[str, str]:
        frame = self.optional(schema.ALIASES)
        if frame is None:
            return {}
        return dict(zip(frame["alias"], frame["iso3"], strict=True))

    def _alias(self, folded: str) -> str | None:
        for alias, code in self._aliases().items():
            if alias.casefold() == folded:
                return code
        return None


def _distinct_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    pairs = frame[["iso3", "country"]]
    if all(isinstance(pairs[c].dtype, pd.CategoricalDtype) for c in pairs):
        grouped = pairs.groupby(["iso3", "country"], observed=True).size().reset_index()
        pairs = grouped[["iso3", "country"]]
    else:
        pairs = pairs.drop_duplicates()
    return pd.DataFrame({"iso3": pairs["iso3"].astype(str).to_numpy(),
                         "country": pairs["country"].astype(str).to_numpy()})


def _pycountry_code(text: str) -> str | None:
    """ISO alpha-2/alpha-3 codes, official and common names, via pycountry (only on a miss)."""
    import pycountry

    try:
        if len(text) == 2 and text.isalpha():
            found = pycountry.countries.get(alpha_2=text.upper())
            return str(found.alpha_3) if found else None
        return str(pycountry.countries.lookup(text).alpha_3)
    except LookupError:
        pass
    try:
        matches = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return None
    return str(matches[0].alpha_3) if matches else None


def _as_error(problems: list[Problem]) -> DataError:
    more = len(problems) - 1
    suffix = f" (and {more} more: run 'tindex validate')" if more else ""
    return DataError(str(problems[0]) + suffix)


def validate(dataset: Dataset) -> tuple[list[Problem], dict[str, int]]:
    """Every problem in every table of the directory, and the row count of each table read."""
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    if not dataset.has(schema.SOURCES):
        problems.append(Problem(dataset.label(schema.SOURCES), None, None, "file not found"))
    for spec in schema.ALL_TABLES:
        if not dataset.has(spec):
            if spec.needs_rows and spec is not schema.SOURCES:
                problems.append(Problem(dataset.label(spec), None, None, "file not found"))
            continue
        try:
            frame, found = dataset.read(spec)
        except DataError:
            continue  # sources.csv itself is broken: reported under its own name
        problems.extend(found)
        if not found:
            dataset._tables[spec.name] = frame
            counts[spec.filename] = len(frame)
    problems.extend(_cross_table_problems(dataset))
    return problems, counts


def _cross_table_problems(dataset: Dataset) -> list[Problem]:
    """A country must carry the same name and code in every file."""
    seen: dict[str, tuple[str, str]] = {}
    problems: list[Problem] = []
    for spec in (schema.INDEX_SCORES, schema.PILLARS, schema.TRANSPARENCY, schema.FACTS,
                 schema.DRIVERS):
        frame = dataset._tables.get(spec.name)
        if frame is None:
            continue
        for code, name in _distinct_pairs(frame).itertuples(index=False):
            first = seen.setdefault(code, (name, spec.filename))
            if first[0] != name:
                problems.append(Problem(
                    dataset.label(spec), None, "country",
                    f"{code} is called {first[0]!r} in {first[1]} but differently here", name,
                ))
    return problems
