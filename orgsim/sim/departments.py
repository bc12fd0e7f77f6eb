"""A workflow step done by another department: the work leaves the team and comes back.

An escalation to Customer Care, a legal read, Product's sign-off on a spec:
the team hands the work over (the handoff leg to the department's node), the
department works ``effort_hours`` of its own time — only while it is open
(its ``hours``, ``days`` and ``timezone``; a department without hours is
always there) — and the next step starts after the leg back. A department
is many people next to the trickle the social team sends it, so it is taken
as having someone free whenever it is open (no queue: an infinite-server
station on the department's calendar — an assumption; give the step to an
``external`` approver to model one person's queue instead). From the
requester's side all of it is silo overhead: it counts on the handoff clock,
not as the team's hands-on work, and it costs the team no person-hours.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

from orgsim.sim.calendar import INF, Calendar

if TYPE_CHECKING:
    from orgsim.org.graph import Leg
    from orgsim.sim.context import RunContext

__all__ = ["finish_on", "visit"]


def finish_on(cal: Calendar, t: float, hours: float) -> float:
    """When ``hours`` of duty time started at ``t`` are done on ``cal`` (``inf`` past its last interval).

    >>> from orgsim.sim.calendar import Calendar
    >>> cal = Calendar.from_intervals([(9, 17), (33, 41)])
    >>> finish_on(cal, 16, 3), finish_on(cal, 0, 1), finish_on(cal, 10.0, 0)
    (35.0, 10.0, 10.0)
    """
    if hours <= 0:
        return t
    target = cal.duty_before(t) + hours
    k = bisect.bisect_left(cal.cumulative, target) - 1  # the duty interval in which the total reaches the target
    if k < 0 or 2 * k >= len(cal.bounds):
        return INF
    return cal.bounds[2 * k] + target - cal.cumulative[k]


def visit(ctx: RunContext, leg: Leg, department: str, effort: float) -> Any:
    """Hand the work to ``department`` and wait for its answer; returns (handoff, queue, work) hours."""
    kernel = ctx.kernel
    h = ctx.handoff_delay(leg)
    if h:
        yield kernel.timeout(h)
    now = kernel.now
    calendar = ctx.department_calendars.get(department)
    end = now + effort if calendar is None else finish_on(calendar, now, effort)
    end = min(end, ctx.horizon + 1.0)  # past the horizon: still open when the run stops
    if end > now:
        yield kernel.timeout(end - now)
    return h + end - now, 0.0, 0.0
