"""Hostile input: every broken file or bad argument gets one clear line and the right exit
code, odd but valid files work, and text cells that try to act are shown literally.

Each data case starts from a private copy of the bundled data (`data_copy`), breaks one
thing and runs the command through `tindex.cli.run`, the console script's own error handling.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DATA, Result, Terminal, console_script, on_terminal
from tindex.core.result import Profile, Table
from tindex.render import RenderOptions, render, render_binary
from tindex.render.cells import neutralise_formula
from tindex.render.formats import OutputFormat

Run = Callable[..., Result]
Mutate = Callable[[Path], object]  # changes the files in a data directory

SCORES = "index_scores.csv"
ARMENIA_2020 = "csp,ARM,2020,104,6,csp-2025"  # line 8 of index_scores.csv
# Raw terminal controls: C0 except TAB and LF, DEL, C1, bidi overrides and isolates.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_one_line_error(result: Result, code: int, *fragments: str) -> None:
    """Exit code, nothing on stdout, exactly one clean line on stderr with every fragment."""
    assert result.code == code, result.err
    assert result.out == ""
    assert result.err.startswith("tindex: error: ") and result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert not RAW_CONTROL.search(result.err), repr(result.err)
    for fragment in fragments:
        assert fragment in result.err, (fragment, result.err)


# -- mutations of a data directory -----------------------------------------------------------


def replace(name: str, old: str | bytes, new: str | bytes, count: int = 1) -> Mutate:
    def mutate(directory: Path) -> None:
        path = directory / name
        raw = path.read_bytes()
        before = old.encode() if isinstance(old, str) else old
        after = new.encode() if isinstance(new, str) else new
        assert before in raw, f"{name} no longer contains {before!r}"
        path.write_bytes(raw.replace(before, after, count))
    return mutate


def write(name: str, content: str | bytes) -> Mutate:
    def mutate(directory: Path) -> None:
        data = content.encode() if isinstance(content, str) else content
        (directory / name).write_bytes(data)
    return mutate


def remove(name: str) -> Mutate:
    def mutate(directory: Path) -> None:
        (directory / name).unlink()
    return mutate


def each_line(name: str, change: Callable[[str], str]) -> Mutate:
    def mutate(directory: Path) -> None:
        path = directory / name
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("".join(change(line) + "\n" for line in lines), encoding="utf-8")
    return mutate


def drop_field(index: int) -> Callable[[str], str]:
    return lambda line: ",".join(f for i, f in enumerate(line.split(",")) if i != index)


def with_country_column(line: str, new: str) -> Mutate:
    """Add the optional `country` column to the scores (names from countries.csv), then
    replace line with new."""
    def mutate(directory: Path) -> None:
        with (directory / "countries.csv").open(encoding="utf-8", newline="") as handle:
            names = {row["iso3"]: row["name"] for row in csv.DictReader(handle)
                     if row["kind"] == "name"}
        each_line(SCORES, lambda row: row + (",country" if row.startswith("index,")
                                             else "," + names[row.split(",")[1]]))(directory)
        replace(SCORES, f"{line},{names[line.split(',')[1]]}\n", new + "\n")(directory)
    return mutate


def bundled_header(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8").splitlines()[0]


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Mutate
    fragments: tuple[str, ...]
    args: tuple[str, ...] = ("rank",)


DATA_CASES = [
    Case("missing file", remove(SCORES), ("index_scores.csv: file not found",)),
    Case("empty file", write(SCORES, ""),
         ("index_scores.csv: empty file (expected a header: index,iso3,year,score,source_id)",)),
    Case("blank lines only", write(SCORES, "\n  \r\n\n"), ("index_scores.csv: empty file",)),
    Case("header only", write(SCORES, bundled_header(SCORES) + "\n"),
         ("index_scores.csv: no data rows (only a header)",)),
    Case("missing column", each_line(SCORES, drop_field(3)),
         ("index_scores.csv:1: missing column 'score'",)),
    Case("misspelt column", replace(SCORES, "year,score", "year,scroe"),
         ("index_scores.csv:1: missing column 'score' (did you mean scroe?)",)),
    Case("column name with spaces", replace(SCORES, "year,score", "year, score "),
         ("index_scores.csv:1: column name has spaces around it (' score ')",)),
    Case("column named twice", each_line(SCORES, lambda line: line + (",score" if "iso3" in line
                                                                        else ",1")),
         ("index_scores.csv:1: column named twice: 'score'",)),
    Case("semicolon separated", each_line(SCORES, lambda line: line.replace(",", ";")),
         ("index_scores.csv:1: columns are separated by ';', not commas",)),
    Case("tab separated", each_line(SCORES, lambda line: line.replace(",", "\t")),
         ("index_scores.csv:1: columns are separated by '\\t', not commas",)),
    Case("non-numeric score", replace(SCORES, ARMENIA_2020, "csp,ARM,2020,abc,6,csp-2025"),
         ("index_scores.csv:8: score: not a number ('abc')",)),
    Case("year 2O20 with a letter O", replace(SCORES, ARMENIA_2020, "csp,ARM,2O20,104,6,csp-2025"),
         ("index_scores.csv:8: year: not a whole number ('2O20')",)),
    Case("fractional year", replace(SCORES, ARMENIA_2020, "csp,ARM,2020.5,104,6,csp-2025"),
         ("index_scores.csv:8: year: not a whole number ('2020.5')",)),
    Case("year out of range", replace(SCORES, ARMENIA_2020, "csp,ARM,0,104,6,csp-2025"),
         ("index_scores.csv:8: year: out of range (1 to 9999) ('0')",)),
    Case("infinite score", replace(SCORES, ARMENIA_2020, "csp,ARM,2020,inf,6,csp-2025"),
         ("index_scores.csv:8: score: not a finite number ('inf')",)),
    Case("empty cell", replace(SCORES, ARMENIA_2020, "csp,ARM,2020,104,6,"),
         ("index_scores.csv:8: source_id: empty cell",)),
    Case("duplicated country-year", replace(SCORES, ARMENIA_2020, "csp,ARM,2019,104,6,csp-2025"),
         ("index_scores.csv:8: duplicate row for index=csp, iso3=ARM, year=2019, release=6",)),
    Case("unknown risk level", replace("index_levels.csv", "gti,ARG,2025,,Considerable",
                                       "gti,ARG,2025,,Considerble"),
         ("index_levels.csv:2: level: not a level of gti; allowed: Low, Moderate, Considerable, High, "
          "Very High", "('Considerble')"),
         ("rank", "--index", "gti")),
    Case("unknown transparency rating", replace("index_levels.csv", "BLR,2025,,Concealed",
                                                "BLR,2025,,Concealled"),
         ("level: not a level of gti_transparency; allowed: Suppressive, Concealed",
          "('Concealled')"), ("rank", "--index", "gti_transparency")),
    Case("unresolvable source id", replace(SCORES, ARMENIA_2020, "csp,ARM,2020,104,6,csp-2099"),
         ("index_scores.csv:8: source_id: unknown source id, not in sources.csv ('csp-2099')",)),
    Case("wrong ISO code", replace(SCORES, ARMENIA_2020, "csp,ABC,2020,104,6,csp-2025"),
         ("index_scores.csv:8: iso3: not a valid ISO 3166-1 alpha-3 code ('ABC')",)),
    Case("ISO code of another country", with_country_column(ARMENIA_2020, "csp,TJK,2020,104,6,"
                                                            "csp-2025,Armenia"),
         ("index_scores.csv:8: country: TJK is 'Tajikistan' in countries.csv, not this name "
          "('Armenia')",)),
    Case("ragged row, too many fields", replace(SCORES, ARMENIA_2020, ARMENIA_2020 + ",extra"),
         ("index_scores.csv:8: expected 6 fields, found 7 (ragged row)",)),
    Case("ragged row, too few fields", replace(SCORES, ARMENIA_2020, "csp,ARM,2020,104,6"),
         ("index_scores.csv:8: expected 6 fields, found 5 (ragged row)",)),
    Case("unquoted decimal comma", replace(SCORES, ARMENIA_2020, "csp,ARM,2020,104,5,6,csp-2025"),
         ("index_scores.csv:8: expected 6 fields, found 7 (ragged row)",)),
    Case("unclosed quote", replace(SCORES, ARMENIA_2020, '"csp,ARM,2020,104,6,csp-2025'),
         ('index_scores.csv:8: a quoted field is never closed',)),
    Case("binary file", write(SCORES, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01"),
         ("index_scores.csv: binary file, not CSV text",)),
    Case("UTF-16 file", lambda d: (d / SCORES).write_text(
        (DATA / SCORES).read_text(encoding="utf-8"), encoding="utf-16"),
         ("index_scores.csv: UTF-16 text, not UTF-8",)),
    Case("invalid UTF-8 in a cell", replace(SCORES, ARMENIA_2020.encode(),
                                               b"csp,A\xff\xfeRM,2020,104,6,csp-2025"),
         ("index_scores.csv:8: not UTF-8 text", "('csp,A\\xff\\xfeRM,2020,")),
    Case("Latin-1 header", replace(SCORES, b"index,iso3", b"ind\xe9x,iso3"),
         ("index_scores.csv:1: not UTF-8 text",)),
    Case("very long first line", write(SCORES, "y" * 1_100_000 + "\n"),
         ("index_scores.csv:1: first line is too long to be a header",)),
    Case("very long line", replace(SCORES, ARMENIA_2020, "csp,ARM,2020,104,6,\"" + "x" * 200_000 + '"'),
         ("index_scores.csv:8: not readable as CSV: field larger than field limit",)),
    Case("long cell is shortened in the message",
         replace(SCORES, ARMENIA_2020, "csp,ARM,2020,104,6," + "x" * 5_000),
         ("index_scores.csv:8: source_id: unknown source id", "... (5000 characters)')")),
    Case("bad date in sources.csv", replace("sources.csv", ",2025-08-08,", ",8.8.2025,"),
         ("sources.csv:2: date: not a valid date ('8.8.2025')",)),
    Case("script URL in sources.csv", replace("sources.csv", ",https://civicsolidarity.org",
                                              ",javascript:alert(1)//civicsolidarity.org"),
         ("sources.csv:2: url: not a valid url ('javascript:alert(1)//",)),
    Case("terminal escape in a header", replace(SCORES, "year,score", "year,score\x07"),
         ("index_scores.csv:1: missing column 'score' (did you mean score\\x07?)",)),
    Case("terminal escape in a cell", with_country_column(ARMENIA_2020, ARMENIA_2020
                                                          + ",Arm\x1b[31menia"),
         ("index_scores.csv:8: country: ARM is 'Armenia' in countries.csv, not this name "
          "('Arm\\x1b[31menia')",)),
]


@pytest.mark.parametrize("case", DATA_CASES, ids=lambda case: case.id)
def test_broken_data_is_one_line_exit_1(case: Case, data_copy: Path, tindex: Run) -> None:
    case.mutate(data_copy)
    result = tindex("--data-dir", str(data_copy), *case.args)
    assert_one_line_error(result, 1, str(data_copy), *case.fragments)
    assert "(and " not in result.err  # one mistake, one problem


@pytest.mark.parametrize("case", [c for c in DATA_CASES if c.id != "missing file"],
                         ids=lambda case: case.id)
def test_validate_reports_the_same_problem(case: Case, data_copy: Path, tindex: Run) -> None:
    case.mutate(data_copy)
    for path in data_copy.iterdir():  # keep what the cases touch: validate reads every file
        if path.name not in (SCORES, "sources.csv", "countries.csv", "indices.csv",
                             "index_levels.csv", "scales.csv", "releases.csv", "components.csv"):
            path.unlink()
    result = tindex("validate", str(data_copy))
    assert result.code == 1
    problems = result.out.splitlines()
    assert problems and all(line.startswith(str(data_copy) + "/") for line in problems)
    assert case.fragments[0] in result.out
    assert not RAW_CONTROL.search(result.out)
    assert re.fullmatch(r"tindex: \d+ problem\(s\) in .+\n", result.err)


# -- odd but valid files work -------------------------------------------------------------


def _bom_crlf(directory: Path) -> None:
    for path in directory.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))


def _decimal_commas(directory: Path) -> None:
    path = directory / SCORES
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows([*row[:3], row[3].replace(".", ","), *row[4:]] for row in rows[1:])
    assert '"93,77"' in out.getvalue()  # the CSP's own notation, quoted as CSV requires
    path.write_text(out.getvalue(), encoding="utf-8")


WORKING_CASES = [
    pytest.param(_bom_crlf, id="UTF-8 BOM and CRLF line ends"),
    pytest.param(_decimal_commas, id="decimal comma 93,77"),
    pytest.param(each_line(SCORES, lambda line: line + (",notes" if "iso3" in line else ",see x")),
                 id="extra column is ignored"),
    pytest.param(each_line(SCORES, lambda line: line if line.startswith("index,") else
                           line.replace(",", " , ")), id="spaces around cells"),
    pytest.param(each_line(SCORES, lambda line: ",".join(f'"{f}"' for f in line.split(","))),
                 id="every cell quoted"),
    pytest.param(lambda d: (d / SCORES).write_bytes((d / SCORES).read_bytes() + b"\n\n"),
                 id="blank lines at the end"),
    pytest.param(replace("index_levels.csv", ",Very High,", ",very high,", count=-1),
                 id="risk level in lower case"),
]
WORKING_COMMANDS = [("rank",), ("delta", "Armenia"), ("rank", "--index", "gti")]
_BUNDLED_OUTPUT: dict[tuple[str, ...], str] = {}


def bundled_output(tindex: Run, args: tuple[str, ...]) -> str:
    """What the bundled data gives for args (computed once per test session)."""
    if args not in _BUNDLED_OUTPUT:
        result = tindex(*args)
        assert result.code == 0, result.err
        _BUNDLED_OUTPUT[args] = result.out
    return _BUNDLED_OUTPUT[args]


@pytest.mark.parametrize("mutate", WORKING_CASES)
def test_odd_but_valid_files_give_the_bundled_results(mutate: Mutate, data_copy: Path,
                                                      tindex: Run) -> None:
    mutate(data_copy)
    for args in WORKING_COMMANDS:
        result = tindex("--data-dir", str(data_copy), *args)
        assert result.code == 0, (args, result.err)
        assert result.err == ""
        assert result.out == bundled_output(tindex, args), args
    checked = tindex("validate", str(data_copy))
    assert checked.code == 0 and checked.out == "" and "no problems" in checked.err


def test_bom_and_crlf_in_every_file(data_copy: Path, tindex: Run) -> None:
    _bom_crlf(data_copy)
    args = ("explain", "Kyrgyzstan", "-f", "json")
    assert tindex("--data-dir", str(data_copy), *args).out == bundled_output(tindex, args)


# -- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize(("args", "fragments"), [
    (["delta", "Armenai"], ["unknown country 'Armenai' (did you mean Armenia"]),
    (["explain", "Kirgyzstan"], ["did you mean Kyrgyzstan"]),
    (["rank", "2030"], ["no csp data for 2030; years with data: 2019-2024"]),
    (["delta", "--year", "1999"], ["no csp data for 1999"]),
    (["rank", "--index", "gti", "2023"], ["no gti data for 2023; years with data: 2025"]),
    (["rank", "--index", "gti", "--pillar", "impnity"], ["did you mean Ending impunity?"]),
    (["rank", "--format", "jsn"], ["unknown format 'jsn' (did you mean json?)"]),
    (["rank", "--format", "unsafehtml"],
     ["format 'unsafehtml' is not offered: it would pass text from the data through as live markup"]),
    (["rank", "--fromat", "csv"], ["No such option: --fromat", "--format"]),
    (["rank", "--index", "omct"], ["unknown index 'omct'; indices: csp, gti, gti_transparency"]),
    (["rank", "--index", "\x1b[31m\x07"], ["unknown index '\\x1b[31m\\x07'; indices:"]),
    (["rnak"], ["No such command 'rnak'", "Did you mean 'rank'?"]),
    (["delta", "Armenia", "--from", "2024", "--to", "2020"], ["--from 2024 is after --to 2020"]),
    (["explain", "\x1b]8;;https://evil\x07x\x1b[2J"], ["country name '\\x1b]8;;https://evil",
                                                    "has a control, invisible or unassigned"]),
    (["--data-dir", "/nonexistent/tindex-data", "rank"], ["--data-dir: no such directory"]),
])
def test_usage_mistakes_are_one_line_exit_2(args: list[str], fragments: list[str],
                                            tindex: Run) -> None:
    assert_one_line_error(tindex(*args), 2, *fragments)


def test_data_dir_that_is_a_file(tmp_path: Path, tindex: Run) -> None:
    target = tmp_path / "scores.csv"
    target.write_text("x\n")
    assert_one_line_error(tindex("--data-dir", str(target), "rank"), 2,
                          f"--data-dir: not a directory: {target}")


def test_missing_environment_directory(monkeypatch: pytest.MonkeyPatch, tindex: Run) -> None:
    monkeypatch.setenv("TINDEX_DATA_DIR", "/nonexistent/tindex-data")
    assert_one_line_error(tindex("rank"), 2, "TINDEX_DATA_DIR: no such directory")


@pytest.mark.e2e
@pytest.mark.parametrize(("content", "args", "code", "fragment"), [
    (b"\x00\x01\x02binary", ["rank"], 1, "binary file"),
    (b"index,iso3,year,score,release,source_id\ncsp,A\xffRM,2020,1,6,csp-2025\n", ["rank"], 1,
     "index_scores.csv:2: not UTF-8 text"),
    (None, ["delta", "Atlantis\x1b[31m"], 2, "country name 'Atlantis\\x1b[31m' has a control"),
])
def test_console_script_errors_are_one_clean_line(tmp_path: Path, content: bytes | None,
                                                   args: list[str], code: int,
                                                   fragment: str) -> None:
    env = {}
    if content is not None:
        for source in DATA.glob("*.csv"):
            (tmp_path / source.name).write_bytes(source.read_bytes())
        (tmp_path / SCORES).write_bytes(content)
        env["TINDEX_DATA_DIR"] = str(tmp_path)
    result = console_script(*args, env=env)
    assert result.returncode == code and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert fragment in result.stderr and not RAW_CONTROL.search(result.stderr)


# -- your own data directory --------------------------------------------------------------


@pytest.fixture
def scores_only(tmp_path: Path) -> Path:
    """A data directory with the CSP scores, their releases and sources, the countries and an
    indices.csv that declares only csp: nothing else."""
    directory = tmp_path / "scores-only"
    directory.mkdir()
    for name in (SCORES, "sources.csv", "countries.csv"):
        (directory / name).write_bytes((DATA / name).read_bytes())
    for name in ("indices.csv", "releases.csv"):  # the header and the csp rows
        lines = (DATA / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (directory / name).write_text(
            "".join(line for line in lines if line.startswith(("index,", "csp,"))),
            encoding="utf-8")
    return directory


# Columns filled from caveats.csv and coverage.csv, which a scores-only directory lacks.
FROM_OTHER_FILES = ("caveat_ids", "measured")


def without_other_files(out: str) -> list[dict[str, str]]:
    """The CSV rows minus the columns that come from files other than the scores."""
    return [{k: v for k, v in row.items() if k not in FROM_OTHER_FILES}
            for row in csv.DictReader(io.StringIO(out))]


def test_a_partial_directory_serves_what_it_has(scores_only: Path, tindex: Run) -> None:
    for args in (("rank",), ("delta", "Armenia"), ("delta", "--year", "2024"),
                 ("compare", "Armenia", "Belarus")):
        result = tindex("--data-dir", str(scores_only), *args)
        assert result.code == 0 and result.err == "", (args, result.err)
        bundled = bundled_output(tindex, args)
        assert without_other_files(result.out) == without_other_files(bundled), args
        assert result.out.splitlines()[0] == bundled.splitlines()[0], args
        assert all(row.get("caveat_ids", "") == "" and row.get("measured", "") == ""
                   for row in csv.DictReader(io.StringIO(result.out))), args
    assert_one_line_error(tindex("--data-dir", str(scores_only), "rank", "--index", "gti"), 2,
                          "unknown index 'gti'; indices: csp")
    (scores_only / "indices.csv").write_bytes((DATA / "indices.csv").read_bytes())  # declares gti
    assert_one_line_error(tindex("--data-dir", str(scores_only), "rank", "--index", "gti"), 1,
                          f"{scores_only}/index_levels.csv: file not found")
    (scores_only / "indices.csv").unlink()
    assert_one_line_error(tindex("--data-dir", str(scores_only), "explain", "csp"), 1,
                          f"{scores_only}/indices.csv: file not found")


def test_a_partial_directory_never_mixes_in_the_bundled_files(scores_only: Path,
                                                              tindex: Run) -> None:
    explained = tindex("--data-dir", str(scores_only), "explain", "Kyrgyzstan", "-f", "json")
    assert explained.code == 0, explained.err
    profile = json.loads(explained.out)
    assert list(profile["sections"]) == ["csp"]  # no gti, facts, recommendations, drivers, caveats
    countries = tindex("--data-dir", str(scores_only), "countries").out.splitlines()
    assert countries[0] == "country,iso3,csp_years,source_id,caveat_ids"
    assert tindex("delta", "Kirghizia").code == 0  # an alias in the bundled countries.csv
    (scores_only / "countries.csv").write_text("".join(
        line for line in (DATA / "countries.csv").read_text(encoding="utf-8").splitlines(True)
        if ",alias," not in line), encoding="utf-8")  # this directory's own list, no aliases
    assert_one_line_error(tindex("--data-dir", str(scores_only), "delta", "Kirghizia"), 2,
                          "unknown country 'Kirghizia'")


def test_data_dir_option_beats_the_environment(scores_only: Path, data_copy: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                tindex: Run) -> None:
    monkeypatch.setenv("TINDEX_DATA_DIR", str(scores_only))
    assert_one_line_error(tindex("rank", "--index", "gti"), 2, "unknown index 'gti'; indices: csp")
    assert tindex("--data-dir", str(data_copy), "rank", "--index", "gti").code == 0
    assert tindex("rank", "--index", "gti", "--data-dir", str(data_copy)).code == 0


def _snapshot(directory: Path) -> dict[str, tuple[int, int, str]]:
    return {path.name: (path.stat().st_mode, path.stat().st_mtime_ns,
                        hashlib.sha256(path.read_bytes()).hexdigest())
            for path in sorted(directory.iterdir())}


def test_no_command_writes_to_the_data_directory(data_copy: Path, tindex: Run) -> None:
    for path in data_copy.iterdir():
        path.chmod(0o444)
    data_copy.chmod(0o555)
    try:
        before = _snapshot(data_copy), data_copy.stat().st_mtime_ns
        for args in (("rank",), ("rank", "--index", "gti", "-p", "3"), ("delta", "Armenia"),
                     ("delta", "--year", "2024"), ("compare", "Armenia", "Belarus"),
                     ("compare", "--index", "gti", "Belarus", "Kyrgyzstan"),
                     ("explain", "Kyrgyzstan"), ("explain", "csp"), ("explain", "gti"),
                     ("countries",), ("sources",), ("rank", "-f", "table"), ("validate",)):
            result = tindex("--data-dir", str(data_copy), *args)
            assert result.code == 0, (args, result.err)
        assert (_snapshot(data_copy), data_copy.stat().st_mtime_ns) == before
    finally:
        data_copy.chmod(0o755)


# -- tindex validate ----------------------------------------------------------------------


def test_validate_bundled_data_is_clean(tindex: Run) -> None:
    result = tindex("validate")
    assert result.code == 0 and result.out == ""
    assert re.fullmatch(r"tindex: \S+: 13 files, \d+ rows, no problems\n", result.err)


def test_validate_lists_every_problem_at_once(data_copy: Path, tindex: Run) -> None:
    replace(SCORES, ARMENIA_2020, "csp,ARM,2020,abc,6,csp-2099")(data_copy)
    replace(SCORES, "csp,BLR,2019,-94.2,2", "csp,BLR,2O19,-94.2,2")(data_copy)
    replace("index_levels.csv", "gti,ARG,2025,,Considerable", "gti,ARG,2025,,Hihg")(data_copy)
    remove("recommendations.csv")(data_copy)  # optional file: its absence is not a problem
    result = tindex("validate", str(data_copy))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{data_copy}/index_scores.csv:8: score: not a number ('abc')",
        f"{data_copy}/index_scores.csv:8: source_id: unknown source id, not in sources.csv "
        "('csp-2099')",
        f"{data_copy}/index_scores.csv:16: year: not a whole number ('2O19')",
        f"{data_copy}/index_levels.csv:2: level: not a level of gti; allowed: "
        "Low, Moderate, Considerable, High, Very High ('Hihg')",
    ]
    assert result.err == f"tindex: 4 problem(s) in {data_copy}\n"


def test_validate_checks_every_file_when_sources_csv_is_broken(data_copy: Path,
                                                                tindex: Run) -> None:
    replace("sources.csv", ",2025-08-08,", ",8.8.2025,")(data_copy)
    replace(SCORES, ARMENIA_2020, "csp,ARM,2020,abc,6,csp-2025")(data_copy)
    result = tindex("validate", str(data_copy))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{data_copy}/sources.csv:2: date: not a valid date ('8.8.2025')",
        f"{data_copy}/index_scores.csv:8: score: not a number ('abc')",
    ]


# -- text cells that try to act -----------------------------------------------------------

HOSTILE_COUNTRIES = {
    "ARM": "[bold red]X[/]",
    "BLR": "[link=https://evil.example]x[/link]",
    "KAZ": "Esc\x1b[31mRed\x1b[0m\x07",
    "KGZ": "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "MDA": "C1\x9b31mX\u202eevil",
    "RUS": '=HYPERLINK("https://evil.example","x")',
    "UKR": "@SUM(A1:A9)",
    "POL": "-2+3",
    "TJK": "+cmd|' /C calc'!A0",
    "UZB": "\x1b]0;pwned\x07Title",
}
HOSTILE_TEXT = "=1+1 \x1b[2J\x1b]8;;https://evil.example\x07[b]x[/b]\x9b1m\u2066"


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid data directory whose every text cell tries to act on a terminal or spreadsheet."""
    directory = tmp_path_factory.mktemp("hostile")
    _write(directory / "sources.csv", ["source_id", "title", "publisher", "date", "url", "note"],
           [["s1", '=cmd|"/c calc"!A1', "\x1b[2J\x1b[Hpub", "2024",
             "https://evil.example/\x1b]8;;x\x07", HOSTILE_TEXT]])
    _write(directory / "countries.csv", ["iso3", "name", "kind", "note"],
           [[code, name, "name", HOSTILE_TEXT] for code, name in HOSTILE_COUNTRIES.items()])
    codes = list(HOSTILE_COUNTRIES)
    _write(directory / SCORES, ["index", "iso3", "year", "score", "release", "source_id"],
           [["csp", code, year, f"{(i - 4) * 7.5 + (year - 2023):.2f}", 1, "s1"]
            for i, code in enumerate(codes) for year in (2023, 2024)])
    _write(directory / "releases.csv", ["index", "release", "source_id", "note"],
           [["csp", 1, "s1", HOSTILE_TEXT]])
    _write(directory / "components.csv", ["index", "component", "name", "description", "source_id"],
           [["gti", 1, "@pillar" + HOSTILE_TEXT, HOSTILE_TEXT, "s1"]])
    _write(directory / "scales.csv", ["index", "position", "level"],
           [["gti", n, level] for n, level in enumerate(
               ("Low", "Moderate", "Considerable", "High", "Very High"), start=1)])
    _write(directory / "index_levels.csv",
           ["index", "iso3", "year", "component", "level", "source_id"],
           [["gti", c, 2025, p, level, "s1"]
            for c, level in (("KAZ", "High"), ("KGZ", "Low")) for p in ("", 1)])
    _write(directory / "facts.csv",
           ["country", "iso3", "fact_id", "label", "value", "unit", "period", "source_id"],
           [["Esc\x1b[31mRed\x1b[0m\x07", "KAZ", "f1", HOSTILE_TEXT, "-3.62", "%", "2024", "s1"],
            ["Esc\x1b[31mRed\x1b[0m\x07", "KAZ", "f2", "x", "+1 (555) =1", "", "", "s1"]])
    _write(directory / "drivers.csv",
           ["index", "country", "iso3", "year", "stated_change", "summary", "source_id"],
           [["csp", "Esc\x1b[31mRed\x1b[0m\x07", "KAZ", 2024, "-1.5", HOSTILE_TEXT, "s1"]])
    _write(directory / "caveats.csv", ["caveat_id", "index", "iso3", "year", "text", "source_ids"],
           [["c1", "csp", "KAZ", "", HOSTILE_TEXT, "s1"], ["c2", "csp", "", "", HOSTILE_TEXT, "s1"]])
    _write(directory / "indices.csv",
           ["index", "kind", "better", "minimum", "maximum", "year_means", "name", "publisher",
            "description", "source_id"],
           [["csp", "score", "higher", "", "", "+" + HOSTILE_TEXT, HOSTILE_TEXT, HOSTILE_TEXT,
             HOSTILE_TEXT, "s1"],
            ["gti", "level", "lower", "", "", "edition", "-gti" + HOSTILE_TEXT, HOSTILE_TEXT,
             HOSTILE_TEXT, "s1"]])
    return directory


