"""Worlds in which each design should win, and does — and one in which they tie.

Every world is four people and a lead, two channels, two functions, two
audiences, and the three designs group the *same* people with the *same*
proficiencies into two pods of two:

=========  ====================  ====================  ====================
design     pod 1                 pod 2                 splits
=========  ====================  ====================  ====================
network    instagram: a, b       linkedin: c, d        by channel
function   content: a, c         paid: b, d            no
audience   consumers: a, d       b2b buyers: b, c      no
=========  ====================  ====================  ====================

A world sets who is expert in what and what the work is; the design whose
grouping matches the expertise the work needs should answer faster. Compared
with common random numbers (the same requests for every design) over a few
replications; a design wins when the paired 95% interval of the latency
difference lies wholly on its side. If one design won every world the model
would be wrong, not the test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from orgsim import simulate
from orgsim.analytic.estimate import estimate
from orgsim.scenario import scenario_from_data
from tests.helpers import ALWAYS

GROUPS = {
    "network": {"instagram": (["a", "b"], {"channels": ["instagram"]}), "linkedin": (["c", "d"], {"channels": ["linkedin"]})},
    "function": {"content": (["a", "c"], {"functions": ["content"]}), "paid": (["b", "d"], {"functions": ["paid"]})},
    "audience": {"consumers": (["a", "d"], {"audiences": ["consumers"]}), "b2b": (["b", "c"], {"audiences": ["b2b_buyers"]})},
}
REPLICATIONS = 5


def world(design: str, proficiency: dict[str, dict[str, Any]], requests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    people = {pid: {**ALWAYS, "proficiency": proficiency.get(pid, {})} for pid in "abcd"}
    people["lead"] = {**ALWAYS}
    return {
        "name": f"world by {design}",
        "channels": ["instagram", "linkedin"],
        "audiences": ["consumers", "b2b_buyers"],
        "functions": ["content", "paid"],
        "demand": {"departments": {"Marketing": {
            "daily_profile": "flat", "weekly_profile": "flat",
            "requests": {name: {"effort_hours": {"dist": "lognormal", "mean": 2.0, "cv": 0.8}, **spec}
                         for name, spec in requests.items()}}}},
        "team": {"people": people},
        "structure": {"kind": design, "lead": "lead", "intake": "lead",
                      "pods": {name: {"members": members, "covers": covers}
                               for name, (members, covers) in GROUPS[design].items()}},
        "run": {"horizon_days": 12, "warmup_days": 2, "replications": REPLICATIONS},
    }


def latencies(proficiency: dict[str, dict[str, Any]], requests: dict[str, dict[str, Any]]) -> dict[str, np.ndarray]:
    """Mean silo latency per replication for each design, on the same demand."""
    seeds = np.random.SeedSequence(7).spawn(REPLICATIONS)
    out = {}
    for design in GROUPS:
        s = scenario_from_data(world(design, proficiency, requests))
        out[design] = np.array([simulate(s, seed=seed).requests["latency_hours"].mean() for seed in seeds])
    return out


def paired_ci(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    d = a - b
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return float(d.mean() - half), float(d.mean() + half)


def winner(lat: dict[str, np.ndarray]) -> str | None:
    """The design faster than each other one with the paired interval below zero, if any."""
    for design in lat:
        if all(paired_ci(lat[design], lat[other])[1] < 0 for other in lat if other != design):
            return design
    return None


def request(channels: list[str], function: str, audience: str, per_day: float) -> dict[str, Any]:
    return {"channels": channels, "function": function, "audience": audience, "per_day": per_day}


def every_mix(per_day: float, channels: list[list[str]]) -> dict[str, dict[str, Any]]:
    """Requests of every channel set, function and audience, equally often."""
    out = {}
    for ch in channels:
        for fn in ("content", "paid"):
            for au in ("consumers", "b2b_buyers"):
                out[f"{'_'.join(ch)}_{fn}_{au}"] = request(ch, fn, au, per_day)
    return out


# Single-platform specialist work: every request is on one platform, and
# a and b are Instagram experts who have never worked LinkedIn, c and d the
# reverse. A by-network pod holds the two experts of its platform; any other
# grouping puts someone on a platform they do not know half the time.
PLATFORM_EXPERTS = {
    "a": {"channels": {"instagram": "expert", "linkedin": "none"}},
    "b": {"channels": {"instagram": "expert", "linkedin": "none"}},
    "c": {"channels": {"linkedin": "expert", "instagram": "none"}},
    "d": {"channels": {"linkedin": "expert", "instagram": "none"}},
}
# Specialist function-heavy work (paid media): b and d are paid specialists
# who never make content, a and c content makers who never buy ads; work is
# on both platforms at once, so a by-network team also splits it.
FUNCTION_EXPERTS = {
    "a": {"functions": {"content": "expert", "paid": "none"}},
    "c": {"functions": {"content": "expert", "paid": "none"}},
    "b": {"functions": {"paid": "expert", "content": "none"}},
    "d": {"functions": {"paid": "expert", "content": "none"}},
}
# Whole cross-channel requests for distinct audiences: a and d know
# consumers, b and c trade buyers, and every request is on both platforms.
AUDIENCE_EXPERTS = {
    "a": {"audiences": {"consumers": "expert", "b2b_buyers": "none"}},
    "d": {"audiences": {"consumers": "expert", "b2b_buyers": "none"}},
    "b": {"audiences": {"b2b_buyers": "expert", "consumers": "none"}},
    "c": {"audiences": {"b2b_buyers": "expert", "consumers": "none"}},
}
SINGLE = [["instagram"], ["linkedin"]]
BOTH = [["instagram", "linkedin"]]


@pytest.mark.parametrize(("expected", "proficiency", "requests"), [
    ("network", PLATFORM_EXPERTS, every_mix(2.5, SINGLE)),
    ("function", FUNCTION_EXPERTS, every_mix(2.5, SINGLE)),
    ("audience", AUDIENCE_EXPERTS, every_mix(4.0, BOTH)),
], ids=["platform-specialists", "function-specialists", "audience-specialists"])
def test_each_design_wins_its_own_world(expected: str, proficiency: dict[str, Any], requests: dict[str, Any]) -> None:
    lat = latencies(proficiency, requests)
    assert winner(lat) == expected, {d: round(float(v.mean()), 2) for d, v in lat.items()}
    # The estimate (a screen for explorations and searches) ranks the designs as the simulation does:
    # the same winner, and the same order of every pair the simulation tells apart.
    est = {d: estimate(scenario_from_data(world(d, proficiency, requests)))["silo_latency_hours"]["mean"]
           for d in GROUPS}
    assert min(est, key=est.__getitem__) == expected, est
    for d in GROUPS:
        for other in GROUPS:
            if d != other and paired_ci(lat[d], lat[other])[1] < 0:
                assert est[d] < est[other], (d, other, est)


def test_a_world_of_generalists_is_a_tie() -> None:
    # Everyone practised at everything, single-platform work spread evenly:
    # every design is two pods of two equals with the same load, so no
    # design is clearly faster than another.
    lat = latencies({}, every_mix(2.5, SINGLE))
    for d in lat:
        for other in lat:
            if d != other:
                lo, hi = paired_ci(lat[d], lat[other])
                assert lo < 0 < hi, (d, other, lo, hi)
    # the estimate sees the same people doing the same work at the same pace: a tie too
    est = [estimate(scenario_from_data(world(d, {}, every_mix(2.5, SINGLE))))["silo_latency_hours"]["mean"]
           for d in GROUPS]
    assert max(est) - min(est) < 0.01 * min(est), est
