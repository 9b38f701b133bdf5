"""Profiles: everything about one country, or what one index is. Only what concerns the
subject: its figures, the caveats about it or about an index it is in, and the sources
those cite."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from tindex import schema
from tindex.core.changes import country_changes, driver_lines, drivers, span_summary
from tindex.core.model import Country, IndexInfo, Model, equal_rows, year_span
from tindex.core.ranking import rank_levels, score_ranks
from tindex.core.result import Caveat, Headline, Note, Profile, Role, Section, Table
from tindex.errors import UsageError


def explain_country(model: Model, country: Country) -> Profile:
    summary = [Headline("country", "Country", country.name, Role.LABEL),
               Headline("iso3", "ISO code", country.iso3, Role.CODE)]
    sections: list[Section] = []
    ids: list[str] = []
    named: list[str] = []  # caveats that facts and recommendations name
    indices_in: list[IndexInfo] = []
    years_in: dict[str, set[int]] = {}
    for index in model.indices.values():
        if index.id in model.imported:
            continue  # shown briefly under "other measures"
        if not model.holds_data(index):
            continue
        if index.is_score:
            scores = model.scores(index)
            if not equal_rows(scores["iso3"], country.iso3).any():
                continue
            indices_in.append(index)
            table = country_changes(model, index, country)
            frame = table.frame
            years_in[index.id] = {int(y) for y in frame["year"]}
            last = {name: frame[name].array[-1] for name in ("year", "score", "rank", "of", "change")}
            cited = schema.id_list(frame["source_id"].array[-1]), tuple(frame["caveat_ids"].array[-1])
            summary += [
                Headline(f"{index.id}_latest_year", f"{index.name}: latest year", int(last["year"]),
                         Role.YEAR),
                Headline(f"{index.id}_score", f"{index.name}: score", float(last["score"]),
                         Role.NUMBER, *cited),
                Headline(f"{index.id}_rank", f"{index.name}: rank",
                         f"{int(last['rank'])} of {int(last['of'])}", Role.TEXT, *cited),
                Headline(f"{index.id}_change", f"{index.name}: change",
                         None if pd.isna(last["change"]) else float(last["change"]), Role.SIGNED,
                         *cited),
            ]
            if len(frame) > 1:  # the whole series: every row's sources and caveats
                summary.append(Headline(
                    f"{index.id}_trend", f"{index.name}: trend", span_summary(frame), Role.TEXT,
                    tuple(dict.fromkeys(i for cell in frame["source_id"] for i in schema.id_list(cell))),
                    tuple(dict.fromkeys(i for ids in frame["caveat_ids"] for i in ids))))
            shown = frame.iloc[:, 2:]  # all but country and iso3, the first two columns
            sections.append(Section(index.id, f"{index.name} scores", table=Table(
                title=f"{index.name} scores", frame=shown, roles=table.roles,
                history=_history(frame["score"].tolist()))))
            ids += frame["source_id"].astype(str).tolist()
            found = drivers(model, index, country.iso3, frame["year"].tolist())
            if not found.empty:
                sections.append(Section("drivers", "What drove the changes (as published)",
                                        lines=driver_lines(found)))
                ids += found["source_id"].astype(str).tolist()
        else:
            levels = model.levels(index)
            mine = levels.take(np.flatnonzero(equal_rows(levels["iso3"], country.iso3)))
            if mine.empty:
                continue
            indices_in.append(index)
            years_in[index.id] = {int(y) for y in mine["year"]}
            year = int(mine["year"].max())
            mine = mine[mine["year"] == year]
            overall = mine[mine["component"].isna()]
            if not overall.empty:
                ranked = rank_levels(model, index, year, None, None, False).frame
                place = ranked[ranked["iso3"] == country.iso3].iloc[0]
                tied = int((ranked["rank"] == place["rank"]).sum())
                measured = model.measured(index, year)
                among = f"{int(place['of'])} rated in tindex" + (
                    f" of {measured} measured" if measured and measured > int(place["of"]) else "")
                summary.append(Headline(
                    f"{index.id}_level", f"{index.name} {year}",
                    f"{overall['level'].iloc[0]} (rank {int(place['rank'])}"
                    f"{f', tied with {tied - 1} more' if tied > 1 else ''}, among {among})",
                    Role.TEXT, schema.id_list(place["source_id"]), tuple(place["caveat_ids"])))
            ids += mine["source_id"].astype(str).tolist()
            parts = mine[mine["component"].notna()].sort_values("component")
            if not parts.empty:
                names = model.components(index)
                frame = pd.DataFrame({
                    "pillar": parts["component"].astype(int).to_numpy(),
                    "pillar_name": [names.get(int(n), "") for n in parts["component"]],
                    "level": parts["level"].astype(str).to_numpy(),
                    "source_id": parts["source_id"].astype(str).to_numpy(),
                })
                sections.append(Section(index.id, f"{index.name} {year} by pillar", table=Table(
                    title=f"{index.name} {year} by pillar", frame=frame,
                    roles={"pillar": Role.INTEGER, "pillar_name": Role.LABEL, "level": Role.LEVEL,
                           "source_id": Role.SOURCES}, scale=index.best_first)))
    others = other_measures(model, country)
    if others is not None:
        sections.append(Section("other_measures", "Other measures (your imports)", table=others))
        ids += others.frame["source_id"].astype(str).tolist()
    if not indices_in and others is None:
        sections.append(Section("indices", "Indices", lines=[Note(
            f"No index in tindex's data rates {country.name}; see the caveats for what is known "
            "about coverage.")]))

    facts = model.dataset.optional(schema.FACTS)
    if facts is not None:
        mine = facts.take(np.flatnonzero(equal_rows(facts["iso3"], country.iso3)))
        if not mine.empty:
            frame = pd.DataFrame({
                "fact": mine["label"].to_numpy(),
                "value": mine["value"].to_numpy(),
                "unit": mine["unit"].fillna("").to_numpy(),
                "period": mine["period"].fillna("").to_numpy(),
                "source_id": mine["source_id"].astype(str).to_numpy(),
                "caveat_ids": pd.Series(_caveat_ids(mine), dtype=object).to_numpy(),
            })
            sections.append(Section("facts", "Key facts", table=Table(
                title="Key facts", frame=frame,
                roles={"fact": Role.TEXT, "value": Role.VALUE, "unit": Role.UNIT, "period": Role.PERIOD,
                       "source_id": Role.SOURCES, "caveat_ids": Role.CAVEATS})))
            ids += frame["source_id"].tolist()
            named += [i for row in frame["caveat_ids"] for i in row]


    recommendations = model.dataset.optional(schema.RECOMMENDATIONS)
    if recommendations is not None:
        applies = recommendations["applies_to"].astype(str).str.split(";").apply(
            lambda codes: country.iso3 in [c.strip() for c in codes])
        mine = recommendations[applies]
        if not mine.empty:
            lines = [Note(str(t), (str(i),), about) for t, i, about in
                     zip(mine["text"], mine["source_id"], _caveat_ids(mine), strict=True)]
            sections.append(Section("recommendations", "Recommendations (as published, condensed)",
                                    lines=lines))
            ids += mine["source_id"].astype(str).tolist()
            named += [i for line in lines for i in line.caveat_ids]

    # Cited: what the sections cite, then the sources of every caveat (the exports carry
    # each caveat's text, with its sources).
    caveats = country_caveats(model, country.iso3, years_in, named)  # once every row has named its own
    return Profile(title=f"{country.name} ({country.iso3})", summary=summary, sections=sections,
                   citations=model.citations([*ids, *(i for c in caveats for i in c.source_ids)]),
                   caveats=caveats)


def other_measures(model: Model, country: Country) -> Table | None:
    """Each imported score index's latest value for the country and its rank that year."""
    rows = []
    for index in model.indices.values():
        if index.id not in model.imported or not index.is_score or not model.holds_data(index):
            continue
        scores = model.scores(index)
        mine = scores[scores["iso3"] == country.iso3]
        if mine.empty:
            continue
        year = int(mine["year"].max())
        ranked = score_ranks(scores, year, index)
        place = ranked[ranked["iso3"] == country.iso3].iloc[0]
        rows.append({"index": index.id, "measure": index.name, "year": year,
                     "score": float(place["score"]), "rank": int(place["rank"]), "of": len(ranked),
                     "better": index.better, "source_id": str(place["source_id"])})
    if not rows:
        return None
    return Table(title="Other measures", frame=pd.DataFrame(rows), roles={
        "index": Role.CODE, "measure": Role.LABEL, "year": Role.YEAR, "score": Role.NUMBER,
        "rank": Role.INTEGER, "of": Role.INTEGER, "better": Role.TEXT, "source_id": Role.SOURCES})


