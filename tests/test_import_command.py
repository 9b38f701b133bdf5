"""`tindex import`, the overlays it leaves and `tindex agree` (issue 13).

Oracles: the figures typed into the fixtures (tests/fixtures/imports/README.md), plain
pandas reads of the fixtures and of data/index_scores.csv, pandas' own Spearman
(.corr(method='spearman')) and a Kendall tau-b counted pair by pair.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import DATA, Result, console_script, on_terminal
from tindex.data import Dataset
from tindex.errors import DataError
from tindex.locate import imports_dir, overlay_dirs, user_data_dir

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
FILES = {"vdem": "V-Dem-CY-Core-v15.csv", "pts": "PTS-2022.csv",
         "cirights": "cirights_v1.22.11.25.csv", "hrmi": "cpr-scores_v5-1.csv"}
Tindex = Callable[..., Result]


def import_all(tindex: Tindex) -> None:
    for source, name in FILES.items():
        done = tindex("import", source, str(FIXTURES / name))
        assert done.code == 0, done.err


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_imports_live_under_xdg_data_home(user_data_home: Path) -> None:
    assert user_data_dir() == user_data_home / "tindex"
    assert imports_dir() == user_data_home / "tindex" / "imports"
    assert overlay_dirs() == []


def test_import_pts_summary_and_storage(tindex: Tindex, user_data_home: Path) -> None:
    path = FIXTURES / "PTS-2022.csv"
    done = tindex("import", "pts", str(path))
    assert done.code == 0, done.err
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert done.out == (
        f"Imported pts from PTS-2022.csv (version 2022, SHA-256 {sha[:12]}...): pts_a, pts_h, pts_s; "
        "27 scores, 10 countries, 2013-2021; 6 country-years without a value left out.\n"
        "Kept under a user-assigned code: Kosovo (KSV): no ISO 3166 code, kept as XKX\n"
        "Skipped: German Democratic Republic: no ISO 3166-1 code since 1990 (former DDR), skipped\n"
        "Skipped: Somaliland: no ISO 3166 code, skipped\n")
    assert done.err == ""
    folder = user_data_home / "tindex" / "imports" / "pts"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["source"], manifest["file_name"], manifest["sha256"], manifest["version"],
            manifest["rows"], manifest["years"], manifest["countries"]) == (
        "pts", "PTS-2022.csv", sha, "2022", 27, "2013-2021", 10)
    scores = pd.read_csv(folder / "index_scores.csv")
    raw = pd.read_csv(path)
    kaz = raw[(raw["WordBank_Code_A"] == "KAZ") & (raw["Year"] == 2021)].iloc[0]
    mine = scores[(scores["iso3"] == "KAZ") & (scores["year"] == 2021)].set_index("index")["score"]
    assert mine.to_dict() == {"pts_a": kaz["PTS_A"], "pts_h": kaz["PTS_H"], "pts_s": kaz["PTS_S"]}
    assert scores["score"].notna().all()  # a missing value is left out, not stored empty
    sources = pd.read_csv(folder / "sources.csv")
    assert sources["source_id"].tolist() == ["import-pts"]
    assert sha in sources["note"].iloc[0]


def test_every_source_imports_and_ranks(tindex: Tindex) -> None:
    import_all(tindex)
    expected_first = {  # best of the latest year, from the fixtures (ties: by name)
        "v2cltort": ("Kosovo", 1.874), "pts_a": ("Andorra", 1.0), "cirights_tort": ("Germany", 1.0),
        "hrmi_torture": ("Kyrgyzstan", 4.3521056),
    }
    for index, (country, score) in expected_first.items():
        done = tindex("rank", "-i", index, "-f", "csv")
        assert done.code == 0, done.err
        first = pd.read_csv(io.StringIO(done.out)).iloc[0]
        assert (first["country"], first["rank"]) == (country, 1)
        assert first["score"] == pytest.approx(score)
    done = tindex("compare", "KAZ", "KGZ", "-i", "hrmi_torture", "-f", "csv")
    assert done.code == 0, done.err
    table = pd.read_csv(io.StringIO(done.out))
    assert table["year"].tolist() == [2019, 2020, 2021]
    assert table["Kazakhstan"].round(2).tolist() == [3.21, 3.49, 3.82]
    assert table["Kyrgyzstan"].round(2).tolist() == [4.80, 4.30, 4.35]
    listed = tindex("import", "--list", "-f", "csv")
    assert listed.code == 0, listed.err
    frame = pd.read_csv(io.StringIO(listed.out))
    assert frame["id"].tolist() == ["cirights", "hrmi", "pts", "vdem"]
    # cirights: Afghanistan's empty tort left out; vdem: Armenia's empty v2cltort left out,
    # the GDR and Somaliland skipped (no code)
    assert frame["rows"].tolist() == [4, 6, 27, 6]
    assert frame["sha256"].tolist() == [hashlib.sha256((FIXTURES / FILES[s]).read_bytes()).hexdigest()
                                        for s in frame["id"]]
    sources = tindex("sources", "import-hrmi", "-f", "csv")
    assert sources.code == 0, sources.err
    assert "Human Rights Measurement Initiative" in sources.out


def test_explain_shows_other_measures(tindex: Tindex) -> None:
    import_all(tindex)
    done = tindex("explain", "Kazakhstan", "-f", "json")
    assert done.code == 0, done.err
    text = json.loads(done.out)
    assert "pts_a_score" not in text["summary"]  # imports get the short section only
    assert "csp" in text["sections"]
    others = text["sections"]["other_measures"]["rows"]
    got = {row["index"]: (row["year"], row["score"], row["rank"], row["of"]) for row in others}
    assert got == {
        # 2021: Kosovo 1.874, Zanzibar 0.415, Palestine -0.402, Kazakhstan -0.733, Russia -1.655
        "v2cltort": (2021, -0.733, 4, 5),
        "pts_a": (2021, 3.0, 4, 9), "pts_h": (2021, 3.0, 2, 7), "pts_s": (2021, 3.0, 3, 9),
        "cirights_tort": (2020, 0.0, 3, 4), "hrmi_torture": (2021, pytest.approx(3.8178389), 2, 2),
    }


def test_a_bad_cell_is_refused_and_nothing_changes(tindex: Tindex, user_data_home: Path) -> None:
    assert tindex("import", "pts", str(FIXTURES / "PTS-2022.csv")).code == 0
    before = snapshot(user_data_home)
    done = tindex("import", "pts", str(FIXTURES / "pts_bad_cell.csv"))
    assert (done.code, done.out) == (1, "")
    assert done.err == "tindex: error: pts_bad_cell.csv:4: PTS_A: not a number ('x')\n"
    assert snapshot(user_data_home) == before


def test_an_index_id_the_base_data_has_is_refused(tindex: Tindex, data_copy: Path,
                                                  user_data_home: Path) -> None:
    indices = (data_copy / "indices.csv").read_text(encoding="utf-8")
    first_row = indices.splitlines()[1]
    (data_copy / "indices.csv").write_text(indices + "pts_a" + first_row[len("csp"):] + "\n",
                                           encoding="utf-8")
    done = tindex("--data-dir", str(data_copy), "import", "pts", str(FIXTURES / "PTS-2022.csv"))
    assert done.code == 1
    assert done.err.startswith("tindex: error: ")
    assert "/indices.csv:2: index=pts_a is already in " in done.err
    assert overlay_dirs() == []
    assert not any(user_data_home.rglob("*.csv"))


def test_remove_and_reimport(tindex: Tindex) -> None:
    assert tindex("import", "hrmi", str(FIXTURES / FILES["hrmi"])).code == 0
    assert tindex("import", "hrmi", str(FIXTURES / FILES["hrmi"])).code == 0  # replaces
    assert [p.name for p in overlay_dirs()] == ["hrmi"]
    unknown = tindex("import", "--remove", "hrm")
    assert (unknown.code, unknown.err) == (
        2, "tindex: error: no import 'hrm' (did you mean hrmi?); imported: hrmi\n")
    done = tindex("import", "--remove", "hrmi")
    assert (done.code, done.out) == (0, "Removed import hrmi (cpr-scores_v5-1.csv).\n")
    assert overlay_dirs() == []
    gone = tindex("rank", "-i", "hrmi_torture")
    assert (gone.code, gone.err) == (
        2, "tindex: error: unknown index 'hrmi_torture'; indices: csp, gti, gti_transparency\n")


def test_usage_errors(tindex: Tindex) -> None:
    assert tindex("import", "pts").code == 2
    missing = tindex("import", "pts", "no-such-file.csv")
    assert (missing.code, missing.err) == (2, "tindex: error: FILE: no such file: 'no-such-file.csv'\n")
    unknown = tindex("import", "ptss", str(FIXTURES / "PTS-2022.csv"))
    assert unknown.code == 2 and "unknown source 'ptss'" in unknown.err
    both = tindex("import", "--list", "pts")
    assert both.code == 2


def test_overlay_problems_name_the_overlay_file(tmp_path: Path) -> None:
    overlay = tmp_path / "mine"
    overlay.mkdir()
    (overlay / "index_scores.csv").write_text("index,iso3,year,score,source_id\n"
                                              "csp,FRA,2021,1.5,csp-2025\n", encoding="utf-8")
    dataset = Dataset(DATA, "data/", [overlay])
    from tindex import schema

    with pytest.raises(DataError) as caught:
        dataset.table(schema.INDEX_SCORES)
    assert caught.value.message == (f"{overlay}/index_scores.csv:2: iso3: country code not in "
                                    "countries.csv ('FRA')")


def oracle_pairs(year: int) -> pd.DataFrame:
    """csp (latest release) beside PTS_A for one year, read with plain pandas."""
    csp = pd.read_csv(DATA / "index_scores.csv")
    csp = csp[(csp["index"] == "csp") & (csp["year"] == year)].sort_values("release")
    csp = csp.drop_duplicates("iso3", keep="last")[["iso3", "score"]]
    pts = pd.read_csv(FIXTURES / "PTS-2022.csv")
    pts = pts[(pts["Year"] == year) & pts["PTS_A"].notna()]
    pts = pts.rename(columns={"WordBank_Code_A": "iso3"})[["iso3", "PTS_A"]]
    return csp.merge(pts, on="iso3")


def kendall_by_pairs(x: list[float], y: list[float]) -> float:
    concordant = discordant = only_x = only_y = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = x[i] - x[j], y[i] - y[j]
        if dx == 0 and dy == 0:
            continue
        if dx == 0:
            only_y += 1
        elif dy == 0:
            only_x += 1
        elif dx * dy > 0:
            concordant += 1
        else:
            discordant += 1
    return (concordant - discordant) / math.sqrt((concordant + discordant + only_x)
                                                 * (concordant + discordant + only_y))


def test_agree_matches_pandas(tindex: Tindex) -> None:
    assert tindex("import", "pts", str(FIXTURES / "PTS-2022.csv")).code == 0
    done = tindex("agree", "csp", "pts_a", "-f", "csv")
    assert done.code == 0, done.err
    table = pd.read_csv(io.StringIO(done.out), keep_default_na=False)
    assert table["year"].tolist() == [2021]  # the only year both have
    pairs = oracle_pairs(2021)
    # PTS is lower-is-better: flipped, so agreement is positive
    oriented = pd.DataFrame({"csp": pairs["score"], "pts_a": -pairs["PTS_A"]})
    correlations = oriented.corr(method="spearman").to_numpy()  # pandas' own, no scipy
    expected = float(correlations[0, 1])
    assert len(pairs) == 7 and table["n"].tolist() == [7]
    assert table["spearman"].tolist() == [round(expected, 3)]
    assert expected > 0
    tau = kendall_by_pairs(pairs["score"].tolist(), (-pairs["PTS_A"]).tolist())
    assert table["kendall"].iloc[0] == round(tau, 3)
    assert table["note"].tolist() == [""]


def test_agree_few_countries_blank_and_detail(tindex: Tindex) -> None:
    assert tindex("import", "hrmi", str(FIXTURES / FILES["hrmi"])).code == 0
    done = tindex("agree", "csp", "hrmi_torture", "-f", "csv")
    assert done.code == 0, done.err
    caution = ('"The two indices measure different concepts with different sources and methods: '
               'agreement is a check on plausibility, not validation."')
    assert done.out == (
        "year,n,spearman,kendall,note,caution\n"
        f"2019,2,,,too few countries in both for a coefficient (at least 4),{caution}\n"
        f"2020,2,,,too few countries in both for a coefficient (at least 4),{caution}\n"
        f"2021,2,,,too few countries in both for a coefficient (at least 4),{caution}\n")
    detail = tindex("agree", "csp", "hrmi_torture", "--detail", "--year", "2020", "-f", "csv")
    assert detail.code == 0, detail.err
    frame = pd.read_csv(io.StringIO(detail.out))
    # 2020: csp KAZ 27.25 > KGZ? and hrmi KGZ 4.30 > KAZ 3.49, from the data files
    table = pd.read_csv(DATA / "index_scores.csv")
    table = table[(table["index"] == "csp") & (table["year"] == 2020)].sort_values("release")
    csp = table.drop_duplicates("iso3", keep="last").set_index("iso3")["score"]
    kaz_first = csp["KAZ"] > csp["KGZ"]
    assert set(frame["iso3"]) == {"KAZ", "KGZ"}
    ranks = frame.set_index("iso3")
    assert ranks.loc["KGZ", "hrmi_torture_rank"] == 1
    assert ranks.loc["KAZ", "csp_rank"] == (1 if kaz_first else 2)
    assert (ranks["csp_rank"] - ranks["hrmi_torture_rank"]).tolist() == ranks["rank_difference"].tolist()


def test_agree_terminal_carries_the_concept_note(tindex: Tindex) -> None:
    assert tindex("import", "pts", str(FIXTURES / "PTS-2022.csv")).code == 0
    done = tindex("agree", "csp", "pts_s", "-f", "markdown")
    assert done.code == 0, done.err
    flat = " ".join(done.out.split())
    assert "agreement is a check on plausibility, not validation" in flat
    assert "pts_s: lower is better, so its order is flipped" in flat
    same = tindex("agree", "csp", "csp")
    assert (same.code, same.err) == (2, "tindex: error: give two different indices\n")
    apart = tindex("agree", "csp", "gti")
    assert (apart.code, apart.out, apart.err) == (2, "", (
        "tindex: error: csp and gti have no country-year in common (csp: 2019-2024; gti: 2025); "
        "countries in both, in different years: Belarus, Kyrgyzstan, Russia\n"))


@pytest.mark.parametrize(("source", "index", "tied"), [("pts", "pts_s", True),
                                                      ("hrmi", "hrmi_torture", False)])
def test_agree_detail_says_when_ties_share_a_rank(tindex: Tindex, source: str, index: str,
                                                  tied: bool) -> None:
    """Tied countries share the best rank of their group in the detail (as rank does), so a
    note says so wherever a rank column has ties, and only then."""
    assert tindex("import", source, str(FIXTURES / FILES[source])).code == 0
    args = ("agree", "csp", index, "--detail", "--year", "2021")
    table = tindex(*args, "-f", "csv")
    assert table.code == 0, table.err
    frame = pd.read_csv(io.StringIO(table.out))
    has_ties = bool(frame[f"{index}_rank"].duplicated().any() or frame["csp_rank"].duplicated().any())
    assert has_ties is tied, table.out
    notes = tindex(*args, "-f", "markdown")
    assert notes.code == 0, notes.err
    assert ("Tied countries share the best rank" in " ".join(notes.out.split())) is tied


def test_stored_imports_survive_a_copy(tindex: Tindex, tmp_path: Path, user_data_home: Path) -> None:
    """An overlay is plain CSV: it works read by Dataset directly, without the CLI."""
    assert tindex("import", "cirights", str(FIXTURES / FILES["cirights"])).code == 0
    copy = tmp_path / "copy"
    shutil.copytree(user_data_home / "tindex" / "imports" / "cirights", copy)
    from tindex import schema

    dataset = Dataset(DATA, "data/", [copy])
    scores = dataset.table(schema.INDEX_SCORES)
    mine = scores[scores["index"] == "cirights_tort"]
    assert sorted(mine["iso3"].astype(str)) == ["DEU", "KAZ", "RUS", "XKX"]
    names = dataset.country_names()
    assert names["XKX"] == "Kosovo" and names["RUS"] == "Russia"


def test_an_imported_index_has_no_releases(tindex: Tindex) -> None:
    """The base data's release column does not spill onto imported rows."""
    assert tindex("import", "pts", str(FIXTURES / "PTS-2022.csv")).code == 0
    done = tindex("revisions", "pts_a")
    assert (done.code, done.out, done.err) == (
        2, "", "tindex: error: pts_a: the data has no release column, so no revisions\n")
    base = tindex("revisions", "-f", "csv")
    assert base.code == 0 and base.out.splitlines()[1].startswith("Kazakhstan,KAZ,2023,5,132.51,")


