"""Customers who give up: a community message that waits longer than its writer's patience is abandoned.

A channel with ``demand.messages.<channel>.patience_hours`` gives each of its
messages a patience, drawn as it arrives (stream ``patience/<channel>``, a
batch of :data:`DRAW_BATCH` at a time, so a channel's draws do not depend on
any other's). If nobody has started on the message when its patience runs
out, it leaves the queue unanswered: the recorder counts it abandoned
(:meth:`~orgsim.sim.record.Recorder.abandoned`), it is never "answered", and
every reply share counts it as missed. A message someone has started on is
answered (the writer sees a reply coming: the usual assumption of the
Erlang-A model, M/M/c+M, which ``tests/validation/test_erlang_a.py`` checks
the engine against).

Without ``patience_hours`` nothing is drawn or scheduled: the run is the
same, bit for bit, as before patience existed.
"""

from __future__ import annotations

from heapq import heapify
from typing import TYPE_CHECKING

from orgsim.sim.demand import draw
from orgsim.sim.kernel import Call

if TYPE_CHECKING:
    from orgsim.scenario.distributions import _Distribution
    from orgsim.sim.context import RunContext
    from orgsim.sim.workers import Task

__all__ = ["DRAW_BATCH", "Patience"]

#: patiences are drawn this many at a time per channel (a numpy call per message cost more than the message)
DRAW_BATCH = 256


class Patience:
    """One channel's patience: drawn per message, and the call that abandons it if it is still waiting."""

    __slots__ = ("kernel", "recorder", "dist", "rng", "drawn")

    def __init__(self, ctx: RunContext, channel: str, dist: _Distribution) -> None:
        self.kernel, self.recorder = ctx.kernel, ctx.recorder
        self.dist = dist
        self.rng = ctx.stream(f"patience/{channel}")
        self.drawn: list[float] = []

    def watch(self, task: Task) -> None:
        """``task`` (a message, queued now) is abandoned when its patience runs out, unless started by then."""
        drawn = self.drawn
        if not drawn:
            drawn[:] = draw(self.dist, self.rng, DRAW_BATCH).tolist()[::-1]
        self.kernel.call_in(drawn.pop(), Call(lambda _call: self._give_up(task)))

    def _give_up(self, task: Task) -> None:
        """Patience is out: a message still waiting, never started, leaves its queue unanswered."""
        if task.work_hours > 0:  # started, then paused for something more urgent: the reply is coming
            return
        heap = task.queue.heap
        for i, entry in enumerate(heap):
            if entry[2] is task:
                heap[i] = heap[-1]
                heap.pop()
                heapify(heap)
                self.recorder.abandoned(task)
                return
        # not in the queue: someone is working on it, or it is answered
