"""Where each design wins: a PRIM box around the worlds where the usual winner loses, as one readable rule.

PRIM (the Patient Rule Induction Method, Friedman & Fisher 1999; the
scenario-discovery method of RAND's sdtoolkit and the EMA Workbench) peels
the box of all sampled worlds, a few percent of them at a time, from the one
side of one input that most raises the share of "cases of interest" left
inside. Here the cases are the worlds where the design that wins most often
loses. Of the peeling trajectory, the box kept is the densest one that still
holds at least half of those cases (ties: the larger box). The few lines
below are our own: the EMA Workbench has PRIM but brings scikit-learn,
statsmodels, seaborn and platypus with it, and the standalone ``PRIM``
package is GPL (orgsim is MIT).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from orgsim.explore.inputs import Input
from orgsim.metrics.registry import Metric

if TYPE_CHECKING:
    from orgsim.explore.run import Exploration

__all__ = ["Box", "peel", "rules_table"]

#: share of the box's points peeled per step: PRIM's usual 5% (Friedman & Fisher 1999 suggest 0.05-0.10)
ALPHA = 0.05
#: the box must keep at least this share of the cases of interest (coverage): a rule that describes half the
#: losses or more, not a corner of a few
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class Box:
    """Limits per input (``None``: not restricted), and how well the box holds the cases.

    A limit lies halfway between the last sampled world inside the box and the nearest one outside, so
    it is known to within half the sampling resolution there.
    """

    low: list[float | None]
    high: list[float | None]
    #: share of worlds inside the box that are cases
    density: float
    #: share of all cases that are inside the box
    coverage: float
    #: share of all worlds inside the box
    mass: float


def peel(x: np.ndarray, cases: np.ndarray, alpha: float = ALPHA, min_coverage: float = MIN_COVERAGE) -> Box:
    """The PRIM box of ``cases`` (a boolean per row of ``x``).

    >>> x = np.linspace(0, 1, 101).reshape(-1, 1)
    >>> box = peel(x, x[:, 0] > 0.7)
    >>> round(box.low[0], 3), box.high[0], box.density
    (0.705, None, 1.0)
    """
    n, k = x.shape
    total = int(cases.sum())
    inside = np.ones(n, dtype=bool)
    best = (float(cases.mean()) if n else 0.0, 1.0, inside.copy())
    while inside.sum() > 1:
        choice = None
        for j in range(k):
            v = x[inside, j]
            lo, hi = np.quantile(v, alpha), np.quantile(v, 1 - alpha)
            for keep in (inside & ((x[:, j] >= lo) if lo > v.min() else (x[:, j] > lo)),
                         inside & ((x[:, j] <= hi) if hi < v.max() else (x[:, j] < hi))):
                if keep.sum() == inside.sum() or keep.sum() == 0:
                    continue
                density = float(cases[keep].mean())
                if choice is None or (density, keep.sum()) > (choice[0], choice[1].sum()):
                    choice = (density, keep)
        if choice is None:
            break
        inside = choice[1]
        coverage = float(cases[inside].sum() / total) if total else 0.0
        if coverage < min_coverage:
            break
        if choice[0] > best[0]:
            best = (choice[0], coverage, inside.copy())
    density, _, box = best
    low: list[float | None] = []
    high: list[float | None] = []
    for j in range(k):
        v = x[box, j]
        low.append(float(v.min()) if v.min() > x[:, j].min() else None)
        high.append(float(v.max()) if v.max() < x[:, j].max() else None)
    for j in range(k):  # drop a limit that does not raise the density: the rule names only what matters
        if low[j] is None and high[j] is None:
            continue
        loose = _within(x, [None if i == j else lo for i, lo in enumerate(low)],
                        [None if i == j else hi for i, hi in enumerate(high)])
        if cases[loose].mean() >= density:
            low[j] = high[j] = None
            box = loose
    for j in range(k):  # a limit halfway between the last world inside and the nearest one outside
        lo, hi = low[j], high[j]
        if lo is not None and (x[:, j] < lo).any():
            low[j] = (float(x[:, j][x[:, j] < lo].max()) + lo) / 2
        if hi is not None and (x[:, j] > hi).any():
            high[j] = (float(x[:, j][x[:, j] > hi].min()) + hi) / 2
    coverage = float(cases[box].sum() / total) if total else 0.0
    return Box(low, high, float(cases[box].mean()) if box.any() else 0.0, coverage, float(box.mean()) if n else 0.0)


def _within(x: np.ndarray, low: Sequence[float | None], high: Sequence[float | None]) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for j, (lo, hi) in enumerate(zip(low, high, strict=True)):
        if lo is not None:
            inside &= x[:, j] >= lo
        if hi is not None:
            inside &= x[:, j] <= hi
    return inside


def _condition(name: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{name} between {low:.3g} and {high:.3g}"
    return f"{name} > {low:.3g}" if low is not None else f"{name} < {high:.3g}"


def rules_table(ex: Exploration, inputs: Sequence[Input], x: np.ndarray, metric: Metric) -> pd.DataFrame:
    """One row per pair of designs: who wins most often on ``metric``, and where the other one wins.

    Columns: ``winner``, ``loser``, ``holds_share`` (the share of sampled worlds where the winner is not worse),
    ``unless`` and ``box`` (the PRIM box of the worlds where the loser wins), ``rule`` (one sentence).
    """
    rows: list[dict[str, Any]] = []
    if ex.differences.empty:
        return pd.DataFrame(rows)
    names = dict(zip(ex.design_ids, ex.designs, strict=True))
    better = -1 if metric.direction == 0 else metric.direction
    for (a, b), part in ex.differences[ex.differences["metric"] == metric.id].groupby(["first", "second"], sort=False):
        diff = part.sort_values("point")["diff"].to_numpy(dtype=float)
        known = np.isfinite(diff)
        a_wins = known & (diff * better > 0)
        b_wins = known & (diff * better < 0)
        winner, loser, lose = (a, b, b_wins) if a_wins.sum() >= b_wins.sum() else (b, a, a_wins)
        holds = float((known & ~lose).sum() / max(int(known.sum()), 1))
        head = f"{names[winner]} beats {names[loser]} on {metric.label}"
        row: dict[str, Any] = {"winner": winner, "loser": loser, "metric": metric.id, "label": metric.label,
                               "holds_share": holds, "worlds": int(known.sum()), "unless": "", "box_density": None,
                               "box_coverage": None, "box": {}}
        if lose.any():
            box = peel(x[known], lose[known])
            conds = [_condition(i.name, lo, hi) for i, lo, hi in zip(inputs, box.low, box.high, strict=True)
                     if lo is not None or hi is not None]
            row.update(unless=" and ".join(conds), box_density=box.density, box_coverage=box.coverage,
                       box={i.name: [lo, hi] for i, lo, hi in zip(inputs, box.low, box.high, strict=True)
                            if lo is not None or hi is not None})
            if conds:
                rule = (f"{head} unless {row['unless']} (holds in {holds:.0%} of sampled worlds; inside that region "
                        f"{names[loser]} wins in {box.density:.0%})")
            else:
                rule = f"{head} in {holds:.0%} of sampled worlds, with no region where {names[loser]} wins"
        else:
            rule = f"{head} in every sampled world ({holds:.0%})"
        row["rule"] = rule
        rows.append(row)
    return pd.DataFrame(rows)
