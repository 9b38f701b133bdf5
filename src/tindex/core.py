"""The analysis: pure functions from a Dataset to Reports and Profiles. No printing here.

Every result carries the citations of the figures it shows and the caveats a reader
must see next to them; renderers decide how to show them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from tindex import schema
from tindex.data import Country, Dataset
from tindex.errors import DataError, UsageError, did_you_mean, printable

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


@dataclass(frozen=True)
class Citation:
    source_id: str
    title: str
    publisher: str
    date: str
    url: str

    def __str__(self) -> str:
        return f"{self.title}. {self.publisher}, {self.date}. {self.url} [{self.source_id}]"


@dataclass
class Report:
    """One table and what a reader needs around it."""

    name: str  # the command that made it, for JSON consumers and tests
    title: str
    frame: pd.DataFrame
    citations: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    trends: list[list[float]] | None = None  # one series per row, shown as sparklines
    column_trends: dict[str, list[float]] | None = None  # one series per column (compare)
    # Columns a person does not need to read (codes, ids, or the same value on every row,
    # already in the title); tables for people leave them out, CSV and JSON keep them.
    context_columns: tuple[str, ...] = ("iso3", "source_id", "level_order")


@dataclass
class Section:
    key: str  # machine name (JSON key, CSV section column)
    heading: str
    frame: pd.DataFrame | None = None
    lines: list[str] = field(default_factory=list)
    trend: list[float] | None = None


@dataclass
class Profile:
    """A readable profile (explain): headline facts, then sections."""

    name: str
    title: str
    summary: list[tuple[str, str, object]]  # (key, label, value)
    sections: list[Section]
    citations: list[Citation]


# -- helpers ------------------------------------------------------------------------------


def year_span(years: Iterable[int]) -> str:
    """2019, 2020, 2021, 2023 -> '2019-2021, 2023'."""
    ordered = sorted({int(y) for y in years})
    if not ordered:
        return "none"
    runs: list[list[int]] = [[ordered[0], ordered[0]]]
    for year in ordered[1:]:
        if year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def signed(value: float | None, digits: int = 2) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:+.{digits}f}"


def citations(dataset: Dataset, ids: Iterable[object]) -> list[Citation]:
    wanted: list[str] = []
    for raw in ids:
        if raw is None or (isinstance(raw, float) and np.isnan(raw)):
            continue
        for part in str(raw).split(";"):
            part = part.strip()
            if part and part not in wanted:
                wanted.append(part)
    sources = dataset.table(schema.SOURCES).set_index("source_id")
    return [
        Citation(sid, str(sources.at[sid, "title"]), str(sources.at[sid, "publisher"]),
                 str(sources.at[sid, "date"]), str(sources.at[sid, "url"]))
        for sid in wanted
        if sid in sources.index
    ]


def percent_change(before: pd.Series, after: pd.Series) -> pd.Series:
    """Percentage change only where it means something: a positive base, no sign flip."""
    meaningful = (before > 0) & (after >= 0)
    pct = (after - before) / before.where(meaningful) * 100
    return pct.round(1)


def _scores(dataset: Dataset) -> pd.DataFrame:
    return dataset.table(schema.INDEX_SCORES, "CSP Index on Torture scores")


def _check_year(scores: pd.DataFrame, year: int | None, what: str = "CSP scores") -> int:
    # Comparisons and max() rather than unique(): a hash of millions of years costs more.
    years = scores["year"].to_numpy()
    if len(years) == 0:
        raise DataError("no CSP scores in the data")
    if year is None:
        return int(years.max())
    if not (years == year).any():
        raise UsageError(f"no {what} for {year}; years with data: {year_span(pd.unique(years))}")
    return int(year)


def _previous_year(scores: pd.DataFrame, year: int) -> int | None:
    years = scores["year"].to_numpy()
    earlier = years < year  # a mask, not a copy of millions of years
    return int(years.max(initial=np.iinfo(np.int64).min, where=earlier)) if earlier.any() else None


def _year_ranks(scores: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """iso3, score, rank for one year (ties share the better rank); empty if year is None."""
    if year is None:
        return pd.DataFrame({"iso3": pd.Series(dtype=object), "score": pd.Series(dtype=float),
                             "rank": pd.Series(dtype="Int64")})
    rows = scores.loc[scores["year"] == year, ["iso3", "country", "score", "source_id"]]
    rows = rows.assign(iso3=rows["iso3"].astype(str), country=rows["country"].astype(str),
                       source_id=rows["source_id"].astype(str))
    return rows.assign(rank=rows["score"].rank(method="min", ascending=False).astype("Int64"))


def _with_previous(scores: pd.DataFrame, year: int, previous: int | None) -> pd.DataFrame:
    """One year's rows and ranks beside the previous year's score, with the rank change."""
    now = _year_ranks(scores, year)
    before = _year_ranks(scores, previous)[["iso3", "score"]]
    merged = now.merge(before, on="iso3", how="left", suffixes=("", "_before"))
    # Rank change among the countries measured in both years only, so that a country
    # entering or leaving the index (Poland in 2020) does not move the others.
    both = merged["score_before"].notna()
    rank_now = merged.loc[both, "score"].rank(method="min", ascending=False)
    rank_before = merged.loc[both, "score_before"].rank(method="min", ascending=False)
    merged["rank_change"] = (rank_before - rank_now).reindex(merged.index).astype("Int64")
    return merged


def note(text: object, source_ids: object) -> str:
    """A caveat, driver or recommendation as printed: the text, then its source ids."""
    return f"{text} [{source_ids}]"


def _caveats(dataset: Dataset, index: str | None, countries: Iterable[str] = (),
             years: Iterable[int] | None = None) -> pd.DataFrame:
    """The caveats a reader of this result must see.

    One rule everywhere: the caveat belongs to `index` (None: to no index), and is about
    one of `countries` or none, and about one of `years` or none (years=None: any year).
    """
    caveats = dataset.optional(schema.CAVEATS)
    if caveats is None or caveats.empty:
        return pd.DataFrame(columns=schema.CAVEATS.column_names)
    chosen = caveats["index"].isna() if index is None else caveats["index"] == index
    chosen &= caveats["iso3"].isna() | caveats["iso3"].isin(list(countries))
    if years is not None:
        chosen &= caveats["year"].isna() | caveats["year"].isin(list(years))
    return caveats[chosen.fillna(False).astype(bool)]


def _caveat_notes(dataset: Dataset, index: str, countries: Iterable[str] = (),
                  years: Iterable[int] | None = None) -> tuple[list[str], list[str]]:
    """The caveats as notes, and the source ids they cite (to list among the sources).

    Caveats about these countries or years are printed in full; those about the whole
    index are counted in one line that points to `tindex explain INDEX`, so that a table
    is not buried under the same paragraphs every time.
    """
    rows = _caveats(dataset, index, countries, years)
    general = rows["iso3"].isna() & rows["year"].isna()
    specific = rows[~general]
    notes = [note(t, s) for t, s in zip(specific["text"], specific["source_ids"], strict=True)]
    if general.any():
        count = int(general.sum())
        notes.append(f"{count} more caveat{'s' if count > 1 else ''} about the index as a whole "
                     f"(scale, sources, coverage): run 'tindex explain {index}'.")
    return notes, specific["source_ids"].astype(str).tolist()


def head_with_ties(frame: pd.DataFrame, top: int | None, column: str) -> pd.DataFrame:
    """The first `top` rows, plus any row tied with the last of them on `column`."""
    if top is None or top >= len(frame):
        return frame
    cutoff = frame[column].iloc[top - 1]
    tied = frame[column].iloc[top:].eq(cutoff).to_numpy()
    extra = int(tied.argmin()) if not tied.all() else len(tied)
    return frame.head(top + extra)


def _trends(scores: pd.DataFrame, codes: Sequence[str], until: int | None = None
            ) -> list[list[float]]:
    """Each country's scores in year order (up to `until`), for sparklines."""
    subset = scores.loc[scores["iso3"].isin(list(codes)), ["iso3", "year", "score"]]
    if until is not None:
        subset = subset[subset["year"] <= until]
    series = {
        str(code): group.sort_values("year")["score"].tolist()
        for code, group in subset.groupby("iso3", observed=True)
    }
    return [series.get(code, []) for code in codes]


