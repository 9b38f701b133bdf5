"""Who leads and who trails: any index, by its kind (scores by `better`, levels by order)."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable

import numpy as np
import pandas as pd

from tindex.core.model import IndexInfo, Model, year_span
from tindex.core.result import Caveat, Note, Role, Table
from tindex.data.dataset import typical_count
from tindex.data.keys import key_codes
from tindex.errors import DataError, UsageError, printable

TOO_LARGE = "A change too large to compute as a number is left blank."
RANK_ROLES = {
    "rank": Role.INTEGER, "of": Role.INTEGER, "country": Role.LABEL, "iso3": Role.CODE,
    "year": Role.YEAR, "score": Role.NUMBER, "previous": Role.NUMBER, "change": Role.SIGNED,
    "pct_change": Role.PERCENT, "rank_change": Role.SIGNED_INTEGER, "level": Role.LEVEL,
    "level_order": Role.ORDER, "source_id": Role.SOURCES, "caveat_ids": Role.CAVEATS,
    "measured": Role.INTEGER,
}


def check_year(scores: pd.DataFrame, year: int | None, index: IndexInfo,
               release: int | None = None) -> int:
    # Comparisons and max() rather than unique(): a hash of millions of years costs more.
    years = scores["year"].to_numpy()
    if len(years) == 0:
        raise DataError(f"no {index.id} data")
    if year is None:
        return int(years.max())
    if not (years == year).any():
        what = f"release {release} of {index.id}" if release is not None else index.id
        held = pd.unique(years)
        raise UsageError(f"no {what} data for {year}{swapped_digits(year, held.tolist())}; "
                         "years with data: "
                         f"{year_span(held)}")
    return int(year)


def swapped_digits(year: int, years: Iterable[int]) -> str:
    """' (did you mean 2024?)' when swapping two neighbouring digits of `year` gives a year
    with data (2042, 2204): the typo a fast hand makes. Nothing for any other miss (2025
    is a year without data, not a typo)."""
    held = set(years)
    text = str(year)
    if not text.isdigit():  # -2042: a sign is not a digit to swap
        return ""
    swaps = {text[:n] + text[n + 1] + text[n] + text[n + 2:] for n in range(len(text) - 1)}
    found = sorted(int(s) for s in swaps if s != text and int(s) in held)
    return f" (did you mean {' or '.join(map(str, found))}?)" if found else ""


def previous_year(scores: pd.DataFrame, year: int) -> int | None:
    years = scores["year"].to_numpy()
    earlier = years < year  # a mask, not a copy of millions of years
    return int(years.max(initial=np.iinfo(np.int64).min, where=earlier)) if earlier.any() else None


def min_ranks(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Rank 1 for the best value, ties sharing the better rank (pandas' method="min"); a
    missing value gets no rank (NaN). The values are one year's, one per country (a few
    thousand at most): counting by search in a Python sort of them spares every run
    numpy's sorting and searching code (about 0.2 MB of memory). Every caller passes
    float64 scores: whole numbers past 2**53 are already rounded before they are ranked."""
    sign = -1.0 if higher_is_better else 1.0
    keys = [sign * value for value in values.tolist()]
    ordered = sorted(key for key in keys if not math.isnan(key))
    return np.array([math.nan if math.isnan(key) else bisect_left(ordered, key) + 1
                     for key in keys], dtype=float)


def whole_numbers(ranks: np.ndarray) -> pd.arrays.IntegerArray:
    """Float ranks (NaN: none) as nullable whole numbers."""
    missing = np.isnan(ranks)
    return pd.arrays.IntegerArray(np.where(missing, 0, ranks).astype(np.int64), missing)


