"""The commands as users run them, checked against the published figures."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, Result, Terminal, console_script, on_terminal
from tindex import __version__
from tindex.cli import app

# Every command in every format is compared byte for byte in test_golden.py; the tests here
# check the figures against the published releases and hand-written pandas.

Run = Callable[..., Result]

def _csv(result: Result) -> pd.DataFrame:
    assert result.code == 0, result.err
    return pd.read_csv(io.StringIO(result.out))


def test_rank_2024_matches_the_published_order(tindex: Run) -> None:
    frame = _csv(tindex("rank", "2024"))
    assert frame["country"].tolist() == ["Kazakhstan", "Moldova", "Armenia", "Ukraine",
                                         "Kyrgyzstan", "Russia", "Belarus"]
    assert frame["rank"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    changes = frame.set_index("iso3")["change"]
    assert changes["KAZ"] == 12.14 and changes["ARM"] == -4.07 and changes["BLR"] == -1.19
    climbed = frame.set_index("iso3")["rank_change"]
    assert climbed["KAZ"] == 2 and climbed["ARM"] == -2  # Kazakhstan 3rd -> 1st, Armenia 1st -> 3rd


def test_rank_defaults_to_the_latest_year(tindex: Run) -> None:
    default, latest = tindex("rank"), tindex("rank", "2024")
    assert default.code == latest.code == 0, default.err + latest.err
    assert default.out == latest.out and default.err == latest.err == ""


def test_ties_share_a_rank_and_order_options(tindex: Run) -> None:
    frame = _csv(tindex("rank", "--index", "gti"))
    moderate = frame[frame["level"] == "Moderate"]
    assert set(moderate["country"]) == {"Italy", "Spain"} and set(moderate["rank"]) == {1}
    assert frame["rank"].iloc[-1] == 16 and frame["level"].iloc[-1] == "Very High"
    worst = _csv(tindex("rank", "2024", "--reverse", "--top", "2"))
    assert worst["country"].tolist() == ["Belarus", "Russia"]


def test_top_keeps_ties_at_the_cut_off(tindex: Run) -> None:
    frame = _csv(tindex("rank", "--index", "gti", "--top", "1"))
    assert set(frame["country"]) == {"Italy", "Spain"}  # both Moderate, both rank 1


def test_rank_change_ignores_countries_entering_or_leaving(tindex: Run) -> None:
    # Poland was measured only in 2020: its leaving in 2021 must not lift the others.
    frame = _csv(tindex("rank", "2021")).set_index("iso3")
    assert frame.loc["BLR", "rank_change"] == 0 and frame.loc["RUS", "rank_change"] == 0
    assert frame.loc["KGZ", "rank_change"] == 0
    kazakhstan = _csv(tindex("delta", "Kazakhstan")).set_index("year")
    assert kazakhstan.loc[2020, "rank"] == 5 and kazakhstan.loc[2020, "of"] == 8
    assert kazakhstan.loc[2020, "rank_change"] == 2  # 6th of 7 -> 4th of the same 7


def test_rank_by_pillar(tindex: Run) -> None:
    frame = _csv(tindex("rank", "--index", "gti", "--pillar", "V"))
    levels = frame.set_index("iso3")["level"]
    assert levels["KGZ"] == "Very High" and levels["IND"] == "High"
    assert _csv(tindex("rank", "--index", "gti", "--pillar", "5")).equals(frame)
    assert _csv(tindex("rank", "--index", "gti", "--pillar", "victim")).equals(frame)


def test_rank_2020_includes_poland(tindex: Run) -> None:
    frame = _csv(tindex("rank", "2020"))
    assert len(frame) == 8 and frame.set_index("iso3").loc["POL", "score"] == 82.67


def test_delta_of_a_country(tindex: Run) -> None:
    frame = _csv(tindex("delta", "Kazakhstan"))
    assert frame["year"].tolist() == list(range(2019, 2025))
    assert frame.set_index("year").loc[2024, "change"] == 12.14
    # 2019 -> 2020 starts from a negative score: no percentage may be printed.
    assert frame.set_index("year")["pct_change"].isna()[2020]
    assert frame.set_index("year").loc[2024, "pct_change"] == pytest.approx(9.9)
    limited = _csv(tindex("delta", "kaz", "--from", "2022", "--to", "2023"))
    assert limited["year"].tolist() == [2022, 2023]


def test_no_percentage_when_the_sign_flips(tindex: Run) -> None:
    russia = _csv(tindex("delta", "Russia")).set_index("year")
    assert russia["pct_change"].isna()[2020]  # 0.81 -> -27.97
    assert russia["pct_change"].isna()[2022]  # -26.64 -> 21.58
    belarus = _csv(tindex("delta", "Belarus"))
    assert belarus["pct_change"].isna().all()


def test_delta_year_largest_rise_first(tindex: Run) -> None:
    frame = _csv(tindex("delta", "--year", "2024"))
    assert frame["country"].iloc[0] == "Kazakhstan" and frame["change"].iloc[0] == 12.14
    assert frame["country"].iloc[-1] == "Kyrgyzstan" and frame["change"].iloc[-1] == -15.87


def test_delta_terminal_table_shows_drivers_and_caveats(tindex: Run) -> None:
    result = tindex("delta", "Kyrgyzstan", "--format", "table")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "2024 (stated change -11.29)" in text and "-15.87" in text
    assert ("Note [kgz-2024-stated-change]: The sixth release says Kyrgyzstan's score fell by "
            "11.29 points in 2024, but its own table gives 80.36 for 2023 and 64.49 for 2024, a fall "
            "of 15.87. …") in text
    assert "Source: Civic Solidarity Platform, 2025 [csp-2025]" in text  # the table and a driver
    assert "Source: Civic Solidarity Platform, 2024 [csp-2024]" in text  # the 2023 driver
    assert "[csp-2019-pilot]" not in text  # an index-wide caveat's source: one command away


def test_compare_gap_and_mirror(tindex: Run) -> None:
    ab = _csv(tindex("compare", "Armenia", "Moldova")).set_index("year")
    ba = _csv(tindex("compare", "Moldova", "Armenia")).set_index("year")
    assert ab.loc[2024, "gap"] == -1.87
    assert (ab["gap"] == -ba["gap"]).all()
    three = _csv(tindex("compare", "ARM", "MDA", "UKR"))
    assert list(three.columns) == ["year", "Armenia", "Moldova", "Ukraine", "source_id", "caveat_ids"]


def test_compare_gti_marks_differences(tindex: Run) -> None:
    frame = _csv(tindex("compare", "--index", "gti", "Kyrgyzstan", "Belarus")).set_index("component")
    assert frame.loc[0, "Kyrgyzstan"] == "Considerable" and frame.loc[0, "Belarus"] == "Very High"
    assert frame.loc[5, "differ"] == "no"  # both Very High on victims' rights
    assert frame.loc[1, "differ"] == "yes"
    assert frame.loc[5, "pillar_name"] == "Victim's rights"


def test_explain_country_as_json(tindex: Run) -> None:
    result = tindex("explain", "Kazakhstan", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["summary"]["csp_latest_year"] == 2024
    assert data["summary"]["csp_score"] == 134.65
    assert data["summary"]["csp_rank"] == "1 of 7"
    assert data["summary"]["csp_change"] == 12.14
    drivers = data["sections"]["drivers"]["lines"]
    assert any(line["text"].startswith("2024 (stated change +12.14): ")
               and line["source_ids"] == ["csp-2025"] for line in drivers)
    assert any(caveat["caveat_id"] == "kaz-2023-revision"
               and caveat["text"].startswith("Kazakhstan's 2023 score was revised between the fifth "
                                             "and the sixth release: tindex revisions lists both")
               and caveat["source_ids"] == ["csp-2024", "csp-2025"] for caveat in data["caveats"])
    assert "caveats" not in data["sections"]  # once, with their ids, not again as lines
    assert all(source["url"].startswith("http") for source in data["sources"])


def test_explain_a_country_without_scores(tindex: Run) -> None:
    result = tindex("explain", "Tajikistan", "--format", "table")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "No index in tindex's data rates Tajikistan" in text
    assert "Note [tjk-coverage]" in text
    facts = json.loads(tindex("explain", "Tajikistan", "--format", "json").out)["sections"]["facts"]
    complaints = [row for row in facts["rows"] if row["fact"].startswith("Torture and ill-treatment")]
    assert [(r["value"], r["unit"], r["period"]) for r in complaints] == [("17", "complaints", "2024")]


def test_explain_indices(tindex: Run) -> None:
    result = tindex("explain", "csp", "--format", "json")
    assert result.code == 0, result.err
    csp = json.loads(result.out)
    assert csp["summary"]["scale"] == "numbers; no bounds published"
    assert csp["summary"]["years"] == "2019-2024"
    assert list(csp["sections"]) == ["about", "coverage", "releases"]
    with (REPO / "data" / "caveats.csv").open(encoding="utf-8") as handle:
        about_csp = [row["caveat_id"] for row in csv.DictReader(handle) if row["index"] == "csp"]
    assert [c["caveat_id"] for c in csp["caveats"]] == about_csp
    result = tindex("explain", "gti", "--format", "json")
    assert result.code == 0, result.err
    gti = json.loads(result.out)
    assert gti["summary"]["scale"] == "Low < Moderate < Considerable < High < Very High"
    components = pd.read_csv(REPO / "data" / "components.csv")
    pillars = components[components["index"] == "gti"].sort_values("component")
    assert [(row["pillar"], row["name"]) for row in gti["sections"]["pillars"]["rows"]] == list(
        zip(pillars["component"], pillars["name"], strict=True))
    levels = pd.read_csv(REPO / "data" / "index_levels.csv")
    overall = levels[(levels["index"] == "gti") & levels["component"].isna()]
    counted = overall["level"].value_counts()
    assert [(row["level"], row["countries"]) for row in gti["sections"]["levels"]["rows"]] == [
        (level, int(counted.get(level, 0))) for level in
        ("Low", "Moderate", "Considerable", "High", "Very High")]


def test_countries_and_sources(tindex: Run) -> None:
    result = tindex("countries")
    assert result.code == 0, result.err
    countries = pd.read_csv(io.StringIO(result.out), dtype=str).set_index("iso3")
    assert countries.loc["KAZ", "csp_years"] == "2019-2024"
    assert countries.loc["POL", "csp_years"] == "2020"
    assert countries.loc["BLR", "gti_years"] == "2025"
    assert countries["gti_years"].isna()["KAZ"]
    assert countries.loc["TJK", "facts"] == "5"
    sources = _csv(tindex("sources"))
    assert sources["url"].str.startswith("http").all()
    uncited = sources.loc[sources["cited_by_rows"] == 0, "source_id"].tolist()
    assert uncited == []


@pytest.mark.parametrize(("args", "message"), [
    (["rank", "1990"], "no csp data for 1990; years with data: 2019-2024"),
    (["rank", "2042"], "no csp data for 2042 (did you mean 2024?); years with data: 2019-2024"),
    (["rank", "2025"], "no csp data for 2025; years with data: 2019-2024"),  # no data, no typo
    (["rank", "2052", "--index", "gti"], "no gti data for 2052 (did you mean 2025?)"),
    (["delta", "Kazakhstan", "--from", "2091"], "--from 2091 (did you mean 2019?): Kazakhstan has "
                                                "scores for 2019-2024"),
    (["delta", "Kazakhstan", "--from", "-2042"], "--from -2042: Kazakhstan has scores for 2019-2024"),
    (["rank", "--", "-2042"], "no csp data for -2042; years with data: 2019-2024"),
    (["delta", "Atlantis"], "unknown country 'Atlantis'"),
    (["delta", "Kazakstn"], "did you mean"),
    (["rank", "--format", "jsn"], "did you mean json"),
    (["rank", "--index", "gti", "--pillar", "99"], "unknown pillar"),
    (["rank", "--pillar", "2"], "csp has no components"),
    (["rank", "--edition", "2025"], "No such option: --edition"),
    (["rank", "1999", "--index", "gti"], "no gti data for 1999; years with data: 2025"),
    (["rank", "--index", "foo"], "unknown index 'foo'; indices: csp, gti, gti_transparency"),
    (["rank", "--index", "gti", "--release", "5"], "--release works with score indices"),
    (["rank", "--release", "9"], "no release '9' of csp; releases: 1 (csp-2019-pilot)"),
    (["revisions", "gti"], "gti is a level index; this needs a score index (csp)"),
    (["rank", "-o", "x.foo"], "--output: cannot tell the format of 'x.foo' from its suffix"),
    (["rank", "--format", "xlsx"], "xlsx is a binary workbook: give -o FILE.xlsx"),
    (["delta", "--year", "2024", "--from", "2020"], "--from only works with a COUNTRY"),
    (["delta", "Kazakhstan", "--top", "2"], "--top only works with --year"),
    (["compare", "--index", "gti", "KGZ", "BLR", "--from", "2020"],
     "--from only works with a score index"),
    (["compare", "KAZ", "KGZ", "--year", "2025"], "--year only works with a level index"),
    (["compare", "--index", "gti", "KGZ", "BLR", "--year", "2020"], "no gti data for 2020"),
    (["compare", "Armenia"], "compare needs at least 2 countries"),
    (["compare", "Armenia", "ARM"], "named twice"),
    (["delta"], "give a COUNTRY"),
    (["rank", "--bogus"], "No such option"),
    (["rnak"], "No such command"),
    (["rank", "2O24"], "'2O24' is not a valid int"),
    (["delta", "Tajikistan"], "Tajikistan has no csp scores; measured: Armenia, Belarus"),
    (["delta", "Kazakhstan", "--from", "1990"], "has scores for 2019-2024"),
])
def test_usage_errors_are_one_line_exit_2(tindex: Run, args: list[str], message: str) -> None:
    result = tindex(*args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("tindex: error: ")
    assert message in result.err


def test_data_problems_exit_1(tindex: Run, tmp_path: Path) -> None:
    (tmp_path / "sources.csv").write_text("source_id,title,publisher,date,url,note\n")
    result = tindex("--data-dir", str(tmp_path), "rank")
    assert result.code == 1 and result.out == ""
    assert result.err.count("\n") == 1
    assert "indices.csv: file not found (index definitions)" in result.err


@pytest.mark.e2e
def test_version() -> None:
    result = console_script("--version")
    assert result.returncode == 0 and result.stdout == (
        f"tindex {__version__}; bundled data: csp 2025-08-08, gti 2025-06-25, "
        "gti_transparency 2025-06-25\n")


def test_version_names_the_data_dir_given_in_process(tindex: Run, data_copy: Path) -> None:
    """--version is eager (read before --data-dir is parsed): it reads the words of the run,
    which in-process are run's argv, not sys.argv."""
    (data_copy / "releases.csv").write_text("index,release,source_id,note\ncsp,6,omct-gti-2025,\n",
                                            encoding="utf-8")
    result = tindex("--data-dir", str(data_copy), "--version")
    assert (result.code, result.err) == (0, "")
    assert result.out == f"tindex {__version__}; data from {data_copy}: csp 2025-06-25\n"


