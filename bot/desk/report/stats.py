"""Small statistics with one documented definition each, so hand checks agree."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks
    (numpy's default and Excel's PERCENTILE.INC): rank = q/100 × (n − 1) over the
    sorted values. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float | None:
    """The middle value (mean of the two middle ones for an even count)."""
    return percentile(values, 50)


def share(part: int, whole: int) -> float | None:
    """part / whole as a fraction, None when there is nothing to divide by."""
    return part / whole if whole else None


def mean(total: float, count: int) -> float | None:
    return total / count if count else None
