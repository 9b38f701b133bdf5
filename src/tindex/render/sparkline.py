"""Tiny trend pictures for terminal tables (never written into CSV, TSV or JSON)."""

from __future__ import annotations

import math
from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """One bar per value, scaled between the series' own minimum and maximum."""
    points = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if len(points) < 2:
        return ""
    low, high = min(points), max(points)
    if high == low:
        return BARS[len(BARS) // 2] * len(points)
    # Halved, so that a span such as -1.7e308 to 1.7e308 stays a finite float.
    span = high / 2 - low / 2
    return "".join(BARS[round((p / 2 - low / 2) / span * (len(BARS) - 1))] for p in points)
