"""Outside approvers' own work in a run (see :mod:`orgsim.scenario.approvers`).

Each approver with ``other_work`` gets a Poisson stream of tasks into the
queue their approvals wait in: the approver works both, most urgent first,
then first come, first served, on their own calendar. The tasks are drawn
from a stream of their own (``other_work/<approver>``), so that giving an
approver more or less work leaves every arrival, effort and branch of the
demand unchanged (common random numbers). A chain of timeouts with a
callback, not a process, like the engine's arrivals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orgsim.scenario.model import PRIORITY_RANK
from orgsim.sim.demand import draw, stream
from orgsim.sim.portable import on_grid
from orgsim.sim.workers import Task

if TYPE_CHECKING:
    from orgsim.scenario.approvers import OtherWork
    from orgsim.sim.engine import Model

__all__ = ["OtherWorkDone", "start_other_work"]

#: an approver's own work needs no channel, function or audience skill (they do it at 1×)
NO_SKILL: tuple[Any, ...] = ((), None, None)
#: draws per refill of an approver's pre-drawn gaps and efforts
BATCH = 256


class OtherWorkDone:
    """Stands in for a done event: ``Worker._worked`` calls ``succeed``; the work just ends.

    ``tasks`` and ``hours`` count what was finished (hours of the approver's clock).
    """

    __slots__ = ("tasks", "hours")

    def __init__(self) -> None:
        self.tasks = 0
        self.hours = 0.0

    def succeed(self, task: Task) -> None:
        self.tasks += 1
        self.hours += task.work


def start_other_work(model: Model) -> dict[str, OtherWorkDone]:
    """Start every outside approver's own work; returns what each finishes, by queue."""
    plan, horizon = model.plan, model.horizon
    out = {}
    for queue, ow in plan.other_work.items():
        worker = model.workers[queue]
        duty = worker.cal.duty_between(0, horizon) / horizon if horizon > 0 else 0.0
        rate = ow.per_hour(duty)
        if rate <= 0:
            continue
        out[queue] = done = OtherWorkDone()
        _Stream(model, queue, ow, rate, done).next()
    return out


class _Stream:
    """One approver's arrivals of own work: each fires the next."""

    def __init__(self, model: Model, queue: str, ow: OtherWork, rate: float, done: OtherWorkDone) -> None:
        self.env, self.disp, self.horizon = model.env, model.disp, model.horizon
        self.queue = model.queues[queue]
        self.rng = stream(model.seed, f"other_work/{queue}")
        self.ow, self.mean_gap, self.done = ow, 1 / rate, done
        self.prio = PRIORITY_RANK[ow.priority]
        self.gaps: list[float] = []
        self.efforts: list[float] = []

    def next(self, _: Any = None) -> None:
        if _ is not None:  # a task arrives now
            self.disp.push(Task(self.prio, next(self.disp.seq), self._effort(), self.queue, NO_SKILL, self.done, -1))  # type: ignore[arg-type]
        if not self.gaps:
            self.gaps = on_grid(self.rng.exponential(self.mean_gap, BATCH)).tolist()[::-1]
        gap = self.gaps.pop()
        if self.env.now + gap < self.horizon:
            self.env.timeout(gap).callbacks.append(self.next)

    def _effort(self) -> float:
        if not self.efforts:
            self.efforts = draw(self.ow.effort_hours, self.rng, BATCH).tolist()[::-1]
        return self.efforts.pop()
