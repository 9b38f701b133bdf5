"""`tindex compare A B --format csv` written by hand: pandas with dtype hints, no checks.
python pandas_compare.py DATA_DIR A B

Both countries' scores side by side per year, the gap (A minus B), and the sources of
each year's figures; countries named as countries.csv names them.
"""

import sys

from common import latest, names, scores

directory, first, second = sys.argv[1], sys.argv[2], sys.argv[3]
code = {name: iso3 for iso3, name in names(directory).items()}
table = scores(directory)
mine = latest(table[table["iso3"].isin([code[first], code[second]])])
mine = mine.assign(iso3=mine["iso3"].astype(str), source_id=mine["source_id"].astype(str))
wide = mine.pivot(index="year", columns="iso3", values="score")[[code[first], code[second]]]
wide.columns = [first, second]
wide["gap"] = (wide[first] - wide[second]).round(2)
wide["source_id"] = mine.groupby("year")["source_id"].agg(lambda ids: ";".join(sorted(set(ids))))
wide["caveat_ids"] = ""  # the directory has no caveats.csv
wide.reset_index().to_csv(sys.stdout, index=False)
