"""The confirmation's statistics: targets met at a stated confidence, and the best separated from the rest.

Two questions, each answered on common random numbers (replication ``r`` of
every candidate faces the same demand):

- **Does a candidate meet a target?** :func:`target_verdict`: a one-sided
  Student-t bound on the mean over replications, at the level the caller
  gives (Bonferroni: the caller divides its error among every target of every
  finalist). ``"meets"`` and ``"fails"`` are claims at that confidence;
  ``"unclear"`` means more replications are needed.
- **Which is best?** :func:`kim_nelson`: the fully sequential procedure of
  Kim & Nelson (2001, *ACM TOMACS* 11:251-273), valid with common random
  numbers. After ``n0`` replications of each it estimates the variance of
  every paired difference, then adds one replication at a time and drops any
  candidate that is worse than another by more than a shrinking margin. When
  one is left it is the best with probability at least ``1 - alpha`` whenever
  the best is better than the next by at least ``delta`` (the indifference
  zone: differences smaller than it are not worth telling apart). If the
  replications run out first, the survivors are returned: not separated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["KN_FIRST_STAGE", "Separation", "kim_nelson", "kn_constants", "target_verdict"]

#: Kim & Nelson's first stage: at least 10 replications each, the size their paper studies and recommends
KN_FIRST_STAGE = 10


def target_verdict(values: Sequence[float], op: str, bound: float, alpha: float) -> str:
    """``"meets"``, ``"fails"`` or ``"unclear"``: the mean of ``values`` against ``op bound`` at level ``1 - alpha``.

    >>> target_verdict([1.0, 1.1, 0.9, 1.0], "<=", 2.0, 0.05)
    'meets'
    >>> target_verdict([3.0, 3.1, 2.9, 3.0], "<=", 2.0, 0.05)
    'fails'
    >>> target_verdict([1.0, 3.0], "<=", 2.0, 0.05)
    'unclear'
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0 or not np.isfinite(x).all():
        return "unclear" if x.size == 0 else ("fails" if op == ">=" and np.isnan(x).any() else "unclear")
    mean = float(x.mean())
    if x.size < 2:
        return "unclear"
    se = float(x.std(ddof=1)) / math.sqrt(x.size)
    t = float(stats.t.ppf(1 - alpha, x.size - 1))
    low, high = mean - t * se, mean + t * se
    good_side, bad_side = (low, high) if op == ">=" else (high, low)
    if (op == ">=" and good_side >= bound) or (op == "<=" and good_side <= bound):
        return "meets"
    if (op == ">=" and bad_side < bound) or (op == "<=" and bad_side > bound):
        return "fails"
    return "unclear"


def kn_constants(k: int, n0: int, alpha: float) -> tuple[float, float]:
    """Kim & Nelson's ``eta`` and ``h^2`` for ``k`` candidates, first stage ``n0``, error ``alpha``.

    >>> [round(v, 3) for v in kn_constants(2, 10, 0.05)]
    [0.334, 6.013]
    """
    eta = 0.5 * ((2 * alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1)
    return eta, 2 * eta * (n0 - 1)


@dataclass(frozen=True)
class Separation:
    """The outcome of :func:`kim_nelson`."""

    #: indices of the candidates still in when it stopped (one: the best, separated)
    survivors: tuple[int, ...]
    #: replications each candidate had when it was dropped (or when the procedure stopped)
    used: tuple[int, ...]

    @property
    def separated(self) -> bool:
        """Whether one candidate is left."""
        return len(self.survivors) == 1


def kim_nelson(values: np.ndarray, delta: float, alpha: float, n0: int = KN_FIRST_STAGE,
               larger_is_better: bool = False) -> Separation:
    """Run the procedure on ``values`` (candidates × replications, on common random numbers).

    The rows hold every replication there is; the procedure reads them in
    order and stops when one candidate is left or the columns run out (then
    more can be run and the call repeated: the outcome is the same as if it had
    waited for them, since each check uses only the replications up to it).

    >>> rng = np.random.default_rng(1)
    >>> common = rng.normal(size=40)
    >>> x = np.vstack([common + 5.0, common + 6.0, common + 5.0 + rng.normal(0, 0.1, 40) + 2])
    >>> kim_nelson(x, delta=0.5, alpha=0.05).survivors
    (0,)
    """
    x = np.asarray(values, dtype=float)
    if not larger_is_better:
        x = -x
    k, n = x.shape
    if k == 1:
        return Separation((0,), (n,))
    if n < n0:
        return Separation(tuple(range(k)), tuple([n] * k))
    _, h2 = kn_constants(k, n0, alpha)
    first = x[:, :n0]
    diffs = first[:, None, :] - first[None, :, :]
    s2 = diffs.var(axis=2, ddof=1)  # S^2_il over the first stage
    alive = list(range(k))
    used = [n] * k
    cum = x.cumsum(axis=1)
    r = n0
    for r in range(n0, n + 1):
        means = cum[:, r - 1] / r
        keep = []
        for i in alive:
            worst = max(((means[j] - means[i]) - max(0.0, delta / (2 * r) * (h2 * s2[i, j] / delta**2 - r))
                         for j in alive if j != i), default=-math.inf)
            if worst > 0:
                used[i] = r
            else:
                keep.append(i)
        alive = keep or alive
        if len(alive) == 1:
            break
    for i in alive:
        used[i] = r
    return Separation(tuple(alive), tuple(used))
