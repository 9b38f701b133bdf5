"""Every export keeps its provenance: each data command in each format carries source_id and
caveat_ids, and every caveat id resolves through `tindex caveats`."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from markdown_it import MarkdownIt

from conftest import DATA, Result, Terminal

Run = Callable[..., Result]

COMMANDS = [
    ["rank", "2024"],
    ["rank", "--index", "gti"],
    ["delta", "Kyrgyzstan"],
    ["delta", "--year", "2024"],
    ["delta", "--from", "2019", "--to", "2024"],
    ["compare", "Armenia", "Moldova"],
    ["compare", "--index", "gti", "Kyrgyzstan", "Belarus"],
    ["compare", "Kazakhstan", "Kyrgyzstan", "--transpose"],
    ["countries"],
    ["revisions"],
]
TEXT_FORMATS = ["csv", "tsv", "json", "markdown", "html", "latex", "github", "grid", "rst"]


def _columns(fmt: str, text: str) -> list[str]:
    if fmt == "csv":
        return next(csv.reader(io.StringIO(text)))
    if fmt == "tsv":
        return next(csv.reader(io.StringIO(text), delimiter="\t"))
    if fmt == "json":
        records = json.loads(text)
        return list(records[0])
    return []


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_format_keeps_source_and_caveat_ids(tindex: Run, args: list[str], fmt: str) -> None:
    result = tindex(*args, "--format", fmt)
    assert result.code == 0 and result.err == "", result.err
    if fmt in ("csv", "tsv", "json"):
        assert {"source_id", "caveat_ids"} <= set(_columns(fmt, result.out))
    else:  # the header row of the table, in whatever markup the format uses
        header = next(line for line in result.out.splitlines() if "source" in line)
        assert "source" in header and "caveat" in header.replace("\\_", "_")


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_caveat_id_in_an_export_resolves(tindex: Run, args: list[str]) -> None:
    result = tindex(*args, "--format", "json")
    assert result.code == 0, result.err
    ids = {i for record in json.loads(result.out) for i in record["caveat_ids"]}
    assert all(isinstance(record["caveat_ids"], list) for record in json.loads(result.out))
    if not ids:
        return
    found = tindex("caveats", *sorted(ids), "--format", "json")
    assert found.code == 0, found.err
    assert {c["caveat_id"] for c in json.loads(found.out)} == ids


def test_a_country_row_cites_the_source_of_everything_it_counts(tindex: Run) -> None:
    """`countries` counts each country's scores, ratings and facts: its source_id names the
    source of each of them (read here from the data files with the csv module), and only
    countries with one of them have a row."""
    expected: dict[str, set[str]] = {}
    for name in ("index_scores.csv", "index_levels.csv", "facts.csv"):
        with (DATA / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                expected.setdefault(row["iso3"], set()).add(row["source_id"])
    result = tindex("countries", "--format", "csv")
    assert result.code == 0 and result.err == "", result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert {row["iso3"]: set(row["source_id"].split(";")) for row in rows} == expected


def test_a_rank_of_two_says_it_is_a_rank_of_two(tindex: Run, terminal: Terminal) -> None:
    """tindex holds two transparency ratings: each row of their ranking carries the caveat
    that says so, and the terminal notes point to it."""
    result = tindex("rank", "--index", "gti_transparency", "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [(r["iso3"], r["rank"], r["of"], r["caveat_ids"]) for r in rows] == [
        ("KGZ", "1", "2", "gti-transparency-coverage"), ("BLR", "2", "2", "gti-transparency-coverage")]
    code, screen = terminal("rank", "--index", "gti_transparency", env={"NO_COLOR": "1"})
    assert code == 0
    assert "\n1 caveat about the whole index or year: tindex caveats gti-transparency-coverage\n" \
        in screen


def test_the_disputed_figure_travels_with_its_caveat(tindex: Run) -> None:
    """The journalist's case: Kyrgyzstan 2024 in a pipe says the release text differs."""
    result = tindex("delta", "kg", "--format", "csv")
    assert result.code == 0, result.err
    last = pd.read_csv(io.StringIO(result.out)).iloc[-1]
    assert (last["year"], last["score"], last["change"]) == (2024, 64.49, -15.87)
    assert "kgz-2024-stated-change" in str(last["caveat_ids"]).split(";")
    text = json.loads(tindex("caveats", "kgz-2024-stated-change", "-f", "json").out)[0]["text"]
    assert "11.29" in text and "15.87" in text


