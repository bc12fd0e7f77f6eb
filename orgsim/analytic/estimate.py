"""``orgsim estimate``: queueing-network approximations of silo latency, without simulating.

Every work queue (a pod, a person, an outside approver) is treated as an
M/M/c station in steady state:

- ``c`` = Σ over its servers of (share of the horizon they are on duty ×
  capacity), rounded to the nearest whole person (at least one);
- its load = Σ over what reaches it (request parts, triage, merges, reviews,
  community messages, an outside approver's ``other_work``, ``recurring_work``)
  of arrival rate × mean effort × the station's proficiency factor for that
  work (:class:`_Pace`: the harmonic mean of its servers' factors, as their
  rates add; coordination and outside approvers at 1); a split request's
  parts each repeat ``policies.split_concept_share`` of its effort, as in the
  engine;
- its mean wait = Erlang C at that load, with the station's mean service
  time, plus the mean time an arrival at a random moment waits for anyone
  serving the station to come on duty (Σ off-gap² / 2 / horizon: nights
  and weekends, which are most of the silo latency of an office-hours team).
  The lead's duties her deputy covers (``deputised:<lead>``) are a station of
  their own, served by the lead on duty and by the deputy in the hours the
  lead is off (both in its ``c`` and its off-duty wait).
- customers' ``patience_hours``: at a station answering messages whose
  writers may give up, the share who do is 1 − (share still waiting when
  someone comes on duty, from the station's off-duty gaps) × (1 − Erlang A's
  abandoned share at the station's ``c`` and load); an abandoned message
  costs no work, so the station's load and wait are those of what stays.
  Erlang A takes the patience as exponential with the rate-weighted mean of
  the station's patient messages, and treats every arrival there as patient
  (requests at a shared pod do not give up: an overstatement there). Reported
  as each such station's ``abandoned_share`` and, over all messages,
  ``messages_abandoned_share`` (only where some channel sets a patience).

A workflow (``steps:``) visits each step ``v`` times on average, ``v`` from
the traffic equations (:func:`visit_ratios`); each queue of a step gets
``λ v`` arrivals, and the kind's latency is Σ v × (wait + work) plus the
expected handoff delays. Where every station is M/M/c (exponential work,
always on duty, one mean per station) this is Jackson's product form: exact.

A request kind's latency = its handoff delays + the wait and work at each
station on its route (for parallel parts, the slowest part) + approvals. This
is a rough guide, not a match: priorities and pre-emption, shifts (work that
arrives at night waits for the morning, which the duty share averages away),
bursts and daily/weekly profiles are ignored, and work that runs over the
end of a shift is not stretched, and a station at or above
full load is reported as overloaded (``inf``). Also ignored: who of a
station's people takes a task (the pooled factor stands for all of them,
under either ``policies.dispatch``) and ``policies.switch_minutes`` (a
change of task costs no setup here: how often a person changes depends on the
order work comes in, which a steady-state average does not know). It is exact for the
reductions of :mod:`orgsim.analytic.reductions`; how far it is from the
simulation on each example scenario is reported by
``tests/validation/test_estimate.py``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from orgsim.analytic.queueing import erlang_a, mmc_wait
from orgsim.org.plan import DEPUTISED, NO_LEG, KindPlan, routing_plan
from orgsim.scenario.approvers import approver_calendars
from orgsim.scenario.model import Scenario
from orgsim.scenario.traffic import mean_visits
from orgsim.sim.calendar import Calendar, calendar_for, merge_spans
from orgsim.sim.service import (
    Proficiency,
    message_skill,
    part_effort,
    proficiency,
    review_hours,
    skill_factor,
    step_effort,
)

__all__ = ["estimate"]


def _off_duty_wait(calendars: list[tuple[float, ...]], horizon: float) -> float:
    """Mean wait, from a uniformly random moment, until at least one of the calendars is on duty."""
    duty = merge_spans((b[i], b[i + 1]) for b in calendars for i in range(0, len(b), 2))
    t, total = 0.0, 0.0
    for start, end in duty:
        total += (start - t) ** 2 / 2
        t = end
    if t < horizon:
        total += (horizon - t) ** 2 / 2
    return total / horizon if horizon > 0 else 0.0


def _stays_through_off_duty(calendars: list[tuple[float, ...]], horizon: float, patience: float) -> float:
    """Share of writers arriving at a uniformly random moment who still wait when someone comes on duty.

    With exponential patience of mean ``m``, a writer who arrives ``w`` hours
    before anyone is on duty stays with probability ``exp(-w / m)``; over a gap
    of ``g`` hours that integrates to ``m (1 - exp(-g / m))``.
    """
    duty = merge_spans((b[i], b[i + 1]) for b in calendars for i in range(0, len(b), 2))
    t, stay = 0.0, 0.0
    for start, end in duty:
        stay += patience * -math.expm1(-(start - t) / patience) + (end - start)
        t = end
    if t < horizon:
        stay += patience * -math.expm1(-(horizon - t) / patience)
    return stay / horizon if horizon > 0 else 1.0


def _while_off(calendar: Calendar, lead: Calendar) -> Calendar:
    """The hours of ``calendar`` when ``lead`` is off duty: when a deputy serves the lead's stand-in queue."""
    def pairs(b: tuple[float, ...]) -> list[tuple[float, float]]:
        return list(zip(b[0::2], b[1::2], strict=True))

    return Calendar.from_intervals(pairs(calendar.bounds), pairs(lead.bounds))


