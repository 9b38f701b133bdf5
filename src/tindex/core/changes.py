"""How countries moved: one country year by year, every country into one year, every
country over a span, and the values revised between releases. Score indices only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tindex import schema
from tindex.core.model import Country, IndexInfo, Model, equal_rows, year_span, year_spans
from tindex.core.ranking import (
    RANK_ROLES,
    TOO_LARGE,
    both_sources,
    caveats_kept,
    check_year,
    difference,
    earlier_years,
    head_with_ties,
    measured_in_both,
    min_ranks,
    percent_change,
    previous_year,
    previous_year_notes,
    rank_change_notes,
    rounded,
    row_caveats,
    series_until,
    swapped_digits,
    taken,
    texts_at,
    too_large_note,
    whole_numbers,
    with_previous,
)
from tindex.core.result import Note, Role, Table
from tindex.data.keys import BITMAP_LIMIT, combined_codes, key_codes
from tindex.errors import UsageError


def signed(value: float | None, digits: int = 2) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:+.{digits}f}"


def drivers(model: Model, index: IndexInfo, iso3: str, years: list[int]) -> pd.DataFrame:
    table = model.dataset.optional(schema.DRIVERS)
    if table is None:
        return pd.DataFrame(columns=schema.DRIVERS.column_names)
    all_years = table["year"].to_numpy()
    rows = np.flatnonzero(equal_rows(table["index"], index.id) & equal_rows(table["iso3"], iso3)
                          & np.isin(all_years, years))
    # The order sort_values("year") gives (the same quicksort of the years).
    return table.take(rows[np.argsort(all_years[rows], kind="quicksort")])


def driver_lines(frame: pd.DataFrame) -> list[Note]:
    """'2024 (stated change -11.29): what the publisher says moved the score', with its source."""
    lines = []
    for year, change, summary, source_id in zip(frame["year"], frame["stated_change"],
                                                frame["summary"], frame["source_id"], strict=True):
        stated = f" (stated change {signed(float(change))})" if pd.notna(change) else ""
        lines.append(Note(f"{int(year)}{stated}: {summary}", (str(source_id),)))
    return lines


def span_summary(frame: pd.DataFrame) -> str:
    """'2015-2024: -11.29 (60.5 to 49.21); largest rise ...; best rank 2 of 7 (2016).'"""
    years = frame["year"].to_numpy()
    scores = frame["score"].to_numpy(dtype=float)
    change = frame["change"].to_numpy(dtype=float)
    total = difference(pd.Series(scores[-1:]), pd.Series(scores[:1])).iloc[0]
    parts = [f"{int(years[0])}-{int(years[-1])}: {signed(total)} "
             f"({scores[0]:g} to {scores[-1]:g})"]
    if (~np.isnan(change[1:])).any():
        rise = int(np.nanargmax(change[1:])) + 1
        fall = int(np.nanargmin(change[1:])) + 1
        if change[rise] > 0:
            parts.append(f"largest rise {int(years[rise])} ({signed(change[rise])})")
        if change[fall] < 0:
            parts.append(f"largest fall {int(years[fall])} ({signed(change[fall])})")
    ranks = frame["rank"]
    best = int(ranks.astype(float).to_numpy().argmin())
    parts.append(f"best rank {int(ranks.array[best])} of {int(frame['of'].to_numpy()[best])} "
                 f"({int(years[best])})")
    return "; ".join(parts) + "."


@dataclass(frozen=True)
class YearlyRanks:
    """One country's rows in year order, with what with_previous gives each of them."""

    year: np.ndarray  # int64
    score: np.ndarray  # float64
    previous: np.ndarray  # float64: the score in the previous data year (NaN: none)
    rank: pd.arrays.IntegerArray
    of: np.ndarray  # int64: the countries with a row that year
    rank_change: pd.arrays.IntegerArray
    source_id: pd.api.extensions.ExtensionArray  # text
    earlier_year: np.ndarray  # int64: the previous data year, where `previous` is a score (-1: none)
    earlier_source: np.ndarray  # object: the source of `previous` (None: none)


