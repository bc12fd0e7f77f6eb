"""The recorder: what a run keeps of its answers, in full tables or in running tallies.

Every answered request comes here as one :class:`~orgsim.sim.answers.Answer`
(:meth:`Recorder.answer`) and every message's reply as its finished task
(:meth:`Recorder.replied`). Two implementations keep them:
:class:`TableRecorder` (full mode: each per-request quantity of
:data:`~orgsim.sim.answers.QUANTITIES` by request number, each message's reply
time) and :class:`TallyRecorder` (summary mode: running tallies per request
kind, :class:`~orgsim.sim.tally.Tally`, and no per-item record).

Both keep the count of what is open, Little's ledger (:meth:`Recorder.opened`)
and, when asked for, the event log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from orgsim.sim.answers import FIELD, Answer, Quantity, as_array
from orgsim.sim.tally import BATCH, Tally

if TYPE_CHECKING:
    from orgsim.sim.demand import Arrivals
    from orgsim.sim.kernel import Kernel
    from orgsim.sim.workers import Task

__all__ = ["DirectAnswer", "Recorder", "TableRecorder", "TallyRecorder"]


class _Replies:
    """What every message's task is done with (a :class:`~orgsim.sim.workers.TaskDone`): the recorder's reply."""

    __slots__ = ("succeed",)

    def __init__(self, replied: Callable[[Task], None]) -> None:
        self.succeed = replied


class Recorder:
    """What both recorders keep: answers held for a batch, open counts, Little's ledger, the log."""

    def __init__(self, kernel: Kernel, warmup: float, horizon: float, quantities: tuple[Quantity, ...],
                 trace: bool = False) -> None:
        self.kernel = kernel
        self.warmup, self.horizon = warmup, horizon
        #: what is kept of each answer (see :mod:`orgsim.sim.answers`)
        self.quantities = quantities
        #: per what, [open now, Little's ledger]: the ledger is departure minus arrival times clipped to the
        #: window, and the hours in system over the window once :meth:`close` has run (see :meth:`opened`)
        self.open: dict[str, list[float]] = {"requests": [0, 0.0], "messages": [0, 0.0]}
        self.open_requests, self.open_messages = self.open["requests"], self.open["messages"]
        #: (time, event, kind, item, where) of everything that happened, when asked for
        self.log: list[tuple[float, str, str, int, str]] | None = [] if trace else None
        #: what a message's task is done with
        self.replies = _Replies(self.replied)
        #: each request kind's key (``department/request type``), for the log
        self.kind_keys: list[str] = []
        #: answers not yet folded in: a list append per answer, folded a batch at a time with numpy
        self.held: list[tuple[float, ...]] = []
        self.batch = BATCH  # read when built, so that a test can set the module's BATCH
        self.room = self.batch  # answers until the next fold

    def opened(self, ledger: list[float], now: float) -> None:
        """An item arrives now (``ledger``: ``open_requests`` or ``open_messages``).

        The hours in system over the window, the integral of the number open,
        is the sum over items of their time inside the window: (leaving time
        - arrival time), each clipped to the window. So an arrival subtracts
        its clipped time and a departure adds its own; an item still open at
        the horizon adds the horizon (:meth:`close`). Two operations an item,
        where integrating the count between events took a comparison and four.
        """
        ledger[0] += 1
        ledger[1] -= now if now > self.warmup else self.warmup

    def answer(self, record: Answer) -> None:
        """Request ``record.request`` is answered now: held, and folded in with its batch."""
        now = record[3]
        ledger = self.open_requests
        ledger[0] -= 1
        ledger[1] += now if now > self.warmup else self.warmup
        if self.log is not None:
            self.log.append((now, "answer", "request", record[0], self.kind_keys[record[1]]))
        self.held.append(record)
        self.room -= 1
        if not self.room:  # a countdown rather than ``len(self.held)``: this runs once per answer
            self.fold()
            self.room = self.batch

    def replied(self, task: Task) -> None:
        """A message's task is done now: its reply."""
        raise NotImplementedError

    def abandoned(self, task: Task) -> None:
        """A message's writer gave up now, before anyone started on it (:mod:`orgsim.sim.patience`)."""
        now = self.kernel.now
        ledger = self.open_messages  # it leaves the system unanswered: the other half of Recorder.opened
        ledger[0] -= 1
        ledger[1] += now if now > self.warmup else self.warmup
        if self.log is not None:
            self.log.append((now, "abandon", "message", task.item, task.queue.name))

    def trace(self, t: float, event: str, task: Task, where: str) -> None:
        """One line of the log (the workers and the dispatch policy call it when a log is kept)."""
        kind = "message" if task.done is self.replies else "request" if task.item >= 0 else "other work"
        self.log.append((t, event, kind, task.item, where))  # type: ignore[union-attr]

    def count_arrivals(self, block: Arrivals) -> None:
        """A block of arrivals is drawn: all of them in full mode, a year at a time in summary mode."""

    def fold(self) -> None:
        """Fold the answers held into what is kept."""
        raise NotImplementedError

    def close(self) -> None:
        """At the horizon: fold in what is held; what is still open has been in the system until then."""
        if self.held:
            self.fold()
        for ledger in self.open.values():
            ledger[1] += ledger[0] * self.horizon


