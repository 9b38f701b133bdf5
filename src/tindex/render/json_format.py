"""JSON: an array of flat records for tables (id lists as lists), one object for explain.

Strict JSON: missing and non-finite values are null, never NaN or Infinity.
"""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

from tindex.core.result import Profile, Table
from tindex.errors import OTHER_UNSAFE
from tindex.render import RenderOptions
from tindex.render.plain import profile_object, records

# json.dumps escapes C0 controls itself; the rest of tindex's unsafe set becomes \u escapes,
# so nothing raw survives ensure_ascii=False.
_RAW = re.compile(f"[{OTHER_UNSAFE}]")


def dump(data: Any, out: TextIO) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    out.write(_RAW.sub(_escape, text) + "\n")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)  # JSON spells astral characters as a pair
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def render(result: Table | Profile, options: RenderOptions, out: TextIO) -> None:
    dump(records(result.frame) if isinstance(result, Table) else profile_object(result), out)