def yearly_ranks(scores: pd.DataFrame, mine: np.ndarray, index: IndexInfo) -> YearlyRanks:
    """year, score, previous, rank, of, rank_change, source_id for each of one country's
    rows (`mine`: their positions in `scores`, in year order): what with_previous gives
    its row in each of those years.

    Each year is compared with the previous year in the data (as rank and delta --year
    do), not with the country's own previous score: across a gap there is no change.
    All years in one pass over the rows, as counts per year: a rank is 1 + the number
    of scores better than the country's; the rank change counts only the countries with
    a score in both years, found in a bitmap of (country, year) keys.
    """
    years = scores["year"].to_numpy(dtype=np.int64)
    values = scores["score"].to_numpy(dtype=float)
    low = int(years.min())
    width = int(years.max()) - low + 1
    at = years - low  # each row's year as a position 0..width-1
    held = np.bincount(at, minlength=width)
    data_years = np.flatnonzero(held)
    back = np.zeros(width, dtype=np.int64)  # a year minus the previous data year (0: none)
    back[data_years[1:]] = np.diff(data_years)
    ahead = np.zeros(width, dtype=np.int64)  # the next data year minus a year (0: none)
    ahead[data_years[:-1]] = np.diff(data_years)
    own = np.full(width, np.nan)  # the country's score in each year
    own_at = at[mine]
    own[own_at] = values[mine]
    with np.errstate(invalid="ignore"):
        better = values > own[at] if index.higher_is_better else values < own[at]
    # Bitmaps of (country, year) keys: at most 1,342 codes (the ISO codes tindex accepts)
    # times 9,999 years, 13 MB.
    codes, offset, size = key_codes(scores["iso3"])
    key = (codes.astype(np.int64) + offset) * width + at
    scored = ~np.isnan(values)
    known = np.zeros(size * width, dtype=np.bool_)  # has a score
    known[key[scored]] = True
    listed = np.zeros(size * width, dtype=np.bool_)  # has a row
    listed[key] = True
    # Better than the country this year, and scored in the previous data year: counts
    # toward this year's rank among the countries of both years.
    step = back[at]
    now = better & (step > 0)
    now[now] = known[key[now] - step[now]]
    # Scored, better than the country this year, and listed in the next data year:
    # counts toward the next year's rank-before among the countries of both years.
    step = ahead[at]
    before = better & scored & (step > 0)
    before[before] = listed[key[before] + step[before]]
    rank_now = np.bincount(at[now], minlength=width)[own_at]
    rank_before = np.bincount(at[before] + step[before], minlength=width)[own_at]
    score = own[own_at]
    gap = back[own_at]
    previous = np.where(gap > 0, own[np.maximum(own_at - gap, 0)], np.nan)
    rank = 1 + np.bincount(at[better], minlength=width)[own_at]
    compared = ~np.isnan(score) & ~np.isnan(previous)
    compared_before = (gap > 0) & ~np.isnan(previous)
    own_row = np.full(width, -1, dtype=np.int64)  # the country's row (in `mine`) per year
    own_row[own_at] = np.arange(len(mine))
    sources = texts_at(scores["source_id"], mine)
    return YearlyRanks(
        year=own_at + low, score=score, previous=previous,
        rank=pd.arrays.IntegerArray(rank.astype(np.int64), np.isnan(score)),
        of=held[own_at],
        rank_change=pd.arrays.IntegerArray((rank_before - rank_now).astype(np.int64), ~compared),
        source_id=sources,
        earlier_year=np.where(compared_before, own_at + low - gap, -1),
        earlier_source=taken(np.asarray(sources, dtype=object), own_row[own_at - gap],
                             compared_before),
    )