# -- rank ---------------------------------------------------------------------------------


def rank_csp(dataset: Dataset, year: int | None = None, top: int | None = None,
             reverse: bool = False, with_trends: bool = False) -> Report:
    """Countries best first in one year, with the change and rank change since the year before."""
    scores = _scores(dataset)
    year = _check_year(scores, year)
    previous = _previous_year(scores, year)
    merged = _with_previous(scores, year, previous)
    frame = pd.DataFrame({
        "rank": merged["rank"],
        "country": merged["country"],
        "iso3": merged["iso3"],
        "score": merged["score"],
        "change": (merged["score"] - merged["score_before"]).round(2),
        "rank_change": merged["rank_change"],
        "source_id": merged["source_id"],
    })
    frame = frame.sort_values(["rank", "country"], ascending=[not reverse, True], ignore_index=True)
    frame = head_with_ties(frame, top, "rank")
    since = f"change since {previous}" if previous is not None else "no earlier year"
    order = "worst first" if reverse else "best first"
    title = f"CSP Index on Torture {year}: {len(merged)} countries, {order} ({since})"
    return _year_report(dataset, scores, "rank", title, frame, year, with_trends)


def _year_report(dataset: Dataset, scores: pd.DataFrame, name: str, title: str,
                 frame: pd.DataFrame, year: int, with_trends: bool) -> Report:
    """A one-year table of countries with its sources, the year's caveats and trends."""
    notes, note_ids = _caveat_notes(dataset, "csp", frame["iso3"], [year])
    return Report(
        name=name,
        title=title,
        frame=frame,
        citations=citations(dataset, [*frame["source_id"].unique(), *note_ids]),
        notes=notes,
        trends=_trends(scores, frame["iso3"].tolist(), until=year) if with_trends else None,
    )


