"""`tindex delta --year YEAR --format csv` written by hand: pandas with dtype hints, no checks.
python pandas_delta.py DATA_DIR YEAR

Every country's change into YEAR from the previous year with data, largest rise first;
percentage change only from a positive base without a sign flip.
"""

import sys

import pandas as pd
from common import latest, names, scores

directory, year = sys.argv[1], int(sys.argv[2])
table = scores(directory)
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
before, after = both["score_before"], both["score"]
both["country"] = both["iso3"].astype(str).map(names(directory))
both["previous"] = before
both["change"] = (after - before).round(2)
both["pct_change"] = ((after - before) / before.where((before > 0) & (after >= 0)) * 100).round(1)
# rank change among the countries measured in both years, as tindex defines it
common = both["score_before"].notna()
both["rank_change"] = (both.loc[common, "score_before"].rank(method="min", ascending=False)
                       - both.loc[common, "score"].rank(method="min", ascending=False)).astype("Int64")
both["caveat_ids"] = ""  # the directory has no caveats.csv
both = both.sort_values(["change", "country"], ascending=[False, True], na_position="last")
both[["country", "iso3", "year", "previous", "score", "change", "pct_change", "rank",
      "rank_change", "source_id", "caveat_ids"]].to_csv(sys.stdout, index=False)