def test_validate_checks_the_imports_the_commands_use(tindex: Tindex) -> None:
    """`tindex validate` checks the data the commands read: the imports too. A PATH is
    checked alone, as a directory someone is preparing."""
    assert tindex("import", "pts", str(FIXTURES / "PTS-2022.csv")).code == 0
    clean = tindex("validate")
    assert (clean.code, clean.out) == (0, "")
    base = tindex("validate", str(DATA))
    assert base.code == 0
    scores = imports_dir() / "pts" / "index_scores.csv"
    stored = {name: pd.read_csv(imports_dir() / "pts" / f"{name}.csv")
              for name in ("index_scores", "indices", "sources", "countries")}
    known = set(pd.read_csv(DATA / "countries.csv")["iso3"])
    added = (len(stored["index_scores"]) + len(stored["indices"]) + len(stored["sources"])
             + int((~stored["countries"]["iso3"].isin(known)).sum()))  # names already known stay
    assert len(stored["index_scores"]) == 27  # as the import's summary says
    base_rows = int(base.err.split(", ")[1].split()[0])
    assert base.err == f"tindex: {DATA}: 13 files, {base_rows} rows, no problems\n"
    assert clean.err == (f"tindex: data with 1 import(s): {13 + len(stored)} files, "
                         f"{base_rows + added} rows, no problems\n")
    lines = scores.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")
    fields[2] = "abc"
    scores.write_text("\n".join([lines[0], ",".join(fields), *lines[2:]]) + "\n", encoding="utf-8")
    broken = tindex("validate")
    assert broken.code == 1
    assert broken.out == f"{scores}:2: year: not a whole number ('abc')\n"
    assert broken.err == "tindex: 1 problem(s) in data with 1 import(s)\n"
    assert tindex("validate", str(DATA)).code == 0


