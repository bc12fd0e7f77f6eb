"""One simulation run: demand flows through the organisation graph.

A request is one SimPy process (:meth:`Model.request_flow`): handed from the
department to the team's intake, triaged, split into parts by the structure,
worked in parallel, merged, approved, and handed back. Every phase adds to
one of four clocks — queueing, hands-on work, handoff delay, approval wait —
along the critical path, so that the four add up to the silo latency.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from heapq import heappop
from itertools import chain
from typing import Any, cast

import numpy as np
import simpy

from orgsim.org.graph import Leg, person
from orgsim.org.plan import routing_plan
from orgsim.org.structures import structure_for
from orgsim.scenario.model import PRIORITY_RANK, Scenario
from orgsim.scenario.team import DIMENSIONS
from orgsim.scenario.workflow import external_steps
from orgsim.sim import departments
from orgsim.sim.approvals import start_other_work
from orgsim.sim.arguments import check_scenario, check_seed
from orgsim.sim.calendar import INF, calendar_for
from orgsim.sim.demand import Arrivals, arrival_blocks, arrivals, draw, stream
from orgsim.sim.insights import InsightSpread
from orgsim.sim.recurring import start_recurring
from orgsim.sim.result import REQUEST_FIELDS, Result
from orgsim.sim.tally import LocalClock, Tally
from orgsim.sim.workers import Dispatcher, Task, Worker, WorkQueue

__all__ = ["simulate", "Model"]

#: triage, merges and approvals are coordination: no channel or function skill needed
COORDINATION = ((), None, None)


class Model:
    """The SimPy model of one scenario and one seed."""

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence, trace: bool = False,
                 summary: bool = False, direct: bool = True) -> None:
        """Set up one run.

        ``direct=False`` sends every request through the full request process, never the direct path
        of a single-task request (see the ``release`` of :meth:`arrivals`): the same run, slower; for checking that.
        """
        self.scenario = s = scenario
        self.direct = direct
        self.seed = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self.env = env = simpy.Environment()
        run = s.run
        self.horizon = run.horizon_days * 24
        self.warmup = run.warmup_days * 24
        self.structure = structure_for(s)
        self.plan = routing_plan(s, self.structure)
        self.graph = self.plan.graph
        self.routing = stream(self.seed, "handoffs")
        self.fixed_delays = s.policies.handoff_delay == "fixed"
        self.log: list[tuple[float, str, str, int, str]] | None = [] if trace else None
        self.disp = Dispatcher(env, PRIORITY_RANK[s.policies.preempt_priority],
                               _call_out_rank(s.policies.call_out), (self.warmup, self.horizon),
                               self._message_done, self._trace if trace else None)
        # Full mode draws every arrival up front; summary mode a year at a time, as the run gets there.
        blocks = arrival_blocks(s, self.seed)
        self.arr: Arrivals = next(blocks) if summary else arrivals(s, self.seed)
        self._later_blocks = blocks
        self._build_workers()
        self._build_department_hours()
        self._compile_routes()
        n = len(self.arr.req_time)
        #: summary mode: answers go into running tallies, not per-item records (see orgsim.sim.tally)
        self.clock = LocalClock.for_zone(s.demand.timezone, s.run.start_date, s.run.horizon_days)
        self.tally = Tally([(k.department, k.name) for k in self.kinds], self.warmup, self.horizon,
                           tuple(s.run.reply_targets_hours), self.clock) if summary else None
        if self.tally is not None:
            self.tally.count_arrivals(self.arr)
        self.rec = {f: np.full(0 if summary else n, np.nan) for f in REQUEST_FIELDS}
        self.msg_done = np.full(0 if summary else len(self.arr.msg_time), np.nan)
        #: (request, answered, queued, work hours, kind) of each request answered on the direct path
        self._direct_done: list[tuple[int, float, float, float, int]] = []
        #: the exact ledger of workflow steps: (kind, step) → times a request started it
        self.step_visits: dict[tuple[int, int], int] = {}
        #: (kind, step) → [tasks queued inside the measured window, their hours of queueing] (one-queue steps)
        self.step_waits: dict[tuple[int, int], list[float]] = {}
        self.flow = stream(self.seed, "workflow")  # step efforts: drawn only by workflows, a batch per step
        self.branch_draws = stream(self.seed, "workflow/branches")  # the uniforms that pick a branch
        #: pre-drawn efforts per (kind, step) and branch uniforms, popped from the end (see _workflow)
        self._step_efforts: dict[tuple[int, int], list[float]] = {}
        self._branch_u: list[float] = []
        #: per what, [open now, Little's ledger]: the ledger is departure minus arrival times clipped to the
        #: window, and the hours in system over the window once :meth:`_close_levels` has run (see :meth:`_count`)
        self.level = {"requests": [0, 0.0], "messages": [0, 0.0]}
        self._msg_level, self._req_level = self.level["messages"], self.level["requests"]  # (read per item)
        self.insight_spread = InsightSpread(self) if s.insights is not None else None

    # -- construction ---------------------------------------------------------------------
    def _build_workers(self) -> None:
        s = self.scenario
        start = s.run.start_date
        self.queues: dict[str, WorkQueue] = {}
        self.workers: dict[str, Worker] = {}
        factors = s.policies.proficiency_factors.model_dump()
        names = (s.channels, s.functions, s.audiences)
        for pid, p in s.team.people.items():
            cal = calendar_for(p.hours, p.days, p.timezone, start, self.horizon,
                               [(a.start_day * 24, (a.start_day + a.days) * 24) for a in p.absences], p.holidays)
            prof = tuple({n: factors[p.level(dim, n)] for n in ns} for dim, ns in zip(DIMENSIONS, names, strict=True))
            w = self.workers[person(pid)] = Worker(self.disp, pid, cal, p.capacity, prof)  # type: ignore[arg-type]
            self._serve(person(pid), w)
        for pname, pod in s.structure.pods.items():
            for m in pod.members:
                self._serve(f"pod:{pname}", self.workers[person(m)])
        for link in s.structure.embedded:
            self._serve(f"embedded:{link.department}", self.workers[person(link.person)])
        neutral: tuple[dict[str, float], dict[str, float], dict[str, float]] = ({}, {}, {})  # an approver reviews at 1×
        for step in s.policies.approval_chain:
            if step.external is not None and step.node not in self.workers:
                cal = calendar_for(step.hours, step.days, step.timezone, start, self.horizon)
                w = self.workers[step.node] = Worker(self.disp, step.node, cal, 1.0, neutral)
                self._serve(step.node, w)
        for node, st in external_steps(s).items():  # outside approvers that workflow steps name
            cal = calendar_for(st.hours, st.days, st.timezone, start, self.horizon)
            w = self.workers[node] = Worker(self.disp, node, cal, 1.0, neutral)
            self._serve(node, w)
        for queue, who in self.plan.servers.items():  # queues only the plan knows (a workflow step's role:)
            if queue not in self.queues:
                for node in who:
                    self._serve(queue, self.workers[node])

    def _build_department_hours(self) -> None:
        """Calendars of the departments that say when they are there to receive (``hours``)."""
        s = self.scenario
        self.dept_cal = {
            name: calendar_for(d.hours, d.days, d.timezone or s.demand.timezone, s.run.start_date, self.horizon)
            for name, d in s.demand.departments.items() if d.hours is not None
        }

    def received(self, department: str) -> float:
        """Hours from now until ``department`` is there to receive (0 while it is open)."""
        cal = self.dept_cal.get(department)
        if cal is None:
            return 0.0
        now = self.env.now
        return min(cal.next_on_duty(now), self.horizon) - now

    def _serve(self, queue: str, worker: Worker) -> None:
        q = self.queues.get(queue)
        if q is None:
            q = self.queues[queue] = WorkQueue(queue)
        q.servers.append(worker)
        worker.queues.append(q)

    def _compile_routes(self) -> None:
        """Turn the routing plan (:mod:`orgsim.org.plan`) into the run's queues and per-kind routes."""
        s, plan, qs = self.scenario, self.plan, self.queues
        self.kinds = [k.kind for k in plan.kinds]
        self.routes: list[_Route] = []
        for i, k in enumerate(plan.kinds):
            skill_of = (k.function, k.audience)
            parts = [(qs[p.queue], p.leg_in, p.leg_out, (p.channels, *skill_of)) for p in k.parts]
            rt = _Route(k.priority, k.leg_in, qs[k.triage] if k.triage else None, parts,
                        qs[k.merge] if k.merge else None, [(qs[a.queue], a.leg) for a in k.approvals], k.reply, k.rework)
            legs = [k.leg_in, k.parts[0].leg_in, k.parts[0].leg_out, k.reply]
            simple = (self.direct and rt.triage is None and len(parts) == 1 and not rt.approvals and rt.rework == 0
                      and all(leg.delay_hours == 0 for leg in legs) and k.kind.department not in self.dept_cal)
            # one done-handler per route, shared by its requests (hops are per route)
            answered = _Answered(self, i, sum(leg.hops for leg in legs), sum(leg.cross_group_hops for leg in legs))
            rt.direct = (parts[0][0], parts[0][3], rt.prio, answered) if simple and not k.steps else None
            rt.steps = [(st, [qs.get(q) for q in st.queues], st.exits) for st in k.steps]  # a department: None
            rt.first = k.first
            self.routes.append(rt)
        #: (queue, skill) of a community message, by ``msg_key`` of its channel and audience (a list
        #: index per message: a dict keyed by a (channel, audience) tuple built and hashed one per message)
        self.msg_route: list[tuple[WorkQueue, tuple[Any, ...]] | None] = [None] * (len(s.channels) * self.msg_width)
        for (c, a), q in plan.message_queues.items():
            route = (qs[q], ((s.channels[c],), "community", s.audiences[a] if a >= 0 else None))
            self.msg_route[msg_key(c, a, self.msg_width)] = route

    @property
    def msg_width(self) -> int:
        """Audience codes per channel in ``msg_key``: every audience, and -1 (a channel with no mix)."""
        return len(self.scenario.audiences) + 1

    # -- bookkeeping ---------------------------------------------------------------------------
    def _trace(self, t: float, event: str, task: Task, where: str) -> None:
        kind = "message" if task.done is None else "request" if task.item >= 0 else "other work"
        self.log.append((t, event, kind, task.item, where))  # type: ignore[union-attr]

    def _count(self, what: str, delta: int) -> None:
        """``delta`` items of ``what`` arrive (+1) or leave (-1) now: the count open and Little's ledger.

        The hours in system over the window, the integral of the number open,
        is the sum over items of their time inside the window: (leaving time
        - arrival time), each clipped to the window. So an arrival subtracts
        its clipped time and a departure adds its own; an item still open
        at the horizon adds the horizon (:meth:`_close_levels`). Two
        operations an item, where integrating the count between events took
        a comparison and four (the hot paths inline this).
        """
        lv = self.level[what]
        now = self.env._now
        lv[0] += delta
        lv[1] -= delta * (now if now > self.warmup else self.warmup)

    def _close_levels(self) -> None:
        """At the horizon: what is still open has been in the system until then."""
        for lv in self.level.values():
            lv[1] += lv[0] * self.horizon

    def _message_done(self, task: Task) -> None:
        now = self.env._now
        if self.tally is None:
            self.msg_done[task.item] = now
        else:
            self.tally.message(task.enqueued, now)  # a message is queued the moment it arrives
        lv = self._msg_level  # _count("messages", -1), inlined: called once per message
        lv[0] -= 1
        lv[1] += now if now > self.warmup else self.warmup

    def _delay(self, leg: Leg) -> float:
        if leg.delay_hours == 0 or self.fixed_delays:
            return leg.delay_hours
        return float(self.routing.exponential(leg.delay_hours))

    # -- processes ----------------------------------------------------------------------------
    def arrivals(self) -> tuple[Callable[[], float], float]:
        """The run's arrivals, merged into the event loop from their pre-sorted arrays (see :meth:`_loop`).

        Returns ``release`` and the first arrival's time: ``release`` releases
        the next pre-drawn request or message at the current time and returns
        the time of the one after it (``INF`` when there is none). An arrival is not an event on SimPy's heap: the
        loop compares the next arrival's time with the heap's first event
        (the issue's "arrivals merged from pre-sorted arrays"); a timeout or
        reused call per arrival was a heap push, a pop and a dispatch each,
        about a sixth of the run on ``base.yaml``. Arrivals happen at drawn
        continuous times, so no arrival shares an instant with another event
        in practice (where one did, the event on the heap would go first).
        The arrays are read as Python lists (fast to index) a chunk at a time,
        so a long run does not hold a list copy of every arrival; in summary
        mode the next year's arrivals are drawn when this year's are used up.
        """
        env, disp = self.env, self.disp
        factor = self.scenario.policies.message_handling_factor
        req_factor = self.scenario.policies.request_handling_factor
        directs = [route.direct for route in self.routes]
        msg_route, level, req_level, log = self.msg_route, self._msg_level, self._req_level, self.log
        warmup, seq = self.warmup, disp.seq
        push, request_flow, process = disp.push, self.request_flow, env.process
        a = self.arr
        req_cols = (a.req_time, a.req_kind, a.req_effort, a.req_rework, a.req_review)
        width = self.msg_width
        msg_cols = (a.msg_time, msg_key(a.msg_channel, a.msg_audience, width), a.msg_effort, a.msg_priority)
        n_req, n_msg = len(a.req_time), len(a.msg_time)
        rt, kind, effort, rework, review = _chunk(req_cols, 0)
        mt, mk, me, mp = _chunk(msg_cols, 0)
        r0 = m0 = 0  # global number of each chunk's first request / message
        rc = mc0 = 0  # ... and its row in the current block
        i = j = 0  # the next request and message, within their chunks

        def next_block() -> bool:
            nonlocal req_cols, msg_cols, n_req, n_msg, rt, kind, effort, rework, review, mt, mk, me, mp
            nonlocal r0, m0, rc, mc0, i, j
            if self.tally is None:
                return False  # full mode drew every year up front
            # let the used-up year go before drawing the next: one year in memory, not two
            self.arr = self.arr.emptied()
            req_cols = msg_cols = ()  # type: ignore[assignment]
            block = next(self._later_blocks, None)
            if block is None:
                return False
            self.arr = block
            self.tally.count_arrivals(block)
            r0, m0 = r0 + i, m0 + j
            rc = mc0 = i = j = 0
            req_cols = (block.req_time, block.req_kind, block.req_effort, block.req_rework, block.req_review)
            msg_cols = (block.msg_time, msg_key(block.msg_channel, block.msg_audience, width), block.msg_effort,
                        block.msg_priority)
            n_req, n_msg = len(block.req_time), len(block.msg_time)
            rt, kind, effort, rework, review = _chunk(req_cols, 0)
            mt, mk, me, mp = _chunk(msg_cols, 0)
            return True

        def release() -> float:
            nonlocal rt, kind, effort, rework, review, mt, mk, me, mp, r0, m0, rc, mc0, i, j
            if rt[i] <= mt[j]:
                direct = directs[kind[i]]
                if direct is None:
                    process(request_flow(r0 + i, kind[i], effort[i], rework[i], review[i]))
                else:
                    # A request whose whole flow is one task: queued without a process of its own.
                    # Same clocks and records as request_flow would give (its handoffs all take
                    # zero time, so it draws no random numbers either), at a third of the
                    # events: the profile of an always-on pod showed the per-request process,
                    # its start event and its done event as the largest cost after SimPy's loop.
                    queue, skill, prio, answered = direct
                    now = env._now
                    req_level[0] += 1  # _count("requests", +1), inlined
                    req_level[1] -= now if now > warmup else warmup
                    if log is not None:
                        log.append((now, "arrive", "request", r0 + i, self.kinds[answered.kind].key))
                    # _Answered quacks like the done event: Worker._worked only calls .succeed(task);
                    # released between events, whoever takes it looks at once (Dispatcher.push)
                    push(Task(prio, next(seq), effort[i] * req_factor, queue, skill, answered, r0 + i), True)
                i += 1
                if i == CHUNK and rc + i < n_req:
                    r0, rc, i = r0 + CHUNK, rc + CHUNK, 0
                    rt, kind, effort, rework, review = _chunk(req_cols, rc)
            else:
                q, skill = msg_route[mk[j]]  # type: ignore[misc]
                now = env._now
                level[0] += 1  # _count("messages", +1), inlined
                level[1] -= now if now > warmup else warmup
                if log is not None:
                    log.append((now, "arrive", "message", m0 + j, ""))
                push(Task(mp[j], next(seq), me[j] * factor, q, skill, None, m0 + j), True)
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

    def _answered(self, answered: _Answered, task: Task) -> None:
        kind = answered.kind
        now = self.env._now
        lv = self._req_level  # _count("requests", -1), inlined
        lv[0] -= 1
        lv[1] += now if now > self.warmup else self.warmup
        if self.log is not None:
            self.log.append((now, "answer", "request", task.item, self.kinds[kind].key))
        if self.tally is not None:  # no handoffs on this path: queued on arrival
            self.tally.request(kind, task.enqueued, now, now - task.enqueued - task.work, task.work, 0.0, 0.0,
                               task.work, answered.hops, answered.cross)
            return
        # Kept as a plain list and written into ``rec`` once, at the end (numpy stores one by one cost more);
        # the queueing hours and the handoffs are worked out there, for all at once.
        self._direct_done.append((task.item, now, task.enqueued, task.work, kind))

    def _store_direct(self) -> None:
        if not self._direct_done:
            return
        # the rows as one flat run of floats, then its columns (three times faster than a column at a time)
        done = np.fromiter(chain.from_iterable(self._direct_done), float,
                           count=5 * len(self._direct_done)).reshape(-1, 5)
        r, kind = done[:, 0].astype(np.intp), done[:, 4].astype(np.intp)
        now, work = done[:, 1], done[:, 3]
        answered = [route.direct[3] if route.direct is not None else None for route in self.routes]
        hops = np.array([a.hops if a is not None else 0 for a in answered])[kind]
        cross = np.array([a.cross if a is not None else 0 for a in answered])[kind]
        rec = self.rec
        rec["answered"][r], rec["queue_hours"][r] = now, now - done[:, 2] - work  # (the same float operations)
        rec["work_hours"][r] = rec["person_hours"][r] = work
        rec["handoff_hours"][r] = rec["approval_hours"][r] = 0.0
        rec["handoffs"][r], rec["cross_group_handoffs"][r] = hops, cross
        rec["parts"][r], rec["reworked"][r] = 1, 0
        self._direct_done.clear()

    def _task(self, r: int, queue: WorkQueue, effort: float, skill: tuple[Any, ...], prio: int) -> Any:
        """Queue one task for request ``r`` and wait for it; returns (queue, work) hours."""
        done = self.env.event()
        task = self.disp.task(prio, effort, queue, skill, done, r)
        self.disp.push(task)
        yield done
        return self.env.now - task.enqueued - task.work, task.work

    def _part(self, r: int, part: tuple[Any, ...], effort: float, prio: int) -> Any:
        queue, leg_in, leg_out, skill = part
        h_in, h_out = self._delay(leg_in), self._delay(leg_out)
        if h_in:
            yield self.env.timeout(h_in)
        qt, wt = yield from self._task(r, queue, effort, skill, prio)
        if h_out:
            yield self.env.timeout(h_out)
        return h_in + h_out, qt, wt

    def _parts(self, r: int, route: _Route, effort: float, clocks: np.ndarray) -> Any:
        """Work the parts in parallel; add the slowest part's clocks. Returns person-hours.

        A split request is not simply divided: its concept (reading the
        brief, the idea, the key message; ``policies.split_concept_share`` of
        the effort) is repeated by every part and only the rest is shared
        out. Repeated rather than done once by one part while the others
        wait, because owners who work in parallel each have to understand
        the brief to shape their own piece — the duplicated work a split
        costs; then the merger (the lead) joins the parts on their calendar.
        """
        parts, prio = route.parts, route.prio
        n = len(parts)
        concept = self.scenario.policies.split_concept_share if n > 1 else 0.0
        share = effort * (concept + (1 - concept) / n)
        if len(parts) == 1:
            h, q, w = yield from self._part(r, parts[0], share, prio)
            clocks += (q, w, h, 0.0)
            return w
        procs = [self.env.process(self._part(r, p, share, prio)) for p in parts]
        yield self.env.all_of(procs)
        results = [cast(tuple[float, float, float], p.value) for p in procs]
        h, q, w = max(results, key=lambda x: x[0] + x[1] + x[2])
        clocks += (q, w, h, 0.0)
        qm, wm = yield from self._task(r, cast(WorkQueue, route.merge), self.scenario.policies.merge_hours, COORDINATION, prio)
        clocks += (qm, wm, 0.0, 0.0)
        return sum(x[2] for x in results) + wm

    def request_flow(self, r: int, kind: int, effort: float, rework: float, review: list[float]) -> Any:
        """One request (number ``r``, of ``kind``), from the department's ask to the team's answer.

        ``effort``, ``rework`` (a uniform draw) and ``review`` (hours per
        approval step) are its pre-drawn arrival row.
        """
        env, s = self.env, self.scenario
        route = self.routes[kind]
        t0 = env.now
        self._count("requests", +1)
        if self.log is not None:
            self.log.append((t0, "arrive", "request", r, self.kinds[kind].key))
        clocks = np.zeros(4)  # queue, work, handoff, approval
        hops = cross = 0
        effort *= s.policies.request_handling_factor

        h = self._delay(route.leg_in)
        if h:
            yield env.timeout(h)
        clocks[2] += h
        hops, cross = route.leg_in.hops, route.leg_in.cross_group_hops
        person_hours = 0.0
        if route.triage is not None:
            q, w = yield from self._task(r, route.triage, s.policies.triage_minutes / 60, COORDINATION, route.prio)
            clocks += (q, w, 0.0, 0.0)
            person_hours += w
        if route.steps:
            yield from self._workflow(r, kind, route, t0, clocks, person_hours, hops, cross)
            return
        rounds = 2 if rework < route.rework else 1
        for k in range(rounds):
            person_hours += yield from self._parts(r, route, effort * (s.policies.rework_share if k else 1.0), clocks)
            for _, leg_in, leg_out, _ in route.parts:
                hops += leg_in.hops + leg_out.hops
                cross += leg_in.cross_group_hops + leg_out.cross_group_hops
        for i, (queue, leg) in enumerate(route.approvals):
            h = self._delay(leg)
            if h:
                yield env.timeout(h)
            q, w = yield from self._task(r, queue, review[i], COORDINATION, route.prio)
            clocks[3] += h + q + w
            hops += leg.hops
            cross += leg.cross_group_hops
        h = self._delay(route.reply)
        if h:
            yield env.timeout(h)
        # an answer to a department that has closed is received when it opens
        closed = self.received(self.kinds[kind].department)
        if closed:
            yield env.timeout(closed)
        clocks[2] += h + closed
        hops += route.reply.hops
        cross += route.reply.cross_group_hops
        self._record_answer(r, kind, t0, clocks, person_hours, hops, cross, len(route.parts), rounds - 1)

    def _workflow(self, r: int, kind: int, route: _Route, t0: float, clocks: np.ndarray, person_hours: float,
                  hops: int, cross: int) -> Any:
        """The rest of a request whose type has ``steps:``: step after step, branches drawn as each ends.

        A step's effort is drawn from its own ``effort_hours`` (×
        ``policies.request_handling_factor``), from the run's ``workflow`` stream
        in batches per step; the branch from ``workflow/branches`` (only where
        there is a choice); a step split over several queues is worked
        in equal parallel shares, the slowest share counts, and the structure's
        merger joins them (``policies.merge_hours``) before the next step. An outside
        approver's step (``external``) adds to the approval clock, every other
        step to queue, work and handoff. The exit to done crosses the reply leg.
        """
        env, flow = self.env, self.flow
        factor = self.scenario.policies.request_handling_factor
        steps, legs, i, n = route.steps, route.first, 0, len(route.steps)
        seen, again, ledger, efforts = 0, 0, self.step_visits, self._step_efforts
        cq = cw = ch = ca = 0.0  # the four clocks, as floats until the end (a numpy add per step cost more)
        while i < n:
            st, queues, exits = steps[i]
            key = (kind, i)
            ledger[key] = ledger.get(key, 0) + 1
            again |= seen >> i & 1
            seen |= 1 << i
            drawn = efforts.get(key)
            if not drawn:  # a batch at a time: one numpy call per step was a fifth of the workflow path
                drawn = efforts[key] = draw(st.effort, flow, DRAW_BATCH).tolist()[::-1]
            effort = drawn.pop() * factor / len(queues)
            prio = route.prio if st.priority is None else st.priority
            if st.department is not None:  # out of the team and back (orgsim.sim.departments): its own hours
                h, q, w = yield from departments.visit(self, legs[0], st.department, effort / factor)
            elif len(queues) == 1:
                h = self._delay(legs[0])
                if h:
                    yield env.timeout(h)
                q, w = yield from self._task(r, queues[0], effort, st.skills[0], prio)
                if not st.outside:  # an outside approver's time is not the team's
                    person_hours += w
                if self.warmup <= env.now - q - w < self.horizon:
                    waited = self.step_waits.setdefault(key, [0, 0.0])
                    waited[0] += 1
                    waited[1] += q
            else:
                procs = [env.process(self._part(r, (qu, leg, out, sk), effort, prio))
                         for qu, leg, out, sk in zip(queues, legs, st.merge_legs, st.skills, strict=True)]
                yield env.all_of(procs)
                results = [cast(tuple[float, float, float], p.value) for p in procs]
                h, q, w = max(results, key=lambda x: x[0] + x[1] + x[2])
                person_hours += sum(x[2] for x in results)
                for leg in st.merge_legs:
                    hops += leg.hops
                    cross += leg.cross_group_hops
                qm, wm = yield from self._task(r, self.queues[st.merge], self.scenario.policies.merge_hours,
                                               COORDINATION, prio)  # the split step joins before the next
                q, w, person_hours = q + qm, w + wm, person_hours + wm
            for leg in legs:
                hops += leg.hops
                cross += leg.cross_group_hops
            if st.approval:
                ca += h + q + w
            else:
                cq, cw, ch = cq + q, cw + w, ch + h
            if len(exits) == 1:  # one way on: nothing to draw
                i, _, legs = exits[0]
                continue
            if not self._branch_u:
                self._branch_u = self.branch_draws.random(DRAW_BATCH).tolist()
            u, acc = self._branch_u.pop(), 0.0
            for i, p, legs in exits:  # noqa: B007 - the last exit is taken when rounding leaves u above the sum
                acc += p
                if u < acc:
                    break
        h = self._delay(legs[0])  # the reply
        if h:
            yield env.timeout(h)
        closed = self.received(self.kinds[kind].department)
        if closed:
            yield env.timeout(closed)
        clocks += (cq, cw, ch + h + closed, ca)
        hops += legs[0].hops
        cross += legs[0].cross_group_hops
        # a workflow is one part; "reworked" says whether it went back to a step it had done
        self._record_answer(r, kind, t0, clocks, person_hours, hops, cross, 1, again)

    def _record_answer(self, r: int, kind: int, t0: float, clocks: np.ndarray, person_hours: float, hops: int,
                       cross: int, parts: int, reworked: int) -> None:
        """Request ``r`` is answered now: its record (or, in summary mode, its tally) and the open count."""
        now = self.env.now
        self._count("requests", -1)
        if self.log is not None:
            self.log.append((now, "answer", "request", r, self.kinds[kind].key))
        if self.tally is not None:
            qh, wh, hh, ah = clocks.tolist()
            self.tally.request(kind, t0, now, qh, wh, hh, ah, person_hours, hops, cross)
            return
        rec = self.rec
        rec["answered"][r] = now
        rec["queue_hours"][r], rec["work_hours"][r], rec["handoff_hours"][r], rec["approval_hours"][r] = clocks
        rec["person_hours"][r] = person_hours
        rec["handoffs"][r] = hops
        rec["cross_group_handoffs"][r] = cross
        rec["parts"][r] = parts
        rec["reworked"][r] = reworked

    def _loop(self, release: Callable[[], float], arrival: float, until: float) -> None:
        """Run to ``until``: SimPy's event loop (``Environment.run`` and ``step``) with the arrivals merged in.

        Every event on SimPy's heap is dispatched exactly as ``Environment.step``
        does it (callbacks in order, a failed event that nobody defused raised);
        between two of them, the arrivals due before the next event are
        released (see :meth:`arrivals`). Events at ``until`` are left, as
        ``run(until=...)`` leaves them, and the clock ends at ``until``.
        """
        env = self.env
        heap: list[Any] = env._queue  # type: ignore[assignment]
        alarms = self.disp.alarms  # the shift alarms: after every other event at their instant (Dispatcher.alarms)
        pop = heappop
        while True:
            top = heap[0][0] if heap else INF
            alarm = alarms[0][0] if alarms else INF
            if arrival < top and arrival < alarm:
                if arrival >= until:
                    break
                env._now = arrival
                arrival = release()
                continue
            if alarm < top:
                if alarm >= until:
                    break
                env._now, _, call = pop(alarms)
                call.callbacks[0](call)  # an alarm's one call: its person's Worker._alarm
                continue
            if top >= until:
                break
            env._now, _, _, event = pop(heap)
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                # what Environment.step raises for a failed event that nobody handled
                exc = type(event._value)(*event._value.args)
                exc.__cause__ = event._value
                raise exc
        env._now = until

    @property
    def pending_events(self) -> int:
        """Events pending now, shift alarms included (after :meth:`run`: what was left at the horizon)."""
        return len(self.env._queue) + len(self.disp.alarms)

    def run(self) -> Result:
        release, arrival = self.arrivals()
        self.other_work = start_other_work(self)
        self.recurring = start_recurring(self)
        if self.insight_spread is not None:
            self.insight_spread.start()
        with _frozen_heap():
            self._loop(release, arrival, self.horizon)
        self._store_direct()
        self._close_levels()
        return Result.collect(self)