# -- releases, spans, transposition, files ---------------------------------------------------


def _latest_release_scores() -> pd.DataFrame:
    """Oracle: each country-year's value from its newest release, read straight from the CSV."""
    rows = pd.read_csv(REPO / "data" / "index_scores.csv")
    rows = rows[rows["index"] == "csp"].sort_values("release")
    return rows.drop_duplicates(["iso3", "year"], keep="last")


def test_rank_from_an_older_release(tindex: Run) -> None:
    # The fifth release printed 132.51 for Kazakhstan in 2023; the sixth revised it to 122.51.
    frame = _csv(tindex("rank", "2023", "--release", "5"))
    assert frame["country"].iloc[0] == "Kazakhstan" and frame["score"].iloc[0] == 132.51
    assert frame["rank"].iloc[0] == 1 and (frame["source_id"] == "csp-2024").all()
    latest = _csv(tindex("rank", "2023")).set_index("iso3")
    assert latest.loc["KAZ", "score"] == 122.51


@pytest.mark.parametrize("release", ["csp-2024", "CSP-2024 "])
def test_a_release_named_by_its_source_id_is_the_same_release(tindex: Run, release: str) -> None:
    by_number = tindex("rank", "2023", "--release", "5", "--format", "csv")
    by_source = tindex("rank", "2023", "--release", release, "--format", "csv")
    assert by_number.code == by_source.code == 0, by_number.err + by_source.err
    assert by_source.out == by_number.out
    assert "Kazakhstan,KAZ,2023,132.51," in by_source.out