HOSTILE_COMMANDS = [("rank",), ("rank", "--index", "gti"), ("delta", "KAZ"),
                    ("delta", "--year", "2024"), ("compare", "KAZ", "KGZ"),
                    ("compare", "--index", "gti", "KAZ", "KGZ"), ("explain", "KAZ"),
                    ("explain", "csp"), ("countries",), ("sources",)]
OWN_FORMATS = ("table", "csv", "tsv", "json", "markdown")


@pytest.fixture(scope="module")
def hostile_results(hostile_dir: Path) -> list[Table | Profile]:
    """What each of HOSTILE_COMMANDS computes, built once and rendered in every format."""
    from tindex.core import changes, comparison, profiles, provenance, ranking
    from tindex.core.model import Model
    from tindex.data import Dataset

    model = Model(Dataset(hostile_dir))
    csp, gti = model.index("csp"), model.index("gti")
    kaz, kgz = model.country("KAZ"), model.country("KGZ")
    return [ranking.rank(model, csp), ranking.rank(model, gti),
            changes.country_changes(model, csp, kaz), changes.year_changes(model, csp, 2024),
            comparison.compare_scores(model, csp, [kaz, kgz]),
            comparison.compare_levels(model, gti, [kaz, kgz]),
            profiles.explain_country(model, kaz), profiles.explain_index(model, csp),
            provenance.list_countries(model), provenance.list_sources(model)]


