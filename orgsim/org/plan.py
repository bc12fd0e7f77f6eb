"""The routing plan: where every kind of work goes, compiled once per scenario.

Routing is deterministic — which queue works a part of a request depends
only on the scenario — so it is worked out once, here, and read by the
engine (:mod:`orgsim.sim.engine`), the analytic estimate
(:mod:`orgsim.analytic.estimate`) and the linter (:mod:`orgsim.org.lint`).
The plan is frozen data: work queue names (``pod:<name>``,
``person:<id>``, ``embedded:<department>``, ``approver:<name>``), the graph
node that stands for each, and the handoff :class:`~orgsim.org.graph.Leg`
between them. Building it builds no simulation.

For each request kind (:class:`KindPlan`): the leg from the department to
the intake, the triage queue (if someone routes it), the parts worked in
parallel (:class:`Part`: queue, legs in and out, channels of the share),
the merge queue, the approval steps (:class:`Approval`), the leg of the
reply, and the chance of one round of rework.

>>> from orgsim.scenario import load_scenario
>>> plan = routing_plan(load_scenario("scenarios/network.yaml"))
>>> k = plan.kinds[0]
>>> k.key, [p.queue for p in k.parts][:2]
('Product/insight_request', ['pod:instagram', 'pod:tiktok'])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from orgsim.errors import OrgsimError
from orgsim.org.graph import Leg, build_org, connected, dept, handoff_legs, org_ties, person, pod
from orgsim.org.structures import Structure, Work, structure_for
from orgsim.scenario.approvers import OtherWork, other_work
from orgsim.scenario.distributions import _Distribution
from orgsim.scenario.kinds import RequestKind, request_kinds
from orgsim.scenario.model import PRIORITY_RANK, Scenario
from orgsim.scenario.workflow import exits, external_steps

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["DEPUTISED", "NO_LEG", "UNTIMED", "Approval", "KindPlan", "Part", "RoutingPlan", "StepPlan", "routing_plan"]

#: a handoff to oneself: no delay, no hop
NO_LEG = Leg(0.0, 0, 0)
#: a leg of an untimed plan (``routing_plan(..., timed=False)``): it exists, but how long it takes and how many
#: hops it crosses were not worked out; NaN and -1, so a figure computed from it shows it is not one
UNTIMED = Leg(math.nan, -1, -1)
#: the queue of the lead's duties her deputy takes while she is off (``structure.deputy_covers``):
#: ``deputised:<lead>``, served by the lead and, while the lead is off duty, the deputy
DEPUTISED = "deputised:"


@dataclass(frozen=True)
class Part:
    """One share of a request's work, done by one queue in parallel with the other parts."""

    queue: str
    node: str
    leg_in: Leg  # from the intake
    leg_out: Leg  # to the merger (NO_LEG when there is none)
    channels: tuple[str, ...]


@dataclass(frozen=True)
class Approval:
    """One approval step: the approver's queue and the leg from whoever held the work before."""

    queue: str
    leg: Leg
    chain_index: int  # its place in ``policies.approval_chain`` (its review_hours)


@dataclass(frozen=True)
class StepPlan:
    """One step of a workflow: who does it, and where the work goes after it.

    ``queues`` split the step in parallel, equal shares (one queue unless the
    structure splits the work, as a by-network team splits a cross-channel
    step), joined by ``merge`` before the next step. ``holder`` is the node that
    passes the work on (the merger, for a split step).
    ``exits`` are (next step index, probability, the legs to each of its
    queues' nodes); the index ``len(steps)`` is done, with the one leg of the
    reply to the department.
    """

    name: str
    queues: tuple[str, ...]
    skills: tuple[tuple[tuple[str, ...], str, str | None], ...]  # (channels, function, audience) per queue
    holder: str
    effort: _Distribution
    approval: bool  # its time counts as approval wait (an outside approver's, or ``approval: true``)
    exits: tuple[tuple[int, float, tuple[Leg, ...]], ...]
    outside: bool = False  # done by an outside approver: not the team's person-hours
    #: another department does it (its queue is the department's node, ``dept:<name>``; no one in the run serves it)
    department: str | None = None
    #: PRIORITY_RANK of the step's own priority (None: the request's)
    priority: int | None = None
    #: a step split over several queues joins here before the next step (the structure's merger:
    #: the lead, else the first part), ``policies.merge_hours`` of coordination; ``merge_legs`` from each part
    merge: str | None = None
    merge_legs: tuple[Leg, ...] = ()


