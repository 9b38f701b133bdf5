"""`tindex compare A B --format csv` written by hand: pandas with dtype hints, no checks.

Both countries' scores side by side per year, the gap (A minus B), and the sources of
each year's figures.
"""

import sys

import pandas as pd

DTYPES = {"country": "category", "iso3": "category", "year": "int64", "score": "float64",
          "source_id": "category"}
scores = pd.read_csv(sys.argv[1], dtype=DTYPES, usecols=list(DTYPES))
first, second = sys.argv[2], sys.argv[3]
mine = scores[scores["country"].isin([first, second])]
wide = mine.pivot(index="year", columns="country", values="score")[[first, second]]
wide["gap"] = (wide[first] - wide[second]).round(2)
wide["source_id"] = mine.groupby("year")["source_id"].agg(lambda ids: ";".join(sorted(set(ids))))
wide.reset_index().to_csv(sys.stdout, index=False)
