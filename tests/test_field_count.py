"""The two field counts, each against the rule written out plainly, on any input cut into
any blocks.

The import reader's (issue 13): the oracle, `_by_bytes`, is the rule one byte at a time: a
quote toggles quoting, a comma or newline outside quotes separates fields or records, a CR
before the newline is not content, a blank record is skipped, and the first record (the
header) sets the count every later record must have.

The data reader's, for files without quotes: `_by_lines` splits the lines and counts each
one's commas.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tindex.data import reader
from tindex.errors import DataError
from tindex.importers import read_import
from tindex.importers._reading import Ragged, _FieldCounter


def _by_bytes(data: bytes) -> Ragged | None:
    """The first record whose field count differs from the header's, one byte at a time."""
    expected: int | None = None
    in_quotes = False
    commas = 0
    content = bytearray()
    line = 1  # the line the current record starts on
    newlines = 0

    def verdict() -> Ragged | None:
        nonlocal expected
        length = len(content) - (1 if content.endswith(b"\r") else 0)
        if expected is None:
            expected = commas
        elif commas != expected and length > 0:
            return Ragged(line, commas + 1, expected + 1)
        return None

    for byte in data:
        if byte == ord('"'):
            in_quotes = not in_quotes
        elif byte == ord("\n"):
            newlines += 1
            if not in_quotes:
                found = verdict()
                if found is not None:
                    return found
                commas, content, line = 0, bytearray(), newlines + 1
                continue
        elif byte == ord(",") and not in_quotes:
            commas += 1
        content.append(byte)
    return verdict() if len(content) - content.endswith(b"\r") > 0 else None


def _counted(data: bytes, cuts: list[int]) -> Ragged | None:
    """The counter's verdict when `data` arrives in the blocks `cuts` make."""
    counter = _FieldCounter()
    edges = [0, *sorted(cut % (len(data) + 1) for cut in cuts), len(data)]
    for start, end in itertools.pairwise(edges):
        counter.feed(data[start:end])
    counter.finish()
    return counter.ragged


PIECES = [b"a", b"bc", b",", b'"', b'""', b"\n", b"\r\n", b"\r", b"\xef\xbb\xbf", b"\n\n", b'"x,\ny"', b" "]


def _field() -> st.SearchStrategy[bytes]:
    plain = st.sampled_from([b"", b"1", b"2.5", b"NA", b"Kazakhstan", b"\xc3\xa9"])
    quoted = st.lists(st.sampled_from([b"a", b",", b"\n", b"\r\n", b'""', b" "]), max_size=5).map(
        lambda parts: b'"' + b"".join(parts) + b'"')
    return st.one_of(plain, quoted)


@st.composite
def _tables(draw: st.DrawFn) -> bytes:
    """Mostly well-formed CSV (quoted commas and newlines, CRLF, BOM, blank lines), sometimes ragged."""
    width = draw(st.integers(1, 6))
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    records = []
    for _ in range(draw(st.integers(0, 8))):
        fields = width + draw(st.sampled_from([0, 0, 0, 0, -1, 1]))
        records.append(b",".join(draw(_field()) for _ in range(max(fields, 1))))
        if draw(st.integers(0, 9)) == 0:
            records.append(b"")  # a blank line
    header = b",".join(b"c%d" % i for i in range(width))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    text = bom + ending.join([header, *records])
    return text + (ending if draw(st.booleans()) else b"")


CUTS = st.lists(st.integers(0, 10_000), max_size=6)


@given(st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join), CUTS)
@example(b'a,b\n"x\n,y",2\n1,2,3\n', [5, 6])
@example(b"a,b\r\n1,2\r\n\r\n3\r\n", [9, 10])
def test_any_bytes_in_any_blocks(data: bytes, cuts: list[int]) -> None:
    assert _counted(data, cuts) == _by_bytes(data)


@given(_tables(), CUTS)
def test_csv_like_tables_in_any_blocks(data: bytes, cuts: list[int]) -> None:
    assert _counted(data, cuts) == _by_bytes(data)


