"""Where figures come from and what to keep in mind: sources, caveats, countries covered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tindex import schema
from tindex.core.model import Model, coded, year_spans
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
    wanted = listed(wanted or [])
    if wanted:
        known = {s.casefold(): s for s in frame["source_id"].astype(str)}
        missing = [w for w in wanted if w.strip().casefold() not in known]
        if missing:
            hint = did_you_mean(missing[0].strip(), list(known.values()))
            raise UsageError(f"no source {printable(missing[0])}"
                             + (hint or f" among the {len(known)} in the data"))
        frame = frame[frame["source_id"].astype(str).str.casefold().isin(
            [w.strip().casefold() for w in wanted])]
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


def listed(words: list[str]) -> list[str]:
    """The words with ';'-joined lists split, as an export's source_id and caveat_ids
    cells hold them: a cell pasted whole asks for each id in it."""
    parts = [part for word in words for part in (word.split(";") if word.strip(" ;") else [word])]
    return [part for part in parts if part.strip()] or [w for w in words if not w.strip(" ;")]


def _data_label(model: Model) -> str:
    label = model.dataset.label_prefix.rstrip("/")
    return "the bundled data" if label == "data" else label


def list_caveats(model: Model, wanted: list[str]) -> Table:
    """Caveats by id, by index or about countries: an id found in an export resolves in one
    command."""
    chosen: list[Caveat] = []
    by_id = {c.caveat_id.casefold(): c for c in model.caveats}
    indices = {i.casefold(): i for i in model.indices}
    wanted = listed(wanted)
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
        # Which rows carry it: those showing the year's figures, or only the change into it.
        "about": ["change" if c.about_change else "figures" for c in unique],
        "text": [c.text for c in unique],
        "source_ids": [c.source_ids for c in unique],
    })
    roles = {"caveat_id": Role.LABEL, "index": Role.TEXT, "country": Role.LABEL, "iso3": Role.CODE,
             "year": Role.YEAR, "about": Role.TEXT, "text": Role.TEXT, "source_ids": Role.SOURCES}
    return Table(title=f"Caveats: {len(frame)}", frame=frame, roles=roles,
                 citations=model.citations([i for c in unique for i in c.source_ids]))


def list_countries(model: Model) -> Table:
    """Who is covered by which index, for which years, and how many facts tindex holds.

    Per index, the distinct (country, year) pairs as integer keys, then runs of years per
    country: a pass over the codes whatever the size, not a grouping through pandas.
    """
    names = model.names
    codes = pd.Series(list(names), dtype="str")
    frame = pd.DataFrame({"country": list(names.values()), "iso3": codes})
    roles: dict[str, Role] = {"country": Role.LABEL, "iso3": Role.CODE}
    covered = np.zeros(len(names), dtype=np.bool_)
    for index in model.indices.values():
        if not model.holds_data(index):  # declared without data yet: no column for it
            continue
        rows = model.scores(index) if index.is_score else model.levels(index)
        chosen = None if index.is_score else rows["component"].isna().to_numpy()
        spans = year_spans(rows["iso3"], rows["year"].to_numpy(dtype=np.int64), chosen)
        frame[f"{index.id}_years"] = column = codes.map(spans)
        covered |= column.notna().to_numpy()
        roles[f"{index.id}_years"] = Role.TEXT
    facts = model.dataset.optional(schema.FACTS)
    if facts is not None:
        fact_codes, fact_labels = coded(facts["iso3"])
        counts = np.bincount(fact_codes[fact_codes >= 0], minlength=len(fact_labels)).tolist()
        per_code = dict(zip(fact_labels, counts, strict=True))
        frame["facts"] = held = np.array([per_code.get(code, 0) for code in names], dtype=int)
        covered |= held > 0
        roles["facts"] = Role.INTEGER
    kept = np.flatnonzero(covered)
    frame = frame.take(kept)
    about: dict[str, list[str]] = {}
    for caveat in model.caveats:
        if caveat.iso3 is not None:
            about.setdefault(caveat.iso3, []).append(caveat.caveat_id)
    kept_codes = codes.to_numpy()[kept].tolist()
    caveat_ids = [tuple(about.get(code, ())) for code in kept_codes]
    sources = _sources_by_country(model)
    frame["source_id"] = pd.Series([sources.get(code, "") for code in kept_codes], index=frame.index,
                                   dtype="str")
    frame["caveat_ids"] = pd.Series(caveat_ids, index=frame.index, dtype=object)
    roles |= {"source_id": Role.SOURCES, "caveat_ids": Role.CAVEATS}
    frame = frame.sort_values("country", ignore_index=True)
    used = {i for ids_ in caveat_ids for i in ids_}
    caveats = [c for c in model.caveats if c.caveat_id in used]
    # Cited: every source a row names, then the sources of its caveats.
    return Table(title=f"Countries covered: {len(frame)}", frame=frame, roles=roles,
                 citations=model.citations([*frame["source_id"],
                                            *[i for c in caveats for i in c.source_ids]]),
                 caveats=caveats)


def _sources_by_country(model: Model) -> dict[str, str]:
    """Each country's score, level and fact source ids (a row of `countries` counts its
    facts), sorted and joined: the distinct (country, source) pairs as integer keys, so the
    text of each pair is made once."""
    found: dict[str, set[str]] = {}
    for spec in (schema.INDEX_SCORES, schema.INDEX_LEVELS, schema.FACTS):
        table = model.dataset.optional(spec)
        if table is None:
            continue
        codes, labels = coded(table["iso3"])
        source_codes, source_labels = coded(table["source_id"])
        keep = (codes >= 0) & (source_codes >= 0)
        width = len(source_labels)
        key = np.unique(codes[keep].astype(np.int64) * width + source_codes[keep])
        for code, source in zip((key // width).tolist(), (key % width).tolist(), strict=True):
            found.setdefault(labels[code], set()).add(source_labels[source])
    return {code: ";".join(sorted(ids)) for code, ids in found.items()}


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
