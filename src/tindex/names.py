"""Country names typed by a user: resolve exactly or refuse, never guess.

A name resolves only when it equals, after folding, one of: the data's own display
names, an ISO 3166-1 alpha-3 or alpha-2 code, pycountry's name, official name or common
name, or a curated alias. Folding is Unicode NFC, case-folding and collapsing runs of
whitespace; dropping accents is allowed only as equality of the fully folded strings
("Turkiye" is Türkiye). Anything close but not equal ("Kazakstn", "Republic", "stan")
is refused with a suggestion, because a fuzzy match would show the wrong country's
figures with exit 0. Pure: standard library plus pycountry, which is imported (and its
database read) only when the data's own names, codes and aliases miss.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from difflib import get_close_matches
from functools import lru_cache

from tindex.errors import UNSAFE_CHARACTERS, UsageError, printable

# Categories that never occur in a country name: controls, format characters, surrogates
# (undecodable bytes in argv), private-use and unassigned code points, line/paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_MAX_SUGGESTIONS = 3
# difflib ratio a suggestion needs. Typos of real names score 0.8 or more ("Itlay" 0.8,
# "Kazakstn" 0.89); at difflib's default 0.6, "stan" suggested Spain and "Kazakstn" Pakistan.
_SUGGESTION_CUTOFF = 0.75


def fold(text: str) -> str:
    """NFC, case-folded, whitespace runs collapsed: the form in which names are compared."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def fold_accents(text: str) -> str:
    """fold() without combining marks, so "Turkiye" and "Türkiye" compare equal (as whole strings)."""
    decomposed = unicodedata.normalize("NFD", fold(text))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return fold(bare)


def resolve_country(text: str, names: Mapping[str, str], aliases: Mapping[str, str]) -> str:
    """Return the iso3 of the country `text` names, or raise UsageError (exit 2).

    names: iso3 -> display name of every country in the data; aliases: alias -> iso3.
    A real country without data is refused with its code ("no data for 'France' (FRA)").
    """
    if not fold(text):
        raise UsageError("empty country name")
    _refuse_unreadable(text)
    code = _lookup_in_data(text, names, aliases)
    if code is None:
        code = _lookup_in_pycountry(text, names)
    if code is None:
        hint = _did_you_mean(suggest(text, names, aliases))
        if not hint and fold(text).isdigit():  # ISO numeric codes (643 is Russia) are not accepted
            hint = " (give a name or a two- or three-letter ISO code)"
        raise UsageError(f"unknown country {printable(text)}{hint}")
    if code not in names:
        listed = ", ".join(sorted(names.values(), key=fold))
        raise UsageError(f"no data for {printable(text)} ({code}); countries with data: {listed}")
    return code


def suggest(text: str, names: Mapping[str, str], aliases: Mapping[str, str]) -> list[str]:
    """Display names of data countries close to `text` (at most three, best first).

    Candidates are the display names and the aliases (each standing for its country's
    display name); pycountry's names and ISO codes are not, so "Republic" does not list
    every "... Republic" and "643" never suggests an unrelated country.
    """
    wanted = fold_accents(text)
    if not wanted or not any(ch.isalpha() for ch in wanted):
        return []
    candidates: dict[str, set[str]] = {}
    spellings = [*names.items(), *((code, alias) for alias, code in aliases.items() if code in names)]
    for code, spelling in spellings:
        candidates.setdefault(fold_accents(spelling), set()).add(code)
    close = get_close_matches(wanted, list(candidates), n=len(candidates), cutoff=_SUGGESTION_CUTOFF)
    found: list[str] = []
    for match in close:
        for code in sorted(candidates[match]):
            if names[code] not in found:
                found.append(names[code])
    return found[:_MAX_SUGGESTIONS]


def _refuse_unreadable(text: str) -> None:
    """Refuse control, invisible, unassigned or private characters: they hide what was typed."""
    for ch in text:
        if UNSAFE_CHARACTERS.match(ch) or unicodedata.category(ch) in _REFUSED_CATEGORIES:
            described = f"U+{ord(ch):04X}"
            label = unicodedata.name(ch, "")
            described += f" {label}" if label else ""
            raise UsageError(
                f"country name {printable(text)} has a control, invisible or unassigned character"
                f" ({described})"
            )


