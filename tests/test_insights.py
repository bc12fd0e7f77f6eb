"""Insight spread: exact paths, conservation, monotonicity under common random numbers."""

from __future__ import annotations

import numpy as np
import pytest

from orgsim.metrics import run_figures, summarize
from orgsim.metrics.insights import per_insight
from orgsim.sim.engine import simulate
from tests.tiny_insights import make

SURE = {k: 1.0 for k in ("member", "same_pod", "cross_pod", "via_lead", "department_intake", "liaison",
                         "embedded", "reporting", "custom")}


def test_path_arrival_is_sum_of_delays_and_unreachable_department_is_missed() -> None:
    # pod:instagram -(via_lead 1.5)-> lead -(department_intake 2.0)-> Product, every tie passes
    s = make(insights={"pass_probability": SURE, "notice_minutes": 30,
                       "kinds": {"quality": {"per_week": 5, "channel": "instagram", "audience": "consumers",
                                             "departments": ["Product", "People"]}}},
             structure={"handoff_hours": {"via_lead": 1.5, "department_intake": 2.0}})
    r = simulate(s, seed=3)
    prod = r.insights[r.insights["department"] == "Product"]
    assert len(prod) > 0
    # noticing: 30 minutes of work, nobody else busy (no requests), on duty all day
    assert np.allclose(prod["noticed"] - prod["appeared"], 0.5)
    reached = prod.dropna(subset=["reached"])
    assert np.allclose(reached["reached"] - reached["noticed"], 1.5 + 2.0)


def test_department_without_path_never_learns_and_is_counted() -> None:
    s = make(insights={"pass_probability": {**SURE, "department_intake": 0.0},
                       "kinds": {"quality": {"per_week": 5, "channel": "instagram",
                                             "departments": ["Product", "People"]}}},
             structure={"liaisons": [{"person": "ana", "department": "Product"}],
                        "handoff_hours": {"liaison": 0.5}})
    r = simulate(s, seed=3)
    people = r.insights[r.insights["department"] == "People"]
    prod = r.insights[r.insights["department"] == "Product"]
    assert len(people) == len(prod) > 0
    assert people["reached"].isna().all() and not people["reached_within"].any()
    fig = run_figures(r)["insight_reach"]
    assert fig["by_department"]["People"]["missed"] == fig["by_department"]["People"]["pairs"] > 0
    got = prod.dropna(subset=["reached"])
    assert np.allclose(got["reached"] - got["noticed"], 0.5)  # ana's liaison tie, fixed delay


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_conservation_every_pair_reached_or_missed(seed: int) -> None:
    r = simulate(make(), seed=seed)
    ins = r.insights
    n_insights = ins["insight"].nunique()
    assert len(ins) == 2 * n_insights  # two relevant departments each, nothing dropped
    hit = ins["reached_within"].astype(bool)
    assert (ins.loc[hit, "hours_to_reach"] <= 7 * 24).all()
    fig = run_figures(r)["insight_reach"]
    assert fig["reached"] + fig["missed"] == fig["pairs"] == int(ins["in_window"].sum())


def _share(s, seed: int) -> tuple[float, np.ndarray]:
    r = simulate(s, seed=seed)
    return run_figures(r)["insight_reach"]["share_within_horizon"], r.insights["hours_to_reach"].fillna(np.inf).to_numpy()


@pytest.mark.parametrize("seed", [11, 12, 13, 14, 15])
def test_platform_and_liaison_never_lower_reach(seed: int) -> None:
    base_s = make(policies={"handoff_delay": "exponential"})
    base, t0 = _share(base_s, seed)
    for lever in (make(policies={"handoff_delay": "exponential"},
                       insights={"platform": {"departments": ["Sales"], "lag_hours": 24}}),
                  make(policies={"handoff_delay": "exponential"},
                       structure={"liaisons": [{"person": "ana", "department": "Product"}]})):
        share, t1 = _share(lever, seed)
        assert share >= base
        assert len(t1) == len(t0) and (t1 <= t0 + 1e-9).all()  # pair by pair, not only on average


def test_trend_briefing_reaches_listed_department() -> None:
    s = make(insights={"pass_probability": {**SURE, "department_intake": 0.0},
                       "trend_briefing": {"every_days": 7, "departments": ["Product"]}})
    r = simulate(s, seed=5)
    prod = r.insights[r.insights["department"] == "Product"].dropna(subset=["reached"])
    assert len(prod) > 0 and (prod["via"] == "lead_briefing").all()


def test_same_seed_same_table_and_ci() -> None:
    a, b = simulate(make(), seed=9), simulate(make(), seed=9)
    assert a.insights.equals(b.insights)
    assert per_insight(a).equals(per_insight(b))
    summ = summarize([simulate(make(), seed=s) for s in (1, 2, 3)])
    ci = summ["insight_reach"]["ci95"]["share_within_horizon"]
    assert ci[0] is not None and ci[0] <= summ["insight_reach"]["share_within_horizon"] <= ci[1]


def test_no_insights_block_no_key() -> None:
    s = make()
    bare = s.model_copy(update={"insights": None})
    r = simulate(bare, seed=1)
    assert len(r.insights) == 0 and "insight_reach" not in run_figures(r)


def test_a_departments_receptiveness_is_shared_by_its_ties() -> None:
    # intake: pod ties Product to both pods; the Instagram pod always passes
    # to the LinkedIn pod, and each pod's tie to Product passes with 0.5. One
    # receptiveness draw per (insight, department): reach is 0.5, not the
    # 1 - 0.5 ** 2 = 0.75 two independent coins would give.
    s = make(structure={"intake": "pod"},
             insights={"pass_probability": {**SURE, "department_intake": 0.5},
                       "kinds": {"quality": {"per_week": 100, "channel": "instagram", "audience": "consumers",
                                             "departments": ["Product"]}}})
    pairs = simulate(s, seed=2).insights
    pairs = pairs[pairs["in_window"]]
    assert len(pairs) > 200
    assert abs(pairs["reached_within"].mean() - 0.5) < 0.1


def test_the_briefing_cycle_starts_anywhere_in_its_period() -> None:
    # Steady state: where the cycle stands at the start is drawn per run, so
    # the first briefing is not always a whole period into the run.
    firsts = set()
    for seed in range(12):
        s = make(insights={"pass_probability": {**SURE, "department_intake": 0.0},
                           "trend_briefing": {"every_days": 7, "departments": ["Product"], "at_hour": 10}})
        r = simulate(s, seed=seed).insights
        t = r[r["via"] == "lead_briefing"]["reached"].min()
        assert (t - 10) % 24 == 0  # a meeting at 10:00 on some day
        firsts.add((t - 10) % (7 * 24))  # the day of the weekly cycle
    assert len(firsts) >= 3
