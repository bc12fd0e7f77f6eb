"""Exact answers on tiny organisations, and the reproducibility contract."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest

from orgsim import build_org, simulate
from orgsim.scenario import scenario_from_data
from tests.helpers import ALWAYS

ZERO = {"same_pod": 0, "cross_pod": 0, "via_lead": 0.5, "department_intake": 1.0, "liaison": 0, "embedded": 0}


def two_people(**change: Any) -> dict[str, Any]:
    """A lead who triages and one worker; one department; everything fixed."""
    data = {
        "name": "two people",
        "channels": ["instagram"],
        "audiences": ["consumers"],
        "demand": {"departments": {"Product": {"requests": {"ask": {
            "at_hours": [10.0, 10.5], "effort_hours": 2.0, "function": "insights"}}}}},
        "team": {"people": {
            "lee": {**ALWAYS, "role": "head of social", "skills": {"functions": ["insights"]}},
            "ana": {**ALWAYS, "skills": {"functions": ["insights"]}},
        }},
        "structure": {"kind": "function", "lead": "lee", "intake": "lead", "handoff_hours": ZERO,
                      "pods": {"insights": {"members": ["ana"], "covers": {"functions": ["insights"]}}}},
        "policies": {"triage_minutes": 15, "handoff_delay": "fixed"},
        "run": {"horizon_days": 2, "warmup_days": 0, "replications": 1},
    }
    for dotted, value in change.items():
        node = data
        *path, last = dotted.split("__")
        for key in path:
            node = node[key]
        node[last] = value
    return data


def test_event_log_known_by_hand() -> None:
    # r0 arrives at 10:00, reaches the lead after the 1 h intake handoff,
    # is triaged for 15 min, handed to the pod (0.5 h), worked for 2 h, and
    # answered after the way back (pod -> lead -> department, 1.5 h).
    # r1 arrives at 10:30 and waits for Ana from 12:15 until 13:45.
    result = simulate(scenario_from_data(two_people()), seed=1, trace=True)
    log = result.log
    got = [(round(t, 6), e, i, w) for t, e, k, i, w in log.itertuples(index=False) if k == "request"]
    assert got == [
        (10.0, "arrive", 0, "Product/ask"),
        (10.5, "arrive", 1, "Product/ask"),
        (11.0, "queue", 0, "person:lee"),
        (11.0, "start", 0, "lee"),
        (11.25, "finish", 0, "lee"),
        (11.5, "queue", 1, "person:lee"),
        (11.5, "start", 1, "lee"),
        (11.75, "queue", 0, "pod:insights"),
        (11.75, "finish", 1, "lee"),  # same instant; Ana's wake-up is an event of its own
        (11.75, "start", 0, "ana"),
        (12.25, "queue", 1, "pod:insights"),
        (13.75, "finish", 0, "ana"),
        (13.75, "start", 1, "ana"),
        (15.25, "answer", 0, "Product/ask"),
        (15.75, "finish", 1, "ana"),
        (17.25, "answer", 1, "Product/ask"),
    ]
    r = result.requests.set_index("request")
    assert r["latency_hours"].tolist() == pytest.approx([5.25, 6.75])
    assert r["queue_hours"].tolist() == pytest.approx([0.0, 1.5])
    assert r["work_hours"].tolist() == pytest.approx([2.25, 2.25])
    assert r["handoff_hours"].tolist() == pytest.approx([3.0, 3.0])
    assert r["handoffs"].tolist() == [4, 4]
    assert r["cross_group_handoffs"].tolist() == [4, 4]


def test_work_pauses_at_shift_end_and_resumes_next_shift() -> None:
    # Ana works 09:00-12:00 (UTC, Monday and Tuesday): the 2 h job that starts
    # at 11:45 gets 15 min, waits overnight, and finishes at 09:00 + 1:45.
    data = two_people(demand__departments__Product__requests__ask__at_hours=[10.0])
    data["team"]["people"]["ana"] = {"hours": "09:00-12:00", "days": ["mon", "tue"], "skills": {"functions": ["insights"]}}
    result = simulate(scenario_from_data(data), seed=1)
    row = result.requests.iloc[0]
    assert row["answered"] == pytest.approx(24 + 9 + 1.75 + 1.5)
    assert row["work_hours"] == pytest.approx(2.25)
    assert row["queue_hours"] == pytest.approx(24 + 9 - 12)
    ana = result.people.set_index("person").loc["ana"]
    assert ana["busy_hours"] == pytest.approx(2.0) and ana["after_hours"] == 0


def test_urgent_work_preempts_and_is_done_after_hours() -> None:
    # Ana works 09:00-14:00. A 5 h job reaches her at 10:45; a crisis reaches
    # her at 13:45 and pushes it aside with 2 h left. The crisis (3 h) is
    # worked past 14:00 — 2.75 h after hours — and the job resumes at 09:00
    # the next day.
    data = two_people(demand__departments__Product__requests__ask__at_hours=[9.0],
                      demand__departments__Product__requests__ask__effort_hours=5.0)
    data["team"]["people"]["ana"] = {"hours": "09:00-14:00", "days": ["mon", "tue"], "skills": {"functions": ["insights"]}}
    data["demand"]["departments"]["Product"]["requests"]["crisis"] = {
        "at_hours": [12.0], "effort_hours": 3.0, "function": "insights", "priority": "crisis"}
    result = simulate(scenario_from_data(data), seed=1)
    r = result.requests.set_index("request_type", drop=False)
    assert r.loc["crisis", "answered"] == pytest.approx(13.75 + 3 + 1.5)
    assert r.loc["ask", "answered"] == pytest.approx(33.0 + 2 + 1.5)
    assert r.loc["ask", "queue_hours"] == pytest.approx(33.0 - 13.75)
    ana = result.people.set_index("person").loc["ana"]
    assert ana["after_hours"] == pytest.approx(16.75 - 14.0)
    assert ana["busy_hours"] == pytest.approx(8.0)


def test_network_splits_cross_channel_request_and_merges() -> None:
    data = two_people()
    data["channels"] = ["instagram", "tiktok"]
    data["demand"]["departments"]["Product"]["requests"]["ask"]["channels"] = ["instagram", "tiktok"]
    data["team"]["people"]["bo"] = {**ALWAYS, "skills": {"functions": ["insights"], "channels": ["tiktok"]}}
    data["team"]["people"]["ana"]["skills"]["channels"] = ["instagram"]
    data["structure"] = {**data["structure"], "kind": "network", "pods": {
        "ig": {"members": ["ana"], "covers": {"channels": ["instagram"]}},
        "tt": {"members": ["bo"], "covers": {"channels": ["tiktok"]}}}}
    data["policies"]["merge_hours"] = 0.5
    data["demand"]["departments"]["Product"]["requests"]["ask"]["at_hours"] = [10.0]
    r = simulate(scenario_from_data(data), seed=1).requests.iloc[0]
    # two parts in parallel, each repeating the concept share (0.25 of 2 h)
    # and doing half the rest: 0.5 + 0.75 = 1.25 h; each handed to the lead
    # to merge (0.5 h), merge 0.5 h, then back to the department (1 h).
    assert r["parts"] == 2
    assert r["answered"] == pytest.approx(10 + 1 + 0.25 + 0.5 + 1.25 + 0.5 + 0.5 + 1)
    assert r["person_hours"] == pytest.approx(0.25 + 2 * 1.25 + 0.5)


def test_build_org_nodes_and_ties() -> None:
    g = build_org(scenario_from_data(two_people()))
    assert g.nodes["person:lee"]["group"] == "lead"
    assert g.edges["dept:Product", "person:lee"]["kind"] == "department_intake"
    assert g.edges["person:lee", "pod:insights"]["delay_hours"] == 0.5
    assert g.edges["person:ana", "pod:insights"]["kind"] == "member"


def _tiny_with_traffic(kind: str) -> dict[str, Any]:
    data = two_people()
    data["channels"] = ["instagram", "tiktok"]
    data["demand"]["departments"]["Product"]["requests"]["ask"] = {
        "per_day": 6, "effort_hours": {"dist": "lognormal", "mean": 1, "cv": 1}, "function": "insights",
        "channels": ["instagram", "tiktok"], "audience": "consumers"}
    data["demand"]["messages"] = {"instagram": {"per_day": 80, "handle_minutes": {"dist": "exponential", "mean": 3}}}
    data["team"]["people"]["bo"] = {"skills": {"functions": ["community"]}}
    data["structure"]["kind"] = kind
    data["structure"]["pods"] = {
        "one": {"members": ["ana"], "covers": {"channels": ["instagram"], "functions": ["insights", "community"],
                                               "audiences": ["consumers"]}},
        "two": {"members": ["bo"], "covers": {"channels": ["tiktok"], "functions": ["community"]}}}
    data["policies"]["handoff_delay"] = "exponential"
    data["run"] = {"horizon_days": 14, "warmup_days": 2, "replications": 1}
    return data


def test_same_seed_same_table_and_structure_does_not_change_demand() -> None:
    a = simulate(scenario_from_data(_tiny_with_traffic("network")), seed=11)
    b = simulate(scenario_from_data(_tiny_with_traffic("network")), seed=11)
    pd.testing.assert_frame_equal(a.requests, b.requests)
    pd.testing.assert_frame_equal(a.messages, b.messages)
    c = simulate(scenario_from_data(_tiny_with_traffic("audience")), seed=11)
    cols = ["department", "request_type", "arrived"]
    pd.testing.assert_frame_equal(a.requests[cols], c.requests[cols])
    pd.testing.assert_frame_equal(a.messages[["channel", "audience", "arrived"]], c.messages[["channel", "audience", "arrived"]])
    assert not a.requests["latency_hours"].equals(c.requests["latency_hours"])
    d = simulate(scenario_from_data(_tiny_with_traffic("network")), seed=12)
    assert not a.requests["arrived"].equals(d.requests["arrived"])


def test_adding_a_department_leaves_other_arrivals_alone() -> None:
    base = _tiny_with_traffic("network")
    more = copy.deepcopy(base)
    more["demand"]["departments"]["Sales"] = {"requests": {"deck": {"per_week": 5, "effort_hours": 1, "function": "insights"}}}
    a = simulate(scenario_from_data(base), seed=3).requests
    b = simulate(scenario_from_data(more), seed=3).requests
    assert a["arrived"].tolist() == b[b["department"] == "Product"]["arrived"].tolist()
