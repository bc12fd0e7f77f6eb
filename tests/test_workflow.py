"""Workflows (``steps:``): a hand-checked event log, the rejection loop's ledger, positioned errors."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from orgsim.analytic.reductions import ALL_DAYS, tandem_data
from orgsim.errors import ScenarioError
from orgsim.org.plan import routing_plan
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.model import Scenario
from orgsim.sim.engine import Model
from orgsim.sim.result import Result


def _data(steps: list[dict[str, Any]], **ask: Any) -> dict[str, Any]:
    d = tandem_data(2, 1.0, 1.0, horizon_days=1, warmup_days=0)
    req = d["demand"]["departments"]["Product"]["requests"]["ask"]
    del req["effort_hours"]  # each step gives its own
    req.update(ask)
    req["steps"] = steps
    return d


def _at(d: dict[str, Any], *hours: float) -> dict[str, Any]:
    """``d`` with its one request type arriving exactly at ``hours`` instead of at a rate (for hand-checked logs)."""
    ask = d["demand"]["departments"]["Product"]["requests"]["ask"]
    del ask["per_day"]
    ask["at_hours"] = list(hours)
    return d


def _traced(d: dict[str, Any]) -> tuple[Result, list[tuple[float, str, str]]]:
    """One replication of ``d`` with its event log, and the log as (time, event, where)."""
    r = Model(Scenario.model_validate(d), 1, trace=True).run()
    assert r.log is not None
    return r, list(r.log[["time", "event", "where"]].itertuples(index=False, name=None))


def _fixed(h: float) -> dict[str, Any]:
    return {"dist": "fixed", "mean": h}


CMO = {"external": "CMO", "hours": "00:00-24:00", "days": ALL_DAYS}


def test_a_tiny_workflow_has_the_event_log_worked_out_by_hand() -> None:
    # One request at 1:00; p0 drafts for 1 h, the CMO (always in) approves in 0.5 h; no handoff delays.
    d = _data([{"name": "draft", "effort_hours": _fixed(1.0), "person": "p0"},
               {"name": "approve", "effort_hours": _fixed(0.5), **CMO}])
    _at(d, 1.0)
    r, log = _traced(d)
    assert log == [
        (1.0, "arrive", "Product/ask"),
        (1.0, "queue", "person:p0"), (1.0, "start", "p0"), (2.0, "finish", "p0"),
        (2.0, "queue", "approver:CMO"), (2.0, "start", "approver:CMO"), (2.5, "finish", "approver:CMO"),
        (2.5, "answer", "Product/ask")]
    row = r.requests.iloc[0]
    assert (row.latency_hours, row.work_hours, row.approval_hours, row.person_hours) == (1.5, 1.0, 0.5, 1.0)


def test_rejection_loop_visits_draft_one_over_one_minus_p_times() -> None:
    p = 0.3
    d = _data([{"name": "draft", "effort_hours": _fixed(0.01)},
               {"name": "approve", "effort_hours": _fixed(0.01), **CMO,
                "branches": {"rejected": {"to": "draft", "probability": p}}}], per_day=48.0)
    d["run"]["horizon_days"] = 100
    m = Model(Scenario.model_validate(d), 3)
    m.run()
    draft, approve = m.flows.step_visits[0, 0], m.flows.step_visits[0, 1]
    # each draft is followed by one approval: visits match but for requests still in the loop at the horizon
    assert 0 <= draft - approve <= 2
    started = len(m.arrivals.block.req_time)  # ~4,800 requests; visits per request are geometric with mean 1/(1-p)
    mean, se = draft / started, math.sqrt(p) / (1 - p) / math.sqrt(started)
    assert abs(mean - 1 / (1 - p)) < 4 * se, (mean, 1 / (1 - p), se)


def test_plan_lists_the_steps_and_their_branches() -> None:
    d = _data([{"name": "draft", "effort_hours": _fixed(1.0), "pod": "pod"},
               {"name": "approve", "effort_hours": _fixed(0.5), **CMO,
                "branches": {"rejected": {"to": "draft", "probability": 0.25}}}])
    k = routing_plan(Scenario.model_validate(d)).kinds[0]
    assert [s.name for s in k.steps] == ["draft", "approve"]
    assert k.steps[0].queues == ("pod:pod",) and k.steps[1].queues == ("approver:CMO",)
    assert [(j, p) for j, p, _ in k.steps[1].exits] == [(0, 0.25), (2, 0.75)]
    assert [(j, p) for j, p, _ in k.steps[0].exits] == [(1, 1.0)]


STEP = {"name": "draft", "effort_hours": _fixed(1.0)}
BAD = [
    ([{**STEP, "branches": {"x": {"to": "nowhere", "probability": 0.1}}}], "steps.0.branches.x.to", "no step 'nowhere'"),
    ([{**STEP, "branches": {"a": {"to": "draft", "probability": 0.6}, "b": {"to": "draft", "probability": 0.6}}}],
     "steps.0.branches", "sum to 1.2"),
    ([STEP, {"name": "review", "effort_hours": _fixed(1.0), "branches": {"back": {"to": "draft", "probability": 1.0}}}],
     "steps.1.branches", "step 'review' never leads to done"),
    ([{**STEP, "person": "nobody"}], "steps.0.person", "unknown person 'nobody'"),
    ([{**STEP, "then": "publish"}], "steps.0.then", "no step 'publish'"),
]


@pytest.mark.parametrize(("steps", "where", "what"), BAD, ids=["bad-to", "over-1", "no-exit", "no-person", "bad-then"])
def test_bad_workflows_get_positioned_errors(steps: list[dict[str, Any]], where: str, what: str) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_data(_data(steps), file="wf.yaml")
    text = str(info.value)
    assert "demand.departments.Product.requests.ask." + where in text or where in text, text
    assert what in text, text


def test_a_step_no_one_in_the_team_can_do() -> None:
    d = _data([{**STEP, "function": "paid"}])
    d["functions"] = ["insights", "paid"]
    for p in d["team"]["people"].values():
        p["proficiency"] = {"functions": {"paid": "none"}}
    with pytest.raises(ScenarioError, match="no one in the team can do 'paid'"):
        scenario_from_data(copy.deepcopy(d), file="wf.yaml")


def test_an_approver_named_twice_with_different_calendars_is_a_positioned_error() -> None:
    d = _data([{**STEP, **CMO}, {"name": "sign", "effort_hours": _fixed(0.5), "external": "CMO", "hours": "09:00-17:00"}])
    with pytest.raises(ScenarioError, match=r"steps\.1\.hours.*CMO already has a different hours"):
        scenario_from_data(d, file="wf.yaml")


def test_other_work_belongs_to_outside_approvers_only() -> None:
    d = _data([{**STEP, "person": "p0", "other_work": {"share": 0.5}}])
    with pytest.raises(ScenarioError, match="other_work is an outside approver's"):
        scenario_from_data(d, file="wf.yaml")


def test_an_approvers_own_work_is_queued_with_the_approvals_and_drawn_apart_from_demand() -> None:
    # the CMO's own work (2 tasks an hour of 1 h: more than she can do) sits in the queue the approval waits in
    steps = [{"name": "draft", "effort_hours": _fixed(1.0), "person": "p0"},
             {"name": "approve", "effort_hours": _fixed(0.5), **CMO,
              "other_work": {"per_day": 48, "effort_hours": _fixed(1.0)}}]
    d = _data(steps)
    _at(d, 1.0)
    busy = Model(Scenario.model_validate(d), 1, trace=True).run()
    d["demand"]["departments"]["Product"]["requests"]["ask"]["steps"][1].pop("other_work")
    free = Model(Scenario.model_validate(d), 1, trace=True).run()
    assert free.requests.iloc[0].approval_hours == 0.5
    assert busy.requests.iloc[0].approval_hours > 0.5  # waited behind her own work
    assert busy.requests.iloc[0].work_hours == free.requests.iloc[0].work_hours == 1.0
    assert busy.log is not None and "other work" in set(busy.log["kind"])
    cmo = busy.people.set_index("person").loc["approver:CMO"]
    assert cmo.busy_hours > 0.5


def test_an_escalation_to_another_department_waits_for_its_hours_by_hand() -> None:
    # 1:00 the request; p0 drafts 1:00-2:00; Care (09:00-17:00 UTC, every day) works its 1 h 9:00-10:00;
    # the CMO (always in) approves 10:00-10:30. Care's 8 hours (7 closed, 1 working) are silo overhead: handoff.
    d = _data([{"name": "draft", "effort_hours": _fixed(1.0), "person": "p0"},
               {"name": "care", "effort_hours": _fixed(1.0), "department": "Care"},
               {"name": "approve", "effort_hours": _fixed(0.5), **CMO}])
    d["demand"]["departments"]["Care"] = {"hours": "09:00-17:00", "days": ALL_DAYS, "timezone": "UTC"}
    _at(d, 1.0)
    r, log = _traced(d)
    assert log == [
        (1.0, "arrive", "Product/ask"),
        (1.0, "queue", "person:p0"), (1.0, "start", "p0"), (2.0, "finish", "p0"),
        (10.0, "queue", "approver:CMO"), (10.0, "start", "approver:CMO"), (10.5, "finish", "approver:CMO"),
        (10.5, "answer", "Product/ask")]
    row = r.requests.iloc[0]
    assert (row.latency_hours, row.work_hours, row.handoff_hours, row.approval_hours, row.person_hours) == (
        9.5, 1.0, 8.0, 0.5, 1.0)


def test_a_role_step_is_one_queue_of_everyone_with_the_role() -> None:
    d = _data([{"name": "check", "effort_hours": _fixed(1.0), "role": "reviewer"}])
    d["team"]["people"]["p1"]["role"] = "reviewer"
    plan = routing_plan(Scenario.model_validate(d))
    assert plan.kinds[0].steps[0].queues == ("role:reviewer",)
    assert plan.servers["role:reviewer"] == ("person:p1",)
    _at(d, 1.0, 1.0)  # two at once: p1 does both, one after the other; p0 (no such role) none
    r = Model(Scenario.model_validate(d), 1, trace=True).run()
    assert r.log is not None
    assert set(r.log.loc[r.log.event == "start", "where"]) == {"p1"}
    assert sorted(r.requests.latency_hours) == [1.0, 2.0]


@pytest.mark.parametrize(("step", "where", "what"), [
    ({**STEP, "department": "Nowhere"}, "steps.0.department", "unknown department 'Nowhere'"),
    ({**STEP, "role": "wizard"}, "steps.0.role", "no one in the team has role 'wizard'"),
    ({**STEP, "role": "wizard", "pod": "pod"}, "steps.0", "name at most one of pod, person, role, department"),
], ids=["department", "role", "two-doers"])
def test_bad_doers_get_positioned_errors(step: dict[str, Any], where: str, what: str) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_data(_data([step]), file="wf.yaml")
    assert where in str(info.value) and what in str(info.value), str(info.value)


def test_effort_hours_beside_steps_must_agree_with_them_or_be_left_out() -> None:
    steps = [{"name": "draft", "effort_hours": _fixed(1.0)}, {"name": "check", "effort_hours": _fixed(0.5)}]
    rt = Scenario.model_validate(_data(steps)).demand.departments["Product"].requests["ask"]
    assert rt.effort_hours.expected == 1.5  # one pass's total, for readers; the run draws each step's own
    with pytest.raises(ScenarioError, match=r"ask\.effort_hours: 2 h disagrees with the steps' 1\.5 h"):
        scenario_from_data(_data(steps, effort_hours=2.0), file="wf.yaml")
    d = _data(steps)
    del d["demand"]["departments"]["Product"]["requests"]["ask"]["steps"]
    with pytest.raises(ScenarioError, match="give effort_hours"):
        scenario_from_data(d, file="wf.yaml")


def test_a_planning_seat_removes_the_late_rework_branch_only() -> None:
    steps = [{"name": "draft", "effort_hours": _fixed(1.0)},
             {"name": "approve", "effort_hours": _fixed(0.5), **CMO,
              "branches": {"rejected": {"to": "draft", "probability": 0.1},
                           "late": {"to": "draft", "probability": 0.3, "late_rework": True}}}]
    d = _data(steps)
    without = routing_plan(Scenario.model_validate(d)).kinds[0].steps[1].exits
    d["policies"]["planning_seat"] = True
    seat = routing_plan(Scenario.model_validate(d)).kinds[0].steps[1].exits
    assert [(j, round(p, 9)) for j, p, _ in without] == [(0, 0.1), (0, 0.3), (2, 0.6)]
    assert [(j, round(p, 9)) for j, p, _ in seat] == [(0, 0.1), (2, 0.9)]


def test_a_step_may_be_less_urgent_than_its_request() -> None:
    # an executive idea at 1:00: the triage (executive) calls the off-duty lead out; the work (normal) waits for 9:00
    d = _data([{"name": "triage", "effort_hours": _fixed(0.25), "person": "p0"},
               {"name": "work", "effort_hours": _fixed(1.0), "person": "p0", "priority": "normal"}],
              priority="executive")
    for p in d["team"]["people"].values():
        p["hours"], p["days"] = "09:00-17:00", ALL_DAYS
    _at(d, 1.0)
    row = Model(Scenario.model_validate(d), 1).run().requests.iloc[0]
    assert (row.answered, row.queue_hours, row.work_hours) == (10.0, 7.75, 1.25)


def test_leaderships_idea_as_a_small_project_is_checked_and_planned() -> None:
    d = _data([STEP])
    d["policies"]["interruptions"] = {"per_week": 3, "department": "Product", "function": "insights",
                                      "steps": [{"name": "triage", "effort_hours": _fixed(0.25), "person": "p0"},
                                                {"name": "work", "effort_hours": _fixed(2.0), "priority": "normal"}]}
    k = routing_plan(Scenario.model_validate(d)).kinds[-1]
    assert k.key == "Product/adhoc_idea" and [s.name for s in k.steps] == ["triage", "work"]
    assert k.steps[1].priority == 4 and k.priority == 1  # the work is normal; the message itself executive
    d["policies"]["interruptions"]["steps"][1]["then"] = "nowhere"
    with pytest.raises(ScenarioError, match=r"policies\.interruptions\.steps\.1\.then: no step 'nowhere'"):
        scenario_from_data(d, file="wf.yaml")


def test_recurring_work_lands_in_the_persons_queue_at_its_local_hour() -> None:
    # a weekly 1-hour meeting at 10:00 London (UTC in January) for p0; nothing else arrives
    d = _data([STEP])
    _at(d)
    d["run"]["horizon_days"] = 15
    d["team"]["people"]["p0"]["timezone"] = "Europe/London"
    d["policies"]["recurring_work"] = {"planning": {"person": "p0", "every_days": 7, "at_hour": 10, "hours": 1,
                                                   "priority": "executive"}}
    m = Model(Scenario.model_validate(d), 1, trace=True)
    r = m.run()
    assert r.log is not None
    starts = r.log[(r.log.event == "start")]
    assert list(zip(starts.time, starts["where"], starts.kind, strict=True)) == [
        (10.0, "p0", "other work"), (178.0, "p0", "other work"), (346.0, "p0", "other work")]
    assert m.recurring["planning"].tasks == 3 and m.recurring["planning"].hours == 3.0
    assert r.people.set_index("person").loc["p0"].busy_hours == 3.0


def test_recurring_work_names_a_person_in_the_team() -> None:
    d = _data([STEP])
    d["policies"]["recurring_work"] = {"planning": {"person": "nobody", "every_days": 7, "hours": 1}}
    with pytest.raises(ScenarioError, match=r"policies\.recurring_work\.planning\.person: unknown person 'nobody'"):
        scenario_from_data(d, file="wf.yaml")


def test_a_split_step_joins_at_the_structures_merger_before_the_next_step() -> None:
    from orgsim.scenario import load_scenario

    s = load_scenario("scenarios/what-if/network-content-pipeline.yaml")
    plan = routing_plan(s)
    k = next(k for k in plan.kinds if k.kind.name == "launch_campaign")
    draft = k.steps[1]
    assert len(draft.queues) == 4 and draft.merge == "person:maya" and draft.holder == "person:maya"
    assert len(draft.merge_legs) == 4 and k.steps[0].merge is None  # the brief is maya's alone: no join
    m = Model(s, 1, trace=True)
    r = m.run()
    assert r.log is not None
    kind = m.flows.kinds.index(k.kind)
    log = r.log[(r.log.kind == "request") & (r.log.event == "finish")]
    launches = r.requests.loc[(r.requests.request_type == "launch_campaign") & r.requests.answered.notna(), "request"]
    assert len(launches) > 0
    for item in launches:
        mine = log[log.item == item]["where"]
        # maya finishes its triage, its brief, and one join per visit of a split step; each split-step
        # visit is four parts, one per platform pod (finished by pod members); the CMO does the rest
        joins = (mine == "maya").sum() - 2
        assert joins >= 3 and (~mine.isin(["maya", "approver:CMO"])).sum() == 4 * joins
    assert m.flows.step_visits[kind, 1] >= len(launches)


def test_estimate_counts_recurring_work_in_the_persons_load() -> None:
    from orgsim.analytic.estimate import estimate

    d = _data([{**STEP, "person": "p0"}], per_day=2.4)  # 0.1 an hour of 1 h at p0
    before = estimate(Scenario.model_validate(d))["stations"]["person:p0"]["load"]
    d["policies"]["recurring_work"] = {"m": {"person": "p0", "every_days": 1, "hours": 2.4}}  # 0.1 h an hour
    after = estimate(Scenario.model_validate(d))["stations"]["person:p0"]["load"]
    assert (before, after) == (pytest.approx(0.1), pytest.approx(0.2))
