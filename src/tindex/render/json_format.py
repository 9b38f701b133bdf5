"""JSON: an array of records for tables, one object for explain; missing values are null."""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

from tindex.core import Profile, Report
from tindex.render import RenderOptions
from tindex.render.flatten import profile_object, records

# json.dumps escapes C0 controls itself (and the JSON text needs its own newlines); the
# rest of tindex's unsafe set becomes \u escapes, so nothing raw survives ensure_ascii=False.
_RAW_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")

def _dump(data: Any, out: TextIO) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    out.write(_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n")


def render_report(report: Report, options: RenderOptions, out: TextIO) -> None:
    _dump(records(report.frame), out)


def render_profile(profile: Profile, options: RenderOptions, out: TextIO) -> None:
    _dump(profile_object(profile), out)
