"""The run's pre-drawn arrivals, released into the event loop one at a time.

Everything that arrives — requests and community messages — is drawn before
the run (:mod:`orgsim.sim.demand`), sorted by time. The kernel merges them
into its loop without an event each (:meth:`~orgsim.sim.kernel.Kernel.feed`):
``release`` releases the next one at the current time and returns the time of
the one after it. A request starts its flow (a process,
:meth:`~orgsim.sim.flows.RequestFlows.request`) or, when its whole flow is one
task, is that task, queued now (:attr:`~orgsim.sim.flows.RequestFlows.direct`);
a message is one task, queued in the queue that answers its channel and
audience, and done with the recorder's replies. (A call per arrival to hand it
elsewhere cost 2% of a run: both are queued here.)

The arrays are read as Python lists (fast to index) a chunk at a time, so a
long run does not hold a list copy of every arrival; in summary mode the next
year's arrivals are drawn when this year's are used up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from orgsim.sim.kernel import INF
from orgsim.sim.patience import Patience
from orgsim.sim.service import message_skill
from orgsim.sim.workers import Skill, Task, WorkQueue

if TYPE_CHECKING:
    from orgsim.sim.context import RunContext
    from orgsim.sim.demand import Arrivals
    from orgsim.sim.flows import RequestFlows

__all__ = ["CHUNK", "ArrivalFeed", "msg_key"]

#: arrivals read into Python lists this many at a time
CHUNK = 1 << 14


def msg_key(channel: Any, audience: Any, width: int) -> Any:
    """A community message's (channel, audience) codes as one index (numpy arrays or ints alike)."""
    return channel * width + audience + 1


def _chunk(columns: tuple[np.ndarray, ...], start: int) -> list[list[Any]]:
    """Rows ``start:start + CHUNK`` of each column as lists; the first (times) ends with ``inf``."""
    out = [c[start:start + CHUNK].tolist() for c in columns]
    out[0].append(INF)
    return out


