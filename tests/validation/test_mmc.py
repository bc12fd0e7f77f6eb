"""The model against queueing theory: an M/M/c pod must match Erlang C.

Tolerance: the Erlang C mean wait must lie inside the 95% t-interval of the
mean wait over 8 independent replications (60 days each, 5 days warm-up);
at rho = 0.85 and c = 3 that is ~4,000 requests per replication.
"""

from __future__ import annotations

import math

import pytest

from orgsim.analytic import erlang_c, mmc_wait
from orgsim.experiment import replicate
from orgsim.metrics import mean_ci
from tests.helpers import mmc_scenario

REPLICATIONS = 8


@pytest.mark.parametrize(("c", "rho"), [(3, 0.5), (3, 0.85)])
def test_mean_wait_matches_erlang_c(c: int, rho: float) -> None:
    scenario = mmc_scenario(c, rho)
    waits = []
    for result in replicate(scenario, REPLICATIONS, seed=2026):
        done = result.requests[result.requests["in_window"] & result.requests["answered"].notna()]
        # No handoffs, no approvals: latency = wait in queue + service.
        assert (done["handoff_hours"] == 0).all() and (done["approval_hours"] == 0).all()
        waits.append(done["queue_hours"].mean())
    theory = mmc_wait(c, rho * c, 1.0)
    mean, low, high = mean_ci(waits)
    assert low <= theory <= high, f"Erlang C Wq={theory:.4f}h outside 95% CI [{low:.4f}, {high:.4f}] (mean {mean:.4f})"


def test_utilisation_matches_offered_load() -> None:
    # Each server is busy a share rho of the time, within 3% over 4 runs.
    results = replicate(mmc_scenario(2, 0.7), 4, seed=7)
    util = sum(r.people["utilization"].mean() for r in results) / len(results)
    assert util == pytest.approx(0.7, rel=0.03)


@pytest.mark.parametrize(("c", "offered"), [(1, 0.5), (2, 1.4), (5, 4.0), (12, 10.5)])
def test_erlang_c_recursion_matches_the_closed_form(c: int, offered: float) -> None:
    # C(c, a) = (a^c / c!) / (1 - rho) / (sum_{k<c} a^k / k! + (a^c / c!) / (1 - rho)), written out
    top = offered**c / math.factorial(c) / (1 - offered / c)
    assert erlang_c(c, offered) == pytest.approx(top / (sum(offered**k / math.factorial(k) for k in range(c)) + top))
