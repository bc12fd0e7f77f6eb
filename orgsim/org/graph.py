"""The organisation graph: who is tied to whom, and how long a handoff takes.

Nodes are named ``person:<id>``, ``pod:<name>``, ``dept:<name>``,
``approver:<name>`` and ``channel:<name>``; each carries ``kind`` and, for
people and pods, ``group`` (the unit a handoff leaves or enters). Edges are
directed both ways and carry ``kind``, ``delay_hours`` and ``cross_group``.
Platform (``channel:``) edges record who covers what; they carry no
messages, so handoff routes never pass through them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from orgsim.arguments import a_scenario, checks
from orgsim.scenario.model import Scenario
from orgsim.scenario.workflow import external_steps

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Leg", "OrgTies", "build_org", "connected", "dept", "handoff_legs", "org_ties", "person", "pod"]


def person(pid: str) -> str:
    return f"person:{pid}"


def pod(name: str) -> str:
    return f"pod:{name}"


def dept(name: str) -> str:
    return f"dept:{name}"


@dataclass(frozen=True)
class OrgTies:
    """The organisation graph as plain data, in the order :func:`build_org` adds it to networkx.

    Kept apart from networkx so that ``orgsim validate`` can check that routes exist (:func:`connected`)
    without networkx's import (0.07 CPU-s, 285 modules its package imports eagerly).
    """

    attrs: dict[str, Any]
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def add_node(self, node: str, **attrs: Any) -> None:
        self.nodes.setdefault(node, {}).update(attrs)

    def add_edge(self, u: str, v: str, **attrs: Any) -> None:
        """As networkx's ``add_edge``: a new end becomes a node, an edge already there takes the new attributes."""
        for end in (u, v):
            self.nodes.setdefault(end, {})
        self.edges.setdefault((u, v), {}).update(attrs)

    def tie(self, a: str, b: str, kind: str, delay: float, cross_group: bool) -> None:
        """Tie ``a`` and ``b`` both ways; when two rules tie the same pair, the fastest tie is kept."""
        found = self.edges.get((a, b))
        if found is not None and found["delay_hours"] <= delay:
            return
        for u, v in ((a, b), (b, a)):
            self.add_edge(u, v, kind=kind, delay_hours=delay, cross_group=cross_group)


@checks(scenario=a_scenario)
def build_org(scenario: Scenario) -> nx.DiGraph:
    """Build the organisation graph of a scenario's team and departments.

    >>> from orgsim.scenario import load_scenario
    >>> g = build_org(load_scenario("scenarios/network.yaml"))
    >>> g.nodes["pod:instagram"]["kind"]
    'pod'
    """
    import networkx as nx  # here, not at the top: validate reads the ties (org_ties) and never builds the graph

    ties = org_ties(scenario)
    g = nx.DiGraph(**ties.attrs)
    g.add_nodes_from(ties.nodes.items())
    g.add_edges_from((u, v, attrs) for (u, v), attrs in ties.edges.items())
    return g


def org_ties(scenario: Scenario) -> OrgTies:
    """The nodes and ties of the organisation graph (:func:`build_org`) as plain data."""
    st = scenario.structure
    h = st.handoff_hours
    g = OrgTies({"name": scenario.name, "structure": st.kind, "intake": st.intake})
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
            g.tie(person(m), pod(pname), "member", 0.0, False)
        for a, b in combinations(p.members, 2):
            g.tie(person(a), person(b), "same_pod", h.same_pod, False)
        for ch in p.covers.channels:
            g.add_edge(pod(pname), f"channel:{ch}", kind="covers", delay_hours=0.0, cross_group=False)
    for a, b in combinations(st.pods, 2):
        g.tie(pod(a), pod(b), "cross_pod", h.cross_pod, True)

    if st.lead is not None:
        for pname in st.pods:
            g.tie(person(st.lead), pod(pname), "via_lead", h.via_lead, True)
        for pid in embedded:
            g.tie(person(st.lead), person(pid), "via_lead", h.via_lead, True)
    for dname in scenario.demand.departments:
        if st.intake == "lead" and st.lead is not None:
            g.tie(dept(dname), person(st.lead), "department_intake", h.department_intake, True)
        else:
            for pname in st.pods:
                g.tie(dept(dname), pod(pname), "department_intake", h.department_intake, True)
    for link in st.liaisons:
        g.tie(person(link.person), dept(link.department), "liaison", h.liaison, True)
    for link in st.embedded:
        # An embedded expert sits in the department: no silo to cross.
        g.tie(person(link.person), dept(link.department), "embedded", h.embedded, False)
        for pname in st.pods:
            g.tie(person(link.person), pod(pname), "cross_pod", h.cross_pod, True)

    outside = [a.node for a in scenario.policies.approval_chain if a.external is not None]
    for node in dict.fromkeys([*outside, *external_steps(scenario)]):
        g.add_node(node, kind="approver", group=node)
        if st.lead is not None:
            g.tie(node, person(st.lead), "reporting", h.via_lead, True)
        else:
            for pname in st.pods:
                g.tie(node, pod(pname), "reporting", h.via_lead, True)

    named = {**{pid: person(pid) for pid in scenario.team.people}, **{p: pod(p) for p in st.pods},
             **{d: dept(d) for d in scenario.demand.departments}}
    for t in st.ties:
        g.tie(named[t.a], named[t.b], t.kind, t.delay_hours, g.nodes[named[t.a]]["group"] != g.nodes[named[t.b]]["group"])
    return g


def connected(ties: OrgTies) -> Callable[[str, str], bool]:
    """Whether a route of ties links two nodes, as :func:`handoff_legs` would find one (platform ties excluded).

    Every tie runs both ways, so a route exists exactly when both nodes are in one connected part.
    """
    parent = {n: n for n, attrs in ties.nodes.items() if attrs.get("kind") != "platform"}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in ties.edges:
        if u in parent and v in parent:
            parent[root(u)] = root(v)
    return lambda a, b: a in parent and b in parent and root(a) == root(b)


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
