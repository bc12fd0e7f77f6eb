"""People who pull work from priority queues, on SimPy's event loop.

Each person (and each approver outside the team) works in a loop, written as
callbacks on SimPy's event heap rather than a generator process (see
:meth:`Worker._pass`): take the most urgent task from the queues they serve, work on it until it is
done, their shift ends, or something more urgent pushes it aside, then put
any unfinished remainder back at its place in line. Outside their hours a
person only takes work urgent enough to be done after hours, and that time
is counted as after-hours work (the burnout signal).

Messages and request parts are plain :class:`Task` objects in a queue, not
processes of their own: hundreds of thousands of messages a year cost one
event each, the end of their work (their arrivals are merged into the run
loop, ``Model._loop``, and the person woken by one looks at once). Each
person has one pending shift alarm at most (:meth:`Worker._pass`), on a heap
of alarms apart from SimPy's (``Dispatcher.alarms``).
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy

from orgsim.sim.calendar import INF, Calendar

__all__ = ["Task", "WorkQueue", "Worker", "Dispatcher"]

DONE_EPS = 1e-9


class Task:
    """A piece of work waiting in, or taken from, a :class:`WorkQueue`."""

    __slots__ = ("prio", "seq", "left", "queue", "skill", "done", "item", "enqueued", "work")

    def __init__(self, prio: int, seq: int, effort: float, queue: WorkQueue, skill: tuple[Any, ...],
                 done: simpy.Event | None, item: int) -> None:
        self.prio = prio
        self.seq = seq
        self.left = effort  # hours of hands-on work still to do
        self.queue = queue
        self.skill = skill  # (channels, function, audience): what the work needs
        self.done = done  # fired when finished; None for community messages
        self.item = item  # message index, or request index (for the log)
        self.enqueued = -1.0
        self.work = 0.0  # clock hours spent on it


class WorkQueue:
    """A priority queue of tasks (most urgent first, then first come) and who serves it."""

    __slots__ = ("name", "heap", "servers", "idle")

    def __init__(self, name: str) -> None:
        self.name = name
        self.heap: list[tuple[int, int, Task]] = []
        self.servers: list[Worker] = []
        #: how many of ``servers`` are idle (``Worker.waiting`` set), on duty or not: with none,
        #: ``Dispatcher.push`` has nobody to wake and skips looking at each of them
        self.idle = 0


class Worker:
    """One person (or outside approver): a calendar, skills and the queues they serve."""

    # slots: fixed attributes read on every event (and 1,000 people's state packed closer in memory)
    __slots__ = ("disp", "env", "name", "cal", "queues", "proficiency", "base", "_factor", "current", "waiting",
                 "alarm", "alarm_at", "order", "timer", "_worked_calls", "since", "on", "need", "f", "duty", "until",
                 "idle_since", "preempted", "busy", "after", "done", "heap", "eid", "alarms", "fskill")

    def __init__(self, disp: Dispatcher, name: str, calendar: Calendar, capacity: float,
                 proficiency: tuple[dict[str, float], dict[str, float], dict[str, float]]) -> None:
        self.disp = disp
        self.env = disp.env
        self.name = name
        self.cal = calendar
        self.queues: list[WorkQueue] = []
        #: work-time factor per channel, function and audience (a name not
        #: listed, such as coordination's "no channel", counts as 1)
        self.proficiency = proficiency
        self.base = 1 / capacity
        self._factor: dict[tuple[Any, ...], float] = {}
        #: the skill of the task in hand (or last in hand), whose factor is ``f``: a pod's messages
        #: share one skill tuple, so most passes find the factor there, without a lookup in ``_factor``
        self.fskill: tuple[Any, ...] | None = None
        self.current: Task | None = None
        #: not None while idle: the shift alarm that will re-check (or a token when none is set)
        self.waiting: object | None = None
        #: this person's one shift alarm pending (on ``Dispatcher.alarms``) and its time (None: none pending); see :meth:`_pass`
        self.alarm: Call | None = None
        self.alarm_at = -INF
        #: where this person's alarm stands among alarms at the same instant: the order people were
        #: listed in (the alarms come after every other event due then; see ``Dispatcher.alarms``)
        self.order = next(disp.people)
        #: the end of the chunk of work in hand: one call, pushed again for every chunk (see :meth:`_interrupted`)
        self.timer = Call(self._worked)
        self._worked_calls = self.timer.callbacks  # what the loop calls when a chunk ends (only read, never changed)
        self.since, self.on, self.need, self.f = 0.0, False, 0.0, 1.0  # that chunk's start, duty, hours, factor
        #: on duty or not, as the last pass found it, and until when that holds (see :meth:`on_duty`)
        self.duty, self.until = False, -INF
        self.idle_since = 0.0
        self.preempted = False
        self.busy = 0.0  # hours worked inside the measured window
        self.after = 0.0  # ... of which outside their hours
        self.done = 0  # tasks finished
        #: SimPy's event heap and event ids, which the callbacks below schedule on directly
        self.heap: list[Any] = self.env._queue
        self.eid = self.env._eid
        #: the run's heap of shift alarms, apart from SimPy's (see ``Dispatcher.alarms``)
        self.alarms = disp.alarms
        # started as a SimPy process would be: a call now, before anything else due now
        heappush(self.heap, (self.env._now, URGENT, next(self.eid), Call(self._pass)))  # type: ignore[misc]

    def on_duty(self, now: float) -> bool:
        """On duty at ``now`` (not before this worker's last pass).

        The last pass found the duty state and the next shift boundary; until
        then the answer is known without a search of the calendar. Pushing a
        task asks it of every idle server of the queue (the hot loops inline
        this test): at 1,000 people the calendar searches were a quarter of
        the run under cProfile.
        """
        return self.duty if now < self.until else self.cal.on_duty(now)

    def available(self, prio: int, now: float) -> bool:
        """May take work of priority ``prio`` now: on duty, or called out for it (see :class:`Dispatcher`)."""
        return self.on_duty(now) or (prio <= self.disp.call_out_rank and not self.cal.absent(now))

    def factor(self, skill: tuple[Any, ...]) -> float:
        """Clock hours per hour of effort: capacity times proficiency on what the work concerns.

        The proficiency factor is the product of three: the mean of the
        person's channel factors over the task's channels (a task on two
        platforms is half on each), the function factor and the audience
        factor. A product, not the worst of the three, so that a platform
        expert doing ordinary work for an audience she knows is faster than
        a generalist, and a novice on two counts is slower than on one.
        """
        f = self._factor.get(skill)
        if f is None:
            channels, function, audience = skill
            ch, fn, au = self.proficiency
            c = sum(ch.get(x, 1.0) for x in channels) / len(channels) if channels else 1.0
            f = self._factor[skill] = self.base * c * fn.get(function, 1.0) * au.get(audience, 1.0)
        return f

    def wake(self, at_once: bool = False) -> None:
        """Look at the queues now, after what is already due now; ``at_once``: in this call (see ``Dispatcher.push``)."""
        if self.waiting is not None:
            self._stop_idling()
            if at_once:
                self._pass()
            else:  # what ``Event.succeed`` did: a call now, after what is already due now
                heappush(self.heap, (self.env._now, NORMAL, next(self.eid), Call(self._pass)))

    def interrupt(self, at_once: bool = False) -> None:
        """Stop the work in hand now, before anything else due now (where SimPy's ``Process.interrupt`` put it)."""
        if at_once:
            self._interrupted()
        else:
            heappush(self.heap, (self.env._now, URGENT, next(self.eid), Call(self._interrupted)))

    def _alarm(self, ev: Call) -> None:
        """The shift boundary this person idled towards: look at the queues again (now, not as another event)."""
        if self.alarm is ev:  # (one set for the next boundary by a pass at this instant may be pending)
            self.alarm = None
        if self.waiting is ev:
            self._stop_idling()
            self._pass()

    def _stop_idling(self) -> None:
        """No longer idle: nothing to wait on, one idle server fewer in each queue (see ``WorkQueue.idle``)."""
        self.waiting = None
        for q in self.queues:
            q.idle -= 1

    def _called_out(self, best: WorkQueue, now: float) -> bool:
        """Off duty: whether the most urgent task of ``best`` calls this person out to do it now."""
        if best.heap[0][0] > self.disp.call_out_rank or self.cal.absent(now):
            return False
        # Called out only when nobody on duty is free for it (they would have been woken first).
        return not any(w is not self and w.waiting is not None and (w.duty if now < w.until else w.cal.on_duty(now))
                       for w in best.servers)

    # The hot loop of every run, as callbacks rather than a generator process:
    # the profile of base.yaml showed resuming a process (``Process._resume``,
    # the generator's ``send``) and building ``Timeout`` events as about a sixth
    # of the run. Each call below is scheduled at exactly the time, priority and
    # place in line where the process's event was (the event ids keep their
    # order), so a run is the same, event for event, but for the shift alarms:
    # one per person, after every other event at their instant and in the team's
    # order among themselves (``Dispatcher.alarms``).
    def _pass(self, _ev: Any = None) -> None:
        """Take the most urgent takeable task and start on it, or go idle until woken."""
        self.preempted = False
        now = self.env._now
        if now < self.until:  # no shift boundary since the last pass: its answer holds
            on, change = self.duty, self.until
        else:
            bounds = self.cal.bounds
            # one bisect answers both "on duty?" and "until when?"
            i = bisect_right(bounds, now)
            on = i & 1 == 1
            change = bounds[i] if i < len(bounds) else INF
            self.duty, self.until = on, change
        # the most urgent task of the queues served; off duty, only if it calls this person out
        best: WorkQueue | None = None
        for q in self.queues:
            if q.heap and (best is None or q.heap[0] < best.heap[0]):
                best = q
        task = None if best is None or not (on or self._called_out(best, now)) else heappop(best.heap)[2]
        if task is None:
            self.idle_since = now
            for q in self.queues:  # (a pass only ever runs while not idle: wake and the alarm end idling first)
                q.idle += 1
            if change < self.disp.window[1]:
                # Re-check at the next shift boundary: queued work may become takeable.
                # None at or after the horizon, where the run stops first: an
                # always-on worker left one pending alarm per idle spell there,
                # and they filled the event heap (and the garbage collector's work).
                # One alarm per person: an alarm still pending is for this same
                # boundary (none has passed since it was set) and is reused; a
                # new one per idle spell left one stale alarm on the heap for
                # every time the person was woken before their shift changed.
                if self.alarm is not None and self.alarm_at == change:
                    self.waiting = self.alarm
                else:
                    self.waiting = self.alarm = alarm = Call(self._alarm)
                    self.alarm_at = change
                    heappush(self.alarms, (now + (change - now), self.order, alarm))
            else:
                self.waiting = _IDLE
            return
        self.current = task
        skill = task.skill
        if skill is self.fskill:
            f = self.f
        else:
            f = self.f = self._factor.get(skill) or self.factor(skill)
            self.fskill = skill
        need = task.left * f
        self.since = now  # (three assignments: a tuple on the right was built and unpacked)
        self.on = on
        self.need = need
        trace = self.disp.trace
        if trace is not None:
            trace(now, "start", task, self.name)
        timer = self.timer
        timer.callbacks = self._worked_calls
        if on and need > change - now:  # the chunk ends with the shift
            need = change - now
        heappush(self.heap, (now + need, NORMAL, next(self.eid), timer))

    def _interrupted(self, _ev: Any = None) -> None:
        # The chunk's end stays on the heap and no longer concerns anyone: it calls nothing
        # when it comes; the next chunk gets a call of its own.
        self.timer.callbacks = []
        self.timer = Call(self._worked)
        self._worked_calls = self.timer.callbacks
        self._worked()

    def _worked(self, _ev: Any = None) -> None:
        """The chunk of work ends (done, shift over, or pre-empted): count it, hand the task on, take the next."""
        end = self.env._now
        task, now, disp = self.current, self.since, self.disp
        assert task is not None
        self.current = None
        elapsed = end - now
        task.left = 0.0 if elapsed >= self.need - DONE_EPS else task.left - elapsed / self.f
        task.work += elapsed
        w0, w1 = disp.window
        a = now if now > w0 else w0
        b = end if end < w1 else w1
        if b > a:
            self.busy += b - a
            if not self.on:
                self.after += (b - a) - self.cal.duty_between(a, b)
        trace = disp.trace
        if task.left <= DONE_EPS:
            self.done += 1
            if trace is not None:
                trace(end, "finish", task, self.name)
            done = task.done  # a message's handler, or the done event of what waits for the task
            if done is None:
                disp.on_message_done(task)
            else:
                done.succeed(task)
        else:
            if trace is not None:
                trace(end, "pause", task, self.name)
            disp.push(task)
        self._pass()


#: SimPy's event priorities (``simpy.events.URGENT`` / ``NORMAL``)
URGENT, NORMAL = 0, 1
#: what an idle worker waits on when no shift alarm is set for it
_IDLE = object()


class Call:
    """A scheduled call: all that ``Environment.step`` asks of an event (``callbacks``, ``_ok``).

    Pushed straight onto the environment's heap as ``(time, priority, id, call)``,
    the tuple ``Environment.schedule`` builds, at a fraction of a ``Timeout``'s cost.
    """

    __slots__ = ("callbacks", "_ok", "_value")

    def __init__(self, fn: Callable[[Any], None]) -> None:
        self.callbacks = [fn]
        self._ok = True
        self._value = None


class Dispatcher:
    """Puts tasks in queues and wakes, or pre-empts, the right person."""

    def __init__(self, env: simpy.Environment, preempt_rank: int, call_out_rank: int,
                 window: tuple[float, float], on_message_done: Callable[[Task], None],
                 trace: Callable[[float, str, Task, str], None] | None = None) -> None:
        self.env = env
        self.preempt_rank = preempt_rank
        #: work this urgent (rank this low) or more may call someone off duty out
        self.call_out_rank = call_out_rank
        self.window = window
        self.on_message_done = on_message_done
        self.trace = trace
        #: first come, first served among equals: hot paths build ``Task(prio, next(disp.seq), ...)`` directly
        self.seq = itertools.count(1)
        #: numbers the people in the order they are built (see ``Worker.order``)
        self.people = itertools.count()
        #: the shift alarms, ``(time, Worker.order, call)``, on a heap of their own that the run
        #: loop merges with SimPy's (``Model._loop``). Nine in ten events pending are alarms (each
        #: person idle off shift has one, hours ahead): on SimPy's heap every push and pop sifted
        #: through them. Apart, the heap that turns over ~3 times an item holds what is due soon
        #: (~113 events at 1,000 people instead of ~1,094): 3% fewer instructions and, at 1,000
        #: people, 7% fewer L2 misses per item (callgrind; docs/validation.md, "Scale: where the
        #: cost per item goes").
        #: The loop takes an alarm only when it is strictly earlier than SimPy's next event: at a
        #: shift boundary the people whose shift changes look at their queues after everything
        #: else due then (a colleague's chunk of work ending at the same boundary has put its
        #: task back), one after another in the order they are listed in the scenario
        #: (``Worker.order``). On SimPy's heap the same order took an id above any SimPy hands out.
        self.alarms: list[tuple[float, int, Call]] = []

    def task(self, prio: int, effort: float, queue: WorkQueue, skill: tuple[Any, ...], done: simpy.Event | None,
             item: int) -> Task:
        return Task(prio, next(self.seq), effort, queue, skill, done, item)

    def push(self, task: Task, at_once: bool = False) -> None:
        """Queue ``task`` (again, if it was paused) and get someone onto it.

        The person woken (or pulled off other work) looks at their queues in
        a call of its own, after whatever else is due now. ``at_once=True``
        makes that look now, inside this call: for an arrival, which the run
        loop releases between events (``Model._loop``), the call would have
        been the very next event anyway, so it is the same run without an
        event (two in every five messages of ``base.yaml``).
        """
        now = self.env._now
        if task.enqueued < 0:
            task.enqueued = now
        q = task.queue
        heappush(q.heap, (task.prio, task.seq, task))
        if self.trace is not None:
            self.trace(now, "queue", task, q.name)
        # Who a team lead would give it to: someone on duty and free, the most
        # proficient of them, then the longest idle; else pull someone on duty
        # off less urgent work; only then call someone off duty out.
        # (The order is (factor, idle since) compared field by field, written
        # out: a tuple per idle person was a fifth of this call at 1,000 people.)
        if q.idle:  # (nobody idle, nobody to wake: at utilisation 0.9, three pushes in four)
            best: Worker | None = None
            bf = bi = INF
            skill = task.skill
            for w in q.servers:
                if w.waiting is not None and (w.duty if now < w.until else w.cal.on_duty(now)):
                    f = w._factor.get(skill) or w.factor(skill)
                    if f < bf or (f == bf and w.idle_since < bi):
                        best, bf, bi = w, f, w.idle_since
            if best is not None:
                best.wake(at_once)
                return
        if task.prio <= self.preempt_rank:
            victim: Worker | None = None
            for w in q.servers:
                cur = w.current
                if (cur is not None and cur.prio > task.prio and not w.preempted and w.available(task.prio, now)
                        and (victim is None or cur.prio > victim.current.prio)):  # type: ignore[union-attr]
                    victim = w
            if victim is not None:
                victim.preempted = True
                victim.interrupt(at_once)
                return
        if task.prio <= self.call_out_rank and q.idle:
            self._call_out(task, now, at_once)

    def _call_out(self, task: Task, now: float, at_once: bool) -> None:
        """Nobody on duty is free for ``task`` and nobody was pulled off: call out the best one off duty."""
        best: Worker | None = None
        bf = bi = INF
        skill = task.skill
        for w in task.queue.servers:
            if w.waiting is not None:
                f = w._factor.get(skill) or w.factor(skill)
                if (best is None or f < bf or (f == bf and w.idle_since < bi)) and w.available(task.prio, now):
                    best, bf, bi = w, f, w.idle_since
        if best is not None:
            best.wake(at_once)
