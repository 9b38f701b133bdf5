"""Issue 9, "never a silently wrong answer": one test group per class of hostile input.

Each class is tried with several payloads. An error is always: the documented exit code,
nothing on stdout, one line on stderr starting "tindex: error:", no traceback, no
"internal error", no raw control or invisible character. A success never shows another
country's figures, inf or NaN.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import string
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA, Result, Terminal, console_script, on_terminal
from tindex.errors import escape_controls
from tindex.names import fold, fold_accents

Run = Callable[..., Result]

SCORES = "index_scores.csv"
# Raw characters that must never reach the user: C0 (but TAB/LF), DEL, C1, soft hyphen,
# zero-width and bidi controls, word joiner and friends, BOM, non-characters, tag characters.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f"
                 "\ufeff\ufff0-\uffff\U000e0000-\U000e0fff]")
NON_FINITE = re.compile(r"(?<![\w-])-?(inf|infinity|nan)(?![\w-])", re.IGNORECASE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def one_line_error(result: Result | subprocess.CompletedProcess[str], code: int,
                   *fragments: str) -> None:
    """The documented exit code, empty stdout, one clean line on stderr with every fragment."""
    exit_code = result.code if isinstance(result, Result) else result.returncode
    out = result.out if isinstance(result, Result) else result.stdout
    err = result.err if isinstance(result, Result) else result.stderr
    assert exit_code == code, err
    assert out == ""
    assert err.startswith("tindex: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert not RAW.search(err), repr(err)
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def edit(directory: Path, name: str, old: str, new: str) -> int:
    """Replace the first `old` in a data file by `new`; return the line it is on."""
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_of(directory: Path, name: str, start: str) -> int:
    """The line of the first row of a data file that starts with `start`."""
    lines = (directory / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(start))


def names_by_code() -> dict[str, str]:
    with (DATA / "countries.csv").open(encoding="utf-8") as handle:
        return {row["iso3"]: row["name"] for row in csv.DictReader(handle) if row["kind"] == "name"}


# -- 1. country names: resolve or refuse ---------------------------------------------------

REFUSED_WORDS = ["Republic", "Federation", "the", "stan", "of", "Islands", "Democratic", ".",
                 ",", "-", "'", "()", "&", "Kazak", "Russian", "643", "4", "051", "1e3", "0x2a",
                 "Ⅲ", "٣", "Kazakhstan Kyrgyzstan"]


def country_commands(name: str) -> list[tuple[str, ...]]:
    return [("delta", "--", name), ("explain", "--", name), ("compare", "--", name, "Armenia"),
            ("caveats", "--", name)]


@pytest.mark.parametrize("word", REFUSED_WORDS)
def test_words_and_numbers_are_refused_by_every_command(word: str, tindex: Run) -> None:
    for args in country_commands(word):
        result = tindex(*args)
        one_line_error(result, 2)
        if any(ch.isdigit() for ch in word):  # never an unrelated ISO code in the message
            assert not re.search(r"\b[A-Z]{3}\b", result.err.replace("ISO", "")), result.err


LEGITIMATE = [("Kazakstan", "KAZ"), ("Kyrgyz Republic", "KGZ"), ("Russian Federation", "RUS"),
              ("Republic of Moldova", "MDA"), ("Kirghizia", "KGZ"), ("Byelorussia", "BLR"),
              ("kaz", "KAZ"), ("KG", "KGZ"), ("rUs", "RUS"), ("md", "MDA"), ("  ukraine ", "UKR"),
              ("BELARUS", "BLR")]


@pytest.mark.parametrize(("spelling", "code"), LEGITIMATE)
def test_legitimate_spellings_resolve_in_every_command(spelling: str, code: str,
                                                       tindex: Run) -> None:
    name = names_by_code()[code]
    delta = tindex("delta", spelling, "-f", "csv")
    assert delta.code == 0, delta.err
    assert {row["iso3"] for row in rows(delta.out)} == {code}
    explain = tindex("explain", spelling, "-f", "json")
    assert explain.code == 0, explain.err
    assert json.loads(explain.out)["summary"]["iso3"] == code
    other = "Armenia"
    compare = tindex("compare", spelling, other, "-f", "csv")
    assert compare.code == 0, compare.err
    assert list(rows(compare.out)[0])[1:3] == [name, other]
    caveats = tindex("caveats", spelling, "-f", "csv")
    assert caveats.code == 0, caveats.err
    assert {row["iso3"] for row in rows(caveats.out)} <= {code, ""}


def _spellings() -> dict[str, set[str]]:
    """Every folded spelling that may name each country with data: the data's own names,
    aliases and codes, and pycountry's codes and names (what names.py documents)."""
    import pycountry

    found: dict[str, set[str]] = {}
    with (DATA / "countries.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["iso3"], {row["iso3"]}).add(row["name"])
    for code, spellings in found.items():
        entry = pycountry.countries.get(alpha_3=code)
        if entry is not None:
            spellings.add(entry.alpha_2)
            spellings.update(str(getattr(entry, f)) for f in ("name", "official_name", "common_name")
                             if getattr(entry, f, None))
    return {code: {fold(s) for s in spellings} | {fold_accents(s) for s in spellings}
            for code, spellings in found.items()}


SPELLINGS = _spellings()
SAMPLES = sorted({s for spellings in SPELLINGS.values() for s in spellings})
INDEX_IDS = {"csp", "gti", "gti_transparency"}


def _mangled(text: str) -> st.SearchStrategy[str]:
    """A spelling with one edit: case, a cut, a doubled or a dropped letter, padding."""
    return st.sampled_from([text.upper(), text.title(), text[1:], text[:-1], text + text[-1:],
                            " " + text + " ", text.replace(" ", ""), text[: len(text) // 2]])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=12), st.text(alphabet=string.ascii_letters + " .,'-", max_size=12),
                 st.sampled_from(SAMPLES), st.sampled_from(SAMPLES).flatmap(_mangled)))
def test_any_string_resolves_to_a_country_it_names_or_exits_2(text: str, tindex: Run) -> None:
    """Property: a country is shown only when the text is one of its spellings (folded)."""
    if fold(text) in INDEX_IDS:
        return  # explain's other subject
    result = tindex("explain", "--", text, "-f", "json")
    if result.code != 0:
        one_line_error(result, 2)
        return
    code = json.loads(result.out)["summary"]["iso3"]
    assert fold(text) in SPELLINGS[code] or fold_accents(text) in SPELLINGS[code], (text, code)


# -- 2. the same rules whatever the file size ----------------------------------------------

BIG_CODES = ["X" + a + b for a in string.ascii_uppercase for b in string.ascii_uppercase] + \
    ["Q" + a + b for a in string.ascii_uppercase[12:] for b in string.ascii_uppercase]
BIG_LINE = 150_001  # a line deep inside the large file


@pytest.fixture(scope="module")
def big_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled data plus 1,040 user-assigned codes (XAA-XZZ, QMA-QZZ) with scores for
    1970-2024 in four releases: an index_scores.csv of about 7 MB."""
    target = tmp_path_factory.mktemp("big") / "data"
    shutil.copytree(DATA, target)
    with (target / "countries.csv").open("a", encoding="utf-8") as handle:
        handle.writelines(f"{code},Testland {code},name,\n" for code in BIG_CODES)
    with (target / SCORES).open("a", encoding="utf-8") as handle:
        for number, code in enumerate(BIG_CODES):
            handle.writelines(f"csp,{code},{year},{50 + (number * 7 + year) % 100 / 10:.2f},"
                              f"{release},csp-2025\n"
                              for year in range(1970, 2025) for release in (1, 2, 5, 6))
    assert (target / SCORES).stat().st_size > 5_000_000
    return target


def _field(line: str, position: int, value: str) -> str:
    fields = line.split(",")
    fields[position] = value
    return ",".join(fields)


LINE_BREAKERS: dict[str, Callable[[str], str]] = {
    "one extra field": lambda line: line + ",extra",
    "one missing field": lambda line: line.rsplit(",", 1)[0],
    "year 2e3": lambda line: _field(line, 2, "2e3"),
    "year 2024.0": lambda line: _field(line, 2, "2024.0"),
    "year 2024.5": lambda line: _field(line, 2, "2024.5"),
    "over-long source id": lambda line: _field(line, 5, "s" * 2_000_000),
    "over-long score": lambda line: _field(line, 3, "9" * 5000),
    "score 1e999": lambda line: _field(line, 3, "1e999"),
    "over-long year": lambda line: _field(line, 2, "2" * 400),
}
BYTE_BREAKERS: dict[str, bytes] = {"invalid UTF-8": b"\xff", "truncated UTF-8": b"\xc3",
                                   "UTF-16 surrogate": b"\xed\xa0\x80"}


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("breaker", sorted(LINE_BREAKERS) + sorted(BYTE_BREAKERS))
def test_a_broken_row_is_found_whatever_the_file_size(size: str, breaker: str, big_data: Path,
                                                      tmp_path: Path, tindex: Run) -> None:
    source = DATA if size == "small" else big_data
    directory = tmp_path / "data"
    shutil.copytree(source, directory, ignore=shutil.ignore_patterns(SCORES))  # written below
    line = 5 if size == "small" else BIG_LINE
    raw = (source / SCORES).read_bytes().split(b"\n")
    if breaker in LINE_BREAKERS:
        raw[line - 1] = LINE_BREAKERS[breaker](raw[line - 1].decode()).encode()
    else:
        raw[line - 1] = raw[line - 1].replace(b"csp-", b"csp-" + BYTE_BREAKERS[breaker], 1)
    (directory / SCORES).write_bytes(b"\n".join(raw))
    where = f"{directory}/{SCORES}:{line}:"
    one_line_error(tindex("--data-dir", str(directory), "rank", "2024"), 1, where)
    checked = tindex("validate", str(directory))
    assert checked.code == 1, checked.err
    assert checked.out.startswith(where), checked.out[:300]
    assert "Traceback" not in checked.err


# -- 3. cross-file consistency on every command --------------------------------------------


def _with_country_column(directory: Path, name: str, swap: dict[str, str]) -> int:
    """Add the optional `country` column, naming each row's country as countries.csv does
    except for the codes in `swap` (RUS -> Ukraine); return the first swapped row's line."""
    names = names_by_code()
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    fields = [*records[0], "country"]
    for record in records:
        code = record["iso3"]
        record["country"] = names[swap.get(code, code)] if code else ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    (directory / name).write_text(out.getvalue(), encoding="utf-8")
    return 2 + next((n for n, r in enumerate(records) if r["iso3"] in swap), -2)


SWAPS = {
    "drivers.csv": ({"RUS": "UKR", "UKR": "RUS"},
                    [("delta", "Russia"), ("delta", "Ukraine"), ("explain", "Russia"),
                     ("explain", "Ukraine"), ("explain", "Kazakhstan"), ("sources",)]),
    "facts.csv": ({"KAZ": "KGZ", "KGZ": "KAZ"},
                  [("explain", "Kazakhstan"), ("explain", "Russia"), ("countries",), ("sources",)]),
    "caveats.csv": ({"KGZ": "KAZ", "KAZ": "KGZ"},
                    [("rank",), ("caveats",), ("caveats", "Kyrgyzstan"), ("explain", "Russia"),
                     ("delta", "Kazakhstan"), ("compare", "Kazakhstan", "Kyrgyzstan")]),
}


@pytest.mark.parametrize("name", sorted(SWAPS))
def test_a_swapped_country_column_stops_every_command_that_reads_it(name: str, data_copy: Path,
                                                                    tindex: Run) -> None:
    swap, commands = SWAPS[name]
    line = _with_country_column(data_copy, name, swap)
    for args in commands:
        one_line_error(tindex("--data-dir", str(data_copy), *args), 1,
                       f"{data_copy}/{name}:{line}: country:")
    assert tindex("validate", str(data_copy)).code == 1


def test_a_correct_country_column_changes_nothing(data_copy: Path, tindex: Run) -> None:
    for name in SWAPS:
        _with_country_column(data_copy, name, {})
    for args in (("explain", "Russia"), ("caveats",), ("countries",)):
        changed = tindex("--data-dir", str(data_copy), *args, "-f", "json")
        bundled = tindex(*args, "-f", "json")
        assert changed.code == bundled.code == 0, changed.err
        assert changed.out == bundled.out


@pytest.mark.parametrize("args", [("rank", "--index", "ghost"), ("delta", "Russia", "-i", "ghost"),
                                  ("compare", "Russia", "Ukraine", "-i", "ghost"),
                                  ("revisions", "ghost")])
def test_a_declared_index_without_scores_never_shows_another_ones(
        args: tuple[str, ...], data_copy: Path, tindex: Run) -> None:
    """A score index declared in indices.csv with no rows of its own, beside a scores file
    that holds one other index only: its figures must not pass for the new index's."""
    with (data_copy / "indices.csv").open("a", encoding="utf-8") as handle:
        handle.write("ghost,score,higher,,,data year,Ghost Index,Nobody,Declared only.,csp-2025\n")
    one_line_error(tindex("--data-dir", str(data_copy), *args), 1,
                   f"{data_copy}/index_scores.csv: no scores for ghost")


@pytest.mark.parametrize("args", [("explain", "Russia"), ("countries",), ("rank",)])
def test_an_index_declared_without_data_leaves_the_others_alone(
        args: tuple[str, ...], data_copy: Path, tindex: Run) -> None:
    """Commands that go over every index pass by one declared before its figures are added
    (a score and a level index here): the output is the bundled data's, byte for byte."""
    with (data_copy / "indices.csv").open("a", encoding="utf-8") as handle:
        handle.write("ghost,score,higher,,,data year,Ghost Index,Nobody,Declared only.,csp-2025\n"
                     "ghost_levels,level,lower,,,edition,Ghost Levels,Nobody,Declared only.,"
                     "csp-2025\n")
    changed = tindex("--data-dir", str(data_copy), *args, "-f", "csv")
    bundled = tindex(*args, "-f", "csv")
    assert changed.code == bundled.code == 0, changed.err
    assert (changed.out, changed.err) == (bundled.out, bundled.err)


BROKEN_REFERENCES = [
    ("drivers.csv", "csp,RUS,2024,", "cpx,RUS,2024,", "index:",
     [("delta", "Russia"), ("explain", "Russia")]),
    ("caveats.csv", "kaz-2023-revision,csp,", "kaz-2023-revision,cpx,", "index:",
     [("rank",), ("caveats",), ("explain", "Kazakhstan"), ("revisions",)]),
    ("index_levels.csv", "gti,BLR,2025,,Very High", "gti,BLR,2025,,Extreme", "level:",
     [("rank", "--index", "gti"), ("explain", "Belarus"), ("compare", "Belarus", "Russia", "-i", "gti")]),
    ("index_levels.csv", "gti,BLR,2025,1,", "gti,BLR,2025,9,", "component:",
     [("rank", "--index", "gti", "--pillar", "1"), ("explain", "Belarus")]),
    ("index_scores.csv", "csp,ARM,2019,93.77,2,", "csp,ARM,2019,93.77,3,", "release:",
     [("rank",), ("delta", "Armenia"), ("revisions",), ("compare", "Armenia", "Russia")]),
    ("index_scores.csv", "csp,ARM,2019,93.77,2,", "gti,ARM,2019,93.77,2,", "index:",
     [("rank",), ("delta", "Armenia")]),
    ("facts.csv", "omct-gti-kgz-2025,kgz-prison-rate", "omct-gti-kgz-2025,kgz-prison-rat",
     "caveat_ids:", [("explain", "Kyrgyzstan"), ("countries",)]),
    ("facts.csv", "omct-gti-kgz-2025,kgz-prison-rate", "omct-gti-kgz-2025,kgz-prison-rate;kgz-nothing",
     "caveat_ids:", [("explain", "Kyrgyzstan")]),
    ("recommendations.csv", "iphr-central-asia-2014,iphr-2014-dated",
     "iphr-central-asia-2014,iphr-2014-dates", "caveat_ids:", [("explain", "Turkmenistan")]),
]


@pytest.mark.parametrize(("name", "old", "new", "column", "commands"), BROKEN_REFERENCES,
                         ids=[f"{c[0]}-{c[3]}{n}" for n, c in enumerate(BROKEN_REFERENCES)])
def test_a_reference_to_nothing_stops_every_command_that_reads_it(
        name: str, old: str, new: str, column: str, commands: list[tuple[str, ...]],
        data_copy: Path, tindex: Run) -> None:
    line = edit(data_copy, name, old, new)
    for args in commands:
        one_line_error(tindex("--data-dir", str(data_copy), *args), 1,
                       f"{data_copy}/{name}:{line}: {column}")
    checked = tindex("validate", str(data_copy))
    assert checked.code == 1 and f"{name}:{line}: {column}" in checked.out


def test_explain_shows_only_the_country_own_drivers(tindex: Run) -> None:
    with (DATA / "drivers.csv").open(encoding="utf-8") as handle:
        drivers = list(csv.DictReader(handle))
    for code, name in (("RUS", "Russia"), ("UKR", "Ukraine")):
        result = tindex("explain", name, "-f", "json")
        assert result.code == 0, result.err
        lines = [line["text"] for line in json.loads(result.out)["sections"]["drivers"]["lines"]]
        mine = [d["summary"] for d in drivers if d["iso3"] == code]
        others = [d["summary"] for d in drivers if d["iso3"] != code]
        assert len(lines) == len(mine) and all(any(s in line for line in lines) for s in mine)
        assert not any(s in line for s in others for line in lines)


# -- 4. values that break arithmetic --------------------------------------------------------

TOO_LARGE = "A change too large to compute as a number is left blank."


@pytest.fixture
def extreme_data(data_copy: Path) -> Path:
    """ARM 2022 = 1.7e308 and 2023 = -1.7e308 (2023's change overflows), KAZ 2023 = 1.7e308
    (the ARM-KAZ gap in 2023 overflows), KGZ 2023 = 1e-300 (a base too small for a %)."""
    edit(data_copy, SCORES, "csp,ARM,2022,111.57,6,", "csp,ARM,2022,1.7e308,6,")
    edit(data_copy, SCORES, "csp,ARM,2023,131.53,6,", "csp,ARM,2023,-1.7e308,6,")
    edit(data_copy, SCORES, "csp,KAZ,2023,122.51,6,", "csp,KAZ,2023,1.7e308,6,")
    edit(data_copy, SCORES, "csp,KGZ,2023,80.36,6,", "csp,KGZ,2023,1e-300,6,")
    return data_copy


EXTREME_COMMANDS = [("delta", "Armenia"), ("delta", "Kyrgyzstan"), ("delta", "--year", "2023"),
                    ("delta", "--year", "2024"), ("delta", "--from", "2022", "--to", "2023"),
                    ("rank", "2023"), ("rank", "2024"), ("compare", "Armenia", "Kazakhstan"),
                    ("compare", "Armenia", "Kazakhstan", "-t"), ("explain", "Armenia"),
                    ("revisions",), ("countries",)]


def strict_json(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"non-standard JSON constant {constant}")
    return json.loads(text, parse_constant=refuse)


def only_warnings(err: str) -> None:
    """stderr holds at most the one plausibility warning line (1.7e308 is an outlier)."""
    assert err.count("\n") <= 1 and (err == "" or err.startswith("tindex: warning: ")), err
    assert "RuntimeWarning" not in err and "internal error" not in err


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("args", EXTREME_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "tsv", "github"])
def test_extreme_scores_never_print_inf_or_nan(args: tuple[str, ...], fmt: str,
                                               extreme_data: Path, tindex: Run) -> None:
    result = tindex("--data-dir", str(extreme_data), *args, "-f", fmt)
    assert result.code == 0, result.err
    only_warnings(result.err)
    assert not NON_FINITE.search(result.out), NON_FINITE.findall(result.out)
    if fmt == "json":
        strict_json(result.out)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_extreme_scores_give_exact_changes_or_blanks_with_the_note(extreme_data: Path,
                                                                   tindex: Run) -> None:
    def csv_of(*args: str) -> list[dict[str, str]]:
        result = tindex("--data-dir", str(extreme_data), *args, "-f", "csv")
        assert result.code == 0, result.err
        return rows(result.out)

    armenia = {row["year"]: row for row in csv_of("delta", "Armenia")}
    assert float(armenia["2022"]["change"]) == 1.7e308 - 84.08  # finite: shown, not rounded to inf
    assert armenia["2023"]["change"] == ""  # -1.7e308 - 1.7e308 overflows: blank
    assert float(armenia["2024"]["change"]) == 127.46 + 1.7e308
    kyrgyzstan = {row["year"]: row for row in csv_of("delta", "Kyrgyzstan")}
    assert kyrgyzstan["2024"]["change"] == "64.49" and kyrgyzstan["2024"]["pct_change"] == ""
    gap = {row["year"]: row["gap"] for row in csv_of("compare", "Armenia", "Kazakhstan")}
    assert gap["2023"] == "" and gap["2024"] == "-7.19"
    for args in (("delta", "Armenia"), ("rank", "2023"), ("compare", "Armenia", "Kazakhstan"),
                 ("delta", "--year", "2023"), ("delta", "--from", "2022", "--to", "2023")):
        result = tindex("--data-dir", str(extreme_data), *args, "-f", "markdown")
        assert result.code == 0 and TOO_LARGE in result.out, (args, result.out[-800:])


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("args", [("delta", "Armenia"), ("rank", "2023"), ("revisions",),
                                  ("compare", "Armenia", "Kazakhstan"), ("explain", "Armenia")],
                         ids=" ".join)
def test_extreme_scores_in_a_workbook_are_finite(args: tuple[str, ...], extreme_data: Path,
                                                 tmp_path: Path, tindex: Run) -> None:
    import math

    from openpyxl import load_workbook

    target = tmp_path / "out.xlsx"
    result = tindex("--data-dir", str(extreme_data), *args, "-o", str(target))
    assert result.code == 0, result.err
    for sheet in load_workbook(target).worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, float) and not math.isfinite(value)), value
                assert not (isinstance(value, str) and NON_FINITE.fullmatch(value)), value


