"""The run's pre-drawn arrivals, released into the event loop one at a time.

Everything that arrives — requests and community messages — is drawn before
the run (:mod:`orgsim.sim.demand`), sorted by time. The kernel merges them
into its loop without an event each (:meth:`~orgsim.sim.kernel.Kernel.feed`):
``release`` releases the next one at the current time and returns the time of
the one after it. A request starts its flow (a process,
:meth:`~orgsim.sim.flows.RequestFlows.request`) or, when its whole flow is one
task, is that task, queued now (:attr:`~orgsim.sim.flows.RequestFlows.direct`);
a message is one task, queued in the queue that answers its channel and
audience, and done with the recorder's replies. Both are queued here rather
than handed on: this runs once per arrival.

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
        direct_path, request_factor, kind_keys = flows.direct, ctx.scenario.policies.request_handling_factor, recorder.kind_keys
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
        # the current chunk of each column (see _chunk): requests, then messages
        req_time, req_kind, req_effort, req_rework, req_review = _chunk(req_cols, 0)
        msg_time, msg_route_key, msg_effort, msg_priority = _chunk(msg_cols, 0)
        req_first = msg_first = 0  # the run's number of the current chunk's first request / message
        req_row = msg_row = 0  # ... and its row in the current block
        req_next = msg_next = 0  # the next request and message to release, within their chunks

        def next_block() -> bool:
            nonlocal req_cols, msg_cols, n_req, n_msg, req_time, req_kind, req_effort, req_rework, req_review
            nonlocal msg_time, msg_route_key, msg_effort, msg_priority
            nonlocal req_first, msg_first, req_row, msg_row, req_next, msg_next
            if not self.by_year:
                return False  # every arrival was drawn up front
            req_cols = msg_cols = ()  # type: ignore[assignment]  # (the used-up year's arrays, let go)
            block = self._next_block()
            if block is None:
                return False
            req_first, msg_first = req_first + req_next, msg_first + msg_next
            req_row = msg_row = req_next = msg_next = 0
            req_cols, msg_cols = columns(block)
            n_req, n_msg = len(block.req_time), len(block.msg_time)
            req_time, req_kind, req_effort, req_rework, req_review = _chunk(req_cols, 0)
            msg_time, msg_route_key, msg_effort, msg_priority = _chunk(msg_cols, 0)
            return True

        def release() -> float:
            nonlocal req_time, req_kind, req_effort, req_rework, req_review
            nonlocal msg_time, msg_route_key, msg_effort, msg_priority
            nonlocal req_first, msg_first, req_row, msg_row, req_next, msg_next
            if req_time[req_next] <= msg_time[msg_next]:
                direct = direct_path[req_kind[req_next]]
                if direct is None:
                    process(request(req_first + req_next, req_kind[req_next], req_effort[req_next],
                                    req_rework[req_next], req_review[req_next]))
                else:
                    queue, skill, priority, done = direct
                    now = kernel.now
                    open_requests[0] += 1  # Recorder.opened, written out: this runs once per arrival
                    open_requests[1] -= now if now > warmup else warmup
                    if log is not None:
                        log.append((now, "arrive", "request", req_first + req_next, kind_keys[req_kind[req_next]]))
                    place(Task(priority, next(order), req_effort[req_next] * request_factor, queue, skill, done,
                               req_first + req_next), True)
                req_next += 1
                if req_next == CHUNK and req_row + req_next < n_req:
                    req_first, req_row, req_next = req_first + CHUNK, req_row + CHUNK, 0
                    req_time, req_kind, req_effort, req_rework, req_review = _chunk(req_cols, req_row)
            else:
                route_key = msg_route_key[msg_next]
                queue, skill = msg_route[route_key]  # type: ignore[misc]
                now = kernel.now
                open_messages[0] += 1  # Recorder.opened, written out: this runs once per arrival
                open_messages[1] -= now if now > warmup else warmup
                if log is not None:
                    log.append((now, "arrive", "message", msg_first + msg_next, ""))
                # released between events: whoever takes it looks at once (DispatchPolicy.place)
                task = Task(msg_priority[msg_next], next(order), msg_effort[msg_next] * message_factor, queue, skill,
                            replies, msg_first + msg_next)
                place(task, True)
                if patience is not None and (gives_up := patience[route_key // width]) is not None:
                    gives_up.watch(task)
                msg_next += 1
                if msg_next == CHUNK and msg_row + msg_next < n_msg:
                    msg_first, msg_row, msg_next = msg_first + CHUNK, msg_row + CHUNK, 0
                    msg_time, msg_route_key, msg_effort, msg_priority = _chunk(msg_cols, msg_row)
            following = req_time[req_next] if req_time[req_next] <= msg_time[msg_next] else msg_time[msg_next]
            return following if following < INF else first()  # (first() draws the next year in summary mode)

        def first() -> float:
            earliest = req_time[req_next] if req_time[req_next] <= msg_time[msg_next] else msg_time[msg_next]
            while earliest == INF and next_block():
                earliest = req_time[0] if req_time[0] <= msg_time[0] else msg_time[0]
            return earliest

        return release, first()
