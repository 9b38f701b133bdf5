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
    scale = (len(BARS) - 1) / (high - low)
    return "".join(BARS[round((p - low) * scale)] for p in points)
