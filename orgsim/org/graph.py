"""The organisation graph: who is tied to whom, and how long a handoff takes.

Nodes are named ``person:<id>``, ``pod:<name>``, ``dept:<name>``,
``approver:<name>`` and ``channel:<name>``; each carries ``kind`` and, for
people and pods, ``group`` (the unit a handoff leaves or enters). Edges are
directed both ways and carry ``kind``, ``delay_hours`` and ``cross_group``.
Platform (``channel:``) edges record who covers what; they carry no
messages, so handoff routes never pass through them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from orgsim.arguments import a_scenario, checks
from orgsim.scenario.model import Scenario
from orgsim.scenario.workflow import external_steps

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Leg", "build_org", "dept", "handoff_legs", "person", "pod"]


def person(pid: str) -> str:
    return f"person:{pid}"


def pod(name: str) -> str:
    return f"pod:{name}"


def dept(name: str) -> str:
    return f"dept:{name}"


def _tie(g: nx.DiGraph, a: str, b: str, kind: str, delay: float, cross_group: bool) -> None:
    # Keep the fastest tie when two rules tie the same pair.
    if g.has_edge(a, b) and g.edges[a, b]["delay_hours"] <= delay:
        return
    for u, v in ((a, b), (b, a)):
        g.add_edge(u, v, kind=kind, delay_hours=delay, cross_group=cross_group)


@checks(scenario=a_scenario)
def build_org(scenario: Scenario) -> nx.DiGraph:
    """Build the organisation graph of a scenario's team and departments.

    >>> from orgsim.scenario import load_scenario
    >>> g = build_org(load_scenario("scenarios/network.yaml"))
    >>> g.nodes["pod:instagram"]["kind"]
    'pod'
    """
    st = scenario.structure
    h = st.handoff_hours
    import networkx as nx  # here, not at the top: the node-name helpers below are used without a graph

    g = nx.DiGraph(name=scenario.name, structure=st.kind, intake=st.intake)
    embedded = {link.person: link.department for link in st.embedded}
    pods_of: dict[str, list[str]] = {}
    for pname, p in st.pods.items():
        for m in p.members:
            pods_of.setdefault(m, []).append(pname)

    for pid, member in scenario.team.people.items():
        if pid == st.lead:
            group = "lead"
        elif pid in embedded:
            group = f"embedded:{embedded[pid]}"
        else:
            group = pods_of.get(pid, ["unassigned"])[0]
        g.add_node(person(pid), kind="person", group=group, role=member.role, lead=pid == st.lead,
                   pods=tuple(pods_of.get(pid, ())), cost_per_year=member.cost_per_year)
    for dname in scenario.demand.departments:
        g.add_node(dept(dname), kind="department", group=dept(dname))
    for ch in scenario.channels:
        g.add_node(f"channel:{ch}", kind="platform", group=f"channel:{ch}")

    for pname, p in st.pods.items():
        g.add_node(pod(pname), kind="pod", group=pname, covers=p.covers.model_dump())
        for m in p.members:
            _tie(g, person(m), pod(pname), "member", 0.0, False)
        for a, b in combinations(p.members, 2):
            _tie(g, person(a), person(b), "same_pod", h.same_pod, False)
        for ch in p.covers.channels:
            g.add_edge(pod(pname), f"channel:{ch}", kind="covers", delay_hours=0.0, cross_group=False)
    for a, b in combinations(st.pods, 2):
        _tie(g, pod(a), pod(b), "cross_pod", h.cross_pod, True)

    if st.lead is not None:
        for pname in st.pods:
            _tie(g, person(st.lead), pod(pname), "via_lead", h.via_lead, True)
        for pid in embedded:
            _tie(g, person(st.lead), person(pid), "via_lead", h.via_lead, True)
    for dname in scenario.demand.departments:
        if st.intake == "lead" and st.lead is not None:
            _tie(g, dept(dname), person(st.lead), "department_intake", h.department_intake, True)
        else:
            for pname in st.pods:
                _tie(g, dept(dname), pod(pname), "department_intake", h.department_intake, True)
    for link in st.liaisons:
        _tie(g, person(link.person), dept(link.department), "liaison", h.liaison, True)
    for link in st.embedded:
        # An embedded expert sits in the department: no silo to cross.
        _tie(g, person(link.person), dept(link.department), "embedded", h.embedded, False)
        for pname in st.pods:
            _tie(g, person(link.person), pod(pname), "cross_pod", h.cross_pod, True)

    outside = [a.node for a in scenario.policies.approval_chain if a.external is not None]
    for node in dict.fromkeys([*outside, *external_steps(scenario)]):
        g.add_node(node, kind="approver", group=node)
        if st.lead is not None:
            _tie(g, node, person(st.lead), "reporting", h.via_lead, True)
        else:
            for pname in st.pods:
                _tie(g, node, pod(pname), "reporting", h.via_lead, True)

    named = {**{pid: person(pid) for pid in scenario.team.people}, **{p: pod(p) for p in st.pods},
             **{d: dept(d) for d in scenario.demand.departments}}
    for t in st.ties:
        _tie(g, named[t.a], named[t.b], t.kind, t.delay_hours, g.nodes[named[t.a]]["group"] != g.nodes[named[t.b]]["group"])
    return g


@dataclass(frozen=True)
class Leg:
    """One handoff between two nodes along the fastest route of ties."""

    delay_hours: float
    hops: int
    cross_group_hops: int


class _Legs(Mapping[tuple[str, str], Leg]):
    """Legs computed one source at a time, on first use.

    Routing asks for the legs out of a few dozen nodes (departments, intakes,
    pods, approvers); all pairs of a 1,000-person organisation would be a
    million paths, which took minutes before the run even started.
    """

    def __init__(self, comm: nx.DiGraph) -> None:
        self.comm = comm
        self.paths: dict[str, dict[str, list[str]]] = {}  # one Dijkstra per source, on first use
        self.done: dict[tuple[str, str], Leg] = {}  # legs built from those paths, on first use

    def _paths(self, src: str) -> dict[str, list[str]]:
        paths = self.paths.get(src)
        if paths is None:
            comm = self.comm
            import networkx as nx

            paths = self.paths[src] = (nx.single_source_dijkstra_path(comm, src, weight="delay_hours")
                                       if src in comm else {})
        return paths

    def __getitem__(self, key: tuple[str, str]) -> Leg:
        leg = self.done.get(key)
        if leg is None:
            path = self._paths(key[0])[key[1]]  # KeyError: no route
            edges = [self.comm.edges[u, v] for u, v in zip(path, path[1:], strict=False)]
            leg = self.done[key] = Leg(
                delay_hours=sum(e["delay_hours"] for e in edges),
                hops=sum(e["kind"] != "member" for e in edges),
                cross_group_hops=sum(bool(e["cross_group"]) for e in edges),
            )
        return leg

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for src in self.comm:
            for dst in self._paths(src):
                yield src, dst

    def __len__(self) -> int:
        return sum(len(self._paths(src)) for src in self.comm)


def handoff_legs(g: nx.DiGraph) -> Mapping[tuple[str, str], Leg]:
    """Fastest route between every pair of communicating nodes, as :class:`Leg` (computed lazily).

    A hop is one tie crossed; ``member`` ties (a person to their own pod) are
    not counted as hops. Pairs with no route are absent.
    """
    # A copy, not a view: Dijkstra over a filtered view pays the filter on every edge it looks at.
    return _Legs(g.subgraph(n for n, d in g.nodes(data=True) if d["kind"] != "platform").copy())
