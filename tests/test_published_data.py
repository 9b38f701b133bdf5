"""The shipped data against the published figures, typed in here from the releases.

The expected values below are the CSP sixth release's table as split in a copy with
separators intact (Bir Duino, 11 Aug 2025), the fifth release (which differs only in
Kazakhstan 2023), the second release's 2019 and 2020 values with Poland 2020 (Viasna,
29 Jun 2021), and the OMCT GTI 2025 factsheets. They are written out by hand so that a
wrong data file cannot pass by agreeing with itself.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from conftest import DATA
from tindex import schema
from tindex.data import Dataset, validate

PUBLISHED = {
    # year: Armenia, Belarus, Kazakhstan, Kyrgyzstan, Moldova, Russia, Ukraine
    2019: (93.77, -94.2, -3.04, 9.45, 121.26, 0.81, 107.83),
    2020: (104, -70.1, 27.25, 23.08, 122.21, -27.97, 161.1),
    2021: (84.08, -92.8, 107.17, 31.42, 161.50, -26.64, 145.57),
    2022: (111.57, -95.02, 120.44, 34.75, 144.49, 21.58, 121.02),
    2023: (131.53, -93.83, 122.51, 80.36, 128.91, 21.61, 92.02),
    2024: (127.46, -95.02, 134.65, 64.49, 129.33, 19.89, 80.77),
}
COLUMNS = ("ARM", "BLR", "KAZ", "KGZ", "MDA", "RUS", "UKR")

# Changes 2023 -> 2024 stated in the text of the sixth release.
STATED_2024 = {"KAZ": 12.14, "ARM": -4.07, "UKR": -11.25, "BLR": -1.19, "RUS": -1.72}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return Dataset(DATA, "data/")


@pytest.fixture(scope="module")
def scores(dataset: Dataset) -> pd.DataFrame:
    """The sixth release of the CSP index: the table the published figures come from."""
    frame = dataset.table(schema.INDEX_SCORES)
    return frame[(frame["index"] == "csp") & (frame["release"] == 6)]


def _raw(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _release(number: int) -> dict[tuple[str, int], float]:
    return {(r["iso3"], int(r["year"])): float(r["score"]) for r in _raw("index_scores.csv")
            if r["index"] == "csp" and int(r["release"]) == number}


def test_every_published_cell_is_shipped_exactly() -> None:
    rows = _release(6)
    for year, values in PUBLISHED.items():
        for code, value in zip(COLUMNS, values, strict=True):
            assert rows[(code, year)] == pytest.approx(value, abs=1e-9), (code, year)
    assert len(rows) == 42  # the table's cells, nothing invented


def test_the_fifth_release_differs_only_in_kazakhstan_2023() -> None:
    expected = {(code, year): value for year, values in PUBLISHED.items() if year <= 2023
                for code, value in zip(COLUMNS, values, strict=True)}
    expected[("KAZ", 2023)] = 132.51
    rows = _release(5)
    assert rows.keys() == expected.keys()
    for key, value in expected.items():
        assert rows[key] == pytest.approx(value, abs=1e-9), key


def test_the_second_release_holds_2019_and_2020_with_poland() -> None:
    expected = {(code, year): value for year in (2019, 2020)
                for code, value in zip(COLUMNS, PUBLISHED[year], strict=True)}
    expected[("POL", 2020)] = 82.67
    rows = _release(2)
    assert rows.keys() == expected.keys()
    for key, value in expected.items():
        assert rows[key] == pytest.approx(value, abs=1e-9), key


def test_the_garbled_cells_use_the_confirmed_split(scores: pd.DataFrame) -> None:
    year_2020 = scores[scores["year"] == 2020].set_index("iso3")["score"]
    assert year_2020["BLR"] == -70.1 and year_2020["KAZ"] == 27.25
    second = _release(2)
    assert second[("BLR", 2020)] == -70.1 and second[("KAZ", 2020)] == 27.25


@pytest.mark.parametrize(("code", "stated"), sorted(STATED_2024.items()))
def test_table_reproduces_the_stated_2024_changes(scores: pd.DataFrame, code: str,
                                                  stated: float) -> None:
    mine = scores[scores["iso3"] == code].set_index("year")["score"]
    assert round(mine[2024] - mine[2023], 2) == stated


def test_moldova_virtually_unchanged(scores: pd.DataFrame) -> None:
    mine = scores[scores["iso3"] == "MDA"].set_index("year")["score"]
    assert round(mine[2024] - mine[2023], 2) == 0.42


def test_kyrgyzstan_table_differs_from_its_stated_change(scores: pd.DataFrame) -> None:
    mine = scores[scores["iso3"] == "KGZ"].set_index("year")["score"]
    assert round(mine[2024] - mine[2023], 2) == -15.87  # the text says -11.29: a caveat


def test_caveats_users_must_see_are_present(dataset: Dataset) -> None:
    caveats = dataset.table(schema.CAVEATS).set_index("caveat_id")
    kgz = str(caveats.loc["kgz-2024-stated-change", "text"])
    assert "11.29" in kgz and "15.87" in kgz
    kaz = caveats.loc["kaz-2023-revision"]  # the two values are rows of releases 5 and 6
    assert "fifth and the sixth release" in str(kaz["text"])
    assert kaz["source_ids"] == "csp-2024;csp-2025"
    assert "weight" in str(caveats.loc["csp-scale", "text"])


def test_stated_changes_are_kept_as_published(dataset: Dataset) -> None:
    drivers = dataset.table(schema.DRIVERS)
    stated = drivers[drivers["year"] == 2024].set_index("iso3")["stated_change"]
    assert stated["KGZ"] == -11.29
    for code, value in STATED_2024.items():
        assert stated[code] == value


def test_every_row_of_every_file_cites_a_complete_source() -> None:
    sources = {r["source_id"]: r for r in _raw("sources.csv")}
    for source in sources.values():
        assert source["title"] and source["publisher"] and source["date"]
        assert source["url"].startswith(("http://", "https://"))
    for spec in schema.ALL_TABLES:
        columns = [c.name for c in spec.columns if c.kind in (schema.Kind.SOURCE, schema.Kind.SOURCE_LIST)]
        for column in columns:
            for row in _raw(spec.filename):
                for source_id in row[column].split(";"):
                    assert source_id.strip() in sources, (spec.filename, row)


def test_bundled_data_validates_cleanly() -> None:
    problems, counts = validate(Dataset(DATA, "data/"))
    assert problems == []
    # Releases 1, 2, 5 and 6 of the CSP index; each release's rows are checked above.
    assert counts["index_scores.csv"] == len(_raw("index_scores.csv"))
    assert {len(_release(n)) for n in (2, 5, 6)} == {15, 35, 42}


KYRGYZSTAN_PILLARS = ["Considerable", "Moderate", "Considerable", "High", "High", "Very High",
                      "Considerable", "Considerable"]
BELARUS_PILLARS = ["Very High"] * 6 + ["High", "Very High"]
INDIA_PILLARS = ["High", "Considerable"] + ["High"] * 6


@pytest.fixture(scope="module")
def gti(dataset: Dataset) -> pd.DataFrame:
    levels = dataset.table(schema.INDEX_LEVELS)
    return levels[(levels["index"] == "gti") & (levels["year"] == 2025)]


@pytest.mark.parametrize(("code", "levels"), [("KGZ", KYRGYZSTAN_PILLARS),
                                              ("BLR", BELARUS_PILLARS),
                                              ("IND", INDIA_PILLARS)])
def test_gti_pillars_match_the_factsheets(gti: pd.DataFrame, code: str, levels: list[str]) -> None:
    mine = gti[gti["iso3"] == code]
    overall = mine[mine["component"].isna()]
    pillars = mine[mine["component"].notna()].sort_values("component")
    assert pillars["component"].tolist() == list(range(1, 8))
    assert [*overall["level"].astype(str), *pillars["level"].astype(str)] == levels


def test_gti_overall_levels_reported_by_omct_and_the_press(gti: pd.DataFrame) -> None:
    overall = gti[gti["component"].isna()].set_index("iso3")["level"].astype(str)
    expected = {
        "Very High": ["BHR", "BLR", "SLV", "ETH", "LBY", "RUS"],
        "High": ["COL", "HND", "MEX", "IND", "TUN", "CMR", "COD", "MYS", "PAK", "TUR"],
        "Considerable": ["ARG", "KGZ", "TGO"],
        "Moderate": ["ITA", "ESP"],
    }
    for level, codes in expected.items():
        for code in codes:
            assert overall[code] == level, code
    # No more countries at a level than OMCT's published distribution (6/13/4/3/0).
    counts = overall.value_counts()
    for level, ceiling in {"Very High": 6, "High": 13, "Considerable": 4, "Moderate": 3}.items():
        assert counts.get(level, 0) <= ceiling
    assert counts.get("Low", 0) == 0


def test_level_scales_are_in_published_order(dataset: Dataset) -> None:
    scales = dataset.table(schema.SCALES).sort_values(["index", "position"])
    order = {index: group["level"].astype(str).tolist()
             for index, group in scales.groupby("index", observed=True)}
    assert order["gti"] == ["Low", "Moderate", "Considerable", "High", "Very High"]
    assert order["gti_transparency"] == ["Suppressive", "Concealed", "Circumscribed",
                                         "Accessible", "Transparent"]
    levels = dataset.table(schema.INDEX_LEVELS)
    ratings = levels[levels["index"] == "gti_transparency"].set_index("iso3")["level"].astype(str)
    assert ratings["KGZ"] == "Circumscribed" and ratings["BLR"] == "Concealed"


def test_central_asia_facts(dataset: Dataset) -> None:
    """Figures from the NGO statement of June 2025 (ngo-central-asia-2025), typed in here."""
    facts = dataset.table(schema.FACTS)
    values = {(str(r.iso3), str(r.fact_id)): (str(r.value), str(r.unit), r.period)
              for r in facts.itertuples()}
    assert values[("KAZ", "coalition_torture_complaints")] == ("347", "complaints", "2024")
    assert values[("KAZ", "torture_convictions")] == ("4", "convictions", "2024")
    assert values[("KAZ", "torture_cases_registered")] == ("57", "cases", "2024")
    assert values[("TJK", "coalition_torture_complaints")] == ("17", "complaints", "2024")
    assert [values[("TJK", f"coalition_complaints_{who}")][0] for who in ("women", "children", "men")
            ] == ["1", "4", "12"]  # and they add up to the 17 complaints
    for code in ("TJK", "TKM", "UZB", "KGZ", "BLR"):
        assert any(key[0] == code for key in values), code


@pytest.mark.parametrize(("text", "code"), [
    ("Kyrgyzstan", "KGZ"), ("kyrgyzstan", "KGZ"), ("KGZ", "KGZ"), ("kg", "KGZ"),
    ("Kyrgyz Republic", "KGZ"), ("Kirghizia", "KGZ"), ("Russian Federation", "RUS"),
    ("RU", "RUS"), ("Republic of Moldova", "MDA"), ("moldova", "MDA"), ("Türkiye", "TUR"),
    ("Turkey", "TUR"), ("Tajikistan", "TJK"), ("  Belarus ", "BLR"),
])
def test_country_names_resolve(dataset: Dataset, text: str, code: str) -> None:
    assert dataset.resolve_country(text) == code


def test_a_likely_typo_gets_did_you_mean(dataset: Dataset) -> None:
    from tindex.errors import UsageError

    with pytest.raises(UsageError, match=r"did you mean .*Kazakhstan"):
        dataset.resolve_country("Kazakstn")
    with pytest.raises(UsageError, match="no data for 'Germany' \\(DEU\\)"):
        dataset.resolve_country("Germany")
