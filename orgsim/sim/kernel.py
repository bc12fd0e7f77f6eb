"""The run's clock and the order of its events: the one module that knows that order.

A run is four kinds of happening, taken in time order by :meth:`Kernel.run`:

- **events on the heap**: SimPy's own (a request's process waiting on a
  timeout or a done event) and the engine's :class:`Call` objects (a person's
  chunk of work ending, a person woken). At one instant they go by priority
  (``URGENT`` before ``NORMAL``), then in the order they were scheduled:
  SimPy's rule, kept for both kinds alike by one counter.
- **shift alarms** (:meth:`Kernel.alarm`): a person idle until their shift
  changes looks at their queues again. An alarm goes after everything else
  due at its instant, so that a colleague's chunk ending at the same boundary
  has put its task back first; alarms at one instant go in the order the
  people are listed in the scenario.
- **arrivals** (:meth:`Kernel.feed`): pre-drawn, released one at a time from
  sorted arrays, never on the heap; one that ties with an event on the heap
  or an alarm goes after them (continuous times: it does not happen in
  practice).

Why the kernel owns the heap instead of SimPy's ``Environment`` running it:
nine in ten items of a run are not processes but calls (a message is one
task, its end one call), and the speed record (README, "Validation, benchmark
and scale") was won by scheduling them without an ``Event`` each and by
keeping alarms and arrivals off the heap. Those tricks used to reach into
``Environment._queue``, ``_eid`` and ``_now`` from two modules. Here SimPy is
kept where processes help: :class:`Kernel` is a ``simpy.Environment`` whose
public methods (``schedule``, ``now``, ``peek``, ``step``, ``run``) it
implements itself, so a SimPy process, timeout or condition runs on it
unchanged through SimPy's environment interface (an event puts itself on the
heap with ``schedule``), and the loop reads only events' public attributes
(``callbacks``, ``ok``, ``defused``, ``value``). No module touches a private
attribute of SimPy (``tests/test_engine_hygiene.py`` scans for it).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from heapq import heappop, heappush
from itertools import count
from typing import Any

import simpy

__all__ = ["INF", "NORMAL", "URGENT", "Call", "Kernel", "collector_set_aside"]

INF = float("inf")
#: SimPy's event priorities (``simpy.events.URGENT`` / ``NORMAL``): at one instant, urgent first
URGENT, NORMAL = 0, 1


class Call:
    """A function the kernel calls at a scheduled time: the engine's own event, cheaper than a SimPy one.

    It meets what the run loop asks of any event on the heap: ``callbacks``
    (the functions to call, each with the call itself) and ``ok``. A call can
    be scheduled again once it has run: a person's chunk timer is one call for
    the whole run. :meth:`cancel` leaves a pending call in place, calling
    nothing when its time comes (a heap cannot take an entry out cheaply).
    """

    __slots__ = ("callbacks", "armed", "ok")

    def __init__(self, fn: Callable[[Call], None]) -> None:
        self.armed = [fn]
        self.callbacks: list[Callable[[Call], None]] | None = self.armed
        self.ok = True  # a call never fails (the loop's test for failed SimPy events passes it)

    def cancel(self) -> None:
        """Call nothing when the pending time comes, nor at any later scheduling of this call."""
        self.armed = self.callbacks = []


class Kernel(simpy.Environment):
    """The clock, the event heap, the shift alarms and the arrivals of one run (see the module docstring)."""

    # Slots: the clock is read on nearly every call of a run. A slot shadows SimPy's ``now`` property
    # with a plain attribute that the interpreter reads as fast as any; a class attribute in its
    # place would leave every one of those reads unspecialised.
    __slots__ = ("now", "heap", "alarms", "_scheduled", "_release", "_next_arrival")

    def __init__(self) -> None:
        super().__init__()
        #: the clock (hours)
        self.now: float = 0.0  # type: ignore[misc]
        #: ``(time, priority, order scheduled, event)``: SimPy's heap entry, SimPy's order
        self.heap: list[tuple[float, int, int, Any]] = []
        self._scheduled = count()
        #: ``(time, person's place in the team, call)``: on a heap of their own (see :meth:`alarm`)
        self.alarms: list[tuple[float, int, Call]] = []
        self._release: Callable[[], float] | None = None
        self._next_arrival = INF

    # -- SimPy's environment interface ------------------------------------------------------
    def schedule(self, event: Any, priority: int = NORMAL, delay: float = 0) -> None:  # type: ignore[override]
        """Put ``event`` on the heap ``delay`` hours from now (every SimPy event schedules itself here)."""
        heappush(self.heap, (self.now + delay, priority, next(self._scheduled), event))

    def peek(self) -> float:
        """The time of the next happening: an event, an alarm or an arrival (``inf`` when none)."""
        top = self.heap[0][0] if self.heap else INF
        alarm = self.alarms[0][0] if self.alarms else INF
        return min(top, alarm, self._next_arrival)

    def step(self) -> None:
        """Take the next happening alone (see the module docstring for the order); ``EmptySchedule`` when none.

        The same as one turn of :meth:`run`'s loop, which has it inline (it runs once per happening).
        """
        heap, alarms = self.heap, self.alarms
        top = heap[0][0] if heap else INF
        alarm = alarms[0][0] if alarms else INF
        arrival = self._next_arrival
        if arrival < top and arrival < alarm:
            self.now = arrival
            self._next_arrival = self._release()  # type: ignore[misc]
        elif alarm < top:
            self.now, _, call = heappop(alarms)
            call.armed[0](call)
        elif heap:
            self.now, _, _, event = heappop(heap)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            _raise_if_failed(event)
        else:
            raise simpy.core.EmptySchedule()

    # -- the engine's own scheduling --------------------------------------------------------
    def call_in(self, delay: float, call: Call) -> None:
        """Run ``call`` ``delay`` hours from now, after what is already due then (``delay`` 0: after what is due now)."""
        call.callbacks = call.armed
        heappush(self.heap, (self.now + delay, NORMAL, next(self._scheduled), call))

    def call_first(self, call: Call) -> None:
        """Run ``call`` now, before anything else due now (where SimPy starts a process or interrupts one)."""
        call.callbacks = call.armed
        heappush(self.heap, (self.now, URGENT, next(self._scheduled), call))

    def alarm(self, at: float, order: int, call: Call) -> None:
        """Run ``call`` at ``at``, after every event due then; alarms at one instant by ``order``.

        Alarms are kept apart from the heap: most happenings pending are
        alarms (each person idle off shift has one, hours ahead), and on the
        heap every push and pop would sift through them; apart, the heap that
        turns over a few times an item holds only what is due soon
        (docs/validation.md, "Scale: where the cost per item goes").
        """
        heappush(self.alarms, (at, order, call))

    def feed(self, release: Callable[[], float], first: float) -> None:
        """Merge pre-drawn arrivals into the run: ``release()`` releases the one due now, returns the next time.

        An arrival is not an event on the heap: a timeout per arrival would
        be a push, a pop and a dispatch each, for the commonest happening of
        a run. ``first`` is the first arrival's time (``inf``: none).
        """
        self._release, self._next_arrival = release, first

    @property
    def pending(self) -> int:
        """Events and alarms pending (after :meth:`run`: what was left at the horizon)."""
        return len(self.heap) + len(self.alarms)

    # -- the run loop -------------------------------------------------------------------------
    def run(self, until: Any = None) -> None:  # type: ignore[override]
        """Take every happening before ``until`` (hours) in order, then set the clock to ``until``.

        An event on the heap is dispatched as SimPy's ``Environment.step``
        does it: its callbacks in order, then a failed event that nobody
        defused is raised. What is due at ``until`` is left pending, as
        ``Environment.run(until=...)`` leaves it.
        """
        if isinstance(until, bool) or not isinstance(until, int | float):
            raise TypeError(f"Kernel.run: until must be a time in hours, got {until!r}")
        if until <= self.now:
            raise ValueError(f"until ({until}) must be greater than the current simulation time")
        heap, alarms, pop = self.heap, self.alarms, heappop
        release, arrival = self._release, self._next_arrival
        while True:
            top = heap[0][0] if heap else INF
            alarm = alarms[0][0] if alarms else INF
            if arrival < top and arrival < alarm:
                if arrival >= until:
                    break
                self.now = arrival
                arrival = release()  # type: ignore[misc]
                continue
            if alarm < top:
                if alarm >= until:
                    break
                self.now, _, call = pop(alarms)
                call.armed[0](call)  # an alarm has one function (Worker._alarm)
                continue
            if top >= until:
                break
            self.now, _, _, event = pop(heap)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event.ok:
                _raise_if_failed(event)
        self._next_arrival = arrival
        self.now = until


def _raise_if_failed(event: Any) -> None:
    """What ``Environment.step`` raises for a failed event that nobody defused: a copy of its exception."""
    if not event.ok and not event.defused:
        exc = type(event.value)(*event.value.args)
        exc.__cause__ = event.value
        raise exc


@contextmanager
def collector_set_aside(young: int) -> Iterator[None]:
    """Keep the garbage collector's passes to the run's own objects while the block runs.

    A full pass walks every tracked object of the process — pandas', pydantic's
    and the scenario's included — and a long run triggers dozens of them.
    ``gc.freeze`` sets what exists before the run aside (nothing of it is
    freed during the run anyway); ``unfreeze`` hands it back afterwards.

    The youngest generation is collected every ``young`` net new objects
    instead of Python's 700: a run's objects are freed by reference counting
    (a finished task, a spent call), so a collection finds almost nothing and
    only walks the work in flight again. Cyclic garbage (if any) waits at most
    that many objects longer. Results are unaffected. (Measured:
    docs/validation.md, "Second round: fewer events per item".)
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], young), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