class ArrivalFeed:
    """The arrivals of one run, block by block (one block in full mode, a year at a time in summary mode)."""

    def __init__(self, ctx: RunContext, flows: RequestFlows, blocks: Iterator[Arrivals], by_year: bool) -> None:
        """``blocks``: the whole run's arrivals as one block, or (``by_year``) a year at a time, drawn when asked."""
        self.ctx, self.flows = ctx, flows
        self._blocks, self.by_year = blocks, by_year
        #: the block being released (in full mode, every arrival of the run)
        self.block: Arrivals = next(blocks)
        ctx.recorder.count_arrivals(self.block)
        s = ctx.scenario
        #: audience codes per channel in ``msg_key``: every audience, and -1 (a channel with no mix)
        self.msg_width = len(s.audiences) + 1
        #: (queue, skill) of a community message, by ``msg_key`` of its channel and audience (a list
        #: index per message: a dict keyed by a (channel, audience) tuple built and hashed one per message)
        self.msg_route: list[tuple[WorkQueue, Skill] | None] = [None] * (len(s.channels) * self.msg_width)
        for (c, a), q in ctx.plan.message_queues.items():
            skill = message_skill(s.channels[c], s.audiences[a] if a >= 0 else None)
            self.msg_route[msg_key(c, a, self.msg_width)] = (ctx.queues[q], skill)
        #: per channel code, its customers' patience (None: they wait until answered); None when no channel has one
        patience = [Patience(ctx, ch, stream.patience_hours) if (stream := s.demand.messages.get(ch)) is not None
                    and stream.patience_hours is not None else None for ch in s.channels]
        self.patience: list[Patience | None] | None = patience if any(patience) else None

    def _next_block(self) -> Arrivals | None:
        """The next year's arrivals, drawn now, or None (none left, or all drawn up front)."""
        if not self.by_year:
            return None
        # let the used-up year go before drawing the next: one year in memory, not two
        self.block = self.block.emptied()
        block = next(self._blocks, None)
        if block is None:
            return None
        self.block = block
        self.ctx.recorder.count_arrivals(block)
        return block

    def release_function(self) -> tuple[Callable[[], float], float]:
        """``release`` (see the module docstring) and the first arrival's time (``inf``: none)."""
        ctx, flows = self.ctx, self.flows
        kernel, dispatch, recorder = ctx.kernel, ctx.dispatch, ctx.recorder
        message_factor = ctx.scenario.policies.message_handling_factor
        place, order, process, request = dispatch.place, dispatch.order, kernel.process, flows.request
        one_task, request_factor, kind_keys = flows.direct, ctx.scenario.policies.request_handling_factor, recorder.kind_keys
        open_requests = recorder.open_requests
        msg_route, open_messages, replies = self.msg_route, recorder.open_messages, recorder.replies
        log, width, warmup = recorder.log, self.msg_width, ctx.warmup
        patience = self.patience

        def columns(block: Arrivals) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
            return ((block.req_time, block.req_kind, block.req_effort, block.req_rework, block.req_review),
                    (block.msg_time, msg_key(block.msg_channel, block.msg_audience, width), block.msg_effort,
                     block.msg_priority))

        req_cols, msg_cols = columns(self.block)
        n_req, n_msg = len(self.block.req_time), len(self.block.msg_time)
        rt, kind, effort, rework, review = _chunk(req_cols, 0)
        mt, mk, me, mp = _chunk(msg_cols, 0)
        r0 = m0 = 0  # the number of the current chunk's first request / message, in the run
        rc = mc0 = 0  # ... and its row in the current block
        i = j = 0  # the next request and message, within their chunks

        def next_block() -> bool:
            nonlocal req_cols, msg_cols, n_req, n_msg, rt, kind, effort, rework, review, mt, mk, me, mp
            nonlocal r0, m0, rc, mc0, i, j
            if not self.by_year:
                return False  # every arrival was drawn up front
            req_cols = msg_cols = ()  # type: ignore[assignment]  # (the used-up year's arrays, let go)
            block = self._next_block()
            if block is None:
                return False
            r0, m0 = r0 + i, m0 + j
            rc = mc0 = i = j = 0
            req_cols, msg_cols = columns(block)
            n_req, n_msg = len(block.req_time), len(block.msg_time)
            rt, kind, effort, rework, review = _chunk(req_cols, 0)
            mt, mk, me, mp = _chunk(msg_cols, 0)
            return True

        def release() -> float:
            nonlocal rt, kind, effort, rework, review, mt, mk, me, mp, r0, m0, rc, mc0, i, j
            if rt[i] <= mt[j]:
                direct = one_task[kind[i]]
                if direct is None:
                    process(request(r0 + i, kind[i], effort[i], rework[i], review[i]))
                else:
                    queue, skill, priority, done = direct
                    now = kernel.now
                    open_requests[0] += 1  # (Recorder.opened, written out: a call per request cost 2%)
                    open_requests[1] -= now if now > warmup else warmup
                    if log is not None:
                        log.append((now, "arrive", "request", r0 + i, kind_keys[kind[i]]))
                    place(Task(priority, next(order), effort[i] * request_factor, queue, skill, done, r0 + i), True)
                i += 1
                if i == CHUNK and rc + i < n_req:
                    r0, rc, i = r0 + CHUNK, rc + CHUNK, 0
                    rt, kind, effort, rework, review = _chunk(req_cols, rc)
            else:
                queue, skill = msg_route[mk[j]]  # type: ignore[misc]
                now = kernel.now
                open_messages[0] += 1  # (Recorder.opened, written out: a call per message cost 2%)
                open_messages[1] -= now if now > warmup else warmup
                if log is not None:
                    log.append((now, "arrive", "message", m0 + j, ""))
                # released between events: whoever takes it looks at once (DispatchPolicy.place)
                task = Task(mp[j], next(order), me[j] * message_factor, queue, skill, replies, m0 + j)
                place(task, True)
                if patience is not None and (gives_up := patience[mk[j] // width]) is not None:
                    gives_up.watch(task)
                j += 1
                if j == CHUNK and mc0 + j < n_msg:
                    m0, mc0, j = m0 + CHUNK, mc0 + CHUNK, 0
                    mt, mk, me, mp = _chunk(msg_cols, mc0)
            t = rt[i] if rt[i] <= mt[j] else mt[j]
            return t if t < INF else first()  # (first() draws the next year in summary mode)

        def first() -> float:
            t = rt[i] if rt[i] <= mt[j] else mt[j]
            while t == INF and next_block():
                t = rt[0] if rt[0] <= mt[0] else mt[0]
            return t

        return release, first()
