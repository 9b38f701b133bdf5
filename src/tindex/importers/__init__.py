"""Read other publishers' torture indices (V-Dem, PTS, CIRIGHTS, HRMI) into tindex's score rows.

`read_import(source, path)` reads one downloaded file in its official layout, checks every
cell it uses, maps each row's country to ISO 3166-1 alpha-3 (code and name together, see
countries.py) and returns the index definitions, score rows and citation for storage.
Nothing here writes files or prints: the CLI draws progress and the lead's storage layer
keeps the result.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from tindex.errors import DataError, UsageError, did_you_mean
from tindex.importers import _reading, countries
from tindex.importers._sources import LAYOUTS, file_version

SOURCES: tuple[str, ...] = ("vdem", "pts", "cirights", "hrmi")
SCORE_COLUMNS = ("index", "iso3", "year", "score", "low", "high", "missing_reason")


@dataclass(frozen=True)
class ImportedIndex:
    """One imported index: becomes a row of the lead's indices.csv."""

    index: str
    kind: str  # "score"
    better: str  # "higher" | "lower"
    minimum: float | None
    maximum: float | None
    name: str
    publisher: str
    description: str


@dataclass
class ImportResult:
    source: str
    indices: list[ImportedIndex]
    scores: pd.DataFrame  # SCORE_COLUMNS: str, str, int64, float64 (NaN if missing), float64, float64, object
    citation: dict[str, str]  # title, publisher, dataset, version, date, url, licence
    sha256: str
    file_name: str
    rows_read: int
    kept_as_user_code: list[str]
    skipped: list[str]


def read_import(
    source: str, path: Path, progress: Callable[[int, int], None] | None = None
) -> ImportResult:
    """Read `path` as a `source` file; DataError (file:line: column: problem) if it is broken.

    `progress(bytes_done, bytes_total)` is called as the file is read, for a progress bar.
    """
    if source not in SOURCES:
        raise UsageError(f"unknown source '{source}'{did_you_mean(source, list(SOURCES))}; "
                         f"sources: {', '.join(SOURCES)}")
    layout = LAYOUTS[source]
    header = _reading.read_header(path)
    _reading.require_columns(path, header, [*layout.text, *layout.numbers])
    table = _reading.read_columns(path, layout.text, layout.numbers, progress)
    frame = table.frame
    _check_years(path, frame, layout.year)
    rows = layout.to_rows(frame)
    definitions = _indices(source)
    _check_scores(path, rows, definitions, layout.whole_scores)
    iso3, kept, skipped = _match_countries(source, rows, layout.has_names)
    rows = rows.assign(iso3=iso3)[iso3.notna()]
    _check_duplicates(path, rows)
    scores = pd.DataFrame({
        "index": rows["index"].astype(str),
        "iso3": rows["iso3"].astype(str),
        "year": rows["year"].astype("int64"),
        "score": rows["score"].astype("float64"),
        "low": rows["low"].astype("float64"),
        "high": rows["high"].astype("float64"),
        "missing_reason": rows["missing_reason"].astype(object),
    }).reset_index(drop=True)
    version, date = file_version(source, path)
    return ImportResult(
        source=source,
        indices=list(definitions.values()),
        scores=scores,
        citation=_citation(source) | {"version": version, "date": date},
        sha256=table.sha256,
        file_name=path.name,
        rows_read=len(frame),
        kept_as_user_code=kept,
        skipped=skipped,
    )


def _check_years(path: Path, frame: pd.DataFrame, column: str) -> None:
    years = frame[column].to_numpy()
    bad = np.flatnonzero(~np.isfinite(years) | (years != np.round(years)))
    if bad.size:
        row = int(bad[0])
        value = years[row]
        problem = "missing year" if np.isnan(value) else "not a whole number"
        raise _reading.cell_error(path, row, column, problem, None if np.isnan(value) else f"{value:g}")


