"""The import readers (issue 13): official layouts in, checked ISO-coded score rows out.

Oracles are the figures typed into the fixtures (see tests/fixtures/imports/README.md) or a
plain pandas read of the fixture, never the readers' own output read back.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tindex.errors import DataError, UsageError
from tindex.importers import SOURCES, ImportResult, read_import

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
SCORE_DTYPES = {"index": str, "iso3": str, "year": np.dtype("int64"), "score": np.dtype("float64"),
                "low": np.dtype("float64"), "high": np.dtype("float64"), "missing_reason": np.dtype("O")}


def scores_of(result: ImportResult, index: str) -> dict[tuple[str, int], float]:
    block = result.scores[result.scores["index"] == index]
    return {(iso, int(year)): float(score)
            for iso, year, score in zip(block["iso3"], block["year"], block["score"], strict=True)}


def row(result: ImportResult, index: str, iso3: str, year: int) -> dict[str, Any]:
    s = result.scores
    found = s[(s["index"] == index) & (s["iso3"] == iso3) & (s["year"] == year)]
    assert len(found) == 1
    record = {str(key): value for key, value in found.iloc[0].items()}
    return record


def check_columns(result: ImportResult) -> None:
    assert list(result.scores.columns) == list(SCORE_DTYPES)
    for column, dtype in SCORE_DTYPES.items():
        if dtype is str:
            assert pd.api.types.is_string_dtype(result.scores[column]), column
        else:
            assert result.scores[column].dtype == dtype, column


def test_pts_csp_countries_2021_and_missing_statuses() -> None:
    path = FIXTURES / "PTS-2022.csv"
    result = read_import("pts", path)
    check_columns(result)
    published = {  # PTS 2021, A/H/S, as typed into the fixture
        "ARM": (3, 3, 3), "BLR": (4, 4, 4), "KAZ": (3, 3, 3), "KGZ": (3, 3, 3),
        "MDA": (2, None, 3), "RUS": (4, 4, 4), "UKR": (3, 3, 3),
        "AND": (1, None, 1), "XKX": (1, 1, 2),
    }
    for letter, position in (("a", 0), ("h", 1), ("s", 2)):
        got = scores_of(result, f"pts_{letter}")
        for iso, values in published.items():
            expected = values[position]
            if expected is None:
                assert math.isnan(got[(iso, 2021)]), (iso, letter)
            else:
                assert got[(iso, 2021)] == expected, (iso, letter)
    assert row(result, "pts_h", "MDA", 2021)["missing_reason"] == (
        "PTS NA_Status 88: no report covering it that year")
    assert row(result, "pts_a", "AND", 1989)["missing_reason"] == (
        "PTS NA_Status 77: not an independent country that year")
    assert row(result, "pts_a", "AFG", 2013)["missing_reason"] == (
        "PTS NA_Status 88: no report covering it that year")
    assert row(result, "pts_a", "KAZ", 2021)["missing_reason"] is None
    assert result.kept_as_user_code == ["Kosovo (KSV): no ISO 3166 code, kept as XKX"]
    assert result.skipped == [
        "German Democratic Republic: no ISO 3166-1 code since 1990 (former DDR), skipped",
        "Somaliland: no ISO 3166 code, skipped",
    ]
    assert set(result.scores["iso3"]) == {*published, "AFG"}
    assert len(result.scores) == 3 * 11  # 13 records less GDR and Somaliland, three indices each
    assert result.rows_read == 13
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.file_name == "PTS-2022.csv"
    assert (result.citation["version"], result.citation["date"]) == ("2022", "2022")
    assert [(i.index, i.better, i.minimum, i.maximum) for i in result.indices] == [
        ("pts_a", "lower", 1.0, 5.0), ("pts_h", "lower", 1.0, 5.0), ("pts_s", "lower", 1.0, 5.0)]


def test_cirights_tort_by_name_when_the_code_is_empty_or_wrong() -> None:
    path = FIXTURES / "cirights_v1.22.11.25.csv"
    result = read_import("cirights", path)
    check_columns(result)
    raw = pd.read_csv(path, encoding="utf-8-sig")
    iso = {"Germany": "DEU", "Kazakhstan": "KAZ", "Kosovo": "XKX", "Russia": "RUS", "Afghanistan": "AFG"}
    kept = raw[raw["country"].isin(iso)]
    expected = {(iso[c], int(y)): float(t) for c, y, t in zip(kept["country"], kept["year"], kept["tort"],
                                                                strict=True)}
    got = scores_of(result, "cirights_tort")
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == value or (math.isnan(got[key]) and math.isnan(value)), key
    assert got[("KAZ", 2020)] == 0.0 and got[("RUS", 2020)] == 0.0  # 0 = frequent torture
    assert row(result, "cirights_tort", "AFG", 1992)["missing_reason"] == "no value in tort"
    assert result.kept_as_user_code == ["Kosovo: no ISO 3166 code, kept as XKX"]
    assert result.skipped == ["Soviet Union (RUS): CIRIGHTS codes the Soviet Union RUS; "
                              "no ISO 3166-1 code since 1992 (former SUN), skipped"]
    assert (result.citation["version"], result.citation["date"]) == ("1.22.11.25", "2022-11-25")
    assert [(i.index, i.better, i.minimum, i.maximum) for i in result.indices] == [
        ("cirights_tort", "higher", 0.0, 2.0)]


def test_hrmi_torture_mean_and_percentiles() -> None:
    path = FIXTURES / "cpr-scores_v5-1.csv"
    result = read_import("hrmi", path)
    check_columns(result)
    published = {("KAZ", 2019): 3.21, ("KAZ", 2020): 3.49, ("KAZ", 2021): 3.82,
                 ("KGZ", 2019): 4.80, ("KGZ", 2020): 4.30, ("KGZ", 2021): 4.35}
    got = scores_of(result, "hrmi_torture")
    assert {key: round(value, 2) for key, value in got.items()} == published
    raw = pd.read_csv(path)
    tort = raw[raw["metric_code"] == "tort"]
    for iso3, year, low, high in zip(tort["country_code"], tort["year"], tort["lobound_10"],
                                     tort["upbound_90"], strict=True):
        found = row(result, "hrmi_torture", iso3, int(year))
        assert (found["low"], found["high"]) == (low, high)
    assert result.rows_read == 7 and len(result.scores) == 6
    assert result.kept_as_user_code == [] and result.skipped == []
    assert result.citation["version"] == "5-1"


def test_vdem_codes_user_assigned_and_historical() -> None:
    result = read_import("vdem", FIXTURES / "V-Dem-CY-Core-v15.csv")
    check_columns(result)
    assert row(result, "v2cltort", "KAZ", 2021) | {} == {
        "index": "v2cltort", "iso3": "KAZ", "year": 2021, "score": -0.733, "low": -1.205, "high": -0.262,
        "missing_reason": None}
    assert scores_of(result, "v2cltort") == pytest.approx({
        ("KAZ", 2020): -0.512, ("KAZ", 2021): -0.733, ("XKX", 2021): 1.874, ("ZZB", 2021): 0.415,
        ("PSE", 2021): -0.402, ("RUS", 2021): -1.655, ("ARM", 2021): math.nan}, nan_ok=True)
    assert row(result, "v2cltort", "ARM", 2021)["missing_reason"] == "no value in v2cltort"
    assert result.kept_as_user_code == ["Kosovo (XKX): no ISO 3166 code, kept as XKX",
                                        "Zanzibar (ZZB): no ISO 3166 code, kept as ZZB"]
    assert result.skipped == [
        "German Democratic Republic (DDR): no ISO 3166-1 code since 1990 (former DDR), skipped",
        "Somaliland (SML): no ISO 3166 code; part of Somalia (SOM) in ISO 3166, skipped",
    ]
    assert result.citation["version"] == "15"
    assert [(i.index, i.better, i.minimum, i.maximum) for i in result.indices] == [
        ("v2cltort", "higher", None, None)]


def test_a_code_that_is_iso_for_another_country_is_not_taken(tmp_path: Path) -> None:
    path = tmp_path / "V-Dem-CY-Full+Others-v14.csv"
    path.write_text("country_name,country_text_id,country_id,year,v2cltort,v2cltort_codelow,v2cltort_codehigh\n"
                    "Modena,MDA,999,1850,0.1,0.0,0.2\nWurttemberg,WTM,998,1850,0.3,0.2,0.4\n")
    result = read_import("vdem", path)
    assert result.scores.empty
    assert result.skipped == [
        "Modena (MDA): MDA is the ISO 3166 code of Moldova, Republic of, not this name, skipped",
        "Wurttemberg (WTM): no ISO 3166 code, skipped"]
    assert result.citation["version"] == "14"


def test_bad_cell_names_file_line_and_column() -> None:
    with pytest.raises(DataError) as caught:
        read_import("pts", FIXTURES / "pts_bad_cell.csv")
    assert caught.value.message == "pts_bad_cell.csv:4: PTS_A: not a number ('x')"


PTS_HEADER = ("Country,Country_OLD,Year,COW_Code_A,COW_Code_N,WordBank_Code_A,UN_Code_N,Region,"
              "PTS_A,PTS_H,PTS_S,NA_Status_A,NA_Status_H,NA_Status_S\n")
ARMENIA = "Armenia,Armenia,2021,ARM,371,ARM,51,eca,3,3,3,0,0,0\n"


@pytest.mark.parametrize(("body", "message"), [
    (ARMENIA + "Belarus,Belarus,2021,BLR,370,BLR,112,eca,4,4\n",
     "pts.csv:3: row has 10 fields, the header has 14"),
    (ARMENIA + "Belarus,Belarus,2021,BLR,370,BLR,112,eca,4,4,4,0,0,0,9\n",
     "pts.csv:3: row has 15 fields, the header has 14"),
    (ARMENIA + '"Belarus,\nBLR",Belarus,2021.5,BLR,370,BLR,112,eca,4,4,4,0,0,0\n',
     "pts.csv:3: Year: not a whole number ('2021.5')"),
    (ARMENIA + "Belarus,Belarus,,BLR,370,BLR,112,eca,4,4,4,0,0,0\n", "pts.csv:3: Year: missing year"),
    (ARMENIA + ARMENIA.replace(",3,3,3,", ",3,6,3,"),
     "pts.csv:3: PTS_H: not a whole number from 1 to 5 ('6')"),
    (ARMENIA + ARMENIA.replace(",3,3,3,", ",3,3,2.5,"),
     "pts.csv:3: PTS_S: not a whole number from 1 to 5 ('2.5')"),
    ("\n" + ARMENIA + "Belarus,Belarus,2021,BLR,370,BLR,112,eca,4,n/a,4,0,0,0\n",
     "pts.csv:4: PTS_H: not a number ('n/a')"),
    (ARMENIA + ARMENIA.replace(",3,3,3,", ",2,3,3,"),
     "pts.csv:3: PTS_A: second row for ARM 2021 (first on line 2, this on 3)"),
    (ARMENIA + '"Belarus,Belarus,2021,BLR,370,BLR,112,eca,4,4,4,0,0,0\n',
     'pts.csv:3: a quoted field is never closed (a " without its partner)'),
    (ARMENIA + '"Bela\nrus",Belarus,2021,BLR,370,BLR,112,eca,4,4,4,0,0,0\n'
     + ARMENIA.replace("Armenia,Armenia", '"Armenia,Armenia'),
     'pts.csv:5: a quoted field is never closed (a " without its partner)'),
    (ARMENIA + "Belarus\n", "pts.csv:3: row has 1 field, the header has 14"),
])
def test_broken_files(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "pts.csv"
    path.write_text(PTS_HEADER + body)
    with pytest.raises(DataError) as caught:
        read_import("pts", path)
    assert caught.value.message == message


def test_missing_column_and_unknown_source(tmp_path: Path) -> None:
    path = tmp_path / "pts.csv"
    path.write_text(PTS_HEADER.replace(",PTS_S", ",PTS_X") + ARMENIA)
    with pytest.raises(DataError) as caught:
        read_import("pts", path)
    assert caught.value.message == "pts.csv:1: missing column PTS_S"
    with pytest.raises(UsageError) as usage:
        read_import("ptss", path)
    assert usage.value.message == (
        "unknown source 'ptss' (did you mean pts?); sources: vdem, pts, cirights, hrmi")
    assert SOURCES == ("vdem", "pts", "cirights", "hrmi")


def write_wide_vdem(path: Path, columns: int, rows: int) -> pd.DataFrame:
    """A V-Dem-shaped file with `columns` columns; returns the needed columns as written."""
    rng = np.random.default_rng(13)
    codes = ["KAZ", "KGZ", "RUS", "ARM", "UKR"]
    names = ["Kazakhstan", "Kyrgyzstan", "Russia", "Armenia", "Ukraine"]
    needed = pd.DataFrame({
        "country_name": [names[i % 5] for i in range(rows)],
        "country_text_id": [codes[i % 5] for i in range(rows)],
        "year": [1900 + i // 5 for i in range(rows)],
        "v2cltort": np.round(rng.normal(size=rows), 3),
    })
    needed["v2cltort_codelow"] = needed["v2cltort"] - 0.5
    needed["v2cltort_codehigh"] = needed["v2cltort"] + 0.5
    filler = pd.DataFrame(np.round(rng.random((rows, columns - 7)), 3),
                          columns=[f"v2x_filler{i}" for i in range(columns - 7)])
    wide = pd.concat([needed.iloc[:, :2], pd.DataFrame({"country_id": 1}, index=needed.index),
                      needed.iloc[:, 2:3], filler.iloc[:, : columns // 2], needed.iloc[:, 3:],
                      filler.iloc[:, columns // 2:]], axis=1)
    assert wide.shape[1] == columns
    wide.to_csv(path, index=False)
    return needed


def test_wide_vdem_file_reads_only_the_needed_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "V-Dem-CY-Full+Others-v15.csv"
    needed = write_wide_vdem(path, columns=4000, rows=60)
    calls: list[dict[str, Any]] = []
    real = pd.read_csv

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", spy)
    seen: list[tuple[int, int]] = []
    result = read_import("vdem", path, progress=lambda done, total: seen.append((done, total)))
    assert len(calls) == 1
    assert sorted(calls[0]["usecols"]) == sorted(["country_name", "country_text_id", "year", "v2cltort",
                                                  "v2cltort_codelow", "v2cltort_codehigh"])
    size = path.stat().st_size
    assert seen[-1] == (size, size)
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))
    expected = needed.assign(iso3=needed["country_text_id"])
    got = result.scores.sort_values(["iso3", "year"]).reset_index(drop=True)
    expected = expected.sort_values(["iso3", "year"]).reset_index(drop=True)
    assert got["iso3"].tolist() == expected["iso3"].tolist()
    assert got["year"].tolist() == expected["year"].tolist()
    assert got["score"].tolist() == expected["v2cltort"].tolist()
    assert got["low"].tolist() == expected["v2cltort_codelow"].tolist()
    assert got["high"].tolist() == expected["v2cltort_codehigh"].tolist()
    assert result.rows_read == 60
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_wide_vdem_bad_cell_far_right_is_found(tmp_path: Path) -> None:
    path = tmp_path / "V-Dem-CY-Core-v15.csv"
    write_wide_vdem(path, columns=400, rows=30)
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[20].split(",")
    cells[header.index("v2cltort_codehigh")] = "high"
    lines[20] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        read_import("vdem", path)
    assert caught.value.message == "V-Dem-CY-Core-v15.csv:21: v2cltort_codehigh: not a number ('high')"


def test_the_checking_thread_sees_every_block_in_order_and_its_errors_reach_the_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hash and field count run beside pandas: same digest as hashlib over the whole file,
    blocks in file order, and a failure in that thread is raised where the file is read."""
    import io

    from tindex.importers import _reading

    data = b"a,b\n" + b"".join(b"%d,%d\n" % (n, n * 7) for n in range(50_000))
    with _reading._Tap(io.BytesIO(data), len(data), None) as tap:
        while tap.read(1000):
            pass
    assert tap.sha256.hexdigest() == hashlib.sha256(data).hexdigest()
    assert tap.fields.ragged is None and tap.done == len(data)

    ragged = data + b"1,2,3\n"
    with _reading._Tap(io.BytesIO(ragged), len(ragged), None) as tap:
        tap.drain()
    assert tap.fields.ragged is not None and tap.fields.ragged.line == 50_002

    def broken(self: object, block: bytes) -> None:
        raise MemoryError("from the checking thread")

    monkeypatch.setattr(_reading._FieldCounter, "feed", broken)
    with pytest.raises(MemoryError, match="from the checking thread"), \
            _reading._Tap(io.BytesIO(data), len(data), None) as tap:
        tap.drain()
