"""`tindex rank YEAR --format csv` written by hand: pandas with dtype hints, no checks.

Same output as tindex (rank with ties sharing the better rank, change and rank change
since the previous year with data, best first, ties by country).
"""

import sys

import pandas as pd

DTYPES = {"country": "category", "iso3": "category", "year": "int64", "score": "float64",
          "source_id": "category"}
scores = pd.read_csv(sys.argv[1], dtype=DTYPES, usecols=list(DTYPES))
year = int(sys.argv[2])
previous = scores.loc[scores["year"] < year, "year"].max()


def ranked(y: int) -> pd.DataFrame:
    rows = scores[scores["year"] == y]
    return rows.assign(rank=rows["score"].rank(method="min", ascending=False).astype("Int64"))


both = ranked(year).merge(ranked(previous)[["iso3", "score", "rank"]], on="iso3", how="left",
                          suffixes=("", "_before"))
both["change"] = (both["score"] - both["score_before"]).round(2)
# rank change among the countries measured in both years, as tindex defines it
common = both["score_before"].notna()
both["rank_change"] = (both.loc[common, "score_before"].rank(method="min", ascending=False)
                       - both.loc[common, "score"].rank(method="min", ascending=False)).astype("Int64")
both = both.sort_values(["rank", "country"])
both[["rank", "country", "iso3", "score", "change", "rank_change", "source_id"]].to_csv(
    sys.stdout, index=False)