def country_changes(model: Model, index: IndexInfo, country: Country, start: int | None = None,
                    end: int | None = None, release: str | None = None) -> Table:
    """Every year of one country: score, change, percentage change where meaningful, rank.

    On arrays, with one frame built at the end: on the bundled data each pandas
    operation costs more than the arithmetic it does.
    """
    scores = model.scores(index, release)
    mine = np.flatnonzero(equal_rows(scores["iso3"], country.iso3))
    if len(mine) == 0:
        measured = ", ".join(sorted(model.name_of(pd.Series(scores["iso3"].unique())).dropna()))
        raise UsageError(f"{country.name} has no {index.id} scores; measured: {measured}")
    all_years = scores["year"].to_numpy(dtype=np.int64)
    mine = mine[np.argsort(all_years[mine], kind="quicksort")]  # as sort_values("year")
    available = all_years[mine].tolist()
    for bound, label in ((start, "--from"), (end, "--to")):
        if bound is not None and not (available[0] <= bound <= available[-1]):
            raise UsageError(f"{label} {bound}{swapped_digits(bound, available)}: {country.name} "
                             f"has scores for {year_span(available)}")
    if start is not None and end is not None and start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    table = yearly_ranks(scores, mine, index)
    keep = np.ones(len(mine), dtype=np.bool_)
    if start is not None:
        keep &= table.year >= start
    if end is not None:
        keep &= table.year <= end
    kept = np.flatnonzero(keep)
    if len(kept) == 0:
        raise UsageError(f"{country.name} has no scores from {start} to {end}; "
                         f"years with scores: {year_span(available)}")
    years, score, previous = table.year[kept], table.score[kept], table.previous[kept]
    earlier = table.earlier_year[kept]
    caveat_ids, caveats = row_caveats(model, index, pd.Series([country.iso3] * len(kept)),
                                      pd.Series(years), shows_change=True, earlier=earlier)
    change = difference(pd.Series(score), pd.Series(previous))
    frame = pd.DataFrame({
        "country": country.name,
        "iso3": country.iso3,
        "year": years,
        "score": score,
        "change": change,
        "pct_change": percent_change(pd.Series(previous), pd.Series(score)),
        "rank": table.rank[kept],
        "of": table.of[kept],
        "rank_change": table.rank_change[kept],
        "source_id": both_sources(table.source_id[kept], table.earlier_source[kept]),
        "caveat_ids": caveat_ids,
    })
    found = drivers(model, index, country.iso3, years.tolist())
    notes = [Note(span_summary(frame))] if len(frame) > 1 else []
    if (np.isnan(change.to_numpy()) & ~np.isnan(score) & ~np.isnan(previous)).any():
        notes.append(Note(TOO_LARGE))  # what too_large_note says, on the arrays at hand
    notes += rank_change_notes(measured_in_both(scores, [
        (int(then), int(now)) for then, now in zip(earlier, years, strict=True) if then >= 0]))
    notes += driver_lines(found)
    first, last = int(years[0]), int(years[-1])
    values = score.tolist()
    return Table(
        title=f"{country.name}: {index.name}, " + (f"{first}-{last}" if first != last else f"{first}"),
        frame=frame, roles=RANK_ROLES,
        # citations() keeps the first of each id: the ids in row order, as unique() gave them.
        citations=model.citations([*frame["source_id"], *found["source_id"],
                                   *[i for c in caveats for i in c.source_ids]]),
        caveats=caveats, notes=notes,
        history=lambda: [values[: n + 1] for n in range(len(values))],
    )


def year_changes(model: Model, index: IndexInfo, year: int | None = None, top: int | None = None,
                 reverse: bool = False, release: str | None = None) -> Table:
    """Every country's change into one year, largest rise first."""
    scores = model.scores(index, release)
    year = check_year(scores, year, index)
    previous = previous_year(scores, year)
    if previous is None:
        raise UsageError(f"{year} is the first year with {index.id} scores: there is no change into it")
    merged = with_previous(scores, year, previous, index)
    caveat_ids, caveats = row_caveats(model, index, merged["iso3"], year, shows_change=True,
                                      earlier=earlier_years(merged["score_before"], previous))
    change = difference(merged["score"], merged["score_before"])
    frame = pd.DataFrame({
        "country": model.name_of(merged["iso3"]),
        "iso3": merged["iso3"],
        "year": year,
        "previous": merged["score_before"],
        "score": merged["score"],
        "change": change,
        "pct_change": percent_change(merged["score_before"], merged["score"]),
        "rank": merged["rank"],
        "rank_change": merged["rank_change"],
        "source_id": both_sources(merged["source_id"], merged["source_before"]),
        "caveat_ids": caveat_ids,
    })
    # "largest rise" means the best move: for a lower-is-better index a fall is a rise.
    improvement = frame["change"] if index.higher_is_better else -frame["change"]
    frame = frame.assign(_order=improvement).sort_values(
        ["_order", "country"], ascending=[reverse, True], na_position="last",
        ignore_index=True).drop(columns="_order")
    frame = head_with_ties(frame, top, "change")
    caveats = caveats_kept(frame, caveats, top)
    order = "largest fall first" if reverse else "largest rise first"
    notes = [Note(TOO_LARGE)] if (change.isna() & merged["score_before"].notna()).any() else []
    notes += previous_year_notes(scores, merged, previous, year)
    codes = frame["iso3"].tolist()
    return Table(
        title=f"{index.name}: change {previous} to {year}, {order}",
        frame=frame, roles=RANK_ROLES,
        citations=model.citations([*frame["source_id"].unique(),
                                   *[i for c in caveats for i in c.source_ids]]),
        caveats=caveats, notes=notes,
        history=lambda: series_until(scores, codes, year),
    )


