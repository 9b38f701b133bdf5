"""Trend pictures: sparklines in terminal tables only, and `tindex chart` (SVG/PNG).

Charts are checked by what they hold (the SVG keeps its text as text): series names,
point labels typed in from the CSP release, axis labels, title, source line, and for the
GTI grid the levels, countries and pillars.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from conftest import REPO, Result
from tindex.core import comparison
from tindex.core.model import Model
from tindex.core.result import Table
from tindex.data.dataset import Dataset
from tindex.render import chart

Run = Callable[..., Result]
Drawn = Callable[..., Path]
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


def plain(shown: list[str]) -> list[str]:
    """The texts without note numbers (superscript digits)."""
    return [re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]", "", t) for t in shown]


@pytest.fixture(scope="module")
def _drawn_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[tuple[str, ...], Path]]:
    return tmp_path_factory.mktemp("charts"), {}


@pytest.fixture
def drawn(tindex: Run, _drawn_files: tuple[Path, dict[tuple[str, ...], Path]]) -> Drawn:
    """`tindex chart ARGS -o NAME`, run once per module for each NAME and ARGS (a render is
    the costly part of a chart test; tests that read the same chart share it): the file
    written, after checking the run wrote it and said so, and nothing else."""
    folder, files = _drawn_files

    def draw(name: str, *args: str) -> Path:
        if (name, *args) not in files:
            target = folder / str(len(files)) / name
            target.parent.mkdir()
            result = tindex("chart", *args, "-o", str(target))
            assert result.code == 0, result.err
            assert result.out == "" and result.err == f"tindex: wrote {target}\n"
            files[(name, *args)] = target
        return files[(name, *args)]

    return draw


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


# A big page: room for every label and for the sources in full.
BIG_CSP_CHART = ("scores.svg", "Kazakhstan", "Kyrgyzstan", "--width", "10", "--height", "8")


def test_csp_chart_holds_series_labels_axes_title_and_source(drawn: Drawn) -> None:
    target = drawn(*BIG_CSP_CHART)  # exit 0, nothing on stdout, "tindex: wrote FILE" on stderr
    shown = texts(target)
    assert "Kazakhstan" in shown and "Kyrgyzstan" in shown  # the legend
    for value in KYRGYZSTAN + KAZAKHSTAN:
        assert plain(shown).count(value) == 1, value  # every point labelled once
    assert "Year of data" in shown and "Score" in shown
    assert "CSP Index on Torture: Kazakhstan, Kyrgyzstan" in shown
    # Notes numbered left to right: the pilot year, 2022, Kazakhstan 2023, Kyrgyzstan 2024.
    assert [t for t in shown if re.fullmatch(r"20\d\d\D?", t)] == \
        ["2019¹", "2020", "2021", "2022²", "2023", "2024"]
    assert "122.51³" in shown and "64.49⁴" in shown
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
    assert "Kyrgyzstan" in shown and all(value in plain(shown) for value in KYRGYZSTAN)
    assert "CSP Index on Torture: Kyrgyzstan" in shown


# Two years, no subtitle: read by the years test and the subtitle test.
RECENT = ("recent.svg", "Kyrgyzstan", "--from", "2023", "--subtitle", "")


def test_years_can_be_narrowed(drawn: Drawn) -> None:
    shown = texts(drawn(*RECENT))
    assert "80.36" in shown and "64.49¹" in shown and "34.75" not in plain(shown)


def test_a_chart_is_reproducible(tindex: Run, drawn: Drawn, tmp_path: Path) -> None:
    name, *args = BIG_CSP_CHART
    again = tmp_path / name
    assert tindex("chart", *args, "-o", str(again)).code == 0  # a second render, here
    assert again.read_bytes() == drawn(*BIG_CSP_CHART).read_bytes()


def test_png_is_a_real_png(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "scores.PNG"
    result = tindex("chart", "Kazakhstan", "Kyrgyzstan", "Russia", "-o", str(target))
    assert result.code == 0 and result.out == ""
    data = target.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (975, 600)  # 6.5 x 4 inches at 150 dpi


@pytest.mark.parametrize(("size", "pixels"), [(("8", "5"), (1200, 750)), (("4", "3.5"), (600, 525))])
def test_png_has_the_page_size_asked_for(tindex: Run, tmp_path: Path, size: tuple[str, str],
                                         pixels: tuple[int, int]) -> None:
    target = tmp_path / "sized.png"
    result = tindex("chart", "Kyrgyzstan", "Russia", "--width", size[0], "--height", size[1],
                    "-o", str(target))
    assert result.code == 0, result.err
    assert struct.unpack(">II", target.read_bytes()[16:24]) == pixels



PDF_ARGS = ("Kyrgyzstan", "Kazakhstan")


@pytest.mark.parametrize("args", [PDF_ARGS, ("-i", "gti", "Kyrgyzstan", "Belarus")],
                         ids=" ".join)
def test_pdf_is_a_real_pdf(drawn: Drawn, args: tuple[str, ...]) -> None:
    data = drawn("chart.pdf", *args).read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")

# -- tindex chart: GTI grid --------------------------------------------------------------


OMCT_GRID = ("gti.svg", "--index", "gti", "Kyrgyzstan", "Belarus", "--height", "8")


def test_gti_grid_holds_levels_countries_and_pillars(drawn: Drawn) -> None:
    shown = texts(drawn(*OMCT_GRID))
    assert "Kyrgyzstan" in shown and "Belarus" in shown
    assert "overall" in shown and "1. Political commitment" in shown
    assert "7. Right to defend and civic space" in " ".join(shown)
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


def _never_drawn(*args: object) -> None:
    raise AssertionError("drawn before the output was checked")


@pytest.mark.parametrize(("where", "why"), [
    ("missing/chart.png", "No such file or directory"), ("folder.svg", "Is a directory"),
    ("file/chart.svg", "Not a directory"), ("locked/chart.pdf", "Permission denied")])
def test_unwritable_output_is_one_line_before_drawing(
        tindex: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, why: str) -> None:
    if why == "Permission denied" and os.geteuid() == 0:
        pytest.skip("running as root: a folder's permissions do not stop writing in it")
    (tmp_path / "folder.svg").mkdir()
    (tmp_path / "file").write_text("a file, not a folder\n", encoding="utf-8")
    (tmp_path / "locked").mkdir(mode=0o555)
    before = sorted(tmp_path.rglob("*"))
    monkeypatch.setattr(chart, "score_figure", _never_drawn)
    result = tindex("chart", "Kyrgyzstan", "-o", str(tmp_path / where))
    assert (result.code, result.out) == (2, "")
    assert result.err == f"tindex: error: cannot write {tmp_path / where}: {why}\n"
    assert sorted(tmp_path.rglob("*")) == before  # nothing created


def test_what_only_writing_finds_is_one_line_too(tindex: Run, tmp_path: Path) -> None:
    """A link to itself passes the checks made before drawing; opening it fails."""
    target = tmp_path / "loop.svg"
    target.symlink_to(target)
    result = tindex("chart", "Kyrgyzstan", "-o", str(target))
    assert (result.code, result.out) == (2, "")
    assert result.err == f"tindex: error: cannot write {target}: Too many levels of symbolic links\n"


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
    # Title, legend, and the note on its 2024 point: where, and the caveat's own words.
    assert shown.count(name) == 4
    assert f"3. {name} 2024: The sixth release says {name}'s score" in shown


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.e2e
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


@pytest.mark.e2e
def test_help_loads_neither_matplotlib_nor_pandas() -> None:
    result = _run_python(
        "import sys\n"
        "from tindex.cli import run\n"
        "code = run(['chart', '--help'])\n"
        "print('matplotlib' in sys.modules, 'pandas' in sys.modules, code)\n")
    assert "--output" in result.stdout and "--index" in result.stdout
    assert result.stdout.strip().endswith("False False 0")


# -- issue 11: charts for reports --------------------------------------------------------

SEVEN = ["Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Moldova", "Russia", "Ukraine"]


def _scores(names: list[str]) -> Table:
    return _tables("csp", tuple(names))


def _levels(names: list[str]) -> Table:
    return _tables("gti", tuple(names))


@cache
def _tables(index: str, names: tuple[str, ...]) -> Table:
    """The table a chart of these countries draws, built once: the figure tests draw the same
    tables at several sizes, and a chart only reads its table."""
    model = Model(Dataset(REPO / "data"))
    chosen, countries = model.index(index), [model.country(n) for n in names]
    if chosen.is_score:
        return comparison.score_series(model, chosen, countries)
    return comparison.component_levels(model, chosen, countries)


def _renderer(fig: Figure) -> Any:
    """The Agg renderer the figure was drawn with (get_renderer is untyped in matplotlib)."""
    assert isinstance(fig.canvas, FigureCanvasAgg)
    return fig.canvas.get_renderer()  # type: ignore[no-untyped-call]


def _boxes(fig: Figure, artists: list[Any]) -> list[tuple[float, float, float, float]]:
    renderer = _renderer(fig)
    return [tuple(a.get_window_extent(renderer).extents) for a in artists]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_title_subtitle_and_notes_are_text_in_the_svg(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "own.svg"
    result = tindex("chart", "Kyrgyzstan", "Armenia", "--title", "Figure 3: two countries",
                    "--subtitle", "Scores as published", "-o", str(target))
    assert result.code == 0, result.err
    shown = texts(target)
    assert "Figure 3: two countries" in shown and "Scores as published" in shown
    assert not any(t.startswith("CSP Index on Torture") for t in shown)
    assert "1. 2019: The 2019 figures come from the pilot. [csp-2019-pilot]" in shown
    kgz = [t for t in shown if t.startswith("3. Kyrgyzstan 2024: The sixth release says")]
    assert len(kgz) == 1 and kgz[0].endswith(" [kgz-2024-stated-change]")
    assert "Caveats about the whole index: csp-scale, csp-table-split, csp-coverage " \
        "(tindex caveats ID)." in shown


def test_an_empty_subtitle_leaves_it_out(drawn: Drawn) -> None:
    shown = texts(drawn(*RECENT))
    assert "CSP Index on Torture: Kyrgyzstan" in shown  # the title stays
    assert not any(t.startswith("Published score") for t in shown)


def test_pdf_is_deterministic_and_undated(tindex: Run, drawn: Drawn, tmp_path: Path) -> None:
    again = tmp_path / "chart.pdf"
    assert tindex("chart", *PDF_ARGS, "-o", str(again)).code == 0  # a second render, here
    data = drawn("chart.pdf", *PDF_ARGS).read_bytes()
    assert data.startswith(b"%PDF-") and data == again.read_bytes()
    assert b"CreationDate" not in data


def test_caveat_ring_on_kyrgyzstan_2024_only() -> None:
    fig = chart.score_figure(_scores(["Kyrgyzstan", "Armenia"]), chart.ChartOptions())
    ax = fig.axes[0]
    rings = [np.asarray(line.get_xydata()).tolist() for line in ax.get_lines()
             if line.get_markerfacecolor() == "none"]
    assert rings == [[[2024.0, 64.49]]]  # the kgz-2024-stated-change caveat
    fig = chart.score_figure(_scores(["Armenia"]), chart.ChartOptions())
    assert not [line for line in fig.axes[0].get_lines() if line.get_markerfacecolor() == "none"]
    # The pilot year is shaded for both: its caveat is about the whole year.
    shaded = [(p.get_x(), p.get_width()) for p in fig.axes[0].patches
              if isinstance(p, Rectangle) and to_rgba(p.get_facecolor())[0] < 1]
    assert shaded == [(2018.5, 1.0), (2021.5, 1.0)]


def test_seven_countries_get_thinned_labels_that_never_overlap() -> None:
    fig = chart.score_figure(_scores(SEVEN), chart.ChartOptions())
    fig.draw_without_rendering()  # every artist placed as in a draw; no pixels
    ax = fig.axes[0]
    labels = [t for t in ax.texts if re.fullmatch(r"-?\d+\.\d\d[⁰¹²³⁴⁵⁶⁷⁸⁹]*", t.get_text())]
    assert len(labels) == len(ax.texts)  # every value label: two decimals
    assert 14 <= len(labels) < 42  # thinned: fewer than every point, at least two a series
    boxes = _boxes(fig, labels)
    plot = ax.get_window_extent().extents
    for n, box in enumerate(boxes):
        assert plot[0] <= box[0] and box[2] <= plot[2] and plot[1] <= box[1] and box[3] <= plot[3]
        assert not any(_overlap(box, other) for other in boxes[n + 1:]), labels[n].get_text()
    shown = {t.get_text() for t in labels}
    # Marked points always keep their label: Kyrgyzstan 2024 and Ukraine's 2023 wording.
    assert "64.49⁶" in shown and "92.02⁵" in shown
    for last in ("127.46", "-95.02", "134.65", "19.89", "80.77"):  # 2024, unmarked series
        assert last in shown


@pytest.mark.parametrize(("kind", "size"), [
    ("lines", (6.5, 4.0)), ("lines", (4.0, 3.5)), ("lines", (10.0, 6.0)),
    ("grid", (6.5, 4.0)), ("grid", (4.5, 4.2)), ("grid", (10.0, 6.0))])
def test_page_parts_never_overlap(size: tuple[float, float], kind: str) -> None:
    options = chart.ChartOptions(width=size[0], height=size[1])
    if kind == "lines":
        fig = chart.score_figure(_scores(["Kazakhstan", "Kyrgyzstan", "Russia"]), options)
    else:
        fig = chart.level_figure(_levels(["Kyrgyzstan", "Belarus", "India"]), options)
    fig.draw_without_rendering()  # every artist placed as in a draw; no pixels
    renderer = _renderer(fig)
    tight = fig.axes[0].get_tightbbox(renderer)
    assert tight is not None
    parts = [*_boxes(fig, list(fig.texts)), tuple(tight.extents),
             *_boxes(fig, list(fig.legends))]
    width, height = size[0] * chart.DPI, size[1] * chart.DPI
    for n, box in enumerate(parts):
        assert box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height, n
        assert not any(_overlap(box, other) for other in parts[n + 1:]), n


def test_gti_grid_marks_levels_reported_by_the_press(tindex: Run, drawn: Drawn, tmp_path: Path
                                                    ) -> None:
    target = tmp_path / "gti.svg"
    result = tindex("chart", "-i", "gti", "Kyrgyzstan", "India", "-o", str(target))
    assert result.code == 0, result.err
    shown = texts(target)
    # India's eight levels come from Clarion India and The Leaflet (data/index_levels.csv).
    assert [t for t in shown if t.endswith(" †")] == \
        ["High †", "Considerable †", "High †", "High †", "High †", "High †", "High †", "High †"]
    assert "† reported by Clarion India, The Leaflet; not published by World Organisation " \
        "Against Torture (OMCT) itself." in shown
    # Every level of Kyrgyzstan and Belarus is from OMCT's factsheets: no mark, no note.
    assert "†" not in " ".join(texts(drawn(*OMCT_GRID)))


def test_cell_sources_come_with_the_levels() -> None:
    table = _levels(["Kyrgyzstan", "India"])
    assert table.publisher == "World Organisation Against Torture (OMCT)"
    assert table.column_codes == {"Kyrgyzstan": "KGZ", "India": "IND"}
    assert table.cell_sources[(0, "India")] == ("clarionindia-2025",)
    assert table.cell_sources[(2, "India")] == ("theleaflet-2025",)
    assert {table.cell_sources[(row, "Kyrgyzstan")] for row in range(8)} == {("omct-gti-kgz-2025",)}


@pytest.mark.parametrize(("args", "message"), [
    (["--width", "1"], "--width 1: give a size from 2 to 40 inches"),
    (["--height", "nan"], "--height nan: give a size from 2 to 40 inches"),
    (["--height", "2"], "leaves too little room for the plot under its text: give --height"),
    (["--width", "2.5"], "too narrow for this plot: give --width"),
])
def test_sizes_that_cannot_hold_the_chart(tindex: Run, tmp_path: Path, args: list[str],
                                          message: str) -> None:
    target = tmp_path / "chart.svg"
    result = tindex("chart", *SEVEN, *args, "-o", str(target))
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("tindex: error: ") and result.err.count("\n") == 1
    assert message in result.err
    assert not target.exists()


def test_docs_show_the_example_charts() -> None:
    page = (REPO / "docs" / "examples.md").read_text(encoding="utf-8")
    for image in ("chart-central-asia.png", "chart-gti.png"):
        assert f"]({image})" in page
        assert (REPO / "docs" / image).read_bytes().startswith(PNG_MAGIC)


def _greedy_wrap(text: str, inches: float, size: float, bold: bool) -> list[str]:
    """The plain greedy wrap, a word at a time: the oracle for chart.wrap's bisection."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if line and chart.text_width(trial, size, bold) <= inches:
            line = trial
            continue
        if line:
            lines.append(line)
        line = word
        while len(line) > 1 and chart.text_width(line, size, bold) > inches:
            cut = next(n for n in range(len(line) - 1, 0, -1)
                       if chart.text_width(line[:n], size, bold) <= inches or n == 1)
            lines.append(line[:cut])
            line = line[cut:]
    return [*lines, line] if line else []


