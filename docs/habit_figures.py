"""The leadership-habit what-ifs side by side (README, "Scenarios"), run as ``python -m docs.habit_figures``.

Paired replications (5, the files' seed) of each design; mean silo latency, its approval part, the
lead's busy hours in the measured window, the CMO's utilisation, and one request kind's latency.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orgsim import with_changes
from orgsim.experiment import replicate
from orgsim.metrics.latency import run_figures
from orgsim.scenario import load_scenario
from orgsim.scenario.model import Scenario


def row(label: str, s: Scenario, kind: str | None = None) -> None:
    rs = list(replicate(s, 5))
    f = [run_figures(r) for r in rs]
    lat = np.mean([x["silo_latency_answered_hours"]["mean"] for x in f])
    appr = np.mean([x["latency_breakdown_hours"]["approval"] for x in f])
    maya = np.mean([r.people.set_index("person").loc["maya"].busy_hours for r in rs])
    extra = ""
    if kind:
        k = [r.requests[(r.requests.department.astype(str) + "/" + r.requests.request_type.astype(str) == kind) & r.requests.in_window] for r in rs]
        extra = f"  {kind} mean {np.mean([x.latency_hours.mean() for x in k]):.1f} h, person-h {np.mean([x.person_hours.mean() for x in k]):.2f}"
    cmo = [r.people.set_index("person") for r in rs]
    cu = np.mean([c.loc["approver:CMO"].utilization for c in cmo]) if "approver:CMO" in cmo[0].index else float("nan")
    print(f"{label:48s} latency {lat:5.1f} h  approval {appr:4.2f} h  maya busy {maya:6.1f} h  CMO util {cu:4.2f}{extra}")


net = load_scenario("scenarios/network.yaml")
cmo = load_scenario("scenarios/what-if/network-cmo-signs-off.yaml")
row("network (lead approves)", net)
row("network, approval_steps 0 (trust)", with_changes(net, {"policies.approval_steps": 0}))
d: dict[str, Any] = cmo.model_dump(mode="json")
d["policies"]["approval_chain"][1]["other_work"] = None
row("CMO signs off too, no other work", Scenario.model_validate(d))
row("CMO signs off too, other work share 0.7", cmo)
pipe = load_scenario("scenarios/what-if/network-content-pipeline.yaml")
row("content pipeline", pipe, "Product/launch_campaign")
row("content pipeline + planning seat", load_scenario("scenarios/what-if/network-planning-seat.yaml"), "Product/launch_campaign")
row("network", net, "Executive/adhoc_idea")
row("network, 1 a.m. idea as a small project", load_scenario("scenarios/what-if/network-idea-as-project.yaml"), "Executive/adhoc_idea")
row("network, monthly trend briefing", load_scenario("scenarios/what-if/network-trend-briefing.yaml"))
