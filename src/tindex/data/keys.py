"""Fast tests of key uniqueness and of one-to-one pairs, for tables of millions of rows.

Measured at 1M rows (benchmarks/): building one int64 code per row from the key columns'
category codes and testing it with a bitmap takes about 4 ms, where
`DataFrame.duplicated` takes about 34 ms. The exact, row-by-row report runs only when
these say "look closer". tests/test_keys.py checks them against pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BITMAP_LIMIT = 1 << 24  # distinct-value tests use a bitmap of up to 16 MB, else hashing


def key_codes(values: pd.Series) -> tuple[np.ndarray, int, int]:
    """(array, offset, size): array + offset is, per row, a code 1..size-1 that is equal
    exactly when the values are (0: empty). The array may be the column's own data."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), 1, len(values.cat.categories) + 1
    array = values.to_numpy()
    if array.dtype.kind in "iu" and len(array):
        low, high = int(array.min()), int(array.max())
        if high - low < BITMAP_LIMIT:  # whole numbers in a short range (years): no hashing
            return array, 1 - low, high - low + 2
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, 1, len(uniques) + 1


def combined_codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, int]:
    """One int64 per row that is equal exactly when the key columns are equal, and the span.

    Built in place in a single array: on large tables every fresh array costs time.
    Past 2**63 the codes wrap around: distinct keys may then collide (a false alarm that
    the exact check sorts out), equal keys never differ.
    """
    first, *rest = columns
    array, offset, span = key_codes(frame[first])
    combined = array.astype(np.int64)  # a copy: the column's own data is never changed
    combined += offset
    for name in rest:
        array, offset, size = key_codes(frame[name])
        combined *= size
        combined += array
        combined += offset
        span *= size
    return combined, span


def all_distinct(frame: pd.DataFrame, columns: list[str]) -> bool:
    """No two rows share the key columns (False may be a false alarm: look closer then)."""
    if frame.empty:
        return True
    combined, span = combined_codes(frame, columns)
    if span <= BITMAP_LIMIT:
        return count_distinct(combined, span) == len(combined)
    return bool(pd.Index(combined).is_unique)


def count_distinct(codes: np.ndarray, span: int) -> int:
    if span > BITMAP_LIMIT:
        return len(pd.unique(codes))
    seen = np.zeros(span, dtype=np.bool_)
    seen[codes] = True
    return int(np.count_nonzero(seen))
