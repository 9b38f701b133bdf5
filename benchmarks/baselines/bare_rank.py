"""The issue's bare script: import pandas, read_csv, filter the year, sort, to_csv."""

import sys

import pandas as pd

scores = pd.read_csv(sys.argv[1])
scores = scores[scores["year"] == int(sys.argv[2])].sort_values("score", ascending=False)
scores.to_csv(sys.stdout, index=False)