def span_changes(model: Model, index: IndexInfo, start: int | None, end: int | None,
                 top: int | None = None, reverse: bool = False, release: str | None = None) -> Table:
    """Each country's first and last score over a span, the change and the rank change.

    A country without a score in either end year gets no change: the first and last
    years it does have are shown and a note says so, rather than a change over a
    different span.
    """
    scores = model.scores(index, release)
    all_years = scores["year"].to_numpy(dtype=np.int64)
    start = check_year(scores, start if start is not None else int(all_years.min()), index)
    end = check_year(scores, end, index)
    if start >= end:
        raise UsageError(f"--from {start} must be before --to {end}")
    # The countries of either year in code order (what an outer merge on iso3 gave), each
    # with its row in each year (-1: none), on arrays rather than through a merge.
    values = scores["score"].to_numpy(dtype=float)
    rows_from = np.flatnonzero(all_years == start)
    rows_to = np.flatnonzero(all_years == end)
    codes_from = np.asarray(texts_at(scores["iso3"], rows_from), dtype=object)
    codes_to = np.asarray(texts_at(scores["iso3"], rows_to), dtype=object)
    codes = np.union1d(codes_from, codes_to)
    at_from = pd.Index(codes_from).get_indexer(codes)
    at_to = pd.Index(codes_to).get_indexer(codes)
    score_from = np.append(values[rows_from], np.nan)[at_from]
    score_to = np.append(values[rows_to], np.nan)[at_to]
    higher = index.higher_is_better
    rank_from_all = np.append(min_ranks(values[rows_from], higher), np.nan)[at_from]
    rank_to_all = np.append(min_ranks(values[rows_to], higher), np.nan)[at_to]
    both = ~np.isnan(score_from) & ~np.isnan(score_to)
    rank_change = (min_ranks(np.where(both, score_from, np.nan), higher)
                   - min_ranks(np.where(both, score_to, np.nan), higher))
    sources_from = np.append(np.asarray(texts_at(scores["source_id"], rows_from), dtype=object),
                             np.nan)[at_from]
    sources_to = np.append(np.asarray(texts_at(scores["source_id"], rows_to), dtype=object),
                           np.nan)[at_to]
    iso3 = pd.Series(codes, dtype="str")
    held = year_spans(scores["iso3"], all_years, (all_years >= start) & (all_years <= end))
    caveat_ids, caveats = row_caveats(model, index, iso3, end,
                                      earlier=np.where(np.isnan(score_from), -1, start),
                                      shows_change=start == previous_year(scores, end))
    change = difference(pd.Series(score_to), pd.Series(score_from))
    frame = pd.DataFrame({
        "country": model.name_of(iso3),
        "iso3": iso3,
        "from": start,
        "to": end,
        "score_from": score_from,
        "score_to": score_to,
        "change": change,
        "rank_from": whole_numbers(rank_from_all),
        "rank_to": whole_numbers(rank_to_all),
        "rank_change": whole_numbers(rank_change),
        "years_held": iso3.map(held),
        "source_id": both_sources(sources_to, sources_from),
        "caveat_ids": caveat_ids,
    })
    improvement = frame["change"] if index.higher_is_better else -frame["change"]
    frame = frame.assign(_order=improvement).sort_values(
        ["_order", "country"], ascending=[reverse, True], na_position="last",
        ignore_index=True).drop(columns="_order")
    frame = head_with_ties(frame, top, "change")
    caveats = caveats_kept(frame, caveats, top)
    notes = too_large_note(frame["change"], frame["score_to"], frame["score_from"])
    notes += no_change_note(frame, start, end)
    notes += rank_change_notes([(start, end, int(both.sum()), len(rows_from), len(rows_to))])
    order = "largest fall first" if reverse else "largest rise first"
    roles = RANK_ROLES | {"from": Role.YEAR, "to": Role.YEAR, "score_from": Role.NUMBER,
                          "score_to": Role.NUMBER, "rank_from": Role.INTEGER,
                          "rank_to": Role.INTEGER, "years_held": Role.TEXT}
    return Table(
        title=f"{index.name}: change {start} to {end}, {order}",
        frame=frame, roles=roles,
        # In row order: a set's order would change with the hash seed from run to run.
        citations=model.citations([*(s for ids in frame["source_id"] for s in ids.split(";") if s),
                                   *[i for c in caveats for i in c.source_ids]]),
        caveats=caveats, notes=notes,
    )


