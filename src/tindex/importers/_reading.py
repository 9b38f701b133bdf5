"""Read the few needed columns of a large CSV in one pass, with every check the small files get.

pandas' C parser reads only `usecols`, but with `usecols` it neither rejects ragged rows nor
says on which line a cell failed to convert. So the bytes pandas reads go through
`_Tap`, which hashes them, reports progress and counts the fields of every record
(quote-aware, vectorised with numpy); a cell that fails to convert is found afterwards by
a second, slower pass that runs only when something is wrong.
"""

from __future__ import annotations

import csv
import hashlib
import queue
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from tindex.errors import DataError, printable

NA_VALUES = ["", "NA"]  # the only cells read as missing; anything else must be a number
HEADER_LIMIT = 4_000_000  # bytes: a longer first line is not a CSV header

Progress = Callable[[int, int], None]


@dataclass
class Ragged:
    """The first record whose field count differs from the header's."""

    line: int
    fields: int
    expected: int


class _FieldCounter:
    """Counts the fields of each CSV record as bytes arrive, ignoring commas and newlines in quotes.

    Works per block with numpy, never byte by byte: the positions of quotes and newlines
    (few) cut the block into segments, one `reduceat` counts the commas of every segment,
    and a segment's commas are structural when an even number of quotes precede it (""
    in a quoted field counts twice, so it cancels). Records end at newlines outside
    quotes. Every record's count is compared in every block, quoted or not; lengths (a
    blank line is skipped, as pandas does) and line numbers are worked out only in a block
    where some count differs.
    """

    def __init__(self) -> None:
        self.in_quotes = False
        self.commas = 0  # structural commas so far in the current record
        self.length = 0  # bytes so far in the current record
        self.last_byte = 0
        self.lines_before = 0  # newlines (any) before the current record starts
        self.newlines_seen = 0
        self.expected: int | None = None  # commas in the header
        self.ragged: Ragged | None = None
        self._bits = np.empty(0, dtype=np.uint8)
        self._mask = np.empty(0, dtype=np.bool_)

    def feed(self, data: bytes) -> None:
        if not data or self.ragged is not None:
            return
        chars = np.frombuffer(data, dtype=np.uint8)
        bits, mask = self._scratch(chars.size)
        # Newlines and quotes, in order. One test finds them: 10 and 34 differ only in bits
        # 8 and 32, so `byte & ~40 == 2` holds for 2, 10, 34 and 42, and the few marks it
        # finds drop bytes 2 ('\x02') and 42 ('*'). Into reused buffers: a fresh 256 KB array
        # per test cost page faults, and three tests over the block cost a pass more.
        np.equal(np.bitwise_and(chars, 0xD7, out=bits), 2, out=mask)
        marks = np.flatnonzero(mask)
        found = chars[marks]
        marks = marks[(found == 10) | (found == 34)]
        is_quote = chars[marks] == 34
        quotes = np.cumsum(is_quote)  # [k]: quotes among marks 0..k
        start = int(self.in_quotes)
        # inside[k]: whether segment k (from mark k-1, or the block start, to mark k) is quoted
        inside = np.concatenate(([start], (quotes + start) & 1)).astype(bool)
        # int32 is exact: a block is far below 2**31 bytes (pandas reads 256 KB at a time)
        counts = np.add.reduceat(np.equal(chars, 44, out=mask), np.concatenate(([0], marks)),
                                 dtype=np.int32)
        counts[inside] = 0
        structural = np.cumsum(counts, dtype=np.int64)  # [k]: commas outside quotes before mark k
        ends_at = np.flatnonzero(~is_quote & ~inside[:-1])  # marks that end a record
        if ends_at.size:
            ends = marks[ends_at]
            before = structural[ends_at]
            record_commas = before.copy()
            record_commas[1:] -= before[:-1]
            record_commas[0] += self.commas
            if self.expected is None:
                self.expected = int(record_commas[0])
            newline_rank = ends_at - quotes[ends_at]  # which newline of the block each end is
            if (record_commas != self.expected).any():  # blank or ragged: lengths and lines needed
                previous = np.concatenate(([-1], ends[:-1]))
                length = ends - previous - 1
                length[0] += self.length
                byte_before = np.where(ends > 0, chars[np.maximum(ends - 1, 0)], self.last_byte)
                length -= (length > 0) & (byte_before == 13)  # CRLF: the CR is not content
                starts = np.concatenate(([self.lines_before], newline_rank[:-1] + 1 + self.newlines_seen))
                self._check(record_commas, length, starts)
            self.commas = int(structural[-1] - before[-1])
            self.length = len(data) - 1 - int(ends[-1])
            self.lines_before = self.newlines_seen + int(newline_rank[-1]) + 1
        else:
            self.commas += int(structural[-1])
            self.length += len(data)
        self.newlines_seen += int(marks.size - (quotes[-1] if marks.size else 0))
        self.in_quotes = bool(inside[-1])
        self.last_byte = int(chars[-1])

    def _scratch(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Two work arrays of `size` bytes, kept from block to block."""
        if self._bits.size < size:
            self._bits = np.empty(size, dtype=np.uint8)
            self._mask = np.empty(size, dtype=np.bool_)
        return self._bits[:size], self._mask[:size]

    def _check(self, record_commas: np.ndarray, record_length: np.ndarray, starts: np.ndarray) -> None:
        if self.expected is None:
            self.expected = int(record_commas[0])
        # pandas skips empty lines; every other record must have the header's field count.
        bad = np.flatnonzero((record_commas != self.expected) & (record_length > 0))
        if bad.size:
            first = int(bad[0])
            self.ragged = Ragged(int(starts[first]) + 1, int(record_commas[first]) + 1, self.expected + 1)

    def finish(self) -> None:
        """Check the last record when the file does not end with a newline."""
        length = self.length - (self.last_byte == 13)
        if self.ragged is None and length > 0:
            self._check(np.array([self.commas]), np.array([length]), np.array([self.lines_before]))


class _Tap:
    """A read-only file that hashes, counts fields and reports progress on everything pandas reads.

    Hashing and counting run in a second thread, block by block in the order read, while
    pandas parses: hashlib and numpy release the GIL, so on a machine with a free core the
    checks cost little wall time. At most _QUEUED blocks wait (bounded memory); use it as a
    context manager, which waits for the last block and re-raises what the thread raised.
    """

    _QUEUED = 8

    def __init__(self, handle: Any, total: int, progress: Progress | None) -> None:
        self._handle = handle
        self._total = total
        self._progress = progress
        self.done = 0
        self.sha256 = hashlib.sha256()
        self.fields = _FieldCounter()
        self._blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=self._QUEUED)
        self._failure: BaseException | None = None
        self._worker = threading.Thread(target=self._check_blocks, name="tindex-import-checks",
                                        daemon=True)
        self._worker.start()

    def __enter__(self) -> _Tap:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self._blocks.put(None)
        self._worker.join()
        if kind is None:
            if self._failure is not None:
                raise self._failure
            self.fields.finish()

    def _check_blocks(self) -> None:
        while (data := self._blocks.get()) is not None:
            if self._failure is None:
                try:
                    self.sha256.update(data)
                    self.fields.feed(data)
                except BaseException as failure:  # re-raised in the reading thread
                    self._failure = failure

    def __iter__(self) -> Iterator[bytes]:  # pandas takes anything with read() and __iter__ as a file
        return iter(lambda: self.read(1 << 18), b"")

    def read(self, size: int | None = -1) -> bytes:
        data: bytes = self._handle.read(-1 if size is None else size)
        if data:
            self._blocks.put(data)
        self.done += len(data)
        if self._progress is not None:
            self._progress(self.done, self._total)
        return data

    def drain(self) -> None:
        """Read whatever pandas left unread (it stops at the last record), for the hash and counts."""
        while self.read(1 << 20):
            pass


def read_header(path: Path) -> list[str]:
    """The column names in the first record, or DataError if the file has none."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline(HEADER_LIMIT)
    except OSError as error:
        raise DataError(f"{path.name}: cannot read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise DataError(f"{path.name}:1: not UTF-8 text") from error
    row = next(csv.reader([first]), [])
    if not row or row == [""]:
        raise DataError(f"{path.name}: empty file, expected a CSV header")
    return row


def require_columns(path: Path, header: Sequence[str], required: Sequence[str]) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise DataError(f"{path.name}:1: missing column {', '.join(missing)}")


@dataclass
class Table:
    frame: pd.DataFrame
    sha256: str


def read_columns(
    path: Path, text: Sequence[str], numbers: Sequence[str], progress: Progress | None
) -> Table:
    """Read the text and number columns named (all present, checked beforehand) in one pass.

    Numbers are float64 with only '' and 'NA' as missing; a ragged record or a cell that
    is not a number becomes a DataError naming file:line and column.
    """
    dtypes: dict[str, Any] = {name: "str" for name in text} | {name: "float64" for name in numbers}
    total = path.stat().st_size
    conversion_failed = False
    unreadable: pd.errors.ParserError | None = None
    with path.open("rb") as handle, _Tap(handle, total, progress) as tap:
        try:
            frame = pd.read_csv(
                cast(Any, tap),  # a file object to pandas (read and __iter__), not to the stubs
                usecols=list(dtypes),
                dtype=dtypes,
                na_values=NA_VALUES,
                keep_default_na=False,
                encoding="utf-8",
            )
        except pd.errors.ParserError as error:  # before ValueError: it is one; named below
            unreadable = error
            frame = pd.DataFrame()
        except UnicodeDecodeError as error:  # also a ValueError
            raise DataError(f"{path.name}: not UTF-8 text") from error
        except (ValueError, TypeError):  # a cell that float64 could not take; found below
            conversion_failed = True
            frame = pd.DataFrame()
        tap.drain()
    if unreadable is not None:
        raise DataError(_parser_problem(path, unreadable, tap.fields.ragged))
    problems: list[tuple[int, str]] = []
    if tap.fields.ragged is not None:
        problems.append((tap.fields.ragged.line, _ragged_message(path, tap.fields.ragged)))
    if conversion_failed:
        problems.append(_first_bad_number(path, text, numbers))
    if problems:
        raise DataError(min(problems)[1])
    for name in numbers:
        values = frame[name].to_numpy()
        infinite = np.flatnonzero(np.isinf(values))
        if infinite.size:
            raise cell_error(path, int(infinite[0]), name, "not a number", str(values[infinite[0]]))
    return Table(frame, tap.sha256.hexdigest())


def _ragged_message(path: Path, ragged: Ragged) -> str:
    fields = f"{ragged.fields} field" + ("" if ragged.fields == 1 else "s")
    return f"{path.name}:{ragged.line}: row has {fields}, the header has {ragged.expected}"


def _parser_problem(path: Path, error: pd.errors.ParserError, ragged: Ragged | None) -> str:
    """One line for a file pandas cannot tokenise: an unclosed quote by its line, else the
    ragged row the field count found, else pandas' own words."""
    text = str(error).strip()
    unclosed = re.search(r"EOF inside string starting at row (\d+)", text)
    if unclosed:  # pandas counts rows from 0 at the header
        line = record_line(path, int(unclosed.group(1)) - 1)
        return f'{path.name}:{line}: a quoted field is never closed (a " without its partner)'
    if ragged is not None:
        return _ragged_message(path, ragged)
    return f"{path.name}: not a readable CSV file ({text.splitlines()[-1] if text else 'unknown'})"


def _first_bad_number(path: Path, text: Sequence[str], numbers: Sequence[str]) -> tuple[int, str]:
    """Slow path, run only after a conversion failed: the first cell that is not a number."""
    raw = pd.read_csv(
        path, usecols=[*text, *numbers], dtype="str", na_values=NA_VALUES, keep_default_na=False,
        encoding="utf-8-sig",
    )
    first: tuple[int, str] | None = None
    for name in numbers:
        cells = raw[name]
        parsed = pd.to_numeric(cells, errors="coerce")
        bad = np.flatnonzero((cells.notna() & parsed.isna()).to_numpy())
        if bad.size and (first is None or int(bad[0]) < first[0]):
            first = (int(bad[0]), name)
    if first is None:  # pandas refused a cell that to_numeric takes: report the column at least
        raise DataError(f"{path.name}: a cell in {', '.join(numbers)} is not a number")
    row, name = first
    error = cell_error(path, row, name, "not a number", str(raw[name].iloc[row]))
    return (record_line(path, row), error.message)


def record_line(path: Path, row: int) -> int:
    """The file line on which data record `row` (0-based, blank lines skipped) starts."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)  # header
        start = reader.line_num + 1
        seen = 0
        for record in reader:
            if record:
                if seen == row:
                    return start
                seen += 1
            start = reader.line_num + 1
    return start


def cell_error(path: Path, row: int, column: str, problem: str, value: str | None = None) -> DataError:
    """`file:line: column: problem ('value')` for data record `row`."""
    shown = f" ({printable(value)})" if value is not None else ""
    return DataError(f"{path.name}:{record_line(path, row)}: {column}: {problem}{shown}")
