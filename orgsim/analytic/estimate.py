"""``orgsim estimate``: queueing-network approximations of silo latency, without simulating.

Every work queue (a pod, a person, an outside approver) is treated as an
M/M/c station in steady state:

- ``c`` = Σ over its servers of (share of the horizon they are on duty ×
  capacity), rounded to the nearest whole person (at least one);
- its load = Σ over what reaches it (request parts, triage, merges, reviews,
  community messages) of arrival rate × mean effort (× off-skill factor when
  nobody serving it has the skills is ignored);
- its mean wait = Erlang C at that load, with the station's mean service
  time, plus the mean time an arrival at a random moment waits for anyone
  serving the station to come on duty (Σ off-gap² / 2 / horizon: nights
  and weekends, which are most of the silo latency of an office-hours team).

A request kind's latency = its handoff delays + the wait and work at each
station on its route (for parallel parts, the slowest part) + approvals. This
is a rough guide, not a match: priorities and pre-emption, shifts (work that
arrives at night waits for the morning, which the duty share averages away),
bursts and daily/weekly profiles are ignored, and work that runs over the
end of a shift is not stretched, and a station at or above
full load is reported as overloaded (``inf``). It is exact for the
reductions of :mod:`orgsim.analytic.reductions`; how far it is from the
simulation on each example scenario is reported by
``tests/validation/test_estimate.py``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from orgsim.analytic.queueing import mmc_wait
from orgsim.scenario.model import Scenario
from orgsim.sim.calendar import _merge
from orgsim.sim.engine import Model

__all__ = ["estimate"]


def _off_duty_wait(calendars: list[tuple[float, ...]], horizon: float) -> float:
    """Mean wait, from a uniformly random moment, until at least one of the calendars is on duty."""
    duty = _merge((b[i], b[i + 1]) for b in calendars for i in range(0, len(b), 2))
    t, total = 0.0, 0.0
    for start, end in duty:
        total += (start - t) ** 2 / 2
        t = end
    if t < horizon:
        total += (horizon - t) ** 2 / 2
    return total / horizon if horizon > 0 else 0.0


def estimate(scenario: Scenario) -> dict[str, Any]:
    """Approximate mean silo latency (hours) per department and request kind.

    >>> from orgsim.analytic.reductions import mmc_scenario
    >>> round(estimate(mmc_scenario(2, 1.0, 1.0))["silo_latency_hours"]["mean"], 4)
    1.3333
    """
    m = Model(scenario, 0)
    routes: list[dict[str, Any]] = m.routes  # type: ignore[assignment]
    s, p = scenario, scenario.policies
    horizon = m.horizon
    rate: dict[str, float] = defaultdict(float)  # arrivals per hour at each queue
    work: dict[str, float] = defaultdict(float)  # hours of work per hour
    kinds = []
    for kind, route in zip(m.kinds, routes, strict=True):
        lam = kind.spec.daily / 24
        effort = kind.spec.effort_hours.expected * p.request_handling_factor
        rework = 1 + route["rework"] * p.rework_share
        stages: list[tuple[str, float]] = []
        if route["triage"] is not None:
            stages.append((route["triage"].name, p.triage_minutes / 60))
        share = effort * rework / len(route["parts"])
        for q, *_ in route["parts"]:
            stages.append((q.name, share))
        if route["merge"] is not None:
            stages.append((route["merge"].name, p.merge_hours * rework))
        for (q, _leg), step in zip(route["approvals"], p.approval_chain, strict=False):
            stages.append((q.name, step.review_hours.expected))
        for name, hours in stages:
            rate[name] += lam
            work[name] += lam * hours
        kinds.append((kind, route, lam, stages))
    for ch, ms in s.demand.messages.items():
        lam = ms.daily / 24
        h = ms.handle_minutes.expected / 60 * p.message_handling_factor
        mix: dict[str | None, float] = {k: v for k, v in ms.audience_mix.items()} or {None: 1.0}
        total = sum(mix.values())
        for aud, share in mix.items():
            a = s.audiences.index(aud) if aud is not None else -1
            q = m.msg_queue[s.channels.index(ch), a][0]
            rate[q.name] += lam * share / total
            work[q.name] += lam * share / total * h

    stations = {}
    for name, q in m.queues.items():
        if rate[name] == 0:
            continue
        servers = sum(w.cal.duty_between(0, horizon) / horizon / w.base for w in q.servers)
        c = max(1, round(servers))
        service = work[name] / rate[name]
        wait = mmc_wait(c, rate[name], service) if service > 0 else 0.0
        shift_wait = _off_duty_wait([w.cal.bounds for w in q.servers], horizon)
        stations[name] = {"servers": c, "load": work[name] / c, "mean_wait_hours": wait + shift_wait,
                          "shift_wait_hours": shift_wait}

    by_kind, weights = {}, {}
    for kind, route, lam, stages in kinds:
        lat = route["in"].delay_hours + route["reply"].delay_hours
        for name, hours in stages[:1] if route["triage"] is not None else []:
            lat += stations[name]["mean_wait_hours"] + hours
        parts = [stations[q.name]["mean_wait_hours"] + li.delay_hours + lo.delay_hours
                 for q, li, lo, _ in route["parts"]]
        share = kind.spec.effort_hours.expected * p.request_handling_factor / len(route["parts"])
        lat += max(parts) + share
        if route["merge"] is not None:
            lat += stations[route["merge"].name]["mean_wait_hours"] + p.merge_hours
        for (q, leg), step in zip(route["approvals"], p.approval_chain, strict=False):
            lat += leg.delay_hours + stations[q.name]["mean_wait_hours"] + step.review_hours.expected
        by_kind[kind.key] = lat
        weights[kind.key] = lam
    total = sum(weights.values())
    mean = sum(by_kind[k] * weights[k] for k in by_kind) / total if total else math.nan
    depts: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for kind, *_ in kinds:
        d = depts[kind.department]
        d[0] += by_kind[kind.key] * weights[kind.key]
        d[1] += weights[kind.key]
    return {
        "scenario": s.name,
        "silo_latency_hours": {"mean": mean},
        "by_department": {d: v[0] / v[1] if v[1] else math.nan for d, v in depts.items()},
        "by_request_type": by_kind,
        "stations": stations,
    }
