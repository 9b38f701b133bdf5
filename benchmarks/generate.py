"""Write synthetic tindex data directories for the benchmarks (same layout as data/).

    python benchmarks/generate.py 100k 1m max            # into benchmarks/work/data-<size>
    python benchmarks/generate.py 1m --releases          # into benchmarks/work/data-<size>-releases
    python benchmarks/generate.py 250000 --out /tmp/x    # one directory, exact country-years

Each directory holds countries.csv (every ISO 3166-1 alpha-3 code the loader accepts,
tindex.locate.is_iso3, named as pycountry names them), indices.csv (one score index,
`csp`), sources.csv, releases.csv and index_scores.csv (index, iso3, year, score,
source_id; sorted by iso3 then year, as data/ is), and passes `tindex validate`. The
same seed gives byte-identical files. Years are spread around 2024 so that `rank 2024`
and `delta --year 2024` work at every size.

With --releases, index_scores.csv also has a `release` column: every country-year is in
release 2, and a share of them (RELEASE_SHARE) also in release 1, half of those with a
different value (a revision). That directory has about 10% more rows than country-years.

The schema keys scores by (index, iso3, year[, release]) with years 1..9999, so a
directory holds at most codes x 9999 country-years ((249 + 1,092) x 9999 = 13.4M); `max`
asks for exactly that, and a larger request is refused rather than written as data the
loader would reject.
"""

from __future__ import annotations

import argparse
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from tindex import schema
from tindex.locate import is_iso3

WORK = Path(__file__).resolve().parent / "work"
PIVOT_YEAR = 2024  # the year the benchmarks rank; every size includes it and the year before
SOURCE_IDS = ("synthetic-a", "synthetic-b", "synthetic-c", "synthetic-d", "synthetic-e")
CHUNK_ROWS = 1_000_000  # rows written per to_csv call, to bound the generator's memory
INDEX = "csp"  # the one score index (the default index, as in data/)
RELEASE_SHARE = 0.1  # with --releases: the share of country-years also in release 1


