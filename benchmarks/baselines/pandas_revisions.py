"""`tindex revisions --format csv` written by hand: pandas with dtype hints, no checks.
python pandas_revisions.py DATA_DIR

Every country-year whose value differs between releases: each release's value, in
release order, and the change from the release before.
"""

import sys

from common import names, scores

directory = sys.argv[1]
table = scores(directory)
spread = table.groupby(["iso3", "year"], observed=True)["score"].transform("nunique")
found = table[spread > 1].assign(iso3=lambda f: f["iso3"].astype(str))
found = found.sort_values(["iso3", "year", "release"])
found["change"] = found.groupby(["iso3", "year"])["score"].diff().round(2)
found["country"] = found["iso3"].map(names(directory))
found["caveat_ids"] = ""  # the directory has no caveats.csv
found[["country", "iso3", "year", "release", "score", "change", "source_id", "caveat_ids"]].to_csv(
    sys.stdout, index=False)
