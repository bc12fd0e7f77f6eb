"""Insight reach: figures from :attr:`Result.insights` (one row per insight x department).

Definitions (pairs are (insight, relevant department), counted only when the
insight appeared after the warm-up and its window ends inside the run):

- ``share_within_horizon``: pairs reached within ``insights.horizon_days`` / all pairs;
- ``median_time_hours`` / ``p90_time_hours``: time from appearance to reach,
  over pairs reached within the horizon (``None`` when none were);
- ``value_weighted_reach``: mean over all pairs of value at arrival / value at
  discovery, ``0.5 ** (hours / half_life)``, with 0 for a missed pair
  (importance-weighted in ``importance_weighted_reach``);
- ``by_department``: the same share per department;
- ``curve``: share of pairs reached by hour t, t = 0, 6, ..., horizon.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from orgsim.sim.result import Result

__all__ = ["insight_reach", "per_insight", "reach_curve"]

CURVE_STEP_HOURS = 6.0


def _pairs(result: Result) -> pd.DataFrame:
    ins = result.insights
    return ins[ins["in_window"].astype(bool)] if len(ins) else ins


def reach_curve(pairs: pd.DataFrame, horizon_hours: float, step: float = CURVE_STEP_HOURS) -> dict[str, list[float]]:
    """Share of pairs reached by hour t after appearance."""
    hours = np.arange(0.0, horizon_hours + 1e-9, step)
    n = len(pairs)
    t = pairs["hours_to_reach"].to_numpy(dtype=float) if n else np.array([])
    share = [float(np.sum(t <= h)) / n if n else float("nan") for h in hours]
    return {"hours": hours.tolist(), "share": share}


def per_insight(result: Result) -> pd.DataFrame:
    """One row per insight: departments it matters to, reached within the horizon, first/last reach."""
    ins = result.insights
    if not len(ins):
        return pd.DataFrame(columns=["insight", "kind", "appeared", "noticed", "departments", "reached",
                                     "first_reach_hours", "last_reach_hours", "value_share", "in_window"])
    g = ins.groupby("insight", sort=False)
    return pd.DataFrame({
        "kind": g["kind"].first(), "appeared": g["appeared"].first(), "noticed": g["noticed"].first(),
        "departments": g.size(), "reached": g["reached_within"].sum().astype(int),
        "first_reach_hours": g["hours_to_reach"].min(), "last_reach_hours": g["hours_to_reach"].max(),
        "value_share": g["value_share"].mean(), "in_window": g["in_window"].first(),
    }).reset_index()


def _figures(pairs: pd.DataFrame) -> dict[str, Any]:
    n = len(pairs)
    hit = pairs[pairs["reached_within"].astype(bool)] if n else pairs
    times = hit["hours_to_reach"].to_numpy(dtype=float) if n else np.array([])
    w = pairs["importance"].to_numpy(dtype=float) if n else np.array([])
    return {
        "pairs": int(n),
        "reached": int(len(hit)),
        "missed": int(n - len(hit)),
        "share_within_horizon": float(len(hit) / n) if n else float("nan"),
        "median_time_hours": float(np.median(times)) if len(times) else float("nan"),
        "p90_time_hours": float(np.percentile(times, 90)) if len(times) else float("nan"),
        "value_weighted_reach": float(pairs["value_share"].mean()) if n else float("nan"),
        "importance_weighted_reach": float(np.sum(w * pairs["value_share"].to_numpy(dtype=float)) / w.sum())
        if n else float("nan"),
    }


def insight_reach(result: Result, horizon_hours: float | None = None) -> dict[str, Any]:
    """The ``insight_reach`` block of :func:`orgsim.metrics.run_figures`."""
    pairs = _pairs(result)
    out = _figures(pairs)
    out["insights"] = int(pairs["insight"].nunique()) if len(pairs) else 0
    out["by_department"] = {str(d): _figures(p) for d, p in pairs.groupby("department", sort=True)} if len(pairs) else {}
    out["by_kind"] = {str(k): _figures(p) for k, p in pairs.groupby("kind", sort=True)} if len(pairs) else {}
    out["curve"] = reach_curve(pairs, horizon_hours if horizon_hours is not None else 168.0)
    return out
