"""Designs generated from one team: the same people and intake, grouped by network, function, audience, ...

:func:`generate_design` is a pure function — a scenario (its team, demand and
policies) and a design kind in, a :class:`Design` out: no files, no
simulation, deterministic — so that a search over hires or structures can
call it many times. :func:`design_scenario` turns a design into the
validated scenario it describes. ``orgsim designs`` writes each design as a
small file that extends the base (:mod:`orgsim.design.render`).

How a design is made:

1. its pods (:func:`orgsim.design.pods.pod_drafts`, merged by
   :func:`~orgsim.design.pods.merge_small`) and, for ``embedded``, the
   departments that get an embedded expert: the ``embedded_seats`` departments
   with the most work among those one person can carry at a seat's
   ``seat_share`` of their week (a queue of one needs slack: at 60% busy an
   M/M/1 queue already waits 1.5 tasks' time on average);
2. the work each pod will carry: every stream of demand routed by the
   design's own structure class (:mod:`orgsim.design.workload`);
3. the people: :func:`orgsim.design.assign.assign_people` (a two-stage MILP:
   balance the expected load, then keep experts on their own work). The lead
   stays out of the pods — their time goes on triage, merges and approvals,
   as in the example company — unless the rest of the team is fewer than
   ``LEAD_ALONE_FROM`` people; then the lead joins, with their expected
   triage hours taken off their week.

Everything else of the base's ``structure`` (lead, deputy, intake, liaisons,
ties between people and departments, handoff hours) is kept as it is, so the
designs differ only in the grouping.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from orgsim.arguments import a_mapping, a_scenario, a_thing, checks, choice, flag, optional
from orgsim.design.assign import SWITCH_HOURS, TOLERANCE, Slot, assign_people
from orgsim.design.pods import DESIGN_KINDS, PodDraft, available_hours, merge_small, pod_drafts, slot_factor
from orgsim.design.workload import QueueLoad, queue_hours, work_streams
from orgsim.errors import ArgumentError, ArgumentTypeError, OrgsimError
from orgsim.org.structures import structure_for
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.model import Covers, Link, Person, Pod, Scenario, StructureSpec

__all__ = ["DESIGN_KINDS", "Design", "DesignOptions", "PodPlan", "design_scenario", "generate_design", "with_people"]

#: the lead joins the pods when the rest of the team is fewer than this: four people make two pods of two
LEAD_ALONE_FROM = 4
#: each design's ``name:`` — what it is; the company is the base's ``company:`` (short enough for a chart's label:
#: the report cuts at 18 characters)
_LABEL = {"network": "by network", "function": "by function", "audience": "by audience",
          "embedded": "embedded experts", "hybrid": "hybrid"}
#: what each design is, in a sentence
_WHAT = {"network": "One pod per channel; a cross-channel request is split by channel",
         "function": "One pod per function; a request goes whole to its function's pod, every message to community",
         "audience": "One pod per audience; a request or message goes whole to its audience's pod",
         "embedded": "Pods by function, with experts embedded in departments",
         "hybrid": "Inbox pods by channel for community work, and a pod per other function for projects"}


@dataclass(frozen=True)
class DesignOptions:
    """The rules a generated design follows (each default's reason beside it)."""

    #: pods one person may belong to: a second pod lets a small team give every pod a backup
    max_pods_per_person: int = 2
    #: members a pod needs at least: one person alone is a bus factor of 1 (DOMAIN: no backup, burnout)
    min_members: int = 2
    #: a group with less work than this share of a typical (median) person's week joins another pod
    min_pod_share: float = 0.5
    #: departments that get an embedded expert (``embedded`` design): two, as the example company
    embedded_seats: int = 2
    #: the most of a person's week an embedded seat may take (a queue of one needs slack)
    seat_share: float = 0.6
    #: ``None``: the lead joins the pods only in a team of fewer than :data:`LEAD_ALONE_FROM` others
    lead_in_pods: bool | None = None
    tolerance: float = TOLERANCE
    switch_hours: float = SWITCH_HOURS

    def __post_init__(self) -> None:
        """Refuse a rule no design can follow, naming it (a search building options should hear it at once)."""
        wholes = {"max_pods_per_person": self.max_pods_per_person, "min_members": self.min_members,
                  "embedded_seats": self.embedded_seats}
        for name, value in wholes.items():
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ArgumentTypeError(f"DesignOptions: {name}: expected a whole number >= 1, got {type(value).__name__}")
            if value < 1:
                raise ArgumentError(f"DesignOptions: {name}: expected a whole number >= 1, got {value!r}")
        # (least, most, what): a share of a week is at most all of it; the tolerance is a relative gap below 1
        numbers = {"min_pod_share": (0.0, None, "a share >= 0 (0: no pod is merged)"),
                   "seat_share": (0.0, 1.0, "a share of a week > 0 and <= 1"),
                   "tolerance": (0.0, 1.0, "a relative gap >= 0 and < 1"),
                   "switch_hours": (0.0, None, "hours a week >= 0")}
        for name, (least, most, what) in numbers.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise ArgumentTypeError(f"DesignOptions: {name}: expected {what}, got {type(value).__name__}")
            bad = (not np.isfinite(value) or value < least or (most is not None and value > most)
                   or (name == "seat_share" and value == 0) or (name == "tolerance" and value == 1))
            if bad:
                raise ArgumentError(f"DesignOptions: {name}: expected {what}, got {value!r}")
        if self.lead_in_pods is not None and not isinstance(self.lead_in_pods, bool):
            raise ArgumentTypeError(f"DesignOptions: lead_in_pods: expected True, False or None, "
                                    f"got {type(self.lead_in_pods).__name__}")


@dataclass(frozen=True)
class PodPlan:
    """One pod (or embedded seat) of a design, with the figures it was assigned by."""

    name: str
    members: tuple[str, ...]
    #: planned hours a week of each member, in the order of ``members``
    hours: tuple[float, ...]
    #: expected hours a week of work at practised speed
    load: float
    #: hours of practised-speed work the members' planned hours buy (experts count for more)
    effective: float
    covers: Covers | None = None
    #: the department an embedded seat sits in
    department: str | None = None
    #: each member's clock hours per hour of this pod's work (their proficiency on its mix; 1 = practised)
    factors: tuple[float, ...] = ()

    @property
    def utilisation(self) -> float:
        return self.load / self.effective if self.effective > 0 else float("inf")


@dataclass(frozen=True)
class Design:
    """A generated design: the structure, and how it was arrived at."""

    kind: str
    name: str
    description: str
    structure: StructureSpec
    pods: tuple[PodPlan, ...]
    #: the best balance's headroom (see :class:`~orgsim.design.assign.Assignment`)
    headroom: float
    #: work a pod could take that no pod of this design covers: it falls to the lead (hours a week)
    lead_hours: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: the relative gaps the two stages of the assignment stopped at (see :mod:`orgsim.design.assign`)
    gaps: tuple[float, float] = (0.0, 0.0)


def _trial(scenario: Scenario, drafts: list[PodDraft], kind: str, seats: list[str]) -> Scenario:
    """The scenario with these pods (no members yet): enough for the structure class to route work."""
    spec = StructureSpec.model_construct(
        **{**scenario.structure.model_dump(), "kind": _structure_kind(kind),
           "pods": {d.name: Pod.model_construct(members=[], covers=d.covers, description="") for d in drafts},
           "embedded": [Link.model_construct(person="?", department=d) for d in seats], "liaisons": []})
    return scenario.model_copy(update={"structure": spec})


def _structure_kind(kind: str) -> str:
    return {"embedded": "function", "hybrid": "custom"}.get(kind, kind)


def _loads(scenario: Scenario, drafts: list[PodDraft], kind: str, seats: list[str]) -> dict[str, QueueLoad]:
    trial = _trial(scenario, drafts, kind, seats)
    return queue_hours(trial, structure_for(trial), work_streams(scenario))


def _seats(scenario: Scenario, loads: dict[str, QueueLoad], cap: float, count: int) -> list[str]:
    """The departments that get an embedded expert: most work first, among those one person can carry."""
    by_dept: dict[str, float] = {}
    for load in loads.values():
        for m in load.mix:
            if m.work.department is not None:
                by_dept[m.work.department] = by_dept.get(m.work.department, 0.0) + m.hours_per_week
    fits = sorted((h, d) for d, h in by_dept.items() if 0 < h <= cap)
    chosen = [d for _, d in sorted(fits, key=lambda t: (-t[0], list(scenario.demand.departments).index(t[1])))]
    return chosen[:count]


@checks(scenario=a_scenario, kind=choice(*DESIGN_KINDS), options=optional(a_thing("DesignOptions")))
def generate_design(scenario: Scenario, kind: str, options: DesignOptions | None = None) -> Design:
    """The ``kind`` design of ``scenario``'s team and demand (see the module docstring).

    Raises :class:`~orgsim.errors.OrgsimError` when the team cannot make this
    design (too few people for its pods, no department for an embedded seat).

    >>> from orgsim.scenario import load_scenario
    >>> d = generate_design(load_scenario("scenarios/base.yaml"), "audience")
    >>> d.structure.kind, sorted(d.structure.pods)[:2]
    ('audience', ['b2b_buyers', 'candidates_press_investors'])
    """
    opts = options or DesignOptions()
    people = scenario.team.people
    lead = scenario.structure.lead
    others = [p for p in people if p != lead]
    lead_in = opts.lead_in_pods if opts.lead_in_pods is not None else len(others) < LEAD_ALONE_FROM
    pool = [p for p in people if lead_in or p != lead] or list(people)
    hours = {p: available_hours(people[p]) for p in pool}
    notes: list[str] = []
    if lead in hours:
        requests = sum(r.daily * 7 for d in scenario.demand.departments.values() for r in d.requests.values())
        taken = requests * scenario.policies.triage_minutes / 60 if scenario.structure.intake == "lead" else 0.0
        hours[lead] = max(0.0, hours[lead] - taken)
        notes.append(f"the lead ({lead}) is in the pods: the team has fewer than {LEAD_ALONE_FROM} other people; "
                     f"{taken:.1f} h a week of triage taken off their week")
    typical = statistics.median(hours.values()) if hours else 0.0
    # 1. the pods, merged where small; the embedded seats
    drafts = pod_drafts(scenario, kind)
    first = _loads(scenario, drafts, kind, [])
    seats: list[str] = []
    if kind == "embedded":
        seats = _seats(scenario, first, opts.seat_share * typical, min(opts.embedded_seats, max(0, len(pool) - 2)))
        if not seats:
            raise OrgsimError(f"no department's work fits one person's week at {opts.seat_share:.0%} "
                              f"({opts.seat_share * typical:.1f} h): no expert to embed")
        first = _loads(scenario, drafts, kind, seats)
    room = max(1, (len(pool) - len(seats)) * opts.max_pods_per_person // max(1, opts.min_members))
    drafts_in = merge_small(drafts, {d.name: first[f"pod:{d.name}"].hours_per_week for d in drafts
                                     if f"pod:{d.name}" in first}, opts.min_pod_share * typical, room, kind)
    covered = {g for d in drafts_in for g in d.groups}
    dropped = [g for d in drafts for g in d.groups if g not in covered]
    if dropped:
        notes.append(f"no pod for {', '.join(dropped)}: no work reaches it")
    if kind == "hybrid" and not any(d.family == "inbox" for d in drafts_in):
        raise OrgsimError("a hybrid needs community work (messages) for its inbox pods; there is none")
    # 2. the work each pod carries, routed by the design's own structure
    loads = _loads(scenario, drafts_in, kind, seats)
    slots = [Slot(f"pod:{d.name}", loads[f"pod:{d.name}"].hours_per_week, opts.min_members)
             for d in drafts_in if f"pod:{d.name}" in loads]
    slots += [Slot(f"embedded:{d}", loads[f"embedded:{d}"].hours_per_week, 1, 1, alone=True)
              for d in seats if f"embedded:{d}" in loads]
    if not slots:
        raise OrgsimError(f"{scenario.name}: no work reaches any pod of a {kind} design")
    # 3. the people
    factors = np.array([[slot_factor(scenario, people[p], loads[s.name]) for s in slots] for p in pool])
    result = assign_people(pool, [hours[p] for p in pool], factors, slots,
                           max_slots_per_person=opts.max_pods_per_person, tolerance=opts.tolerance,
                           switch_hours=opts.switch_hours)
    by_name = {d.name: d for d in drafts_in}
    plans = []
    for j, s in enumerate(slots):
        members = result.members[s.name]
        queue_kind, _, name = s.name.partition(":")
        plans.append(PodPlan(name, members, tuple(round(result.hours[m, s.name], 1) for m in members), s.load,
                             result.effective[s.name], by_name[name].covers if queue_kind == "pod" else None,
                             name if queue_kind == "embedded" else None,
                             tuple(round(float(factors[pool.index(m), j]), 3) for m in members)))
    lead_queue = f"person:{lead}" if lead else ""
    lead_hours = loads[lead_queue].hours_per_week if lead_queue in loads else 0.0
    if result.headroom < 1:
        notes.append(f"the team's hours cannot carry this work: at the best balance the busiest pod is "
                     f"{1 / result.headroom:.0%} busy")
    return _design(scenario, kind, plans, result.headroom, lead_hours, notes, result.gaps)


def _design(scenario: Scenario, kind: str, plans: list[PodPlan], headroom: float, lead_hours: float,
            notes: list[str], gaps: tuple[float, float]) -> Design:
    base = scenario.structure
    pods = {p.name: Pod(members=list(p.members), covers=p.covers or Covers(),
                        description=f"about {p.load:.0f} h of work a week; expected {p.utilisation:.0%} busy")
            for p in plans if p.department is None}
    embedded = [Link(person=p.members[0], department=p.department) for p in plans if p.department is not None]
    names = set(scenario.team.people) | set(scenario.demand.departments)
    ties = [t for t in base.ties if t.a in names and t.b in names]
    if len(ties) < len(base.ties):
        notes.append(f"{len(base.ties) - len(ties)} tie(s) of the base named a pod and were left out")
    label = _LABEL[kind]
    seats = "; ".join(f"{link.person} embedded in {link.department}" for link in embedded)
    what = f"{_WHAT[kind]}{f' ({seats})' if seats else ''}"
    structure = StructureSpec(kind=_structure_kind(kind),  # type: ignore[arg-type]
                              description=f"{what}; generated from the team and its expected work", lead=base.lead,
                              deputy=base.deputy, intake=base.intake, pods=pods, liaisons=list(base.liaisons),
                              embedded=embedded, ties=ties, handoff_hours=base.handoff_hours)
    description = (f"{what}: {len(pods)} pod(s)" + (f" and {len(embedded)} embedded expert(s)" if embedded else "")
                   + f"; the same {len(scenario.team.people)} people and intake as every generated design.")
    return Design(kind, label, description, structure, tuple(plans), headroom, lead_hours,
                  tuple(notes), gaps)


@checks(scenario=a_scenario, people=a_mapping, allow_large=flag)
def with_people(scenario: Scenario, people: Mapping[str, Person | Mapping[str, Any]], *,
                allow_large: bool = False) -> Scenario:
    """``scenario`` with more people on its team (candidate hires, say), validated; place them with :func:`generate_design`.

    >>> from orgsim.scenario import load_scenario
    >>> base = load_scenario("scenarios/base.yaml")
    >>> bigger = with_people(base, {"hire1": {"timezone": "America/New_York", "proficiency": {"default": "practised"}}})
    >>> design = generate_design(bigger, "network")
    >>> any("hire1" in pod.members for pod in design.structure.pods.values())
    True
    """
    for pid, person in people.items():
        if not isinstance(pid, str) or not pid.strip():
            raise ArgumentTypeError(f"with_people: people: expected person ids (text) as keys, got {pid!r}")
        if not isinstance(person, (Person, Mapping)):
            raise ArgumentTypeError(f"with_people: people[{pid!r}]: expected a Person or a mapping of its keys, "
                                    f"got {type(person).__name__}")
    # only what was said, as with_changes copies: a default written out would count as said (a workflow step
    # naming a chain approver would restate the default calendar and contradict the chain's)
    data = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)
    taken = sorted(set(people) & set(scenario.team.people))
    if taken:
        raise ArgumentError(f"with_people: {taken[0]!r} is on the team already")
    for pid, person in people.items():
        data["team"]["people"][pid] = (person.model_dump(mode="json", exclude_unset=True) if isinstance(person, Person) else dict(person))
    return scenario_from_data(data, {}, f"{scenario.name!r} with {len(people)} more", allow_large=allow_large)


@checks(scenario=a_scenario, design=a_thing("Design"), allow_large=flag)
def design_scenario(scenario: Scenario, design: Design, *, allow_large: bool = False) -> Scenario:
    """``scenario`` with ``design``'s structure and name, validated as a file would be."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)  # only what was said (with_people)
    data["structure"] = design.structure.model_dump(mode="json", by_alias=True)
    data["name"] = design.name
    data["description"] = design.description
    return scenario_from_data(data, {}, f"the {design.kind} design", allow_large=allow_large)