class DirectAnswer:
    """What the one task of a direct-path request is done with (a ``TaskDone``): the request's answer, recorded.

    A request whose whole flow is one task with no handoff delay is queued as
    it arrives, with no process of its own (``RequestFlows.direct``). Its
    record is the :class:`~orgsim.sim.answers.Answer` a process would hand
    to :meth:`Recorder.answer` — its queueing the time it waited, its work
    the task's, its handoffs the route's — kept by the same bookkeeping,
    written out here rather than called: most requests of a busy run take
    this path, and a call per request was a measurable share of its work
    (docs/validation.md, "The engine in parts (issue #27)").
    """

    __slots__ = ("recorder", "kind", "handoffs", "cross_group_handoffs")

    def __init__(self, recorder: Recorder, kind: int, handoffs: int, cross_group_handoffs: int) -> None:
        self.recorder = recorder
        self.kind, self.handoffs, self.cross_group_handoffs = kind, handoffs, cross_group_handoffs

    def succeed(self, task: Task) -> None:
        recorder = self.recorder
        now, work, queued_at = recorder.kernel.now, task.work_hours, task.queued_at
        # Recorder.answer, written out
        ledger = recorder.open_requests
        ledger[0] -= 1
        ledger[1] += now if now > recorder.warmup else recorder.warmup
        if recorder.log is not None:
            recorder.log.append((now, "answer", "request", task.item, recorder.kind_keys[self.kind]))
        recorder.held.append((task.item, self.kind, queued_at, now, now - queued_at - work, work, 0.0, 0.0, work,
                              self.handoffs, self.cross_group_handoffs, 1, 0))
        recorder.room -= 1
        if not recorder.room:
            recorder.fold()
            recorder.room = recorder.batch


class TableRecorder(Recorder):
    """Full mode: every answer's fields by request number, every message's reply time."""

    def __init__(self, kernel: Kernel, warmup: float, horizon: float, quantities: tuple[Quantity, ...],
                 arrivals: Arrivals, trace: bool = False) -> None:
        super().__init__(kernel, warmup, horizon, quantities, trace)
        self.arrivals = arrivals
        n = len(arrivals.req_time)
        #: per field of an answer from ``answered`` on, its value by request number (NaN: unanswered)
        self.fields = {name: np.full(n, np.nan) for name in Answer._fields[FIELD["answered"]:]}
        #: when each message was answered (NaN: still open, or abandoned)
        self.message_answered = np.full(len(arrivals.msg_time), np.nan)
        #: when each message's writer gave up (NaN: answered, or still open)
        self.message_abandoned = np.full(len(arrivals.msg_time), np.nan)

    def abandoned(self, task: Task) -> None:
        super().abandoned(task)
        self.message_abandoned[task.item] = self.kernel.now

    def replied(self, task: Task) -> None:
        now = self.kernel.now
        self.message_answered[task.item] = now
        ledger = self.open_messages  # leaving: the other half of Recorder.opened
        ledger[0] -= 1
        ledger[1] += now if now > self.warmup else self.warmup

    def fold(self) -> None:
        rows = as_array(self.held)
        self.held.clear()
        request = rows[:, FIELD["request"]].astype(np.intp)
        for name, values in self.fields.items():
            values[request] = rows[:, FIELD[name]]

    def columns(self) -> dict[str, np.ndarray]:
        """Every quantity kept, by request number (NaN where unanswered); after :meth:`close`."""
        arrivals = self.arrivals
        fields = {"request": np.arange(len(arrivals.req_time), dtype=float), "kind": arrivals.req_kind.astype(float),
                  "arrived": arrivals.req_time, **self.fields}
        unanswered = np.isnan(self.fields["answered"])
        return {q.name: np.where(unanswered, np.nan, q.of(fields)) for q in self.quantities}


class TallyRecorder(Recorder):
    """Summary mode: answers added to running tallies per request kind; no per-item record."""

    def __init__(self, kernel: Kernel, warmup: float, horizon: float, quantities: tuple[Quantity, ...],
                 tally: Tally, trace: bool = False) -> None:
        super().__init__(kernel, warmup, horizon, quantities, trace)
        self.tally = tally

    def replied(self, task: Task) -> None:
        now = self.kernel.now
        self.tally.message(task.queued_at, now)  # a message is queued the moment it arrives
        ledger = self.open_messages  # leaving: the other half of Recorder.opened
        ledger[0] -= 1
        ledger[1] += now if now > self.warmup else self.warmup

    def abandoned(self, task: Task) -> None:
        super().abandoned(task)
        if task.queued_at >= self.warmup:  # a message is queued the moment it arrives
            self.tally.messages_abandoned += 1

    def count_arrivals(self, block: Arrivals) -> None:
        self.tally.count_arrivals(block)

    def fold(self) -> None:
        self.tally.add_answers(self.held)
        self.held.clear()

    def close(self) -> None:
        super().close()
        self.tally.flush()
