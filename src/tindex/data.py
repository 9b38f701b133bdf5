"""Load the CSV tables into pandas, check them against the schema, resolve country names.

Every problem with a file becomes a `Problem` naming file, line, column and value; a
command stops at the first one (one line, exit 1), `tindex validate` lists them all.
Tables load only when a command asks for them, each once.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tindex import schema
from tindex.errors import DataError, UsageError, did_you_mean, escape_controls, printable
from tindex.locate import iso3_codes
from tindex.schema import Column, Kind, TableSpec

HEADER_LIMIT = 1_000_000  # bytes: a longer first line is not a CSV header
_BITMAP_LIMIT = 1 << 24  # distinct-value tests use a bitmap of up to 16 MB, else hashing
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_WHOLE_NUMBER = r"[+-]?\d+"
_DATE = r"\d{4}(-\d{2}(-\d{2})?)?"


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
        # Names from the file (headers, countries) can appear in the message: escape them.
        return escape_controls(f"{where}:{column} {self.message}") + value


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str


class TableProblems(Exception):
    """Raised inside the loader to stop reading a file that cannot be read at all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(str(problems[0]))
        self.problems = problems


def _rows(mask: pd.Series) -> np.ndarray:
    """Positions of the rows selected by mask (turned into file lines by `line_of`)."""
    return np.flatnonzero(mask.to_numpy())


def _record_start_lines(path: Path) -> list[int]:
    """The file line on which each data record starts, skipping blank lines as pandas does.

    Only read when a problem is reported, so correct line numbers cost nothing otherwise.
    """
    starts: list[int] = []
    previous_end = 0
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        for record in reader:
            if record:
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    return starts[1:]  # the first record is the header


