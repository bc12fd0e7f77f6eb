"""The run's people and the queues they serve, built from the scenario and its routing plan.

Everyone who works in a run is a :class:`~orgsim.sim.workers.Worker`: the
team's people (each serving their own queue, their pods' and their embedded
department's), outside approvers of the approval chain and of workflow steps,
and the queues only the plan knows (a workflow step's ``role:``). The order
they are built in is the order of the team in the scenario: it decides which
of two people whose shifts change at one instant looks at the queues first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgsim.org.graph import person
from orgsim.org.plan import DEPUTISED
from orgsim.scenario.workflow import external_steps
from orgsim.sim.calendar import Calendar, calendar_for
from orgsim.sim.service import Proficiency, proficiency
from orgsim.sim.workers import Trace, Worker, WorkQueue

if TYPE_CHECKING:
    from orgsim.org.plan import RoutingPlan
    from orgsim.scenario.model import Scenario
    from orgsim.sim.dispatch import DispatchPolicy
    from orgsim.sim.kernel import Kernel

__all__ = ["build_team", "department_calendars"]

#: an outside approver reviews at 1x: no channel, function or audience factors
NEUTRAL: Proficiency = ({}, {}, {})


def build_team(scenario: Scenario, plan: RoutingPlan, kernel: Kernel, dispatch: DispatchPolicy,
               window: tuple[float, float], trace: Trace | None) -> tuple[dict[str, WorkQueue], dict[str, Worker]]:
    """Every worker of the run and the queues they serve: (queue name -> queue, graph node -> worker)."""
    s = scenario
    start, horizon = s.run.start_date, window[1]
    queues: dict[str, WorkQueue] = {}
    workers: dict[str, Worker] = {}

    def serve(queue: str, worker: Worker) -> None:
        q = queues.get(queue)
        if q is None:
            q = queues[queue] = WorkQueue(queue)
        q.servers.append(worker)
        worker.queues.append(q)

    def hire(node: str, name: str, calendar: Calendar, capacity: float,
             tables: Proficiency) -> Worker:
        worker = workers[node] = Worker(kernel, dispatch, name, calendar, capacity, tables, len(workers), window,
                                        trace)
        return worker

    sw = s.policies.switch_minutes
    switch = (sw.channel / 60, sw.function / 60, sw.audience / 60) if sw.any else None
    for pid, p in s.team.people.items():
        calendar = calendar_for(p.hours, p.days, p.timezone, start, horizon,
                                [(a.start_day * 24, (a.start_day + a.days) * 24) for a in p.absences], p.holidays)
        serve(person(pid), hire(person(pid), pid, calendar, p.capacity, proficiency(s, pid)))
        workers[person(pid)].switch = switch  # the team's people pay for a change of task; outside approvers do not
    for pod_name, pod in s.structure.pods.items():
        for member in pod.members:
            serve(f"pod:{pod_name}", workers[person(member)])
    for link in s.structure.embedded:
        serve(f"embedded:{link.department}", workers[person(link.person)])
    for step in s.policies.approval_chain:
        if step.external is not None and step.node not in workers:
            calendar = calendar_for(step.hours, step.days, step.timezone, start, horizon)
            serve(step.node, hire(step.node, step.node, calendar, 1.0, NEUTRAL))
    for node, st in external_steps(s).items():  # outside approvers that workflow steps name
        calendar = calendar_for(st.hours, st.days, st.timezone, start, horizon)
        serve(node, hire(node, node, calendar, 1.0, NEUTRAL))
    for queue, who in plan.servers.items():  # queues only the plan knows (a workflow step's role:, the deputised)
        if queue not in queues:
            for node in who:
                serve(queue, workers[node])
            if queue.startswith(DEPUTISED):  # the deputy serves it only while the lead is off duty
                queues[queue].lead = workers[who[0]]
    return queues, workers


def department_calendars(scenario: Scenario, horizon: float) -> dict[str, Calendar]:
    """Calendars of the departments that say when they are there to receive (``hours``)."""
    s = scenario
    return {name: calendar_for(d.hours, d.days, d.timezone or s.demand.timezone, s.run.start_date, horizon)
            for name, d in s.demand.departments.items() if d.hours is not None}
