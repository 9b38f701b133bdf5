"""Match a source's (code, name) pairs to ISO 3166-1 alpha-3, by code and name together.

Sources use World Bank, Correlates of War or their own codes, some of which look like ISO
codes but are not (PTS `ADO` is Andorra, V-Dem's historical polities have codes of their
own). A code is taken as ISO only when the name agrees with it; everything else goes
through the curated crosswalk (crosswalk.csv: rows for one source, or `*` for a former or
short name any source may use with that ISO code) or, with no code at all, the name alone.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from tindex.errors import escape_controls
from tindex.locate import iso3166_entries


@dataclass(frozen=True)
class Match:
    """The outcome for one source entity: an ISO (or user-assigned) code, or None when skipped."""

    iso3: str | None
    line: str | None  # the one human line for kept_as_user_code / skipped, else None
    user_code: bool = False


@dataclass(frozen=True)
class _Crossing:
    iso3: str
    note: str


def _normal(name: str) -> str:
    """Case, accents and punctuation removed, so 'Côte d'Ivoire' equals 'Cote dIvoire'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = text.replace("&", " and ").replace("'", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def is_user_assigned(code: str) -> bool:
    """ISO 3166-1 reserves AAA-AAZ, QMA-QZZ, XAA-XZZ and ZZA-ZZZ for users."""
    return bool(re.fullmatch(r"AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z]", code))


@cache
def _crosswalk() -> dict[tuple[str, str, str], _Crossing]:
    text = files("tindex.importers").joinpath("crosswalk.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return {(row["source"], row["code"], _normal(row["name"])): _Crossing(row["iso3"], row["note"])
            for row in rows}


@cache
def _iso() -> dict[str, dict[str, str]]:
    """pycountry's ISO 3166-1 entries by alpha-3, read from its JSON (importing pycountry
    and normalising every name cost about 0.08 s of each import)."""
    return {entry["alpha_3"]: entry for entry in iso3166_entries()}


@cache
def _names_of(code: str) -> frozenset[str]:
    """The normalised forms of an ISO code's name, official name and common name."""
    entry = _iso()[code]
    return frozenset(_normal(entry[key]) for key in ("name", "official_name", "common_name")
                     if entry.get(key))


@cache
def _by_name() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in _iso():
        for form in _names_of(code):
            table.setdefault(form, code)
    return table


def match(source: str, code: str, names: tuple[str, ...], code_only: bool = False) -> Match:
    """Resolve one entity; `names` are the source's names for it (PTS has two), the first one shown.

    `code_only` is for files that carry no name at all (HRMI): an ISO code is then taken as it is.
    """
    code = code.strip()
    names = tuple(name for name in names if name.strip())
    shown = escape_controls(
        f"{names[0]} ({code})" if names and code else names[0] if names else code or "(no name, no code)"
    )
    normal = [_normal(name) for name in names]
    for key in (source, "*"):  # "*": a name any source may use for that code
        for name in normal or [""]:
            crossing = _crosswalk().get((key, code, name))
            if crossing is not None:
                return _from_crosswalk(shown, crossing)
    if code in _iso():
        if code_only or _names_of(code) & set(normal):
            return Match(code, None)
        official = _iso()[code]["name"]
        return Match(None, f"{shown}: {code} is the ISO 3166 code of {official}, not this name, skipped")
    by_name = [_by_name()[name] for name in normal if name in _by_name()]
    if by_name and not code:
        return Match(by_name[0], None)
    if by_name:
        return Match(None, f"{shown}: code {code} is not ISO 3166 and not in the crosswalk, skipped")
    return Match(None, f"{shown}: no ISO 3166 code, skipped")


def _from_crosswalk(shown: str, crossing: _Crossing) -> Match:
    if not crossing.iso3:
        return Match(None, f"{shown}: {crossing.note}, skipped")
    if is_user_assigned(crossing.iso3):
        return Match(crossing.iso3, f"{shown}: {crossing.note}, kept as {crossing.iso3}", user_code=True)
    return Match(crossing.iso3, None)


def display_name(iso3: str) -> str:
    """The name to show for a code an import uses: ISO's common or short name, or for a
    user-assigned code the crosswalk's name for it."""
    entry = _iso().get(iso3)
    if entry is not None:
        return entry.get("common_name") or entry["name"]
    rows = csv.DictReader(files("tindex.importers").joinpath("crosswalk.csv")
                          .read_text(encoding="utf-8").splitlines())
    spelt = [row["name"] for row in rows if row["iso3"] == iso3]
    return spelt[0] if spelt else iso3
