"""Confidence intervals across replications."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["mean_ci", "share_ci", "share_ci_columns"]


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


def share_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float | None, float | None]:
    """Mean and confidence interval of a share (a figure in [0, 1]) across replications, never outside [0, 1].

    A Wilson score interval on the replications' effective sample size (Korn & Graubard 1998): the
    replications' own spread s gives the mean's variance s²/n, and n_eff = p̂(1 − p̂) / (s²/n) is the number
    of independent yes/no outcomes with that variance. Wilson's interval for p̂ out of n_eff, with Student's t
    (n − 1 degrees of freedom) in place of z, is the Student-t interval of :func:`mean_ci` when p̂ is far from
    0 and 1, and bends inside [0, 1] near them, where the t-interval runs past the bound (requests answered
    96% ± 4 points is not a share of 100.3%). No spread (every replication the same) gives the point itself,
    as the t-interval does; fewer than two values give ``(None, None)``.

    >>> m, lo, hi = share_ci([0.95, 0.99, 1.0, 0.93, 0.99])
    >>> round(m, 3), round(lo, 3), round(hi, 3)
    (0.972, 0.905, 0.992)
    >>> _, t_lo, t_hi = mean_ci([0.95, 0.99, 1.0, 0.93, 0.99])
    >>> round(t_hi, 3)  # the t-interval leaves [0, 1]
    1.01
    >>> share_ci([0.5, 0.5, 0.5])
    (0.5, 0.5, 0.5)
    """
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if len(x) == 0:
        return math.nan, None, None
    p = float(x.mean())
    if len(x) < 2:
        return p, None, None
    var = float(x.var(ddof=1)) / len(x)
    if var == 0 or p <= 0 or p >= 1:
        return p, p, p
    from scipy.special import stdtrit

    z2 = float(stdtrit(len(x) - 1, 0.5 + level / 2)) ** 2
    n = p * (1 - p) / var
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = math.sqrt(z2) / (1 + z2 / n) * math.sqrt(var + z2 / (4 * n * n))
    return p, max(centre - half, 0.0), min(centre + half, 1.0)


def share_ci_columns(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """:func:`share_ci`'s interval of every column of ``values`` (replications × points) at once: (low, high).

    A chart's band takes an interval at each of a curve's points (README command 1's page: a thousand); this
    does in arrays what :func:`share_ci` does per column, in the same order of operations, so the bounds are
    the same to the bit (``tests/test_share_intervals.py``). NaN where :func:`share_ci` gives None. A column
    with a missing replication (NaN) is left to :func:`share_ci` itself, which drops it.

    >>> low, high = share_ci_columns(np.array([[0.95, 0.5], [0.99, 0.5], [1.0, 0.5], [0.93, 0.5], [0.99, 0.5]]))
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.905, 0.5], [0.992, 0.5])
    """
    x = np.ascontiguousarray(np.asarray(values, dtype=float).T)  # a row per column: reduced as share_ci reduces one
    low, high = np.full(x.shape[0], np.nan), np.full(x.shape[0], np.nan)
    n = x.shape[1]
    whole = np.isfinite(x).all(axis=1)
    for k in np.flatnonzero(~whole):
        _, lo, hi = share_ci(list(x[k]), level)
        low[k], high[k] = (np.nan if lo is None else lo), (np.nan if hi is None else hi)
    if n < 2 or not whole.any():
        return low, high
    from scipy.special import stdtrit

    rows = x[whole]
    p = rows.mean(axis=1)
    var = rows.var(axis=1, ddof=1) / n
    z2 = float(stdtrit(n - 1, 0.5 + level / 2)) ** 2
    flat = (var == 0) | (p <= 0) | (p >= 1)  # share_ci gives the point itself there
    with np.errstate(divide="ignore", invalid="ignore"):
        m = p * (1 - p) / var
        centre = (p + z2 / (2 * m)) / (1 + z2 / m)
        half = math.sqrt(z2) / (1 + z2 / m) * np.sqrt(var + z2 / (4 * m * m))
    low[whole] = np.where(flat, p, np.maximum(centre - half, 0.0))
    high[whole] = np.where(flat, p, np.minimum(centre + half, 1.0))
    return low, high
