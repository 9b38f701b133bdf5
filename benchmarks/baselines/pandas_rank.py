"""`tindex rank YEAR [--release N] --format csv` written by hand: pandas with dtype hints,
no checks. python pandas_rank.py DATA_DIR YEAR [RELEASE]

Same output as tindex (rank with ties sharing the better rank, change and rank change
since the previous year with data, best first, ties by country).
"""

import sys

import pandas as pd
from common import latest, names, release_argument, scores

directory, year = sys.argv[1], int(sys.argv[2])
table = scores(directory, release_argument(3))
previous = table.loc[table["year"] < year, "year"].max()
table = latest(table[table["year"].isin([year, previous])])


def ranked(y: int) -> pd.DataFrame:
    rows = table[table["year"] == y]
    return rows.assign(rank=rows["score"].rank(method="min", ascending=False).astype("Int64"))


both = ranked(year).merge(ranked(previous)[["iso3", "score", "rank", "source_id"]], on="iso3",
                          how="left", suffixes=("", "_before"))
# a change cites the sources of both its values, each once, in order
now, then = both["source_id"].astype(str), both["source_id_before"].astype(str)
alone = both["score_before"].isna() | (now == then)
both["source_id"] = now.where(alone, now.where(now < then, then) + ";" + then.where(now < then, now))
both["of"] = len(both)
both["country"] = both["iso3"].astype(str).map(names(directory))
both["change"] = (both["score"] - both["score_before"]).round(2)
# rank change among the countries measured in both years, as tindex defines it
common = both["score_before"].notna()
both["rank_change"] = (both.loc[common, "score_before"].rank(method="min", ascending=False)
                       - both.loc[common, "score"].rank(method="min", ascending=False)).astype("Int64")
both["measured"] = both["caveat_ids"] = ""  # the directory has no coverage.csv, no caveats.csv
both = both.sort_values(["rank", "country"])
both[["rank", "of", "country", "iso3", "year", "score", "change", "rank_change", "measured",
      "source_id", "caveat_ids"]].to_csv(sys.stdout, index=False)