def resolve_pillar(dataset: Dataset, text: str | None) -> tuple[int, str]:
    """'3', 'III', 'impunity' or 'overall' -> (number, name)."""
    pillars = dataset.table(schema.GTI_PILLARS, "GTI pillar names")
    names = {int(n): str(name) for n, name in zip(pillars["pillar"], pillars["name"], strict=True)}
    if text is None or text.strip().casefold() in ("", "0", "overall"):
        return schema.OVERALL_PILLAR, "Overall"
    wanted = text.strip()
    number: int | None = None
    if wanted.isdigit():
        number = int(wanted)
    elif wanted.upper() in ROMAN:
        number = ROMAN.index(wanted.upper()) + 1
    else:
        folded = wanted.casefold()
        hits = [n for n, name in names.items() if folded in name.casefold()]
        if len(hits) == 1:
            number = hits[0]
        elif len(hits) > 1:
            listed = ", ".join(f"{n} {names[n]}" for n in hits)
            raise UsageError(f"pillar {printable(wanted)} is ambiguous: {listed}")
    if number is None or number not in names:
        listed = "; ".join(f"{n} {name}" for n, name in sorted(names.items()))
        hint = did_you_mean(wanted, list(names.values()))
        raise UsageError(f"unknown pillar {printable(wanted)}{hint}; pillars: 0 Overall; {listed}")
    return number, names[number]


def _gti(dataset: Dataset, edition: int | None) -> tuple[pd.DataFrame, int]:
    pillars = dataset.table(schema.PILLARS, "OMCT Global Torture Index ratings")
    editions = pillars["edition"].unique()
    if len(editions) == 0:
        raise DataError("no GTI ratings in the data")
    if edition is None:
        edition = int(editions.max())
    elif edition not in set(editions.tolist()):
        raise UsageError(f"no GTI edition {edition}; editions with data: {year_span(editions)}")
    return pillars[pillars["edition"] == edition], edition


def rank_gti(dataset: Dataset, edition: int | None = None, pillar: str | None = None,
             top: int | None = None, reverse: bool = False) -> Report:
    """GTI countries by risk level, lowest risk first; ties (same level) share a rank."""
    rows, edition = _gti(dataset, edition)
    number, name = resolve_pillar(dataset, pillar)
    rows = rows[rows["pillar"] == number]
    if rows.empty:
        raise UsageError(f"no country has a rating for pillar {number} ({name}) in GTI {edition}")
    codes = rows["level"].cat.codes
    frame = pd.DataFrame({
        "rank": codes.rank(method="min").astype("Int64").to_numpy(),
        "country": rows["country"].astype(str).to_numpy(),
        "iso3": rows["iso3"].astype(str).to_numpy(),
        "level": rows["level"].astype(str).to_numpy(),
        "level_order": (codes + 1).to_numpy(),
        "source_id": rows["source_id"].astype(str).to_numpy(),
    })
    if number == schema.OVERALL_PILLAR:
        transparency = dataset.optional(schema.TRANSPARENCY)
        if transparency is not None:
            same = transparency[transparency["edition"] == edition]
            ratings = dict(zip(same["iso3"].astype(str), same["rating"].astype(str), strict=True))
            frame.insert(4, "transparency", frame["iso3"].map(ratings))
    frame = frame.sort_values(["level_order", "country"], ascending=[not reverse, True],
                              ignore_index=True)
    frame = head_with_ties(frame, top, "rank")
    label = "overall risk" if number == schema.OVERALL_PILLAR else f"pillar {number}: {name}"
    order = "highest risk first" if reverse else "lowest risk first"
    notes, note_ids = _caveat_notes(dataset, "gti", frame["iso3"], [edition])
    return Report(
        name="rank",
        title=f"OMCT Global Torture Index {edition}, {label}: {len(rows)} countries, {order}",
        frame=frame,
        citations=citations(dataset, [*frame["source_id"].unique(), *note_ids]),
        notes=notes,
    )


# -- delta --------------------------------------------------------------------------------