@pytest.mark.parametrize(("args", "iso3", "change", "caveat"), [
    # +12.14 is measured from the sixth release's revised 2023 value (the fifth had 132.51).
    (["rank", "2024"], "KAZ", 12.14, "kaz-2023-revision"),
    (["delta", "--year", "2024"], "KAZ", 12.14, "kaz-2023-revision"),
    (["delta", "Kazakhstan"], "KAZ", 12.14, "kaz-2023-revision"),
    # Every change from 2019 starts from the pilot, which the method revision makes unlike.
    (["delta", "--from", "2019", "--to", "2024"], "KAZ", 137.69, "csp-2019-pilot"),
    (["delta", "--from", "2019", "--to", "2024"], "BLR", -0.82, "csp-2019-pilot"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_a_change_carries_the_caveats_of_the_year_it_starts_from(
        tindex: Run, args: list[str], iso3: str, change: float, caveat: str) -> None:
    """A change is as sound as both of its ends: a caveat about the earlier year's value
    goes with every change measured from it, whatever the year the row shows."""
    result = tindex(*args, "--format", "csv")
    assert result.code == 0, result.err
    rows = pd.read_csv(io.StringIO(result.out))
    row = rows[(rows["iso3"] == iso3) & (rows["change"] == change)]
    assert len(row) == 1, result.out
    assert caveat in str(row["caveat_ids"].iloc[0]).split(";"), result.out


@pytest.mark.parametrize(("args", "carried"), [
    (["delta", "--year", "2024"], True),
    (["delta", "Kyrgyzstan"], True),
    (["delta", "--from", "2023", "--to", "2024"], True),  # the same one-year change
    (["delta", "--from", "2019", "--to", "2024"], False),
    (["delta", "--from", "2022", "--to", "2024"], False),
    (["compare", "Kyrgyzstan", "Kazakhstan"], True),  # the series shows the fall into 2024
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_a_caveat_about_the_stated_change_stays_on_that_change(
        tindex: Run, args: list[str], carried: bool) -> None:
    """kgz-2024-stated-change is about how the sixth release described the fall from 2023
    to 2024, which a series of years shows too; a change over a longer span is another
    figure, which it says nothing about."""
    result = tindex(*args, "--format", "csv")
    assert result.code == 0, result.err
    rows = pd.read_csv(io.StringIO(result.out))
    year = rows["to"] if "to" in rows else rows["year"]
    row = rows[(rows["iso3"] == "KGZ") & (year == 2024) if "iso3" in rows else year == 2024]
    assert len(row) == 1, result.out
    ids = str(row["caveat_ids"].iloc[0]).split(";")
    assert ("kgz-2024-stated-change" in ids) is carried, result.out
    assert "csp-scale" in ids  # the index-wide caveats go with every row either way


@pytest.mark.parametrize(("args", "dropped"), [
    (["rank", "--index", "gti", "--reverse", "--top", "3"], {"mex-gti-2025-level"}),
    (["rank", "2024", "--top", "2"], {"kgz-2024-stated-change"}),
    (["delta", "--year", "2024", "--top", "1", "--reverse"], {"kaz-2023-revision"}),
    (["delta", "--from", "2023", "--to", "2024", "--top", "2"], {"kgz-2024-stated-change"}),
    (["rank", "--index", "gti", "--top", "30"], set()),
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_a_top_cut_keeps_only_the_caveats_of_the_rows_shown(
        tindex: Run, args: list[str], dropped: set[str]) -> None:
    """The numbered caveat notes under a --top table are exactly those its rows carry: the
    full table's caveats about countries the cut left out do not follow it."""
    listed = tindex("caveats", "--format", "csv")
    assert listed.code == 0, listed.err
    caveat_ids = set(pd.read_csv(io.StringIO(listed.out))["caveat_id"])
    cut = tindex(*args, "--format", "json")
    assert cut.code == 0, cut.err
    carried = {i for row in json.loads(cut.out) for i in row["caveat_ids"]}
    position = args.index("--top")
    full = tindex(*args[:position], *args[position + 2:], "--format", "markdown")
    shown = tindex(*args, "--format", "markdown")
    assert full.code == shown.code == 0, full.err + shown.err

    def noted(markdown: str) -> set[str]:  # the numbered notes, before the list of sources
        notes = markdown.split("\nSources:\n")[0]
        return set(re.findall(r"^\d+\. ([a-z0-9-]+): ", notes, flags=re.M)) & caveat_ids

    assert noted(shown.out) == carried, shown.out
    assert noted(full.out) - noted(shown.out) == dropped


@pytest.mark.parametrize(("args", "noted"), [
    (["delta", "Kazakhstan"], True), (["delta", "Belarus"], True),
    (["delta", "--from", "2020", "--to", "2024"], True), (["delta", "--year", "2021"], True),
    (["delta", "--from", "2019", "--to", "2020"], True), (["rank", "2020"], True),
    # The same seven countries in every year shown: no note.
    (["delta", "Armenia", "--from", "2022"], False), (["delta", "--from", "2021", "--to", "2024"], False),
    (["rank", "2024"], False),
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_a_rank_change_unlike_the_ranks_shown_is_explained(
        tindex: Run, args: list[str], noted: bool) -> None:
    """rank_change counts only the countries measured in both years (Poland enters in 2020
    and leaves in 2021): the table says so where that leaves a country out, which it must
    wherever rank_change differs from the difference of the ranks shown beside it."""
    result = tindex(*args, "--format", "csv")
    assert result.code == 0, result.err
    rows = pd.read_csv(io.StringIO(result.out))
    if "rank_from" in rows:
        shown = rows["rank_from"] - rows["rank_to"]
    elif "year" in rows and rows["year"].nunique() == 1:  # one year: its previous year's ranks
        before = tindex("rank", str(int(rows["year"].iloc[0]) - 1), "--format", "csv")
        assert before.code == 0, before.err
        earlier = pd.read_csv(io.StringIO(before.out)).set_index("iso3")["rank"]
        shown = rows["iso3"].map(earlier) - rows["rank"]
    else:
        shown = rows["rank"].shift() - rows["rank"]
    known = rows["rank_change"].notna() & shown.notna()
    differs = bool((rows.loc[known, "rank_change"] != shown[known]).any())
    notes = tindex(*args, "--format", "markdown")
    assert notes.code == 0, notes.err
    assert ("Rank changes compare" in notes.out) is noted, notes.out
    assert noted or not differs


@pytest.mark.parametrize(("country", "key", "value", "sources", "caveat"), [
    ("Kyrgyzstan", "csp_change", "-15.87", "csp-2025", "kgz-2024-stated-change"),
    ("Kazakhstan", "csp_change", "12.14", "csp-2025", "kaz-2023-revision"),
    ("Kazakhstan", "csp_score", "134.65", "csp-2025", "csp-scale"),
    ("Kyrgyzstan", "csp_trend", None, "csp-2025", "csp-2019-pilot"),
    ("Kyrgyzstan", "gti_level", None, "omct-gti-kgz-2025", "gti-levels-only"),
])
def test_a_profiles_headline_figures_carry_their_sources_and_caveats(
        tindex: Run, country: str, key: str, value: str | None, sources: str, caveat: str) -> None:
    """The summary of `explain` in long form: a journalist who keeps only the headline row
    of a figure keeps the rows beside it that say where it comes from."""
    result = tindex("explain", country, "--format", "csv")
    assert result.code == 0, result.err
    rows = [row for row in csv.reader(io.StringIO(result.out)) if row[:2] == ["summary", key]]
    fields = {row[2]: row[3] for row in rows}
    assert list(fields) == ["value", "source_ids", "caveat_ids"], rows
    if value is not None:
        assert fields["value"] == value
    assert fields["source_ids"] == sources
    assert caveat in fields["caveat_ids"].split(";")


def test_csv_whole_numbers_and_bom(tindex: Run) -> None:
    result = tindex("rank", "2024", "--bom")
    assert result.code == 0, result.err
    assert result.out.startswith("\ufeffrank,of,country,iso3,year,")
    rows = list(csv.reader(io.StringIO(result.out.lstrip("\ufeff"))))
    assert [r[4] for r in rows[1:]] == ["2024"] * 7  # never 2024.0
    assert [r[1] for r in rows[1:]] == ["7"] * 7


def test_markdown_notes_cite_keys_plainly(tindex: Run) -> None:
    result = tindex("delta", "Kyrgyzstan", "--format", "markdown")
    assert result.code == 0, result.err
    assert "\\[csp-" not in result.out and "tindex caveats" not in result.out
    assert "drivers.csv" not in result.out
    html = MarkdownIt("commonmark").enable("table").render(result.out)
    assert "kgz-2024-stated-change: The sixth release says" in html
    assert "[csp-2025; csp-2025-birduino]" in html


def test_xlsx_has_numbers_notes_and_sources(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "kg.xlsx"
    result = tindex("delta", "Kyrgyzstan", "-o", str(target))
    assert result.code == 0 and result.out == "" and result.err == f"tindex: wrote {target}\n"
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["data", "notes", "sources"]
    data = book["data"]
    header = [c.value for c in data[1]]
    assert header[:4] == ["country", "iso3", "year", "score"] and "caveat_ids" in header
    last = [c.value for c in data[data.max_row]]
    assert last[2] == 2024 and isinstance(last[2], int)
    assert last[3] == 64.49 and isinstance(last[3], float)
    assert data.freeze_panes == "A2" and data["A1"].font.b
    notes = {row[0]: row for row in book["notes"].iter_rows(min_row=2, values_only=True)}
    assert notes["kgz-2024-stated-change"][2] == "csp-2025;csp-2025-birduino"
    sources = {row[0] for row in book["sources"].iter_rows(min_row=2, values_only=True)}
    assert {"csp-2025", "csp-2024"} <= sources
    # The workbook names the data it came from: each index's newest release date, read here
    # from releases.csv and sources.csv.
    with (DATA / "sources.csv").open(encoding="utf-8") as handle:
        dates = {row["source_id"]: row["date"] for row in csv.DictReader(handle)}
    newest: dict[str, str] = {}
    with (DATA / "releases.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            newest[row["index"]] = max(newest.get(row["index"], ""), dates[row["source_id"]])
    label = "tindex data: " + ", ".join(f"{index} {date}" for index, date in newest.items())
    assert ("(data)", label) in {row[:2] for row in book["sources"].iter_rows(values_only=True)}


@pytest.mark.parametrize("args", [*COMMANDS, ["explain", "Kyrgyzstan"], ["explain", "csp"],
                                  ["explain", "gti"]], ids=" ".join)
def test_a_workbook_explains_every_id_it_cites(tindex: Run, tmp_path: Path, args: list[str]) -> None:
    """A workbook is what gets passed on: each caveat id in its data has its text in the
    notes sheet, and each source id in its data or notes has its entry in the sources sheet."""
    target = tmp_path / "out.xlsx"
    result = tindex(*args, "-o", str(target))
    assert result.code == 0, result.err
    book = openpyxl.load_workbook(target)
    data = list(book["data"].iter_rows(values_only=True))
    header, rows = list(data[0]), data[1:]

    def ids(values: list[object]) -> set[str]:
        return {part for value in values if isinstance(value, str) for part in value.split(";") if part}

    if "section" in header:  # a profile in long form: the ids are in its value column
        caveat_ids = ids([r[3] for r in rows if r[2] == "caveat_ids"]) | {
            str(r[1]) for r in rows if r[0] in ("caveats", "general_caveats")}
        source_ids = ids([r[3] for r in rows if r[2] in ("source_id", "source_ids")])
    else:
        caveat_ids = ids([r[header.index("caveat_ids")] for r in rows])
        source_ids = ids([r[header.index("source_id")] for r in rows])
    notes = {row[0]: row for row in book["notes"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert caveat_ids and caveat_ids <= set(notes), caveat_ids - set(notes)
    assert all(notes[i][1] for i in caveat_ids)
    source_ids |= ids([row[2] for row in notes.values()])
    sources = {row[0] for row in book["sources"].iter_rows(min_row=2, values_only=True)}
    assert source_ids and source_ids <= sources, source_ids - sources


def test_a_profile_workbook_holds_published_figures_as_numbers(tindex: Run, tmp_path: Path) -> None:
    """facts.csv holds each figure as text ('7728', 'Ratified'): in a workbook a number is a
    number (Excel sums it), other text stays text, and CSV prints every figure as published."""
    with (DATA / "facts.csv").open(encoding="utf-8") as handle:
        published = {row["label"]: row["value"] for row in csv.DictReader(handle)
                     if row["iso3"] == "KGZ"}
    target = tmp_path / "kg.xlsx"
    assert tindex("explain", "Kyrgyzstan", "-o", str(target)).code == 0
    held = {row[1]: row[3] for row in openpyxl.load_workbook(target)["data"].iter_rows(
        values_only=True) if row[0] == "facts" and row[2] == "value"}
    assert held.keys() == published.keys()
    for label, text in published.items():
        try:
            expected: object = int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            expected = text
        assert held[label] == expected and type(held[label]) is type(expected), (label, text)
    assert held["People deprived of liberty"] == 7728 and held["Population"] == 7.3
    result = tindex("explain", "Kyrgyzstan", "-f", "csv")
    assert result.code == 0, result.err
    shown = {row["item"]: row["value"] for row in csv.DictReader(io.StringIO(result.out))
             if row["section"] == "facts" and row["field"] == "value"}
    assert shown == published


def test_xlsx_stores_formula_like_text_as_text(tindex: Run, data_copy: Path, tmp_path: Path) -> None:
    countries = data_copy / "countries.csv"
    countries.write_text(countries.read_text(encoding="utf-8").replace(
        "KGZ,Kyrgyzstan,name,", 'KGZ,"=HYPERLINK(""http://x"",""y"")",name,'), encoding="utf-8")
    target = tmp_path / "x.xlsx"
    result = tindex("delta", "KGZ", "--data-dir", str(data_copy), "-o", str(target))
    assert result.code == 0, result.err
    cell = openpyxl.load_workbook(target)["data"]["A2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("name", ["out.csv", "out.tsv", "out.json", "out.md"])
def test_output_file_matches_the_format_of_its_suffix(tindex: Run, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    written = tindex("rank", "2024", "-o", str(target))
    assert written.code == 0 and written.out == ""
    fmt = {"md": "markdown"}.get(name.split(".")[1], name.split(".")[1])
    piped = tindex("rank", "2024", "--format", fmt)
    assert piped.code == 0 and target.read_text(encoding="utf-8") == piped.out


@pytest.mark.parametrize(("name", "fmt", "said"), [
    ("out.xlsx", "csv", " in csv (--format wins over the .xlsx suffix)"),
    ("out.md", "github", " in github (--format wins over the .md suffix)"),
    ("out.CSV", "tsv", " in tsv (--format wins over the .csv suffix)"),
    ("out.csv", "csv", ""), ("out.txt", "csv", "")])
def test_a_format_that_overrides_the_suffix_is_said(tindex: Run, tmp_path: Path, name: str,
                                                    fmt: str, said: str) -> None:
    """--format wins over the file's suffix; the line on stderr says so when they differ."""
    target = tmp_path / name
    written = tindex("rank", "2024", "-f", fmt, "-o", str(target))
    assert (written.code, written.out) == (0, "")
    assert written.err == f"tindex: wrote {target}{said}\n"
    assert target.read_text(encoding="utf-8") == tindex("rank", "2024", "-f", fmt).out


@pytest.mark.parametrize("name", ["out.csv", "out.xlsx"])
@pytest.mark.parametrize(("umask", "existing", "mode"), [(0o022, None, 0o644), (0o077, None, 0o600),
                                                       (0o002, None, 0o664), (0o022, 0o640, 0o640)])
def test_a_written_file_gets_the_permissions_a_plain_write_gives(
        tindex: Run, tmp_path: Path, name: str, umask: int, existing: int | None, mode: int) -> None:
    """Others can read what tindex writes where the umask lets them; a replaced file keeps
    its own permissions (the temporary file tindex renames into place starts owner-only)."""
    target = tmp_path / name
    if existing is not None:
        target.write_bytes(b"old")
        target.chmod(existing)
    previous = os.umask(umask)
    try:
        written = tindex("rank", "2024", "-o", str(target))
        assert os.umask(umask) == umask  # tindex left the umask as it found it
    finally:
        os.umask(previous)
    assert written.code == 0, written.err
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_bytes() != b"old"


def test_a_link_is_followed_and_kept(tindex: Run, tmp_path: Path) -> None:
    """As with `> link.csv`: the file the link points to gets the output, the link stays;
    a dangling link's target is created."""
    (tmp_path / "real.csv").write_text("old\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to("real.csv")
    (tmp_path / "dangling.csv").symlink_to("nowhere.csv")
    piped = tindex("rank", "2024", "--format", "csv")
    assert piped.code == 0, piped.err
    for name, real in (("link.csv", "real.csv"), ("dangling.csv", "nowhere.csv")):
        written = tindex("rank", "2024", "-o", str(tmp_path / name))
        assert written.code == 0, written.err
        assert (tmp_path / name).is_symlink()
        assert (tmp_path / real).read_text(encoding="utf-8") == piped.out


def test_a_fifo_or_a_device_is_written_not_replaced(tindex: Run, tmp_path: Path) -> None:
    """A FIFO's reader gets the output, and /dev/null stays the device: there is nothing to
    replace, so tindex writes to them directly."""
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    written = tindex("rank", "2024", "-o", str(fifo))
    reader.join(timeout=30)
    assert written.code == 0, written.err
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received == [tindex("rank", "2024", "--format", "csv").out.encode("utf-8")]
    discarded = tindex("rank", "2024", "--format", "csv", "-o", os.devnull)
    assert (discarded.code, discarded.out) == (0, ""), discarded.err
    assert stat.S_ISCHR(Path(os.devnull).stat().st_mode)


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: a file's mode does not stop writing")
def test_a_read_only_file_is_refused_as_the_shell_would(tindex: Run, tmp_path: Path) -> None:
    target = tmp_path / "kept.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o444)
    refused = tindex("rank", "2024", "-o", str(target))
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == f"tindex: error: cannot write {target}: Permission denied\n"
    assert target.read_text(encoding="utf-8") == "old\n"


def test_a_folder_is_refused_before_any_work(tindex: Run, tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    refused = tindex("rank", "2024", "-o", str(tmp_path / "out.csv"))
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == f"tindex: error: cannot write {tmp_path}/out.csv: Is a directory\n"
    (tmp_path / "results").mkdir()  # a folder without a suffix: a folder, not an unknown format
    refused = tindex("rank", "2024", "-o", str(tmp_path / "results"))
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == f"tindex: error: cannot write {tmp_path}/results: Is a directory\n"


@pytest.mark.parametrize(("name", "hint"), [("out.xls", " (did you mean .xlsx?)"),
                                            ("out.jsn", " (did you mean .json?)"), ("out.txt", "")])
def test_a_near_suffix_is_offered_the_right_one(tindex: Run, tmp_path: Path, name: str,
                                                hint: str) -> None:
    refused = tindex("rank", "2024", "-o", str(tmp_path / name))
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == (f"tindex: error: --output: cannot tell the format of "
                           f"'{tmp_path / name}' from its suffix{hint}; use .csv, .tsv, .json, .md, "
                           ".xlsx (or give --format)\n")
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(("typed", "message"), [
    ("kgz-2024-stated-chang", "unknown caveat id, country or index 'kgz-2024-stated-chang' "
                              "(did you mean kgz-2024-stated-change?)"),
    ("Rusia", "unknown caveat id, country or index 'Rusia' (did you mean Russia?)"),
    ("gtii", "unknown caveat id, country or index 'gtii' (did you mean gti or gti-pilot?)"),
    ("xyzzy", "unknown caveat id, country or index 'xyzzy'"),
])
def test_a_mistyped_caveat_id_is_offered_the_right_one(tindex: Run, typed: str, message: str) -> None:
    result = tindex("caveats", typed)
    assert (result.code, result.out, result.err) == (2, "", f"tindex: error: {message}\n")


@pytest.mark.parametrize(("args", "column", "command", "field"), [
    (["rank", "2024"], "caveat_ids", "caveats", "caveat_id"),
    (["countries"], "source_id", "sources", "source_id")], ids=["caveat_ids", "source_id"])
def test_a_cell_pasted_from_an_export_resolves_each_id_in_it(
        tindex: Run, args: list[str], column: str, command: str, field: str) -> None:
    """Kazakhstan's cells in an export name several ids joined by ';': given whole to
    `tindex caveats` or `tindex sources`, each id in them is listed."""
    exported = tindex(*args, "-f", "csv")
    assert exported.code == 0, exported.err
    cell = next(row[column] for row in csv.DictReader(io.StringIO(exported.out))
                if row["iso3"] == "KAZ")
    assert cell.count(";") >= 2, cell
    looked_up = tindex(command, cell, "-f", "json")
    assert looked_up.code == 0, looked_up.err
    assert sorted(record[field] for record in json.loads(looked_up.out)) == sorted(cell.split(";"))


@pytest.mark.parametrize(("typed", "message"), [
    ("csp-202", "no source 'csp-202' (did you mean csp-2025, csp-2024 or csp-2023?)"),
    ("omct-gti-kgz", "no source 'omct-gti-kgz' (did you mean omct-gti-kgz-2025, omct-gti-2025 or "
                     "omct-gti-methodology?)"),
    ("xyzzy", "no source 'xyzzy' among the 30 in the data"),
])
def test_a_mistyped_source_id_is_offered_the_right_one(tindex: Run, typed: str, message: str) -> None:
    result = tindex("sources", typed)
    assert (result.code, result.out, result.err) == (2, "", f"tindex: error: {message}\n")


def test_a_caveat_named_only_by_a_recommendation_travels_with_the_profile(
        tindex: Run, terminal: Terminal, data_copy: Path) -> None:
    """A recommendation that names a caveat nothing else in the profile names: the export
    holds its text, and the terminal marks the line even inside a run of one source."""
    path = data_copy / "recommendations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = next(n for n, line in enumerate(lines) if line.startswith("ca-2025-1,"))
    assert lines[row].endswith(",ngo-central-asia-2025,")
    lines[row] += "tjk-coverage"  # about Tajikistan: in no other part of Kyrgyzstan's profile
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = tindex("--data-dir", str(data_copy), "explain", "Kyrgyzstan", "-f", "json")
    assert result.code == 0, result.err
    profile = json.loads(result.out)
    marked = [line for line in profile["sections"]["recommendations"]["lines"]
              if line["caveat_ids"] == ["tjk-coverage"]]
    assert len(marked) == 1 and marked[0]["text"].startswith("Enforce zero tolerance")
    assert "tjk-coverage" in {c["caveat_id"] for c in profile["caveats"]}
    code, screen = terminal("--data-dir", str(data_copy), "explain", "Kyrgyzstan",
                            env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert code == 0
    line = next(text for text in screen.splitlines() if "Enforce zero tolerance" in text)
    assert line.endswith("(caveat: tjk-coverage)"), line


def test_a_change_cites_the_source_of_the_value_it_starts_from(tindex: Run, data_copy: Path) -> None:
    """Kyrgyzstan's 2023 value re-sourced to the fifth release: every change from 2023 cites
    both the sixth release (2024) and the fifth (2023)."""
    path = data_copy / "index_scores.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count("csp,KGZ,2023,80.36,6,csp-2025\n") == 1
    path.write_text(text.replace("csp,KGZ,2023,80.36,6,csp-2025\n", "csp,KGZ,2023,80.36,6,csp-2024\n"),
                    encoding="utf-8")
    for args in (["rank", "2024"], ["delta", "--year", "2024"], ["delta", "Kyrgyzstan"],
                 ["delta", "--from", "2023", "--to", "2024"]):
        result = tindex("--data-dir", str(data_copy), *args, "-f", "csv")
        assert result.code == 0, result.err
        rows = [row for row in csv.DictReader(io.StringIO(result.out))
                if row["iso3"] == "KGZ" and row.get("year", row.get("to")) == "2024"]
        assert [row["source_id"] for row in rows] == ["csp-2024;csp-2025"], (args, result.out)


def test_a_fact_lists_its_caveats_as_written_around_the_semicolons(tindex: Run, data_copy: Path) -> None:
    path = data_copy / "facts.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count(",omct-gti-kgz-2025,kgz-84-percent\n") == 1
    path.write_text(text.replace(",omct-gti-kgz-2025,kgz-84-percent\n",
                                 ',omct-gti-kgz-2025," kgz-84-percent ; kgz-prison-rate"\n'),
                    encoding="utf-8")
    result = tindex("--data-dir", str(data_copy), "explain", "Kyrgyzstan", "-f", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)["sections"]["facts"]["rows"]
    named = [row["caveat_ids"] for row in rows if row["fact"].startswith("Complainants denied")]
    assert named == [["kgz-84-percent", "kgz-prison-rate"]]
