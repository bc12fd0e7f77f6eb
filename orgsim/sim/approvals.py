"""Outside approvers' own work in a run (see :mod:`orgsim.scenario.approvers`).

Each approver with ``other_work`` gets a Poisson stream of tasks into the
queue their approvals wait in: the approver works both, most urgent first,
then first come, first served, on their own calendar. The tasks are drawn
from a stream of their own (``other_work/<approver>``), so that giving an
approver more or less work leaves every arrival, effort and branch of the
demand unchanged (common random numbers). A chain of timeouts with a
call, not a process, like the engine's arrivals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orgsim.scenario.model import PRIORITY_RANK
from orgsim.sim.demand import draw
from orgsim.sim.kernel import Call
from orgsim.sim.portable import on_grid
from orgsim.sim.workers import Task

if TYPE_CHECKING:
    from orgsim.scenario.approvers import OtherWork
    from orgsim.sim.context import RunContext

__all__ = ["OtherWorkDone", "start_other_work"]

#: an approver's own work needs no channel, function or audience skill (they do it at 1×)
NO_SKILL: tuple[Any, ...] = ((), None, None)
#: draws per refill of an approver's pre-drawn gaps and efforts
BATCH = 256


class OtherWorkDone:
    """What an approver's or a habit's own task is done with (a ``TaskDone``): the work just ends.

    ``tasks`` and ``hours`` count what was finished (hours of the approver's clock).
    """

    __slots__ = ("tasks", "hours")

    def __init__(self) -> None:
        self.tasks = 0
        self.hours = 0.0

    def succeed(self, task: Task) -> None:
        self.tasks += 1
        self.hours += task.work_hours


def start_other_work(ctx: RunContext) -> dict[str, OtherWorkDone]:
    """Start every outside approver's own work; returns what each finishes, by queue."""
    horizon = ctx.horizon
    out = {}
    for queue, other_work in ctx.plan.other_work.items():
        worker = ctx.workers[queue]
        duty = worker.calendar.duty_between(0, horizon) / horizon if horizon > 0 else 0.0
        rate = other_work.per_hour(duty)
        if rate <= 0:
            continue
        out[queue] = done = OtherWorkDone()
        _Stream(ctx, queue, other_work, rate, done).next()
    return out


class _Stream:
    """One approver's arrivals of own work: each fires the next."""

    def __init__(self, ctx: RunContext, queue: str, other_work: OtherWork, rate: float, done: OtherWorkDone) -> None:
        self.kernel, self.dispatch, self.horizon = ctx.kernel, ctx.dispatch, ctx.horizon
        self.queue = ctx.queues[queue]
        self.rng = ctx.stream(f"other_work/{queue}")
        self.other_work, self.mean_gap, self.done = other_work, 1 / rate, done
        self.priority = PRIORITY_RANK[other_work.priority]
        self.gaps: list[float] = []
        self.efforts: list[float] = []

    def next(self, arrived: Call | None = None) -> None:
        """Schedule the next task's arrival; called by that arrival (``arrived``), queue its task first."""
        if arrived is not None:
            self.dispatch.place(Task(self.priority, next(self.dispatch.order), self._effort(), self.queue, NO_SKILL,
                                     self.done, -1))
        if not self.gaps:
            self.gaps = on_grid(self.rng.exponential(self.mean_gap, BATCH)).tolist()[::-1]
        gap = self.gaps.pop()
        if self.kernel.now + gap < self.horizon:
            self.kernel.call_in(gap, Call(self.next))

    def _effort(self) -> float:
        if not self.efforts:
            self.efforts = draw(self.other_work.effort_hours, self.rng, BATCH).tolist()[::-1]
        return self.efforts.pop()
