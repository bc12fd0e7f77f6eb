"""A tandem open Jackson network, expressed as an orgsim scenario, against its product form.

Mapping (see :func:`orgsim.analytic.reductions.tandem_scenario`): a request
is worked by an always-on pod of ``c`` people (station 1, M/M/c), then
reviewed by each outside approver of ``policies.approval_chain`` in turn
(stations 2..k, each M/M/1: one approver, always on duty, exponential
``review_hours``). Handoffs are zero, so the silo latency is the sojourn
through the network. Jackson's theorem makes each station an independent
M/M/c fed at the arrival rate λ: mean latency = Σ_i W_i. orgsim has no
routing with feedback (a request never returns to a station it left,
except for one-shot rework), so tandem is the network shape it can express.

Replications and tolerance: the full check (``--runslow``) runs 20
replications of 365 days after a 30-day warm-up and asks the mean latency
to lie within 5% of Σ W_i and within 4 standard errors of it; the fast
subset runs 6 replications of 180 days and allows 10%. (With 10
replications the standard error of a ρ = 0.75 station is itself noisy:
one seed in six we tried landed 5 SE out while the others were within 1.) Station loads are 0.5 (pod, c = 3), 0.6 and 0.75.
The per-station check (the pod's mean queue wait against Erlang C) uses
the same runs.
"""

from __future__ import annotations

import pytest

from orgsim.analytic import mmc_wait, tandem_sojourn
from orgsim.analytic.reductions import tandem_scenario
from orgsim.experiment import replicate
from orgsim.metrics.latency import run_figures
from tests.validation._theory import assert_close

LAM = 1.5  # requests per hour
POD = (3, 1.0)  # servers, mean effort (hours): load 0.5
REVIEWS = (0.4, 0.5)  # mean review hours: loads 0.6 and 0.75


SIZES = {"fast": (6, 180, 0.10), "full": (20, 365, 0.05)}


@pytest.fixture(scope="module", params=["fast", pytest.param("full", marks=pytest.mark.slow)])
def run(request: pytest.FixtureRequest) -> tuple[list[dict], float]:
    reps, days, tol = SIZES[request.param]
    scenario = tandem_scenario(POD[0], LAM, POD[1], REVIEWS, horizon_days=days + 30, warmup_days=30, seed=11)
    return [run_figures(r) for r in replicate(scenario, reps)], tol


def _mean_se(values: list[float]) -> tuple[float, float]:
    import numpy as np

    x = np.asarray(values)
    return float(x.mean()), float(x.std(ddof=1) / len(x) ** 0.5)


def test_tandem_latency_matches_product_form(run: tuple[list[dict], float]) -> None:
    figures, tol = run
    theory = tandem_sojourn(LAM, [POD, *((1, m) for m in REVIEWS)])
    sim, se = _mean_se([f["silo_latency_answered_hours"]["mean"] for f in figures])
    assert_close("tandem sojourn", sim, se, theory, tol)


def test_tandem_first_station_is_erlang_c(run: tuple[list[dict], float]) -> None:
    figures, tol = run
    sim, se = _mean_se([f["latency_breakdown_hours"]["queue"] for f in figures])
    assert_close("pod wait", sim, se, mmc_wait(POD[0], LAM, POD[1]), 2 * tol)


def test_tandem_approval_stations(run: tuple[list[dict], float]) -> None:
    figures, tol = run
    # Approval time = Σ over approvers of (wait + review) = Σ M/M/1 sojourns.
    theory = sum(m / (1 - LAM * m) for m in REVIEWS)
    sim, se = _mean_se([f["latency_breakdown_hours"]["approval"] for f in figures])
    assert_close("approver sojourns", sim, se, theory, tol)
