"""Who takes the work: someone on duty first, the most proficient, the longest idle; call-outs last."""

from __future__ import annotations

from typing import Any

import pytest

from orgsim import simulate
from orgsim.scenario import scenario_from_data
from tests.helpers import ALWAYS

NO_HANDOFFS = {"same_pod": 0, "cross_pod": 0, "via_lead": 0, "department_intake": 0, "liaison": 0, "embedded": 0}


def owl_and_lark(**requests: dict[str, Any]) -> dict[str, Any]:
    """Owl works around the clock, Lark 09:00-17:00 Monday to Friday (UTC); one pod, no handoffs.

    Day 0 is Monday 5 January 2026.
    """
    return {
        "name": "owl and lark",
        "channels": ["instagram"],
        "audiences": ["consumers"],
        "demand": {"departments": {"Product": {"daily_profile": "flat", "weekly_profile": "flat",
                                               "requests": {name: {"function": "insights", **spec}
                                                            for name, spec in requests.items()}}}},
        "team": {"people": {"owl": {**ALWAYS}, "lark": {"hours": "09:00-17:00"}}},
        "structure": {"kind": "custom", "intake": "pod", "handoff_hours": NO_HANDOFFS,
                      "pods": {"pod": {"members": ["owl", "lark"], "covers": {"departments": ["Product"]}}}},
        "policies": {"triage_minutes": 0, "handoff_delay": "fixed"},
        "run": {"horizon_days": 2, "warmup_days": 0, "replications": 1},
    }


def _log(data: dict[str, Any]) -> list[tuple[float, str, int, str]]:
    log = simulate(scenario_from_data(data), seed=1, trace=True).log
    return [(round(t, 6), e, i, w) for t, e, k, i, w in log.itertuples(index=False) if k == "request"]


def test_urgent_work_after_hours_goes_to_the_colleague_on_duty() -> None:
    # Routine work at 18:00 (1 h) goes to Owl, the only one on duty. At 20:00
    # executive work arrives: Lark has been idle longer (since 17:00), but
    # Owl is on duty and free, so Owl takes it and Lark works no minute
    # after hours. (Before on-duty-first dispatch Lark was called out.)
    data = owl_and_lark(routine={"at_hours": [18.0], "effort_hours": 1.0, "priority": "normal"},
                        urgent={"at_hours": [20.0], "effort_hours": 1.0, "priority": "executive"})
    assert _log(data) == [
        (18.0, "arrive", 0, "Product/routine"),
        (18.0, "queue", 0, "pod:pod"),
        (18.0, "start", 0, "owl"),
        (19.0, "finish", 0, "owl"),
        (19.0, "answer", 0, "Product/routine"),
        (20.0, "arrive", 1, "Product/urgent"),
        (20.0, "queue", 1, "pod:pod"),
        (20.0, "start", 1, "owl"),
        (21.0, "finish", 1, "owl"),
        (21.0, "answer", 1, "Product/urgent"),
    ]
    people = simulate(scenario_from_data(data), seed=1).people.set_index("person")
    assert people.loc["lark", "busy_hours"] == 0 and people.loc["owl", "after_hours"] == 0


def test_crisis_at_night_goes_to_whoever_is_on_duty() -> None:
    data = owl_and_lark(crisis={"at_hours": [2.0], "effort_hours": 1.0, "priority": "crisis"})
    assert [w for _, e, _, w in _log(data) if e == "start"] == ["owl"]


def test_called_out_only_when_nobody_on_duty_can_take_it() -> None:
    # Owl is on a crisis from 20:00 to 23:00; a second crisis at 21:00 has
    # nobody free on duty and nobody on less urgent work to pull off it, so
    # Lark is called out for it. With call_out: never it waits for Owl.
    two = {"at_hours": [20.0, 21.0], "effort_hours": 3.0, "priority": "crisis"}
    starts = [(t, w) for t, e, _, w in _log(owl_and_lark(crisis=two)) if e == "start"]
    assert starts == [(20.0, "owl"), (21.0, "lark")]
    never = owl_and_lark(crisis=two)
    never["policies"]["call_out"] = "never"
    starts = [(t, w) for t, e, _, w in _log(never) if e == "start"]
    assert starts == [(20.0, "owl"), (23.0, "owl")]


def test_on_duty_colleague_is_pulled_off_routine_work_before_anyone_is_called_out() -> None:
    data = owl_and_lark(routine={"at_hours": [20.0], "effort_hours": 3.0, "priority": "normal"},
                        crisis={"at_hours": [21.0], "effort_hours": 1.0, "priority": "crisis"})
    events = [(t, e, i, w) for t, e, i, w in _log(data) if e in ("start", "pause", "finish")]
    assert events == [(20.0, "start", 0, "owl"), (21.0, "pause", 0, "owl"), (21.0, "start", 1, "owl"),
                      (22.0, "finish", 1, "owl"), (22.0, "start", 0, "owl"), (24.0, "finish", 0, "owl")]


def test_the_most_proficient_free_person_takes_it_before_the_longest_idle() -> None:
    # Both on duty at 10:00 and idle since the start; Lark is an expert on
    # insights, so the work goes to her although Owl has waited as long.
    data = owl_and_lark(ask={"at_hours": [10.0], "effort_hours": 1.0})
    data["team"]["people"]["lark"]["proficiency"] = {"functions": {"insights": "expert"}}
    result = simulate(scenario_from_data(data), seed=1, trace=True)
    assert [w for _, e, _, _, w in result.log.itertuples(index=False) if e == "start"] == ["lark"]
    assert result.requests.iloc[0]["work_hours"] == pytest.approx(0.8)  # the expert factor