def in_rank_order(frame: pd.DataFrame, reverse: bool) -> pd.DataFrame:
    """The rows best first (worst first with reverse), ties by country name, rows without a
    rank last: sort_values(["rank", "country"]) as a Python sort. A ranking has one row per
    country, a few thousand at most, and the two-column sort_values loaded about 0.3 MB of
    pandas' hashing and sorting code into every terminal table's memory."""
    ranks = frame["rank"].to_numpy(dtype=float, na_value=np.nan).tolist()
    names = frame["country"].tolist()
    sign = -1.0 if reverse else 1.0

    def key(row: int) -> tuple[bool, float, bool, str]:
        rank, name = ranks[row], names[row]
        unranked, unnamed = math.isnan(rank), not isinstance(name, str)
        return unranked, 0.0 if unranked else sign * rank, unnamed, "" if unnamed else name

    order = sorted(range(len(frame)), key=key)
    return frame.take(order).reset_index(drop=True)


def score_ranks(scores: pd.DataFrame, year: int | None, index: IndexInfo) -> pd.DataFrame:
    """iso3, score, source_id, rank for one year (ties share the better rank)."""
    if year is None:
        return pd.DataFrame({"iso3": pd.Series(dtype=object), "score": pd.Series(dtype=float),
                             "source_id": pd.Series(dtype=object), "rank": pd.Series(dtype="Int64")})
    rows = np.flatnonzero(scores["year"].to_numpy() == year)
    values = scores["score"].to_numpy(dtype=float)[rows]
    return pd.DataFrame({
        "iso3": texts_at(scores["iso3"], rows),
        "score": values,
        "source_id": texts_at(scores["source_id"], rows),
        "rank": whole_numbers(min_ranks(values, index.higher_is_better)),
    })