def _workbook_text(result: Table | Profile, options: RenderOptions) -> str:
    """Every cell of the workbook render_binary writes, one per line."""
    import openpyxl

    out = io.BytesIO()
    render_binary(result, options, out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    return "\n".join(str(value) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for value in row
                     if value is not None)


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda fmt: fmt.value)
@pytest.mark.parametrize("color", [False, True], ids=["plain", "color"])
def test_no_raw_control_survives_any_renderer(fmt: OutputFormat, color: bool,
                                              hostile_results: list[Table | Profile]) -> None:
    if fmt is OutputFormat.XLSX and importlib.util.find_spec("tindex.render.xlsx") is None:
        with pytest.raises(ValueError, match="xlsx is binary"):  # no workbook writer installed
            render(hostile_results[0], RenderOptions(fmt, color=color), io.StringIO())
        return
    for result in hostile_results:
        if fmt is OutputFormat.XLSX:
            text = _workbook_text(result, RenderOptions(fmt, color=color))
        else:
            out = io.StringIO()
            render(result, RenderOptions(fmt, color=color), out)
            text = out.getvalue().replace("\r\n", "\n")
        assert text.strip(), result.title
        found = RAW_CONTROL.search(text)
        assert found is None, (result.title, found, text)
        if fmt not in (OutputFormat.JSON, OutputFormat.HTML):  # these have their own escapes
            assert "x1b" in text, result.title  # shown as \\x1b (LaTeX: \\textbackslash{}x1b)


