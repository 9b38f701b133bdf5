"""`tindex validate` on a synthetic directory, written by hand: pandas with dtype hints.
python pandas_validate.py DATA_DIR

The checks a careful script would make on index_scores.csv: no empty cells, finite
scores, years in 1..9999, one row per key, and every code, index, release and source id
declared in its table. Prints the row count of each file (not tindex's wording).
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from common import DTYPES

directory = Path(sys.argv[1])
tables = {name: pd.read_csv(directory / f"{name}.csv", keep_default_na=False)
          for name in ("sources", "countries", "indices", "releases")}
scores = pd.read_csv(directory / "index_scores.csv", dtype=DTYPES)
key = [c for c in ("index", "iso3", "year", "release") if c in scores]
problems = [
    scores.isna().any().any(),
    not np.isfinite(scores["score"].to_numpy()).all(),
    not scores["year"].between(1, 9999).all(),
    scores.duplicated(key).any(),
    not scores["iso3"].isin(tables["countries"]["iso3"]).all(),
    not scores["index"].isin(tables["indices"]["index"]).all(),
    not scores["source_id"].isin(tables["sources"]["source_id"]).all(),
    "release" in scores and not scores["release"].isin(tables["releases"]["release"]).all(),
]
if any(problems):
    sys.exit(f"problems: {problems}")
counts = {name: len(frame) for name, frame in tables.items()} | {"index_scores": len(scores)}
print(", ".join(f"{name}: {count}" for name, count in counts.items()))
