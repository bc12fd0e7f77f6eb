"""Recurring work in a run: the time a leadership habit costs someone (``policies.recurring_work``).

A seat in campaign planning is a weekly meeting for the lead; a monthly
trend briefing is its preparation. Each is a task in the person's own
queue at its local hour on its days, worked like any other task at its
priority, so its cost falls where it really does: on that person's hours,
and on whatever waits behind it. Efforts come from a stream of their own
(``recurring/<name>``): adding a habit leaves the demand's draws unchanged.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING

from orgsim.org.graph import person
from orgsim.scenario.model import PRIORITY_RANK, utc_offset_hours
from orgsim.sim.approvals import NO_SKILL, OtherWorkDone
from orgsim.sim.demand import draw
from orgsim.sim.kernel import Call
from orgsim.sim.workers import Task, WorkQueue

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario
    from orgsim.sim.context import RunContext
    from orgsim.sim.dispatch import DispatchPolicy

__all__ = ["recurring_times", "start_recurring"]


def recurring_times(scenario: Scenario, name: str, horizon: float) -> list[float]:
    """When each occurrence of ``policies.recurring_work[name]`` lands, on the simulation clock (hours).

    >>> from orgsim.analytic.reductions import mmc_data
    >>> from orgsim.scenario.model import Scenario
    >>> d = mmc_data(1, 0.1, 1.0)
    >>> d["policies"]["recurring_work"] = {"m": {"person": "p0", "every_days": 7, "at_hour": 10, "hours": 1}}
    >>> recurring_times(Scenario.model_validate(d), "m", 24 * 15)
    [10.0, 178.0, 346.0]
    """
    rw = scenario.policies.recurring_work[name]
    tz = scenario.team.people[rw.person].timezone
    out: list[float] = []
    k = 0
    while True:
        day = rw.first_day + k * rw.every_days
        date = scenario.run.start_date + dt.timedelta(days=int(day))
        t = day * 24 + rw.at_hour - (tz if isinstance(tz, float | int) else utc_offset_hours(tz, date))
        if t >= horizon:
            return out
        if t >= 0:
            out.append(t)
        k += 1


def start_recurring(ctx: RunContext) -> dict[str, OtherWorkDone]:
    """Schedule every recurring task of the run; returns what each habit finished, by name."""
    s = ctx.scenario
    out = {}
    for name, rw in s.policies.recurring_work.items():
        times = recurring_times(s, name, ctx.horizon)
        if not times:
            continue
        out[name] = done = OtherWorkDone()
        efforts = draw(rw.hours, ctx.stream(f"recurring/{name}"), len(times)).tolist()
        land = partial(_land, ctx.dispatch, PRIORITY_RANK[rw.priority], ctx.queues[person(rw.person)], done)
        for t, effort in zip(times, efforts, strict=True):
            ctx.kernel.call_in(t, Call(partial(land, effort)))
    return out


def _land(dispatch: DispatchPolicy, priority: int, queue: WorkQueue, done: OtherWorkDone, effort: float,
          _call: Call) -> None:
    """One occurrence lands in the person's queue."""
    dispatch.place(Task(priority, next(dispatch.order), effort, queue, NO_SKILL, done, -1))
