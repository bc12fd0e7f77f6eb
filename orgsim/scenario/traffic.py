"""A workflow's traffic equations, solved exactly: the mean visits of one request to each of its steps.

The visits ``v`` satisfy ``v = e₁ + vP`` (a request enters at the first step;
``P[i][j]`` is the chance that step ``i`` sends it to step ``j``), that is
``(I − Pᵀ) v = e₁``. Every branch probability is a float, and every float is
exactly a :class:`fractions.Fraction`, so the system is solved exactly — no
rounding anywhere — and each visit is then rounded once to the nearest float
(``float(Fraction)`` rounds correctly). The figures are the same bits on every machine and every Python;
a floating-point solve (LAPACK through numpy) chose CPU-specific kernels at run
time and could differ in the last digit from one CPU to another, and it cost
numpy's import (0.13 CPU-s) on `orgsim validate` of any scenario with a
workflow.

The elimination is Bareiss's, in whole numbers: each row of ``I − Pᵀ`` times
the common denominator of its entries (a power of two) is integers, and every
entry after a step of the elimination is a minor of that integer matrix, so the
numbers never grow past the determinant's size and no fraction is reduced
until the end. Exact numbers do grow with the steps of a loop (about 54 bits a
step), so a workflow has at most :data:`MAX_STEPS` steps. A zero pivot is
replaced by a row below that has the column (the own row always serves where
requests leave every loop: ``I − Pᵀ`` is then an M-matrix); none left means the
system is singular: some loop is never left.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction

__all__ = ["MAX_STEPS", "mean_visits", "solve_visits"]

#: the most steps one workflow may have. The exact visits have about 54 more bits with every step of a loop, and the
#: elimination is cubic in the steps: measured (one core, CPU-s) with every step branching to every step, the worst
#: a file can write, 0.03 at 30 steps, 0.35 at 50, 8.2 at 100; a chain of 50 with a rework loop at each step 0.04.
#: The examples' workflows have 2 to 5 steps; a 50-step process map is far beyond any of them, and a hostile file is
#: refused in milliseconds instead of held for minutes. Never lifted: it is about arithmetic, not the run's size.
MAX_STEPS = 50


#: a visit below this is a solve's rounding of zero, not a loop run backwards: kept from the floating-point solve
#: this replaced (exact visits are never negative for probabilities that sum to at most 1 at each step)
NEGATIVE = -1e-9


def mean_visits(exits: Sequence[Iterable[tuple[int, float]]]) -> list[float]:
    """Mean visits to each step, each the float nearest the exact solution; ``inf`` everywhere if the loop never ends.

    ``exits`` as :func:`solve_visits` takes them. ``inf`` for every step when the
    system is singular (a loop that is never left), when a visit is negative
    (probabilities summing past 1) or too large for a float.

    >>> mean_visits([[(1, 1.0)], [(0, 0.2), (2, 0.8)]])  # a review sends a fifth back: 1 / 0.8 passes
    [1.25, 1.25]
    >>> mean_visits([[(0, 1.0)]])
    [inf]
    """
    exact = solve_visits(exits)
    n = len(exits)
    if exact is None or any(v < NEGATIVE for v in exact):
        return [math.inf] * n
    try:
        return [max(float(v), 0.0) for v in exact]  # float(Fraction) is correctly rounded: the same bits anywhere
    except OverflowError:
        return [math.inf] * n


def solve_visits(exits: Sequence[Iterable[tuple[int, float]]]) -> list[Fraction] | None:
    """Exact mean visits to each step, from each step's exits ``(next step, probability)``; ``None`` if singular.

    An index ``len(exits)`` or more is leaving the workflow (done). ``None``
    also when a probability is not finite. Negative visits are returned as
    they are (they come only from probabilities that sum past 1): the caller
    decides what they mean.

    >>> solve_visits([[(1, 1.0)], [(0, 0.5), (2, 0.5)]])  # a review sends half the drafts back
    [Fraction(2, 1), Fraction(2, 1)]
    >>> solve_visits([[(1, 1.0)], [(0, 0.2), (2, 0.8)]])  # 0.2 is 3602879701896397/2**54, exactly
    [Fraction(18014398509481984, 14411518807585587), Fraction(18014398509481984, 14411518807585587)]
    >>> print(solve_visits([[(0, 1.0)]]))  # a step that sends every request back to itself
    None
    """
    n = len(exits)
    # row j of [I − Pᵀ | e₁]: the equation of step j's visits, v_j − Σᵢ P[i][j] v_i = [j = 0]
    rows = [[Fraction(int(i == j)) for i in range(n)] + [Fraction(int(j == 0))] for j in range(n)]
    for i, go in enumerate(exits):
        for j, p in go:
            if j >= n:
                continue
            if not math.isfinite(p):
                return None
            rows[j][i] -= Fraction(p)  # two exits to one step add up, exactly
    # each row times the common denominator of its entries (a power of two: floats are dyadic) is whole numbers
    m = [[x.numerator * (d // x.denominator) for x in row] for row in rows for d in [math.lcm(*(x.denominator for x in row))]]
    # Bareiss's fraction-free elimination: after step k every entry below is a (k+1)-minor of the whole-number
    # matrix, so the division by the previous pivot is exact and nothing grows past the determinant's size
    previous = 1
    for k in range(n):
        if m[k][k] == 0:  # only near a loop never left; any row below with the column will do
            swap = next((r for r in range(k + 1, n) if m[r][k]), None)
            if swap is None:
                return None  # exactly singular: some loop is never left
            m[k], m[swap] = m[swap], m[k]
        pivot, top = m[k][k], m[k]
        for row in m[k + 1:]:
            a = row[k]
            for c in range(k + 1, n + 1):
                row[c] = (pivot * row[c] - a * top[c]) // previous
            row[k] = 0
        previous = pivot
    # back-substitution in whole numbers too: y = v × det, exactly (Cramer), then one reduction per visit
    det = m[n - 1][n - 1] if n else 1
    y = [0] * n
    for k in reversed(range(n)):
        y[k] = (det * m[k][n] - sum(m[k][c] * y[c] for c in range(k + 1, n))) // m[k][k]
    return [Fraction(yk, det) for yk in y]
