"""Shared test helpers: tiny scenarios built in code (the queues themselves live in orgsim.analytic)."""

from __future__ import annotations

from typing import Any

from orgsim.analytic import reductions
from orgsim.scenario import Scenario, scenario_from_data

ALWAYS = {"hours": "00:00-24:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}


def mmc_data(c: int, rho: float, mean_service: float = 1.0, horizon_days: float = 60,
             warmup_days: float = 5) -> dict[str, Any]:
    """An M/M/c scenario at utilisation ``rho``, as data (:func:`orgsim.analytic.reductions.mmc_data`)."""
    return reductions.mmc_data(c, rho * c / mean_service, mean_service, horizon_days, warmup_days)


def mmc_scenario(c: int, rho: float, mean_service: float = 1.0, horizon_days: float = 60,
                 warmup_days: float = 5) -> Scenario:
    return scenario_from_data(mmc_data(c, rho, mean_service, horizon_days, warmup_days))
