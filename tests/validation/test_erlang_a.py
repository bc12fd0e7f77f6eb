"""Customers who give up: the engine against Erlang A (M/M/c+M) at two loads.

An always-on pod of ``c`` people answers one channel's messages: Poisson
arrivals, exponential handling, exponential patience. The abandoned share
and the mean wait of every arrival (until someone starts on the message, or
until its writer gives up) must sit within the replications' interval of the
closed form (:func:`orgsim.analytic.queueing.erlang_a`), below full load and
above it (where, without patience, no steady state exists).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from orgsim import simulate
from orgsim.analytic.estimate import _stays_through_off_duty, estimate
from orgsim.analytic.queueing import erlang_a
from orgsim.metrics import run_figures
from orgsim.scenario import scenario_from_data
from orgsim.sim.result import Result
from tests.validation._theory import assert_close

ALWAYS = {"hours": "00:00-24:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
          "proficiency": {"default": "practised"}}


def erlang_a_data(c: int, per_hour: float, mean_service: float, mean_patience: float, days: float,
                  warmup: float) -> dict[str, Any]:
    """One channel, one always-on pod of ``c`` people: M/M/c+M."""
    people = {f"p{i}": dict(ALWAYS) for i in range(c)}
    return {
        "name": f"erlang a, c={c}",
        "channels": ["instagram"],
        "audiences": ["consumers"],
        "demand": {"departments": {"Product": {"requests": {}}},
                   "messages": {"instagram": {
                       "per_day": per_hour * 24, "daily_profile": "flat", "weekly_profile": "flat",
                       "handle_minutes": {"dist": "exponential", "mean": mean_service * 60},
                       "patience_hours": {"dist": "exponential", "mean": mean_patience}}}},
        "team": {"people": people},
        "structure": {"kind": "custom", "intake": "pod",
                      "pods": {"pod": {"members": list(people), "covers": {"channels": ["instagram"]}}}},
        "run": {"horizon_days": days, "warmup_days": warmup, "replications": 1},
    }


def _abandoned_and_wait(result: Result) -> tuple[float, float]:
    """Of the messages arrived after the warm-up: the abandoned share, and the mean wait to a start or giving up."""
    m = result.messages
    start = result.log[(result.log["event"] == "start") & (result.log["kind"] == "message")]
    started = np.full(len(m), np.nan)
    started[start["item"].to_numpy()] = start["time"].to_numpy()  # a message starts once (nothing pre-empts here)
    inside = m["in_window"].to_numpy()
    left = np.where(np.isnan(started), m["abandoned"].to_numpy(), started)[inside]
    arrived = m["arrived"].to_numpy()[inside]
    known = ~np.isnan(left)  # the few still waiting at the horizon are left out
    share = run_figures(result)["messages"]["abandoned_share"]
    return share, float(np.mean(left[known] - arrived[known]))


@pytest.mark.slow
@pytest.mark.parametrize("per_hour", [2.4, 3.6])  # c = 3, one hour's work each: loads 0.8 and 1.2
def test_abandonment_and_wait_match_erlang_a(per_hour: float) -> None:
    c, service, patience, reps = 3, 1.0, 2.0, 12
    s = scenario_from_data(erlang_a_data(c, per_hour, service, patience, days=120, warmup=10))
    runs = np.array([_abandoned_and_wait(simulate(s, seed=k, trace=True)) for k in range(reps)])
    p_theory, w_theory = erlang_a(c, per_hour, service, patience)
    mean, se = runs.mean(axis=0), runs.std(axis=0, ddof=1) / math.sqrt(reps)
    assert_close("abandoned share", mean[0], se[0], p_theory, rel_tol=0.05)
    assert_close("mean wait", mean[1], se[1], w_theory, rel_tol=0.05)


def test_abandonment_matches_erlang_a_roughly_in_a_short_run() -> None:
    # The default suite's quick check (the slow one above holds the interval): one 60-day run at load 1.2.
    s = scenario_from_data(erlang_a_data(3, 3.6, 1.0, 2.0, days=60, warmup=5))
    share, wait = _abandoned_and_wait(simulate(s, seed=1, trace=True))
    p_theory, w_theory = erlang_a(3, 3.6, 1.0, 2.0)
    assert share == pytest.approx(p_theory, rel=0.1)
    assert wait == pytest.approx(w_theory, rel=0.1)


def test_the_estimate_gives_erlang_a_on_an_always_on_pod() -> None:
    """Always on duty, one station: the estimate's abandoned share is the closed form, and what stays is its load."""
    c, per_hour, service, patience = 3, 3.6, 1.0, 2.0  # offered load 1.2: without patience, no steady state
    data = erlang_a_data(c, per_hour, service, patience, days=60, warmup=5)
    gone, _ = erlang_a(c, per_hour, service, patience)
    est = estimate(scenario_from_data(data))
    assert est["messages_abandoned_share"] == pytest.approx(gone, rel=1e-9)
    (station,) = est["stations"].values()
    assert station["abandoned_share"] == pytest.approx(gone, rel=1e-9)
    assert station["load"] == pytest.approx(per_hour * (1 - gone) * service / c, rel=1e-9)
    del data["demand"]["messages"]["instagram"]["patience_hours"]
    patient_free = estimate(scenario_from_data(data))
    assert "messages_abandoned_share" not in patient_free
    assert next(iter(patient_free["stations"].values()))["load"] == pytest.approx(per_hour * service / c)


def test_writers_who_arrive_off_duty_stay_with_their_patience_survival() -> None:
    """Hand-worked: on duty 0-12 h of each 24 h, patience 6 h: a writer arriving u hours before the shift stays
    with probability exp(-u / 6); over the 12-hour gap that is 6 (1 - e^-2) hours of the 24."""
    on = (0.0, 12.0, 24.0, 36.0)
    expected = 2 * (12 + 6 * (1 - math.exp(-2))) / 48
    assert _stays_through_off_duty([on], 48.0, 6.0) == pytest.approx(expected, rel=1e-12)
    assert _stays_through_off_duty([on], 48.0, 1e9) == pytest.approx(1.0)  # endless patience: everyone stays