def delta_country(dataset: Dataset, country: Country, start: int | None = None,
                  end: int | None = None, with_trends: bool = False) -> Report:
    """Every year of one country: score, change, percentage change where meaningful, rank."""
    scores = _scores(dataset)
    mine = scores.loc[scores["iso3"] == country.iso3, ["year", "score", "source_id"]]
    if mine.empty:
        measured = ", ".join(sorted(scores["country"].astype(str).unique()))
        raise UsageError(f"{country.name} has no CSP scores; measured: {measured}")
    mine = mine.sort_values("year")
    available = mine["year"].tolist()
    for bound, label in ((start, "--from"), (end, "--to")):
        if bound is not None and not (available[0] <= bound <= available[-1]):
            raise UsageError(f"{label} {bound}: {country.name} has scores for {year_span(available)}")
    if start is not None and end is not None and start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    years = mine["year"].to_numpy()
    # Each year is compared with the previous year in the data (as rank and delta --year
    # do), not with the country's own previous score: across a gap there is no change.
    all_years = np.sort(scores["year"].unique())
    position = np.searchsorted(all_years, years)
    previous = np.where(position > 0, all_years[np.maximum(position - 1, 0)], -1)
    needed = np.union1d(years, previous[previous >= 0])
    window = scores.loc[scores["year"].isin(needed), ["year", "iso3", "score"]]
    wide = window.pivot(index="year", columns="iso3", values="score")
    now = wide.reindex(years)
    before = wide.reindex(previous)
    before.index = now.index
    mine_now, mine_before = now[country.iso3], before[country.iso3]
    both = now.notna() & before.notna()
    better_now = now.gt(mine_now, axis=0)
    better_before = before.gt(mine_before, axis=0)
    rank_change = ((better_before & both).sum(axis=1) - (better_now & both).sum(axis=1))
    score = mine["score"].to_numpy()
    frame = pd.DataFrame({
        "country": country.name,
        "iso3": country.iso3,
        "year": years,
        "score": score,
        "change": (mine_now - mine_before).round(2).to_numpy(),
        "pct_change": percent_change(mine_before, mine_now).to_numpy(),
        "rank": (better_now.sum(axis=1) + 1).astype("Int64").array,
        "of": now.notna().sum(axis=1).astype(int).to_numpy(),
        "rank_change": rank_change.where(mine_before.notna()).astype("Int64").array,
        "source_id": mine["source_id"].astype(str).to_numpy(),
    })
    if start is not None:
        frame = frame[frame["year"] >= start]
    if end is not None:
        frame = frame[frame["year"] <= end]
    if frame.empty:
        raise UsageError(f"{country.name} has no scores from {start} to {end}; "
                         f"years with scores: {year_span(available)}")
    frame = frame.reset_index(drop=True)
    first, last = frame.iloc[0], frame.iloc[-1]
    notes = [_span_summary(frame)] if len(frame) > 1 else []
    notes += _driver_notes(dataset, country, frame["year"].tolist())
    caveat_notes, note_ids = _caveat_notes(dataset, "csp", [country.iso3], frame["year"].tolist())
    notes += caveat_notes
    return Report(
        name="delta",
        title=f"{country.name}: CSP Index on Torture, " + (
            f"{int(first['year'])}-{int(last['year'])}" if len(frame) > 1 else f"{int(first['year'])}"),
        frame=frame,
        citations=citations(dataset, list(frame["source_id"].unique()) + _driver_sources(
            dataset, country, frame["year"].tolist()) + note_ids),
        notes=notes,
        column_trends={"score": frame["score"].tolist()} if with_trends and len(frame) > 1 else None,
        context_columns=("country", "iso3", "source_id"),
    )


def _span_summary(frame: pd.DataFrame) -> str:
    first, last = frame.iloc[0], frame.iloc[-1]
    total = last["score"] - first["score"]
    changes = frame["change"].iloc[1:]
    rise = frame.iloc[int(np.nanargmax(changes.to_numpy(dtype=float))) + 1] if changes.notna().any() else None
    fall = frame.iloc[int(np.nanargmin(changes.to_numpy(dtype=float))) + 1] if changes.notna().any() else None
    parts = [
        f"{int(first['year'])}-{int(last['year'])}: {signed(total)} "
        f"({first['score']:g} to {last['score']:g})"
    ]
    if rise is not None and rise["change"] > 0:
        parts.append(f"largest rise {int(rise['year'])} ({signed(rise['change'])})")
    if fall is not None and fall["change"] < 0:
        parts.append(f"largest fall {int(fall['year'])} ({signed(fall['change'])})")
    best = frame.iloc[int(frame["rank"].astype(float).to_numpy().argmin())]
    parts.append(f"best rank {int(best['rank'])} of {int(best['of'])} ({int(best['year'])})")
    return "; ".join(parts) + "."


def _drivers(dataset: Dataset, country: Country, years: Sequence[int]) -> pd.DataFrame:
    drivers = dataset.optional(schema.DRIVERS)
    if drivers is None:
        return pd.DataFrame(columns=schema.DRIVERS.column_names)
    mine = drivers[(drivers["index"] == "csp") & (drivers["iso3"] == country.iso3)
                   & drivers["year"].isin(list(years))]
    return mine.sort_values("year")