def _call_out_rank(call_out: str) -> int:
    """The least urgent rank that calls someone off duty out (-1: nothing does)."""
    return -1 if call_out == "never" else PRIORITY_RANK[call_out]


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep the garbage collector's full passes to the run's own objects.

    A full pass walks every tracked object of the process — pandas', pydantic's
    and the scenario's included — and a long run triggers dozens of them: on a
    1,000-person organisation they were a sixth of the run. ``gc.freeze`` sets
    what exists before the run aside (nothing of it is freed during the run
    anyway); ``unfreeze`` hands it back afterwards.

    The youngest generation is collected every ``GC_YOUNG`` net new objects
    instead of Python's 700: a run's objects are freed by reference counting
    (a finished task, a spent call), so a collection finds almost nothing and
    only walks the work in flight again — 5% of a 1,000-person run, in 623
    collections over 30 days. Cyclic garbage (if any) waits at most that many
    objects longer. Results are unaffected.
    """
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], GC_YOUNG), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


#: the youngest generation's collection threshold during a run (see ``_frozen_heap``)
GC_YOUNG = 50_000


#: workflow step efforts and branch uniforms are drawn this many at a time (see ``Model._workflow``)
DRAW_BATCH = 256

#: arrivals read into Python lists this many at a time (see ``Model.arrivals``)
CHUNK = 1 << 14


def msg_key(channel: Any, audience: Any, width: int) -> Any:
    """A community message's (channel, audience) codes as one index (numpy arrays or ints alike)."""
    return channel * width + audience + 1


