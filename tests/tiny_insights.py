"""A tiny scenario for the insight tests (imported, not a conftest, so it merges cleanly)."""

from __future__ import annotations

import copy
from typing import Any

from orgsim.scenario.model import Scenario

#: A tiny company: two pods (instagram, linkedin), a lead, three departments,
#: no requests (so noticing is never delayed by other work) and one insight kind.
TINY: dict[str, Any] = {
    "name": "tiny",
    "channels": ["instagram", "linkedin"],
    "audiences": ["consumers", "b2b"],
    "demand": {"departments": {"Product": {}, "Sales": {}, "People": {}}},
    "team": {"people": {
        "lead": {"skills": {"channels": ["instagram", "linkedin"]}, "hours": "00:00-24:00",
                 "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
        "ana": {"skills": {"channels": ["instagram"]}, "hours": "00:00-24:00",
                "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
        "bo": {"skills": {"channels": ["linkedin"]}, "hours": "00:00-24:00",
               "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
    }},
    "structure": {
        "kind": "network", "lead": "lead", "intake": "lead",
        "pods": {"instagram": {"members": ["ana"], "covers": {"channels": ["instagram"]}},
                 "linkedin": {"members": ["bo"], "covers": {"channels": ["linkedin"]}}},
    },
    "policies": {"handoff_delay": "fixed"},
    "run": {"horizon_days": 28, "warmup_days": 0, "replications": 2, "seed": 7},
    "insights": {
        "horizon_days": 7,
        "kinds": {"quality": {"per_week": 10, "channel": "instagram", "audience": "consumers",
                              "departments": ["Product", "Sales"], "half_life_hours": 48}},
    },
}


def make(**changes: Any) -> Scenario:
    """TINY with nested changes: ``make(insights={"notice_hours": 1})`` merges dicts."""
    data = copy.deepcopy(TINY)

    def merge(a: dict[str, Any], b: dict[str, Any]) -> None:
        for k, v in b.items():
            if isinstance(v, dict) and isinstance(a.get(k), dict):
                merge(a[k], v)
            else:
                a[k] = v

    merge(data, changes)
    return Scenario.model_validate(data)
