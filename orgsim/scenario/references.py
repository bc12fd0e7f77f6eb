"""Cross-references inside a scenario: every name used must be defined.

Pydantic checks each block on its own; this checks that the blocks agree
(a pod names people who exist, a request concerns channels the company has).
Each problem carries the key path, so the loader can point at the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from orgsim.scenario.approvers import approver_conflicts
from orgsim.scenario.workflow import check_workflow

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario

__all__ = ["ReferenceProblems", "check_approvers_tied", "check_references", "untied_approvers"]

Path = tuple[str | int, ...]


class ReferenceProblems(ValueError):
    """Raised from the model validator; the loader unpacks ``problems``."""

    def __init__(self, problems: list[tuple[Path, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in problems))


def _expected(known: list[str]) -> str:
    return ", ".join(known) if len(known) <= 12 else ", ".join(known[:12]) + ", ..."


def _unknown(names: Iterable[str], known: Iterable[str], what: str, path: Path, keyed: bool = False) -> list[tuple[Path, str]]:
    """Problems for each name not in ``known``; ``keyed`` when names are mapping keys."""
    known = list(known)
    return [
        ((*path, name if keyed else i), f"unknown {what} {name!r}; expected one of: {_expected(known)}")
        for i, name in enumerate(names)
        if name not in known
    ]


def _unknown_one(name: str, known: Iterable[str], what: str, path: Path) -> list[tuple[Path, str]]:
    known = list(known)
    return [] if name in known else [(path, f"unknown {what} {name!r}; expected one of: {_expected(known)}")]


def _unknown_region(region: str, path: Path) -> list[tuple[Path, str]]:
    """A public-holiday region the ``holidays`` library does not know (``GB-ENG``, ``US-NY``, ``PH``)."""
    import holidays  # only scenarios that name holidays pay for the import

    supported = holidays.list_supported_countries()
    country, _, subdiv = region.partition("-")
    if country not in supported:
        return [(path, f"unknown holiday region {region!r}; expected a country code such as GB, US, DE, PH, "
                       "optionally with a region (GB-ENG, US-NY)")]
    if subdiv and subdiv not in supported[country]:
        return [(path, f"unknown region {subdiv!r} of {country}; expected one of: {_expected(list(supported[country]))}")]
    return []


def check_references(s: Scenario) -> None:
    """Raise :class:`ReferenceProblems` listing every dangling name in ``s``."""
    bad: list[tuple[Path, str]] = []
    people = list(s.team.people)
    departments = list(s.demand.departments)
    for what, names, path in (("channel", s.channels, ("channels",)), ("audience", s.audiences, ("audiences",)),
                              ("function", s.functions, ("functions",))):
        seen: set[str] = set()
        for i, n in enumerate(names):
            if n in seen:
                bad.append(((*path, i), f"{what} {n!r} is listed twice"))
            seen.add(n)

    for dname, dept in s.demand.departments.items():
        for rname, rt in dept.requests.items():
            at: Path = ("demand", "departments", dname, "requests", rname)
            if rt.channels != "all":
                bad += _unknown(rt.channels, s.channels, "channel", (*at, "channels"))
            bad += _unknown_one(rt.function, s.functions, "function", (*at, "function"))
            if rt.audience is not None:
                bad += _unknown_one(rt.audience, s.audiences, "audience", (*at, "audience"))
            bad += check_workflow(s, rt, at)
    intr = s.policies.interruptions
    if intr is not None and intr.steps is not None:  # leadership's idea as a small project
        from orgsim.scenario.kinds import interruption_type  # kinds imports the model, which imports this

        bad += check_workflow(s, interruption_type(intr), ("policies", "interruptions"))
    bad += approver_conflicts(s)
    bad += _unknown(s.demand.messages, s.channels, "channel", ("demand", "messages"), keyed=True)
    for ch, stream in s.demand.messages.items():
        bad += _unknown(stream.audience_mix, s.audiences, "audience", ("demand", "messages", ch, "audience_mix"), keyed=True)
    for bname, burst in s.demand.bursts.items():
        bad += _unknown(burst.channels, s.channels, "channel", ("demand", "bursts", bname, "channels"))
        bad += _unknown(burst.departments, departments, "department", ("demand", "bursts", bname, "departments"))

    for pid, person in s.team.people.items():
        at = ("team", "people", pid, "skills")
        bad += _unknown(person.skills.channels, s.channels, "channel", (*at, "channels"))
        bad += _unknown(person.skills.functions, s.functions, "function", (*at, "functions"))
        bad += _unknown(person.skills.audiences, s.audiences, "audience", (*at, "audiences"))
        at = ("team", "people", pid, "proficiency")
        bad += _unknown(person.proficiency.channels, s.channels, "channel", (*at, "channels"), keyed=True)
        bad += _unknown(person.proficiency.functions, s.functions, "function", (*at, "functions"), keyed=True)
        bad += _unknown(person.proficiency.audiences, s.audiences, "audience", (*at, "audiences"), keyed=True)

        if person.holidays is not None:
            bad += _unknown_region(person.holidays, ("team", "people", pid, "holidays"))

    st = s.structure
    if st.lead is not None:
        bad += _unknown_one(st.lead, people, "person", ("structure", "lead"))
    if st.deputy is not None:
        bad += _unknown_one(st.deputy, people, "person", ("structure", "deputy"))
        if st.lead is None:
            bad.append((("structure", "deputy"), "a deputy stands in for the lead; set structure.lead too"))
        elif st.deputy == st.lead:
            bad.append((("structure", "deputy"), f"the deputy {st.deputy!r} is the lead; name someone else"))
    elif st.deputy_covers is not None:
        bad.append((("structure", "deputy_covers"), "says what a deputy stands in for; set structure.deputy too"))
    if not st.pods:
        bad.append((("structure", "pods"), "a structure needs at least one pod"))
    for pname, pod in st.pods.items():
        at = ("structure", "pods", pname)
        if not pod.members:
            bad.append(((*at, "members"), "a pod needs at least one member"))
        bad += _unknown(pod.members, people, "person", (*at, "members"))
        bad += _unknown(pod.covers.channels, s.channels, "channel", (*at, "covers", "channels"))
        bad += _unknown(pod.covers.functions, s.functions, "function", (*at, "covers", "functions"))
        bad += _unknown(pod.covers.audiences, s.audiences, "audience", (*at, "covers", "audiences"))
        bad += _unknown(pod.covers.departments, departments, "department", (*at, "covers", "departments"))
    for key in ("liaisons", "embedded"):
        for i, link in enumerate(getattr(st, key)):
            bad += _unknown_one(link.person, people, "person", ("structure", key, i, "person"))
            bad += _unknown_one(link.department, departments, "department", ("structure", key, i, "department"))
    nodes = set(people) | set(st.pods) | set(departments)
    for i, tie in enumerate(st.ties):
        for end in ("a", "b"):
            name = getattr(tie, end)
            if name not in nodes:
                bad.append((("structure", "ties", i, end), f"unknown person, pod or department {name!r}"))

    for name, rw in s.policies.recurring_work.items():
        bad += _unknown_one(rw.person, people, "person", ("policies", "recurring_work", name, "person"))
    for i, step in enumerate(s.policies.approval_chain):
        if step.person is not None:
            bad += _unknown_one(step.person, people, "person", ("policies", "approval_chain", i, "person"))
    intr = s.policies.interruptions
    if intr is not None:
        bad += _unknown_one(intr.department, departments, "department", ("policies", "interruptions", "department"))
        bad += _unknown_one(intr.function, s.functions, "function", ("policies", "interruptions", "function"))
    ins = s.insights
    if ins is not None:
        for name, k in ins.kinds.items():
            at = ("insights", "kinds", name)
            bad += _unknown_one(k.channel, s.channels, "channel", (*at, "channel"))
            if k.audience is not None:
                bad += _unknown_one(k.audience, s.audiences, "audience", (*at, "audience"))
            bad += _unknown(k.departments, departments, "department", (*at, "departments"))
        for key in ("trend_briefing", "presentations", "platform"):
            lever = getattr(ins, key)
            if lever is not None:
                bad += _unknown(lever.departments, departments, "department", ("insights", key, "departments"))
    if bad:
        raise ReferenceProblems(bad)


def _tied(s: Scenario) -> dict[str, str]:
    """Union-find over the ties the organisation graph will have (``orgsim.org.graph.build_org``).

    Nodes are named as there (``person:ava``, ``pod:tiktok``, ``dept:Product``);
    only *whether* two are linked matters here, not how fast.
    """
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def tie(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    st = s.structure
    pods = [f"pod:{p}" for p in st.pods]
    for pname, spec in st.pods.items():
        for m in spec.members:
            tie(f"person:{m}", f"pod:{pname}")
    for a in pods[1:]:
        tie(pods[0], a)  # every pod is tied to every other (cross_pod)
    if st.lead is not None:
        for p in pods:
            tie(f"person:{st.lead}", p)
        for link in st.embedded:
            tie(f"person:{st.lead}", f"person:{link.person}")
    for d in s.demand.departments:
        if st.intake == "lead" and st.lead is not None:
            tie(f"dept:{d}", f"person:{st.lead}")
        else:
            for p in pods:
                tie(f"dept:{d}", p)
    for link in st.liaisons:
        tie(f"person:{link.person}", f"dept:{link.department}")
    for link in st.embedded:
        tie(f"person:{link.person}", f"dept:{link.department}")
        for p in pods:
            tie(f"person:{link.person}", p)
    kinds = {**{pid: "person" for pid in s.team.people}, **{p: "pod" for p in st.pods},
             **{d: "dept" for d in s.demand.departments}}
    for t in st.ties:
        tie(f"{kinds[t.a]}:{t.a}", f"{kinds[t.b]}:{t.b}")
    return {x: root(x) for x in list(parent)}


def untied_approvers(s: Scenario) -> list[tuple[Path, str]]:
    """Approvers from the team whom no chain of ties links to the departments: no request could reach them."""
    policies = s.policies
    steps = [(i, step.person) for i, step in enumerate(policies.approval_chain[: policies.approval_steps])
             if step.person is not None]
    if not steps or not s.demand.departments:
        return []
    roots = _tied(s)
    first = f"dept:{next(iter(s.demand.departments))}"
    home = roots.get(first, first)
    return [(("policies", "approval_chain", i, "person"),
             f"{pid!r} has no tie to the rest of the organisation (in no pod, not the lead), so no request "
             "can be handed to them for approval; put them in a pod or add a tie in structure.ties")
            for i, pid in steps if roots.get(f"person:{pid}", f"person:{pid}") != home]


def check_approvers_tied(s: Scenario) -> None:
    """Raise :class:`ReferenceProblems` for each approver no tie reaches (checked once every name resolves)."""
    bad = untied_approvers(s)
    if bad:
        raise ReferenceProblems(bad)
