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
           "ei_index", "team_groups"]

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


def bus_factor(scenario: Scenario, skill: str) -> int:
    """How many people can cover ``skill``: ``channel:x``, ``function:x``, ``audience:x`` or a bare name.

    A bare name matches any of the three. People absent for the whole run still count.
    """
    kind, _, name = skill.rpartition(":")
    fields = {"channel": ("channels",), "function": ("functions",), "audience": ("audiences",),
              "": ("channels", "functions", "audiences")}[kind]
    return sum(any(name in getattr(p.skills, f) for f in fields) for p in scenario.team.people.values())


def bus_factors(scenario: Scenario) -> dict[str, int]:
    """:func:`bus_factor` for every channel, function and audience of the scenario."""
    out = {}
    for kind, names in (("channel", scenario.channels), ("function", scenario.functions), ("audience", scenario.audiences)):
        for n in names:
            out[f"{kind}:{n}"] = bus_factor(scenario, f"{kind}:{n}")
    return out
