"""Skill-aware pulling (``policies.dispatch: best_skill``): a free person takes the urgent task they are best at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orgsim import simulate
from orgsim.errors import OrgsimError
from orgsim.scenario import load_scenario, scenario_from_data

WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def two_skills(dispatch: str, asks: dict[str, list[float]], priority: dict[str, str] | None = None) -> dict[str, Any]:
    """Ivy (Instagram expert, LinkedIn novice) and Leo (the reverse) share one pod, 09:00-17:00 every day.

    ``asks``: request type ``ig`` or ``li`` -> arrival hours; 1 h of effort each (0.8 h for the expert, 1.3 h
    for the novice: the default proficiency factors).
    """
    channel = {"ig": "instagram", "li": "linkedin"}
    return {
        "name": "two skills",
        "channels": ["instagram", "linkedin"],
        "audiences": ["consumers"],
        "demand": {"departments": {"Product": {"requests": {
            name: {"function": "insights", "channels": [channel[name]], "at_hours": at, "effort_hours": 1.0,
                   "priority": (priority or {}).get(name, "normal")}
            for name, at in asks.items()}}}},
        "team": {"people": {
            "ivy": {"hours": "09:00-17:00", "days": WEEK, "proficiency": {
                "default": "practised", "channels": {"instagram": "expert", "linkedin": "novice"}}},
            "leo": {"hours": "09:00-17:00", "days": WEEK, "proficiency": {
                "default": "practised", "channels": {"instagram": "novice", "linkedin": "expert"}}}}},
        "structure": {"kind": "custom", "intake": "pod",
                      "handoff_hours": {"same_pod": 0, "cross_pod": 0, "via_lead": 0, "department_intake": 0,
                                        "liaison": 0, "embedded": 0},
                      "pods": {"pod": {"members": ["ivy", "leo"], "covers": {"departments": ["Product"]}}}},
        "policies": {"triage_minutes": 0, "handoff_delay": "fixed", "dispatch": dispatch},
        "run": {"horizon_days": 2, "warmup_days": 0, "replications": 1},
    }


def _starts(data: dict[str, Any]) -> list[tuple[float, int, str]]:
    log = simulate(scenario_from_data(data), seed=1, trace=True).log
    return [(round(t, 6), i, w) for t, e, k, i, w in log.itertuples(index=False) if k == "request" and e == "start"]


# Overnight: LinkedIn asks at 01:00 and 02:00, Instagram asks at 03:00 and 04:00 (requests 0-3, in arrival order).
OVERNIGHT = {"li": [1.0, 2.0], "ig": [3.0, 4.0]}


def test_first_come_takes_the_oldest_whoever_is_best_at_it() -> None:
    # 09:00: Ivy (first in the team) takes LinkedIn 0 as a novice (1.3 h), Leo LinkedIn 1 (0.8 h); Leo is free
    # at 09:48 for Instagram 2 (1.3 h, to 11:06), Ivy at 10:18 for Instagram 3 (0.8 h, to 11:06).
    assert _starts(two_skills("first_come", OVERNIGHT)) == [
        (9.0, 0, "ivy"), (9.0, 1, "leo"), (9.8, 2, "leo"), (10.3, 3, "ivy")]


def test_best_skill_takes_the_task_each_is_best_at() -> None:
    # 09:00: Ivy takes Instagram 2 (0.8 h), Leo LinkedIn 0 (0.8 h); both free at 09:48: Ivy Instagram 3,
    # Leo LinkedIn 1. Everything is done at 10:36 instead of 11:06.
    assert _starts(two_skills("best_skill", OVERNIGHT)) == [
        (9.0, 2, "ivy"), (9.0, 0, "leo"), (9.8, 3, "ivy"), (9.8, 1, "leo")]
    done = simulate(scenario_from_data(two_skills("best_skill", OVERNIGHT)), seed=1).requests["answered"]
    assert done.max() == pytest.approx(10.6)


def test_best_skill_stays_within_the_most_urgent_priority() -> None:
    # The LinkedIn asks are executive: Ivy, a LinkedIn novice, still takes one before any Instagram ask.
    data = two_skills("best_skill", OVERNIGHT, priority={"li": "executive"})
    data["policies"]["call_out"] = "never"  # (else the executive asks call someone out at night)
    assert _starts(data)[:2] == [(9.0, 0, "ivy"), (9.0, 1, "leo")]


def test_an_unknown_dispatch_is_an_error_at_its_line(tmp_path: Path) -> None:
    base = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {base}\npolicies:\n  dispatch: best_fit\n")
    with pytest.raises(OrgsimError, match=r"bad.yaml:3:.*policies.dispatch.*'first_come'.*'best_skill'"):
        load_scenario(bad)
