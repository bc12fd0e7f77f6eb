"""M/M/c against Erlang C over a grid of pod sizes and utilisations.

Model: :func:`orgsim.analytic.reductions.mmc_scenario` — one always-on pod of
``c`` people, Poisson requests, exponential effort of mean 1 hour, no
handoffs, triage or approvals. The figure compared is the mean time a
request waits before anyone starts on it (``queue_hours``), against
``Wq = C(c, a) / (cμ − λ)``.

Replications and tolerance, per cell: ``REPS`` independent replications of
``DAYS`` simulated days after a 30-day warm-up (the queue starts empty);
the replication mean must be within ``rel_tol`` of Erlang C *and* within 4
standard errors of it. ``rel_tol`` grows with utilisation because waits
near saturation are strongly autocorrelated: 5% at ρ ≤ 0.7, 10% at ρ = 0.9.

The fast subset (two cells) runs in ``.ci/run``; the full 3 × 3 grid runs
with ``pytest --runslow tests/validation``.
"""

from __future__ import annotations

import pytest

from orgsim.analytic import mmc_wait
from orgsim.analytic.reductions import mmc_scenario
from tests.validation._theory import assert_close, mean_queue_hours, replicated

MEAN_SERVICE = 1.0
REL_TOL = {0.5: 0.05, 0.7: 0.05, 0.9: 0.10}
FAST = {(1, 0.5), (5, 0.7)}

GRID = [
    pytest.param(c, rho, id=f"c{c}-rho{rho}", marks=() if (c, rho) in FAST else pytest.mark.slow)
    for c in (1, 2, 5)
    for rho in (0.5, 0.7, 0.9)
]


@pytest.mark.parametrize(("c", "rho"), GRID)
def test_mmc_wait_matches_erlang_c(c: int, rho: float) -> None:
    reps, days = (8, 365) if rho < 0.9 else (12, 730)
    lam = rho * c / MEAN_SERVICE
    scenario = mmc_scenario(c, lam, MEAN_SERVICE, horizon_days=days + 30, warmup_days=30, seed=7 + c)
    sim, se = replicated(scenario, reps, mean_queue_hours)
    assert_close(f"M/M/{c} rho={rho}", sim, se, mmc_wait(c, lam, MEAN_SERVICE), REL_TOL[rho])