def test_revisions_are_the_two_kazakhstan_2023_values(tindex: Run) -> None:
    result = tindex("revisions")
    assert result.code == 0, result.err
    assert result.out == (
        "country,iso3,year,release,score,change,source_id,caveat_ids\n"
        "Kazakhstan,KAZ,2023,5,132.51,,csp-2024,kaz-2023-revision\n"
        "Kazakhstan,KAZ,2023,6,122.51,-10.0,csp-2025,kaz-2023-revision\n")


def test_delta_over_a_span_for_every_country(tindex: Run) -> None:
    frame = _csv(tindex("delta", "--from", "2019", "--to", "2024"))
    scores = _latest_release_scores().pivot(index="iso3", columns="year", values="score")
    both = scores[[2019, 2024]].dropna()
    expected = (both[2024] - both[2019]).round(2).sort_values(ascending=False, kind="stable")
    assert frame["iso3"].tolist() == expected.index.tolist()
    assert frame["change"].tolist() == expected.tolist()
    by_code = frame.set_index("iso3")
    assert by_code.loc["KAZ", "score_from"] == -3.04 and by_code.loc["KAZ", "score_to"] == 134.65
    ranks = scores.rank(ascending=False, method="min")
    assert by_code["rank_from"].tolist() == ranks.loc[by_code.index, 2019].astype(int).tolist()
    assert by_code["rank_to"].tolist() == ranks.loc[by_code.index, 2024].astype(int).tolist()
    assert (by_code["rank_change"] == by_code["rank_from"] - by_code["rank_to"]).all()


