"""Helpers for the theory checks: replicate a scenario and summarise one figure."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from orgsim.experiment import replicate
from orgsim.metrics.latency import run_figures
from orgsim.scenario.model import Scenario
from orgsim.sim.result import Result


def replicated(scenario: Scenario, replications: int, figure: Callable[[Result], float]) -> tuple[float, float]:
    """Mean of ``figure`` over independent replications, and its standard error."""
    values = np.array([figure(r) for r in replicate(scenario, replications)])
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))


def mean_queue_hours(result: Result) -> float:
    return run_figures(result)["latency_breakdown_hours"]["queue"]


def mean_latency_hours(result: Result) -> float:
    return run_figures(result)["silo_latency_answered_hours"]["mean"]


def assert_close(name: str, sim: float, se: float, theory: float, rel_tol: float, k_se: float = 4.0) -> None:
    """Pass when the simulated mean is within ``rel_tol`` of theory AND within ``k_se`` standard errors.

    The first bound keeps the check meaningful (a wide interval alone cannot
    pass it); the second keeps it honest about the noise of the replications.
    """
    rel = abs(sim - theory) / theory
    assert rel <= rel_tol, f"{name}: simulated {sim:.4f} vs theory {theory:.4f} ({rel:.1%} > {rel_tol:.0%})"
    assert abs(sim - theory) <= k_se * se + 1e-12, (
        f"{name}: simulated {sim:.4f} ± {se:.4f} (SE) is {abs(sim - theory) / se:.1f} SE from theory {theory:.4f}")