@dataclass(frozen=True)
class KindPlan:
    """How one kind of request travels: department → intake → parts → merge → approvals → department."""

    kind: RequestKind
    priority: int  # PRIORITY_RANK of the type's priority
    function: str
    audience: str | None
    intake: str  # the queue the department hands the request to
    leg_in: Leg  # department → intake
    triage: str | None  # the queue that spends triage time on it, if any
    parts: tuple[Part, ...]
    merge: str | None  # the queue that joins the parts (only with more than one)
    approvals: tuple[Approval, ...]
    reply: Leg  # last holder → department
    rework: float  # chance of one more round of the parts
    #: a workflow (``steps:``) instead of parts, merge, approvals and reply; ``first`` are the legs
    #: from the intake to the first step's queues
    steps: tuple[StepPlan, ...] = ()
    first: tuple[Leg, ...] = ()

    @property
    def key(self) -> str:
        return self.kind.key

    @property
    def legs(self) -> tuple[Leg, ...]:
        """Every leg one round of this kind crosses, in order."""
        out = [self.leg_in]
        for p in self.parts:
            out += [p.leg_in, p.leg_out]
        return (*out, *(a.leg for a in self.approvals), self.reply)


@dataclass(frozen=True)
class RoutingPlan:
    """The compiled routing of one scenario (see the module docstring)."""

    scenario_name: str
    kinds: tuple[KindPlan, ...]
    #: (channel index, audience index or -1) → the queue that answers those community messages
    message_queues: Mapping[tuple[int, int], str]
    #: queue → the workers (graph nodes: ``person:<id>`` or ``approver:<name>``) who serve it, in order
    servers: Mapping[str, tuple[str, ...]]
    #: the organisation graph the legs were timed on (None in an untimed plan)
    graph: nx.DiGraph | None
    #: outside approver queue → their own work (:class:`~orgsim.scenario.approvers.OtherWork`)
    other_work: Mapping[str, OtherWork] = field(default_factory=lambda: MappingProxyType({}))

    def node(self, queue: str) -> str:
        """The graph node that stands for a work queue (an embedded expert's queue is the expert).

        The lead's duties her deputy may take (``deputised:<lead>``) stand for the lead.
        """
        return self.servers[queue][0] if queue.startswith(("embedded:", "role:", DEPUTISED)) else queue

    def queues_used(self) -> set[str]:
        """Every queue some request or message is routed to."""
        out = set(self.message_queues.values())
        for k in self.kinds:
            out.update(q for q in (k.intake, k.triage, k.merge) if q)
            out.update(p.queue for p in k.parts)
            out.update(a.queue for a in k.approvals)
            for st in k.steps:
                out.update(q for q in st.queues if st.department is None)
                if st.merge is not None:
                    out.add(st.merge)
        return out


