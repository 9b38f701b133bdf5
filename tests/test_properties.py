"""Properties that must hold for any dataset, checked on generated data directories.

The analysis is called through core (one Dataset per example, so hundreds of examples stay
cheap); the junk-input properties go through `tindex.cli.run`, the console script's own
error handling.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tindex import schema
from tindex.cli import run
from tindex.core import ranking
from tindex.core.changes import country_changes, year_changes
from tindex.core.comparison import compare_scores
from tindex.core.model import Country, IndexInfo, Model
from tindex.core.result import Table
from tindex.data import Dataset
from tindex.errors import TindexError
from tindex.render import RenderOptions, render
from tindex.render.formats import OutputFormat

# Real ISO codes, with names that need CSV quoting (commas, apostrophes) or are not ASCII.
COUNTRIES = {
    "ARM": "Armenia", "BLR": "Belarus", "KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan",
    "MDA": "Moldova", "RUS": "Russia", "UKR": "Ukraine", "POL": "Poland",
    "KOR": "Korea, Republic of", "CIV": "Côte d'Ivoire", "TUR": "Türkiye",
    "BES": "Bonaire, Sint Eustatius and Saba", "ALA": "Åland Islands", "COD": 'DR "Congo"',
}
SOURCES_CSV = "source_id,title,publisher,date,url,note\ns1,Title,Publisher,2025,https://example.org,\n"
INDICES_CSV = ("index,kind,better,minimum,maximum,year_means,name,publisher,description,source_id\n"
               "idx,score,higher,,,data year,Some Index,Publisher,A generated index.,s1\n")

# Scores in hundredths, as published; a few repeated values make ties common.
scores = st.one_of(st.integers(-30_000, 30_000).map(lambda cents: cents / 100),
                   st.sampled_from([0.0, 12.5, -70.1, 93.77]))


@st.composite
def datasets(draw: st.DrawFn) -> pd.DataFrame:
    """index_scores rows: some countries, a run of years, a score for most country-years."""
    codes = draw(st.lists(st.sampled_from(sorted(COUNTRIES)), min_size=2, max_size=8, unique=True))
    first = draw(st.integers(1990, 2030))
    years = list(range(first, first + draw(st.integers(1, 8))))
    rows = [  # most country-years measured, so most series are runs of several years
        {"index": "idx", "iso3": code, "year": year, "score": draw(scores), "source_id": "s1"}
        for code in codes for year in years if draw(st.integers(0, 4)) > 0 or year == first
    ]
    return pd.DataFrame(rows)


@contextlib.contextmanager
def data_dir(frame: pd.DataFrame) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        frame.to_csv(directory / "index_scores.csv", index=False)
        pd.DataFrame({"iso3": list(COUNTRIES), "name": list(COUNTRIES.values()), "kind": "name",
                      "note": ""}).to_csv(directory / "countries.csv", index=False)
        (directory / "indices.csv").write_text(INDICES_CSV, encoding="utf-8")
        (directory / "sources.csv").write_text(SOURCES_CSV, encoding="utf-8")
        yield directory


def opened(directory: Path) -> tuple[Model, IndexInfo]:
    model = Model(Dataset(directory))
    return model, model.index("idx")


def countries_in(model: Model, frame: pd.DataFrame) -> list[Country]:
    return [model.country(code) for code in frame["iso3"].drop_duplicates()]


@given(datasets())
def test_rank_is_a_permutation_with_consistent_ties(frame: pd.DataFrame) -> None:
    with data_dir(frame) as directory:
        model, index = opened(directory)
        for year in frame["year"].drop_duplicates().tolist():
            group = frame[frame["year"] == year]
            ranked = ranking.rank(model, index, year).frame
            assert sorted(ranked["iso3"]) == sorted(group["iso3"])  # everyone once
            for score, rank in zip(ranked["score"], ranked["rank"], strict=True):
                assert rank == 1 + int((group["score"] > score).sum())
            by_score = ranked.groupby("score")["rank"].nunique()
            assert (by_score == 1).all()  # equal scores <=> equal rank
            assert ranked["rank"].is_monotonic_increasing
            worst_first = ranking.rank(model, index, year, reverse=True).frame
            assert worst_first["rank"].is_monotonic_decreasing


def _score_of(frame: pd.DataFrame) -> dict[tuple[str, int], float]:
    return {(str(code), int(year)): float(score)
            for code, year, score in zip(frame["iso3"], frame["year"], frame["score"], strict=True)}


@given(datasets())
def test_yearly_changes_are_differences_from_the_previous_data_year(frame: pd.DataFrame) -> None:
    with data_dir(frame) as directory:
        model, index = opened(directory)
        data_years = sorted(frame["year"].unique().tolist())
        score = _score_of(frame)
        for country in countries_in(model, frame):
            report = country_changes(model, index, country).frame
            years = report["year"].tolist()
            assert years == sorted(year for code, year in score if code == country.iso3)
            for year, shown, change in zip(years, report["score"], report["change"], strict=True):
                assert shown == score[(country.iso3, year)]
                position = data_years.index(year)
                previous = score.get((country.iso3, data_years[position - 1])) if position else None
                # A change exactly when the previous year with data was measured too.
                if previous is None:
                    assert pd.isna(change), (year, change)
                else:
                    assert change == pytest.approx(shown - previous, abs=1e-9), year


@given(datasets(), st.data())
def test_compare_shows_each_countrys_own_scores_in_any_order(frame: pd.DataFrame,
                                                              data: st.DataObject) -> None:
    with data_dir(frame) as directory:
        model, index = opened(directory)
        everyone = data.draw(st.permutations(countries_in(model, frame)))
        chosen = everyone[:data.draw(st.integers(2, len(everyone)))]
        table = compare_scores(model, index, chosen).frame
        score = _score_of(frame)
        measured = sorted({year for code, year in score if code in {c.iso3 for c in chosen}})
        assert table["year"].tolist() == measured
        for country in chosen:
            for year, shown in zip(table["year"], table[country.name], strict=True):
                expected = score.get((country.iso3, int(year)))
                assert (pd.isna(shown) and expected is None) or shown == expected, (country, year)


@given(datasets(), st.data())
def test_compare_a_b_mirrors_compare_b_a(frame: pd.DataFrame, data: st.DataObject) -> None:
    with data_dir(frame) as directory:
        model, index = opened(directory)
        a, b = data.draw(st.permutations(countries_in(model, frame)))[:2]
        forward = compare_scores(model, index, [a, b]).frame
        backward = compare_scores(model, index, [b, a]).frame
        assert forward["year"].tolist() == backward["year"].tolist()
        pd.testing.assert_series_equal(forward[a.name], backward[a.name])
        pd.testing.assert_series_equal(forward["gap"], -backward["gap"], check_exact=False)
        both = forward[a.name].notna() & forward[b.name].notna()
        assert (forward["gap"].notna() == both).all()


def _same(left: Any, right: Any) -> bool:
    if isinstance(right, list):  # ids: a JSON list, joined by ';' in CSV (empty: a blank cell)
        return (";".join(map(str, right)) or None) == (None if _same(left, None) else str(left))
    missing = (left is None or (isinstance(left, float) and math.isnan(left)),
               right is None or (isinstance(right, float) and math.isnan(right)))
    if any(missing):
        return all(missing)
    if isinstance(right, (int, float)) and not isinstance(right, bool):
        return float(left) == float(right)
    return str(left) == str(right)


def _rendered(result: Table, fmt: OutputFormat) -> str:
    out = io.StringIO()
    render(result, RenderOptions(fmt), out)
    return out.getvalue()


@given(datasets(), st.data())
def test_csv_and_json_say_the_same(frame: pd.DataFrame, data: st.DataObject) -> None:
    with data_dir(frame) as directory:
        model, index = opened(directory)
        everyone = countries_in(model, frame)
        pair = data.draw(st.permutations(everyone))[:2]
        reports = [ranking.rank(model, index), country_changes(model, index, everyone[0]),
                   compare_scores(model, index, pair)]
        if frame["year"].nunique() > 1:
            reports.append(year_changes(model, index))
        for report in reports:
            from_csv = pd.read_csv(io.StringIO(_rendered(report, OutputFormat.CSV)),
                                   keep_default_na=False, na_values=[""])
            from_json = json.loads(_rendered(report, OutputFormat.JSON))
            assert list(from_csv.columns) == list(from_json[0])
            assert len(from_csv) == len(from_json) == len(report.frame)
            for csv_row, json_row in zip(from_csv.to_dict(orient="records"), from_json,
                                         strict=True):
                for column, value in json_row.items():
                    assert _same(csv_row[column], value), (report.title, column, csv_row, json_row)


# -- junk never gets further than the tool's own error ----------------------------------------

HEADER = "index,iso3,year,score,source_id"
VALID_ROWS = ["idx,ARM,2023,131.53,s1", "idx,ARM,2024,127.46,s1", "idx,BLR,2024,-95.02,s1"]
cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


@st.composite
def junk(draw: st.DrawFn) -> bytes:
    """Anything from random bytes to a valid file with one poisoned cell."""
    kind = draw(st.sampled_from(["bytes", "text", "cell", "rows", "header"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "text":
        return draw(st.text(max_size=300)).encode("utf-8", "surrogatepass")
    rows = [line.split(",") for line in VALID_ROWS]
    header = HEADER.split(",")
    if kind == "cell":
        row = draw(st.integers(0, len(rows) - 1))
        rows[row][draw(st.integers(0, 4))] = draw(cells)
    elif kind == "rows":
        rows = draw(st.lists(st.lists(cells, max_size=7), max_size=5))
    else:
        header = draw(st.lists(st.sampled_from([*header, "scroe", " year", ""]) | cells,
                               max_size=7))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


PROBLEM_LINE = re.compile(r"\S.*\.csv(:\d+)?: (\S+: )?\S.*")
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    return code, out.getvalue(), err.getvalue()


@given(junk(), st.sampled_from(["index_scores.csv", "sources.csv"]))
def test_junk_gives_only_the_tools_own_error(content: bytes, victim: str) -> None:
    frame = pd.DataFrame([dict(zip(HEADER.split(","), line.split(","), strict=True))
                          for line in VALID_ROWS])
    with data_dir(frame) as directory:
        (directory / victim).write_bytes(content)
        with contextlib.suppress(TindexError):  # anything else escapes and fails the test
            Dataset(directory).table(schema.INDEX_SCORES)
        for args in (["rank"], ["delta", "Armenia"], ["countries"]):
            code, out, err = _run("--data-dir", str(directory), *args)
            if code == 0:
                assert err == "" and out
                continue
            assert code in (1, 2) and out == ""
            assert err.startswith("tindex: error: ") and err.count("\n") == 1, err
            assert "internal error" not in err and not RAW_CONTROL.search(err), err
        code, out, err = _run("validate", str(directory))
        assert code in (0, 1) and err.count("\n") == 1 and "internal error" not in err, err
        assert all(PROBLEM_LINE.fullmatch(line) for line in out.splitlines()), out
        assert not RAW_CONTROL.search(out + err)


# -- an index is data: adding or renaming one needs no code ---------------------------------


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    header, _ = _rows(path)
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, header, lineterminator="\n").writerows(rows)


def _ranked(out: str) -> list[tuple[str, str, str]]:
    return [(r["rank"], r["iso3"], r["country"]) for r in csv.DictReader(io.StringIO(out))]


def test_a_third_index_added_by_data_alone_ranks_like_its_source(data_copy: Path) -> None:
    _, indices = _rows(data_copy / "indices.csv")
    csp = next(row for row in indices if row["index"] == "csp")
    _append(data_copy / "indices.csv", [csp | {"index": "csp_neg", "better": "lower",
                                               "name": "CSP negated"}])
    _, scores = _rows(data_copy / "index_scores.csv")
    _append(data_copy / "index_scores.csv",
            [row | {"index": "csp_neg", "score": str(-float(row["score"]))}
             for row in scores if row["index"] == "csp"])
    _, releases = _rows(data_copy / "releases.csv")
    _append(data_copy / "releases.csv",
            [row | {"index": "csp_neg"} for row in releases if row["index"] == "csp"])
    code, out, err = _run("--data-dir", str(data_copy), "validate", str(data_copy))
    assert code == 0, out + err
    base = _run("--data-dir", str(data_copy), "rank", "2024", "-f", "csv")
    negated = _run("--data-dir", str(data_copy), "rank", "2024", "--index", "csp_neg", "-f", "csv")
    assert base[0] == negated[0] == 0, base[2] + negated[2]
    assert _ranked(negated[1]) == _ranked(base[1])
    assert [r[1] for r in _ranked(base[1])][:3] == ["KAZ", "MDA", "ARM"]  # published 2024 order


def test_renaming_an_index_in_every_file_keeps_it_working(data_copy: Path) -> None:
    for path in data_copy.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        # Every field that is exactly "csp" (the index column of each file), nothing else.
        path.write_text(re.sub(r"(^|,)csp(?=,|$)", r"\1cspx", text, flags=re.M),
                        encoding="utf-8")
    for args in (["rank", "2024"], ["delta", "Kazakhstan"]):
        code, out, err = _run("--data-dir", str(data_copy), *args, "--index", "cspx", "-f", "csv")
        assert code == 0 and err == "", err
        assert "KAZ,2024,134.65," in out  # the published 2024 score
    code, _, err = _run("--data-dir", str(data_copy), "rank", "2024", "--index", "csp")
    assert code == 2 and "unknown index 'csp'" in err
