"""Shared test helpers: queueing theory written out, and tiny scenarios built in code."""

from __future__ import annotations

import math
from typing import Any

from orgsim.scenario import scenario_from_data

ALWAYS = {"hours": "00:00-24:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}


def erlang_c(c: int, lam: float, mu: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C)."""
    a = lam / mu
    rho = a / c
    assert rho < 1
    top = a**c / math.factorial(c) / (1 - rho)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def mmc_mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean time in queue Wq = C(c, a) / (c mu - lam)."""
    return erlang_c(c, lam, mu) / (c * mu - lam)


def mmc_data(c: int, rho: float, mean_service: float = 1.0, horizon_days: float = 60, warmup_days: float = 5) -> dict[str, Any]:
    """A scenario that reduces to M/M/c: one pod of c people always on duty,
    one request type, Poisson arrivals, exponential work, no handoffs."""
    lam_per_hour = rho * c / mean_service
    return {
        "name": f"M/M/{c} rho={rho}",
        "channels": ["instagram"],
        "audiences": ["consumers"],
        "demand": {"departments": {"Product": {
            "daily_profile": "flat", "weekly_profile": "flat",
            "requests": {"ask": {"per_day": lam_per_hour * 24, "function": "insights",
                                 "effort_hours": {"dist": "exponential", "mean": mean_service}}},
        }}},
        "team": {"people": {f"p{i}": {**ALWAYS, "skills": {"functions": ["insights"]}} for i in range(c)}},
        "structure": {"kind": "function", "intake": "pod",
                      "handoff_hours": {k: 0 for k in ("same_pod", "cross_pod", "via_lead", "department_intake", "liaison", "embedded")},
                      "pods": {"all": {"members": [f"p{i}" for i in range(c)], "covers": {"functions": ["insights"]}}}},
        "policies": {"triage_minutes": 0},
        "run": {"horizon_days": horizon_days, "warmup_days": warmup_days, "replications": 1},
    }


def mmc_scenario(*args: Any, **kwargs: Any):
    return scenario_from_data(mmc_data(*args, **kwargs))
