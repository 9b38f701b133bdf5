"""What every hand-written baseline does first: read the scores with dtype hints, keep one
release, or the latest release of each country-year, and know the country names."""

from pathlib import Path

import pandas as pd

DTYPES = {"index": "category", "iso3": "category", "year": "int64", "score": "float64",
          "release": "int64", "source_id": "category"}


def scores(directory: str, release: int | None = None) -> pd.DataFrame:
    """index_scores.csv, all of it or exactly one release's rows."""
    frame = pd.read_csv(Path(directory) / "index_scores.csv", dtype=DTYPES)
    return frame if release is None else frame[frame["release"] == release]


def latest(rows: pd.DataFrame) -> pd.DataFrame:
    """The latest release's row of each country-year (called on the rows a job needs)."""
    if "release" not in rows or rows["release"].nunique() <= 1:
        return rows
    return rows.sort_values("release").drop_duplicates(["iso3", "year"], keep="last")


def names(directory: str) -> pd.Series:
    """iso3 -> display name (the rows of kind 'name' in countries.csv)."""
    countries = pd.read_csv(Path(directory) / "countries.csv", keep_default_na=False)
    countries = countries[countries["kind"] == "name"]
    return pd.Series(countries["name"].to_numpy(), index=countries["iso3"].to_numpy())


def release_argument(position: int) -> int | None:
    import sys

    return int(sys.argv[position]) if len(sys.argv) > position else None