def _history(values: list[float]) -> Callable[[], list[list[float]]]:
    return lambda: [values]


def country_caveats(model: Model, iso3: str, years: dict[str, set[int]],
                    named: list[str]) -> list[Caveat]:
    """About this country (any index, any year), those about an index it is in, for a year
    it has there (not the caveats of an edition that does not rate it), and those its facts
    and recommendations name."""
    return [c for c in model.caveats
            if c.iso3 == iso3 or c.caveat_id in named
            or (c.iso3 is None and c.index in years
                and (c.year is None or c.year in years[c.index]))]


def _caveat_ids(rows: pd.DataFrame) -> list[tuple[str, ...]]:
    """Per row, the caveats its optional caveat_ids column names."""
    if "caveat_ids" not in rows:
        return [()] * len(rows)
    return [schema.id_list(cell) for cell in rows["caveat_ids"]]


def explain_index(model: Model, index: IndexInfo) -> Profile:
    """What an index measures, its scale, coverage, releases and caveats."""
    scale = (" < ".join(index.levels) if index.levels else
             f"numbers from {index.minimum:g} to {index.maximum:g}" if index.minimum is not None
             and index.maximum is not None else "numbers; no bounds published")
    summary = [
        Headline("index", "Index", index.id, Role.LABEL),
        Headline("name", "Name", index.name, Role.TEXT),
        Headline("publisher", "Publisher", index.publisher, Role.TEXT),
        Headline("kind", "Kind", f"{index.kind} ({index.better} is better)", Role.TEXT),
        Headline("scale", "Scale", scale, Role.TEXT),
        Headline("year_means", "Year", index.year_means, Role.TEXT),
    ]
    sections = [Section("about", "About", lines=[Note(index.description, (index.source_id,))])]
    ids = [index.source_id]
    rows = model.scores(index) if index.is_score else model.levels(index)
    if not index.is_score:
        rows = rows[rows["component"].isna()]
    summary.append(Headline("years", "Years", year_span(rows["year"].unique()), Role.TEXT))
    per_year = rows.groupby("year", observed=True)["iso3"].nunique()
    coverage = pd.DataFrame({"year": per_year.index.to_numpy(dtype="int64"),
                             "countries": per_year.to_numpy()})
    coverage["measured"] = pd.array([model.measured(index, int(y)) for y in coverage["year"]],
                                    dtype="Int64")
    sections.append(Section("coverage", "Countries with data in tindex, and measured by the publisher",
                            table=Table(title="coverage", frame=coverage, roles={
                                "year": Role.YEAR, "countries": Role.INTEGER, "measured": Role.INTEGER})))
    if index.is_score:
        releases = model.releases(index)
        if not releases.empty:
            frame = pd.DataFrame({"release": releases["release"].astype(int).to_numpy(),
                                  "source_id": releases["source_id"].astype(str).to_numpy(),
                                  "note": releases["note"].fillna("").to_numpy()})
            sections.append(Section("releases", "Releases in the data", table=Table(
                title="releases", frame=frame, roles={"release": Role.INTEGER, "source_id": Role.SOURCES,
                                                      "note": Role.TEXT})))
            ids += frame["source_id"].tolist()
    components = model.components(index)
    if components:
        table = model.dataset.table(schema.COMPONENTS)
        mine = table[table["index"] == index.id].sort_values("component")
        sections.append(Section("pillars", "Pillars", table=Table(title="pillars", frame=pd.DataFrame({
            "pillar": mine["component"].astype(int).to_numpy(),
            "name": mine["name"].to_numpy(),
            "what it looks at": mine["description"].to_numpy()}),
            roles={"pillar": Role.INTEGER, "name": Role.TEXT, "what it looks at": Role.TEXT})))
        ids += mine["source_id"].astype(str).tolist()
    if not index.is_score:
        latest = int(rows["year"].max())
        counts = rows[rows["year"] == latest]["level"].astype(str).value_counts()
        frame = pd.DataFrame({"level": list(index.levels),
                              "countries": [int(counts.get(level, 0)) for level in index.levels]})
        sections.append(Section("levels", f"Overall levels in tindex for {latest}", table=Table(
            title="levels", frame=frame, roles={"level": Role.LEVEL, "countries": Role.INTEGER})))
    caveats = [c for c in model.caveats if c.index == index.id]
    ids += [i for c in caveats for i in c.source_ids]
    return Profile(title=index.name, summary=summary, sections=sections,
                   citations=model.citations(ids), caveats=caveats)


def explain(model: Model, subject: str) -> Profile:
    """A country, or an index by its id."""
    key = subject.strip().casefold()
    if key in {i.casefold() for i in model.indices}:
        return explain_index(model, model.index(subject))
    try:
        return explain_country(model, model.country(subject))
    except UsageError as error:
        raise UsageError(error.message + f" (or an index: {', '.join(model.indices)})") from None