def _check_scores(
    path: Path, rows: pd.DataFrame, definitions: dict[str, ImportedIndex], whole: bool
) -> None:
    """Scores within the index's documented bounds (and whole on ordinal scales)."""
    # Each index's rows by position (a groupby built a frame per index: 5 ms for one index).
    codes, indices = pd.factorize(rows["index"])
    scores = rows["score"].to_numpy()
    for code, index in enumerate(indices):
        positions = np.flatnonzero(codes == code)
        definition = definitions[str(index)]
        score = scores[positions]
        bad = np.zeros(len(score), dtype=bool)
        if definition.minimum is not None:
            bad |= score < definition.minimum
        if definition.maximum is not None:
            bad |= score > definition.maximum
        if whole:
            bad |= ~np.isnan(score) & (score != np.round(score))
        if bad.any():
            first = rows.iloc[int(positions[np.flatnonzero(bad)[0]])]
            scale = f"{definition.minimum:g} to {definition.maximum:g}"
            kind = "a whole number from" if whole else "a number from"
            raise _reading.cell_error(path, int(first["row"]), str(first["column"]),
                                      f"not {kind} {scale}", f"{first['score']:g}")


def _match_countries(
    source: str, rows: pd.DataFrame, has_names: bool
) -> tuple[pd.Series, list[str], list[str]]:
    """ISO code of every row (None where skipped) and the one-line notes, each entity once."""
    keys = ["code", "name", "other_name"]
    # Each row's entity number, in order of first appearance: the columns' factorised
    # codes combined one column at a time (a drop_duplicates and a merge back cost twice
    # as much on a 27,000-row file; a Python look-up per row cost 0.13 s).
    entity = np.zeros(len(rows), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(rows[key], use_na_sentinel=False)
        entity = pd.factorize(entity * len(uniques) + codes)[0]  # < rows * uniques: no overflow
    first = np.unique(entity, return_index=True)[1]  # labels 0..n-1, so in label order
    kept: list[str] = []
    skipped: list[str] = []
    found_codes: list[str | None] = []
    for code, name, other in rows[keys].iloc[first].itertuples(index=False, name=None):
        found = countries.match(source, code, (name, other), code_only=not has_names)
        found_codes.append(found.iso3)
        if found.line is not None:
            (kept if found.user_code else skipped).append(found.line)
    iso3 = pd.Series(np.array(found_codes, dtype=object)[entity], index=rows.index, dtype=object)
    return iso3, sorted(set(kept)), sorted(set(skipped))


def _check_duplicates(path: Path, rows: pd.DataFrame) -> None:
    """Two records for the same index, country and year (after matching) cannot both be kept."""
    twice = rows.duplicated(["index", "iso3", "year"], keep=False)
    if twice.any():
        both = rows[twice].sort_values("row")
        first = both.iloc[0]
        other = both[(both["index"] == first["index"]) & (both["iso3"] == first["iso3"])
                     & (both["year"] == first["year"])].iloc[1]
        other_line = _reading.record_line(path, int(other["row"]))
        raise _reading.cell_error(
            path, int(other["row"]), str(first["column"]),
            f"second row for {first['iso3']} {int(first['year'])} (first on line "
            f"{_reading.record_line(path, int(first['row']))}, this on {other_line})",
        )


@cache
def _index_table() -> list[dict[str, str]]:
    text = files("tindex.importers").joinpath("indices.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _indices(source: str) -> dict[str, ImportedIndex]:
    def bound(text: str) -> float | None:
        return float(text) if text else None

    return {
        row["index"]: ImportedIndex(
            index=row["index"], kind=row["kind"], better=row["better"], minimum=bound(row["minimum"]),
            maximum=bound(row["maximum"]), name=row["name"], publisher=row["publisher"],
            description=row["description"],
        )
        for row in _index_table()
        if row["source"] == source
    }


def _citation(source: str) -> dict[str, str]:
    text = files("tindex.importers").joinpath("citations.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        if row["source"] == source:
            return {key: row[key] for key in ("title", "publisher", "dataset", "url", "licence")}
    raise DataError(f"citations.csv: no row for source {source}")