@pytest.mark.parametrize("fmt", OWN_FORMATS)
@pytest.mark.parametrize("args", [("rank",), ("explain", "KAZ")], ids=" ".join)
def test_no_raw_control_reaches_stdout(args: tuple[str, ...], fmt: str, hostile_dir: Path,
                                       tindex: Run) -> None:
    result = tindex("--data-dir", str(hostile_dir), *args, "--format", fmt)
    assert result.code == 0 and result.err == "", result.err
    assert not RAW_CONTROL.search(result.out), result.out


def test_rich_markup_shows_literally(hostile_dir: Path, tindex: Run,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    out = tindex("--data-dir", str(hostile_dir), "rank", "-f", "table").out
    assert "[bold red]X[/]" in out and "[link=https://evil.example]x[/link]" in out
    assert "Esc\\x1b[31mRed\\x1b[0m\\x07" in out and "C1\\x9b31mX\\u202eevil" in out
    profile = tindex("--data-dir", str(hostile_dir), "explain", "KAZ", "-f", "table").out
    assert "[b]x[/b]" in profile and "\\x1b]8;;https://evil.example\\x07" in profile


def test_json_keeps_the_text_and_escapes_it(hostile_dir: Path, tindex: Run) -> None:
    out = tindex("--data-dir", str(hostile_dir), "rank", "-f", "json").out
    names = {row["iso3"]: row["country"] for row in json.loads(out)}
    assert names == HOSTILE_COUNTRIES  # exact text for programs, escaped on the wire


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_formula_cells_are_neutralised_and_numbers_stay_numbers(fmt: str, hostile_dir: Path,
                                                                tindex: Run) -> None:
    delimiter = "\t" if fmt == "tsv" else ","
    seen: set[str] = set()
    for args in HOSTILE_COMMANDS:
        out = tindex("--data-dir", str(hostile_dir), *args, "--format", fmt).out
        for row in csv.reader(io.StringIO(out), delimiter=delimiter):
            for cell in row:
                seen.add(cell)
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    float(cell)  # only plain numbers may start like a formula
    assert '\'=HYPERLINK("https://evil.example","x")' in seen
    assert "'@SUM(A1:A9)" in seen and "'-2+3" in seen and "'+cmd|' /C calc'!A0" in seen
    assert "'=cmd|\"/c calc\"!A1" in seen and "'+1 (555) =1" in seen
    assert "-3.62" in seen and "-30.0" in seen  # a negative text fact and a negative score


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+A1", "@SUM(A1)", "\t=1", "\r=1", "-",
                                  "=", "+ 1", "-1,5"])