def _driver_notes(dataset: Dataset, country: Country, years: Sequence[int]) -> list[str]:
    notes = []
    drivers = _drivers(dataset, country, years)
    for year, change, summary, source_id in zip(
            drivers["year"], drivers["stated_change"], drivers["summary"], drivers["source_id"],
            strict=True):
        stated = f" (stated change {signed(float(change))})" if pd.notna(change) else ""
        notes.append(note(f"{year}{stated}: {summary}", source_id))
    return notes


def _driver_sources(dataset: Dataset, country: Country, years: Sequence[int]) -> list[str]:
    return [str(s) for s in _drivers(dataset, country, years)["source_id"]]


def delta_year(dataset: Dataset, year: int | None = None, top: int | None = None,
               reverse: bool = False, with_trends: bool = False) -> Report:
    """Every country's change into one year, largest rise first."""
    scores = _scores(dataset)
    year = _check_year(scores, year)
    previous = _previous_year(scores, year)
    if previous is None:
        raise UsageError(f"{year} is the first year with CSP scores: there is no change into it")
    merged = _with_previous(scores, year, previous)
    frame = pd.DataFrame({
        "country": merged["country"],
        "iso3": merged["iso3"],
        "previous": merged["score_before"],
        "score": merged["score"],
        "change": (merged["score"] - merged["score_before"]).round(2),
        "pct_change": percent_change(merged["score_before"], merged["score"]),
        "rank": merged["rank"],
        "rank_change": merged["rank_change"],
        "source_id": merged["source_id"],
    })
    frame = frame.sort_values(["change", "country"], ascending=[reverse, True],
                              na_position="last", ignore_index=True)
    frame = head_with_ties(frame, top, "change")
    order = "largest fall first" if reverse else "largest rise first"
    title = f"CSP Index on Torture: change {previous} to {year}, {order}"
    return _year_report(dataset, scores, "delta", title, frame, year, with_trends)


# -- compare ------------------------------------------------------------------------------


def _no_repeats(countries: Sequence[Country]) -> None:
    seen: set[str] = set()
    for country in countries:
        if country.iso3 in seen:
            raise UsageError(f"{country.name} is named twice")
        seen.add(country.iso3)
    if not countries:
        raise UsageError("name at least one country")


def _distinct(countries: Sequence[Country]) -> None:
    _no_repeats(countries)
    if len(countries) < 2:
        raise UsageError("compare needs at least two countries")


def csp_series(dataset: Dataset, countries: Sequence[Country], start: int | None = None,
               end: int | None = None) -> Report:
    """Scores per year, one column per country; one country is enough (what a chart draws)."""
    _no_repeats(countries)
    scores = _scores(dataset)
    codes = [c.iso3 for c in countries]
    subset = scores.loc[scores["iso3"].isin(codes), ["iso3", "year", "score", "source_id"]]
    subset = subset.assign(iso3=subset["iso3"].astype(str))
    missing = [c.name for c in countries if c.iso3 not in set(subset["iso3"])]
    if missing:
        measured = ", ".join(sorted(scores["country"].astype(str).unique()))
        raise UsageError(f"no CSP scores for {', '.join(missing)}; measured: {measured}")
    if start is not None:
        subset = subset[subset["year"] >= start]
    if end is not None:
        subset = subset[subset["year"] <= end]
    if subset.empty:
        raise UsageError("no CSP scores in that range of years")
    wide = subset.pivot(index="year", columns="iso3", values="score").reindex(columns=codes)
    frame = pd.DataFrame({"year": wide.index.to_numpy()})
    for country in countries:
        frame[country.name] = wide[country.iso3].to_numpy()
    notes, _ = _caveat_notes(dataset, "csp", codes, frame["year"].tolist())
    return Report(
        name="chart",
        title=f"CSP Index on Torture: {', '.join(c.name for c in countries)}",
        frame=frame,
        citations=citations(dataset, subset["source_id"].astype(str).unique()),
        notes=notes,
    )


def _ids_by_year(rows: pd.DataFrame) -> pd.Series:
    """Per year, the distinct source ids of the rows, sorted and joined with ';'.

    Vectorised (one string concatenation per year in numpy) rather than a Python
    function per year: a data desk's file may hold thousands of years.
    """
    pairs = rows.assign(source_id=rows["source_id"].astype(str)).drop_duplicates()
    pairs = pairs.sort_values(["year", "source_id"])
    years = pairs["year"].to_numpy()
    first = np.flatnonzero(np.r_[True, years[1:] != years[:-1]])
    joined = np.add.reduceat((";" + pairs["source_id"]).to_numpy(dtype=object), first)
    return pd.Series(joined, index=years[first], dtype=object).str[1:]


