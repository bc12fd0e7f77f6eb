"""Who gets a task, and which task a free person takes: dispatch as a policy object passed to the run.

A policy answers two questions, and the workers and flows ask only these:

- :meth:`DispatchPolicy.place`: a task is ready (new, or put back unfinished):
  queue it and get someone onto it — wake a free person, pull someone off
  less urgent work, or call someone out;
- :meth:`DispatchPolicy.take`: a person is free: which waiting task do they
  start on, if any?

:class:`PriorityDispatch` is the rule a team lead applies today (the only
one so far): the most urgent task first, then the first come; the most
proficient free person on duty, then the longest idle. Another policy (say,
a person taking the task they are best at among the most urgent ones) is a
subclass that overrides :meth:`~PriorityDispatch.take`, handed to the run in
place of this one.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from heapq import heapify, heappop, heappush
from typing import Protocol

from orgsim.sim.calendar import INF
from orgsim.sim.kernel import Kernel
from orgsim.sim.workers import Dispatch, Skill, Task, TaskDone, Trace, Worker, WorkQueue

__all__ = ["POLICIES", "DispatchPolicy", "PriorityDispatch", "SkillDispatch"]


class DispatchPolicy(Dispatch, Protocol):
    """The interface every dispatch policy offers (see the module docstring): a worker's two questions and more."""

    #: numbers tasks in the order they are made: first come, first served among equals
    order: Iterator[int]

    def task(self, priority: int, effort: float, queue: WorkQueue, skill: Skill, done: TaskDone, item: int) -> Task:
        """A new task, numbered in the order tasks are made (first come, first served among equals)."""
        ...

    def place(self, task: Task, at_once: bool = False) -> None:
        """Queue ``task`` (new, or the remainder of paused work) and get someone onto it.

        ``at_once``: the person woken looks now, in this call (an arrival, released between events).
        """
        ...


class PriorityDispatch:
    """Most urgent first, then first come; the most proficient free person, then the longest idle.

    ``preempt_rank``: work this urgent or more pulls someone on duty off less
    urgent work; ``call_out_rank``: work this urgent or more calls someone
    off duty out, when nobody on duty is free (-1 for neither).
    """

    def __init__(self, kernel: Kernel, preempt_rank: int, call_out_rank: int, trace: Trace | None = None) -> None:
        self.kernel = kernel
        self.preempt_rank = preempt_rank
        self.call_out_rank = call_out_rank
        self.trace = trace
        #: first come, first served among equals: hot paths build ``Task(..., next(policy.order), ...)`` directly
        self.order: Iterator[int] = itertools.count(1)

    def task(self, priority: int, effort: float, queue: WorkQueue, skill: Skill, done: TaskDone, item: int) -> Task:
        return Task(priority, next(self.order), effort, queue, skill, done, item)

    def place(self, task: Task, at_once: bool = False) -> None:
        """Queue ``task`` (again, if it was paused) and get someone onto it.

        Who a team lead would give it to: someone on duty and free, the most
        proficient of them, then the longest idle; else pull someone on duty
        off less urgent work; only then call someone off duty out.

        The person woken (or pulled off other work) looks at their queues in
        a call of its own, after whatever else is due now. ``at_once=True``
        makes that look now, inside this call: for an arrival, which the
        kernel releases between events, the call would have been the very
        next event anyway, so it is the same run without an event (two in
        every five messages of ``base.yaml``).
        """
        now = self.kernel.now
        if task.queued_at < 0:
            task.queued_at = now
        queue = task.queue
        heappush(queue.heap, (task.priority, task.order, task))
        if self.trace is not None:
            self.trace(now, "queue", task, queue.name)
        # (The best is (factor, idle since) compared field by field, written out: a tuple per
        # idle person was a fifth of this call at 1,000 people.)
        # a deputy's stand-in queue: while the lead is on duty, she alone serves it
        lead = queue.lead if queue.lead is None or queue.lead.on_duty(now) else None
        if queue.idle:  # (nobody idle, nobody to wake: at utilisation 0.9, three pushes in four)
            best: Worker | None = None
            best_factor = best_idle = INF
            skill = task.skill
            for w in queue.servers:
                if (w.waiting is not None and (w.on_duty_now if now < w.duty_until else w.calendar.on_duty(now))
                        and (lead is None or w is lead)):
                    factor = w.factors.get(skill) or w.factor(skill)
                    if factor < best_factor or (factor == best_factor and w.idle_since < best_idle):
                        best, best_factor, best_idle = w, factor, w.idle_since
            if best is not None:
                best.wake(at_once)
                return
        if task.priority <= self.preempt_rank:
            victim: Worker | None = None
            for w in queue.servers:
                held = w.current
                if (held is not None and held.priority > task.priority and not w.preempted
                        and (lead is None or w is lead) and self._available(w, task.priority, now)
                        and (victim is None or held.priority > victim.current.priority)):  # type: ignore[union-attr]
                    victim = w
            if victim is not None:
                victim.preempted = True
                victim.interrupt(at_once)
                return
        if task.priority <= self.call_out_rank and queue.idle:
            self._call_out(task, now, at_once)

    def take(self, worker: Worker, on_duty: bool, now: float) -> Task | None:
        """The most urgent, then first come, task of the queues ``worker`` serves; off duty, only one that calls them out.

        A deputy takes from the lead's stand-in queue only while the lead is
        off duty; the lead, free and off duty, hands what waits there to a
        free deputy on duty (her shift's end is a pass of her own, idle or not).
        """
        best: WorkQueue | None = None
        for q in worker.queues:
            if (q.heap and (best is None or q.heap[0] < best.heap[0])
                    and (q.lead is None or q.lead is worker or not q.lead.on_duty(now))):
                best = q
        if not on_duty:
            for q in worker.queues:
                if q.lead is worker and q.heap:
                    self._hand_over(q, now)
        if best is None or not (on_duty or self._called_out(worker, best, now)):
            return None
        return heappop(best.heap)[2]

    def _hand_over(self, queue: WorkQueue, now: float) -> None:
        """The lead is off: wake the best free deputy on duty for her stand-in queue's work."""
        best: Worker | None = None
        best_factor = best_idle = INF
        skill = queue.heap[0][2].skill
        for w in queue.servers:
            if w is not queue.lead and w.waiting is not None and w.on_duty(now):
                factor = w.factors.get(skill) or w.factor(skill)
                if factor < best_factor or (factor == best_factor and w.idle_since < best_idle):
                    best, best_factor, best_idle = w, factor, w.idle_since
        if best is not None:
            best.wake()

    def _available(self, worker: Worker, priority: int, now: float) -> bool:
        """May take work of ``priority`` now: on duty, or called out for it."""
        return worker.on_duty(now) or (priority <= self.call_out_rank and not worker.calendar.absent(now))

    def _called_out(self, worker: Worker, best: WorkQueue, now: float) -> bool:
        """Off duty: whether the most urgent task of ``best`` calls ``worker`` out to do it now."""
        if best.heap[0][0] > self.call_out_rank or worker.calendar.absent(now):
            return False
        # Called out only when nobody on duty is free for it (they would have been woken first).
        return not any(w is not worker and w.waiting is not None
                       and (w.on_duty_now if now < w.duty_until else w.calendar.on_duty(now)) for w in best.servers)

    def _call_out(self, task: Task, now: float, at_once: bool) -> None:
        """Nobody on duty is free for ``task`` and nobody was pulled off: call out the best one off duty."""
        best: Worker | None = None
        best_factor = best_idle = INF
        skill = task.skill
        lead = task.queue.lead if task.queue.lead is None or task.queue.lead.on_duty(now) else None
        for w in task.queue.servers:
            if w.waiting is not None and (lead is None or w is lead):
                factor = w.factors.get(skill) or w.factor(skill)
                if ((best is None or factor < best_factor or (factor == best_factor and w.idle_since < best_idle))
                        and self._available(w, task.priority, now)):
                    best, best_factor, best_idle = w, factor, w.idle_since
        if best is not None:
            best.wake(at_once)


