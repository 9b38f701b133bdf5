"""The large jobs in DuckDB, as an outside reference: rank, delta (all countries), compare.

    python duckdb_jobs.py rank    DATA_DIR 2024
    python duckdb_jobs.py delta   DATA_DIR 2024
    python duckdb_jobs.py compare DATA_DIR Kazakhstan Kyrgyzstan

Same columns and order as tindex's CSV (a directory without a release column, coverage.csv
or caveats.csv); DuckDB uses all cores (tindex and pandas use one).
"""

import csv
import sys

import duckdb

SCORES = """
names AS (SELECT iso3, name AS country FROM read_csv($countries, header = true, all_varchar = true)
          WHERE kind = 'name'),
scores AS (SELECT * FROM read_csv($path, header = true, delim = ',', quote = '"', escape = '"',
                                  columns = {
    'index': 'VARCHAR', 'iso3': 'VARCHAR', 'year': 'INTEGER', 'score': 'DOUBLE',
    'source_id': 'VARCHAR'}) JOIN names USING (iso3)),
"""
RANKED = """
previous AS (SELECT max(year) AS year FROM scores WHERE year < $year),
now AS (SELECT *, rank() OVER (ORDER BY score DESC) AS rank FROM scores WHERE year = $year),
before AS (SELECT iso3, score, source_id, rank() OVER (ORDER BY score DESC) AS rank FROM scores
           WHERE year = (SELECT year FROM previous))
"""
QUERIES = {
    "rank": "WITH" + SCORES + RANKED + """
SELECT now.rank, count(*) OVER () AS "of", now.country, now.iso3, now.year, now.score,
       round(now.score - before.score, 2) AS change,
       before.rank - now.rank AS rank_change, NULL AS measured,
       CASE WHEN before.score IS NULL OR before.source_id = now.source_id THEN now.source_id
            ELSE array_to_string(list_sort([now.source_id, before.source_id]), ';') END AS source_id,
       NULL AS caveat_ids
FROM now LEFT JOIN before USING (iso3) ORDER BY now.rank, now.country
""",
    "delta": "WITH" + SCORES + RANKED + """
SELECT now.country, now.iso3, now.year, before.score AS previous, now.score,
       round(now.score - before.score, 2) AS change,
       round(CASE WHEN before.score > 0 AND now.score >= 0
                  THEN (now.score - before.score) / before.score * 100 END, 1) AS pct_change,
       now.rank, before.rank - now.rank AS rank_change,
       CASE WHEN before.score IS NULL OR before.source_id = now.source_id THEN now.source_id
            ELSE array_to_string(list_sort([now.source_id, before.source_id]), ';') END AS source_id,
       NULL AS caveat_ids
FROM now LEFT JOIN before USING (iso3)
ORDER BY change DESC NULLS LAST, now.country
""",
    "compare": "WITH" + SCORES + """
a AS (SELECT year, score, source_id FROM scores WHERE country = $first),
b AS (SELECT year, score, source_id FROM scores WHERE country = $second)
SELECT year, a.score AS "{first}", b.score AS "{second}", round(a.score - b.score, 2) AS gap,
       array_to_string(list_sort(list_distinct(list_value(a.source_id, b.source_id))), ';')
           AS source_id, NULL AS caveat_ids
FROM a FULL JOIN b USING (year) ORDER BY year
""",
}

job, directory = sys.argv[1], sys.argv[2]
files = {"path": f"{directory}/index_scores.csv", "countries": f"{directory}/countries.csv"}
if job == "compare":
    first, second = sys.argv[3], sys.argv[4]
    query = QUERIES[job].replace("{first}", first.replace('"', '""')).replace(
        "{second}", second.replace('"', '""'))
    params = files | {"first": first, "second": second}
else:
    query, params = QUERIES[job], files | {"year": int(sys.argv[3])}
relation = duckdb.sql(query, params=params)
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(relation.columns)
out.writerows(relation.fetchall())
