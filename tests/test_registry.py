"""The metric registry: every metric once, well-formed; one record from full and summary mode; reply targets by hand."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from orgsim.metrics import run_figures
from orgsim.metrics.registry import METRICS, department_metrics, metric, metrics_for, record, reply_metrics
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_changes
from orgsim.sim import simulate
from orgsim.sim.result import Result
from orgsim.sim.tally import LocalClock, Tally
from tests.conftest import ROOT

SNAKE = re.compile(r"[a-z0-9]+(_[a-z0-9]+)*")


def _every_metric() -> list:
    return [*METRICS, *reply_metrics([0.5, 1, 4, 24]), *department_metrics("Customer Care"),
            *department_metrics("Product")]


def test_every_metric_is_well_formed_and_its_id_unique() -> None:
    ms = _every_metric()
    ids = [m.id for m in ms]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert len({m.label for m in ms}) == len(ms)
    for m in ms:
        assert SNAKE.fullmatch(m.id), m.id
        assert m.unit and m.label and m.direction in (-1, 0, 1) and m.fmt in ("hours", "percent", "number", "money",
                                                                               "count")
        low, high = m.bounds
        assert low <= high
        if m.unit == "share":  # a share stays in [0, 1]; utilisation counts work beyond the shift, so only >= 0
            assert m.bounds == ((0.0, math.inf) if m.id.startswith("utilization_") else (0.0, 1.0))
            assert m.fmt == "percent" and m.is_share == (m.bounds == (0.0, 1.0))
        if m.unit == "h":
            assert m.bounds == (0.0, math.inf) and m.fmt == "hours"
    assert metric("silo_latency_mean").clip(-2.0) == 0.0 and metric("after_hours_share").clip(1.3) == 1.0


def test_a_metric_is_found_by_id_or_label() -> None:
    assert metric("messages answered within 4 h, nights and weekends").id == "reply_within_4h_off_hours_share"
    assert metric("silo latency, Product (answered requests only)",
                  [{"by_department": {"Product": {}}}]).id == "silo_latency_mean_dept_product"
    with pytest.raises(KeyError, match="no metric"):
        metric("speed")


@pytest.fixture(scope="module")
def short_runs() -> tuple[dict, dict]:
    s = with_changes(load_scenario(ROOT / "scenarios" / "base.yaml"), {"run.horizon_days": 16, "run.warmup_days": 1})
    return run_figures(simulate(s, seed=4)), run_figures(simulate(s, seed=4, summary=True))


def test_full_and_summary_mode_fill_the_same_record(short_runs: tuple[dict, dict]) -> None:
    full, summary = (record(f) for f in short_runs)
    assert list(full) == list(summary)
    for mid, value in full.items():
        if mid == "silo_latency_p90":  # summary mode's percentiles come from 1%-wide bins
            assert summary[mid] == pytest.approx(value, rel=0.01)
        elif mid in ("silo_latency_rmst", "silo_latency_km_p50", "silo_latency_km_p90",  # Kaplan–Meier: full mode
                     "backlog_rise", "backlog_mean"):  # sampled from the full tables
            assert math.isnan(summary[mid]) and not math.isnan(value), mid
        else:  # counts and shares exactly; means to the last bits (a running sum vs numpy's pairwise sum)
            assert summary[mid] == pytest.approx(value, rel=1e-12, nan_ok=True), mid


def test_every_metric_path_reaches_a_figure(short_runs: tuple[dict, dict]) -> None:
    full = short_runs[0]
    missing = [m.id for m in metrics_for([full]) if math.isnan(m.of(full))]
    assert missing == []  # the base example has insights: every metric has a value


# Seven messages on a Monday-to-Wednesday run in UTC (night = outside 08:00-20:00, or Sat/Sun):
# (arrived, answered): hours on the clock; day or night by hand.
MESSAGES = [
    (9.0, 9.5),     # Mon 09:00 day, 0.5 h
    (10.0, 13.0),   # Mon 10:00 day, 3 h
    (22.0, 30.0),   # Mon 22:00 night, 8 h
    (26.0, None),   # Tue 02:00 night, never answered
    (40.0, 40.8),   # Tue 16:00 day, 0.8 h
    (60.0, 61.0),   # Wed 12:00 day, 1 h: no 24 h mark before the horizon (60 + 24 > 72)
    (70.0, 70.5),   # Wed 22:00 night, 0.5 h: only its 1 h mark falls inside the run
]
# target: (all answered in time / all due, night-and-weekend answered / due)
BY_HAND = {"1": (4 / 7, 1 / 3), "4": (4 / 6, 0 / 2), "24": (4 / 5, 1 / 2)}


def _hand_result(tally: Tally | None) -> Result:
    arrived = np.array([a for a, _ in MESSAGES])
    answered = np.array([np.nan if b is None else b for _, b in MESSAGES])
    messages = pd.DataFrame({"arrived": arrived, "answered": answered, "reply_hours": answered - arrived,
                             "in_window": True})
    requests = pd.DataFrame({c: pd.Series(dtype=float) for c in (
        "department", "request_type", "arrived", "answered", "latency_hours", "queue_hours", "work_hours",
        "handoff_hours", "approval_hours", "handoffs", "cross_group_handoffs")}).assign(in_window=pd.Series(dtype=bool))
    people = pd.DataFrame({"in_team": [True], "utilization": [0.5], "after_hours": [0.0], "busy_hours": [1.0],
                           "cost_per_year": [1.0]})
    return Result("hand", "network", 1, 72.0, 0.0, requests, messages, people, {"requests": 0.0, "messages": 0.0},
                  tally=tally, reply_targets_hours=(1.0, 4.0, 24.0), clock=LocalClock(0.0, 0))


def test_reply_target_shares_by_hand_in_both_modes() -> None:
    tally = Tally([], warmup=0.0, horizon=72.0, targets=(1.0, 4.0, 24.0), clock=LocalClock(0.0, 0))
    tally.count_arrivals(SimpleNamespace(req_time=np.array([]), req_kind=np.array([], dtype=int),
                                         msg_time=np.array([a for a, _ in MESSAGES])))
    for a, b in MESSAGES:
        if b is not None:
            tally.message(a, b)
    for result in (_hand_result(None), _hand_result(tally)):
        shares = run_figures(result)["reply_targets"]
        assert list(shares) == list(BY_HAND)
        for t, (share, night) in BY_HAND.items():
            assert (shares[t]["all"], shares[t]["off_hours"]) == pytest.approx((share, night))


def test_night_and_weekend_follow_the_demand_time_zone() -> None:
    sydney = LocalClock(11.0, 0)  # 10:00 UTC on Monday is 21:00 in Sydney: night there
    assert bool(sydney.off_hours(10.0)) and not LocalClock(0.0, 0).off_hours(10.0)
    saturday_noon = 5 * 24 + 12.0
    assert bool(LocalClock(0.0, 0).off_hours(saturday_noon)) and not LocalClock(0.0, 2).off_hours(saturday_noon)  # a Monday
    for t in np.arange(0.0, 24 * 14, 0.25):  # the one-at-a-time path agrees with the array path
        assert sydney.off_hours_at(float(t)) == bool(sydney.off_hours(t))