def compare_csp(dataset: Dataset, countries: Sequence[Country], start: int | None = None,
                end: int | None = None, with_trends: bool = False) -> Report:
    """Scores side by side per year; with two countries, the gap (first minus second)."""
    _distinct(countries)
    series = csp_series(dataset, countries, start, end)
    frame, title = series.frame, series.title
    if len(countries) == 2:
        frame["gap"] = (frame[countries[0].name] - frame[countries[1].name]).round(2)
        title += f" (gap = {countries[0].name} minus {countries[1].name})"
    scores = _scores(dataset)
    shown = scores.loc[scores["iso3"].isin([c.iso3 for c in countries])
                       & scores["year"].isin(frame["year"]), ["year", "source_id"]]
    frame["source_id"] = frame["year"].map(_ids_by_year(shown))  # where each row's figures come from
    trends = {c.name: frame[c.name].dropna().tolist() for c in countries}
    _, note_ids = _caveat_notes(dataset, "csp", [c.iso3 for c in countries], frame["year"].tolist())
    cited = citations(dataset, [*(c.source_id for c in series.citations), *note_ids])
    return replace(series, name="compare", title=title, citations=cited,
                   column_trends=trends if with_trends and len(frame) > 1 else None)


def gti_levels(dataset: Dataset, countries: Sequence[Country],
               edition: int | None = None) -> Report:
    """Pillar levels, one column per country; one country is enough (what a chart draws)."""
    _no_repeats(countries)
    rows, edition = _gti(dataset, edition)
    pillars = dataset.table(schema.GTI_PILLARS, "GTI pillar names")
    names = {schema.OVERALL_PILLAR: "Overall"} | {
        int(n): str(name) for n, name in zip(pillars["pillar"], pillars["name"], strict=True)}
    unrated = [c.name for c in countries if not (rows["iso3"] == c.iso3).any()]
    if unrated:
        rated = ", ".join(sorted(rows["country"].astype(str).unique()))
        raise UsageError(f"not rated in GTI {edition}: {', '.join(unrated)}; rated: {rated}")
    frame = pd.DataFrame({"pillar": list(names), "pillar_name": list(names.values())})
    for country in countries:
        mine = rows[rows["iso3"] == country.iso3]
        levels = dict(zip(mine["pillar"].astype(int), mine["level"].astype(str), strict=True))
        frame[country.name] = frame["pillar"].map(levels)
    level_columns = [c.name for c in countries]
    shown = frame[frame[level_columns].notna().any(axis=1)].reset_index(drop=True)
    ids = rows.loc[rows["iso3"].isin([c.iso3 for c in countries]), "source_id"].astype(str)
    return Report(
        name="chart",
        title=f"OMCT Global Torture Index {edition}: {', '.join(level_columns)} by pillar",
        frame=shown,
        citations=citations(dataset, ids.unique()),
        notes=["Blank: no pillar-level rating found for that country."]
        if shown[level_columns].isna().to_numpy().any() else [],
    )


def compare_gti(dataset: Dataset, countries: Sequence[Country],
                edition: int | None = None) -> Report:
    """Pillar levels side by side; 'differ' marks pillars where the levels are not all equal."""
    _distinct(countries)
    levels = gti_levels(dataset, countries, edition)
    frame = levels.frame
    level_columns = [c.name for c in countries]
    known = frame[level_columns].notna().all(axis=1)
    differs = frame[level_columns].nunique(axis=1, dropna=True) > 1
    frame["differ"] = np.where(known, np.where(differs, "yes", "no"), "")
    return replace(levels, name="compare")


# -- countries and sources ----------------------------------------------------------------


def list_countries(dataset: Dataset) -> Report:
    """Who is covered by which index, for which years, and how many facts tindex holds."""
    known = dataset.countries()
    frame = known[["country", "iso3"]].copy()
    ids: list[str] = []
    if dataset.has(schema.INDEX_SCORES):
        scores = _scores(dataset)
        by_code = scores.groupby(scores["iso3"].astype(str))
        frame["csp_years"] = frame["iso3"].map(by_code["year"].apply(year_span))  # null if none
        ids += scores["source_id"].astype(str).unique().tolist()
    if dataset.has(schema.PILLARS):
        overall = dataset.table(schema.PILLARS)
        overall = overall[overall["pillar"] == schema.OVERALL_PILLAR]
        latest = overall.sort_values("edition").drop_duplicates("iso3", keep="last")
        frame["gti_edition"] = frame["iso3"].map(
            dict(zip(latest["iso3"].astype(str), latest["edition"], strict=True))).astype("Int64")
        frame["gti_level"] = frame["iso3"].map(
            dict(zip(latest["iso3"].astype(str), latest["level"].astype(str), strict=True)))
        ids += overall["source_id"].astype(str).unique().tolist()
    if dataset.has(schema.FACTS):
        counts = dataset.table(schema.FACTS)["iso3"].astype(str).value_counts()
        frame["facts"] = frame["iso3"].map(counts).fillna(0).astype(int)
    return Report(
        name="countries",
        title=f"Countries covered: {len(frame)}",
        frame=frame.reset_index(drop=True),
        citations=citations(dataset, ids),
    )


