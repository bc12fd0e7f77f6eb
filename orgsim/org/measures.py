"""Structural measures of the organisation graph, as pure functions.

Only communication ties count: ``member`` ties (a person to their own pod)
and platform (``covers``) edges carry no messages, so they are left out, as
in :func:`orgsim.org.graph.handoff_legs`. Ties are counted once per pair.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx

from orgsim.scenario.model import Scenario

__all__ = ["bottlenecks", "bus_factor", "bus_factors", "communication_graph", "cross_group_tie_ratio",
           "ei_index", "skill_people", "structural_summary", "team_groups"]

SILENT = frozenset({"member", "covers"})


def communication_graph(G: nx.DiGraph) -> nx.Graph:
    """The undirected graph of message-carrying ties (no platforms, no membership ties)."""
    H = nx.Graph()
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if d.get("kind") != "platform")
    for u, v, d in G.edges(data=True):
        if d.get("kind") in SILENT or u not in H or v not in H:
            continue
        if not H.has_edge(u, v) or H.edges[u, v]["delay_hours"] > d["delay_hours"]:
            H.add_edge(u, v, **d)
    return H


def team_groups(G: nx.DiGraph) -> dict[str, str]:
    """Social team (people, pods) vs each department on its own: node -> group."""
    out = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") in ("person", "pod"):
            out[n] = "team"
        elif d.get("kind") == "department":
            out[n] = n
    return out


def ei_index(G: nx.Graph, groups: Mapping[Hashable, Hashable] | None = None) -> float:
    """Krackhardt & Stern's E-I index, (E - I) / (E + I), over ties between grouped nodes.

    E counts ties between different groups, I ties inside one group; -1 is a
    closed silo, +1 a team whose ties all leave it. ``groups`` maps nodes to
    groups (default: :func:`team_groups`, the team vs the departments); nodes
    not in it are ignored. NaN when there are no ties.

    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> ei_index(g, {"a": 1, "b": 1, "c": 2, "d": 2})  # E=1 (b-c), I=2
    -0.3333333333333333
    """
    group_of: Mapping[Any, Any] = groups if groups is not None else team_groups(G)  # type: ignore[arg-type]
    H = communication_graph(G) if isinstance(G, nx.DiGraph) else G
    e = i = 0
    for u, v in H.edges():
        if u in group_of and v in group_of:
            if group_of[u] == group_of[v]:
                i += 1
            else:
                e += 1
    return (e - i) / (e + i) if e + i else float("nan")


def cross_group_tie_ratio(G: nx.DiGraph) -> float:
    """Share of communication ties that cross a group boundary (edge attribute ``cross_group``)."""
    H = communication_graph(G)
    n = H.number_of_edges()
    return sum(bool(d.get("cross_group")) for _, _, d in H.edges(data=True)) / n if n else float("nan")


def bottlenecks(G: nx.DiGraph, top: int | None = None) -> dict[str, float]:
    """Brokers: betweenness centrality on the fastest routes (weight ``delay_hours``), highest first.

    Routes are the ones requests and insights take (fastest by handoff delay);
    normalised so that the centre of a 3-node path scores 1.

    >>> g = nx.DiGraph()
    >>> for u, v in [("a", "b"), ("b", "c")]:
    ...     g.add_edge(u, v, kind="x", delay_hours=1.0); g.add_edge(v, u, kind="x", delay_hours=1.0)
    >>> bottlenecks(g)["b"]
    1.0
    """
    H = communication_graph(G)
    bc = nx.betweenness_centrality(H, weight="delay_hours", normalized=True)
    ranked = dict(sorted(bc.items(), key=lambda kv: (-kv[1], kv[0])))
    return dict(list(ranked.items())[:top]) if top is not None else ranked


#: The agreed level for covering work: ``practised`` or better. It is the level the work-time model takes as its
#: unit (``policies.proficiency_factors.practised`` = 1: the work takes its stated time); a novice takes 1.3x as
#: long by default, someone with level ``none`` twice as long: they can stand in, not cover.
COVER_LEVEL = "practised"

_DIMENSION = {"channel": "channels", "function": "functions", "audience": "audiences"}


def _work_items(scenario: Scenario) -> list[tuple[str, tuple[str, ...], str, str | None]]:
    """(queue, channels, function, audience) of every piece of work the design routes to the team.

    Request parts and workflow steps as :func:`orgsim.org.plan.routing_plan` routes them, and each
    message stream's channel and audiences; not triage, merges or approvals, which are coordination.
    """
    from orgsim.org.plan import routing_plan

    plan = routing_plan(scenario)
    out: list[tuple[str, tuple[str, ...], str, str | None]] = []
    for k in plan.kinds:
        out += [(p.queue, p.channels, k.function, k.audience) for p in k.parts]
        for step in k.steps:
            if step.department is None and not step.outside:
                out += [(q, ch, fn, aud) for q, (ch, fn, aud) in zip(step.queues, step.skills, strict=True)]
    channels, audiences = list(scenario.channels), list(scenario.audiences)
    for ch, stream in scenario.demand.messages.items():
        for aud in stream.audience_mix or [None]:
            queue = plan.message_queues[channels.index(ch), audiences.index(aud) if aud is not None else -1]
            out.append((queue, (ch,), "community", aud))
    return [(q, ch, fn, aud) for q, ch, fn, aud in out if q in plan.servers]


def _servers(scenario: Scenario) -> dict[str, list[str]]:
    """Work queue -> the team members who serve it (person ids)."""
    from orgsim.org.plan import routing_plan

    return {q: [n.split(":", 1)[1] for n in nodes if n.startswith("person:")]
            for q, nodes in routing_plan(scenario).servers.items()}


def skill_people(scenario: Scenario, level: str = COVER_LEVEL) -> dict[str, list[str]]:
    """Who can cover each channel, function and audience that carries work in this design (person ids, file order).

    A person covers ``channel:instagram`` when the design routes Instagram work to a queue they serve (a pod
    they are in, their own queue as an embedded expert...) *and* their proficiency on Instagram is ``level``
    (:data:`COVER_LEVEL`, practised) or better. Skills no work needs are left out.

    >>> from orgsim.scenario import load_scenario
    >>> skill_people(load_scenario("scenarios/network.yaml"))["function:paid"]
    ['elena', 'raj', 'ben']
    """
    from orgsim.scenario.team import LEVELS

    good = set(LEVELS[:LEVELS.index(level) + 1])
    servers = _servers(scenario)
    people = scenario.team.people
    who: dict[str, set[str]] = {}
    for queue, channels, function, audience in _work_items(scenario):
        for kind, names in (("channel", channels), ("function", (function,)), ("audience", (audience,))):
            for name in names:
                if name is None:
                    continue
                able = {p for p in servers[queue] if people[p].level(_DIMENSION[kind], name) in good}
                who.setdefault(f"{kind}:{name}", set()).update(able)
    order = [f"{k}:{n}" for k, names in (("channel", scenario.channels), ("function", scenario.functions),
                                         ("audience", scenario.audiences)) for n in names]
    return {key: [p for p in people if p in who[key]] for key in order if key in who}


def bus_factors(scenario: Scenario, level: str = COVER_LEVEL) -> dict[str, int]:
    """How many people can cover each channel, function and audience that carries work in this design.

    The people are :func:`skill_people`'s. One absence takes a skill whose factor is 1 out of the team's
    hands: its work waits, or goes to someone slower. Skills no work needs are left out. (What an absence
    actually breaks is simulated by :mod:`orgsim.resilience`.)

    >>> from orgsim.scenario import load_scenario
    >>> f = bus_factors(load_scenario("scenarios/network.yaml"))
    >>> f["channel:instagram"], f["function:paid"]
    (5, 3)
    """
    return {key: len(who) for key, who in skill_people(scenario, level).items()}


def bus_factor(scenario: Scenario, skill: str, level: str = COVER_LEVEL) -> int:
    """:func:`bus_factors` of one ``channel:x``, ``function:x`` or ``audience:x`` (0 when no work needs it).

    A bare name is looked up as a channel, then a function, then an audience.
    """
    found = bus_factors(scenario, level)
    if ":" not in skill:
        skill = next((f"{k}:{skill}" for k in ("channel", "function", "audience") if f"{k}:{skill}" in found),
                     f"channel:{skill}")
    return found.get(skill, 0)


def structural_summary(scenario: Scenario, top: int = 5) -> dict[str, Any]:
    """What ``orgsim graph`` shows: the E-I index, cross-group ties, the ``top`` brokers and the bus factors.

    Ready for JSON: a ratio with no ties to count (NaN) is None.
    """
    from orgsim.org.graph import build_org

    g = build_org(scenario)
    ei, cg = ei_index(g), cross_group_tie_ratio(g)
    return {"scenario": scenario.name, "company": scenario.company, "structure": scenario.structure.kind,
            "ei_index": None if ei != ei else ei, "cross_group_tie_ratio": None if cg != cg else cg,
            "bottlenecks": bottlenecks(g, top), "bus_factor": bus_factors(scenario)}