@cache
def iso3_codes() -> tuple[str, ...]:
    """Every code tindex accepts (pycountry's and the user-assigned ranges), in order."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return tuple(code for code in (a + b + c for a in letters for b in letters for c in letters)
                 if is_iso3(code))


def parse_size(text: str) -> int | None:
    """'100k' -> 100000, '1m' -> 1000000, '2500000' -> 2500000, 'max' -> None."""
    value = text.strip().lower().replace("_", "")
    if value == "max":
        return None
    factor = {"k": 1_000, "m": 1_000_000}.get(value[-1:], 1)
    number = value[:-1] if factor > 1 else value
    if not number.isdigit() or int(number) == 0:
        raise argparse.ArgumentTypeError(f"not a row count: {text!r} (e.g. 100k, 1m, 2500000, max)")
    return int(number) * factor


def countries() -> tuple[list[str], list[str]]:
    """(codes, names), sorted by code; names from pycountry, a placeholder for codes it lacks."""
    import pycountry

    known = {c.alpha_3: str(c.name) for c in pycountry.countries}
    codes = sorted(iso3_codes())
    return codes, [known.get(code, f"Territory {code}") for code in codes]


def year_limits() -> tuple[int, int]:
    year = schema.INDEX_SCORES.column("year")
    assert year.minimum is not None and year.maximum is not None
    return year.minimum, year.maximum


def capacity() -> int:
    """The most index_scores rows the schema allows: one per (iso3, year)."""
    low, high = year_limits()
    return len(iso3_codes()) * (high - low + 1)


def layout(rows: int, n_countries: int) -> tuple[np.ndarray, np.ndarray]:
    """(country position, year) per row, sorted by country then year, exactly `rows` long.

    Every country gets q or q+1 consecutive years (the first rows % n_countries countries
    one more), all ending in the same year: PIVOT_YEAR when there is room (no year in the
    future), else the year that lets the longest series start at the schema's first year.
    """
    low, _high = year_limits()
    per_country, extra = divmod(rows, n_countries)
    longest = per_country + (1 if extra else 0)
    last = max(PIVOT_YEAR, low + longest - 1)
    counts = np.full(n_countries, per_country, dtype=np.int64)
    counts[:extra] += 1
    country = np.repeat(np.arange(n_countries, dtype=np.int64), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    year = np.repeat(last - counts + 1, counts) + (np.arange(rows, dtype=np.int64) - starts)
    return country, year


def write(directory: Path, rows: int | None, seed: int, releases: bool = False) -> int:
    """Write one data directory; returns the number of index_scores rows."""
    limit = capacity()
    rows = limit if rows is None else rows
    if rows > limit:
        low, high = year_limits()
        raise SystemExit(
            f"generate.py: {rows:,} rows do not fit the schema: index_scores is keyed by "
            f"(index, iso3, year), {len(iso3_codes())} ISO codes x years {low}..{high} = "
            f"{limit:,} country-years at most (use 'max' for the largest legal directory)"
        )
    codes, names = countries()
    rng = np.random.default_rng(seed)
    country, year = layout(rows, len(codes))
    score = np.round(np.clip(rng.normal(40.0, 60.0, rows), -150.0, 150.0), 2)
    source = rng.integers(0, len(SOURCE_IDS), rows)
    release = np.full(rows, 2, dtype=np.int64)
    if releases:  # a share of country-years also in release 1, half of them revised
        earlier = np.flatnonzero(rng.random(rows) < RELEASE_SHARE)
        revised = rng.random(len(earlier)) < 0.5
        first_score = np.where(revised, np.round(score[earlier] + rng.normal(0, 5, len(earlier)), 2),
                               score[earlier])
        order = np.argsort(np.concatenate((np.arange(rows), earlier)), kind="stable")
        country = np.concatenate((country, country[earlier]))[order]
        year = np.concatenate((year, year[earlier]))[order]
        score = np.concatenate((score, first_score))[order]
        source = np.concatenate((source, source[earlier]))[order]
        release = np.concatenate((release, np.ones(len(earlier), dtype=np.int64)))[order]
        # within a country-year, release 1 first: the stable sort put it second
        twice = np.flatnonzero(release == 1)
        for column in (score, source, release):
            column[twice - 1], column[twice] = column[twice].copy(), column[twice - 1].copy()
    directory.mkdir(parents=True, exist_ok=True)
    note = f"Random data (seed {seed}) made by benchmarks/generate.py; not real figures."
    pd.DataFrame({
        "source_id": list(SOURCE_IDS),
        "title": [f"Synthetic scores, part {s[-1]}" for s in SOURCE_IDS],
        "publisher": "tindex benchmarks",
        "date": "2025-01-01",
        "url": [f"https://example.org/tindex-benchmarks/{s}" for s in SOURCE_IDS],
        "note": note,
    }).to_csv(directory / "sources.csv", index=False, lineterminator="\n")
    pd.DataFrame({"iso3": codes, "name": names, "kind": "name", "note": ""}).to_csv(
        directory / "countries.csv", index=False, lineterminator="\n")
    pd.DataFrame({
        "index": [INDEX], "kind": ["score"], "better": ["higher"], "minimum": [""],
        "maximum": [""], "year_means": ["data year"], "name": ["Synthetic index"],
        "publisher": ["tindex benchmarks"], "description": [note], "source_id": [SOURCE_IDS[0]],
    }).to_csv(directory / "indices.csv", index=False, lineterminator="\n")
    pd.DataFrame({"index": INDEX, "release": [1, 2], "source_id": list(SOURCE_IDS[:2]),
                  "note": ["Earlier release (synthetic).", "Later release (synthetic)."]}).to_csv(
        directory / "releases.csv", index=False, lineterminator="\n")
    code_cat = pd.Categorical.from_codes(country, categories=codes)
    source_cat = pd.Categorical.from_codes(source, categories=list(SOURCE_IDS))
    total = len(country)
    path = directory / "index_scores.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        for begin in range(0, total, CHUNK_ROWS):
            part = slice(begin, min(begin + CHUNK_ROWS, total))
            columns = {"index": INDEX, "iso3": code_cat[part], "year": year[part],
                       "score": score[part]}
            if releases:
                columns["release"] = release[part]
            columns["source_id"] = source_cat[part]
            pd.DataFrame(columns).to_csv(handle, index=False, header=begin == 0,
                                         lineterminator="\n", float_format="%.2f")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=parse_size, metavar="SIZE",
                        help="row counts: 100k, 1m, 2500000 or max (the schema's limit)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory (one SIZE only); default benchmarks/work/data-SIZE")
    parser.add_argument("--seed", type=int, default=20240, help="random seed (default 20240)")
    parser.add_argument("--releases", action="store_true",
                        help="add a release column (two releases for a share of country-years)")
    args = parser.parse_args()
    if args.out is not None and len(args.sizes) != 1:
        parser.error("--out takes exactly one SIZE")
    for size in args.sizes:
        directory = args.out or WORK / directory_name(size, args.releases)
        rows = write(directory, size, args.seed, args.releases)
        sys.stderr.write(f"generate.py: {directory}: {rows:,} score rows\n")


def directory_name(rows: int | None, releases: bool) -> str:
    """The directory run.py and generate.py use for a size: data-1m, data-1m-releases."""
    return f"data-{size_label(rows)}" + ("-releases" if releases else "")


def size_label(rows: int | None) -> str:
    """100000 -> '100k', 1000000 -> '1m', None -> 'max'."""
    if rows is None:
        return "max"
    for suffix, factor in (("m", 1_000_000), ("k", 1_000)):
        if rows % factor == 0:
            return f"{rows // factor}{suffix}"
    return str(rows)


if __name__ == "__main__":
    main()
