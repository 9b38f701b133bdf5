"""Where figures come from and what to keep in mind: sources, caveats, countries covered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tindex import schema
from tindex.core.model import Model, year_span
from tindex.core.result import Caveat, Note, Role, Table
from tindex.errors import UsageError, did_you_mean, printable
from tindex.locate import data_version

if TYPE_CHECKING:
    from tindex.data.imports import Manifest


def list_sources(model: Model, wanted: list[str] | None = None) -> Table:
    """The bibliography: every source (or those asked for) and how many rows cite it."""
    sources = model.dataset.table(schema.SOURCES)
    uses: dict[str, int] = {}
    for spec in schema.ALL_TABLES:
        columns = [c.name for c in spec.columns if c.kind in (schema.Kind.SOURCE, schema.Kind.SOURCE_LIST)]
        if not columns or not model.dataset.has(spec):
            continue
        for value in model.dataset.table(spec)[columns[0]].dropna().astype(str):
            for part in value.split(";"):
                uses[part.strip()] = uses.get(part.strip(), 0) + 1
    frame = sources[["source_id", "title", "publisher", "date", "url", "note"]].copy()
    if wanted:
        known = {s.casefold(): s for s in frame["source_id"].astype(str)}
        missing = [w for w in wanted if w.casefold() not in known]
        if missing:
            raise UsageError(f"no source {printable(missing[0])}; run 'tindex sources' for the list")
        frame = frame[frame["source_id"].astype(str).str.casefold().isin([w.casefold() for w in wanted])]
    frame["cited_by_rows"] = frame["source_id"].map(uses).fillna(0).astype(int)
    frame = frame.sort_values(["publisher", "date", "source_id"], ignore_index=True)
    roles = {"source_id": Role.LABEL, "title": Role.TEXT, "publisher": Role.TEXT, "date": Role.TEXT,
             "url": Role.TEXT, "note": Role.TEXT, "cited_by_rows": Role.INTEGER}
    version = data_version(model.dataset.data_dir)
    described = frame["title"].astype(str).str.startswith("[").any()
    return Table(title=f"Sources: {len(frame)}" + (" (titles in [brackets] are descriptive: the "
                 "original headline was not recorded)" if described else ""), frame=frame, roles=roles,
                 notes=[Note(f"Data in use: {_data_label(model)}; newest release of each index: "
                             f"{version}.")])


def _data_label(model: Model) -> str:
    label = model.dataset.label_prefix.rstrip("/")
    return "the bundled data" if label == "data" else label


def list_caveats(model: Model, wanted: list[str]) -> Table:
    """Caveats by id, by index or about countries: an id found in an export resolves in one
    command."""
    chosen: list[Caveat] = []
    by_id = {c.caveat_id.casefold(): c for c in model.caveats}
    indices = {i.casefold(): i for i in model.indices}
    for text in wanted:
        key = text.strip().casefold()
        if key in by_id:
            chosen.append(by_id[key])
            continue
        if key in indices:
            chosen += [c for c in model.caveats if c.index == indices[key]]
            continue
        try:
            country = model.country(text)
        except UsageError as missed:  # a near caveat id or index first, else the country's hint
            hint = did_you_mean(text.strip(), [*by_id, *model.indices])
            message = f"unknown caveat id, country or index {printable(text)}{hint}" if hint else \
                missed.message.replace("unknown country", "unknown caveat id, country or index", 1)
            raise UsageError(message) from missed
        chosen += [c for c in model.caveats if c.iso3 == country.iso3]
    if not wanted:
        chosen = list(model.caveats)
    unique = list({c.caveat_id: c for c in chosen}.values())
    frame = pd.DataFrame({
        "caveat_id": [c.caveat_id for c in unique],
        "index": [c.index for c in unique],
        "country": [model.names.get(c.iso3, c.iso3) if c.iso3 else None for c in unique],
        "iso3": [c.iso3 for c in unique],
        "year": pd.array([c.year for c in unique], dtype="Int64"),
        "text": [c.text for c in unique],
        "source_ids": [c.source_ids for c in unique],
    })
    roles = {"caveat_id": Role.LABEL, "index": Role.TEXT, "country": Role.LABEL, "iso3": Role.CODE,
             "year": Role.YEAR, "text": Role.TEXT, "source_ids": Role.SOURCES}
    return Table(title=f"Caveats: {len(frame)}", frame=frame, roles=roles,
                 citations=model.citations([i for c in unique for i in c.source_ids]))


def list_countries(model: Model) -> Table:
    """Who is covered by which index, for which years, and how many facts tindex holds."""
    names = model.names
    frame = pd.DataFrame({"country": list(names.values()), "iso3": list(names)})
    roles: dict[str, Role] = {"country": Role.LABEL, "iso3": Role.CODE}
    ids: list[str] = []
    for index in model.indices.values():
        try:
            rows = model.scores(index) if index.is_score else model.levels(index)
        except Exception:  # an index declared without data yet: no column for it
            continue
        if not index.is_score:
            rows = rows[rows["component"].isna()]
        by_code = rows.groupby(rows["iso3"].astype(str))["year"].apply(year_span)
        frame[f"{index.id}_years"] = frame["iso3"].map(by_code)
        roles[f"{index.id}_years"] = Role.TEXT
        ids += rows["source_id"].astype(str).unique().tolist()
    facts = model.dataset.optional(schema.FACTS)
    if facts is not None:
        counts = facts["iso3"].astype(str).value_counts()
        frame["facts"] = frame["iso3"].map(counts).fillna(0).astype(int)
        roles["facts"] = Role.INTEGER
    year_columns = [c for c in frame.columns if c.endswith("_years")]
    frame = frame[frame[year_columns].notna().any(axis=1) | (frame.get("facts", 0) > 0)]
    caveat_ids = [tuple(c.caveat_id for c in model.caveats if c.iso3 == code) for code in frame["iso3"]]
    frame = frame.assign(source_id=None)
    frame["caveat_ids"] = pd.Series(caveat_ids, index=frame.index, dtype=object)
    frame["source_id"] = frame["iso3"].map(_sources_by_country(model)).fillna("")
    roles |= {"source_id": Role.SOURCES, "caveat_ids": Role.CAVEATS}
    frame = frame.sort_values("country", ignore_index=True)
    used = {i for ids_ in caveat_ids for i in ids_}
    caveats = [c for c in model.caveats if c.caveat_id in used]
    return Table(title=f"Countries covered: {len(frame)}", frame=frame, roles=roles,
                 citations=model.citations(sorted(set(ids))), caveats=caveats)


def _sources_by_country(model: Model) -> dict[str, str]:
    """Each country's score and level source ids, sorted and joined: one pass over the rows
    (a scan of every row per country grew with countries x rows)."""
    pairs = [table[["iso3", "source_id"]].astype(str) for spec in (schema.INDEX_SCORES, schema.INDEX_LEVELS)
             if (table := model.dataset.optional(spec)) is not None]
    if not pairs:
        return {}
    distinct = pd.concat(pairs, ignore_index=True).drop_duplicates()
    return {str(code): ";".join(sorted(ids)) for code, ids in distinct.groupby("iso3")["source_id"]}


def list_imports(manifests: list[Manifest]) -> Table:
    """What the user has imported (tindex import --list): one row per source."""
    frame = pd.DataFrame({
        "id": [m.id for m in manifests],
        "file": [m.file_name for m in manifests],
        "sha256": [m.sha256 for m in manifests],
        "version": [m.version for m in manifests],
        "released": [m.release_date for m in manifests],
        "imported": [m.imported_at for m in manifests],
        "indices": [", ".join(m.indices) for m in manifests],
        "rows": pd.array([m.rows for m in manifests], dtype="Int64"),
        "years": [m.years for m in manifests],
        "countries": pd.array([m.countries for m in manifests], dtype="Int64"),
    })
    roles = {"id": Role.LABEL, "file": Role.TEXT, "sha256": Role.TEXT, "version": Role.TEXT,
             "released": Role.TEXT, "imported": Role.TEXT, "indices": Role.TEXT,
             "rows": Role.INTEGER, "years": Role.TEXT, "countries": Role.INTEGER}
    notes = [] if manifests else [Note("Nothing imported yet.")]
    return Table(title=f"Imported data: {len(manifests)} source(s)", frame=frame, roles=roles,
                 notes=notes)