def _servers(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """Queue → who serves it, in the order the engine builds its workers."""
    out: dict[str, list[str]] = {}
    for pid in scenario.team.people:
        out.setdefault(person(pid), []).append(person(pid))
    for pname, p in scenario.structure.pods.items():
        out.setdefault(f"pod:{pname}", []).extend(person(m) for m in p.members)
    for link in scenario.structure.embedded:
        out.setdefault(f"embedded:{link.department}", []).append(person(link.person))
    for step in scenario.policies.approval_chain:
        if step.external is not None:
            out.setdefault(step.node, [step.node])
    for node in external_steps(scenario):
        out.setdefault(node, [node])
    lead, deputy = scenario.structure.lead, scenario.structure.deputy
    if lead is not None and deputy is not None and scenario.structure.deputy_duties - {"relay"}:
        out[DEPUTISED + lead] = [person(lead), person(deputy)]  # the lead first: her queue
    for d in scenario.demand.departments.values():  # a workflow step's role: everyone with it, as one queue
        for rt in d.requests.values():
            for st in rt.steps or []:
                if st.role is not None and f"role:{st.role}" not in out:
                    out[f"role:{st.role}"] = [person(pid) for pid, p in scenario.team.people.items() if p.role == st.role]
    return {q: tuple(v) for q, v in out.items()}


def routing_plan(scenario: Scenario, structure: Structure | None = None, *, timed: bool = True) -> RoutingPlan:
    """Compile the routing of every request kind and message stream of ``scenario``.

    ``timed=False`` leaves the handoffs untimed (:data:`UNTIMED`): every leg is still checked to have a
    route, but its shortest path is not worked out and the plan has no graph. That is what
    ``orgsim validate`` reads (queues, servers, offered loads), without networkx's import (0.07 CPU-s).
    """
    s = scenario
    graph = build_org(s) if timed else None
    legs: Mapping[tuple[str, str], Leg] | _Reachable = (handoff_legs(graph) if graph is not None
                                                         else _Reachable(connected(org_ties(s))))
    structure = structure or structure_for(s)
    servers = _servers(s)

    def node(queue: str) -> str:
        # an embedded expert's queue stands for the expert; a role's for its first member
        return servers[queue][0] if queue.startswith(("embedded:", "role:")) else queue

    def leg(src: str, dst: str) -> Leg:
        if src == dst:
            return NO_LEG
        found = legs.get((src, dst))
        if found is None:
            raise OrgsimError(f"{s.name}: no route of ties from {src} to {dst}; add a tie in structure.ties")
        return found

    chain = s.policies.approval_chain[: s.policies.approval_steps]
    covered = _deputised(s)
    kinds = []
    for kind in request_kinds(s):
        spec = kind.spec
        channels = tuple(s.channels) if spec.channels == "all" else tuple(spec.channels)
        route = structure.route(Work(kind.department, channels, spec.function, spec.audience))
        intake = node(route.intake)
        holder = node(route.merger) if route.merger else node(route.parts[0])
        parts = tuple(
            Part(covered(q, "work"), node(q), leg(intake, node(q)),
                 leg(node(q), node(route.merger)) if route.merger else NO_LEG, ch)
            for q, ch in zip(route.parts, route.part_channels, strict=True))
        approvals = []
        prev = holder
        for i, step in enumerate(chain if spec.needs_approval else []):
            at = person(step.person) if step.person else step.node
            approvals.append(Approval(covered(at, "approval"), leg(prev, at), i))
            prev = at
        steps, first = _workflow(s, kind, structure, channels, intake, node, leg, covered) if spec.steps else ((), ())
        kinds.append(KindPlan(
            kind=kind, priority=PRIORITY_RANK[spec.priority], function=spec.function, audience=spec.audience,
            intake=route.intake, leg_in=leg(dept(kind.department), intake),
            triage=covered(route.intake, "triage") if route.triage else None, parts=parts,
            merge=covered(route.merger, "merge") if route.merger else None, approvals=tuple(approvals), reply=leg(prev, dept(kind.department)),
            rework=0.0 if s.policies.planning_seat else spec.rework_probability, steps=steps, first=first))
    messages = {}
    for c, ch in enumerate(s.channels):
        for a in range(-1, len(s.audiences)):
            messages[c, a] = covered(structure.message_queue(ch, s.audiences[a] if a >= 0 else None), "work")
    return RoutingPlan(s.name, tuple(kinds), MappingProxyType(messages), MappingProxyType(servers), graph,
                       MappingProxyType(other_work(s)))


class _Reachable:
    """The legs of an untimed plan: :data:`UNTIMED` where a route of ties exists, absent where none does."""

    def __init__(self, linked: Callable[[str, str], bool]) -> None:
        self.linked = linked

    def get(self, key: tuple[str, str]) -> Leg | None:
        return UNTIMED if self.linked(*key) else None


def _deputised(s: Scenario) -> Callable[[str, str], str]:
    """``covered(queue, duty)``: the lead's queue becomes ``deputised:<lead>`` for the duties her deputy covers.

    Routing (who, which legs) is unchanged: the lead's node still stands for
    the work; only the queue it waits in is one the deputy serves too.
    """
    st = s.structure
    duties = st.deputy_duties
    if st.lead is None or not duties - {"relay"}:
        return lambda queue, duty: queue
    lead, deputised = person(st.lead), DEPUTISED + st.lead
    return lambda queue, duty: deputised if queue == lead and duty in duties else queue


def _workflow(s: Scenario, kind: RequestKind, structure: Structure, channels: tuple[str, ...], intake: str,
              node: Callable[[str], str], leg: Callable[[str, str], Leg],
              covered: Callable[[str, str], str]) -> tuple[tuple[StepPlan, ...], tuple[Leg, ...]]:
    """The steps of a request type with ``steps:``, and the legs from the intake to the first."""
    spec = kind.spec
    steps = spec.steps or []
    who: list[dict[str, tuple[str, ...]]] = []
    for st in steps:
        ch = tuple(st.channels) if st.channels is not None else channels
        if st.pod is not None:
            who.append({pod(st.pod): ch})
        elif st.person is not None:
            who.append({person(st.person): ch})
        elif st.external_node is not None:
            who.append({st.external_node: ch})
        elif st.role is not None:
            who.append({f"role:{st.role}": ch})
        elif st.department is not None:
            who.append({dept(st.department): ch})
        else:
            who.append(structure.queues(Work(kind.department, ch, st.function or spec.function, st.audience or spec.audience)))
    merges = [(structure.route(Work(kind.department, tuple(c for cs in w.values() for c in cs),
                                    st.function or spec.function, st.audience or spec.audience)).merger
               or next(iter(w))) if len(w) > 1 else None for st, w in zip(steps, who, strict=True)]
    holders = [node(m) if m is not None else node(next(iter(w))) for m, w in zip(merges, who, strict=True)]
    home = dept(kind.department)
    out = []
    for i, (st, w, go) in enumerate(zip(steps, who, exits(steps, s.policies.planning_seat), strict=True)):
        nxt = tuple((j, p, (leg(holders[i], home),) if j == len(steps) else tuple(leg(holders[i], node(q)) for q in who[j]))
                    for j, p in go)
        fn, aud = st.function or spec.function, st.audience or spec.audience
        duty, merge = "approval" if st.is_approval else "work", merges[i]
        out.append(StepPlan(st.name, tuple(covered(q, duty) for q in w), tuple((c, fn, aud) for c in w.values()),
                            holders[i], st.effort_hours, st.is_approval, nxt, st.external is not None, st.department,
                            None if st.priority is None else PRIORITY_RANK[st.priority],
                            covered(merge, "merge") if merge is not None else None,
                            tuple(leg(node(q), holders[i]) for q in w) if merge is not None else ()))
    return tuple(out), tuple(leg(intake, node(q)) for q in who[0])