def test_compare_marks_a_country_the_level_index_does_not_rate(tindex: Run) -> None:
    frame = _csv(tindex("compare", "kz", "kg", "--index", "gti")).set_index("component")
    assert list(frame.columns[:3]) == ["pillar_name", "Kazakhstan", "Kyrgyzstan"]
    assert (frame["Kazakhstan"] == "not rated").all() and len(frame) == 8
    assert frame.loc[0, "Kyrgyzstan"] == "Considerable"
    assert frame["differ"].isna().all()  # nothing to compare against
    assert (frame["source_id"] == "omct-gti-kgz-2025").all()


def test_compare_transposed_is_the_pivot_of_the_scores(tindex: Run) -> None:
    frame = _csv(tindex("compare", "Armenia", "Moldova", "Ukraine", "--transpose"))
    assert frame["country"].tolist() == ["Armenia", "Moldova", "Ukraine"]
    assert list(frame.columns) == ["country", "iso3", "2019", "2020", "2021", "2022", "2023", "2024",
                                   "source_id", "caveat_ids"]
    scores = _latest_release_scores()
    pivot = scores[scores["iso3"].isin(["ARM", "MDA", "UKR"])].pivot(
        index="iso3", columns="year", values="score")
    got = frame.set_index("iso3").drop(columns=["country", "source_id", "caveat_ids"])
    got.columns = got.columns.astype(int)
    pd.testing.assert_frame_equal(got, pivot.loc[["ARM", "MDA", "UKR"]], check_names=False)