class SkillDispatch(PriorityDispatch):
    """Like :class:`PriorityDispatch`, but a free person takes the waiting task they are best at.

    Among the tasks of the most urgent priority waiting in the queues they
    serve (the same tasks the first-come rule would choose from), a person
    takes the one they do fastest (the lowest work-time factor: proficiency ×
    capacity), the first come among equals. A team lead's rule once a backlog
    forms: the Instagram expert takes the Instagram message, not the LinkedIn
    one that came a minute earlier. Who is woken for new work, pre-emption and
    call-outs are :class:`PriorityDispatch`'s. ``policies.dispatch: best_skill``.
    """

    def take(self, worker: Worker, on_duty: bool, now: float) -> Task | None:
        """The most urgent tasks ``worker`` may take; of those, the one they are fastest at (then first come)."""
        first: WorkQueue | None = None
        usable = []
        for q in worker.queues:
            if q.heap and (q.lead is None or q.lead is worker or not q.lead.on_duty(now)):
                usable.append(q)
                if first is None or q.heap[0] < first.heap[0]:
                    first = q
        if not on_duty:
            for q in worker.queues:
                if q.lead is worker and q.heap:
                    self._hand_over(q, now)
        if first is None or not (on_duty or self._called_out(worker, first, now)):
            return None
        priority = first.heap[0][0]
        # (A scan of the waiting tasks of that priority: the heap keeps only the most urgent first come on top.)
        best_q, best_i, best_key = first, 0, (worker.factor(first.heap[0][2].skill), first.heap[0][1])
        factors = worker.factors
        for q in usable:
            for i, (p, order, task) in enumerate(q.heap):
                if p == priority:
                    key = (factors.get(task.skill) or worker.factor(task.skill), order)
                    if key < best_key:
                        best_q, best_i, best_key = q, i, key
        heap = best_q.heap
        task = heap[best_i][2]
        last = heap.pop()
        if best_i < len(heap):
            heap[best_i] = last
            heapify(heap)
        return task


#: the dispatch policies a scenario can choose (``policies.dispatch``)
POLICIES = {"first_come": PriorityDispatch, "best_skill": SkillDispatch}