@pytest.mark.parametrize("args", [("rank", "2023"), ("delta", "Armenia"),
                                  ("compare", "Armenia", "Kazakhstan")], ids=" ".join)
def test_extreme_scores_on_a_terminal(args: tuple[str, ...], extreme_data: Path,
                                      terminal: Terminal) -> None:
    code, out = terminal("--data-dir", str(extreme_data), *args)
    assert code == 0, out
    assert not NON_FINITE.search(ANSI.sub("", out)) and "Traceback" not in out


COLUMN_NAMES = ["gap", "year", "source_id", "pillar_name", "differ", "caveat_ids", "country",
                "iso3", "component", "level"]


@pytest.mark.parametrize("label", COLUMN_NAMES)
@pytest.mark.parametrize(("first", "second", "extra"), [("ARM", "RUS", ()),
                                                         ("BLR", "ARG", ("-i", "gti"))],
                         ids=["score", "level"])
def test_a_country_named_like_a_column_overwrites_nothing(
        label: str, first: str, second: str, extra: tuple[str, ...], data_copy: Path,
        tindex: Run) -> None:
    original = names_by_code()[first]
    before = tindex("compare", first, second, *extra, "-f", "json")
    before_t = tindex("compare", first, second, *extra, "-t", "-f", "json")
    edit(data_copy, "countries.csv", f"{first},{original},name", f"{first},{label},name")
    after = tindex("--data-dir", str(data_copy), "compare", first, second, *extra, "-f", "json")
    after_t = tindex("--data-dir", str(data_copy), "compare", first, second, *extra, "-t",
                     "-f", "json")
    assert before.code == after.code == before_t.code == after_t.code == 0, after.err
    old, new = json.loads(before.out), json.loads(after.out)
    renamed = next(key for key in new[0] if key not in old[0])
    assert renamed == f"{label} ({first})" or (renamed == label and label not in old[0])
    assert list(new[0]) == [renamed if key == original else key for key in old[0]]
    assert [list(r.values()) for r in new] == [list(r.values()) for r in old]
    old_t, new_t = json.loads(before_t.out), json.loads(after_t.out)
    assert [r["country"] for r in new_t] == [label, names_by_code()[second]]
    assert [list(r.values())[1:] for r in new_t] == [list(r.values())[1:] for r in old_t]


