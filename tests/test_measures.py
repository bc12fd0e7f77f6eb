"""Structural measures against hand-computed values on small graphs."""

from __future__ import annotations

import networkx as nx
import pytest

from orgsim.org.graph import build_org
from orgsim.org.measures import bottlenecks, bus_factor, bus_factors, cross_group_tie_ratio, ei_index
from tests.tiny_insights import make


def _tie(g: nx.DiGraph, u: str, v: str, cross: bool = False, kind: str = "x") -> None:
    for a, b in ((u, v), (v, u)):
        g.add_edge(a, b, kind=kind, delay_hours=1.0, cross_group=cross)


def test_ei_index_by_hand() -> None:
    # team {a, b, c} fully tied (I = 3), two ties out to departments (E = 2): (2 - 3) / 5
    g = nx.DiGraph()
    for u, v in [("a", "b"), ("b", "c"), ("a", "c")]:
        _tie(g, u, v)
    _tie(g, "a", "P", True)
    _tie(g, "c", "S", True)
    groups = {"a": "team", "b": "team", "c": "team", "P": "P", "S": "S"}
    assert ei_index(g, groups) == pytest.approx(-0.2)
    assert cross_group_tie_ratio(g) == pytest.approx(2 / 5)


def test_betweenness_by_hand() -> None:
    # star: centre h lies on every route between the 3 leaves: 6 ordered pairs / (4-1)(4-2) = 1
    g = nx.DiGraph()
    for leaf in "xyz":
        _tie(g, "h", leaf)
    bc = bottlenecks(g)
    assert bc["h"] == pytest.approx(1.0)
    assert bc["x"] == 0.0 and next(iter(bc)) == "h"
    # path a-b-c-d: b lies on a-c, a-d (both directions): 4 / 6
    p = nx.DiGraph()
    for u, v in [("a", "b"), ("b", "c"), ("c", "d")]:
        _tie(p, u, v)
    assert bottlenecks(p)["b"] == pytest.approx(4 / 6)


def test_member_ties_do_not_count() -> None:
    g = nx.DiGraph()
    _tie(g, "a", "pod", kind="member")
    assert ei_index(g, {"a": 1, "pod": 2}) != ei_index(g, {"a": 1, "pod": 2})  # NaN: no ties


def test_tiny_org_measures() -> None:
    s = make()
    g = build_org(s)
    # the lead is the only bridge between the two pods' people and the departments
    assert next(iter(bottlenecks(g))) == "person:lead"
    assert bus_factor(s, "channel:instagram") == 2  # lead and ana
    assert bus_factor(s, "linkedin") == 2
    assert bus_factors(s)["channel:linkedin"] == 2
    # Message-carrying ties: inside the team, pod-pod and lead-pod x2 (I = 3; one-person pods have no
    # same-pod ties, member ties carry no messages); out of it, each department's intake to the lead (E = 3).
    assert ei_index(g) == pytest.approx(0.0)
    assert cross_group_tie_ratio(g) == pytest.approx(6 / 6)  # every one of those six crosses a group