def _lookup_in_data(text: str, names: Mapping[str, str], aliases: Mapping[str, str]) -> str | None:
    """Display names, then the data's iso3 codes, then aliases; exact before accent-free."""
    folded, bare, code = fold(text), fold_accents(text), _ascii_code(text)
    levels: list[tuple[str | None, Iterable[tuple[str, str]]]] = [
        (folded, ((fold(name), iso3) for iso3, name in names.items())),
        (code, ((iso3.upper(), iso3) for iso3 in names)),
        (folded, ((fold(alias), iso3) for alias, iso3 in aliases.items())),
        (bare, ((fold_accents(name), iso3) for iso3, name in names.items())),
        (bare, ((fold_accents(alias), iso3) for alias, iso3 in aliases.items())),
    ]
    for key, spellings in levels:
        found = {iso3 for spelling, iso3 in spellings if key is not None and spelling == key}
        if found:
            return _only(text, found, names)
    return None


def _lookup_in_pycountry(text: str, names: Mapping[str, str]) -> str | None:
    """ISO alpha-2/alpha-3 codes, then pycountry's names; exact before accent-free."""
    code = _ascii_code(text)
    if code is not None and code in _pycountry_codes():
        return _pycountry_codes()[code]
    exact, accent_free = _pycountry_index()
    for index, key in ((exact, fold(text)), (accent_free, fold_accents(text))):
        if key in index:
            return _only(text, index[key], names)
    return None


def _ascii_code(text: str) -> str | None:
    """'kgz' -> 'KGZ', ' by ' -> 'BY'; None unless two or three ASCII letters."""
    stripped = text.strip()
    if len(stripped) in (2, 3) and stripped.isascii() and stripped.isalpha():
        return stripped.upper()
    return None


def _only(text: str, found: set[str], names: Mapping[str, str]) -> str:
    """The one code a spelling stands for; two countries behind one spelling is refused."""
    if len(found) == 1:
        return next(iter(found))
    listed = " or ".join(f"{names.get(code, code)} ({code})" for code in sorted(found))
    raise UsageError(f"country name {printable(text)} is ambiguous: {listed}")


@lru_cache(maxsize=1)
def _pycountry_codes() -> dict[str, str]:
    """alpha-2 and alpha-3 code -> alpha-3, from pycountry (ISO 3166-1)."""
    import pycountry

    codes: dict[str, str] = {}
    for country in pycountry.countries:
        codes[str(country.alpha_2)] = str(country.alpha_3)
        codes[str(country.alpha_3)] = str(country.alpha_3)
    return codes


@lru_cache(maxsize=1)
def _pycountry_names() -> dict[str, tuple[str, ...]]:
    """alpha-3 -> pycountry's name, official name and common name (those it has)."""
    import pycountry

    spellings: dict[str, tuple[str, ...]] = {}
    for country in pycountry.countries:
        found = (getattr(country, field, None) for field in ("name", "official_name", "common_name"))
        spellings[str(country.alpha_3)] = tuple(str(name) for name in found if name)
    return spellings


@lru_cache(maxsize=1)
def _pycountry_index() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Folded and accent-free pycountry names -> the alpha-3 codes spelled that way."""
    exact: dict[str, set[str]] = {}
    accent_free: dict[str, set[str]] = {}
    for code, spellings in _pycountry_names().items():
        for spelling in spellings:
            exact.setdefault(fold(spelling), set()).add(code)
            accent_free.setdefault(fold_accents(spelling), set()).add(code)
    return exact, accent_free


def _did_you_mean(suggestions: list[str]) -> str:
    """' (did you mean A, B or C?)', or '' when nothing is close."""
    if not suggestions:
        return ""
    *first, last = suggestions
    joined = f"{', '.join(first)} or {last}" if first else last
    return f" (did you mean {joined}?)"