@pytest.mark.parametrize("block", [1, 2, 3, 7, 1 << 18])
def test_ragged_row_after_quoted_newlines_names_its_line(block: int) -> None:
    data = b'c0,c1\r\n"a,\r\nb",1\r\n\r\n"""x"",\n",2,3\r\n4,5\r\n'
    counter = _FieldCounter()
    for start in range(0, len(data), block):
        counter.feed(data[start:start + block])
    counter.finish()
    assert counter.ragged == Ragged(line=5, fields=3, expected=2)


def test_ragged_row_in_an_import_after_quoted_commas(tmp_path: Path) -> None:
    path = tmp_path / "V-Dem-CY-Core-v15.csv"
    header = "country_name,country_text_id,histname,year,v2cltort,v2cltort_codelow,v2cltort_codehigh\n"
    good = 'Kazakhstan,KAZ,"Kazakh SSR, then\nKazakhstan",{year},1.5,1.0,2.0\n'
    path.write_text(header + good.format(year=2020) + good.format(year=2021)[:-1] + ",9\n"
                    + good.format(year=2022))
    with pytest.raises(DataError) as caught:
        read_import("vdem", path)
    assert caught.value.message == "V-Dem-CY-Core-v15.csv:4: row has 8 fields, the header has 7"


# -- the data reader: a file without quotes ---------------------------------------------------

ONE_PER_LINE = "every data line is one record"


def _by_lines(data: bytes, width: int) -> tuple[int, int] | str | None:
    """After the header, the first line that is not blank (empty, or a lone CR) and does not
    hold width - 1 commas, as (line, fields); else ONE_PER_LINE when width > 1 and no data
    line is blank, else None."""
    body = data.split(b"\n")[1:]
    if body and body[-1] == b"":
        body.pop()  # the newline that ends the last line
    every = width > 1
    for number, line in enumerate(body, start=2):
        if line in (b"", b"\r"):
            every = False
        elif line.count(b",") != width - 1:
            return number, line.count(b",") + 1
    return ONE_PER_LINE if every else None


@st.composite
def _unquoted_tables(draw: st.DrawFn) -> tuple[bytes, int]:
    """A header of `width` columns, then lines that mostly have as many fields, some blank
    (empty or a lone CR) anywhere."""
    width = draw(st.integers(1, 5))
    cell = st.sampled_from([b"", b"a", b"1.5", b"\xc3\xa9", b"\r"])
    lines = [b",".join([b"c"] * width)]
    for _ in range(draw(st.integers(0, 12))):
        fields = width + draw(st.sampled_from([0, 0, 0, 0, 0, -1, 1, 2]))
        lines.append(b",".join(draw(cell) for _ in range(max(fields, 1))))
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from([b"", b"\r"])))
    return b"\n".join(lines) + draw(st.sampled_from([b"", b"\n", b"\r\n", b"\n\n"])), width


@given(table=_unquoted_tables(), chunk=st.integers(1, 40))
@example(table=(b"c,c\n1,2\n1,2,3\n", 2), chunk=4)
@example(table=(b"c,c\n1,2\n\n1,2\n", 2), chunk=3)
@example(table=(b"c,c\n\n1,2\n1,2,3\n", 2), chunk=3)  # a blank line, then a ragged row
@example(table=(b"c,c\n1,2\r\n\r\n1,2\r\n", 2), chunk=64)  # a lone CR is a blank line
@example(table=(b"c,c,c,c,c\n,,,,\n,,,,", 5), chunk=40)  # the last line unfinished, one block
def test_the_data_reader_counts_fields_as_the_lines_say(table: tuple[bytes, int], chunk: int,
                                                        tmp_path_factory: pytest.TempPathFactory
                                                        ) -> None:
    data, width = table
    path = tmp_path_factory.getbasetemp() / "field-count.csv"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "_CHUNK", chunk)
        found = reader._ragged_without_quotes(path, width)
    assert (ONE_PER_LINE if found is reader._ONE_RECORD_PER_LINE else found) == \
        _by_lines(data, width)
