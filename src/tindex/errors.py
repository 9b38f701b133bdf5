"""The tool's own errors: each carries the one line shown to the user and an exit code.

Exit codes (documented in the README): 0 success, 1 a problem with the data,
2 a problem with how tindex was called (unknown country, year, pillar, option).
"""

from __future__ import annotations

import re

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


# C0 and C1 controls (ESC, BEL, CR, CSI ...), DEL, line/paragraph separators and bidi
# overrides: anything that could move the cursor, recolour or reorder a terminal line.
UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """Show control characters and bidi overrides as escapes (\\x1b), leaving the rest alone.

    The one escaper for everything tindex prints: messages, tables, CSV, Markdown.
    """
    return UNSAFE_CHARACTERS.sub(_escape, text)
