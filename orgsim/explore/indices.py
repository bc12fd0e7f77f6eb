"""Sensitivity indices from SALib: Morris elementary effects or Sobol first-order and total indices.

For every primary metric, the indices are computed for each design's figure
(its mean over replications at each point) and for the difference between
each pair of designs at each point (paired on common random numbers), the
figure a verdict turns on. A target whose figure is undefined at some point
(no request answered, say) or the same at every point (head count) has no
indices: it gets no rows rather than invented ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from orgsim.explore.inputs import Input
from orgsim.metrics.registry import Metric

if TYPE_CHECKING:
    from orgsim.explore.run import Exploration

__all__ = ["indices_table", "morris_indices", "sobol_indices"]


def _problem(inputs: Sequence[Input]) -> dict[str, Any]:
    return {"num_vars": len(inputs), "names": [i.name for i in inputs], "bounds": [[i.low, i.high] for i in inputs]}


def morris_indices(inputs: Sequence[Input], x: np.ndarray, y: np.ndarray, seed: int) -> list[dict[str, float]]:
    """Per input: ``mu_star`` (mean absolute elementary effect, the ranking), its 95% ``mu_star_conf``, ``sigma``."""
    from SALib.analyze import morris

    from orgsim.explore.run import LEVELS

    s = morris.analyze(_problem(inputs), x, y, num_levels=LEVELS, seed=seed)
    return [{"mu_star": float(s["mu_star"][k]), "mu_star_conf": float(s["mu_star_conf"][k]),
             "sigma": float(s["sigma"][k]), "importance": float(s["mu_star"][k])} for k in range(len(inputs))]


def sobol_indices(inputs: Sequence[Input], y: np.ndarray, seed: int) -> list[dict[str, float]]:
    """Per input: first-order ``S1`` and total ``ST`` indices with their 95% bootstrap half-widths."""
    from SALib.analyze import sobol

    s = sobol.analyze(_problem(inputs), y, calc_second_order=False, seed=seed)
    return [{"S1": float(s["S1"][k]), "S1_conf": float(s["S1_conf"][k]), "ST": float(s["ST"][k]),
             "ST_conf": float(s["ST_conf"][k]), "importance": float(s["ST"][k])} for k in range(len(inputs))]


def indices_table(ex: Exploration, inputs: Sequence[Input], x: np.ndarray, metrics: Sequence[Metric],
                  seed: int) -> pd.DataFrame:
    """One row per target × metric × input, with the method's indices.

    Columns: ``target`` (a design id, or ``A - B``), ``kind`` (design or difference), ``metric``, ``input``,
    ``method`` and the indices (``importance``: mu* or ST).
    """
    rows: list[dict[str, Any]] = []
    targets: list[tuple[str, str, pd.DataFrame, str]] = []
    for m in metrics:
        for d in ex.design_ids:
            part = ex.outcomes[(ex.outcomes["design_id"] == d) & (ex.outcomes["metric"] == m.id)]
            targets.append((d, "design", part, "mean"))
        if not ex.differences.empty:
            for (a, b), part in ex.differences[ex.differences["metric"] == m.id].groupby(["first", "second"], sort=False):
                targets.append((f"{a} - {b}", "difference", part, "diff"))
        for target, kind, part, column in targets:
            y = part.sort_values("point")[column].to_numpy(dtype=float)
            if len(y) != len(x) or not np.isfinite(y).all() or np.ptp(y) == 0:
                continue
            found = morris_indices(inputs, x, y, seed) if ex.method == "morris" else sobol_indices(inputs, y, seed)
            for inp, values in zip(inputs, found, strict=True):
                rows.append({"target": target, "kind": kind, "metric": m.id, "label": m.label, "input": inp.name,
                             "method": ex.method, **values})
        targets.clear()
    return pd.DataFrame(rows)
