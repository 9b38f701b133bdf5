"""Trend pictures: sparklines in terminal tables only, and `tindex chart` (SVG/PNG).

Charts are checked by what they hold (the SVG keeps its text as text): series names,
point labels typed in from the CSP release, axis labels, title, source line, and for the
GTI grid the levels, countries and pillars.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result

Run = Callable[..., Result]
BARS = "▁▂▃▄▅▆▇█"
# Published CSP scores 2019-2024 (sixth release, csp-2025).
KYRGYZSTAN = ["9.45", "23.08", "31.42", "34.75", "80.36", "64.49"]
KAZAKHSTAN = ["-3.04", "27.25", "107.17", "120.44", "122.51", "134.65"]
KYRGYZSTAN_TREND = "▁▂▃▃█▆"
SVG = "{http://www.w3.org/2000/svg}"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def texts(svg: Path) -> list[str]:
    """Every text element of the SVG, one string each (lines of a wrapped text joined)."""
    root = ET.parse(svg).getroot()
    return [" ".join("".join(node.itertext()).split()) for node in root.iter(f"{SVG}text")]


# -- sparklines: terminal tables only ------------------------------------------------------


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


@pytest.mark.usefixtures("wide")
@pytest.mark.parametrize("args", [
    ["rank"], ["delta", "Kyrgyzstan"], ["delta", "--year", "2024"],
    ["compare", "Kazakhstan", "Kyrgyzstan", "--transpose"], ["explain", "Kyrgyzstan"],
], ids=" ".join)
def test_terminal_tables_show_the_trend(tindex: Run, args: list[str]) -> None:
    result = tindex(*args, "--format", "table")
    assert result.code == 0, result.err
    assert KYRGYZSTAN_TREND in result.out


@pytest.mark.usefixtures("wide")
def test_a_ranking_trend_stops_at_the_year_ranked(tindex: Run) -> None:
    result = tindex("rank", "2023", "--format", "table")
    assert result.code == 0, result.err
    kyrgyzstan = [line for line in result.out.splitlines() if " Kyrgyzstan " in line]
    assert len(kyrgyzstan) == 1 and kyrgyzstan[0].rstrip().endswith(" ▁▂▃▃█")  # 2019-2023 only


@pytest.mark.usefixtures("wide")
def test_compare_trend_follows_the_years_shown(tindex: Run) -> None:
    result = tindex("compare", "Kazakhstan", "Kyrgyzstan", "--from", "2022", "--transpose",
                    "-f", "table")
    assert result.code == 0, result.err
    assert "▁█▆" in result.out and KYRGYZSTAN_TREND not in result.out  # 34.75, 80.36, 64.49


@pytest.mark.usefixtures("wide")
@pytest.mark.parametrize("args", [["delta", "Kyrgyzstan", "--from", "2024"],
                                  ["compare", "Kazakhstan", "Kyrgyzstan", "--from", "2024"],
                                  ["rank", "--index", "gti"]], ids=" ".join)
def test_no_trend_without_a_series(tindex: Run, args: list[str]) -> None:
    result = tindex(*args, "-f", "table")
    assert result.code == 0, result.err
    out = result.out
    assert "trend" not in out and not any(bar in out for bar in BARS)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
@pytest.mark.parametrize("args", [
    ["rank"], ["delta", "Kyrgyzstan"], ["delta", "--year", "2024"],
    ["compare", "Kazakhstan", "Kyrgyzstan"], ["explain", "Kyrgyzstan"],
], ids=" ".join)
def test_machine_formats_never_hold_sparklines(tindex: Run, args: list[str], fmt: str) -> None:
    result = tindex(*args, "--format", fmt)
    assert result.code == 0 and result.out
    assert not any(bar in result.out for bar in BARS)
    assert "trend\n" not in result.out and ",trend" not in result.out


# -- tindex chart: CSP lines -------------------------------------------------------------


def test_csp_chart_holds_series_labels_axes_title_and_source(tindex: Run, tmp_path: Path
                                                               ) -> None:
    target = tmp_path / "scores.svg"
    result = tindex("chart", "Kazakhstan", "Kyrgyzstan", "-o", str(target))
    assert result.code == 0, result.err
    assert result.out == ""
    assert result.err == f"tindex: wrote {target}\n"
    shown = texts(target)
    assert "Kazakhstan" in shown and "Kyrgyzstan" in shown  # the legend
    for value in KYRGYZSTAN + KAZAKHSTAN:
        assert shown.count(value) == 1, value  # every point labelled once
    assert "Year of data" in shown and "Score" in shown
    assert any(t.startswith("CSP Index on Torture:") and "Kyrgyzstan" in t for t in shown)
    assert [str(y) for y in range(2019, 2025)] == [t for t in shown if re.fullmatch(r"20\d\d", t)]
    source = " ".join(shown).split("Sources: ", 1)[1]  # a long source line wraps
    assert source.startswith("1. The Civic Solidarity Platform’s Working Group on the Fight "
                             "Against Torture presents its sixth annual Index on Torture. ")
    assert "Civic Solidarity Platform, Working Group on the Fight Against Torture, 2025-08-08" in source
    svg = target.read_text(encoding="utf-8").lower()
    for colour in ("#0072b2", "#d55e00"):  # Okabe-Ito blue and vermillion
        assert f"stroke: {colour}" in svg


def test_one_country_is_enough(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "kgz.svg"
    assert tindex("chart", "KGZ", "-o", str(target)).code == 0
    shown = texts(target)
    assert "Kyrgyzstan" in shown and all(value in shown for value in KYRGYZSTAN)
    assert "CSP Index on Torture: Kyrgyzstan" in shown


def test_years_can_be_narrowed(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "recent.svg"
    assert tindex("chart", "Kyrgyzstan", "--from", "2023", "-o", str(target)).code == 0
    shown = texts(target)
    assert "80.36" in shown and "64.49" in shown and "34.75" not in shown


def test_a_chart_is_reproducible(tindex: Run, tmp_path: Path) -> None:
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    tindex("chart", "Armenia", "Moldova", "-o", str(first))
    tindex("chart", "Armenia", "Moldova", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_png_is_a_real_png(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "scores.PNG"
    result = tindex("chart", "Kazakhstan", "Kyrgyzstan", "Russia", "-o", str(target))
    assert result.code == 0 and result.out == ""
    data = target.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width > 1000 and height > 600



@pytest.mark.parametrize("args", [["Kyrgyzstan"], ["-i", "gti", "Kyrgyzstan", "Belarus"]],
                         ids=" ".join)
def test_pdf_is_a_real_pdf(tindex: Run, tmp_path: Path, args: list[str]) -> None:
    target = tmp_path / "chart.pdf"
    result = tindex("chart", *args, "-o", str(target))
    assert result.code == 0 and result.out == "", result.err
    data = target.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")

# -- tindex chart: GTI grid --------------------------------------------------------------


def test_gti_grid_holds_levels_countries_and_pillars(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "gti.svg"
    result = tindex("chart", "--index", "gti", "Kyrgyzstan", "Belarus", "-o", str(target))
    assert result.code == 0, result.err
    shown = texts(target)
    assert "Kyrgyzstan" in shown and "Belarus" in shown
    assert "overall" in shown and "1. Political commitment" in shown
    assert "7. Right to defend and civic space" in shown
    legend = [t for t in shown if t in ("Low", "Moderate", "Considerable", "High", "Very High")]
    # 16 cells from the OMCT factsheets, then the legend in order, lowest risk first.
    assert legend[-5:] == ["Low", "Moderate", "Considerable", "High", "Very High"]
    cells = legend[:-5]
    assert cells.count("Very High") == 8  # Belarus 7 of 8, Kyrgyzstan's pillar 5
    assert cells.count("Moderate") == 1 and cells.count("High") == 3
    assert "n/a" not in " ".join(shown)
    assert any(t.startswith("OMCT Global Torture Index 2025:") for t in shown)
    foot = " ".join(shown).split("Sources: ", 1)[1]
    assert "1. Global Torture Index 2025: Belarus Factsheet. World Organisation Against " \
        "Torture (OMCT), 2025-06-25." in foot
    assert "2. Global Torture Index 2025: Kyrgyzstan Factsheet." in foot


def test_gti_grid_marks_missing_ratings(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "gti.svg"
    assert tindex("chart", "-i", "gti", "Kyrgyzstan", "Togo", "-o", str(target)).code == 0
    shown = texts(target)
    assert shown.count("n/a") == 7  # Togo: overall level only
    assert "n/a: no rating found" in shown


def test_gti_grid_of_one_country_as_png(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "india.png"
    assert tindex("chart", "-i", "gti", "India", "-o", str(target)).code == 0
    assert target.read_bytes().startswith(PNG_MAGIC)


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["Kyrgyzstan", "-o", "chart.jpg"], ".svg, .png or .pdf"),
    (["Kyrgyzstan", "-o", "chart"], ".svg, .png or .pdf"),
    (["Atlantis", "-o", "chart.svg"], "unknown country"),
    (["Tajikistan", "-o", "chart.svg"], "no csp scores for Tajikistan; measured: Armenia,"),
    (["-i", "gti", "Kazakhstan", "-o", "chart.svg"], "none of these is rated in gti 2025; rated: Argentina,"),
    (["Kyrgyzstan", "KGZ", "-o", "chart.svg"], "named twice"),
    (["Kyrgyzstan", "--from", "2030", "-o", "chart.svg"], "no csp data for 2030; years with data: 2019-2024"),
    (["Kyrgyzstan"], "--output"),
])
def test_usage_errors(tindex: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = tindex("chart", *args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("tindex: error: ") and result.err.count("\n") == 1
    assert message in result.err
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_is_one_line(tindex: Run, tmp_path: Path) -> None:
    result = tindex("chart", "Kyrgyzstan", "-o", str(tmp_path / "missing" / "chart.png"))
    assert result.code == 2 and result.err.startswith("tindex: error: cannot write ")
    assert result.err.count("\n") == 1


def test_names_from_data_are_drawn_literally(tindex: Run, data_copy: Path, tmp_path: Path
                                             ) -> None:
    name = "$x^2$ <b>Kyr_gyz</b> & Co"
    for path in data_copy.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?<![_/])Kyrgyzstan", lambda _: name, text), encoding="utf-8")
    target = tmp_path / "hostile.svg"
    result = tindex("--data-dir", str(data_copy), "chart", "KGZ", "-o", str(target))
    assert result.code == 0, result.err
    shown = " ".join(texts(target))
    # No mathtext, no markup, escaped as XML: the name as written, in title and legend.
    assert shown.count(f"CSP Index on Torture: {name}") == 1
    assert shown.count(name) == 2


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)


def test_without_matplotlib_says_how_to_install_it(tmp_path: Path) -> None:
    target = tmp_path / "chart.svg"
    result = _run_python(
        "import sys; sys.modules['matplotlib'] = None\n"
        "from tindex.cli import run\n"
        f"sys.exit(run(['chart', 'Kyrgyzstan', '-o', {str(target)!r}]))\n")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == ("tindex: error: charts need matplotlib: "
                             "pip install 'tindex[chart]' (from a clone: pip install '.[chart]')\n")
    assert not target.exists()


def test_help_loads_neither_matplotlib_nor_pandas() -> None:
    result = _run_python(
        "import sys\n"
        "from tindex.cli import run\n"
        "code = run(['chart', '--help'])\n"
        "print('matplotlib' in sys.modules, 'pandas' in sys.modules, code)\n")
    assert "--output" in result.stdout and "--index" in result.stdout
    assert result.stdout.strip().endswith("False False 0")
