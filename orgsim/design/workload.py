"""The work a design's pods will carry: every stream of demand with its expected hands-on hours a week.

Scenario-level arithmetic, no simulation. Each :class:`WorkStream` is one
kind of work as the structure routes it (a department's request type, a
structure-routed step of a workflow, leadership's ideas, one channel's
messages from one audience, an insight's notice), with its expected hours a
week at ``practised`` speed:

- rate: ``per_day`` / ``per_week`` (or ``at_hours`` spread over the horizon),
  raised by the bursts that touch it, averaged over the run's horizon;
- effort: the distribution's mean, times ``policies.request_handling_factor``
  or ``message_handling_factor``; a request without steps adds its expected
  rework (``rework_probability`` × ``rework_share`` unless ``planning_seat``);
- a workflow's steps done by the structure (no ``pod``, ``person``, ``role``,
  ``department`` or ``external`` named) count once per expected visit (the
  traffic equations over the step's branches); the other steps are not pod work.

Triage, merges and approvals are the lead's and the approvers' time, not a
pod's, and are left out. :func:`queue_hours` then routes each stream with the
design's own :class:`~orgsim.org.structures.Structure` (the engine's routing,
not a copy), so a by-network split repeats ``policies.split_concept_share``
of the effort in every part exactly as the simulation does.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from orgsim.org.structures import Structure, Work
from orgsim.scenario.cost import expected_visits
from orgsim.scenario.kinds import request_kinds
from orgsim.scenario.model import Burst, RequestType, Scenario

__all__ = ["QueueLoad", "WorkStream", "queue_hours", "work_streams"]


@dataclass(frozen=True)
class WorkStream:
    """One kind of work with what it concerns (what routing and proficiency read) and its hours a week."""

    source: str
    work: Work
    hours_per_week: float


@dataclass(frozen=True)
class QueueLoad:
    """What one work queue (``pod:<name>``, ``embedded:<department>``, ``person:<lead>``) is expected to carry."""

    queue: str
    hours_per_week: float
    #: the streams (or parts of them, with the part's channels) that reach it: the mix that decides who is
    #: fast at this queue's work
    mix: tuple[WorkStream, ...]


def _uplift(bursts: list[Burst], horizon: float) -> float:
    """The mean rate multiplier over the horizon from the bursts that raise a stream."""
    extra = sum((b.multiplier - 1) * max(0.0, min(b.start_day + b.days, horizon) - b.start_day) for b in bursts)
    return 1 + extra / horizon if horizon > 0 else 1.0


def _visits(spec: RequestType, planning_seat: bool) -> list[float]:
    """Expected visits to each step of a workflow per request: the scenario layer's traffic equations.

    A loop taken for certain (infinite visits) is refused by the scenario's own check before a design is
    generated; should one reach here it counts one pass, so that a design's hours stay finite.
    """
    visits = expected_visits(spec.steps or [], planning_seat)
    return [float(v) if math.isfinite(v) else 1.0 for v in visits]


def work_streams(scenario: Scenario) -> list[WorkStream]:
    """Every stream of work the structure routes, with its expected hands-on hours a week.

    >>> from orgsim.scenario import load_scenario
    >>> streams = work_streams(load_scenario("scenarios/network.yaml"))
    >>> sum(s.hours_per_week for s in streams if s.work.function == "community") > 100
    True
    """
    s = scenario
    horizon = s.run.horizon_days
    pol = s.policies
    out: list[WorkStream] = []
    for kind in request_kinds(s):
        spec = kind.spec
        raised = [b for b in s.demand.bursts.values() if kind.department in b.departments]
        per_week = (len(spec.at_hours) / horizon * 7 if spec.at_hours is not None else spec.daily * 7) * _uplift(raised, horizon)
        channels = tuple(s.channels) if spec.channels == "all" else tuple(spec.channels)
        if spec.steps:
            for st, visits in zip(spec.steps, _visits(spec, pol.planning_seat), strict=True):
                if any(v is not None for v in (st.pod, st.person, st.role, st.department, st.external)):
                    continue
                work = Work(kind.department, tuple(st.channels) if st.channels is not None else channels,
                            st.function or spec.function, st.audience or spec.audience)
                hours = per_week * visits * st.effort_hours.expected * pol.request_handling_factor
                out.append(WorkStream(f"{kind.key} step {st.name}", work, hours))
            continue
        rework = 0.0 if pol.planning_seat else spec.rework_probability * pol.rework_share
        hours = per_week * spec.effort_hours.expected * (1 + rework) * pol.request_handling_factor
        out.append(WorkStream(kind.key, Work(kind.department, channels, spec.function, spec.audience), hours))
    for channel, stream in s.demand.messages.items():
        raised = [b for b in s.demand.bursts.values() if channel in b.channels]
        hours = stream.daily * 7 * _uplift(raised, horizon) * stream.handle_minutes.expected / 60 * pol.message_handling_factor
        total = sum(stream.audience_mix.values())
        for audience, weight in (stream.audience_mix.items() if stream.audience_mix else [(None, 1.0)]):
            share = weight / total if stream.audience_mix else 1.0
            who = f" from {audience}" if audience else ""
            out.append(WorkStream(f"messages on {channel}{who}", Work(None, (channel,), "community", audience),
                                  hours * share))
    if s.insights is not None:
        for name, k in s.insights.kinds.items():
            # noticing an insight is a short task in the queue of whoever watches its channel and audience
            hours = k.per_week * s.insights.notice_minutes / 60
            out.append(WorkStream(f"insight {name} (noticing)", Work(None, (k.channel,), "community", k.audience), hours))
    return [w for w in out if w.hours_per_week > 0]


def queue_hours(scenario: Scenario, structure: Structure, streams: list[WorkStream] | None = None) -> dict[str, QueueLoad]:
    """Route every stream with ``structure``; the expected hours a week each work queue gets, and their mix.

    A stream split into ``n`` parts gives each part ``split_concept_share`` of
    its effort plus an equal share of the rest, as the engine does.
    """
    streams = work_streams(scenario) if streams is None else streams
    concept = scenario.policies.split_concept_share
    mixes: dict[str, list[WorkStream]] = defaultdict(list)
    for stream in streams:
        queues = structure.queues(stream.work)
        n = len(queues)
        share = stream.hours_per_week * ((concept + (1 - concept) / n) if n > 1 else 1.0)
        for queue, channels in queues.items():
            w = stream.work
            mixes[queue].append(WorkStream(stream.source, Work(w.department, channels, w.function, w.audience), share))
    return {q: QueueLoad(q, sum(m.hours_per_week for m in mix), tuple(mix)) for q, mix in mixes.items()}