class TableReader:
    """Reads one CSV file against its spec, collecting problems rather than raising."""

    def __init__(self, path: Path, spec: TableSpec, label: str) -> None:
        self.path = path
        self.spec = spec
        self.label = label
        self.problems: list[Problem] = []
        self._record_lines: list[int] | None = None

    def line_of(self, row: int) -> int:
        """The file line where data row `row` starts (blank lines and multi-line cells count)."""
        if self._record_lines is None:
            try:
                self._record_lines = _record_start_lines(self.path)
            except (OSError, csv.Error):
                self._record_lines = []
        return self._record_lines[row] if row < len(self._record_lines) else row + 2

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
        if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise TableProblems([Problem(self.label, None, None,
                                         "UTF-16 text, not UTF-8 (save the file as UTF-8 CSV)")])
        if b"\x00" in sample:
            raise TableProblems([Problem(self.label, None, None, "binary file, not CSV text")])
        if not first.endswith(b"\n") and len(first) >= HEADER_LIMIT:
            raise TableProblems([Problem(self.label, 1, None, "first line is too long to be a header")])
        try:
            text = first.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TableProblems([Problem(self.label, 1, None, "not UTF-8 text")]) from None
        try:
            raw_names = next(csv.reader([text.rstrip("\r\n")]), [])
        except csv.Error:  # e.g. old Mac line ends: the whole file reads as one line
            raise TableProblems([Problem(self.label, 1, None, "the header is not one CSV line "
                                         "(line ends must be LF or CRLF)")]) from None
        names = [name.strip() for name in raw_names]
        padded = [raw for raw, name in zip(raw_names, names, strict=True)
                  if raw != name and name in self.spec.column_names]
        if padded:  # pandas matches column names exactly, spaces included
            raise TableProblems([Problem(self.label, 1, None, "column name has spaces around it",
                                         padded[0])])
        missing = [c for c in self.spec.column_names if c not in names]
        if missing and len(names) == 1:
            separator = next((s for s in (";", "\t", "|") if s in names[0]), None)
            if separator is not None:
                raise TableProblems([Problem(
                    self.label, 1, None,
                    f"columns are separated by {separator!r}, not commas: save the file as CSV "
                    "(comma-separated)",
                )])
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
            raise TableProblems([self._encoding_problem()]) from None

    def _encoding_problem(self) -> Problem:
        """Name the line and the bytes that are not UTF-8 (pandas only says it failed)."""
        raw = self.path.read_bytes()
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            start = max(raw.rfind(b"\n", 0, exc.start) + 1, exc.start - 12)
            around = raw[start:exc.end + 12].split(b"\n")[0].decode("utf-8", "backslashreplace")
            return Problem(self.label, line, None, "not UTF-8 text (save the file as UTF-8)",
                           around)
        return Problem(self.label, None, None, "not UTF-8 text")

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
        unclosed = re.search(r"EOF inside string starting at row (\d+)", text)
        if unclosed:  # pandas counts rows from 0 at the header
            return Problem(self.label, int(unclosed.group(1)) + 1, None,
                           'a quoted field is never closed (a " without its partner)')
        return Problem(self.label, None, None, "not readable as CSV: " + text.splitlines()[-1])

    def _check_extra_fields(self, header: list[str]) -> None:
        """pandas silently drops fields beyond the header (usecols) and fills missing ones."""
        # A cheap scan is only needed for small files; large files rely on pandas.
        if self.path.stat().st_size > 5_000_000:
            return
        width = len(header)
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            line_no = 1  # where the current row starts: a quoted cell can span lines
            try:
                for row in reader:
                    if row and len(row) != width:
                        raise TableProblems([Problem(
                            self.label, line_no, None,
                            f"expected {width} fields, found {len(row)} (ragged row)",
                        )])
                    line_no = reader.line_num + 1
            except csv.Error as exc:
                raise TableProblems([Problem(self.label, line_no, None,
                                             f"not readable as CSV: {exc}")]) from None

    # -- checks ---------------------------------------------------------------------

    def _check(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.spec.needs_rows and frame.empty:
            self.problem("no data rows (only a header)")
        for column in self.spec.columns:
            frame[column.name] = self._check_column(frame[column.name], column)
        self._check_keys(frame)
        if "country" in frame and "iso3" in frame:
            bad_codes = any(p.column == "iso3" for p in self.problems)  # reported once already
            self._check_country_codes(frame[frame["iso3"].isin(list(iso3_codes()))] if bad_codes
                                      else frame)
        return frame

    def _check_column(self, values: pd.Series, column: Column) -> pd.Series:
        name = column.name
        unreadable = None  # cells already reported as not a number
        if column.kind in (Kind.INT, Kind.FLOAT) and not pd.api.types.is_numeric_dtype(values):
            values, unreadable = self._to_number(values, column)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            values = _strip(values)
        missing = values.isna()
        empty = missing if unreadable is None else missing & ~unreadable
        if column.required and empty.any():
            for row in _rows(empty)[:20]:
                self.problem("empty cell", self.line_of(row), name)
        if column.kind is Kind.INT:
            self._check_range(values, column)
            return values.astype("int64") if not missing.any() else values.astype("Int64")
        if column.kind is Kind.FLOAT:
            return self._check_finite(values.astype("float64"), column)
        if column.kind is Kind.RISK:
            return self._to_levels(values, column, schema.RISK_LEVELS)
        if column.kind is Kind.RATING:
            return self._to_levels(values, column, schema.TRANSPARENCY_RATINGS)
        checks = {
            Kind.ISO3: self._check_iso3,
            Kind.ISO3_LIST: self._check_iso3_list,
            Kind.DATE: self._check_date,
            Kind.URL: self._check_pattern(r"https?://\S+", "not an http(s) URL"),
            Kind.INDEX: self._check_index,
        }
        check = checks.get(column.kind)
        if check is not None:
            check(values, column)
        if column.categorical and not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        return values

    def _to_number(self, values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
        """The cells as numbers, and the mask of non-empty cells that are not numbers."""
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
        for row in _rows(bad)[:20]:
            self.problem(message, self.line_of(row), column.name, text.iloc[row])
        return numbers, bad

    def _check_finite(self, values: pd.Series, column: Column) -> pd.Series:
        """'inf' or '1e999' parse as floats but are not scores: report them, keep them out."""
        infinite = pd.Series(np.isinf(values.to_numpy()), index=values.index)
        if not infinite.any():
            return values
        for row in _rows(infinite)[:20]:
            self.problem("not a finite number", self.line_of(row), column.name, values.iloc[row])
        return values.where(~infinite)

    def _check_range(self, values: pd.Series, column: Column) -> None:
        array = values.to_numpy()
        if array.dtype.kind in "iu" and len(array) and (
                column.minimum is None or array.min() >= column.minimum) and (
                column.maximum is None or array.max() <= column.maximum):
            return  # plain whole numbers, all in range: two passes instead of six
        outside = pd.Series(False, index=values.index)
        if column.minimum is not None:
            outside |= (values < column.minimum).fillna(False).astype(bool)
        if column.maximum is not None:
            outside |= (values > column.maximum).fillna(False).astype(bool)
        if outside.any():
            limits = f"{column.minimum} to {column.maximum}"
            for row in _rows(outside)[:20]:
                self.problem(f"out of range ({limits})", self.line_of(row), column.name, values.iloc[row])

    def _to_levels(self, values: pd.Series, column: Column, allowed: tuple[str, ...]) -> pd.Series:
        canonical = {level.casefold(): level for level in allowed}
        text = values.astype("object")
        normalised = text.map(lambda v: canonical.get(v.casefold(), v) if isinstance(v, str) else v)
        unknown = normalised.notna() & ~normalised.isin(allowed)
        for row in _rows(unknown)[:20]:
            value = normalised.iloc[row]
            hint = did_you_mean(value, list(allowed))
            self.problem(f"unknown {column.kind.value}{hint}; allowed: {', '.join(allowed)}",
                         self.line_of(row), column.name, value)
        return pd.Series(
            pd.Categorical(normalised.where(~unknown), categories=allowed, ordered=True),
            index=values.index,
        )

    def _bad_values(self, values: pd.Series, is_good: Any) -> pd.Series:
        """Mask of non-empty cells that fail is_good, testing each distinct value once."""
        bad = [v for v in _distinct_values(values) if not is_good(v)]
        return values.isin(bad) if bad else pd.Series(False, index=values.index)

    def _report(self, mask: pd.Series, values: pd.Series, column: str, message: str) -> None:
        for row in _rows(mask)[:20]:
            self.problem(message, self.line_of(row), column, values.iloc[row])

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

    def _check_date(self, values: pd.Series, column: Column) -> None:
        def is_date(value: object) -> bool:
            text = str(value)
            if not re.fullmatch(_DATE, text):
                return False
            try:
                date.fromisoformat((text + "-01-01")[:10])  # checks month and day ranges
            except ValueError:
                return False
            return True

        bad = self._bad_values(values, is_date)
        self._report(bad, values, column.name, "not a date (YYYY, YYYY-MM or YYYY-MM-DD)")

    def _check_pattern(self, pattern: str, message: str) -> Any:
        compiled = re.compile(pattern)

        def check(values: pd.Series, column: Column) -> None:
            bad = self._bad_values(values, lambda v: bool(compiled.fullmatch(str(v))))
            self._report(bad, values, column.name, message)

        return check

    def _check_keys(self, frame: pd.DataFrame) -> None:
        key = list(self.spec.key)
        if frame.empty or _all_distinct(frame, key):
            return
        twice = frame.duplicated(subset=key, keep="first")
        for row in _rows(twice)[:20]:
            record = frame.iloc[row]
            shown = ", ".join(f"{k}={record[k]}" for k in key)
            self.problem(f"duplicate row for {shown}", self.line_of(row), None)

    def _check_country_codes(self, frame: pd.DataFrame) -> None:
        """One name per code and one code per name, so that look-ups cannot disagree."""
        if _one_to_one(frame["iso3"], frame["country"]):
            return
        pairs = frame[["iso3", "country"]].dropna().drop_duplicates()
        for column, other in (("iso3", "country"), ("country", "iso3")):
            clashing = pairs[pairs.duplicated(subset=[column], keep=False)]
            if not clashing.empty:
                value = clashing[column].iloc[0]
                names = sorted(str(v) for v in clashing[other].unique())
                first = frame.index[frame[column] == value]
                rows = frame.loc[first]
                line = self.line_of(int(first[(rows[other] != rows[other].iloc[0]).to_numpy()][0]))
                self.problem(f"{column} {value} is paired with more than one {other}: "
                             + "; ".join(names), line, other)


def _typed_dtype(column: Column) -> Any:
    if column.kind is Kind.INT:
        return "int64" if column.required else "Int64"
    if column.kind is Kind.FLOAT:
        return "float64"
    return "category" if column.categorical else object


def _strip(values: pd.Series) -> pd.Series:
    """Cells without surrounding spaces, empty cells as missing."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in values.cat.categories]
        if all(c == c.strip() and c for c in categories):
            return values  # the usual case: nothing to do, no pass over the rows
        return _strip(values.astype("object")).astype("category")
    text = values.astype("object")
    if pd.api.types.infer_dtype(text, skipna=True) == "string":  # as read: text or empty
        stripped = text.str.strip()  # half the pandas calls of the general case below
        return stripped.where(stripped != "")
    mask = text.notna()
    text = text.where(~mask, text.astype(str).str.strip())
    return text.where(text != "")


def _distinct_values(values: pd.Series) -> Any:
    """The distinct non-empty values; for a categorical column read from CSV, its categories."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.categories  # read_csv makes exactly the values it saw
    return values.dropna().unique()


def _key_codes(values: pd.Series) -> tuple[np.ndarray, int, int]:
    """(array, offset, size): array + offset is, per row, a code 1..size-1 that is equal
    exactly when the values are (0: empty). The array may be the column's own data."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), 1, len(values.cat.categories) + 1
    array = values.to_numpy()
    if array.dtype.kind in "iu" and len(array):
        low, high = int(array.min()), int(array.max())
        if high - low < _BITMAP_LIMIT:  # whole numbers in a short range (years): no hashing
            return array, 1 - low, high - low + 2
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, 1, len(uniques) + 1


def _combined_codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, int]:
    """One int64 per row that is equal exactly when the key columns are equal, and the span.

    Built in place in a single array: on large tables every fresh array costs time.
    Past 2**63 the codes wrap around: distinct keys may then collide (a false alarm that
    the exact check sorts out), equal keys never differ.
    """
    first, *rest = columns
    array, offset, span = _key_codes(frame[first])
    combined = array.astype(np.int64)  # a copy: the column's own data is never changed
    combined += offset
    for name in rest:
        array, offset, size = _key_codes(frame[name])
        combined *= size
        combined += array
        combined += offset
        span *= size
    return combined, span


def _all_distinct(frame: pd.DataFrame, columns: list[str]) -> bool:
    """No two rows share the key columns (False may be a false alarm: look closer then)."""
    combined, span = _combined_codes(frame, columns)
    if span <= _BITMAP_LIMIT:
        return _count_distinct(combined, span) == len(combined)
    return bool(pd.Index(combined).is_unique)


def _distinct_codes(codes: np.ndarray, span: int) -> np.ndarray:
    """The distinct values of codes in 0..span-1: a bitmap when the span is small."""
    if span > _BITMAP_LIMIT:
        return np.unique(codes)
    seen = np.zeros(span, dtype=np.bool_)
    seen[codes] = True
    return np.flatnonzero(seen)


def _count_distinct(codes: np.ndarray, span: int) -> int:
    if span > _BITMAP_LIMIT:
        return len(pd.unique(codes))
    seen = np.zeros(span, dtype=np.bool_)
    seen[codes] = True
    return int(np.count_nonzero(seen))


def _pair_codes(iso3: pd.Series, country: pd.Series) -> np.ndarray:
    """The distinct (iso3, country) pairs with both present, as iso3 code * width + country code.

    For two categorical columns: sorted like groupby's groups, found without hashing rows.
    """
    width = len(country.cat.categories)
    span = len(iso3.cat.categories) * width
    codes = iso3.cat.codes.to_numpy()
    names = country.cat.codes.to_numpy()
    combined = codes.astype(np.int64) if span >= 2**31 else codes.astype(np.int32)  # in place
    combined *= width
    combined += names
    if len(combined) and min(codes.min(), names.min()) < 0:  # some cell is empty
        combined = combined[(codes >= 0) & (names >= 0)]
    return _distinct_codes(combined, span)


def _one_to_one(iso3: pd.Series, country: pd.Series) -> bool:
    """Each present code has one name and each name one code (False: look closer).

    Works on the category codes of the distinct pairs, so millions of rows cost a few
    milliseconds; the exact, row-by-row report runs only when this says False.
    """
    if not (isinstance(iso3.dtype, pd.CategoricalDtype)
            and isinstance(country.dtype, pd.CategoricalDtype)):
        return False
    width = len(country.cat.categories)
    pairs = _pair_codes(iso3, country)
    return len(np.unique(pairs // width)) == len(pairs) == len(np.unique(pairs % width))


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
        try:
            problems = problems + self._check_sources(frame, spec, reader.line_of)
        except DataError:  # sources.csv itself is broken: report this file's own problems first
            if not problems:
                raise
        return frame, problems

    def _check_sources(self, frame: pd.DataFrame, spec: TableSpec,
                       line_of: Callable[[int], int]) -> list[Problem]:
        source_columns = [c for c in spec.columns if c.kind in (Kind.SOURCE, Kind.SOURCE_LIST)]
        if not source_columns:
            return []
        known = set(self.table(schema.SOURCES, "every figure's source id must resolve")["source_id"])
        problems: list[Problem] = []
        for column in source_columns:
            values = frame[column.name]
            distinct = _distinct_values(values)
            if column.kind is Kind.SOURCE_LIST:
                bad = [v for v in distinct if any(p.strip() not in known for p in str(v).split(";"))]
            else:
                bad = [v for v in distinct if v not in known]
            if bad:
                for row in _rows(values.isin(bad))[:20]:
                    problems.append(Problem(
                        self.label(spec), line_of(row), column.name,
                        f"unknown source id, not in {schema.SOURCES.filename}",
                        str(values.iloc[row]),
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
        # Suggest canonical names only, even when the closest match is an alias.
        canonical = {alias: str(by_code.get(code, alias)) for alias, code in self._aliases().items()}
        hint = did_you_mean(wanted, names + list(canonical))
        for alias, name in canonical.items():
            hint = hint.replace(alias, name) if alias not in names else hint
        raise UsageError(f"unknown country {printable(wanted)}{_dedupe_hint(hint)}")

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


def _dedupe_hint(hint: str) -> str:
    """' (did you mean Belarus, Belarus or Russia?)' -> ' (did you mean Belarus or Russia?)'."""
    if not hint:
        return hint
    names = hint.removeprefix(" (did you mean ").removesuffix("?)").replace(" or ", ", ").split(", ")
    unique = list(dict.fromkeys(names))
    joined = unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " or " + unique[-1]
    return f" (did you mean {joined}?)"


def _distinct_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    pairs = frame[["iso3", "country"]]
    if all(isinstance(pairs[c].dtype, pd.CategoricalDtype) for c in pairs):
        iso3, country = pairs["iso3"], pairs["country"]
        codes, width = _pair_codes(iso3, country), len(country.cat.categories)
        pairs = pd.DataFrame({"iso3": iso3.cat.categories[codes // width],
                              "country": country.cat.categories[codes % width]})
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
    first = min(problems, key=lambda problem: problem.line or 0)  # the first in the file
    return DataError(str(first) + suffix)


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
        problems.extend(sorted(found, key=lambda problem: problem.line or 0))
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
    return problems + _pillar_name_problems(dataset)


def _pillar_name_problems(dataset: Dataset) -> list[Problem]:
    """pillars.csv repeats each pillar's name for readers: it must match gti_pillars.csv."""
    pillars, names = dataset._tables.get("pillars"), dataset._tables.get("gti_pillars")
    if pillars is None or names is None:
        return []
    expected = {int(n): str(name) for n, name in zip(names["pillar"], names["name"], strict=True)}
    expected[schema.OVERALL_PILLAR] = "Overall"
    problems = []
    for row, (number, name) in enumerate(zip(pillars["pillar"], pillars["pillar_name"], strict=True)):
        wanted = expected.get(int(number))
        if wanted is None:
            problems.append(Problem(dataset.label(schema.PILLARS), row + 2, "pillar",
                                    f"no pillar {number} in {schema.GTI_PILLARS.filename}", str(number)))
        elif str(name) != wanted:
            problems.append(Problem(dataset.label(schema.PILLARS), row + 2, "pillar_name",
                                    f"pillar {number} is called {wanted!r} in "
                                    f"{schema.GTI_PILLARS.filename}", str(name)))
    return problems[:20]
