"""Many verdicts at once: paired p-values and the corrections that keep them honest.

A comparison judges each design on every metric. The few **primary** metrics
(the registry's ``primary`` flag) are each judged at the 95% level, as named
in advance. The many **secondary** ones (per department, per request type,
nights and weekends...) would, at 95% each, call about one in twenty
differences that are not there; their verdicts are corrected per design:

- **Holm** (the default): controls the family-wise error rate at 5% — the
  chance of *any* false verdict among a design's secondary metrics. Sort the
  p-values; reject the k-th smallest while p₍ₖ₎ ≤ α / (m − k + 1).
- **Benjamini–Hochberg** (``bh``): controls the false-discovery rate at 5% —
  of the secondary differences called, on average at most 5% are false
  (scipy's ``false_discovery_control``).

>>> holm([0.01, 0.04, 0.03, 0.005])
[True, False, False, True]
>>> bh([0.01, 0.04, 0.03, 0.005])
[True, True, True, True]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["CORRECTIONS", "bh", "holm", "paired_p"]

#: how secondary verdicts are corrected, and how a reader is told
CORRECTIONS = {
    "holm": "Holm-corrected over each design's secondary metrics (family-wise error 5%)",
    "bh": "Benjamini–Hochberg over each design's secondary metrics (false-discovery rate 5%)",
    "none": "not corrected for multiplicity (95% each)",
}


def paired_p(diffs: Sequence[float]) -> float:
    """Two-sided p-value of a paired t-test that the mean difference is zero (NaN with fewer than two values).

    >>> round(paired_p([1.0, 2.0, 3.0]), 4)
    0.0742
    """
    x = np.asarray([d for d in diffs if d is not None and not math.isnan(d)], dtype=float)
    if len(x) < 2:
        return math.nan
    sd = float(x.std(ddof=1))
    if sd == 0:
        return 1.0 if float(x.mean()) == 0 else 0.0
    from scipy.special import stdtr

    t = abs(float(x.mean())) / (sd / math.sqrt(len(x)))
    return float(2 * stdtr(len(x) - 1, -t))


def holm(p: Sequence[float], alpha: float = 0.05) -> list[bool]:
    """Holm's step-down rejections (NaN p-values are never rejected and not counted)."""
    idx = [i for i in np.argsort(p) if not math.isnan(p[i])]
    m, out = len(idx), [False] * len(p)
    for k, i in enumerate(idx):
        if p[i] > alpha / (m - k):
            break
        out[i] = True
    return out


def bh(p: Sequence[float], q: float = 0.05) -> list[bool]:
    """Benjamini–Hochberg rejections at false-discovery rate ``q`` (NaN p-values never rejected)."""
    from scipy.stats import false_discovery_control

    ok = [i for i, v in enumerate(p) if not math.isnan(v)]
    out = [False] * len(p)
    if ok:
        adjusted = false_discovery_control([p[i] for i in ok])
        for i, a in zip(ok, adjusted, strict=True):
            out[i] = bool(a <= q)
    return out
