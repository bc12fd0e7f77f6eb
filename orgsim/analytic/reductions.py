"""Scenarios that reduce exactly to textbook queues, built in code.

``mmc_scenario`` is one pod of ``c`` people always on duty, one request type
with exponential effort and nothing else: an M/M/c queue whose customers are
requests. ``tandem_scenario`` adds an approval chain of outside approvers,
each always on duty with exponential review times: every approver is a
single-server station that a request visits after the pod, in order, so the
whole is an open Jackson network in tandem (pod M/M/c, then M/M/1 per
approver). Handoffs, triage and merges are set to zero so that nothing but
the stations takes time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orgsim.scenario.model import Scenario

__all__ = ["jackson_data", "mmc_data", "mmc_scenario", "tandem_data", "tandem_scenario"]

ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ZERO_HANDOFFS = {k: 0 for k in ("same_pod", "cross_pod", "via_lead", "department_intake", "liaison", "embedded")}


def tandem_scenario(c: int, per_hour: float, mean_service_hours: float, reviews: Sequence[float] = (),
                    horizon_days: float = 365.0, warmup_days: float = 30.0, seed: int = 1) -> Scenario:
    """A pod of ``c`` people, then one outside approver per entry of ``reviews`` (mean review hours).

    >>> s = tandem_scenario(2, 1.0, 1.5, reviews=[0.5])
    >>> s.policies.approval_steps, len(s.team.people)
    (1, 2)
    """
    return Scenario.model_validate(tandem_data(c, per_hour, mean_service_hours, reviews, horizon_days, warmup_days, seed))


def mmc_scenario(c: int, per_hour: float, mean_service_hours: float, horizon_days: float = 365.0,
                 warmup_days: float = 30.0, seed: int = 1) -> Scenario:
    """One always-on pod of ``c`` people: an M/M/c queue."""
    return tandem_scenario(c, per_hour, mean_service_hours, (), horizon_days, warmup_days, seed)


def mmc_data(c: int, per_hour: float, mean_service_hours: float, horizon_days: float = 365.0,
             warmup_days: float = 30.0, seed: int = 1) -> dict[str, Any]:
    """:func:`mmc_scenario` as plain data, to edit or write as YAML before validating."""
    return tandem_data(c, per_hour, mean_service_hours, (), horizon_days, warmup_days, seed)


def tandem_data(c: int, per_hour: float, mean_service_hours: float, reviews: Sequence[float] = (),
                horizon_days: float = 365.0, warmup_days: float = 30.0, seed: int = 1) -> dict[str, Any]:
    """:func:`tandem_scenario` as plain data."""
    people = {f"p{i}": {"hours": "00:00-24:00", "days": list(ALL_DAYS),
                        "skills": {"channels": ["web"], "functions": ["insights"], "audiences": ["all"]}}
              for i in range(c)}
    chain = [{"external": f"approver{i}", "hours": "00:00-24:00", "days": list(ALL_DAYS),
              "review_hours": {"dist": "exponential", "mean": m}} for i, m in enumerate(reviews)]
    return {
        "name": f"mm{c}" + (f"-tandem{len(reviews) + 1}" if reviews else ""),
        "channels": ["web"],
        "audiences": ["all"],
        "demand": {"departments": {"Product": {
            "daily_profile": "flat", "weekly_profile": "flat",
            "requests": {"ask": {"per_day": per_hour * 24, "function": "insights", "channels": ["web"],
                                 "audience": "all", "needs_approval": bool(reviews),
                                 "effort_hours": {"dist": "exponential", "mean": mean_service_hours}}}}}},
        "team": {"people": people},
        "structure": {"kind": "custom", "intake": "pod", "handoff_hours": dict(ZERO_HANDOFFS),
                      "pods": {"pod": {"members": list(people), "covers": {"departments": ["Product"]}}}},
        "policies": {"triage_minutes": 0, "merge_hours": 0, "approval_steps": len(chain),
                     "approval_chain": chain},
        "run": {"horizon_days": horizon_days, "warmup_days": warmup_days, "seed": seed, "replications": 1},
    }


def jackson_data(stations: dict[str, tuple[int, float]], flows: dict[str, tuple[float, list[dict[str, Any]]]],
                 horizon_days: float = 365.0, warmup_days: float = 30.0, seed: int = 1) -> dict[str, Any]:
    """An open Jackson network as a scenario: one always-on pod of ``c`` people per station.

    ``stations``: name → (c, mean hours of exponential work). ``flows``:
    department → (requests per hour, its steps), each step ``{"at": station,
    "branches": {...}, "then": ...}``; the step's work is the station's mean.
    Every station is then M/M/c with class-independent service, and the
    network has the product form (handoffs, triage and merges are zero).
    """
    people: dict[str, Any] = {}
    pods: dict[str, Any] = {}
    for name, (c, _) in stations.items():
        members = [f"{name}_{i}" for i in range(c)]
        for m in members:
            people[m] = {"hours": "00:00-24:00", "days": list(ALL_DAYS),
                         "skills": {"channels": ["web"], "functions": ["insights"], "audiences": ["all"]}}
        pods[name] = {"members": members, "covers": {"departments": []}}
    departments = {}
    for dname, (per_hour, steps) in flows.items():
        pods[steps[0]["at"]]["covers"]["departments"].append(dname)
        departments[dname] = {"daily_profile": "flat", "weekly_profile": "flat", "requests": {"work": {
            "per_day": per_hour * 24, "function": "insights", "channels": ["web"], "audience": "all",
            "steps": [{"name": st.get("name", st["at"]), "pod": st["at"],
                       "effort_hours": {"dist": "exponential", "mean": stations[st["at"]][1]},
                       **{k: v for k, v in st.items() if k in ("then", "branches")}} for st in steps]}}}
    return {
        "name": f"jackson{len(stations)}", "channels": ["web"], "audiences": ["all"],
        "demand": {"departments": departments},
        "team": {"people": people},
        "structure": {"kind": "custom", "intake": "pod", "handoff_hours": dict(ZERO_HANDOFFS), "pods": pods},
        "policies": {"triage_minutes": 0, "merge_hours": 0, "approval_steps": 0},
        "run": {"horizon_days": horizon_days, "warmup_days": warmup_days, "seed": seed, "replications": 1},
    }