def test_imports_never_stand_in_for_a_missing_data_directory(tindex: Tindex, tmp_path: Path) -> None:
    """An import layers over data; over a wrong --data-dir (no indices.csv ...) it must not
    pass for data: the same one line, exit 1, as without imports."""
    empty = tmp_path / "empty"
    empty.mkdir()
    without = tindex("--data-dir", str(empty), "rank", "2024")
    import_all(tindex)
    for args in (("rank", "2024"), ("rank",), ("explain", "Russia"), ("rank", "--index", "pts_a")):
        result = tindex("--data-dir", str(empty), *args)
        assert (result.code, result.out) == (1, ""), (args, result)
        assert result.err == without.err == \
            f"tindex: error: {empty}/indices.csv: file not found (index definitions)\n", args
    checked = tindex("validate", "--data-dir", str(empty))
    assert checked.code == 1
    assert f"{empty}/indices.csv: file not found\n" in checked.out
    assert checked.err == f"tindex: 4 problem(s) in {empty} with 4 import(s)\n"


def test_a_damaged_manifest_is_reported_and_can_be_removed(tindex: Tindex) -> None:
    import_all(tindex)
    manifest = imports_dir() / "hrmi" / "manifest.json"
    manifest.write_text("garbage{", encoding="utf-8")
    hint = (f"{manifest}: not a tindex import manifest (Expecting value: line 1 column 1 (char 0)); "
            "import the file again or run 'tindex import --remove hrmi'")
    checked = tindex("validate")
    assert (checked.code, checked.out) == (1, hint + "\n")
    assert checked.err == "tindex: 1 problem(s) in data with 4 import(s)\n"
    listed = tindex("import", "--list")
    assert (listed.code, listed.out, listed.err) == (1, "", f"tindex: error: {hint}\n")
    other = tindex("import", "--remove", "pts")  # another import's damage does not block it
    assert (other.code, other.out) == (0, "Removed import pts (PTS-2022.csv).\n")
    gone = tindex("import", "--remove", "hrmi")
    assert (gone.code, gone.out) == (0, "Removed import hrmi (its manifest could not be read).\n")
    assert sorted(path.name for path in overlay_dirs()) == ["cirights", "vdem"]
    assert tindex("validate").code == 0


