"""The layout of each source's CSV: which columns to read and how they become score rows.

Index definitions (names, direction, bounds) live in indices.csv; this module only knows
where each source keeps them in its file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

SCORE_COLUMNS = ["row", "index", "code", "name", "other_name", "year", "score", "low", "high",
                 "missing_reason", "column"]


@dataclass(frozen=True)
class Layout:
    """What to read from a source's file and how to turn it into long score rows."""

    text: tuple[str, ...]
    numbers: tuple[str, ...]
    year: str
    whole_scores: bool  # ordinal scales (PTS, CIRIGHTS): a fractional score is an error
    to_rows: Callable[[pd.DataFrame], pd.DataFrame]
    version: Callable[[str], tuple[str, str]]  # file name -> (version, date)
    has_names: bool = True


def _rows(
    frame: pd.DataFrame, index: str, code: str, name: str | None, other_name: str | None, year: str,
    score: str, low: str | None, high: str | None, reason: pd.Series,
) -> pd.DataFrame:
    """One long block (one index) out of the wide frame; `row` keeps the record number."""
    empty = pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.DataFrame({
        "row": frame.index.to_numpy(),  # the data record number, for file:line in errors
        "index": index,
        "code": frame[code].fillna(""),
        "name": frame[name].fillna("") if name else "",
        "other_name": frame[other_name].fillna("") if other_name else "",
        "year": frame[year],
        "score": frame[score],
        "low": frame[low] if low else empty,
        "high": frame[high] if high else empty,
        "missing_reason": reason.where(frame[score].isna(), None).astype(object),
        "column": score,
    })


def _no_value(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.Series(f"no value in {column}", index=frame.index, dtype=object)


def _vdem_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return _rows(frame, "v2cltort", "country_text_id", "country_name", None, "year", "v2cltort",
                 "v2cltort_codelow", "v2cltort_codehigh", _no_value(frame, "v2cltort"))


@cache
def _pts_reasons() -> dict[int, str]:
    text = files("tindex.importers").joinpath("pts_na_status.csv").read_text(encoding="utf-8")
    table = pd.read_csv(io.StringIO(text), dtype={"code": "int64", "reason": "str"})
    return dict(zip(table["code"].tolist(), table["reason"].tolist(), strict=True))


def _pts_reason(status: pd.Series, column: str) -> pd.Series:
    """The NA_Status code of each row as words; a code the table lacks is shown as it is."""
    known = _pts_reasons()

    def words(code: float) -> str:
        if np.isnan(code) or code == 0:
            return f"NA in {column} with no NA_Status"
        return known.get(int(code), f"PTS NA_Status {code:g}")

    return status.map(words).astype(object)


def _pts_rows(frame: pd.DataFrame) -> pd.DataFrame:
    blocks = [
        _rows(frame, f"pts_{letter.lower()}", "WordBank_Code_A", "Country", "Country_OLD", "Year",
              f"PTS_{letter}", None, None, _pts_reason(frame[f"NA_Status_{letter}"], f"PTS_{letter}"))
        for letter in "AHS"
    ]
    return pd.concat(blocks, ignore_index=True)


def _cirights_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return _rows(frame, "cirights_tort", "iso_a3", "country", None, "year", "tort", None, None,
                 _no_value(frame, "tort"))


def _hrmi_rows(frame: pd.DataFrame) -> pd.DataFrame:
    torture = frame[frame["metric_code"] == "tort"]
    return _rows(torture, "hrmi_torture", "country_code", None, None, "year", "mean", "lobound_10",
                 "upbound_90", _no_value(torture, "mean"))


def _version(
    pattern: str, date: Callable[[re.Match[str]], str] | None = None
) -> Callable[[str], tuple[str, str]]:
    """Version (and publication date, when the name encodes one) from the file's name."""

    def read(file_name: str) -> tuple[str, str]:
        found = re.search(pattern, file_name, flags=re.IGNORECASE)
        if found is None:
            return ("unknown", "unknown")
        return (found.group(1), date(found) if date else "unknown")

    return read


LAYOUTS: dict[str, Layout] = {
    "vdem": Layout(
        text=("country_name", "country_text_id"),
        numbers=("year", "v2cltort", "v2cltort_codelow", "v2cltort_codehigh"),
        year="year", whole_scores=False, to_rows=_vdem_rows,
        # V-Dem-CY-Full+Others-v15.csv, V-Dem-CY-Core-v14.csv
        version=_version(r"V-?Dem.*?[-_ ]v(\d+(?:\.\d+)?)\b"),
    ),
    "pts": Layout(
        text=("Country", "Country_OLD", "WordBank_Code_A"),
        numbers=("Year", "PTS_A", "PTS_H", "PTS_S", "NA_Status_A", "NA_Status_H", "NA_Status_S"),
        year="Year", whole_scores=True, to_rows=_pts_rows,
        # PTS-2022.csv: the release year is the version and the date
        version=_version(r"PTS[-_ ]?(\d{4})\b", lambda found: found.group(1)),
    ),
    "cirights": Layout(
        text=("country", "iso_a3"), numbers=("year", "tort"),
        year="year", whole_scores=True, to_rows=_cirights_rows,
        # cirights_v1.22.11.25.csv: v1 released 2022-11-25
        version=_version(
            r"cirights[-_ ]?v(\d+\.(\d{2})\.(\d{2})\.(\d{2}))\b",
            lambda found: f"20{found.group(2)}-{found.group(3)}-{found.group(4)}",
        ),
    ),
    "hrmi": Layout(
        text=("country_code", "metric_code"), numbers=("year", "mean", "lobound_10", "upbound_90"),
        year="year", whole_scores=False, to_rows=_hrmi_rows, has_names=False,
        # cpr-scores_v5-1.csv
        version=_version(r"cpr[-_]scores[-_]v(\d+(?:[-.]\d+)*)\b"),
    ),
}


def file_version(source: str, path: Path) -> tuple[str, str]:
    return LAYOUTS[source].version(path.name)
