"""A screen read at a glance: the table first, within the row budgets of issue 11, and a
country's profile about that country only."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from conftest import DATA, Result, Terminal, on_terminal

Run = Callable[..., Result]


@pytest.mark.e2e
@pytest.mark.parametrize(("args", "columns", "budget"), [
    (("rank", "2024"), 80, 24),
    (("rank", "--index", "gti"), 80, 45),
    (("explain", "Kyrgyzstan"), 100, 120),
])
def test_screens_fit_their_budget(args: tuple[str, ...], columns: int, budget: int) -> None:
    code, text = on_terminal(*args, env={"COLUMNS": str(columns), "NO_COLOR": "1"})
    lines = text.rstrip("\n").split("\n")
    assert code == 0, text
    assert len(lines) <= budget, f"{len(lines)} rows:\n{text}"
    assert all(len(line.rstrip()) <= columns for line in lines)
    first_table_line = next(n for n, line in enumerate(lines) if line.startswith("─") or "──" in line)
    assert first_table_line <= 14  # the table (or the profile's summary and scores) comes first


@pytest.mark.e2e
def test_terminal_rank_shows_the_table_then_short_notes() -> None:
    code, text = on_terminal("rank", "2024", env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == ("CSP Index on Torture 2024: 7 countries, best first (change since 2023)")
    assert lines[3].split()[:4] == ["1", "Kazakhstan", "134.65", "+12.14"]
    notes = lines[lines.index(next(line for line in lines if line.startswith("Note ["))):]
    assert notes[-1] == "Full texts: tindex caveats ID, tindex sources KEY"
    assert "Source: Civic Solidarity Platform, 2025 [csp-2025]" in notes
    assert "csp-2025-birduino" not in text  # the copy folds into the release it copies


@pytest.mark.e2e
@pytest.mark.parametrize(("args", "env"), [
    (("rank", "2024"), {}),
    (("rank", "--index", "gti"), {"COLUMNS": "40"}),
    (("delta", "Armenia"), {"COLUMNS": "0"}),
    (("compare", "Armenia", "Russia", "Kazakhstan", "--transpose"), {"COLUMNS": "20"}),
    (("explain", "Kyrgyzstan"), {"NO_COLOR": "1", "COLUMNS": "100"}),
    (("caveats", "KAZ"), {"TERM": "dumb"}),
], ids=lambda value: " ".join(value) if isinstance(value, tuple) else repr(value))
def test_the_in_process_terminal_prints_what_a_pseudo_terminal_shows(
        args: tuple[str, ...], env: dict[str, str], terminal: Terminal) -> None:
    """The fast tests draw screens in-process (the `terminal` fixture); this holds them to
    what the console script prints on a real pseudo-terminal, colours and widths included."""
    real = on_terminal(*args, env=env)
    assert real[0] == 0, real[1]
    assert terminal(*args, env=env) == real


def test_explain_is_about_its_country(tindex: Run) -> None:
    result = tindex("explain", "Kyrgyzstan", "--format", "json")
    assert result.code == 0, result.err
    profile = json.loads(result.out)
    caveats = profile["caveats"]
    assert {c["iso3"] for c in caveats} <= {"KGZ", None}
    named = {i for section in profile["sections"].values()
             for i in [*(i for r in section["rows"] for i in r.get("caveat_ids", [])),
                       *(i for line in section["lines"] for i in line["caveat_ids"])]}
    assert "iphr-2014-dated" in named  # its 2014 fact says the caveat that dates it
    assert all(c["index"] in ("csp", "gti", "gti_transparency") or c["caveat_id"] in named
               for c in caveats if c["iso3"] is None)
    cited = {s["source_id"] for s in profile["sources"]}
    # Every source cited is cited by something about Kyrgyzstan: its rows, drivers, facts,
    # recommendations, or a caveat about it or about an index it is in (whose text, with its
    # sources, travels with the profile).
    own = set()
    for section in profile["sections"].values():
        own |= {r["source_id"] for r in section["rows"] if "source_id" in r}
        own |= {i for line in section["lines"] for i in line["source_ids"]}
    assert cited == own | {i for c in caveats for i in c["source_ids"]}
    for other in ("togoscoop-2025", "hrnww-2026", "kapitalis-2025", "cronica-2025", "yemnews-2025"):
        assert other not in own  # cited only by the GTI's caveats about the whole index
    sections = json.dumps(profile["sections"])
    assert "TGO" not in sections and "Togo" not in sections and "Afghanistan" not in sections


def test_every_country_profile_stays_on_its_country(tindex: Run) -> None:
    codes = [line.split(",")[0] for line in (DATA / "countries.csv").read_text().splitlines()[1:]
             if line.split(",")[2] == "name"]
    for code in codes:
        result = tindex("explain", code, "--format", "json")
        assert result.code == 0, (code, result.err)
        assert {c["iso3"] for c in json.loads(result.out)["caveats"]} <= {code, None}, code