def test_an_import_without_a_release_date_is_cited_without_a_year(tindex: Tindex) -> None:
    """HRMI's file name gives no release date: the citation says n.d., never the day of the
    import, which a reader would take for the publication year."""
    assert tindex("import", "hrmi", str(FIXTURES / "cpr-scores_v5-1.csv")).code == 0
    shown = tindex("compare", "Kazakhstan", "Kyrgyzstan", "--index", "hrmi_torture", "-f", "markdown")
    assert shown.code == 0, shown.err
    assert shown.out.endswith(
        "1. import-hrmi: HRMI Rights Tracker data: Civil and political rights scores (cpr-scores), "
        "version 5-1. Human Rights Measurement Initiative, n.d. <https://rightstracker.org/>\n")
    source = pd.read_csv(imports_dir() / "hrmi" / "sources.csv")
    assert source["date"].tolist() == ["n.d."]
    assert tindex("validate").code == 0


def test_sources_explain_bracketed_titles_only_when_some_are_shown(tindex: Tindex) -> None:
    assert tindex("import", "hrmi", str(FIXTURES / "cpr-scores_v5-1.csv")).code == 0
    alone = tindex("sources", "import-hrmi", "-f", "markdown")
    assert (alone.code, alone.out.splitlines()[0]) == (0, "### Sources: 1")
    every = tindex("sources", "-f", "markdown")
    assert every.out.splitlines()[0].endswith(
        "(titles in \\[brackets\\] are descriptive: the original headline was not recorded)")
    assert "[" in "".join(pd.read_csv(DATA / "sources.csv")["title"].str[:1])  # the oracle