def test_neutralise_formula_prefixes_an_apostrophe(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["-3.62", "+5", "-1e3", "42", "-0.5", ".5", "Armenia", "'=x", ""])
def test_neutralise_formula_leaves_numbers_and_plain_text(text: str) -> None:
    assert neutralise_formula(text) == text


def test_a_colour_terminal_gets_only_tindex_own_styles(hostile_dir: Path, terminal: Terminal
                                                       ) -> None:
    """On a colour terminal the only escapes are rich's colour codes (SGR)."""
    shown = {  # a line each command must print, the hostile text in it escaped
        ("rank",): "   9   [link=https://evil.example]x[/link]",
        ("explain", "KAZ"): "Esc\\x1b[31mRed\\x1b[0m\\x07 (KAZ)",
        ("delta", "KAZ"): "Source: \\x1b[2J\\x1b[Hpub, 2024 [s1]",
    }
    for args, line in shown.items():
        code, out = terminal("--data-dir", str(hostile_dir), *args, env={"COLUMNS": "200"})
        assert code == 0
        assert "\x1b[" in out  # colour is on, so the check below means something
        without_styles = re.sub(r"\x1b\[[0-9;]*m", "", out).replace("\r\n", "\n")
        assert not RAW_CONTROL.search(without_styles), (args, without_styles)
        assert any(row.startswith(line) for row in without_styles.splitlines()), (args, without_styles)