# -- 5. plausibility warnings ---------------------------------------------------------------

PLAUSIBILITY = {
    "future year": (("csp,ARM,2099,100,6,csp-2025",), "year: warning: a year in the future", "2099"),
    "lost decimal comma": ((), "score: warning: far outside", "13050"),
    "thin year": (("csp,ARM,2025,100,6,csp-2025", "csp,RUS,2025,1,6,csp-2025"),
                  "year: warning: csp 2025: 2 of 7 countries have data", None),
}


@pytest.mark.parametrize("case", sorted(PLAUSIBILITY))
def test_implausible_values_are_warnings_not_errors(case: str, data_copy: Path, tindex: Run) -> None:
    added, message, value = PLAUSIBILITY[case]
    if added:
        with (data_copy / SCORES).open("a", encoding="utf-8") as handle:
            handle.writelines(line + "\n" for line in added)
        line = sum(1 for _ in (data_copy / SCORES).open(encoding="utf-8")) - len(added) + 1
    else:
        line = edit(data_copy, SCORES, "csp,ARM,2021,84.08,6,", "csp,ARM,2021,13050,6,")
    checked = tindex("validate", str(data_copy))
    assert checked.code == 0, checked.err
    listed = [w for w in checked.out.splitlines() if message in w]
    assert listed and listed[0].startswith(f"{data_copy}/{SCORES}:{line}: "), checked.out
    if value is not None:
        assert f"'{value}" in listed[0]
    assert "warning(s)" in checked.err and "no problems" in checked.err
    for args in (("rank",), ("delta", "Armenia"), ("explain", "Armenia"),
                 ("compare", "Armenia", "Russia"), ("countries",)):
        result = tindex("--data-dir", str(data_copy), *args)
        assert result.code == 0, result.err
        assert result.out
        assert result.err.count("\n") == 1 and result.err.startswith("tindex: warning: "), result.err
        assert f"{SCORES}:" in result.err


