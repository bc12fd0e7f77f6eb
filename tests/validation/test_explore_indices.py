"""Sobol indices of a simulated M/M/1 against the indices of its closed form (theory check, slow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orgsim.explore import explore, parse_vary
from tests.explore_cases import mm1

RATE = "demand.departments.Product.requests.ask.per_day"
EFFORT = "demand.departments.Product.requests.ask.effort_hours.mean"
INERT = "policies.merge_hours"


@pytest.mark.slow
def test_sobol_indices_of_the_simulated_mm1_rank_as_the_closed_form(tmp_path: Path) -> None:
    from SALib.analyze import sobol
    from SALib.sample import sobol as sample

    ranges = {RATE: (4.8, 9.6), EFFORT: (0.5, 1.0), INERT: (0.0, 2.0)}
    base = mm1(tmp_path, horizon_days=60, warmup_days=5)
    ex = explore([base], parse_vary([f"{k}={lo}..{hi}" for k, (lo, hi) in ranges.items()]), method="sobol",
                 samples=32, replications=2, seed=5)
    st = ex.indices[ex.indices["metric"] == "silo_latency_rmst"].set_index("input")["ST"]
    # the closed form: W = E / (1 - lambda E), lambda per hour, on the same ranges
    problem = {"num_vars": 3, "names": list(ranges), "bounds": [list(v) for v in ranges.values()]}
    x = sample.sample(problem, 1024, calc_second_order=False, seed=1)
    w = x[:, 1] / (1 - x[:, 0] / 24 * x[:, 1])
    theory = sobol.analyze(problem, w, calc_second_order=False, seed=1)["ST"]
    assert st[INERT] == pytest.approx(0, abs=1e-9)  # same seeds, and merge_hours never used: exactly no effect
    assert theory[2] == pytest.approx(0, abs=1e-9)
    order = np.argsort(theory[:2])
    assert list(np.argsort([st[RATE], st[EFFORT]])) == list(order)
    assert st[RATE] > 0.05 and st[EFFORT] > 0.05