@pytest.mark.e2e
def test_output_csv_file_is_byte_for_byte_stdout(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TINDEX_")}
    piped = subprocess.run([sys.executable, "-m", "tindex", "rank", "2024"], capture_output=True,
                           env=environment, timeout=120, check=False)
    written = subprocess.run([sys.executable, "-m", "tindex", "rank", "2024", "-o", str(target)],
                             capture_output=True, env=environment, timeout=120, check=False)
    assert piped.returncode == 0 and written.returncode == 0, written.stderr
    assert written.stdout == b""
    assert written.stderr == f"tindex: wrote {target}\n".encode()
    assert target.read_bytes() == piped.stdout
    assert piped.stdout.startswith(b"rank,of,country,")


def test_output_with_an_unknown_suffix_is_refused(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "x.foo"
    result = tindex("rank", "-o", str(target))
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("tindex: error: --output: cannot tell the format of ")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_output_xlsx_is_a_workbook_or_a_clean_refusal(tindex: Run,
                                                       tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    result = tindex("rank", "2024", "-o", str(target))
    assert "internal error" not in result.err
    if importlib.util.find_spec("tindex.render.xlsx") is None:
        assert result.code == 2 and result.out == "" and result.err.count("\n") == 1
        assert result.err.startswith("tindex: error: ") and "xlsx" in result.err
        assert list(tmp_path.iterdir()) == []
    else:
        assert result.code == 0, result.err
        assert target.read_bytes().startswith(b"PK\x03\x04")


# -- the real console script: pipes, terminals, colour -------------------------------------


@pytest.mark.e2e
def test_pipe_gets_plain_csv() -> None:
    result = console_script("rank", "2024")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.splitlines()[0] == ("rank,of,country,iso3,year,score,change,rank_change,"
                                             "measured,source_id,caveat_ids")
    assert "\x1b" not in result.stdout and "─" not in result.stdout


@pytest.mark.e2e
def test_works_from_any_directory(tmp_path: Path) -> None:
    result = console_script("rank", "2024", cwd=tmp_path)
    assert result.returncode == 0 and "Kazakhstan" in result.stdout


def _in_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    code, out = on_terminal(*args, env=env)
    assert code == 0
    return out


@pytest.mark.e2e
def test_terminal_gets_a_rich_table_with_colour() -> None:
    out = _in_terminal("rank", "2024")
    assert "CSP Index on Torture 2024" in out and "Kazakhstan" in out
    assert "─" in out and "\x1b[" in out
    assert "Source:" in out and any(bar in out for bar in "▁▂▃▄▅▆▇█")


@pytest.mark.e2e
@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_terminal_without_colour(env: dict[str, str]) -> None:
    out = _in_terminal("rank", "2024", env=env)
    assert "Kazakhstan" in out and "\x1b[" not in out


@pytest.mark.e2e
def test_no_color_flag() -> None:
    out = _in_terminal("rank", "2024", "--no-color")
    assert "Kazakhstan" in out and "\x1b[" not in out


@pytest.mark.parametrize("args", [("--no-color", "rank", "2024"), ("rank", "2024", "--no-color"),
                                  ("--no-color", "explain", "Kyrgyzstan")])
def test_no_color_before_or_after_the_command(args: tuple[str, ...], terminal: Terminal) -> None:
    """The same screen as NO_COLOR gives, wherever the flag stands."""
    code, flagged = terminal(*args)
    plain = terminal(*[a for a in args if a != "--no-color"], env={"NO_COLOR": "1"})
    assert code == 0 and (code, flagged) == plain
    assert "\x1b[" not in flagged and "Kyrgyzstan" in flagged


@pytest.mark.e2e
def test_format_wins_on_a_terminal() -> None:
    out = _in_terminal("rank", "2024", "--format", "csv")
    assert out.replace("\r\n", "\n").startswith("rank,of,country,iso3,year,score,")


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("head") is None, reason="needs head")
def test_head_ends_quietly() -> None:
    command = f"{sys.executable} -m tindex sources | head -1"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("source_id,title,")


@pytest.mark.e2e
def test_errors_in_a_subprocess_are_one_line() -> None:
    result = console_script("delta", "Atlantis")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


@pytest.mark.e2e
def test_python_dash_m_and_console_script_agree() -> None:
    script = shutil.which("tindex")
    if script is None:
        pytest.skip("console script not on PATH")
    direct = subprocess.run([script, "rank", "2024"], capture_output=True, text=True, check=False)
    module = console_script("rank", "2024")
    assert direct.returncode == module.returncode == 0, direct.stderr + module.stderr
    assert direct.stdout == module.stdout and direct.stdout.startswith("rank,of,country,")


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    from typer.main import get_group

    names = sorted(get_group(app).commands)
    assert len(names) == 12  # rank delta compare chart explain countries sources caveats ...
    for name in names:  # in the generated --help synopsis, or in an example
        assert f"tindex {name}" in readme or re.search(rf"^  {name} +\S", readme, re.M), name


@pytest.mark.parametrize("args", [
    ["rank", "--help"], ["rank", "2024", "--bogus"], ["delta"], ["import", "--help"],
    ["compare", "Armenia", "--format", "nope"], ["agree", "csp"], ["rank", "2024", "-f", "csv"],
], ids=" ".join)
def test_a_command_run_alone_behaves_as_in_the_whole_group(
        args: list[str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` builds only the named command's group (cli._click_command): it must print and
    exit exactly as the group with all twelve commands does."""
    from tindex import cli

    def through(whole: bool) -> tuple[int, str, str]:
        capsys.readouterr()
        with monkeypatch.context() as patch:
            if whole:
                built = cli._click_command
                patch.setattr(cli, "_click_command", lambda name: built(None))
            code = cli.run(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    alone = through(False)
    assert through(True) == alone
    assert alone[0] == (0 if args[-1] in ("--help", "csv") else 2), alone