def _chunk(columns: tuple[np.ndarray, ...], start: int) -> list[list[Any]]:
    """Rows ``start:start + CHUNK`` of each column as lists; the first (times) ends with ``inf``."""
    out = [c[start:start + CHUNK].tolist() for c in columns]
    out[0].append(INF)
    return out


class _Route:
    """One request kind's route in a run: the plan's queues resolved to the run's work queues."""

    __slots__ = ("prio", "leg_in", "triage", "parts", "merge", "approvals", "reply", "rework", "direct", "steps", "first")

    def __init__(self, prio: int, leg_in: Leg, triage: WorkQueue | None,
                 parts: list[tuple[WorkQueue, Leg, Leg, tuple[Any, ...]]], merge: WorkQueue | None,
                 approvals: list[tuple[WorkQueue, Leg]], reply: Leg, rework: float) -> None:
        self.prio, self.leg_in, self.triage, self.parts, self.merge = prio, leg_in, triage, parts, merge
        self.approvals, self.reply, self.rework = approvals, reply, rework
        self.direct: tuple[Any, ...] | None = None
        self.steps: list[tuple[Any, list[Any], tuple[tuple[int, float, tuple[Leg, ...]], ...]]] = []  # queues: None for a department
        self.first: tuple[Leg, ...] = ()


