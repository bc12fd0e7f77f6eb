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
  :data:`GROWTH_MIN` requests, by more than :data:`GROWTH_SHARE` of the mean
  backlog, *and* by more than :data:`GROWTH_OF_ARRIVALS` of the requests that
  arrived in the window. Stated assumption: a stable queue's backlog wanders by
  about its own mean (for M/M/1 the standard deviation of the number in system
  is √ρ/(1−ρ) ≥ its mean ρ/(1−ρ) · 1/√ρ), and a burst near the end of a short
  window can raise it by a few days' demand; a rise above all three is a trend.
  Measured (seed 1, default windows): the example designs rise by −1 to 7
  requests of 328 arrivals, the one-person team by 231 (70% of its arrivals);
  on a 21-day window the network design rose by 15 of about 100, which the
  share of arrivals keeps from being called unstable (``tests/test_censoring.py``).

>>> rise, grows = backlog_growth({"hours": [0.0, 24.0, 48.0], "open": [0, 20, 40], "arrived": 60})
>>> round(rise, 6), grows
(40.0, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from orgsim.scenario.model import Scenario

__all__ = ["GROWTH_MIN", "GROWTH_OF_ARRIVALS", "GROWTH_SHARE", "UNSTABLE", "backlog_growth", "backlog_series", "growing",
           "overloaded_stations", "unstable_reasons"]

#: the verdict of an unstable design on a latency figure, in place of "better"
UNSTABLE = "unstable: no steady state"

GROWTH_MIN = 10.0
GROWTH_SHARE = 0.5
GROWTH_OF_ARRIVALS = 0.25


def backlog_series(arrived: np.ndarray, answered: np.ndarray, warmup: float, horizon: float) -> dict[str, list[float]]:
    """Requests open (arrived, not yet answered) at each sample time from the warm-up's end to the horizon."""
    import numpy as np  # here, not at the top: `orgsim validate` reads overloaded_stations and never loads numpy

    window = horizon - warmup
    step = 24.0 if window >= 7 * 24 else 1.0
    grid = warmup + np.arange(0.0, window + 1e-9, step)
    arr = np.sort(np.asarray(arrived, dtype=float))
    ans = np.asarray(answered, dtype=float)
    ans = np.sort(ans[~np.isnan(ans)])
    open_ = np.searchsorted(arr, grid, side="right") - np.searchsorted(ans, grid, side="right")
    arrivals = int(np.sum(arr >= warmup))
    return {"hours": grid.tolist(), "open": open_.astype(float).tolist(), "mean": float(open_.mean()),
            "arrived": arrivals}


def backlog_growth(series: Mapping[str, Sequence[float]]) -> tuple[float, bool]:
    """The least-squares rise of the backlog over the window, and whether it counts as growing without bound."""
    import numpy as np

    t = np.asarray(series["hours"], dtype=float)
    y = np.asarray(series["open"], dtype=float)
    if len(t) < 3:
        return 0.0, False
    slope = float(np.polyfit(t, y, 1)[0])
    rise = slope * float(t[-1] - t[0])
    return rise, growing(rise, float(y.mean()), float(series.get("arrived", 0)))  # type: ignore[arg-type]


def growing(rise: float, mean: float, arrived: float) -> bool:
    """The rule of the module's docstring: a fitted rise above ten requests, half the mean and a quarter of arrivals."""
    return bool(rise > GROWTH_MIN and rise > GROWTH_SHARE * mean and rise > GROWTH_OF_ARRIVALS * arrived)


def overloaded_stations(scenario: Scenario) -> dict[str, float]:
    """Work queues whose offered load is at or above their capacity (analytic estimate), with their load."""
    from orgsim.analytic.estimate import estimate

    stations = estimate(scenario, timed=False)["stations"]  # loads need no handoff times (nor networkx)
    return {name: float(s["load"]) for name, s in stations.items() if s["load"] >= 1.0}


def unstable_reasons(scenario: Scenario | None, figures: Mapping[str, Any] | None = None,
                     rise: float = float("nan"), mean: float = float("nan"), arrived: float = 0.0) -> list[str]:
    """Why a design is unstable (empty when it is not): overloaded queues, a growing backlog.

    The backlog comes from one run's (or averaged) ``figures``, or as its fitted ``rise``, ``mean`` and the
    requests ``arrived`` (means over replications of ``backlog_rise``, ``backlog_mean``, ``requests_arrived``).
    """
    reasons = []
    if scenario is not None:
        for name, load in sorted(overloaded_stations(scenario).items(), key=lambda kv: -kv[1]):
            reasons.append(f"offered load {load:.2f}× capacity at {name}")
    backlog = (figures or {}).get("backlog")
    if backlog:
        rise, mean, arrived = backlog["rise"], backlog["mean"], backlog.get("arrived", 0)
    if rise == rise and growing(rise, mean, arrived):
        reasons.append(f"backlog grows by {rise:.0f} requests over the window")
    return reasons
