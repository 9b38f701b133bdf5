"""The commands as users run them, checked against the published figures."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import REPO, Result, console_script, on_terminal
from tindex.cli import app

Run = Callable[..., Result]

COMMANDS = [
    ["rank", "2024"],
    ["rank"],
    ["rank", "--index", "gti"],
    ["rank", "--index", "gti", "--pillar", "impunity"],
    ["delta", "Kazakhstan"],
    ["delta", "--year", "2024"],
    ["compare", "Armenia", "Moldova"],
    ["compare", "Armenia", "Moldova", "Ukraine"],
    ["compare", "--index", "gti", "Kyrgyzstan", "Belarus"],
    ["explain", "Kazakhstan"],
    ["explain", "Tajikistan"],
    ["explain", "csp"],
    ["explain", "gti"],
    ["countries"],
    ["sources"],
]
FORMATS = ["table", "csv", "tsv", "json", "markdown", "github", "grid", "html", "latex"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_in_every_format(args: list[str], fmt: str) -> None:
    result = CliRunner().invoke(app, [*args, "--format", fmt])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.strip()
    assert "\x1b" not in out  # CliRunner is not a terminal: no colour even for tables
    if fmt == "csv":
        frame = pd.read_csv(io.StringIO(out))
        assert len(frame) > 0
    elif fmt == "tsv":
        assert len(pd.read_csv(io.StringIO(out), sep="\t")) > 0
    elif fmt == "json":
        data = json.loads(out)
        assert isinstance(data, dict) if args[0] == "explain" else isinstance(data, list)


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
    assert tindex("rank").out == tindex("rank", "2024").out


def test_ties_share_a_rank_and_order_options(tindex: Run, tmp_path: pytest.TempPathFactory) -> None:
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
    assert pd.isna(frame.set_index("year").loc[2020, "pct_change"])
    assert frame.set_index("year").loc[2024, "pct_change"] == pytest.approx(9.9)
    limited = _csv(tindex("delta", "kaz", "--from", "2022", "--to", "2023"))
    assert limited["year"].tolist() == [2022, 2023]


def test_no_percentage_when_the_sign_flips(tindex: Run) -> None:
    russia = _csv(tindex("delta", "Russia")).set_index("year")
    assert pd.isna(russia.loc[2020, "pct_change"])  # 0.81 -> -27.97
    assert pd.isna(russia.loc[2022, "pct_change"])  # -26.64 -> 21.58
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
    assert "stated change -11.29" in text and "15.87" in text
    assert "Source:" in text


def test_compare_gap_and_mirror(tindex: Run) -> None:
    ab = _csv(tindex("compare", "Armenia", "Moldova")).set_index("year")
    ba = _csv(tindex("compare", "Moldova", "Armenia")).set_index("year")
    assert ab.loc[2024, "gap"] == -1.87
    assert (ab["gap"] == -ba["gap"]).all()
    three = _csv(tindex("compare", "ARM", "MDA", "UKR"))
    assert list(three.columns) == ["year", "Armenia", "Moldova", "Ukraine", "source_id"]


def test_compare_gti_marks_differences(tindex: Run) -> None:
    frame = _csv(tindex("compare", "--index", "gti", "Kyrgyzstan", "Belarus")).set_index("pillar")
    assert frame.loc[0, "Kyrgyzstan"] == "Considerable" and frame.loc[0, "Belarus"] == "Very High"
    assert frame.loc[5, "differ"] == "no"  # both Very High on victims' rights
    assert frame.loc[1, "differ"] == "yes"


def test_explain_country_as_json(tindex: Run) -> None:
    result = tindex("explain", "Kazakhstan", "--format", "json")
    data = json.loads(result.out)
    assert data["summary"]["csp_latest_score"] == 134.65
    assert data["summary"]["csp_rank"] == "1 of 7"
    drivers = data["sections"]["drivers"]["rows"]
    assert any(row["year"] == 2024 and row["stated_change"] == 12.14 for row in drivers)
    assert any("132.51" in line for line in data["sections"]["caveats"]["lines"])
    assert all(source["url"].startswith("http") for source in data["sources"])


def test_explain_a_country_without_scores(tindex: Run) -> None:
    result = tindex("explain", "Tajikistan", "--format", "table")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "tindex has no CSP Index on Torture score for Tajikistan" in text
    assert "not rated" in text and "17" in text


def test_explain_indices(tindex: Run) -> None:
    csp = " ".join(tindex("explain", "csp", "--format", "table").out.split())
    assert "not published" in csp and "2019-2024" in csp
    gti = " ".join(tindex("explain", "gti", "--format", "table").out.split())
    assert "Victim" in gti and "Very High" in gti


def test_countries_and_sources(tindex: Run) -> None:
    countries = _csv(tindex("countries")).set_index("iso3")
    assert countries.loc["KAZ", "csp_years"] == "2019-2024"
    assert countries.loc["POL", "csp_years"] == "2020"
    assert countries.loc["BLR", "gti_level"] == "Very High"
    assert countries.loc["TJK", "facts"] > 0
    sources = _csv(tindex("sources"))
    assert sources["url"].str.startswith("http").all()
    assert (sources["cited_by_rows"] > 0).all()


@pytest.mark.parametrize(("args", "message"), [
    (["rank", "1990"], "no CSP scores for 1990; years with data: 2019-2024"),
    (["delta", "Atlantis"], "unknown country 'Atlantis'"),
    (["delta", "Kazakstn"], "did you mean"),
    (["rank", "--format", "jsn"], "did you mean json"),
    (["rank", "--index", "gti", "--pillar", "99"], "unknown pillar"),
    (["rank", "--pillar", "2"], "--pillar only works with --index gti"),
    (["rank", "--edition", "2025"], "--edition only works with --index gti"),
    (["rank", "1999", "--index", "gti", "--edition", "2025"], "give the GTI edition once"),
    (["delta", "--year", "2024", "--from", "2020"], "--from only works with a COUNTRY"),
    (["delta", "Kazakhstan", "--top", "2"], "--top only works with --year"),
    (["compare", "--index", "gti", "KGZ", "BLR", "--from", "2020"], "--from only works with"),
    (["compare", "KAZ", "KGZ", "--edition", "2025"], "--edition only works with --index gti"),
    (["compare", "Armenia"], "at least two countries"),
    (["compare", "Armenia", "ARM"], "named twice"),
    (["delta"], "give a COUNTRY"),
    (["rank", "--bogus"], "No such option"),
    (["rnak"], "No such command"),
    (["rank", "2O24"], "'2O24' is not a valid int"),
    (["delta", "Tajikistan"], "has no CSP scores"),
    (["delta", "Kazakhstan", "--from", "1990"], "has scores for 2019-2024"),
])
def test_usage_errors_are_one_line_exit_2(tindex: Run, args: list[str], message: str) -> None:
    result = tindex(*args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("tindex: error: ")
    assert message in result.err


def test_data_problems_exit_1(tindex: Run, tmp_path: pytest.TempPathFactory) -> None:
    directory = tmp_path  # type: ignore[assignment]
    (directory / "sources.csv").write_text("source_id,title,publisher,date,url,note\n")  # type: ignore[operator]
    result = tindex("--data-dir", str(directory), "rank")
    assert result.code == 1 and result.out == ""
    assert "index_scores.csv: file not found" in result.err


def test_version() -> None:
    result = console_script("--version")
    assert result.returncode == 0 and re.fullmatch(r"tindex \d+\.\d+\.\d+\n", result.stdout)


# -- the real console script: pipes, terminals, colour -------------------------------------


def test_pipe_gets_plain_csv() -> None:
    result = console_script("rank", "2024")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.splitlines()[0] == "rank,country,iso3,score,change,rank_change,source_id"
    assert "\x1b" not in result.stdout and "─" not in result.stdout


def test_works_from_any_directory(tmp_path: pytest.TempPathFactory) -> None:
    result = console_script("rank", "2024", cwd=tmp_path)  # type: ignore[arg-type]
    assert result.returncode == 0 and "Kazakhstan" in result.stdout


def _in_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    code, out = on_terminal(*args, env=env)
    assert code == 0
    return out


def test_terminal_gets_a_rich_table_with_colour() -> None:
    out = _in_terminal("rank", "2024")
    assert "CSP Index on Torture 2024" in out and "Kazakhstan" in out
    assert "─" in out and "\x1b[" in out
    assert "Source:" in out and any(bar in out for bar in "▁▂▃▄▅▆▇█")


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_terminal_without_colour(env: dict[str, str]) -> None:
    out = _in_terminal("rank", "2024", env=env)
    assert "Kazakhstan" in out and "\x1b[" not in out


def test_no_color_flag() -> None:
    out = _in_terminal("rank", "2024", "--no-color")
    assert "Kazakhstan" in out and "\x1b[" not in out


def test_format_wins_on_a_terminal() -> None:
    out = _in_terminal("rank", "2024", "--format", "csv")
    assert out.replace("\r\n", "\n").startswith("rank,country,iso3,score")


@pytest.mark.skipif(shutil.which("head") is None, reason="needs head")
def test_head_ends_quietly() -> None:
    command = f"{sys.executable} -m tindex sources | head -1"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.stdout.startswith("source_id,")
    assert result.stderr == ""


def test_errors_in_a_subprocess_are_one_line() -> None:
    result = console_script("delta", "Atlantis")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


def test_python_dash_m_and_console_script_agree() -> None:
    script = shutil.which("tindex")
    if script is None:
        pytest.skip("console script not on PATH")
    direct = subprocess.run([script, "rank", "2024"], capture_output=True, text=True, check=False)
    assert direct.stdout == console_script("rank", "2024").stdout


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    from typer.main import get_command

    group = get_command(app)
    names = sorted(group.commands)  # type: ignore[attr-defined]
    assert names
    for name in names:
        assert f"tindex {name}" in readme, name
