"""Structural measures against hand-computed values on small graphs."""

from __future__ import annotations

import networkx as nx
import pytest

from orgsim.org.graph import build_org
from orgsim.org.measures import bottlenecks, bus_factor, bus_factors, cross_group_tie_ratio, ei_index
from tests.conftest import ROOT
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
    assert bus_factors(s) == {}  # no requests and no messages: no work for anyone to cover
    # Message-carrying ties: inside the team, pod-pod and lead-pod x2 (I = 3; one-person pods have no
    # same-pod ties, member ties carry no messages); out of it, each department's intake to the lead (E = 3).
    assert ei_index(g) == pytest.approx(0.0)
    assert cross_group_tie_ratio(g) == pytest.approx(6 / 6)  # every one of those six crosses a group


def test_bus_factor_counts_who_gets_the_work_at_practised_or_better() -> None:
    # Instagram messages go to the instagram pod (ana); the lead knows Instagram but is in no pod: she does not
    # get that work, so she does not cover it. Bo's LinkedIn pod: bo is practised (listed in his skills).
    msgs = {"instagram": {"per_day": 10, "handle_minutes": 5}, "linkedin": {"per_day": 10, "handle_minutes": 5}}
    s = make(demand={"messages": msgs})
    assert bus_factors(s) == {"channel:instagram": 1, "channel:linkedin": 1, "function:community": 2}
    # a second member of the instagram pod who is a novice there does not cover it; made practised, they do
    people = {"cy": {"proficiency": {"channels": {"instagram": "novice"}}}}
    pods = {"instagram": {"members": ["ana", "cy"]}}
    s = make(demand={"messages": msgs}, team={"people": people}, structure={"pods": pods})
    assert bus_factor(s, "channel:instagram") == 1 and bus_factor(s, "community") == 3
    people["cy"]["proficiency"]["channels"]["instagram"] = "expert"
    s = make(demand={"messages": msgs}, team={"people": people}, structure={"pods": pods})
    assert bus_factor(s, "instagram") == 2
    assert bus_factor(s, "channel:instagram", level="expert") == 1  # only cy is an expert


@pytest.mark.parametrize("design", ["network", "function", "audience", "embedded"])
def test_example_designs_cover_every_channel_they_serve(design: str) -> None:
    from orgsim.scenario import load_scenario

    s = load_scenario(ROOT / "scenarios" / f"{design}.yaml")
    factors = bus_factors(s)
    assert all(factors[f"channel:{ch}"] > 0 for ch in s.demand.messages), factors
    if design == "network":  # Instagram's pod has two community managers and three specialists who know it
        assert factors["channel:instagram"] >= 2


def test_bus_factor_differs_between_designs_of_the_same_people() -> None:
    # the same twelve people: a by-network team spreads the platforms thin, a by-function team the functions
    from orgsim.scenario import load_scenario

    net, fn = (bus_factors(load_scenario(ROOT / "scenarios" / f"{d}.yaml")) for d in ("network", "function"))
    assert net["channel:youtube"] < fn["channel:youtube"] and fn["function:paid"] < net["function:paid"]
    solo = bus_factors(load_scenario(ROOT / "scenarios" / "solo.yaml"))
    assert set(solo.values()) == {1}