def _calendars(scenario: Scenario, horizon: float) -> dict[str, tuple[Calendar, float]]:
    """Every worker's calendar and capacity, as the engine builds them (``person:<id>``, ``approver:<name>``)."""
    s, start = scenario, scenario.run.start_date
    out = {}
    for pid, p in s.team.people.items():
        out[f"person:{pid}"] = (calendar_for(p.hours, p.days, p.timezone, start, horizon,
                                             [(a.start_day * 24, (a.start_day + a.days) * 24) for a in p.absences],
                                             p.holidays), p.capacity)
    for node, spec in approver_calendars(s).items():
        out[node] = (calendar_for(spec.hours, spec.days, spec.timezone, start, horizon), 1.0)  # type: ignore[attr-defined]
    return out


class _Pace:
    """Work-time factor of a station for a kind of work: its servers' proficiency, pooled.

    A person's factor for a task is the engine's own rule
    (:func:`orgsim.sim.service.skill_factor` on :func:`orgsim.sim.service.proficiency`),
    without capacity, which is in the station's ``c``. A station of several people serves at the sum of their rates, so
    its factor is the harmonic mean of theirs, weighted by each one's share of
    the station's capacity (duty share × capacity). Coordination and outside
    approvers work at 1.
    """

    def __init__(self, scenario: Scenario, servers: dict[str, tuple[str, ...]],
                 weight: dict[str, float]) -> None:
        self.tables: dict[str, Proficiency] = {f"person:{pid}": proficiency(scenario, pid)
                                               for pid in scenario.team.people}
        self.servers, self.weight = servers, weight
        self.cache: dict[tuple[str, tuple[Any, ...]], float] = {}

    def person(self, node: str, channels: tuple[str, ...], function: str | None, audience: str | None) -> float:
        tables = self.tables.get(node)
        return skill_factor(tables, (channels, function, audience)) if tables is not None else 1.0

    def __call__(self, queue: str, channels: tuple[str, ...], function: str | None, audience: str | None) -> float:
        key = (queue, (channels, function, audience))
        found = self.cache.get(key)
        if found is None:
            who = self.servers.get(queue, ())
            w = [self.weight.get(n, 0.0) for n in who]
            rates = sum(wi / self.person(n, channels, function, audience) for n, wi in zip(who, w, strict=True))
            found = self.cache[key] = sum(w) / rates if rates > 0 else 1.0
        return found


def visit_ratios(route: KindPlan) -> list[float]:
    """Mean visits to each step of a workflow per request: the traffic equations v = e₁ + v P.

    The scenario layer's exact solve (:func:`orgsim.scenario.traffic.mean_visits`, the one the run-cost budget
    and design generation read), each visit the float nearest the exact value. ``inf`` for a loop never left,
    which a loaded scenario never has (:func:`orgsim.scenario.cost.loop_problems` refuses it first).

    >>> from orgsim.org.plan import StepPlan
    >>> loop = KindPlan.__new__(KindPlan)
    >>> object.__setattr__(loop, "steps", (StepPlan("draft", (), (), "", None, False, ((1, 1.0, ()),)),
    ...                                    StepPlan("ok", (), (), "", None, True, ((0, 0.2, ()), (2, 0.8, ())))))
    >>> visit_ratios(loop)
    [1.25, 1.25]
    """
    return mean_visits([[(j, pj) for j, pj, _ in st.exits] for st in route.steps])


