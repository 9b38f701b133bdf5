"""Countries side by side: scores per year (with the gap for two), or levels per component.

Country names become column labels here, so a name that equals one of the table's own
columns ("year", "gap", "differ", ...) gets its code added instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tindex.core.model import Country, IndexInfo, Model, coded, equal_rows
from tindex.core.ranking import check_year, difference, row_caveats, texts_at, too_large_note
from tindex.core.result import Caveat, Note, Role, Table
from tindex.errors import UsageError

NOT_RATED = "not rated"
OWN_COLUMNS = frozenset({"year", "gap", "source_id", "caveat_ids", "component", "pillar",
                         "pillar_name", "differ", "country", "iso3"})


def labels(countries: Sequence[Country]) -> list[str]:
    """Column labels for countries, never equal to a column of the table itself."""
    return [f"{c.name} ({c.iso3})" if c.name.strip().casefold() in OWN_COLUMNS else c.name
            for c in countries]


def check_countries(countries: Sequence[Country], at_least: int) -> None:
    seen: set[str] = set()
    for country in countries:
        if country.iso3 in seen:
            raise UsageError(f"{country.name} is named twice")
        seen.add(country.iso3)
    if len(countries) < at_least:
        raise UsageError("name at least one country" if at_least == 1 else
                         f"compare needs at least {at_least} countries")


def score_series(model: Model, index: IndexInfo, countries: Sequence[Country],
                 start: int | None = None, end: int | None = None,
                 release: str | None = None) -> Table:
    """Scores per year, one column per country; one country is enough (what a chart draws)."""
    check_countries(countries, 1)
    scores = model.scores(index, release)
    codes = [c.iso3 for c in countries]
    # Each country's rows as a mask (codes compared, not a pandas isin and pivot): the
    # table is built from the sorted years and each country's positions among them.
    masks = [equal_rows(scores["iso3"], code) for code in codes]
    missing = [c.name for c, mask in zip(countries, masks, strict=True) if not mask.any()]
    if missing:
        measured = ", ".join(sorted(model.name_of(pd.Series(scores["iso3"].unique())).dropna()))
        raise UsageError(f"no {index.id} scores for {', '.join(missing)}; measured: {measured}")
    for bound in (start, end):
        if bound is not None:
            check_year(scores, bound, index)
    all_years = scores["year"].to_numpy(dtype=np.int64)
    within = np.ones(len(all_years), dtype=np.bool_)
    if start is not None:
        within &= all_years >= start
    if end is not None:
        within &= all_years <= end
    rows = np.flatnonzero(np.logical_or.reduce(masks) & within)
    if len(rows) == 0:
        raise UsageError(f"no {index.id} scores in that range of years")
    years = np.unique(all_years[rows])
    values = scores["score"].to_numpy(dtype=float)
    names = labels(countries)
    columns: dict[str, object] = {"year": years}
    for mask, label in zip(masks, names, strict=True):
        mine = np.flatnonzero(mask & within)
        column = np.full(len(years), np.nan)
        column[np.searchsorted(years, all_years[mine])] = values[mine]
        columns[label] = column
    source_ids = texts_at(scores["source_id"], rows)
    columns["source_id"] = pd.Series(years).map(
        joined_per_year(pd.Series(all_years[rows]), pd.Series(source_ids)))
    frame = pd.DataFrame(columns)
    caveat_ids, caveats = _per_year_caveats(model, index, codes, frame["year"])
    frame["caveat_ids"] = caveat_ids
    roles = {"year": Role.YEAR, "source_id": Role.SOURCES, "caveat_ids": Role.CAVEATS}
    roles |= dict.fromkeys(names, Role.NUMBER)
    return Table(
        title=f"{index.name}: {', '.join(c.name for c in countries)}",
        frame=frame, roles=roles,
        # citations() keeps the first of each id: the ids in row order, as unique() gave them.
        citations=model.citations([*source_ids,
                                   *[i for c in caveats for i in c.source_ids]]),
        caveats=caveats,
        history=lambda: [],
        column_codes={label: c.iso3 for c, label in zip(countries, names, strict=True)},
        publisher=index.publisher,
    )


def joined_per_year(years: pd.Series, ids: pd.Series) -> pd.Series:
    """Per year, its distinct ids sorted and joined by ';' (indexed by year, in order).

    Column-wise: one string concatenation per position in the longest list, not a
    Python function per year (a 10,000-year series took about 1.5 s that way).
    """
    # The distinct (year, id) pairs in order as integer keys: the ids ranked by their text.
    codes, texts = coded(ids)
    text_array = np.array(texts, dtype=object)
    order = np.argsort(text_array, kind="stable")
    rank = np.empty(len(texts), dtype=np.int64)
    rank[order] = np.arange(len(texts))
    present = codes >= 0
    year_array = years.to_numpy(dtype=np.int64)[present]
    low = int(year_array.min()) if year_array.size else 0
    key = np.unique((year_array - low) * max(len(texts), 1) + rank[codes[present]])
    year_values = key // max(len(texts), 1) + low
    id_values = text_array[order][key % max(len(texts), 1)]
    first = np.ones(len(year_values), dtype=np.bool_)
    first[1:] = year_values[1:] != year_values[:-1]
    group = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    position = np.arange(len(year_values)) - starts[group]
    joined = id_values[starts]
    for place in range(1, int(position.max(initial=0)) + 1):
        taken = position == place
        joined[group[taken]] = joined[group[taken]] + ";" + id_values[taken]
    return pd.Series(joined, index=pd.Index(year_values[starts], name="year"), name="id")


def _per_year_caveats(model: Model, index: IndexInfo, codes: list[str], years: pd.Series
                      ) -> tuple[list[tuple[str, ...]], list[Caveat]]:
    """Per year, the caveats about any of these countries (or none) in that year; those
    about the change into a year too, as a series of years shows (a chart draws) it."""
    ids: list[tuple[str, ...]] = []
    used: dict[str, Caveat] = {}
    for code in codes:
        per_row, caveats = row_caveats(model, index, pd.Series([code] * len(years)), years,
                                       shows_change=True)
        used.update((c.caveat_id, c) for c in caveats)
        ids = per_row if not ids else [tuple(dict.fromkeys(a + b)) for a, b in zip(ids, per_row, strict=True)]
    return ids, [c for c in model.caveats if c.caveat_id in used]


def compare_scores(model: Model, index: IndexInfo, countries: Sequence[Country],
                   start: int | None = None, end: int | None = None,
                   release: str | None = None) -> Table:
    """Scores side by side per year; with two countries, the gap (first minus second)."""
    check_countries(countries, 2)
    table = score_series(model, index, countries, start, end, release)
    frame, title = table.frame, table.title
    names = labels(countries)
    if len(countries) == 2:
        frame.insert(3, "gap", difference(frame[names[0]], frame[names[1]]))
        table.roles = table.roles | {"gap": Role.SIGNED}
        table.notes = table.notes + too_large_note(frame["gap"], frame[names[0]], frame[names[1]])
        title += f" (gap = {countries[0].name} minus {countries[1].name})"
    table.title = title
    return table


def component_levels(model: Model, index: IndexInfo, countries: Sequence[Country],
                     year: int | None = None, at_least: int = 1) -> Table:
    """Levels per component (overall first), one column per country; a country the index
    does not rate shows "not rated", and only when none is rated is it an error."""
    check_countries(countries, at_least)
    levels = model.levels(index)
    year = check_year(levels, year, index)
    rows = levels[levels["year"] == year]
    rated_codes = set(rows["iso3"].astype(str))
    if not any(c.iso3 in rated_codes for c in countries):
        rated = ", ".join(sorted(model.name_of(pd.Series(sorted(rated_codes))).dropna()))
        raise UsageError(f"none of these is rated in {index.id} {year}; rated: {rated}")
    components = {0: "overall"} | model.components(index)
    frame = pd.DataFrame({"component": list(components), "pillar_name": list(components.values())})
    names = labels(countries)
    for country, label in zip(countries, names, strict=True):
        mine = rows[rows["iso3"] == country.iso3]
        if mine.empty:
            frame[label] = NOT_RATED
            continue
        found = dict(zip(mine["component"].fillna(0).astype(int), mine["level"].astype(str),
                         strict=True))
        frame[label] = frame["component"].map(found)
    shown = frame[frame[names].notna().any(axis=1)].reset_index(drop=True)
    ids = rows.loc[rows["iso3"].isin([c.iso3 for c in countries])]
    by_component = ids.assign(component=ids["component"].fillna(0).astype(int),
                              source_id=ids["source_id"].astype(str)).groupby("component")[
        "source_id"].agg(lambda s: ";".join(sorted(set(s))))
    shown["source_id"] = shown["component"].map(by_component)
    caveat_ids, caveats = _per_year_caveats(model, index, [c.iso3 for c in countries],
                                            pd.Series([year] * len(shown)))
    shown["caveat_ids"] = caveat_ids
    notes = []
    if (shown[names] == NOT_RATED).to_numpy().any():
        notes.append(Note(f"not rated: the country is not among those {index.id} {year} rates "
                          "in the data."))
    if shown[names].isna().to_numpy().any():
        notes.append(Note("Blank: no pillar-level rating found for that country."))
    roles = {"component": Role.INTEGER, "pillar_name": Role.TEXT, "source_id": Role.SOURCES,
             "caveat_ids": Role.CAVEATS} | dict.fromkeys(names, Role.LEVEL)
    return Table(
        title=f"{index.name} {year}: {', '.join(c.name for c in countries)} by pillar",
        frame=shown, roles=roles,
        citations=model.citations([*ids["source_id"].astype(str).unique(),
                                   *[i for c in caveats for i in c.source_ids]]),
        caveats=caveats, notes=notes, scale=index.best_first,
        column_codes={label: c.iso3 for c, label in zip(countries, names, strict=True)},
        cell_sources=_cell_sources(rows, countries, names, shown["component"]),
        publisher=index.publisher,
    )


def _cell_sources(rows: pd.DataFrame, countries: Sequence[Country], names: list[str],
                  components: pd.Series) -> dict[tuple[int, str], tuple[str, ...]]:
    """Per shown cell (row label, country column), the sources of that country's level;
    components are the shown rows' in order (the frame's index is 0..n-1)."""
    position = {int(component): label for label, component in enumerate(components)}
    cells: dict[tuple[int, str], tuple[str, ...]] = {}
    for country, name in zip(countries, names, strict=True):
        mine = rows[rows["iso3"] == country.iso3]
        for component, source in zip(mine["component"].fillna(0).astype(int),
                                     mine["source_id"].astype(str), strict=True):
            if int(component) in position:
                key = (position[int(component)], name)
                cells[key] = tuple(dict.fromkeys((*cells.get(key, ()), *source.split(";"))))
    return cells


def compare_levels(model: Model, index: IndexInfo, countries: Sequence[Country],
                   year: int | None = None) -> Table:
    """Levels side by side; 'differ' marks components where the rated levels differ."""
    table = component_levels(model, index, countries, year, at_least=2)
    frame = table.frame
    names = labels(countries)
    rated = frame[names].where(frame[names] != NOT_RATED)
    known = rated.notna().sum(axis=1) >= 2
    differs = rated.nunique(axis=1, dropna=True) > 1
    frame.insert(2 + len(names), "differ", np.where(known, np.where(differs, "yes", "no"), ""))
    table.roles = table.roles | {"differ": Role.TEXT}
    return table


def transpose(table: Table, model: Model, countries: Sequence[Country]) -> Table:
    """Countries as rows, years (or components) as columns."""
    frame = table.frame
    names = labels(countries)
    first = str(frame.columns[0])
    headers = [str(int(v)) if first == "year" else
               ("overall" if int(v) == 0 else f"{int(v)}. {n}")
               for v, n in zip(frame[first], frame["pillar_name"] if "pillar_name" in frame
                               else frame[first], strict=True)]
    rows = pd.DataFrame({"country": [c.name for c in countries], "iso3": [c.iso3 for c in countries]})
    for header, (_, record) in zip(headers, frame.iterrows(), strict=True):
        rows[header] = [record[name] for name in names]
    per_country_ids = []
    for country in countries:
        per_country_ids.append(tuple(c.caveat_id for c in table.caveats
                                     if c.iso3 in (None, country.iso3)))
    rows["source_id"] = ";".join(sorted({s for ids in frame["source_id"].dropna()
                                         for s in str(ids).split(";")}))
    rows["caveat_ids"] = per_country_ids
    value_role = Role.NUMBER if first == "year" else Role.LEVEL
    roles = {"country": Role.LABEL, "iso3": Role.CODE, "source_id": Role.SOURCES,
             "caveat_ids": Role.CAVEATS} | dict.fromkeys(headers, value_role)
    # Each country's scores over the years shown (sparklines); levels have no trend.
    history = ((lambda: [[float(v) for v in rows.loc[n, headers] if pd.notna(v)]
                         for n in range(len(rows))]) if first == "year" else None)
    return Table(title=table.title, frame=rows, roles=roles, citations=table.citations,
                 caveats=table.caveats, notes=table.notes, history=history)
