"""Confidence intervals across replications."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["mean_ci"]


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float | None, float | None]:
    """Mean and Student-t confidence interval of independent replication values.

    NaNs (a replication where the figure is undefined) are left out; with
    fewer than two values the interval is ``(None, None)``.

    >>> m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    >>> m, round(lo, 3), round(hi, 3)
    (2.0, -0.484, 4.484)
    """
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if len(x) == 0:
        return math.nan, None, None
    m = float(x.mean())
    if len(x) < 2:
        return m, None, None
    # scipy.special's quantile is the one scipy.stats.t.ppf calls (same numbers), at a third of the
    # import time; imported here so that commands which never take an interval never pay for it
    from scipy.special import stdtrit

    half = float(stdtrit(len(x) - 1, 0.5 + level / 2) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - half, m + half
