"""The tool's own errors: each carries the one line shown to the user and an exit code.

Exit codes (documented in the README): 0 success, 1 a problem with the data,
2 a problem with how tindex was called (unknown country, year, pillar, option).
"""

from __future__ import annotations

EXIT_DATA = 1
EXIT_USAGE = 2


class TindexError(Exception):
    """Base class: anything raised as this is shown as one line, never a traceback."""

    exit_code = EXIT_DATA

    def __init__(self, message: str) -> None:
        message = escape_controls(message)  # names and values in it may come from data files
        super().__init__(message)
        self.message = message


class DataError(TindexError):
    """A data file is missing, unreadable or breaks the schema (exit 1)."""

    exit_code = EXIT_DATA


class UsageError(TindexError):
    """The user asked for something that does not exist (exit 2)."""

    exit_code = EXIT_USAGE


def did_you_mean(word: str, candidates: list[str], limit: int = 3) -> str:
    """Return ' (did you mean X or Y?)' for close matches, or '' when nothing is close."""
    from difflib import get_close_matches

    lowered = {c.lower(): c for c in candidates}
    matches = get_close_matches(word.lower(), list(lowered), n=limit, cutoff=0.6)
    if not matches:
        return ""
    names = [lowered[m] for m in matches]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f" (did you mean {joined}?)"


def printable(value: object, limit: int = 60) -> str:
    """Quote a value from a data file for an error message: escaped, never acted on.

    Control characters (ESC, BEL, CR, ...) and bidi overrides are shown as escapes so
    that a hostile cell cannot drive the terminal; long values are shortened.
    """
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + f"... ({len(str(value))} characters)"
    return f"'{escape_controls(text)}'"


def escape_controls(text: str) -> str:
    """Show control characters and bidi overrides as escapes (\\x1b), leaving the rest alone."""
    return "".join(
        ch if ch.isprintable() and not _is_bidi_control(ch) else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def _is_bidi_control(ch: str) -> bool:
    return "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069" or ch in "\u200e\u200f\u061c"