def list_sources(dataset: Dataset) -> Report:
    """The bibliography: every source and how many rows of data cite it."""
    sources = dataset.table(schema.SOURCES)
    uses: dict[str, int] = {}
    for spec in schema.ALL_TABLES:
        columns = [c.name for c in spec.columns if c.kind in (schema.Kind.SOURCE, schema.Kind.SOURCE_LIST)]
        if not columns or not dataset.has(spec):
            continue
        for value in dataset.table(spec)[columns[0]].dropna().astype(str):
            for part in value.split(";"):
                uses[part.strip()] = uses.get(part.strip(), 0) + 1
    frame = sources[["source_id", "title", "publisher", "date", "url", "note"]].copy()
    frame["cited_by_rows"] = frame["source_id"].map(uses).fillna(0).astype(int)
    frame = frame.sort_values(["publisher", "date", "source_id"], ignore_index=True)
    return Report(name="sources", title=f"Sources: {len(frame)} (titles in [brackets] are "
                  "descriptive: the original headline was not recorded)", frame=frame,
                  context_columns=())


# -- explain ------------------------------------------------------------------------------


def explain_country(dataset: Dataset, country: Country) -> Profile:
    """Everything tindex knows about one country, each figure with its source."""
    summary: list[tuple[str, str, object]] = [("country", "Country", country.name),
                                              ("iso3", "ISO code", country.iso3)]
    sections: list[Section] = []
    ids: list[str] = []

    scores = dataset.optional(schema.INDEX_SCORES)
    has_csp = scores is not None and bool((scores["iso3"] == country.iso3).any())
    if has_csp:
        report = delta_country(dataset, country)
        frame = report.frame
        last = frame.iloc[-1]
        summary += [
            ("csp_latest_year", "CSP latest year", int(last["year"])),
            ("csp_latest_score", "CSP latest score", float(last["score"])),
            ("csp_rank", "CSP rank", f"{int(last['rank'])} of {int(last['of'])}"),
            ("csp_change", "CSP change since previous year",
             None if pd.isna(last["change"]) else float(last["change"])),
        ]
        if len(frame) > 1:
            summary.append(("csp_trend", "CSP trend", _span_summary(frame)))
        sections.append(Section("scores", "CSP Index on Torture scores",
                                frame=frame.drop(columns=["country", "iso3"]),
                                trend=frame["score"].tolist()))
        drivers = _drivers(dataset, country, frame["year"].tolist())
        if not drivers.empty:
            sections.append(Section("drivers", "What drove the changes (as published)", frame=pd.DataFrame({
                "year": drivers["year"].to_numpy(),
                "stated_change": drivers["stated_change"].to_numpy(),
                "summary": drivers["summary"].to_numpy(),
                "source_id": drivers["source_id"].to_numpy(),
            })))
            ids += drivers["source_id"].astype(str).tolist()
        ids += frame["source_id"].tolist()
    else:
        sections.append(Section("scores", "CSP Index on Torture scores", lines=[
            f"tindex has no CSP Index on Torture score for {country.name} (see the caveats "
            "for what is known about its coverage)."]))

    gti_summary, gti_section, gti_ids = _gti_profile(dataset, country)
    summary += gti_summary
    sections.append(gti_section)
    ids += gti_ids

    facts = dataset.optional(schema.FACTS)
    if facts is not None:
        mine = facts[facts["iso3"] == country.iso3]
        if not mine.empty:
            sections.append(Section("facts", "Key facts", frame=pd.DataFrame({
                "fact": mine["label"].to_numpy(),
                "value": mine["value"].to_numpy(),
                "unit": mine["unit"].fillna("").to_numpy(),
                "period": mine["period"].fillna("").to_numpy(),
                "source_id": mine["source_id"].to_numpy(),
            })))
            ids += mine["source_id"].astype(str).tolist()

    indices = (["csp"] if has_csp else []) + (["gti"] if gti_summary else [])
    caveats = _country_caveats(dataset, country.iso3, indices)
    if not caveats.empty:
        sections.append(Section("caveats", "Caveats", lines=[
            note(t, i) for t, i in zip(caveats["text"], caveats["source_ids"], strict=True)]))
        ids += caveats["source_ids"].astype(str).tolist()

    recommendations = dataset.optional(schema.RECOMMENDATIONS)
    if recommendations is not None:
        applies = recommendations["applies_to"].astype(str).str.split(";").apply(
            lambda codes: country.iso3 in [c.strip() for c in codes])
        mine = recommendations[applies]
        if not mine.empty:
            sections.append(Section("recommendations", "Recommendations (as published, condensed)",
                                    lines=[note(t, i) for t, i in
                                           zip(mine["text"], mine["source_id"], strict=True)]))
            ids += mine["source_id"].astype(str).tolist()

    return Profile(name="explain", title=f"{country.name} ({country.iso3})", summary=summary,
                   sections=sections, citations=citations(dataset, ids))