@pytest.mark.parametrize(("years", "span"), [([2020], "2020"), ([2019, 2021, 2020], "2019-2021"),
                                             ([], "none")])
def test_an_imports_years_read_as_a_span(years: list[int], span: str) -> None:
    from tindex.data.imports import _span

    assert _span(np.array(years, dtype=np.int64)) == span


def test_remove_finds_an_import_whatever_the_case_of_its_folder(tindex: Tindex) -> None:
    assert tindex("import", "hrmi", str(FIXTURES / "cpr-scores_v5-1.csv")).code == 0
    (imports_dir() / "hrmi").rename(imports_dir() / "HRMI")  # a folder renamed by hand
    gone = tindex("import", "--remove", "hrmi")
    assert (gone.code, gone.out) == (0, "Removed import HRMI (cpr-scores_v5-1.csv).\n")
    assert overlay_dirs() == []


@pytest.mark.e2e
def test_a_long_import_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    """A file of 16 MB or more draws a progress bar on stderr when stderr is a terminal;
    in a pipe stderr stays empty. The V-Dem fixture, widened by a column the import does not
    read (V-Dem's files have thousands), is large enough."""
    rows = (FIXTURES / "V-Dem-CY-Core-v15.csv").read_text(encoding="utf-8").splitlines()
    filler = "x" * (2 << 20)
    wide = tmp_path / "V-Dem-CY-Core-v15.csv"
    wide.write_text("\n".join([rows[0] + ",v2_notes", *(row + "," + filler for row in rows[1:])])
                    + "\n", encoding="utf-8")
    assert wide.stat().st_size >= 16 << 20
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    code, screen = on_terminal("import", "vdem", str(wide), env=env, stderr_too=True)
    assert code == 0, screen
    assert "reading V-Dem-CY-Core-v15.csv" in screen
    assert "Imported vdem from V-Dem-CY-Core-v15.csv" in screen
    piped = console_script("import", "vdem", str(wide), env=env)
    assert (piped.returncode, piped.stderr) == (0, "")
    assert piped.stdout.startswith("Imported vdem from V-Dem-CY-Core-v15.csv")


