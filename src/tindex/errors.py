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


# C0 and C1 controls (ESC, BEL, CR, CSI ...), DEL, line/paragraph separators, and every
# invisible format character (Unicode category Cf: bidi controls, zero-width space and
# joiners, word joiner, BOM, soft hyphen, tag characters), other default-ignorable
# code points, lone surrogates (undecodable argv bytes), plus the non-characters
# U+FFFE/U+FFFF: anything that could drive a terminal, reorder a line, make two different
# names look the same or break XML.
C0 = "\x00-\x1f"
OTHER_UNSAFE = ("\x7f-\x9f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
                "\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164"
                "\ud800-\udfff\ufe00-\ufe0f\ufeff\uffa0\ufff0-\uffff\U000110bd\U000110cd"
                "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff")
UNSAFE_CHARACTERS = re.compile(f"[{C0}{OTHER_UNSAFE}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_controls(text: str) -> str:
    """Show control characters and bidi overrides as escapes (\\x1b), leaving the rest alone.

    The one escaper for everything tindex prints: messages, tables, CSV, Markdown.
    """
    return UNSAFE_CHARACTERS.sub(_escape, text)


class Interrupts:
    """Whether Ctrl-C was pressed, recorded even where Python swallows the KeyboardInterrupt:
    raised inside a callback (importlib's module-lock cleanup, while pandas loads), it only
    prints "Exception ignored ..." and the run would go on as if nothing had happened."""

    seen = False


def watch_interrupts() -> None:
    """Record every SIGINT, raise KeyboardInterrupt as Python does, and keep the swallowed
    ones off stderr (the run ends with one line instead; see cli._emit)."""
    import signal
    import sys

    def on_interrupt(signum: int, frame: object) -> None:
        Interrupts.seen = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
    previous = sys.unraisablehook

    def quiet(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            previous(unraisable)

    sys.unraisablehook = quiet
