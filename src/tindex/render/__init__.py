"""Output: one module per format behind the same two functions.

Each renderer module offers ``render_report(report, options, out)`` and
``render_profile(profile, options, out)``; `render` picks the module for the format and
imports it only then, so a CSV run never loads rich and a table never loads tabulate.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from tindex.render.formats import OutputFormat

if TYPE_CHECKING:
    from tindex.core import Profile, Report


@dataclass(frozen=True)
class RenderOptions:
    fmt: OutputFormat
    color: bool = False


def render(result: Report | Profile, options: RenderOptions, out: TextIO) -> None:
    module = importlib.import_module(f"tindex.render.{options.fmt.module}")
    if hasattr(result, "sections"):
        module.render_profile(result, options, out)
    else:
        module.render_report(result, options, out)