@given(words=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzWMil.,;()0123456789–—",
                              min_size=1, max_size=30), max_size=40),
       inches=st.floats(min_value=0.05, max_value=6.5), size=st.sampled_from([6.5, 8.0, 12.0]),
       bold=st.booleans())
@example(words=["WMWMWMWMWMWM", "ab"], inches=0.05, size=12.0, bold=False)  # cut to one letter
@example(words=["abcdefghijklmnopqrstuvwxyz", "x"], inches=0.3, size=8.0, bold=True)
def test_wrap_breaks_where_a_word_at_a_time_would(words: list[str], inches: float, size: float,
                                                   bold: bool) -> None:
    text = " ".join(words)
    lines = chart.wrap(text, inches, size, bold)
    assert lines == _greedy_wrap(text, inches, size, bold)
    assert all(chart.text_width(line, size, bold) <= inches or len(line) == 1 for line in lines)
    assert " ".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost or added


def test_longest_fit_finds_the_last_fit_from_any_guess() -> None:
    """Every count, answer and guess up to 12 (including guesses out of range): the search
    returns the largest n that fits, asking only about n in 1..count."""
    for count in range(13):
        for answer in range(count + 1):
            for guess in range(-1, count + 3):
                asked: list[int] = []

                def fits(n: int, answer: int = answer, asked: list[int] = asked) -> bool:
                    asked.append(n)
                    return n <= answer

                assert chart.longest_fit(count, fits, guess) == answer, (count, answer, guess)
                assert all(1 <= n <= count for n in asked)
                if guess in (answer, answer + 1) and 0 < answer < count:
                    assert len(asked) == 2  # a good guess costs two measurements


@given(words=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzWMil.,;()0123456789–—",
                              min_size=1, max_size=12), max_size=14),
       inches=st.floats(min_value=2.0, max_value=6.5))
def test_one_line_drops_the_words_a_word_at_a_time_would(words: list[str], inches: float) -> None:
    head, tail = "3. Kyrgyzstan 2024: ", "[kgz-2024-stated-change]"
    kept, line = list(words), f"{head}{' '.join(words)} {tail}"
    while kept and chart.text_width(line, chart.NOTE_SIZE) > inches:  # the oracle: one by one
        kept.pop()
        line = f"{head}{' '.join(kept)}… {tail}"
    assert chart.one_line(head, " ".join(words), tail, inches) == line