def texts_at(column: pd.Series, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """The cells at `rows` as text, as astype(str) gives them (categories decoded once;
    a missing cell stays missing)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        labels = np.array([str(c) for c in column.cat.categories] + [np.nan], dtype=object)
        decoded: pd.api.extensions.ExtensionArray = pd.array(
            labels[column.cat.codes.to_numpy()[rows]], dtype="str")
        return decoded
    return column.iloc[rows].astype(str).array


def with_previous(scores: pd.DataFrame, year: int, previous: int | None,
                  index: IndexInfo) -> pd.DataFrame:
    """One year's rows and ranks beside the previous year's score, with the rank change."""
    merged = score_ranks(scores, year, index)
    before = score_ranks(scores, previous, index)
    # Each country's row in the previous year (-1: none); a country has one row a year.
    at = pd.Index(before["iso3"].to_numpy(dtype=object)).get_indexer(
        merged["iso3"].to_numpy(dtype=object))
    earlier = np.append(before["score"].to_numpy(dtype=float), np.nan)[at]
    merged["score_before"] = earlier
    merged["source_before"] = pd.Series(
        taken(before["source_id"].to_numpy(dtype=object), at, ~np.isnan(earlier)), dtype=object)
    # Rank change among the countries measured in both years only, so that a country
    # entering or leaving the index does not move the others.
    both = ~np.isnan(earlier)
    now = merged["score"].to_numpy(dtype=float)
    rank_now = min_ranks(np.where(both, now, np.nan), index.higher_is_better)
    rank_before = min_ranks(np.where(both, earlier, np.nan), index.higher_is_better)
    merged["rank_change"] = whole_numbers(rank_before - rank_now)
    return merged


def taken(values: np.ndarray, at: np.ndarray, present: np.ndarray) -> np.ndarray:
    """values[at] where `present`, None elsewhere (an object array)."""
    picked = np.full(len(at), None, dtype=object)
    picked[present] = values[at[present]]
    return picked


def both_sources(now: Iterable[object], then: Iterable[object]) -> list[str]:
    """Per row, the source ids of the two scores a change is made of, each once and in
    order (then: None where the row has no earlier score)."""
    return [";".join(sorted({str(s) for s in pair if isinstance(s, str)}))
            for pair in zip(now, then, strict=True)]


def earlier_years(score_before: pd.Series, previous: int | None) -> np.ndarray:
    """Per row, the year its change is measured from: `previous` where the row has a score
    then, else -1 (row_caveats' `earlier`)."""
    has = score_before.notna().to_numpy()
    return np.where(has, -1 if previous is None else previous, -1).astype(np.int64)


def difference(after: pd.Series, before: pd.Series) -> pd.Series:
    """after - before, rounded to 2 decimals; a difference too large for a float is left
    blank (a note says so) rather than shown as inf. Row by row in position (callers pass
    two columns of one frame), as float64 with after's index."""
    with np.errstate(over="ignore", invalid="ignore"):
        change = after.astype(float).to_numpy() - before.astype(float).to_numpy()
    change[~np.isfinite(change)] = np.nan
    return rounded(pd.Series(change, index=after.index))


def rounded(values: pd.Series, digits: int = 2) -> pd.Series:
    """values rounded to `digits` decimals, as float64. Rounding scales by 10**digits,
    which turns a value near the float limit (1.7e308) into inf: such values have no
    decimals to round, so they are kept as they are."""
    original = values.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        result = np.round(original, digits)
    keep = np.isinf(result)
    result[keep] = original[keep]
    return pd.Series(result, index=values.index, name=values.name)


def too_large_note(change: pd.Series, after: pd.Series, before: pd.Series) -> list[Note]:
    """The TOO_LARGE note when a change between two present scores had to be left blank."""
    blank = change.isna().to_numpy() & after.notna().to_numpy() & before.notna().to_numpy()
    return [Note(TOO_LARGE)] if blank.any() else []


def rank_change_notes(pairs: Iterable[tuple[int, int, int, int, int]]) -> list[Note]:
    """The note that a rank change counts only the countries measured in both of its years,
    where that leaves some out, so that it can differ from the difference of the ranks shown.
    pairs: (earlier year, year, countries scored in both, rows then, rows now)."""
    partial = [(then, now, both) for then, now, both, rows_then, rows_now in pairs
               if both > 0 and (both < rows_then or both < rows_now)]  # 0: no rank change shown
    if not partial:
        return []
    if len(partial) == 1:
        then, now, both = partial[0]
        text = (f"Rank changes compare the {both} countr{'y' if both == 1 else 'ies'} measured "
                f"in both {then} and {now}")
    else:
        text = "Rank changes compare only the countries measured in both years (" + "; ".join(
            f"{then} to {now}: {both}" for then, now, both in partial) + ")"
    return [Note(text + ", so a country entering or leaving does not move the others.")]


def previous_year_notes(scores: pd.DataFrame, merged: pd.DataFrame, previous: int, year: int
                        ) -> list[Note]:
    """rank_change_notes for one year's rows beside the previous year's (with_previous)."""
    return rank_change_notes([(previous, year, int(merged["score_before"].notna().sum()),
                               int((scores["year"] == previous).sum()), len(merged))])


def measured_in_both(scores: pd.DataFrame, pairs: Iterable[tuple[int, int]]
                     ) -> list[tuple[int, int, int, int, int]]:
    """For each (earlier year, year): the two years, the countries scored in both, and each
    year's rows (what rank_change_notes takes)."""
    years = scores["year"].to_numpy(dtype=np.int64)
    codes = key_codes(scores["iso3"])[0]
    scored = ~np.isnan(scores["score"].to_numpy(dtype=float))
    counted = []
    for then, now in pairs:
        rows_then, rows_now = years == then, years == now
        both = np.intersect1d(codes[rows_then & scored], codes[rows_now & scored]).size
        counted.append((then, now, both, int(rows_then.sum()), int(rows_now.sum())))
    return counted


def percent_change(before: pd.Series, after: pd.Series) -> pd.Series:
    """Percentage change only where it means something: a positive base that does not
    show as 0.00 (from 1e-300 a "percentage" is only noise), no sign flip, a finite result."""
    base = before.to_numpy(dtype=float, na_value=np.nan)
    now = after.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(all="ignore"):  # missing values compare False
        meaningful = (base >= 0.005) & (now >= 0)
        pct = (now - base) / np.where(meaningful, base, np.nan) * 100
    pct[~np.isfinite(pct)] = np.nan
    return rounded(pd.Series(pct, index=after.index), 1)


def head_with_ties(frame: pd.DataFrame, top: int | None, column: str) -> pd.DataFrame:
    """The first `top` rows, plus any row tied with the last of them on `column`."""
    if top is None or top >= len(frame):
        return frame
    cutoff = frame[column].iloc[top - 1]
    tied = frame[column].iloc[top:].eq(cutoff).to_numpy()
    extra = int(tied.argmin()) if not tied.all() else len(tied)
    return frame.head(top + extra)


def caveats_kept(frame: pd.DataFrame, caveats: list[Caveat], top: int | None) -> list[Caveat]:
    """After a --top cut, the caveats the rows kept carry: a note about a country the cut
    left out would only puzzle (without a cut every caveat is some row's)."""
    if top is None:
        return caveats
    carried = {i for ids in frame["caveat_ids"] for i in ids}
    return [c for c in caveats if c.caveat_id in carried]


def row_caveats(model: Model, index: IndexInfo, codes: pd.Series, years: pd.Series | int,
                *, shows_change: bool, general: bool = True, earlier: np.ndarray | None = None
                ) -> tuple[list[tuple[str, ...]], list[Caveat]]:
    """Per row, the ids of the caveats that apply to it; and every caveat that applies.
    general=False leaves out the caveats about the index as a whole. `earlier`: per row,
    the year of the earlier score its change is measured from (-1: none), whose caveats
    about figures apply to the row too: a change is only as sound as both of its ends
    (a caveat about the change into that year is not about this one). shows_change: whether
    the rows show the one-year change into their year; a caveat about that change (how a
    release described it) applies only then, not to a score, a gap or a longer span.

    Column-wise: one mask per caveat, and rows that match the same caveats share one
    tuple, so a million rows with no caveat cost a few array passes, not a Python loop.
    """
    applicable = [c for c in model.caveats if c.index == index.id and (general or not c.general)
                  and (shows_change or not c.about_change)]
    count = len(codes)
    if not applicable or count == 0:
        return [()] * count, []
    labels, distinct = pd.factorize(codes.astype(str))
    position = {str(code): n for n, code in enumerate(distinct)}
    year_array = (np.full(count, years, dtype=np.int64) if isinstance(years, int)
                  else pd.Series(years).astype(np.int64).to_numpy())
    # pattern[row] indexes `matched`, the tuple of ids that row gets so far.
    pattern = np.zeros(count, dtype=np.int64)
    matched: list[tuple[str, ...]] = [()]
    used: set[str] = set()
    for caveat in applicable:
        hit = np.ones(count, dtype=np.bool_)
        if caveat.iso3 is not None:
            hit &= labels == position.get(caveat.iso3, -2)
        if caveat.year is not None:
            hit &= (year_array == caveat.year) if earlier is None or caveat.about_change else \
                (year_array == caveat.year) | (earlier == caveat.year)
        if not hit.any():
            continue
        used.add(caveat.caveat_id)
        split = pattern * 2 + hit  # each pattern splits into those it applies to and the rest
        present = np.flatnonzero(np.bincount(split, minlength=2 * len(matched)))
        renumber = np.zeros(2 * len(matched), dtype=np.int64)
        renumber[present] = np.arange(len(present))
        matched = [matched[p >> 1] + ((caveat.caveat_id,) if p & 1 else ()) for p in present.tolist()]
        pattern = renumber[split]
    shared = np.empty(len(matched), dtype=object)
    for n, ids in enumerate(matched):
        shared[n] = ids
    return shared[pattern].tolist(), [c for c in model.caveats if c.caveat_id in used]


def coverage_note(model: Model, index: IndexInfo, year: int, held: int) -> str | None:
    """'2022: tindex holds 7 of the 9 countries the publisher measured', where the data
    says how many were measured: a rank among some countries says so."""
    measured = model.measured(index, year)
    if measured is None:
        return None
    if measured == held:
        return f"{year}: tindex holds all {measured} countries the publisher measured."
    return (f"{year}: tindex holds {held} of the {measured} countries the publisher measured; "
            f"ranks are among these {held}.")


def counted(model: Model, index: IndexInfo, year: int, held: int) -> str:
    """'7 countries' or, where the publisher's count is known and larger, '21 of 26 countries'."""
    measured = model.measured(index, year)
    return f"{held} of {measured} countries" if measured and measured > held else f"{held} countries"


def thin_year_note(scores: pd.DataFrame, year: int, held: int) -> str | None:
    """With the user's own data: a year in which only some countries have data says so."""
    years = scores["year"].to_numpy(dtype=np.int64)
    counts = np.bincount(years - years.min())  # rows per year: years are 0-9999, no hashing
    typical = typical_count(counts[counts > 0])
    if held * 2 < typical:
        return f"{year}: {held} of {typical} countries have scores."
    return None


def rank(model: Model, index: IndexInfo, year: int | None = None, component: str | None = None,
         top: int | None = None, reverse: bool = False, release: str | None = None) -> Table:
    """Countries best first in one year (a score index) or edition (a level index)."""
    if index.is_score:
        if component is not None:
            raise UsageError(f"{index.id} has no components")
        return rank_scores(model, index, year, top, reverse, release)
    if release is not None:
        raise UsageError(f"--release works with score indices; {index.id} is a level index")
    return rank_levels(model, index, year, component, top, reverse)


def rank_scores(model: Model, index: IndexInfo, year: int | None, top: int | None,
                reverse: bool, release: str | None) -> Table:
    scores = model.scores(index, release)
    year = check_year(scores, year, index,
                      model.release_number(index, release) if release is not None else None)
    previous = previous_year(scores, year)
    merged = with_previous(scores, year, previous, index)
    caveat_ids, caveats = row_caveats(model, index, merged["iso3"], year, shows_change=True,
                                      earlier=earlier_years(merged["score_before"], previous))
    measured = model.measured(index, year)
    frame = pd.DataFrame({
        "rank": merged["rank"],
        "of": len(merged),
        "country": model.name_of(merged["iso3"]),
        "iso3": merged["iso3"],
        "year": year,
        "score": merged["score"],
        "change": difference(merged["score"], merged["score_before"]),
        "rank_change": merged["rank_change"],
        "measured": pd.array([measured] * len(merged), dtype="Int64"),
        "source_id": both_sources(merged["source_id"], merged["source_before"]),
        "caveat_ids": caveat_ids,
    })
    frame = in_rank_order(frame, reverse)
    frame = head_with_ties(frame, top, "rank")
    caveats = caveats_kept(frame, caveats, top)
    since = f"change since {previous}" if previous is not None else "no earlier year"
    order = "worst first" if reverse else "best first"
    release_text = f", release {model.release_number(index, release)}" if release else ""
    notes = [Note(n) for n in (coverage_note(model, index, year, len(merged)),
                               thin_year_note(scores, year, len(merged))) if n]
    if previous is not None:
        notes += previous_year_notes(scores, merged, previous, year)
    if (frame["change"].isna() & frame["score"].notna() & frame["iso3"].isin(
            merged.loc[merged["score_before"].notna(), "iso3"])).any():
        notes.append(Note(TOO_LARGE))
    codes = frame["iso3"].tolist()
    return Table(
        title=f"{index.name} {year}{release_text}: {counted(model, index, year, len(merged))}, "
              f"{order} ({since})",
        frame=frame, roles=RANK_ROLES,
        citations=model.citations([*frame["source_id"].unique(),
                                   *[i for c in caveats for i in c.source_ids]]),
        caveats=caveats, notes=notes,
        history=lambda: series_until(scores, codes, year),
    )


def series_until(scores: pd.DataFrame, codes: list[str], until: int) -> list[list[float]]:
    """Each country's values in year order up to `until` (for sparklines)."""
    subset = scores.loc[scores["iso3"].isin(codes) & (scores["year"] <= until),
                        ["iso3", "year", "score"]]
    by_code = {str(code): group.sort_values("year")["score"].tolist()
               for code, group in subset.groupby(subset["iso3"].astype(str))}
    return [by_code.get(code, []) for code in codes]


def resolve_component(model: Model, index: IndexInfo, text: str | None) -> tuple[int | None, str]:
    """'3', 'III', 'impunity' or 'overall' -> (number or None for overall, name)."""
    names = model.components(index)
    if text is None or text.strip().casefold() in ("0", "overall"):
        return None, "overall"
    if not text.strip():
        raise UsageError("--pillar: give a pillar number, roman numeral or name (or 'overall')")
    wanted = text.strip()
    number: int | None = None
    roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
    if wanted.isascii() and wanted.isdigit():
        number = int(wanted)
    elif wanted.upper() in roman:
        number = roman.index(wanted.upper()) + 1
    else:
        folded = wanted.casefold()
        hits = [n for n, name in names.items() if folded in name.casefold()]
        if len(hits) == 1:
            number = hits[0]
        elif len(hits) > 1:
            listed = ", ".join(f"{n} {names[n]}" for n in hits)
            raise UsageError(f"pillar {printable(wanted)} is ambiguous: {listed}")
    if number is None or number not in names:
        listed = "; ".join(f"{n} {name}" for n, name in names.items()) or "none"
        from tindex.errors import did_you_mean

        hint = did_you_mean(wanted, list(names.values()))
        raise UsageError(f"unknown pillar {printable(wanted)}{hint}; {index.id} pillars: "
                         f"overall; {listed}")
    return number, names[number]


def edition(levels: pd.DataFrame, year: int | None, index: IndexInfo) -> int:
    return check_year(levels, year, index)


def rank_levels(model: Model, index: IndexInfo, year: int | None, component: str | None,
                top: int | None, reverse: bool) -> Table:
    levels = model.levels(index)
    year = edition(levels, year, index)
    number, name = resolve_component(model, index, component)
    rows = levels[(levels["year"] == year)]
    rows = rows[rows["component"].isna()] if number is None else rows[rows["component"] == number]
    if rows.empty:
        raise UsageError(f"no country has a rating for pillar {number} ({name}) in {index.id} {year}")
    position = rows["position"]
    ascending = not index.higher_is_better  # a lower position is better for risk levels
    caveat_ids, caveats = row_caveats(model, index, rows["iso3"], year, shows_change=False)
    frame = pd.DataFrame({
        "rank": position.rank(method="min", ascending=ascending).astype("Int64").to_numpy(),
        "of": len(rows),
        "country": model.name_of(rows["iso3"]).to_numpy(),
        "iso3": rows["iso3"].astype(str).to_numpy(),
        "year": year,
        "level": rows["level"].astype(str).to_numpy(),
        "level_order": position.to_numpy(),
        "measured": pd.array([model.measured(index, year)] * len(rows), dtype="Int64"),
        "source_id": rows["source_id"].astype(str).to_numpy(),
        "caveat_ids": caveat_ids,
    })
    frame = in_rank_order(frame, reverse)
    frame = head_with_ties(frame, top, "rank")
    caveats = caveats_kept(frame, caveats, top)
    label = "overall" if number is None else f"pillar {number}: {name}"
    order = "worst first" if reverse else "best first"
    notes = [Note(n) for n in (coverage_note(model, index, year, len(rows)),) if n]
    return Table(
        title=f"{index.name} {year}, {label}: {counted(model, index, year, len(rows))}, {order}",
        frame=frame, roles=RANK_ROLES,
        citations=model.citations([*frame["source_id"].unique(),
                                   *[i for c in caveats for i in c.source_ids]]),
        caveats=caveats, notes=notes, scale=index.best_first,
    )
