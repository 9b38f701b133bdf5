"""Where the data lives, and the few look-ups that must stay cheap (no pandas).

Shell completion and `--help` use this module, so it imports only the standard library.
"""

from __future__ import annotations

import csv
import os
import sys
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from tindex.errors import UsageError, escape_controls

DATA_DIR_ENV = "TINDEX_DATA_DIR"


def bundled_data_dir() -> Path:
    """The data shipped with tindex: inside the wheel, or data/ in a source checkout."""
    packaged = Path(__file__).with_name("data_files")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def choose_data_dir(option: str | Path | None, option_name: str = "--data-dir") -> Path:
    """--data-dir (or validate's PATH) wins over $TINDEX_DATA_DIR, then the bundled data."""
    if option is not None and str(option).strip() == "":
        raise UsageError(f"{option_name}: give a directory (an empty path names none)")
    chosen = option if option is not None else os.environ.get(DATA_DIR_ENV) or None
    if chosen is None:
        return bundled_data_dir()
    origin = option_name if option is not None else DATA_DIR_ENV
    path = Path(chosen).expanduser()
    try:
        exists = path.is_dir()
    except (OSError, ValueError) as error:  # a path too long for the system, or with NUL
        raise UsageError(f"{origin}: cannot use {escape_controls(str(path)[:200])}: "
                         f"{getattr(error, 'strerror', None) or error}") from None
    if not exists:
        what = "not a directory" if path.exists() else "no such directory"
        raise UsageError(f"{origin}: {what}: {escape_controls(str(path)[:200])}")
    return path


def user_data_dir() -> Path:
    """Where tindex keeps what the user adds (imports): $XDG_DATA_HOME/tindex when that is
    set (on every system, so tests and scripts can redirect it), else platformdirs' choice."""
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "tindex"
    if sys.platform.startswith("linux"):  # platformdirs' own answer, without its import on every run
        return Path.home() / ".local" / "share" / "tindex"
    import platformdirs

    return Path(platformdirs.user_data_dir("tindex", appauthor=False))


def imports_dir() -> Path:
    return user_data_dir() / "imports"


def overlay_dirs(root: Path | None = None) -> list[Path]:
    """The stored imports (directories with a manifest), in name order: overlays on the data."""
    root = imports_dir() if root is None else root
    try:
        found = sorted(path for path in root.iterdir()
                       if not path.name.startswith(".") and (path / "manifest.json").is_file())
    except OSError:
        return []
    return found


def country_names(data_dir: Path) -> list[str]:
    """Display names of the countries in countries.csv, read with the csv module (no pandas)."""
    return sorted(row["name"] for row in _rows(data_dir / "countries.csv")
                  if row.get("kind") == "name" and row.get("name"))


def data_version(data_dir: Path) -> str:
    """The newest release date of each index in the data, from releases.csv and sources.csv,
    for `--version` and the exports. Reads no table of figures, so it stays instant."""
    dates = {row["source_id"]: row.get("date", "") for row in _rows(data_dir / "sources.csv")}
    latest: dict[str, str] = {}
    for name in ("releases.csv",):
        for row in _rows(data_dir / name):
            index, found = row.get("index", ""), dates.get(row.get("source_id", ""), "")
            if index and found[:1].isdigit() and found > latest.get(index, ""):  # not n.d.
                latest[index] = found
    return ", ".join(f"{index} {when}" for index, when in latest.items()) or "no index data"


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def _user_assigned(code: str) -> bool:
    """One of ISO 3166-1's codes reserved for user assignment (AAA-AAZ, QMA-QZZ, XAA-XZZ,
    ZZA-ZZZ). Real data uses them (Kosovo is commonly XKX), and so may a data desk's own
    entities."""
    return (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()
            and (code[:2] in ("AA", "ZZ") or code[0] == "X" or (code[0] == "Q" and code[1] >= "M")))


@cache
def _pycountry_codes() -> frozenset[str]:
    """pycountry's alpha-3 codes, read afresh rather than through iso3166_entries: every
    command checks codes, and keeping the entries' names alive for that cost about 140 kB."""
    return frozenset(entry["alpha_3"] for entry in _read_iso3166())


def is_iso3(value: object) -> bool:
    """An ISO 3166-1 alpha-3 code: pycountry's, or a user-assigned one. The user-assigned
    ranges are tested, not looked up: a set of their 1,092 codes cost every command about
    0.1 MB of memory."""
    return isinstance(value, str) and (value in _pycountry_codes() or _user_assigned(value))


@cache
def iso3166_entries() -> tuple[dict[str, str], ...]:
    """pycountry's ISO 3166-1 entries (alpha_3, name, and official_name / common_name where set)."""
    return _read_iso3166()


def _read_iso3166() -> tuple[dict[str, str], ...]:
    """Reading the JSON directly costs a few milliseconds; importing pycountry costs far
    more, and load-time validation runs on every command."""
    import json

    spec = find_spec("pycountry")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        database = Path(location) / "databases" / "iso3166-1.json"
        if database.is_file():
            with database.open(encoding="utf-8") as handle:
                return tuple(json.load(handle)["3166-1"])
    import pycountry  # fallback if pycountry ever moves its database

    fields = ("alpha_2", "alpha_3", "name", "official_name", "common_name")
    return tuple({field: str(getattr(country, field)) for field in fields if hasattr(country, field)}
                 for country in pycountry.countries)