def estimate(scenario: Scenario, *, timed: bool = True) -> dict[str, Any]:
    """Approximate mean silo latency (hours) per department and request kind.

    ``timed=False`` gives the stations alone (offered load, servers, waits), from a routing plan whose
    handoffs are not timed: what ``orgsim validate``'s overload check reads, without networkx's import.

    >>> from orgsim.analytic.reductions import mmc_scenario
    >>> round(estimate(mmc_scenario(2, 1.0, 1.0))["silo_latency_hours"]["mean"], 4)
    1.3333
    """
    plan = routing_plan(scenario, timed=timed)
    s, p = scenario, scenario.policies
    horizon = s.run.horizon_days * 24
    calendars = _calendars(s, horizon)
    share_of = {node: cal.duty_between(0, horizon) / horizon * cap if horizon > 0 else cap
                for node, (cal, cap) in calendars.items()}
    pace = _Pace(s, dict(plan.servers), share_of)
    rate: dict[str, float] = defaultdict(float)  # arrivals per hour at each queue
    work: dict[str, float] = defaultdict(float)  # hours of work per hour
    kinds = []
    for route in plan.kinds:
        kind = route.kind
        lam = kind.spec.daily / 24
        effort = kind.spec.effort_hours.expected * p.request_handling_factor
        rework = 1 + route.rework * p.rework_share
        stages: list[tuple[str, float]] = []
        if route.triage is not None:
            stages.append((route.triage, p.triage_minutes / 60))
        if route.steps:
            visits = visit_ratios(route)
            for v, st in zip(visits, route.steps, strict=True):
                for q, skill in zip(st.queues, st.skills, strict=True) if st.department is None else ():
                    rate[q] += lam * v
                    work[q] += (lam * v * step_effort(st.effort.expected, p.request_handling_factor, len(st.queues))
                                * (1.0 if st.outside else pace(q, *skill)))
                if st.merge is not None:  # a split step joins before the next
                    rate[st.merge] += lam * v
                    work[st.merge] += lam * v * p.merge_hours
            for name, hours in stages:
                rate[name] += lam
                work[name] += lam * hours
            kinds.append((kind, route, lam, stages))
            continue
        n = len(route.parts)
        share = part_effort(effort * rework, n, p.split_concept_share)  # the engine's rule (RequestFlows._parts)
        for part in route.parts:
            stages.append((part.queue, share * pace(part.queue, part.channels, route.function, route.audience)))
        if route.merge is not None:
            stages.append((route.merge, p.merge_hours * rework))
        for a in route.approvals:
            stages.append((a.queue, review_hours(p, a.chain_index).expected))
        for name, hours in stages:
            rate[name] += lam
            work[name] += lam * hours
        kinds.append((kind, route, lam, stages))
    patient: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])  # rate, rate × patience, work
    for ch, ms in s.demand.messages.items():
        lam = ms.daily / 24
        h = ms.handle_minutes.expected / 60 * p.message_handling_factor
        mix: dict[str | None, float] = {k: v for k, v in ms.audience_mix.items()} or {None: 1.0}
        total = sum(mix.values())
        for aud, share in mix.items():
            ai = s.audiences.index(aud) if aud is not None else -1
            q = plan.message_queues[s.channels.index(ch), ai]
            rate[q] += lam * share / total
            work[q] += lam * share / total * h * pace(q, *message_skill(ch, aud))
            if ms.patience_hours is not None:
                here = patient[q]
                here[0] += lam * share / total
                here[1] += lam * share / total * ms.patience_hours.expected
                here[2] += lam * share / total * h * pace(q, *message_skill(ch, aud))

    for q, ow in plan.other_work.items():  # an outside approver's own work shares their queue
        lam = ow.per_hour(calendars[q][0].duty_between(0, horizon) / horizon if horizon > 0 else 0.0)
        rate[q] += lam
        work[q] += lam * ow.effort_hours.expected
    for rw in p.recurring_work.values():  # a habit's meetings and preparation in one person's queue
        rate[f"person:{rw.person}"] += 1 / (rw.every_days * 24)
        work[f"person:{rw.person}"] += rw.hours.expected / (rw.every_days * 24)
    stations = {}
    abandoned: dict[str, tuple[float, float]] = {}  # station -> (patient writers per hour, of them giving up)
    for name, who in plan.servers.items():
        if rate[name] == 0:
            continue
        serving = [calendars[w] for w in who]
        if name.startswith(DEPUTISED):  # the lead's stand-in queue: her deputy serves it only while she is off
            lead = serving[0][0]
            serving[1:] = [(_while_off(cal, lead), cap) for cal, cap in serving[1:]]
        servers = sum(cal.duty_between(0, horizon) / horizon * cap for cal, cap in serving)
        c = max(1, round(servers))
        service = work[name] / rate[name]
        arrivals, load = rate[name], work[name]
        gone = 0.0
        if name in patient:  # writers who give up: before anyone is on duty, or in the queue (Erlang A)
            lam_p, patience_sum, work_p = patient[name]
            patience = patience_sum / lam_p
            in_queue = erlang_a(c, arrivals, service, patience)[0] if service > 0 else 0.0
            stay = _stays_through_off_duty([cal.bounds for cal, _ in serving], horizon, patience)
            gone = 1 - stay * (1 - in_queue)
            abandoned[name] = (lam_p, gone * lam_p)
            arrivals, load = arrivals - gone * lam_p, load - gone * work_p
            service = load / arrivals if arrivals > 0 else 0.0
        wait = mmc_wait(c, arrivals, service) if service > 0 else 0.0
        shift_wait = _off_duty_wait([cal.bounds for cal, _ in serving], horizon)
        stations[name] = {"servers": c, "load": load / c, "mean_wait_hours": wait + shift_wait,
                          "shift_wait_hours": shift_wait}
        if name in patient:
            stations[name]["abandoned_share"] = gone

    abandoned_share = ({"messages_abandoned_share": sum(g for _, g in abandoned.values())
                        / sum(ms.daily / 24 for ms in s.demand.messages.values())} if abandoned else {})
    if not timed:  # no handoff delays: the stations are all an untimed plan gives
        return {"scenario": s.name, "stations": stations, **abandoned_share}

    def waited(queue: str) -> float:
        """A station's mean wait; a queue no work reaches (rate 0) has none."""
        return stations[queue]["mean_wait_hours"] if queue in stations else 0.0

    def opens(department: str) -> float:
        """Mean wait, from a random moment, for a department with ``hours`` to be open."""
        d = s.demand.departments[department]
        if d.hours is None:
            return 0.0
        cal = calendar_for(d.hours, d.days, d.timezone or s.demand.timezone, s.run.start_date, horizon)
        return _off_duty_wait([cal.bounds], horizon)

    by_kind, weights = {}, {}
    for kind, route, lam, stages in kinds:
        if route.steps:
            lat = route.leg_in.delay_hours + max((leg.delay_hours for leg in route.first), default=0.0)
            for name, hours in stages[:1] if route.triage is not None else []:
                lat += waited(name) + hours
            for v, st in zip(visit_ratios(route), route.steps, strict=True):
                if st.department is not None:  # no queue: the wait for it to open, then its own time
                    lat += v * (opens(st.department) + st.effort.expected)
                else:
                    own = step_effort(st.effort.expected, p.request_handling_factor, len(st.queues))
                    slowest = max(waited(q) + leg.delay_hours + own * (1.0 if st.outside else pace(q, *skill))
                                  for q, leg, skill in zip(st.queues, st.merge_legs or [NO_LEG] * len(st.queues),
                                                           st.skills, strict=True))
                    lat += v * slowest
                if st.merge is not None:
                    lat += v * (waited(st.merge) + p.merge_hours)
                lat += v * sum(pj * max(leg.delay_hours for leg in legs) for _, pj, legs in st.exits)
            by_kind[kind.key] = lat
            weights[kind.key] = lam
            continue
        lat = route.leg_in.delay_hours + route.reply.delay_hours
        for name, hours in stages[:1] if route.triage is not None else []:
            lat += waited(name) + hours
        n = len(route.parts)
        share = part_effort(kind.spec.effort_hours.expected * p.request_handling_factor, n, p.split_concept_share)
        lat += max(waited(part.queue) + part.leg_in.delay_hours + part.leg_out.delay_hours
                   + share * pace(part.queue, part.channels, route.function, route.audience) for part in route.parts)
        if route.merge is not None:
            lat += waited(route.merge) + p.merge_hours
        for a in route.approvals:
            lat += a.leg.delay_hours + waited(a.queue) + review_hours(p, a.chain_index).expected
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
        **abandoned_share,
    }
