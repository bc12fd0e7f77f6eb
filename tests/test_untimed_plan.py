"""`orgsim validate` reads an untimed routing plan: the same queues, servers and loads, and the same errors.

The untimed plan (``routing_plan(..., timed=False)``) skips the shortest paths, so validate never imports
networkx; these tests hold it to the timed plan the engine runs on, scenario by scenario.
"""

from __future__ import annotations

import math
from dataclasses import fields
from itertools import product
from pathlib import Path

import networkx as nx
import pytest

from orgsim.analytic.estimate import estimate
from orgsim.errors import OrgsimError
from orgsim.org.graph import Leg, build_org, connected, org_ties
from orgsim.org.plan import UNTIMED, KindPlan, RoutingPlan, routing_plan
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_changes
from tests.conftest import ROOT

SCENARIOS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").rglob("*.yaml")
                   if p.name != "base.yaml" and "questions" not in p.parts)  # questions: recommend's input


def _without_legs(value: object) -> object:
    """A plan's parts with every leg (and the graph) taken out: what timed and untimed plans share."""
    if isinstance(value, Leg):
        return "leg"
    if isinstance(value, (RoutingPlan, KindPlan)) or hasattr(value, "__dataclass_fields__"):
        return {f.name: _without_legs(getattr(value, f.name)) for f in fields(value)  # type: ignore[arg-type]
                if f.name != "graph"}
    if isinstance(value, (tuple, list)):
        return [_without_legs(v) for v in value]
    if hasattr(value, "items"):
        return {k: _without_legs(v) for k, v in value.items()}  # type: ignore[attr-defined]
    return value


def _legs(value: object) -> list[Leg]:
    if isinstance(value, Leg):
        return [value]
    if hasattr(value, "__dataclass_fields__"):
        return [leg for f in fields(value) if f.name != "graph" for leg in _legs(getattr(value, f.name))]  # type: ignore[arg-type]
    if isinstance(value, (tuple, list)):
        return [leg for v in value for leg in _legs(v)]
    return []


@pytest.mark.parametrize("file", SCENARIOS)
def test_the_untimed_plan_routes_as_the_timed_one(file: str) -> None:
    scenario = load_scenario(ROOT / file)
    timed, untimed = routing_plan(scenario), routing_plan(scenario, timed=False)
    assert untimed.graph is None and timed.graph is not None
    assert _without_legs(untimed) == _without_legs(timed)
    legs = _legs(untimed.kinds)
    assert legs and all(leg is UNTIMED or leg.hops == 0 and leg.delay_hours == 0 for leg in legs)  # NO_LEG to oneself
    assert len(legs) == len(_legs(timed.kinds))


@pytest.mark.parametrize("file", SCENARIOS)
def test_the_untimed_estimate_gives_the_same_stations(file: str) -> None:
    scenario = load_scenario(ROOT / file)
    full, stations_only = estimate(scenario), estimate(scenario, timed=False)
    assert stations_only["stations"] == full["stations"]
    assert stations_only.get("messages_abandoned_share") == full.get("messages_abandoned_share")
    assert "silo_latency_hours" not in stations_only  # no figure made from untimed legs


def test_an_untimed_leg_shows_it_is_no_figure() -> None:
    assert math.isnan(UNTIMED.delay_hours) and UNTIMED.hops < 0 and UNTIMED.cross_group_hops < 0


@pytest.mark.parametrize("file", SCENARIOS)
def test_connected_agrees_with_networkx_paths(file: str) -> None:
    scenario = load_scenario(ROOT / file)
    g = build_org(scenario)
    comm = g.subgraph(n for n, d in g.nodes(data=True) if d["kind"] != "platform")
    linked = connected(org_ties(scenario))
    nodes = list(comm)
    for a, b in product(nodes, nodes):
        assert linked(a, b) == nx.has_path(comm, a, b), (a, b)
    assert not linked(nodes[0], "channel:instagram")  # platform nodes carry no handoffs


def _lone_freelancer(tmp_path: Path) -> Path:
    """A workflow whose first step names a person nobody is tied to: no route to them."""
    path = tmp_path / "lone.yaml"
    path.write_text(f"""extends: {ROOT / "scenarios/what-if/network-content-pipeline.yaml"}
name: by network, lone freelancer
team:
  people:
    zed: {{name: Zed Lone, role: freelancer, hours: "08:00-18:00", timezone: Europe/London, capacity: 1.0,
           cost_per_year: 50000}}
demand:
  departments:
    Product:
      requests:
        launch_campaign:
          steps:
            - {{name: brief, person: zed, effort_hours: 1}}
            - {{name: publish, effort_hours: 2}}
""")
    return path


def test_a_missing_route_is_the_same_error_timed_or_not(tmp_path: Path) -> None:
    scenario = load_scenario(_lone_freelancer(tmp_path))
    messages = []
    for timed in (True, False):
        with pytest.raises(OrgsimError) as caught:
            routing_plan(scenario, timed=timed)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "no route of ties from person:zed to pod:instagram; add a tie in structure.ties" in messages[0]


def test_a_tie_that_adds_a_route_is_seen_untimed(tmp_path: Path) -> None:
    scenario = with_changes(load_scenario(_lone_freelancer(tmp_path)),
                            {"structure.ties": [{"a": "zed", "b": "maya", "delay_hours": 2}]})
    launch = next(k for k in routing_plan(scenario, timed=False).kinds if k.steps)  # routes now exist
    assert launch.first == (UNTIMED,)
    timed = next(k for k in routing_plan(scenario).kinds if k.steps)
    assert timed.first == (Leg(2.0, 1, 1),)  # the lead (the intake) hands the brief to zed over the new tie