@pytest.mark.e2e
@pytest.mark.parametrize("args", [("rank",), ("explain", "KAZ")], ids=" ".join)
def test_hostile_text_on_a_pseudo_terminal_is_what_the_fast_tests_see(
        args: tuple[str, ...], hostile_dir: Path, terminal: Terminal) -> None:
    real = on_terminal("--data-dir", str(hostile_dir), *args, env={"COLUMNS": "200"})
    assert real[0] == 0 and "\x1b[" in real[1], real
    assert terminal("--data-dir", str(hostile_dir), *args, env={"COLUMNS": "200"}) == real


# -- found in review: line numbers, stray spaces, dates, repeated pillar names -------------


def _replace_line(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_line_numbers_count_blank_lines_and_multiline_cells(data_copy: Path, tindex: Run) -> None:
    scores = data_copy / "index_scores.csv"
    _replace_line(scores, "csp,ARM,2019,93.77,1,csp-2020-rbc\n",
                  "csp,ARM,2019,93.77,1,csp-2020-rbc\n\n")
    _replace_line(scores, "csp,ARM,2022,111.57,5", "csp,ARM,2O22,111.57,5")
    facts = data_copy / "facts.csv"
    lines = facts.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace('"Change in', '"Change\nin', 1)  # a quoted cell over two lines
    lines[3] = lines[3].replace(",Ratified,", ",,", 1)
    facts.write_text("".join(lines), encoding="utf-8")
    result = tindex("validate", str(data_copy))
    assert result.code == 1
    assert "index_scores.csv:12: year: not a whole number ('2O22')" in result.out
    assert "facts.csv:5: value: empty cell" in result.out  # line 4 of the list, +1 for the break


def test_spaces_around_a_categorical_value_are_stripped(data_copy: Path, tindex: Run) -> None:
    scores = data_copy / "index_scores.csv"
    _replace_line(scores, "csp,ARM,2021,84.08,6,csp-2025\n", "csp ,ARM,2021,84.08,6,csp-2025 \n")
    assert tindex("validate", str(data_copy)).code == 0
    copied, bundled = tindex("--data-dir", str(data_copy), "rank", "2021"), tindex("rank", "2021")
    assert copied.code == bundled.code == 0, copied.err + bundled.err
    assert copied.out == bundled.out


def test_impossible_dates_are_rejected(data_copy: Path, tindex: Run) -> None:
    _replace_line(data_copy / "sources.csv", ",2025-08-08,", ",2025-13-08,")
    result = tindex("validate", str(data_copy))
    assert "sources.csv:2: date: not a valid date" in result.out and "'2025-13-08'" in result.out


def test_pillar_names_must_match_the_pillar_list(data_copy: Path, tindex: Run) -> None:
    """Pillar (component) names live only in components.csv: a level must name one of them."""
    _replace_line(data_copy / "index_levels.csv", "gti,BLR,2025,2,Very High",
                  "gti,BLR,2025,9,Very High")
    result = tindex("validate", str(data_copy))
    assert result.code == 1
    assert result.out == (f"{data_copy}/index_levels.csv:6: component: no component 9 of gti "
                          "in components.csv ('9')\n")


def test_user_assigned_iso_codes_are_accepted(data_copy: Path, tindex: Run) -> None:
    """ISO 3166-1 reserves XAA-XZZ (and others) for users: Kosovo is commonly XKX."""
    scores = data_copy / "index_scores.csv"
    scores.write_text(scores.read_text(encoding="utf-8") + "csp,XKX,2024,50,6,csp-2025\n",
                      encoding="utf-8")
    countries = data_copy / "countries.csv"
    countries.write_text(countries.read_text(encoding="utf-8") + "XKX,Kosovo,name,\n",
                         encoding="utf-8")
    assert tindex("validate", str(data_copy)).code == 0
    assert "Kosovo" in tindex("--data-dir", str(data_copy), "rank", "2024").out
