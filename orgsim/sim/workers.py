"""People who pull work from priority queues: tasks, the queues they wait in, and each person's working loop.

Each person (and each approver outside the team) works in a loop written as
calls on the kernel's heap rather than a generator process (see
:meth:`Worker._pass`): take a task (which one is the dispatch policy's choice,
:mod:`orgsim.sim.dispatch`), work on it until it is done, the shift ends, or
something more urgent pushes it aside, then hand any unfinished remainder
back to the policy to queue again. Outside their hours a person only takes
work urgent enough to be done after hours, and that time is counted as
after-hours work (the burnout signal).

Messages and request parts are plain :class:`Task` objects in a queue, not
processes of their own: hundreds of thousands of messages a year cost one
event each, the end of their work. Each person has at most one pending
shift alarm (:meth:`Worker._pass`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any, Protocol

from orgsim.sim.calendar import INF, Calendar
from orgsim.sim.kernel import Call, Kernel
from orgsim.sim.service import Proficiency, Skill, skill_factor

__all__ = ["DONE_EPS", "Dispatch", "Skill", "Task", "TaskDone", "Trace", "Worker", "WorkQueue"]

#: a task with less than this many hours of effort left is done (the float dust of paused work)
DONE_EPS = 1e-9

#: the run's event log, if kept: (time, event, task, where)
Trace = Callable[[float, str, "Task", str], None]


class TaskDone(Protocol):
    """What waits for a task: told, with the task, when it is finished.

    A SimPy event that a request's process yields, the direct path's answer
    (:mod:`orgsim.sim.flows`), the recorder's message replies, an approver's
    or a habit's own-work counter.
    """

    def succeed(self, task: Task) -> Any: ...


class Dispatch(Protocol):
    """What a worker asks of the dispatch policy (the whole interface: :class:`orgsim.sim.dispatch.DispatchPolicy`)."""

    def take(self, worker: Worker, on_duty: bool, now: float) -> Task | None:
        """The task ``worker``, free now, starts on (taken out of its queue), or None to go idle."""
        ...

    def place(self, task: Task, at_once: bool = False) -> None:
        """Queue ``task`` (here: its unfinished remainder) and get someone onto it."""
        ...


class Task:
    """A piece of work waiting in, or taken from, a :class:`WorkQueue`."""

    __slots__ = ("priority", "order", "effort_left", "queue", "skill", "done", "item", "queued_at", "work_hours")

    def __init__(self, priority: int, order: int, effort: float, queue: WorkQueue, skill: Skill, done: TaskDone,
                 item: int) -> None:
        self.priority = priority  # PRIORITY_RANK: lower is more urgent
        self.order = order  # first come, first served among equals (the dispatch policy's counter)
        self.effort_left = effort  # hours of hands-on effort still to do (clock hours: × the worker's factor)
        self.queue = queue
        self.skill = skill
        self.done = done
        #: message number, request number, -1 for other work, -1 - i for insight i's noticing (for the log)
        self.item = item
        self.queued_at = -1.0  # when first queued (-1: not yet)
        self.work_hours = 0.0  # clock hours spent on it


class WorkQueue:
    """A priority queue of tasks (most urgent first, then first come) and who serves it."""

    __slots__ = ("name", "heap", "servers", "idle", "lead")

    def __init__(self, name: str) -> None:
        self.name = name
        #: a deputy's stand-in queue (``deputised:<lead>``): the lead, whom the other servers serve it for,
        #: only while she is off duty; None for every other queue (all its servers serve it alike)
        self.lead: Worker | None = None
        #: ``(priority, order, task)``: the most urgent, then the first come, on top
        self.heap: list[tuple[int, int, Task]] = []
        self.servers: list[Worker] = []
        #: how many of ``servers`` are idle (``Worker.waiting`` set), on duty or not: with none,
        #: the dispatch policy has nobody to wake and skips looking at each of them
        self.idle = 0


class Worker:
    """One person (or outside approver): a calendar, skills, the queues they serve, and their working loop."""

    # slots: fixed attributes read on every event (and 1,000 people's state packed closer in memory)
    __slots__ = ("kernel", "dispatch", "name", "calendar", "queues", "proficiency", "hours_per_effort", "factors",
                 "current", "waiting", "alarm", "alarm_at", "position", "chunk_end", "chunk_start", "chunk_on_duty",
                 "chunk_hours", "skill_in_hand", "factor_in_hand", "on_duty_now", "duty_until", "idle_since",
                 "preempted", "busy_hours", "after_hours", "tasks_done", "window", "trace", "switch", "last_kind",
                 "switch_hours")

    def __init__(self, kernel: Kernel, dispatch: Dispatch, name: str, calendar: Calendar, capacity: float,
                 proficiency: Proficiency, position: int,
                 window: tuple[float, float], trace: Trace | None = None) -> None:
        self.kernel = kernel
        self.dispatch = dispatch
        self.name = name
        self.calendar = calendar
        self.queues: list[WorkQueue] = []
        #: work-time factor per channel, function and audience (a name not
        #: listed, such as coordination's "no channel", counts as 1)
        self.proficiency = proficiency
        self.hours_per_effort = 1 / capacity
        #: clock hours per hour of effort, by skill (filled by :meth:`factor`; the dispatch policy reads it)
        self.factors: dict[Skill, float] = {}
        #: the skill of the task in hand (or last in hand) and its factor: a pod's messages share one
        #: skill tuple, so most passes find the factor here, without a lookup in ``factors``
        self.skill_in_hand: Skill | None = None
        self.factor_in_hand = 1.0
        self.current: Task | None = None
        #: not None while idle: the shift alarm that will re-check (or a token when none is set)
        self.waiting: object | None = None
        #: this person's one pending shift alarm and its time (None: none pending); see :meth:`_pass`
        self.alarm: Call | None = None
        self.alarm_at = -INF
        #: where this person stands in the team as listed: their alarm's place among alarms at one instant
        self.position = position
        #: the end of the chunk of work in hand: one call, scheduled again for every chunk (see :meth:`_interrupted`)
        self.chunk_end = Call(self._worked)
        self.chunk_start, self.chunk_on_duty, self.chunk_hours = 0.0, False, 0.0
        #: on duty or not, as the last pass found it, and until when that holds (see :meth:`on_duty`)
        self.on_duty_now, self.duty_until = False, -INF
        self.idle_since = 0.0
        self.preempted = False
        self.busy_hours = 0.0  # hours worked inside the measured window
        self.after_hours = 0.0  # ... of which outside their hours
        self.tasks_done = 0
        self.window = window  # (warm-up end, horizon): the hours that count
        self.trace = trace
        #: clock hours of setup when the channels, function or audience change (None: switching is free)
        self.switch: tuple[float, float, float] | None = None
        #: the channels, function and audience of the last task that named each (None: none yet)
        self.last_kind: list[Any] = [None, None, None]
        self.switch_hours = 0.0  # setup hours started inside the measured window
        # started as a SimPy process would be: a call now, before anything else due now
        kernel.call_first(Call(self._pass))

    def on_duty(self, now: float) -> bool:
        """On duty at ``now`` (not before this worker's last pass).

        The last pass found the duty state and the next shift boundary; until
        then the answer is known without a search of the calendar. Queuing a
        task asks it of every idle server of the queue (the dispatch policy
        inlines this test), so a search each time would grow with the team.
        """
        return self.on_duty_now if now < self.duty_until else self.calendar.on_duty(now)

    def factor(self, skill: Skill) -> float:
        """Clock hours per hour of effort: capacity times proficiency on what the work concerns.

        The rule (:func:`orgsim.sim.service.skill_factor`, which ``orgsim
        estimate`` calls too): the mean of the person's channel factors over
        the task's channels × the function factor × the audience factor.
        """
        factor = self.factors.get(skill)
        if factor is None:
            factor = self.factors[skill] = skill_factor(self.proficiency, skill, self.hours_per_effort)
        return factor

    def _setup(self, skill: Skill) -> float:
        """Clock hours of setup to start a task of ``skill``: the switch cost of each dimension that changes.

        A dimension changes when the task names it (coordination names no
        channel, function or audience) and the last task that named it named
        something else; the first task that names it costs nothing.
        """
        channels, function, audience = skill
        hours, last = 0.0, self.last_kind
        for dimension, kind in enumerate((frozenset(channels) if channels else None, function, audience)):
            if kind is not None:
                if last[dimension] is not None and last[dimension] != kind:
                    hours += self.switch[dimension]  # type: ignore[index]
                last[dimension] = kind
        return hours

    def wake(self, at_once: bool = False) -> None:
        """Look at the queues now, after what is already due now; ``at_once``: in this call (an arrival's)."""
        if self.waiting is not None:
            self.waiting = None  # no longer idle: one idle server fewer in each queue (see ``WorkQueue.idle``)
            for q in self.queues:
                q.idle -= 1
            if at_once:
                self._pass()
            else:  # what ``Event.succeed`` did: a call now, after what is already due now
                self.kernel.call_in(0.0, Call(self._pass))

    def interrupt(self, at_once: bool = False) -> None:
        """Stop the work in hand now, before anything else due now (where SimPy's ``Process.interrupt`` put it)."""
        if at_once:
            self._interrupted()
        else:
            self.kernel.call_first(Call(self._interrupted))

    def _alarm(self, call: Call) -> None:
        """The shift boundary this person idled towards: look at the queues again (now, not as another event)."""
        if self.alarm is call:  # (one set for the next boundary by a pass at this instant may be pending)
            self.alarm = None
        if self.waiting is call:
            self.wake(at_once=True)

    # The hot loop of every run, written as calls rather than a generator process: it runs for
    # every chunk of work, and resuming a process and building a ``Timeout`` each time cost more
    # than the work itself (docs/validation.md, "The engine work of issue #20"). Each call below
    # is scheduled at exactly the time, priority and place in line where the process's event
    # was, so a run is the same, event for event, but for the shift alarms (see ``Kernel.alarm``).
    def _pass(self, _call: Call | None = None) -> None:
        """Take a task (the dispatch policy's choice) and start on it, or go idle until woken."""
        self.preempted = False
        now = self.kernel.now
        if now < self.duty_until:  # no shift boundary since the last pass: its answer holds
            on_duty, shift_change = self.on_duty_now, self.duty_until
        else:
            bounds = self.calendar.bounds
            # one bisect answers both "on duty?" and "until when?"
            boundary = bisect_right(bounds, now)
            on_duty = boundary & 1 == 1
            shift_change = bounds[boundary] if boundary < len(bounds) else INF
            self.on_duty_now, self.duty_until = on_duty, shift_change
        task = self.dispatch.take(self, on_duty, now)
        if task is None:  # idle: wait to be woken, and re-check at the next shift boundary
            self.idle_since = now
            for q in self.queues:  # (a pass only ever runs while not idle: wake and the alarm end idling first)
                q.idle += 1
            if shift_change < self.window[1]:
                # None at or after the horizon, where the run stops first: an always-on
                # worker would leave one pending alarm per idle spell there.
                # One alarm per person: an alarm still pending is for this same
                # boundary (none has passed since it was set) and is reused, where a
                # new one per idle spell would leave a stale alarm for every time the
                # person was woken before their shift changed.
                if self.alarm is not None and self.alarm_at == shift_change:
                    self.waiting = self.alarm
                else:
                    self.waiting = self.alarm = alarm = Call(self._alarm)
                    self.alarm_at = shift_change
                    self.kernel.alarm(now + (shift_change - now), self.position, alarm)
            else:
                self.waiting = _IDLE
            return
        self.current = task
        skill = task.skill
        if skill is self.skill_in_hand:
            factor = self.factor_in_hand
        else:
            factor = self.factor_in_hand = self.factors.get(skill) or self.factor(skill)
            self.skill_in_hand = skill
            if self.switch is not None:  # a change of task: setup time, as work on this task
                setup = self._setup(skill)
                if setup:
                    task.effort_left += setup / factor
                    if self.window[0] <= now < self.window[1]:
                        self.switch_hours += setup
        hours = task.effort_left * factor
        self.chunk_start = now
        self.chunk_on_duty = on_duty
        self.chunk_hours = hours
        if self.trace is not None:
            self.trace(now, "start", task, self.name)
        if on_duty and hours > shift_change - now:  # the chunk ends with the shift
            hours = shift_change - now
        self.kernel.call_in(hours, self.chunk_end)

    def _interrupted(self, _call: Call | None = None) -> None:
        """Pre-empted: the chunk in hand ends now.

        Its end stays on the heap (a heap cannot take an entry out cheaply)
        and calls nothing when it comes; the next chunk gets a call of its own.
        """
        self.chunk_end.cancel()
        self.chunk_end = Call(self._worked)
        self._worked()

    def _worked(self, _call: Call | None = None) -> None:
        """The chunk of work ends (done, shift over, or pre-empted): count it, hand the task on, take the next."""
        end = self.kernel.now
        task, start = self.current, self.chunk_start
        assert task is not None
        self.current = None
        elapsed = end - start
        if elapsed >= self.chunk_hours - DONE_EPS:
            task.effort_left = 0.0
        else:
            task.effort_left -= elapsed / self.factor_in_hand
        task.work_hours += elapsed
        window_start, window_end = self.window
        # the part of the chunk inside the measured window
        counted_from = start if start > window_start else window_start
        counted_to = end if end < window_end else window_end
        if counted_to > counted_from:
            self.busy_hours += counted_to - counted_from
            if not self.chunk_on_duty:
                self.after_hours += (counted_to - counted_from) - self.calendar.duty_between(counted_from, counted_to)
        trace = self.trace
        if task.effort_left <= DONE_EPS:
            self.tasks_done += 1
            if trace is not None:
                trace(end, "finish", task, self.name)
            task.done.succeed(task)
        else:
            if trace is not None:
                trace(end, "pause", task, self.name)
            self.dispatch.place(task)
        self._pass()


#: what an idle worker waits on when no shift alarm is set for it
_IDLE = object()
