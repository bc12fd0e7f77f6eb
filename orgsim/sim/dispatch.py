"""Who gets a task, and which task a free person takes: dispatch as a policy object passed to the run.

A policy answers two questions, and the workers and flows ask only these:

- :meth:`DispatchPolicy.place`: a task is ready (new, or put back unfinished):
  queue it and get someone onto it — wake a free person, pull someone off
  less urgent work, or call someone out;
- :meth:`DispatchPolicy.take`: a person is free: which waiting task do they
  start on, if any?

:class:`PriorityDispatch` is the rule a team lead applies today (the only
one so far): the most urgent task first, then the first come; the most
proficient free person on duty, then the longest idle. Another policy is a
subclass handed to the run in place of this one: :class:`SkillDispatch` (a
person takes the task they are best at among the most urgent ones) overrides
only :meth:`~PriorityDispatch.choose`, which task a free person takes.
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
        # the class's choice, as an instance attribute: ``take`` reads it on every pass, and the
        # interpreter reads an instance's own attribute faster than one it finds on the class
        self._collect_usable = self.looks_past_the_top

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
        # a deputy's stand-in queue: while the lead is on duty, she alone serves it
        lead = queue.lead if queue.lead is None or queue.lead.on_duty(now) else None
        if queue.idle:  # nobody idle: nobody to wake, and no need to look at each server (the usual case under load)
            # The best is (factor, idle since), compared field by field rather than as a tuple:
            # this loop runs over the idle servers of every task queued.
            best: Worker | None = None
            best_factor = best_idle_since = INF
            skill = task.skill
            for server in queue.servers:
                if (server.waiting is not None
                        and (server.on_duty_now if now < server.duty_until else server.calendar.on_duty(now))
                        and (lead is None or server is lead)):
                    factor = server.factors.get(skill) or server.factor(skill)
                    if factor < best_factor or (factor == best_factor and server.idle_since < best_idle_since):
                        best, best_factor, best_idle_since = server, factor, server.idle_since
            if best is not None:
                best.wake(at_once)
                return
        if task.priority <= self.preempt_rank:
            victim: Worker | None = None
            for server in queue.servers:
                in_hand = server.current
                if (in_hand is not None and in_hand.priority > task.priority and not server.preempted
                        and (lead is None or server is lead) and self._available(server, task.priority, now)
                        and (victim is None or in_hand.priority > victim.current.priority)):  # type: ignore[union-attr]
                    victim = server
            if victim is not None:
                victim.preempted = True
                victim.interrupt(at_once)
                return
        if task.priority <= self.call_out_rank and queue.idle:
            self._call_out(task, now, at_once)

    def take(self, worker: Worker, on_duty: bool, now: float) -> Task | None:
        """The task ``worker``, free now, starts on (taken out of its queue), or None to go idle.

        The queues ``worker`` may take from are those that hold work, but for
        a deputy the lead's stand-in queue only while the lead is off duty;
        the lead, free and off duty, hands what waits there to a free deputy
        on duty (her shift's end is a pass of her own, idle or not). Off duty,
        ``worker`` takes only a task that calls them out. Which task: the most
        urgent, then first come, of those queues' tops; a policy that looks
        further (:attr:`looks_past_the_top`) chooses in :meth:`choose`.
        """
        first: WorkQueue | None = None  # the queue whose top task is the most urgent, then first come
        usable: list[WorkQueue] | None = [] if self._collect_usable else None
        for queue in worker.queues:
            if queue.heap and (queue.lead is None or queue.lead is worker or not queue.lead.on_duty(now)):
                if usable is not None:
                    usable.append(queue)
                if first is None or queue.heap[0] < first.heap[0]:
                    first = queue
        if not on_duty:
            for queue in worker.queues:
                if queue.lead is worker and queue.heap:
                    self._hand_over(queue, now)
        if first is None or not (on_duty or self._called_out(worker, first, now)):
            return None
        if usable is None:  # (the rule of choose, inline: this runs on every pass of every person)
            return heappop(first.heap)[2]
        return self.choose(worker, first, usable)

    #: whether :meth:`choose` looks past the top task of each queue (then ``take`` hands it the usable queues)
    looks_past_the_top = False

    def choose(self, worker: Worker, first: WorkQueue, usable: list[WorkQueue]) -> Task:
        """Which waiting task ``worker`` takes (out of its queue), given ``first`` and every ``usable`` queue.

        ``first``: the queue whose top task is the most urgent, then first
        come; ``usable``: every queue ``worker`` may take from now that holds
        work. Here: ``first``'s top task.
        """
        return heappop(first.heap)[2]

    def _hand_over(self, queue: WorkQueue, now: float) -> None:
        """The lead is off: wake the best free deputy on duty for her stand-in queue's work."""
        best: Worker | None = None
        best_factor = best_idle_since = INF
        skill = queue.heap[0][2].skill
        for server in queue.servers:
            if server is not queue.lead and server.waiting is not None and server.on_duty(now):
                factor = server.factors.get(skill) or server.factor(skill)
                if factor < best_factor or (factor == best_factor and server.idle_since < best_idle_since):
                    best, best_factor, best_idle_since = server, factor, server.idle_since
        if best is not None:
            best.wake()

    def _available(self, worker: Worker, priority: int, now: float) -> bool:
        """May take work of ``priority`` now: on duty, or called out for it."""
        return worker.on_duty(now) or (priority <= self.call_out_rank and not worker.calendar.absent(now))

    def _called_out(self, worker: Worker, first: WorkQueue, now: float) -> bool:
        """Off duty: whether the most urgent task of ``first`` calls ``worker`` out to do it now."""
        if first.heap[0][0] > self.call_out_rank or worker.calendar.absent(now):
            return False
        # Called out only when nobody on duty is free for it (they would have been woken first).
        return not any(server is not worker and server.waiting is not None
                       and (server.on_duty_now if now < server.duty_until else server.calendar.on_duty(now))
                       for server in first.servers)

    def _call_out(self, task: Task, now: float, at_once: bool) -> None:
        """Nobody on duty is free for ``task`` and nobody was pulled off: call out the best one off duty."""
        best: Worker | None = None
        best_factor = best_idle_since = INF
        skill = task.skill
        lead = task.queue.lead if task.queue.lead is None or task.queue.lead.on_duty(now) else None
        for server in task.queue.servers:
            if server.waiting is not None and (lead is None or server is lead):
                factor = server.factors.get(skill) or server.factor(skill)
                if ((best is None or factor < best_factor
                     or (factor == best_factor and server.idle_since < best_idle_since))
                        and self._available(server, task.priority, now)):
                    best, best_factor, best_idle_since = server, factor, server.idle_since
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

    looks_past_the_top = True

    def choose(self, worker: Worker, first: WorkQueue, usable: list[WorkQueue]) -> Task:
        """Of the most urgent tasks waiting in ``usable``, the one ``worker`` is fastest at (then first come)."""
        priority, first_order, first_task = first.heap[0]
        # Every waiting task of that priority is a candidate, not only the heaps' tops: a heap keeps
        # just its most urgent first come on top, so the scan reads each usable queue whole.
        best_queue, best_index, best_key = first, 0, (worker.factor(first_task.skill), first_order)
        factors = worker.factors
        for queue in usable:
            for index, (task_priority, order, task) in enumerate(queue.heap):
                if task_priority == priority:
                    key = (factors.get(task.skill) or worker.factor(task.skill), order)
                    if key < best_key:
                        best_queue, best_index, best_key = queue, index, key
        heap = best_queue.heap
        chosen = heap[best_index][2]
        last = heap.pop()
        if best_index < len(heap):  # the chosen task's place is filled by the last entry, then the heap mended
            heap[best_index] = last
            heapify(heap)
        return chosen

#: the dispatch policies a scenario can choose (``policies.dispatch``)
POLICIES = {"first_come": PriorityDispatch, "best_skill": SkillDispatch}
