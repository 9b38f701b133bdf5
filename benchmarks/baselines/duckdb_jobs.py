"""The large jobs in DuckDB, as an outside reference: rank, delta (all countries), compare.

    python duckdb_jobs.py rank    index_scores.csv 2024
    python duckdb_jobs.py delta   index_scores.csv 2024
    python duckdb_jobs.py compare index_scores.csv Kazakhstan Kyrgyzstan

Same columns and order as tindex's CSV; DuckDB uses all cores (tindex and pandas use one).
"""

import csv
import sys

import duckdb

SCORES = """
scores AS (SELECT * FROM read_csv($path, header = true, delim = ',', quote = '"', escape = '"',
                                  columns = {
    'country': 'VARCHAR', 'iso3': 'VARCHAR', 'year': 'INTEGER', 'score': 'DOUBLE',
    'source_id': 'VARCHAR'})),
"""
RANKED = """
previous AS (SELECT max(year) AS year FROM scores WHERE year < $year),
now AS (SELECT *, rank() OVER (ORDER BY score DESC) AS rank FROM scores WHERE year = $year),
before AS (SELECT iso3, score, rank() OVER (ORDER BY score DESC) AS rank FROM scores
           WHERE year = (SELECT year FROM previous))
"""
QUERIES = {
    "rank": "WITH" + SCORES + RANKED + """
SELECT now.rank, now.country, now.iso3, now.score, round(now.score - before.score, 2) AS change,
       before.rank - now.rank AS rank_change, now.source_id
FROM now LEFT JOIN before USING (iso3) ORDER BY now.rank, now.country
""",
    "delta": "WITH" + SCORES + RANKED + """
SELECT now.country, now.iso3, before.score AS previous, now.score,
       round(now.score - before.score, 2) AS change,
       round(CASE WHEN before.score > 0 AND now.score >= 0
                  THEN (now.score - before.score) / before.score * 100 END, 1) AS pct_change,
       now.rank, before.rank - now.rank AS rank_change, now.source_id
FROM now LEFT JOIN before USING (iso3)
ORDER BY change DESC NULLS LAST, now.country
""",
    "compare": "WITH" + SCORES + """
a AS (SELECT year, score, source_id FROM scores WHERE country = $first),
b AS (SELECT year, score, source_id FROM scores WHERE country = $second)
SELECT year, a.score AS "{first}", b.score AS "{second}", round(a.score - b.score, 2) AS gap,
       array_to_string(list_sort(list_distinct(list_value(a.source_id, b.source_id))), ';')
           AS source_id
FROM a FULL JOIN b USING (year) ORDER BY year
""",
}

job, path = sys.argv[1], sys.argv[2]
if job == "compare":
    first, second = sys.argv[3], sys.argv[4]
    query = QUERIES[job].replace("{first}", first.replace('"', '""')).replace(
        "{second}", second.replace('"', '""'))
    params = {"path": path, "first": first, "second": second}
else:
    query, params = QUERIES[job], {"path": path, "year": int(sys.argv[3])}
relation = duckdb.sql(query, params=params)
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(relation.columns)
out.writerows(relation.fetchall())
