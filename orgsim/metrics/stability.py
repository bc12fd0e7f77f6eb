"""Does a design keep up with its work? The backlog over time, and when to call a design **unstable**.

A queue whose offered load is at or above its capacity grows without bound:
its latency has no steady state, every figure measured on a finite window is
an artefact of the window's length, and it must never be called "better" or
"faster" on a latency figure. Two signs, either one enough:

- **analytic**: a work queue's offered load ≥ 1 (work per server-hour on duty,
  from :func:`orgsim.analytic.estimate.estimate`); it needs only the scenario.
- **simulated**: the backlog (requests open, sampled every day of the window;
  every hour when the window is shorter than a week) trends upward. The
  least-squares line through the backlog rises over the window by more than
  :data:`GROWTH_MIN` requests *and* by more than :data:`GROWTH_SHARE` of the
  mean backlog. Stated assumption: a stable queue's backlog wanders by about
  its own mean (for M/M/1 the standard deviation of the number in system is
  √ρ/(1−ρ) ≥ its mean ρ/(1−ρ) · 1/√ρ), so a fitted rise above half the mean and
  above ten requests in a 90-day window is a trend, not noise; the example
  designs (the largest has a mean backlog under 40) show rises far below it
  while the one-person team's rise is in the hundreds (``tests/test_censoring.py``).

>>> rise, growing = backlog_growth({"hours": [0.0, 24.0, 48.0], "open": [0, 20, 40]})
>>> round(rise, 6), growing
(40.0, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario

__all__ = ["GROWTH_MIN", "GROWTH_SHARE", "backlog_growth", "backlog_series", "overloaded_stations",
           "unstable_reasons"]

GROWTH_MIN = 10.0
GROWTH_SHARE = 0.5


def backlog_series(arrived: np.ndarray, answered: np.ndarray, warmup: float, horizon: float) -> dict[str, list[float]]:
    """Requests open (arrived, not yet answered) at each sample time from the warm-up's end to the horizon."""
    window = horizon - warmup
    step = 24.0 if window >= 7 * 24 else 1.0
    grid = warmup + np.arange(0.0, window + 1e-9, step)
    arr = np.sort(np.asarray(arrived, dtype=float))
    ans = np.asarray(answered, dtype=float)
    ans = np.sort(ans[~np.isnan(ans)])
    open_ = np.searchsorted(arr, grid, side="right") - np.searchsorted(ans, grid, side="right")
    return {"hours": grid.tolist(), "open": open_.astype(float).tolist()}


def backlog_growth(series: Mapping[str, Sequence[float]]) -> tuple[float, bool]:
    """The least-squares rise of the backlog over the window, and whether it counts as growing without bound."""
    t = np.asarray(series["hours"], dtype=float)
    y = np.asarray(series["open"], dtype=float)
    if len(t) < 3:
        return 0.0, False
    slope = float(np.polyfit(t, y, 1)[0])
    rise = slope * float(t[-1] - t[0])
    return rise, bool(rise > GROWTH_MIN and rise > GROWTH_SHARE * float(y.mean()))


def overloaded_stations(scenario: Scenario) -> dict[str, float]:
    """Work queues whose offered load is at or above their capacity (analytic estimate), with their load."""
    from orgsim.analytic.estimate import estimate

    stations = estimate(scenario)["stations"]
    return {name: float(s["load"]) for name, s in stations.items() if s["load"] >= 1.0}


def unstable_reasons(scenario: Scenario | None, figures: Mapping[str, Any] | None) -> list[str]:
    """Why a design is unstable (empty when it is not): overloaded queues, a growing backlog."""
    reasons = []
    if scenario is not None:
        for name, load in sorted(overloaded_stations(scenario).items(), key=lambda kv: -kv[1]):
            reasons.append(f"offered load {load:.2f}× capacity at {name}")
    backlog = (figures or {}).get("backlog")
    if backlog and backlog.get("growing"):
        reasons.append(f"backlog grows by {backlog['rise']:.0f} requests over the window")
    return reasons
