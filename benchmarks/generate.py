"""Write synthetic tindex data directories for the benchmarks (same schema as data/).

    python benchmarks/generate.py 100k 1m max          # into benchmarks/work/data-<size>
    python benchmarks/generate.py 250000 --out /tmp/x  # one directory, exact row count

Each directory holds index_scores.csv (country, iso3, year, score, source_id; sorted by
country then year, as data/ is) and sources.csv, and passes `tindex validate`. The same
seed gives byte-identical files. Countries are every ISO 3166-1 alpha-3 code the loader
accepts (tindex.locate.iso3_codes), named as pycountry names them; years are spread
around 2024 so that `rank 2024` and `delta --year 2024` work at every size.

The schema keys scores by (iso3, year) with years 1..9999, so a data directory holds at
most codes x 9999 rows ((249 + 1,092) x 9999 = 13.4M); `max` asks for exactly that, and
a larger request is refused rather than written as data the loader would reject.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from tindex import schema
from tindex.locate import iso3_codes

WORK = Path(__file__).resolve().parent / "work"
PIVOT_YEAR = 2024  # the year the benchmarks rank; every size includes it and the year before
SOURCE_IDS = ("synthetic-a", "synthetic-b", "synthetic-c", "synthetic-d", "synthetic-e")
CHUNK_ROWS = 1_000_000  # rows written per to_csv call, to bound the generator's memory


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
    """(codes, names), sorted by name; names from pycountry, a placeholder for codes it lacks."""
    import pycountry

    known = {c.alpha_3: str(c.name) for c in pycountry.countries}
    codes = sorted(iso3_codes())
    names = [known.get(code, f"Territory {code}") for code in codes]
    order = sorted(range(len(codes)), key=lambda i: names[i])
    return [codes[i] for i in order], [names[i] for i in order]


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
    one more), starting at the same year, placed so that PIVOT_YEAR - 1 and PIVOT_YEAR
    are inside whenever there is room.
    """
    low, high = year_limits()
    per_country, extra = divmod(rows, n_countries)
    longest = per_country + (1 if extra else 0)
    first = max(low, min(PIVOT_YEAR - longest // 2, high - longest + 1))
    counts = np.full(n_countries, per_country, dtype=np.int64)
    counts[:extra] += 1
    country = np.repeat(np.arange(n_countries, dtype=np.int64), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    year = first + (np.arange(rows, dtype=np.int64) - starts)
    return country, year


def write(directory: Path, rows: int | None, seed: int) -> int:
    """Write one data directory; returns the number of score rows."""
    limit = capacity()
    rows = limit if rows is None else rows
    if rows > limit:
        low, high = year_limits()
        raise SystemExit(
            f"generate.py: {rows:,} rows do not fit the schema: index_scores is keyed by "
            f"(iso3, year), {len(iso3_codes())} ISO codes x years {low}..{high} = {limit:,} rows "
            "at most (use 'max' for the largest legal directory)"
        )
    codes, names = countries()
    rng = np.random.default_rng(seed)
    country, year = layout(rows, len(codes))
    score = np.round(np.clip(rng.normal(40.0, 60.0, rows), -150.0, 150.0), 2)
    source = rng.integers(0, len(SOURCE_IDS), rows)
    directory.mkdir(parents=True, exist_ok=True)
    sources = pd.DataFrame({
        "source_id": list(SOURCE_IDS),
        "title": [f"Synthetic scores, part {s[-1]}" for s in SOURCE_IDS],
        "publisher": "tindex benchmarks",
        "date": "2025-01-01",
        "url": [f"https://example.org/tindex-benchmarks/{s}" for s in SOURCE_IDS],
        "note": f"Random data (seed {seed}) made by benchmarks/generate.py; not real figures.",
    })
    sources.to_csv(directory / "sources.csv", index=False, lineterminator="\n")
    code_cat = pd.Categorical.from_codes(country, categories=codes)
    name_cat = pd.Categorical.from_codes(country, categories=names)
    source_cat = pd.Categorical.from_codes(source, categories=list(SOURCE_IDS))
    path = directory / "index_scores.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        for begin in range(0, rows, CHUNK_ROWS):
            part = slice(begin, min(begin + CHUNK_ROWS, rows))
            pd.DataFrame({
                "country": name_cat[part],
                "iso3": code_cat[part],
                "year": year[part],
                "score": score[part],
                "source_id": source_cat[part],
            }).to_csv(handle, index=False, header=begin == 0, lineterminator="\n",
                      float_format="%.2f")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=parse_size, metavar="SIZE",
                        help="row counts: 100k, 1m, 2500000 or max (the schema's limit)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output directory (one SIZE only); default benchmarks/work/data-SIZE")
    parser.add_argument("--seed", type=int, default=20240, help="random seed (default 20240)")
    args = parser.parse_args()
    if args.out is not None and len(args.sizes) != 1:
        parser.error("--out takes exactly one SIZE")
    for size in args.sizes:
        directory = args.out or WORK / f"data-{size_label(size)}"
        rows = write(directory, size, args.seed)
        sys.stderr.write(f"generate.py: {directory}: {rows:,} score rows\n")


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
