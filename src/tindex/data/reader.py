"""Read one CSV file against its spec and report every problem as file:line: column.

One rule for every file, whatever its size: the header is checked, every record's field
count is checked, every cell is parsed and checked. Only the way of doing a check may
change with the content (a file without quotes is scanned with numpy instead of the csv
module), never whether it is done.
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

from tindex.data.keys import all_distinct
from tindex.errors import did_you_mean, escape_controls, printable
from tindex.locate import is_iso3
from tindex.schema import Column, Kind, TableSpec

HEADER_LIMIT = 1_000_000  # bytes: a longer first line is not a CSV header
PROBLEM_LIMIT = 20  # problems reported per check: enough to see a pattern
_CHUNK = 1 << 24  # bytes scanned at a time when counting fields
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_WHOLE_NUMBER = re.compile(r"[+-]?\d{1,18}")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a data file, printed as `file:line: column: problem (value)`."""

    file: str
    line: int | None
    column: str | None
    message: str
    value: str | None = None
    warning: bool = False  # plausibility: shown, but the data is still used

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        column = f" {self.column}:" if self.column else ""
        value = f" ({printable(self.value)})" if self.value is not None else ""
        prefix = " warning:" if self.warning else ""
        # Names from the file (headers, countries) can appear in the message: escape them.
        return escape_controls(f"{where}:{column}{prefix} {self.message}") + value


