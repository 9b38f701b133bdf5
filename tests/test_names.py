"""Country names resolve exactly or are refused: tindex.names against the bundled data.

The mappings are read from the CSV files with the csv module (not through tindex.data),
and the oracle for the property tests folds names with its own few lines of unicodedata.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tindex.errors import UNSAFE_CHARACTERS, UsageError
from tindex.names import resolve_country, suggest

DATA = Path(__file__).resolve().parents[1] / "data"


def _read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


NAMES = {row["iso3"]: row["name"] for row in _read("countries.csv") if row["kind"] == "name"}
ALIASES = {row["name"]: row["iso3"] for row in _read("countries.csv") if row["kind"] == "alias"}
WITH_DATA = ", ".join(sorted(NAMES.values(), key=str.casefold))
# Hand-checked: the bundled data covers these 29 countries.
assert len(NAMES) == 29 and NAMES["RUS"] == "Russia" and NAMES["TUR"] == "Türkiye"


def resolve(text: str) -> str:
    return resolve_country(text, NAMES, ALIASES)


def refusal(text: str) -> str:
    with pytest.raises(UsageError) as caught:
        resolve(text)
    assert caught.value.exit_code == 2
    return caught.value.message


@pytest.mark.parametrize(("text", "iso3"), [
    ("Kazakstan", "KAZ"), ("Kyrgyz Republic", "KGZ"), ("Russian Federation", "RUS"),
    ("Republic of Moldova", "MDA"), ("Kirghizia", "KGZ"), ("Byelorussia", "BLR"), ("kgz", "KGZ"),
    ("KG", "KGZ"), ("by", "BLR"), ("Türkiye", "TUR"), ("Turkey", "TUR"), ("DR Congo", "COD"),
    ("Democratic Republic of the Congo", "COD"), ("El Salvador", "SLV"), ("moldova", "MDA"),
    # accents dropped from the whole string, decomposed accents, case and whitespace runs
    ("Turkiye", "TUR"), ("TURKIYE", "TUR"), ("Tu\u0308rkiye", "TUR"), ("Republic of Turkiye", "TUR"),
    ("  russian \u00a0 FEDERATION ", "RUS"), ("el  salvador", "SLV"), ("Kyrgyz\u3000Republic", "KGZ"),
    # ISO codes in any case, pycountry's names, official names and common names
    ("rus", "RUS"), ("Ru", "RUS"), (" ua ", "UKR"), ("Moldova, Republic of", "MDA"),
    ("Congo, The Democratic Republic of the", "COD"), ("Kingdom of Spain", "ESP"),
    ("United Mexican States", "MEX"), ("Islamic Republic of Pakistan", "PAK"),
    ("MOLDAVIA", "MDA"), ("drc", "COD"),
])
def test_legitimate_spellings_resolve(text: str, iso3: str) -> None:
    assert resolve(text) == iso3


@pytest.mark.parametrize("text", [
    "Republic", "Federation", "the", "stan", "of", "Democratic", "Kingdom", "Islamic", "Congo The",
    "Kazak", "Republic of", "Federation Russian",
])
def test_words_and_fragments_are_not_countries(text: str) -> None:
    assert refusal(text) == f"unknown country '{text}'"


@pytest.mark.parametrize("text", ["'", "-", ".", "--", "()", ",", "''", "*", "?", "/"])
def test_punctuation_is_refused_without_suggestions(text: str) -> None:
    assert refusal(text) == f"unknown country '{text}'"


@pytest.mark.parametrize("text", ["643", "2024", "7", "040", "112", " 643 ", "٦٤٣"])
def test_numbers_are_refused_and_never_name_a_country(text: str) -> None:
    message = refusal(text)
    assert message == f"unknown country '{text}' (give a name or a two- or three-letter ISO code)"
    # 643 is Russia's ISO numeric code, 040 Austria's, 112 Belarus's.
    assert not any(word in message for word in ("RUS", "Russia", "AUT", "Austria", "BLR", "Belarus"))


@pytest.mark.parametrize("text", ["", " ", "   ", "\t", " \n ", "\u00a0", "\u3000", "\u2003 \u2003"])
def test_empty_or_blank_is_refused(text: str) -> None:
    assert refusal(text) == "empty country name"


@pytest.mark.parametrize(("text", "shown", "character"), [
    ("Rus\u200bsia", "Rus\\u200bsia", "U+200B ZERO WIDTH SPACE"),
    ("\u200b", "\\u200b", "U+200B ZERO WIDTH SPACE"),
    ("\u200dRussia", "\\u200dRussia", "U+200D ZERO WIDTH JOINER"),
    ("Russia\u2060", "Russia\\u2060", "U+2060 WORD JOINER"),
    ("\ufeffRussia", "\\ufeffRussia", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("Rus\u00adsia", "Rus\\xadsia", "U+00AD SOFT HYPHEN"),
    ("Russia\U000e0041", "Russia\\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
    ("\u202eaissuR", "\\u202eaissuR", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("Russia\u200e", "Russia\\u200e", "U+200E LEFT-TO-RIGHT MARK"),
    ("Russia\u2066", "Russia\\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("Kaz\u034fakhstan", "Kaz\\u034fakhstan", "U+034F COMBINING GRAPHEME JOINER"),
    ("Russia\ufe0f", "Russia\\ufe0f", "U+FE0F VARIATION SELECTOR-16"),
    ("Rus\x1b[31msia", "Rus\\x1b[31msia", "U+001B"),
    ("Russia\n", "Russia\\x0a", "U+000A"),
    ("Russia\x00", "Russia\\x00", "U+0000"),
    ("Russia\x9b", "Russia\\x9b", "U+009B"),
    ("Russia\u2028", "Russia\\u2028", "U+2028 LINE SEPARATOR"),
    ("Russia\udcff", "Russia\\udcff", "U+DCFF"),  # an undecodable byte in argv
    ("Russia\ue000", "Russia\ue000", "U+E000"),  # private use
])
def test_control_and_invisible_characters_are_refused_and_shown(text: str, shown: str,
                                                                 character: str) -> None:
    message = refusal(text)
    assert message == (f"country name '{shown}' has a control, invisible or unassigned character"
                       f" ({character})")
    assert UNSAFE_CHARACTERS.search(message) is None


def test_real_country_without_data_is_named_with_its_code() -> None:
    assert refusal("France") == f"no data for 'France' (FRA); countries with data: {WITH_DATA}"
    assert refusal("fr") == f"no data for 'fr' (FRA); countries with data: {WITH_DATA}"
    assert refusal("French Republic") == (
        f"no data for 'French Republic' (FRA); countries with data: {WITH_DATA}")
    assert refusal("GB") == f"no data for 'GB' (GBR); countries with data: {WITH_DATA}"


@pytest.mark.parametrize(("text", "suggested"), [
    ("Kazakstn", "Kazakhstan"), ("Molodva", "Moldova"), ("Itlay", "Italy"), ("Kyrgystan", "Kyrgyzstan"),
    ("Turky", "Türkiye"),  # close to the alias Turkey: the display name is suggested
    ("Kirgizija", "Kyrgyzstan"),  # close to three aliases of one country: suggested once
    ("Byelorusia", "Belarus"), ("DR Kongo", "DR Congo"), ("turkye", "Türkiye"), ("Russ", "Russia"),
])
def test_a_close_miss_is_refused_with_one_suggestion(text: str, suggested: str) -> None:
    assert refusal(text) == f"unknown country '{text}' (did you mean {suggested}?)"


def test_suggestions_are_display_names_deduplicated_at_most_three() -> None:
    assert suggest("Belarussia", NAMES, ALIASES) == ["Belarus", "Russia"]
    assert refusal("Belarussia") == "unknown country 'Belarussia' (did you mean Belarus or Russia?)"
    assert suggest("Xlandx", {"AAA": "Xland"}, {"Xlanda": "AAA", "XLANDB": "AAA"}) == ["Xland"]
    many = {"AAA": "Xlanda", "BBB": "Xlandb", "CCC": "Xlandc", "DDD": "Xlandd", "EEE": "Xlande"}
    found = suggest("Xlandx", many, {})  # all five equally close
    assert len(found) == len(set(found)) == 3 and set(found) <= set(many.values())


def test_long_input_is_shortened_in_the_message() -> None:
    assert refusal("x" * 500) == f"unknown country '{'x' * 60}... (500 characters)'"


def test_one_spelling_for_two_countries_is_refused() -> None:
    names = {"AAA": "Aland", "BBB": "Bland"}
    with pytest.raises(UsageError) as caught:
        resolve_country("mixland", names, {"Mixland": "AAA", "MIXLAND": "BBB"})
    assert caught.value.message == "country name 'mixland' is ambiguous: Aland (AAA) or Bland (BBB)"


def test_display_name_wins_over_another_countrys_alias() -> None:
    assert resolve_country("Testland", {"AAA": "Testland", "BBB": "Other"}, {"Testland": "BBB"}) == "AAA"


def test_accent_free_ties_are_refused() -> None:
    names = {"AAA": "Tésland", "BBB": "Tèsland"}
    with pytest.raises(UsageError) as caught:
        resolve_country("Tesland", names, {})
    assert caught.value.message == "country name 'Tesland' is ambiguous: Tésland (AAA) or Tèsland (BBB)"


def test_every_format_character_is_escaped() -> None:
    """errors.UNSAFE_CHARACTERS lists Cf by hand; this catches a newer Unicode adding one."""
    missing = [f"U+{code:04X}" for code in range(sys.maxunicode + 1)
               if unicodedata.category(chr(code)) in ("Cf", "Cc", "Zl", "Zp", "Cs")
               and not UNSAFE_CHARACTERS.match(chr(code))]
    assert missing == []


@pytest.mark.e2e
def test_pycountry_is_read_only_on_a_miss() -> None:
    script = (
        "import sys\n"
        "from tindex.names import resolve_country\n"
        "names = {'RUS': 'Russia', 'KAZ': 'Kazakhstan'}\n"
        "for text in ('russia', 'RUS', 'Kazakstan', 'Ŕussia'):\n"
        "    assert resolve_country(text, names, {'Kazakstan': 'KAZ'}) in names\n"
        "print('pycountry' in sys.modules, 'pandas' in sys.modules)\n"
        "assert resolve_country('Russian Federation', names, {}) == 'RUS'\n"
        "print('pycountry' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "False False\nTrue\n", "")


# --- properties -------------------------------------------------------------------------------

def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _bare(text: str) -> str:
    marks_gone = "".join(c for c in unicodedata.normalize("NFD", _folded(text))
                         if not unicodedata.combining(c))
    return _folded(marks_gone)


@cache
def _spellings(iso3: str) -> frozenset[str]:
    """Every spelling that may stand for iso3: display name, codes, pycountry names, aliases."""
    found = {iso3, *(alias for alias, code in ALIASES.items() if code == iso3)}
    if iso3 in NAMES:
        found.add(NAMES[iso3])
    country = pycountry.countries.get(alpha_3=iso3)
    if country is not None:
        found.add(country.alpha_2)
        found.update(getattr(country, field) for field in ("name", "official_name", "common_name")
                     if getattr(country, field, None))
    return frozenset(found)


def _names_it(text: str, iso3: str) -> bool:
    return any(_folded(text) == _folded(s) or _bare(text) == _bare(s) for s in _spellings(iso3))


REAL_SPELLINGS = sorted({s for code in NAMES for s in _spellings(code)} | set(ALIASES))


@st.composite
def mangled_names(draw: st.DrawFn) -> str:
    """A real spelling with characters inserted, deleted or re-cased, or whitespace changed."""
    text = draw(st.sampled_from(REAL_SPELLINGS))
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "case", "space"]))
        if edit == "insert":
            text = text[:where] + draw(st.characters()) + text[where:]
        elif edit == "delete" and where < len(text):
            text = text[:where] + text[where + 1:]
        elif edit == "case":
            text = text[:where] + text[where:].swapcase()
        elif edit == "space":
            text = text[:where] + draw(st.sampled_from([" ", "  ", "\u00a0", "\t"])) + text[where:]
    return text


@given(st.one_of(st.text(), mangled_names(), st.from_regex(r"\A[0-9 ]{1,6}\Z")))
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_input_resolves_to_a_spelling_of_that_country_or_is_refused(text: str) -> None:
    try:
        iso3 = resolve(text)
    except UsageError as refused:
        assert refused.exit_code == 2
        assert UNSAFE_CHARACTERS.search(refused.message) is None
        if text.strip().isdigit():
            assert not any(code in refused.message for code in NAMES)
        return
    assert iso3 in NAMES
    assert _names_it(text, iso3), f"{text!r} resolved to {iso3}"


@given(st.sampled_from(REAL_SPELLINGS), st.data())
@settings(deadline=None)
def test_case_and_whitespace_never_change_the_answer(spelling: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(spelling), max_size=len(spelling)))
    recased = "".join(c.swapcase() if flip else c for c, flip in zip(spelling, flips, strict=True))
    spaced = data.draw(st.sampled_from(["", " ", "\u00a0 "])) + recased.replace(" ", "  ") + " "
    try:
        expected = resolve(spelling)
    except UsageError:
        with pytest.raises(UsageError):
            resolve(spaced)
        return
    assert resolve(spaced) == expected