def no_change_note(frame: pd.DataFrame, start: int, end: int) -> list[Note]:
    """The countries of a span without a change, each with the end year it has no score in."""
    gaps = []
    for name, then, now in zip(frame["country"], frame["score_from"], frame["score_to"], strict=True):
        absent = [str(year) for year, value in ((start, then), (end, now)) if pd.isna(value)]
        if absent:
            gaps.append(f"{name} (no score in {' or '.join(absent)})")
    if not gaps:
        return []
    return [Note(f"No change for {', '.join(gaps)}; years_held shows the years there are.")]


def revisions(model: Model, index: IndexInfo) -> Table:
    """Every country-year whose value differs between releases, with each release's value."""
    scores = model.all_scores(index)
    if "release" not in scores:
        raise UsageError(f"{index.id}: the data has no release column, so no revisions")
    # Only a country-year with more than one row can hold a revision: counting rows per
    # key is one pass over integer codes, so the grouping below sees those rows only.
    key, span = combined_codes(scores, ["iso3", "year"])
    repeated = (np.bincount(key, minlength=span)[key] > 1 if span <= BITMAP_LIMIT
                else pd.Series(key).duplicated(keep=False).to_numpy())
    candidates = scores.loc[repeated, ["iso3", "year", "release", "score", "source_id"]]
    rows = candidates.assign(
        iso3=candidates["iso3"].astype(str), release=candidates["release"].astype(int),
        source_id=candidates["source_id"].astype(str))
    spread = rows.groupby(["iso3", "year"], observed=True)["score"].nunique()
    changed = spread[spread > 1].index
    keyed = rows.set_index(["iso3", "year"])
    found = keyed.loc[keyed.index.isin(changed)].reset_index().sort_values(["iso3", "year", "release"])
    with np.errstate(over="ignore", invalid="ignore"):
        change = found.groupby(["iso3", "year"])["score"].diff()
    found["change"] = rounded(change.where(np.isfinite(change)))
    before = found.groupby(["iso3", "year"])["score"].shift()
    frame = pd.DataFrame({
        "country": model.name_of(found["iso3"]).to_numpy(),
        "iso3": found["iso3"].to_numpy(),
        "year": found["year"].to_numpy(),
        "release": found["release"].to_numpy(),
        "score": found["score"].to_numpy(),
        "change": found["change"].to_numpy(),
        "source_id": found["source_id"].to_numpy(),
    })
    caveat_ids, caveats = row_caveats(model, index, frame["iso3"], frame["year"],
                                      shows_change=False, general=False)
    frame["caveat_ids"] = caveat_ids
    count = frame[["iso3", "year"]].drop_duplicates().shape[0]
    return Table(
        title=f"{index.name}: {count} value{'s' if count != 1 else ''} revised between releases",
        frame=frame,
        roles=RANK_ROLES | {"release": Role.INTEGER},
        citations=model.citations([*frame["source_id"].unique(),
                                   *[i for c in caveats for i in c.source_ids]]),
        caveats=caveats,
        notes=too_large_note(found["change"], found["score"], before)
        + ([] if count else [Note("No value differs between the releases in the data.")]),
    )