@pytest.mark.parametrize("source", FILES)
def test_stored_scores_are_what_the_csv_module_writes(tindex: Tindex, source: str) -> None:
    """The overlay's scores, byte for byte, against csv.writer over the reader's rows, each
    float as its repr (missing: empty)."""
    from tindex.importers import read_import

    assert tindex("import", source, str(FIXTURES / FILES[source])).code == 0
    result = read_import(source, FIXTURES / FILES[source])
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(["index", "iso3", "year", "score", "low", "high", "source_id"])
    def shown(value: float) -> str:
        return "" if math.isnan(value) else repr(float(value))

    frame = result.scores
    for index, iso3, year, score, low, high in zip(
            frame["index"], frame["iso3"], frame["year"], frame["score"], frame["low"], frame["high"],
            strict=True):
        if not math.isnan(score):
            writer.writerow([index, iso3, int(year), shown(score), shown(low), shown(high),
                             f"import-{source}"])
    assert (imports_dir() / source / "index_scores.csv").read_text(encoding="utf-8") == expected.getvalue()


def test_floats_and_text_cells_are_written_as_the_csv_module_would() -> None:
    from tindex.data.imports import _cells, _floats

    values = [0.0, -0.0, math.nan, 1.5, -0.0, math.inf, 0.1 + 0.2, math.nan, 1e-05, 1e16]
    assert _floats(pd.Series(values)) == [
        "0.0", "-0.0", "", "1.5", "-0.0", "inf", "0.30000000000000004", "", "1e-05", "1e+16"]
    assert _floats(pd.Series([math.nan, math.nan])) == ["", ""]
    assert _floats(pd.Series([], dtype="float64")) == []
    text = ["KAZ", 'say "hi"', "a,b", "KAZ", "", "line\nbreak"]
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(text)
    assert ",".join(_cells(pd.Series(text))) + "\n" == line.getvalue()