class TableProblems(Exception):
    """Raised inside the reader to stop reading a file that cannot be read at all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(str(problems[0]))
        self.problems = problems


def rows_of(mask: pd.Series | np.ndarray) -> np.ndarray:
    """Positions of the rows selected by mask, at most PROBLEM_LIMIT of them."""
    array = mask.to_numpy() if isinstance(mask, pd.Series) else mask
    return np.flatnonzero(array)[:PROBLEM_LIMIT]


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
        self._one_record_per_line = False  # set by the field-count scan when it can tell

    def line_of(self, row: int) -> int:
        """The file line where data row `row` starts (blank lines and multi-line cells count)."""
        if self._one_record_per_line:  # no quotes, no blank lines: no csv pass over the file
            return row + 2
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

    def report(self, mask: pd.Series | np.ndarray, values: pd.Series, column: str,
               message: str) -> None:
        for row in rows_of(mask):
            self.problem(message, self.line_of(int(row)), column, values.iloc[row])

    def read(self) -> pd.DataFrame:
        header = self._header()
        self._check_field_counts(len(header))
        columns = [c for c in self.spec.columns if c.name in header]
        try:
            frame = self._read_csv(columns, {c.name: _dtype(c) for c in columns})
        except (ValueError, TypeError, OverflowError) as exc:
            if isinstance(exc, pd.errors.ParserError):
                raise TableProblems([self._parser_problem(exc)]) from None
            # a number column that pandas cannot parse: read text, find and name the bad cells
            frame = self._read_csv(columns, {c.name: object for c in columns})
        return self._check(frame, columns)

    # -- the file as a whole ------------------------------------------------------------

    def _header(self) -> list[str]:
        try:
            with self.path.open("rb") as handle:
                first = handle.readline(HEADER_LIMIT)
                sample = first + handle.read(8192)
        except OSError as exc:
            raise TableProblems([Problem(self.label, None, None,
                                         f"cannot read: {exc.strerror or exc}")]) from None
        if not sample.strip():
            raise TableProblems([Problem(
                self.label, None, None,
                "empty file (expected a header: " + ",".join(self._required_names()) + ")",
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
        missing = [c for c in self._required_names() if c not in names]
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

    def _required_names(self) -> list[str]:
        return [c.name for c in self.spec.columns if not c.optional_column]

    def _check_field_counts(self, width: int) -> None:
        """Every record must have as many fields as the header: pandas would silently drop
        extra fields of the columns it skips and fill missing ones."""
        found = _ragged_without_quotes(self.path, width)
        self._one_record_per_line = found is _ONE_RECORD_PER_LINE
        if found is _HAS_QUOTES:
            found = self._ragged_with_csv(width)
        if isinstance(found, tuple):
            line, count = found
            raise TableProblems([Problem(self.label, line, None,
                                         f"expected {width} fields, found {count} (ragged row)")])

    def _ragged_with_csv(self, width: int) -> tuple[int, int] | None:
        with self.path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            line_no = 1  # where the current record starts: a quoted cell can span lines
            try:
                for record in reader:
                    if record and len(record) != width and line_no > 1:
                        handle.seek(0)
                        rest = "".join(handle.readlines()[line_no - 1:])
                        if rest.count('"') % 2:  # csv reads an unclosed quote to the end
                            raise TableProblems([Problem(
                                self.label, line_no, None,
                                'a quoted field is never closed (a " without its partner)')])
                        return line_no, len(record)
                    line_no = reader.line_num + 1
            except csv.Error as exc:
                raise TableProblems([Problem(self.label, line_no, None,
                                             f"not readable as CSV: {exc}")]) from None
        return None

    def _read_csv(self, columns: list[Column], dtypes: dict[str, Any]) -> pd.DataFrame:
        try:
            return pd.read_csv(
                self.path,
                encoding="utf-8-sig",
                usecols=[c.name for c in columns],
                dtype=dtypes,
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=False,
                engine="c",
            )
        except UnicodeDecodeError:
            raise TableProblems([self._encoding_problem()]) from None
        except pd.errors.ParserError as exc:
            raise TableProblems([self._parser_problem(exc)]) from None

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

    # -- cells ----------------------------------------------------------------------------

    def _check(self, frame: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
        if self.spec.needs_rows and frame.empty:
            self.problem("no data rows (only a header)")
        for column in columns:
            frame[column.name] = self._check_column(frame[column.name], column)
        self._check_keys(frame)
        return frame

    def _check_column(self, values: pd.Series, column: Column) -> pd.Series:
        name = column.name
        unreadable: pd.Series | None = None  # cells already reported as not a number
        if column.kind is Kind.INT:
            values, unreadable = self._to_whole_numbers(values, column)
        elif column.kind is Kind.FLOAT and not pd.api.types.is_numeric_dtype(values):
            values, unreadable = self._to_number(values, column)
        elif column.kind is not Kind.FLOAT:
            values = strip(values)
        missing = values.isna()
        empty = missing if unreadable is None else missing & ~unreadable
        if column.required and empty.any():
            for row in rows_of(empty):
                self.problem("empty cell", self.line_of(int(row)), name)
        if column.kind is Kind.INT:
            self._check_range(values, column)
            return values
        if column.kind is Kind.FLOAT:
            return self._check_finite(values.astype("float64"), column)
        def slug_list(v: Any) -> bool:  # every part an id: 'a;;b' and 'a;' are refused
            return all(_SLUG.fullmatch(p.strip()) for p in str(v).split(";"))

        checks: dict[Kind, Callable[[Any], bool]] = {
            Kind.SLUG: lambda v: bool(_SLUG.fullmatch(str(v))),
            Kind.ISO3: is_iso3,
            Kind.ISO3_LIST: lambda v: all(is_iso3(p.strip()) for p in str(v).split(";")),
            Kind.DATE: _is_date,
            Kind.URL: lambda v: bool(_URL.fullmatch(str(v))),
            Kind.CHOICE: lambda v: v in column.choices,
            Kind.SOURCE: lambda v: bool(_SLUG.fullmatch(str(v))),
            Kind.SOURCE_LIST: slug_list,
            Kind.CAVEAT_LIST: slug_list,
        }
        check = checks.get(column.kind)
        if check is not None:
            bad = [v for v in distinct_values(values) if not check(v)]
            if bad:
                allowed = f"; allowed: {', '.join(column.choices)}" if column.choices else ""
                self.report(values.isin(bad), values, name, f"not a valid {column.kind.value}{allowed}")
        if column.categorical and not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        return values

    def _to_whole_numbers(self, values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
        """Whole-number literals only: '2e3', '2024.0' and '2024.5' are refused, not rounded.

        The column is read as categories, so each distinct literal is checked once and
        millions of rows cost one lookup each.
        """
        categorical = values if isinstance(values.dtype, pd.CategoricalDtype) \
            else values.astype("category")
        kind = categorical.cat.categories.dtype.kind
        if kind in "iu":  # pandas saw only whole-number literals: nothing to check
            codes = categorical.cat.codes.to_numpy()
            numbers = categorical.cat.categories.to_numpy(dtype=np.int64)[np.maximum(codes, 0)]
            if (codes < 0).any():
                return (pd.Series(pd.array(numbers, dtype="Int64"), index=values.index).mask(codes < 0),
                        pd.Series(False, index=values.index))
            return pd.Series(numbers, index=values.index), pd.Series(False, index=values.index)
        if kind != "O":  # pandas turned some literal into a float ('2e3', '2024.0'): read the text
            text = self._read_csv([column], {column.name: str})[column.name]
            categorical = text.astype("category")
        literals = [str(c).strip() for c in categorical.cat.categories]
        parsed = np.array([int(t) if _WHOLE_NUMBER.fullmatch(t) else 0 for t in literals] or [0],
                          dtype=np.int64)
        good = np.array([bool(_WHOLE_NUMBER.fullmatch(t)) for t in literals] + [False])
        blank = np.array([t == "" for t in literals] + [True])
        codes = categorical.cat.codes.to_numpy()
        bad_rows = ~good[codes] & ~blank[codes]
        unreadable = pd.Series(bad_rows, index=values.index)
        if bad_rows.any():
            self.report(bad_rows, categorical.astype(object), column.name, "not a whole number")
        numbers = parsed[np.where(codes >= 0, codes, 0)]
        missing = ~good[codes]
        if missing.any():
            return pd.Series(pd.array(numbers, dtype="Int64"), index=values.index).mask(
                missing), unreadable
        return pd.Series(numbers, index=values.index), unreadable

    def _to_number(self, values: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
        """The cells as numbers (a decimal comma is accepted), and the mask of bad cells."""
        text = strip(values)
        comma = text.str.fullmatch(_DECIMAL_COMMA.pattern).fillna(False).astype(bool)
        text = text.where(~comma, text.str.replace(",", ".", regex=False))
        numbers = pd.to_numeric(text, errors="coerce")
        bad = numbers.isna() & text.notna()
        self.report(bad, text, column.name, "not a number")
        return numbers, bad

    def _check_finite(self, values: pd.Series, column: Column) -> pd.Series:
        """'inf' or '1e999' parse as floats but are not scores: report them, keep them out."""
        infinite = np.isinf(values.to_numpy())
        if not infinite.any():
            return values
        self.report(infinite, values, column.name, "not a finite number")
        return values.where(~infinite)

    def _check_range(self, values: pd.Series, column: Column) -> None:
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        outside = np.zeros(len(numbers), dtype=bool)
        with np.errstate(invalid="ignore"):  # missing cells compare False
            if column.minimum is not None:
                outside |= numbers < column.minimum
            if column.maximum is not None:
                outside |= numbers > column.maximum
        if not outside.any():
            return
        self.report(outside, values, column.name,
                    f"out of range ({column.minimum} to {column.maximum})")

    def _check_keys(self, frame: pd.DataFrame) -> None:
        key = [k for k in self.spec.key if k in frame]
        if all_distinct(frame, key):
            return
        twice = frame.duplicated(subset=key, keep="first")
        for row in rows_of(twice):
            record = frame.iloc[row]
            shown = ", ".join(f"{k}={'' if pd.isna(record[k]) else record[k]}" for k in key)
            self.problem(f"duplicate row for {shown}", self.line_of(int(row)), None)


_HAS_QUOTES = object()
_ONE_RECORD_PER_LINE = object()


def _ragged_without_quotes(path: Path, width: int) -> tuple[int, int] | object | None:
    """(line, fields) of the first record whose field count is not `width`, or None.

    Counts commas per line, 16 MB at a time; a file with quotes (where a
    comma or a line end can sit inside a field) returns _HAS_QUOTES for the csv module.
    A file whose every data line holds width - 1 >= 1 commas returns
    _ONE_RECORD_PER_LINE: data row r is then on line r + 2, which spares a csv pass over
    the whole file when a warning on a large file needs its line number. Each block's
    complete lines are scanned in place, not sliced off into a copy.
    """
    full = width > 1
    with path.open("rb") as handle:
        handle.readline(HEADER_LIMIT)
        line_no = 1
        carry = b""
        while True:
            chunk = handle.read(_CHUNK)
            data = carry + chunk if chunk else (carry + b"\n" if carry else b"")
            if not data:
                return _ONE_RECORD_PER_LINE if full else None
            cut = data.rfind(b"\n") + 1
            if data.find(b'"', 0, cut) >= 0:
                return _HAS_QUOTES
            if cut:
                found, lines = _first_ragged(data, cut, width)
                if isinstance(found, tuple):
                    return line_no + 1 + found[0], found[1]
                full = full and found is _ONE_RECORD_PER_LINE
                line_no += lines
            carry = data[cut:]
            if not chunk:
                return _ONE_RECORD_PER_LINE if full else None


_NOT_COMMA_OR_NEWLINE = bytes(byte for byte in range(256) if byte not in b",\n")


def _first_ragged(data: bytes, cut: int, width: int) -> tuple[tuple[int, int] | object | None, int]:
    """Of the complete lines data[:cut]: (line in block, fields) of the first ragged line;
    _ONE_RECORD_PER_LINE when every line has exactly width - 1 commas; None when the only
    other lines are blank. Also the number of lines.

    The usual case is settled on the commas and line ends alone (every other byte deleted,
    a C loop): they must read width - 1 commas and a line end, over and over. Anything
    else is looked at line by line with numpy.
    """
    marks = data.translate(None, _NOT_COMMA_OR_NEWLINE)
    complete = marks.rfind(b"\n") + 1  # the commas after it are the unfinished line's
    lines, rest = divmod(complete, width)
    if not rest and marks.startswith((b"," * (width - 1) + b"\n") * lines):
        return _ONE_RECORD_PER_LINE, lines
    block = np.frombuffer(data, dtype=np.uint8, count=cut)
    ends = np.flatnonzero(block == 10)
    commas = np.flatnonzero(block == 44)
    per_line = np.diff(np.searchsorted(commas, ends), prepend=0)
    starts = np.concatenate(([0], ends[:-1] + 1))
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (block[np.minimum(starts, len(block) - 1)] == 13))
    bad = (per_line != width - 1) & ~blank
    if not bad.any():
        return None, len(ends)
    first = int(np.argmax(bad))
    return (first, int(per_line[first]) + 1), len(ends)


def _dtype(column: Column) -> Any:
    if column.kind is Kind.INT:
        return "category"  # each distinct literal is checked once (see _to_whole_numbers)
    if column.kind is Kind.FLOAT:
        return "float64"
    return "category" if column.categorical else object


NO_DATE = "n.d."  # a source whose publisher gives no date (an imported file's, sometimes)


def _is_date(value: object) -> bool:
    text = str(value)
    if text == NO_DATE:
        return True
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat((text + "-01-01")[:10])  # checks month and day ranges
    except ValueError:
        return False
    return True


def strip(values: pd.Series) -> pd.Series:
    """Cells without surrounding spaces, empty cells as missing."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in values.cat.categories]
        if all(c == c.strip() and c for c in categories):
            return values  # the usual case: nothing to do, no pass over the rows
        return strip(values.astype("object")).astype("category")
    # One pass in Python: pandas' .str methods cost more in fixed overhead than they save on
    # the small text tables every command reads (and big tables' text columns are categories).
    cleaned = [None if value is None or value is pd.NA or (isinstance(value, float) and value != value)
               else (str(value).strip() or None) for value in values.to_numpy(dtype=object)]
    return pd.Series(cleaned, index=values.index, dtype=object)


def distinct_values(values: pd.Series) -> Any:
    """The distinct non-empty values; for a categorical column read from CSV, its categories."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        # A bitmap over the codes: remove_unused_categories() rewrites every row's code
        # (about 40 ms per column at 1M rows), this reads them once.
        categories = values.cat.categories
        used = np.zeros(len(categories) + 1, dtype=np.bool_)
        used[values.cat.codes.to_numpy()] = True  # code -1 (empty) marks the last slot
        return categories[used[:-1]]
    return values.dropna().unique()
