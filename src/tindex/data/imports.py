"""Keep the user's imports: each source in its own overlay directory in tindex's CSV layout.

`<user data dir>/imports/<source>/` holds indices.csv, index_scores.csv, sources.csv,
countries.csv and manifest.json. A new import is written to a hidden directory beside
it, loaded together with the base data and the other imports (every check the bundled
data gets), and only then swapped into place; re-importing a source replaces it.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tindex import schema
from tindex.data.dataset import Dataset
from tindex.data.reader import NO_DATE, Problem
from tindex.errors import DataError, UsageError, did_you_mean, escape_controls, printable
from tindex.importers import ImportResult
from tindex.importers.countries import display_name
from tindex.locate import overlay_dirs

MANIFEST = "manifest.json"
SCORE_HEADER = ("index", "iso3", "year", "score", "low", "high", "source_id")  # index_scores.csv


@dataclass(frozen=True)
class Manifest:
    """What `tindex import --list` shows about one stored import."""

    id: str  # the source: one import per source
    source: str
    file_name: str
    sha256: str
    version: str
    release_date: str
    imported_at: str  # UTC, ISO 8601 to the second
    rows: int  # score rows kept (country-years with a value)
    missing: int  # country-years the file has without a value (left out)
    years: str  # first-last
    countries: int
    indices: tuple[str, ...]
    kept_as_user_code: tuple[str, ...]
    skipped: tuple[str, ...]


def source_id(source: str) -> str:
    return f"import-{source}"


def store(result: ImportResult, root: Path, base: Path, base_label: str,
          now: datetime | None = None) -> Manifest:
    """Write `result` under `root/<source>` atomically, after checking it loads over `base`.

    A DataError (one line, file:line) leaves every earlier import as it was.
    """
    root.mkdir(parents=True, exist_ok=True)
    target = root / result.source
    work = Path(tempfile.mkdtemp(prefix=f".{result.source}-", dir=root))
    try:
        manifest = _write(result, work, now or datetime.now(UTC))
        others = [path for path in overlay_dirs(root) if path.name != result.source]
        dataset = Dataset(base, base_label, [*others, work])
        for spec in (schema.SOURCES, schema.COUNTRIES, schema.INDICES, schema.INDEX_SCORES):
            dataset.table(spec)
        _swap(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _swap(work: Path, target: Path) -> None:
    """Put `work` where `target` is: two renames, the old import restored if the second fails."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(work, target)
    except OSError:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write(result: ImportResult, folder: Path, now: datetime) -> Manifest:
    sid = source_id(result.source)
    citation = result.citation
    kept = result.scores[result.scores["score"].notna()]
    _csv(folder / schema.INDICES.filename, schema.INDICES.column_names, [
        [i.index, i.kind, i.better, _bound(i.minimum), _bound(i.maximum), "data year", i.name,
         i.publisher, i.description, sid] for i in result.indices])
    dated = citation["date"] != "unknown"
    _csv(folder / schema.SOURCES.filename, ["source_id", "title", "publisher", "date", "url", "note"], [[
        sid, f"{citation['title']}: {citation['dataset']}, version {citation['version']}",
        citation["publisher"], citation["date"] if dated else NO_DATE, citation["url"],
        f"Imported by the user on {now.date().isoformat()} from {result.file_name} (SHA-256 "
        f"{result.sha256})" + ("" if dated else "; the file name gives no release date")
        + f". Licence: {citation['licence']}. Not shipped with tindex.",
    ]])
    codes = sorted(kept["iso3"].astype(str).unique().tolist())  # not a Python loop over every row
    _csv(folder / schema.COUNTRIES.filename, schema.COUNTRIES.column_names,
         [[code, display_name(code), "name", f"from the {result.source} import"] for code in codes])
    # Formatted a column at a time, each distinct value once, and joined as text: on 23,000
    # V-Dem rows csv.writer took 0.03 s, a Python call per cell 0.15 s, repr per row 0.04 s.
    columns = [_cells(kept["index"]), _cells(kept["iso3"]),
               map(str, kept["year"].astype("int64").tolist()),
               _floats(kept["score"]), _floats(kept["low"]), _floats(kept["high"]),
               itertools.repeat(_cell(sid), len(kept))]
    text = "\n".join(map(",".join, zip(*columns, strict=True)))
    with (folder / schema.INDEX_SCORES.filename).open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(SCORE_HEADER) + "\n" + text + ("\n" if text else ""))
    manifest = Manifest(
        id=result.source, source=result.source, file_name=result.file_name, sha256=result.sha256,
        version=citation["version"], release_date=citation["date"],
        imported_at=now.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        rows=len(kept), missing=len(result.scores) - len(kept),
        years=_span(kept["year"].to_numpy()), countries=len(codes),
        indices=tuple(i.index for i in result.indices),
        kept_as_user_code=tuple(result.kept_as_user_code), skipped=tuple(result.skipped))
    (folder / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    return manifest


def _span(years: np.ndarray) -> str:
    if not years.size:
        return "none"
    first, last = int(years.min()), int(years.max())
    return str(first) if first == last else f"{first}-{last}"


def _bound(value: float | None) -> str:
    return "" if value is None or value != value else repr(float(value))


def _floats(values: pd.Series) -> list[str]:
    """_bound of every value of a float column, each distinct value formatted once (repr
    is most of the write's time, and scores repeat). Told apart by their bits, so that
    -0.0 keeps its sign; every NaN is empty."""
    bits, distinct = pd.factorize(values.to_numpy(dtype="float64").view(np.int64))
    shown = [_bound(value) for value in distinct.view(np.float64).tolist()] or [""]
    text: list[str] = np.array(shown, dtype=object)[bits].tolist()
    return text


def _cell(value: str) -> str:
    """`value` as the csv module writes it among other fields (quoted only if it must be)."""
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow([value, ""])
    return line.getvalue()[:-2]


def _cells(values: pd.Series) -> list[str]:
    """_cell of every value of a text column, each distinct value quoted once."""
    codes, distinct = pd.factorize(values.astype(str), use_na_sentinel=False)
    cells: list[str] = np.array([_cell(value) for value in distinct] or [""], dtype=object)[codes].tolist()
    return cells


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def stored(root: Path) -> list[Manifest]:
    """Every stored import, by source."""
    return [_read_manifest(path) for path in overlay_dirs(root)]


def damaged(root: Path) -> list[Problem]:
    """Each stored import whose manifest cannot be read (for `tindex validate`)."""
    found = []
    for path in overlay_dirs(root):
        try:
            _read_manifest(path)
        except DataError as error:
            where = escape_controls(str(path / MANIFEST))
            found.append(Problem(where, None, None, error.message.removeprefix(where + ": ")))
    return found


def _read_manifest(path: Path) -> Manifest:
    try:
        record = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        fields: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value
                                  for key, value in record.items()}
        return Manifest(**fields)
    except (OSError, ValueError, TypeError, AttributeError) as error:
        raise DataError(f"{path / MANIFEST}: not a tindex import manifest ({error}); import "
                        f"the file again or run 'tindex import --remove {path.name}'") from None


def remove(root: Path, wanted: str) -> str:
    """Delete one stored import by its id (its folder, named after the source) and return
    what it held (the file name when its manifest says). Found by folder, not by reading every
    manifest: a damaged manifest, this one's or another's, must not stand in the way of
    removing it. An unknown id is a usage error."""
    folders = {path.name.casefold(): path for path in overlay_dirs(root)}
    key = wanted.strip().casefold()
    if key not in folders:
        ids = [path.name for path in folders.values()]
        listed = ", ".join(ids) or "none"
        raise UsageError(f"no import {printable(wanted)}{did_you_mean(wanted, ids)}; "
                         f"imported: {listed}")
    target = folders[key]
    key = target.name
    try:
        held = f" ({escape_controls(_read_manifest(target).file_name)})"
    except DataError:
        held = " (its manifest could not be read)"
    trash = target.with_name(f".{key}-removed-{os.getpid()}")
    os.replace(target, trash)  # gone from the overlays in one step, then deleted
    shutil.rmtree(trash, ignore_errors=True)
    return f"{key}{held}"