def test_a_thin_year_says_so_in_its_rank(data_copy: Path, tindex: Run) -> None:
    with (data_copy / SCORES).open("a", encoding="utf-8") as handle:
        handle.write("csp,ARM,2025,100,6,csp-2025\ncsp,RUS,2025,1,6,csp-2025\n")
    result = tindex("--data-dir", str(data_copy), "rank", "2025", "-f", "markdown")
    assert result.code == 0, result.err
    assert "2025: 2 of 7 countries have scores" in result.out


# -- 6. terminals, streams and signals -----------------------------------------------------


@pytest.mark.parametrize("columns", ["20", "30", "40", "0", "5"])
@pytest.mark.parametrize("args", [
    ("rank", "2024"), ("delta", "Armenia"), ("compare", "Armenia", "Russia"),
    ("compare", "Armenia", "Russia", "Kazakhstan"), ("rank", "--index", "gti"),
    ("compare", "Armenia", "Russia", "Kazakhstan", "--transpose"),
], ids=" ".join)
def test_numbers_are_never_cut_on_a_narrow_terminal(columns: str, args: tuple[str, ...],
                                                    tindex: Run, terminal: Terminal) -> None:
    table = tindex(*args, "-f", "csv")
    assert table.code == 0
    numbers = {f"{float(value):.2f}" for row in rows(table.out) for key, value in row.items()
               if (key in ("score", "Armenia", "Russia", "Kazakhstan") or key.isdigit()) and value}
    code, out = terminal(*args, env={"COLUMNS": columns})
    assert code == 0, out
    shown = ANSI.sub("", out)
    missing = [n for n in numbers if not re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", shown)]
    assert not missing, (missing, shown[:2000])


@pytest.mark.parametrize("columns", ["60", "100", "200", "250", "400"])
@pytest.mark.parametrize("args", [("sources",), ("sources", "csp-2025"), ("sources", "csp-2019-pilot")],
                         ids=" ".join)
def test_a_link_is_never_broken_on_a_terminal(columns: str, args: tuple[str, ...],
                                               tindex: Run, terminal: Terminal) -> None:
    """Where each figure comes from must copy and click whole: every URL the CSV gives
    stands on one line of the screen, at any width (a table too narrow for it gives way to
    'column: value' lines)."""
    table = tindex(*args, "-f", "csv")
    assert table.code == 0, table.err
    links = [row["url"] for row in rows(table.out)]
    code, out = terminal(*args, env={"COLUMNS": columns})
    assert code == 0, out
    lines = ANSI.sub("", out).splitlines()
    broken = [link for link in links if not any(link in line for line in lines)]
    assert not broken, (broken, out[:3000])


def _bash(command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TINDEX_")}
    environment.update(env or {})
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                          env=environment, timeout=120, check=False)


@pytest.mark.e2e
@pytest.mark.parametrize("args", ["rank 2024", "explain Armenia -f json", "countries"])
def test_closed_stdout_is_one_line_exit_1(args: str) -> None:
    result = _bash(f"{sys.executable} -m tindex {args} >&-")
    assert result.returncode == 1, result.stderr
    assert result.stderr == "tindex: error: standard output is closed\n"


@pytest.mark.e2e
@pytest.mark.parametrize("args", ["rank 2024", "explain Armenia -f json", "rank -i gti -f markdown"])
def test_full_stdout_is_one_line_exit_1(args: str) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    result = _bash(f"{sys.executable} -m tindex {args} > /dev/full")
    assert result.returncode == 1, result.stderr
    assert result.stderr == "tindex: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "markdown", "github"])
@pytest.mark.parametrize("args", [("rank", "--index", "gti"), ("explain", "Türkiye")], ids=" ".join)
def test_an_ascii_stdout_fails_whole_not_half_written(
        fmt: str, args: tuple[str, ...], tindex: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout encoded as ascii, as PYTHONIOENCODING=ascii makes it (the e2e case below):
    nothing is written, one line says why."""
    written = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(written, encoding="ascii"))
    result = tindex(*args, "-f", fmt)
    sys.stdout.flush()
    assert written.getvalue() == b""
    one_line_error(result, 1, "standard output cannot show 'ü' in ascii")


@pytest.mark.e2e
def test_pythonioencoding_ascii_fails_in_one_line() -> None:
    """The real setting: stderr is ascii too, so the message shows the character escaped."""
    result = console_script("explain", "Türkiye", "-f", "csv", env={"PYTHONIOENCODING": "ascii"})
    one_line_error(result, 1, "standard output cannot show '\\xfc' in ascii")


@pytest.mark.e2e
def test_an_ascii_terminal_fails_in_one_line() -> None:
    code, out = on_terminal("rank", "--index", "gti", env={"PYTHONIOENCODING": "ascii"})
    assert code == 1
    assert "Traceback" not in out


@pytest.mark.e2e
@pytest.mark.parametrize("delay", [0.02, 0.05, 0.08, 0.1, 0.15, 0.25, 0.4])
def test_an_early_interrupt_is_one_line_exit_130(delay: float) -> None:
    """SIGINT while Python and tindex are still loading: exit 130 and one line. Before any
    tindex code runs (the interpreter's own start-up: site, runpy) no program can catch
    it: Python then dies of the signal (-2), prints its own start-up error, or swallows it
    in an import's clean-up ("Exception ignored", then runs on), none of which may come
    from tindex's code."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TINDEX_")}
    child = subprocess.Popen([sys.executable, "-m", "tindex", "rank", "2024"], env=environment,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    if "tindex/" not in err and child.returncode in (-signal.SIGINT, 1) and out == "":
        return  # interrupted inside the interpreter's start-up, before tindex's code
    if child.returncode == 0 and err.startswith("Exception ignored in: <function _get_module_lock"):
        assert "tindex/" not in err and out.startswith("rank,"), err  # swallowed at start-up
        return
    if child.returncode == 130:
        assert err == "tindex: error: interrupted\n" and out == ""
    else:  # finished before the signal arrived
        assert child.returncode == 0 and err == "", (child.returncode, err)


def test_an_interrupt_while_the_command_is_looked_up_is_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C while run() finds the command (before click starts) ends like any other: the
    e2e sweep above once caught a traceback from there, on a loaded machine."""
    from tindex import cli

    def interrupted() -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_command_names", interrupted)
    assert cli.run(["rank", "2024"]) == 130
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "tindex: error: interrupted\n")


class _BrokenModule:
    """Stands for tindex.cli whose import a Ctrl-C broke: Python 3.11 turns a
    KeyboardInterrupt inside a class body's __set_name__ into RuntimeError."""

    def __getattr__(self, name: str) -> object:
        raise RuntimeError("Error calling __set_name__ on 'cached_property' instance")


@pytest.mark.parametrize(("pressed", "broken"), [(True, True), (True, False), (False, True)])
def test_an_interrupt_during_the_import_ends_in_one_line(
        pressed: bool, broken: bool, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever an interrupted import raises (or swallows), a run that saw Ctrl-C before the
    CLI was loaded ends with exit 130 and one line; without Ctrl-C an import error is not
    hidden."""
    import tindex.__main__ as entry
    from tindex import cli

    monkeypatch.setattr(sys.modules["_signal"], "signal", lambda *args: None)  # keep pytest's
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)  # restored afterwards
    monkeypatch.setitem(sys.modules, "tindex.cli", _BrokenModule() if broken else cli)
    monkeypatch.setattr(entry._Early, "seen", pressed)
    monkeypatch.setattr(cli, "main", lambda: None)  # the run itself is not under test
    if not pressed:
        with pytest.raises(RuntimeError, match="__set_name__"):
            entry.main()
        return
    with pytest.raises(SystemExit) as stopped:
        entry.main()
    assert stopped.value.code == 130
    assert capsys.readouterr() == ("", "tindex: error: interrupted\n")
    # What an import swallowed is not printed as "Exception ignored": the flag says it all.
    assert sys.unraisablehook is entry._quiet
    entry._quiet(cast(Any, SimpleNamespace(exc_value=KeyboardInterrupt(), exc_type=KeyboardInterrupt,
                                           exc_traceback=None, err_msg=None, object=None)))
    assert capsys.readouterr() == ("", "")


def test_an_unreadable_data_directory(data_copy: Path, tindex: Run) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not deny reading")
    data_copy.chmod(0)
    try:
        one_line_error(tindex("--data-dir", str(data_copy), "rank"), 1)
        assert tindex("validate", str(data_copy)).code == 1
    finally:
        data_copy.chmod(0o755)


@pytest.mark.parametrize("how", ["directory", "dangling symlink", "symlink loop", "fifo"])
def test_a_data_file_that_cannot_be_read(how: str, data_copy: Path, tindex: Run) -> None:
    """What root cannot be denied by chmod: the file is a directory, a dangling or looping
    link, or a pipe (which must not be opened: it would block)."""
    path = data_copy / SCORES
    path.unlink()
    if how == "directory":
        path.mkdir()
    elif how == "dangling symlink":
        path.symlink_to(data_copy / "nowhere.csv")
    elif how == "symlink loop":
        path.symlink_to(path)
    else:
        os.mkfifo(path)
    one_line_error(tindex("--data-dir", str(data_copy), "rank"), 1, f"{data_copy}/{SCORES}")
    checked = tindex("validate", str(data_copy))
    assert checked.code == 1, checked.err
    assert checked.out.startswith(f"{data_copy}/{SCORES}: "), checked.out


@pytest.mark.parametrize(("path", "code", "fragment"), [
    ("a" * 5000, 2, "--data-dir: cannot use "),
    ("abcdefghi/" * 500, 2, "--data-dir: cannot use "),
    ("", 2, "--data-dir: give a directory"),
    ("   ", 2, "--data-dir: give a directory"),
    ("/etc/passwd", 2, "--data-dir: not a directory: /etc/passwd"),
    ("/nonexistent/data", 2, "--data-dir: no such directory: /nonexistent/data"),
    ("bad\x00path", 2, "bad\\x00path"),
])
def test_bad_data_directory_paths(path: str, code: int, fragment: str, tindex: Run) -> None:
    for args in (("--data-dir", path, "rank"), ("rank", "--data-dir", path)):
        result = tindex(*args)
        one_line_error(result, code, fragment)
        assert len(result.err) < 400
    result = tindex("validate", path)
    one_line_error(result, code, fragment.replace("--data-dir", "PATH"))


# -- 7. odd pillar digits --------------------------------------------------------------------


@pytest.mark.parametrize("pillar", ["²", "③", "٣", "۳", "३", "1²", "⅓", "Ⅲ", "３", "8", "-1", "3.0",
                                    "1e0"])
def test_odd_pillar_digits_are_refused(pillar: str, tindex: Run) -> None:
    for args in (("rank", "--index", "gti", "--pillar", pillar),):
        one_line_error(tindex(*args), 2, "pillar")


# -- 8. invisible and format characters in names ------------------------------------------

INVISIBLE = {"zero-width space": "\u200b", "zero-width joiner": "\u200d", "word joiner": "\u2060",
             "BOM": "\ufeff", "soft hyphen": "\u00ad", "tag A": "\U000e0041",
             "right-to-left override": "\u202e", "left-to-right isolate": "\u2066",
             "U+FFFE": "\ufffe", "U+FFFF": "\uffff", "escape": "\x1b[31m", "bell": "\x07"}


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


@pytest.mark.parametrize("what", sorted(INVISIBLE))
def test_invisible_characters_in_names_are_shown_escaped(what: str, data_copy: Path,
                                                         tmp_path: Path, tindex: Run,
                                                         terminal: Terminal) -> None:
    ch = INVISIBLE[what]
    edit(data_copy, "countries.csv", "ARM,Armenia,name", f"ARM,Arme{ch}nia,name")
    shown = "Arme" + _escaped(ch[0]) + ch[1:] + "nia"
    for fmt in ("csv", "tsv", "markdown", "github"):
        result = tindex("--data-dir", str(data_copy), "rank", "2024", "-f", fmt)
        assert result.code == 0, result.err
        assert not RAW.search(result.out), (fmt, result.out[:400])
        if fmt in ("csv", "tsv"):
            assert shown in result.out
        else:  # Markdown escapes the backslash (and brackets) of the escape once more
            assert re.search(r"Arme\\+" + re.escape(_escaped(ch[0])[1:]), result.out), fmt
    result = tindex("--data-dir", str(data_copy), "rank", "2024", "-f", "json")
    assert not RAW.search(result.out)
    assert "Arme" + ch + "nia" in [r["country"] for r in strict_json(result.out)]  # type: ignore[attr-defined]
    code, out = terminal("--data-dir", str(data_copy), "rank", "2024")
    assert code == 0 and not RAW.search(ANSI.sub("", out)) and shown in out
    # messages: a list of names, a written file, validate's summary
    one_line_error(tindex("--data-dir", str(data_copy), "explain", "France"), 2, shown)
    target = tmp_path / f"out{ch}.csv"
    written = tindex("--data-dir", str(data_copy), "rank", "-o", str(target))
    assert written.code == 0 and target.is_file()
    assert written.err == f"tindex: wrote {tmp_path}/out{_escaped(ch[0])}{ch[1:]}.csv\n"
    odd_dir = tmp_path / f"da{ch}ta"
    shutil.copytree(data_copy, odd_dir)
    checked = tindex("validate", str(odd_dir))
    assert checked.code == 0 and not RAW.search(checked.err), repr(checked.err)
    assert f"da{_escaped(ch[0])}{ch[1:]}ta" in checked.err
    (odd_dir / SCORES).write_text("index,iso3\n", encoding="utf-8")
    broken = tindex("validate", str(odd_dir))
    assert broken.code == 1 and not RAW.search(broken.out + broken.err)
    one_line_error(tindex("--data-dir", str(odd_dir), "rank"), 1, f"da{_escaped(ch[0])}")


def test_svg_charts_stay_well_formed_xml(data_copy: Path, tmp_path: Path, tindex: Run) -> None:
    """Every invisible character at once, half in each of two names: two charts, not 24."""
    pytest.importorskip("matplotlib")
    kinds = sorted(INVISIBLE)
    armenia = "Arme" + "nia".join(INVISIBLE[k] for k in kinds[:6]) + "nia"
    belarus = "Bela" + "rus".join(INVISIBLE[k] for k in kinds[6:]) + "rus"
    edit(data_copy, "countries.csv", "ARM,Armenia,name", f"ARM,{armenia},name")
    edit(data_copy, "countries.csv", "BLR,Belarus,name", f"BLR,{belarus},name")
    for args in (("ARM", "BLR", "RUS"), ("ARM", "BLR", "RUS", "-i", "gti")):
        target = tmp_path / f"chart-{len(args)}.svg"
        result = tindex("--data-dir", str(data_copy), "chart", *args, "--height", "5",
                        "-o", str(target))  # room for the long names' legend and the notes
        assert result.code == 0, result.err
        texts = "".join(ET.parse(target).getroot().itertext())
        for name in (armenia, belarus):  # drawn, escaped, as the terminal shows them
            assert escape_controls(name) in texts, (name, texts[:400])


# -- 9. header-only files --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["index_levels.csv", "components.csv", "scales.csv", SCORES,
                                  "indices.csv", "countries.csv", "releases.csv", "sources.csv"])
@pytest.mark.parametrize("tail", ["\n", "", "\r\n\r\n\n"])
def test_a_header_only_file_is_a_data_problem(name: str, tail: str, data_copy: Path,
                                              tindex: Run) -> None:
    header = (DATA / name).read_text(encoding="utf-8").splitlines()[0]
    (data_copy / name).write_text(header + tail, encoding="utf-8")
    loads = {"index_levels.csv": ("rank", "-i", "gti"), "components.csv": ("explain", "Belarus"),
             SCORES: ("rank",), "releases.csv": ("rank",)}
    one_line_error(tindex("--data-dir", str(data_copy), *loads.get(name, ("rank", "-i", "gti"))),
                   1, f"{data_copy}/{name}: no data rows")
    checked = tindex("validate", str(data_copy))
    assert checked.code == 1
    assert f"{data_copy}/{name}: no data rows (only a header)" in checked.out.splitlines()


# -- Dataset-level fuzzing of a level index ------------------------------------------------

LEVEL_HEADER = "index,iso3,year,component,level,source_id"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.tuples(st.sampled_from(["gti", "", "csp"]),
                                  st.sampled_from(["BLR", "RUS", "", "ZZZ"]),
                          st.sampled_from(["2025", "", "2025.0"]), st.sampled_from(["", "1", "9", "x"]),
                          st.sampled_from(["Very High", "", "High", "very high", "Extreme"]),
                          st.sampled_from(["omct-gti-2025", "", "nope"])), min_size=0, max_size=8))
def test_level_tables_with_missing_cells_load_only_when_correct(
        records: list[tuple[str, ...]], data_copy: Path) -> None:
    """Any index_levels.csv either loads with every row valid, or raises a DataError naming
    the file; never an exception of another kind."""
    from tindex import schema
    from tindex.data import Dataset
    from tindex.errors import DataError

    (data_copy / "index_levels.csv").write_text(
        LEVEL_HEADER + "\n" + "".join(",".join(r) + "\n" for r in records), encoding="utf-8")
    dataset = Dataset(data_copy, "d/")
    try:
        frame = dataset.table(schema.INDEX_LEVELS)
    except DataError as error:
        assert error.message.startswith("d/index_levels.csv"), error.message
        return
    assert len(frame) == len(records) > 0
    assert set(frame["index"].astype(str)) == {"gti"}
    assert frame["iso3"].notna().all() and frame["level"].notna().all()
    assert set(frame["level"].astype(str)) <= {"Very High", "High"}
    assert set(frame["component"].dropna().astype(int)) <= {1}
    assert len({(r[1], r[3]) for r in records}) == len(records)