def _gti_profile(dataset: Dataset, country: Country) -> tuple[
        list[tuple[str, str, object]], Section, list[str]]:
    pillars = dataset.optional(schema.PILLARS)
    heading = "OMCT Global Torture Index"
    if pillars is None or not (pillars["iso3"] == country.iso3).any():
        return [], Section("gti", heading, lines=[
            f"{country.name} is not rated in tindex's OMCT Global Torture Index data."]), []
    mine = pillars[pillars["iso3"] == country.iso3]
    edition = int(mine["edition"].max())
    mine = mine[mine["edition"] == edition].sort_values("pillar")
    summary: list[tuple[str, str, object]] = []
    overall = mine[mine["pillar"] == schema.OVERALL_PILLAR]
    if not overall.empty:
        summary.append(("gti_overall", f"GTI {edition} overall risk", str(overall["level"].iloc[0])))
    ids = mine["source_id"].astype(str).tolist()
    lines: list[str] = []
    transparency = dataset.optional(schema.TRANSPARENCY)
    if transparency is not None:
        rating = transparency[(transparency["iso3"] == country.iso3)
                              & (transparency["edition"] == edition)]
        if not rating.empty:
            summary.append(("gti_transparency", f"GTI {edition} transparency",
                            str(rating["rating"].iloc[0])))
            ids += rating["source_id"].astype(str).tolist()
    if (mine["pillar"] != schema.OVERALL_PILLAR).sum() == 0:
        lines.append("Pillar-level ratings were not found in the sources tindex uses.")
    frame = pd.DataFrame({
        "pillar": mine["pillar"].to_numpy(),
        "pillar_name": mine["pillar_name"].astype(str).to_numpy(),
        "level": mine["level"].astype(str).to_numpy(),
        "source_id": mine["source_id"].astype(str).to_numpy(),
    })
    return summary, Section("gti", f"{heading} {edition}", frame=frame, lines=lines), ids


def _country_caveats(dataset: Dataset, iso3: str, indices: Sequence[str]) -> pd.DataFrame:
    """About this country (any index, any year), then general ones for the indices it is in."""
    caveats = dataset.optional(schema.CAVEATS)
    if caveats is None:
        return pd.DataFrame(columns=schema.CAVEATS.column_names)
    parts = [caveats[caveats["iso3"] == iso3], _caveats(dataset, None, [iso3])]
    parts += [_caveats(dataset, index, [iso3]) for index in indices]
    merged = pd.concat(parts, ignore_index=True)
    return merged.drop_duplicates(subset=["caveat_id"])


def explain_index(dataset: Dataset, index: str) -> Profile:
    """What an index measures, its scale, coverage and caveats."""
    indices = dataset.table(schema.INDICES, "index descriptions")
    row = indices[indices["index"] == index]
    if row.empty:
        raise UsageError(f"no description of index {index!r} in the data")
    info = row.iloc[0]
    summary: list[tuple[str, str, object]] = [
        ("index", "Index", str(info["name"])),
        ("publisher", "Publisher", str(info["publisher"])),
        ("scale", "Scale", str(info["scale"])),
    ]
    sections = [Section("about", "About", lines=[str(info["description"])])]
    ids = [str(info["source_id"])]
    if index == "csp" and dataset.has(schema.INDEX_SCORES):
        scores = _scores(dataset)
        coverage = scores.groupby("year")["country"].count()
        summary.append(("years", "Years", year_span(scores["year"].unique())))
        sections.append(Section("coverage", "Countries with scores in tindex, per year",
                                frame=pd.DataFrame({
            "year": coverage.index.to_numpy(), "countries": coverage.to_numpy()})))
    if index == "gti":
        pillars = dataset.optional(schema.GTI_PILLARS)
        if pillars is not None:
            sections.append(Section("pillars", "Pillars", frame=pd.DataFrame({
                "pillar": pillars["pillar"].to_numpy(),
                "name": pillars["name"].to_numpy(),
                "what it looks at": pillars["description"].to_numpy(),
            })))
            ids += pillars["source_id"].astype(str).tolist()
        if dataset.has(schema.PILLARS):
            rows, edition = _gti(dataset, None)
            overall = rows[rows["pillar"] == schema.OVERALL_PILLAR]
            counts = overall["level"].value_counts(sort=False)
            summary.append(("edition", "Latest edition in the data", edition))
            sections.append(Section("levels", f"Overall levels found for GTI {edition}",
                                    frame=pd.DataFrame({"level": [str(i) for i in counts.index],
                                                        "countries": counts.to_numpy()})))
    mine = _caveats(dataset, index)
    if not mine.empty:
        sections.append(Section("caveats", "Caveats", lines=[
            note(t, i) for t, i in zip(mine["text"], mine["source_ids"], strict=True)]))
        ids += mine["source_ids"].astype(str).tolist()
    return Profile(name="explain", title=str(info["name"]), summary=summary, sections=sections,
                   citations=citations(dataset, ids))