class _Answered:
    """Stands in for the done event of a request that needs no process (see the direct path in ``Model.arrivals``).

    ``Worker._worked`` calls ``done.succeed(task)``; here that goes straight
    to :meth:`Model._answered` through a ``partial`` (no method frame of its own).
    """

    __slots__ = ("succeed", "kind", "hops", "cross")

    def __init__(self, model: Model, kind: int, hops: int, cross: int) -> None:
        self.kind, self.hops, self.cross = kind, hops, cross
        self.succeed = partial(model._answered, self)  # positional: a keyword partial cost more


def simulate(scenario: Scenario, seed: int | np.random.SeedSequence | None = None, trace: bool = False,
             summary: bool = False) -> Result:
    """Run one replication of ``scenario``; the seed defaults to ``run.seed``.

    ``summary=True`` keeps running tallies instead of one row per request and
    message (:mod:`orgsim.sim.tally`): memory stays flat as the horizon grows,
    :func:`orgsim.metrics.run_figures` gives the same figures (percentiles
    to within 1%), and ``result.requests`` / ``result.messages`` are empty.

    >>> from orgsim.scenario import load_scenario
    >>> result = simulate(load_scenario("scenarios/network.yaml"), seed=1)
    >>> result.requests.columns[:3].tolist()
    ['request', 'department', 'request_type']
    """
    check_scenario(scenario)
    seed = scenario.run.seed if seed is None else seed
    check_seed(seed)
    return Model(scenario, seed, trace=trace, summary=summary).run()
