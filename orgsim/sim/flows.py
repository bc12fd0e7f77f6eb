"""Requests through the team: one path from the department's ask to its answer.

A request is one SimPy process (:meth:`RequestFlows.request`): handed from the
department to the team's intake, triaged, then either worked as parts (split
by the structure, worked in parallel, merged, approved) or as a workflow's
steps (branches drawn as each step ends), and handed back. Every phase adds to
one of four clocks — queueing, hands-on work, handoff delay, approval wait —
along the critical path, so that the four add up to the silo latency; the
answer is one :class:`~orgsim.sim.answers.Answer` for the recorder.

A request whose whole flow is one task with no handoff delay takes the direct
path (:attr:`RequestFlows.direct`; the arrivals queue its task as it arrives,
:mod:`orgsim.sim.arrivals`): queued without a process of its own, with
the same clocks and the same record (its handoffs take no time, so it draws no
random numbers either), at a third of the events: no process, start event or
done event per request, where those would cost more than the request's work.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, cast

from orgsim.sim import departments
from orgsim.sim.answers import Answer
from orgsim.sim.demand import draw
from orgsim.sim.record import DirectAnswer
from orgsim.sim.service import part_effort, step_effort
from orgsim.sim.workers import Skill, WorkQueue

if TYPE_CHECKING:
    from orgsim.org.graph import Leg
    from orgsim.org.plan import KindPlan
    from orgsim.sim.context import RunContext

__all__ = ["COORDINATION", "DRAW_BATCH", "RequestFlows"]

#: triage, merges and approvals are coordination: no channel or function skill needed
COORDINATION: Skill = ((), None, None)
#: workflow step efforts and branch uniforms are drawn this many at a time (see ``RequestFlows._steps``)
DRAW_BATCH = 256

#: one part of a request in a run: (its queue, leg in, leg out, the skill it needs)
RunPart = tuple[WorkQueue, "Leg", "Leg", Skill]
Process = Generator[Any, Any, Any]


class Route:
    """One request kind's route in a run: the routing plan's queues resolved to the run's work queues."""

    __slots__ = ("priority", "leg_in", "triage", "parts", "merge", "approvals", "reply", "rework", "steps", "first",
                 "department")

    def __init__(self, kind: KindPlan, queues: dict[str, WorkQueue]) -> None:
        skill_of = (kind.function, kind.audience)
        self.priority = kind.priority
        self.leg_in = kind.leg_in
        self.triage = queues[kind.triage] if kind.triage else None
        self.parts: list[RunPart] = [(queues[p.queue], p.leg_in, p.leg_out, (p.channels, *skill_of)) for p in kind.parts]
        self.merge = queues[kind.merge] if kind.merge else None
        self.approvals = [(queues[a.queue], a.leg) for a in kind.approvals]
        self.reply = kind.reply
        self.rework = kind.rework
        #: a workflow's steps: (plan, each queue of the step (None for a department's), exits)
        self.steps = [(st, [queues.get(q) for q in st.queues], st.exits) for st in kind.steps]
        self.first = kind.first
        self.department = kind.kind.department


class RequestFlows:
    """Every request of one run, each from the department's ask to the answer."""

    def __init__(self, ctx: RunContext, direct: bool = True) -> None:
        """Resolve every request kind's route; ``direct=False`` sends every request through the process.

        (The same run, slower: for checking the direct path.)
        """
        self.ctx = ctx
        self.kernel, self.dispatch, self.recorder = ctx.kernel, ctx.dispatch, ctx.recorder
        policies = ctx.scenario.policies
        self.request_factor = policies.request_handling_factor
        self.kinds = [k.kind for k in ctx.plan.kinds]
        self.routes = [Route(k, ctx.queues) for k in ctx.plan.kinds]
        #: per kind, (queue, skill, priority, done) of its one task when it takes the direct path, else None:
        #: such a request is queued as it arrives (``orgsim.sim.arrivals``), its task done with a
        #: :class:`~orgsim.sim.record.DirectAnswer`
        self.direct: list[tuple[WorkQueue, Skill, int, DirectAnswer] | None] = []
        for i, (plan, route) in enumerate(zip(ctx.plan.kinds, self.routes, strict=True)):
            legs = [plan.leg_in, plan.parts[0].leg_in, plan.parts[0].leg_out, plan.reply]
            one_task = (direct and route.triage is None and len(route.parts) == 1 and not route.approvals
                        and route.rework == 0 and not route.steps and all(leg.delay_hours == 0 for leg in legs)
                        and route.department not in ctx.department_calendars)
            done = DirectAnswer(self.recorder, i, sum(leg.hops for leg in legs),
                                sum(leg.cross_group_hops for leg in legs))
            queue, _, _, skill = route.parts[0]
            self.direct.append((queue, skill, route.priority, done) if one_task else None)
        #: the exact ledger of workflow steps: (kind, step) -> times a request started it
        self.step_visits: dict[tuple[int, int], int] = {}
        #: (kind, step) -> [tasks queued inside the measured window, their hours of queueing] (one-queue steps)
        self.step_waits: dict[tuple[int, int], list[float]] = {}
        self._step_efforts_rng = ctx.stream("workflow")  # step efforts: drawn only by workflows, a batch per step
        self._branch_rng = ctx.stream("workflow/branches")  # the uniforms that pick a branch
        #: pre-drawn efforts per (kind, step) and branch uniforms, popped from the end (see :meth:`_steps`)
        self._step_efforts: dict[tuple[int, int], list[float]] = {}
        self._branch_uniforms: list[float] = []

    # -- the request process ------------------------------------------------------------------
    def request(self, number: int, kind: int, effort: float, rework: float, review: list[float]) -> Process:
        """One request (its ``number``, of ``kind``), from the department's ask to the team's answer."""
        kernel, recorder, policies = self.kernel, self.recorder, self.ctx.scenario.policies
        route = self.routes[kind]
        arrived = kernel.now
        recorder.opened(recorder.open_requests, arrived)
        if recorder.log is not None:
            recorder.log.append((arrived, "arrive", "request", number, self.kinds[kind].key))
        clocks = [0.0, 0.0, 0.0, 0.0]  # queue, work, handoff, approval
        handoff = self.ctx.handoff_delay(route.leg_in)
        if handoff:
            yield kernel.timeout(handoff)
        clocks[2] += handoff
        hops, cross = route.leg_in.hops, route.leg_in.cross_group_hops
        person_hours = 0.0
        if route.triage is not None:
            queued, hands_on = yield from self._task(number, route.triage, policies.triage_minutes / 60, COORDINATION,
                                                     route.priority)
            clocks[0] += queued
            clocks[1] += hands_on
            person_hours += hands_on
        if route.steps:
            body = self._steps(number, kind, route, clocks, person_hours)
        else:
            body = self._parts_and_approvals(number, route, effort * self.request_factor, rework, review, clocks,
                                             person_hours)
        person_hours, more_hops, more_cross, handoff_due, reply, parts, reworked = yield from body
        hops += more_hops
        cross += more_cross
        handoff = self.ctx.handoff_delay(reply)
        if handoff:
            yield kernel.timeout(handoff)
        # an answer to a department that has closed is received when it opens
        closed = self.ctx.until_received(route.department)
        if closed:
            yield kernel.timeout(closed)
        clocks[2] += handoff_due + handoff + closed
        hops += reply.hops
        cross += reply.cross_group_hops
        recorder.answer(Answer(number, kind, arrived, kernel.now, clocks[0], clocks[1], clocks[2], clocks[3],
                               person_hours, hops, cross, parts, reworked))

    def _parts_and_approvals(self, number: int, route: Route, effort: float, rework: float, review: list[float],
                             clocks: list[float], person_hours: float) -> Process:
        """The parts (a second round when reworked), then the approvals.

        Adds to ``clocks``; returns person-hours so far, the handoffs crossed
        and of those across groups, the handoff hours still to add (none), the
        reply leg, the parts and whether it was reworked.
        """
        policies = self.ctx.scenario.policies
        hops, cross = 0, 0
        rounds = 2 if rework < route.rework else 1
        for round_no in range(rounds):
            round_effort = effort * (policies.rework_share if round_no else 1.0)
            person_hours += yield from self._parts(number, route, round_effort, clocks)
            for _, leg_in, leg_out, _ in route.parts:
                hops += leg_in.hops + leg_out.hops
                cross += leg_in.cross_group_hops + leg_out.cross_group_hops
        for i, (queue, leg) in enumerate(route.approvals):
            handoff = self.ctx.handoff_delay(leg)
            if handoff:
                yield self.kernel.timeout(handoff)
            queued, hands_on = yield from self._task(number, queue, review[i], COORDINATION, route.priority)
            clocks[3] += handoff + queued + hands_on
            hops += leg.hops
            cross += leg.cross_group_hops
        return person_hours, hops, cross, 0.0, route.reply, len(route.parts), rounds - 1

    def _parts(self, number: int, route: Route, effort: float, clocks: list[float]) -> Process:
        """Work the parts in parallel; add the slowest part's clocks. Returns person-hours.

        A split request is not simply divided: its concept (reading the
        brief, the idea, the key message; ``policies.split_concept_share`` of
        the effort) is repeated by every part and only the rest is shared
        out. Repeated rather than done once by one part while the others
        wait, because owners who work in parallel each have to understand
        the brief to shape their own piece — the duplicated work a split
        costs; then the merger (the lead) joins the parts on their calendar.
        """
        parts, priority = route.parts, route.priority
        n = len(parts)
        share = part_effort(effort, n, self.ctx.scenario.policies.split_concept_share)
        if n == 1:
            handoff, queued, hands_on = yield from self._part(number, parts[0], share, priority)
            clocks[0] += queued
            clocks[1] += hands_on
            clocks[2] += handoff
            return hands_on
        handoff, queued, hands_on, everyone_worked = yield from self._split(number, parts, share, priority)
        clocks[0] += queued
        clocks[1] += hands_on
        clocks[2] += handoff
        merge_queued, merge_worked = yield from self._task(number, cast(WorkQueue, route.merge),
                                                           self.ctx.scenario.policies.merge_hours, COORDINATION, priority)
        clocks[0] += merge_queued
        clocks[1] += merge_worked
        return everyone_worked + merge_worked

    def _steps(self, number: int, kind: int, route: Route, clocks: list[float], person_hours: float) -> Process:
        """A workflow (``steps:``): step after step, branches drawn as each ends; returns as :meth:`_parts_and_approvals`.

        A step's effort is drawn from its own ``effort_hours`` (×
        ``policies.request_handling_factor``), from the run's ``workflow`` stream
        in batches per step; the branch from ``workflow/branches`` (only where
        there is a choice); a step split over several queues is worked
        in equal parallel shares, the slowest share counts, and the structure's
        merger joins them (``policies.merge_hours``) before the next step. An outside
        approver's step (``external``) adds to the approval clock, every other
        step to queue, work and handoff. The exit to done crosses the reply leg.
        """
        kernel, ctx = self.kernel, self.ctx
        factor = self.request_factor
        steps, legs, i, n = route.steps, route.first, 0, len(route.steps)
        seen, again, visits, efforts = 0, 0, self.step_visits, self._step_efforts
        warmup, horizon = ctx.warmup, ctx.horizon
        hops, cross = 0, 0
        # the four clocks of the steps, added up as plain floats (this runs once per step)
        queue_hours = work_hours = handoff_hours = approval_hours = 0.0
        while i < n:
            step, queues, exits = steps[i]
            key = (kind, i)
            visits[key] = visits.get(key, 0) + 1
            again |= seen >> i & 1
            seen |= 1 << i
            drawn = efforts.get(key)
            if not drawn:  # a batch at a time: a numpy call per step would cost more than the step
                drawn = efforts[key] = draw(step.effort, self._step_efforts_rng, DRAW_BATCH).tolist()[::-1]
            effort = step_effort(drawn.pop(), factor, len(queues))
            priority = route.priority if step.priority is None else step.priority
            if step.department is not None:  # out of the team and back (orgsim.sim.departments): its own hours
                handoff, queued, hands_on = yield from departments.visit(ctx, legs[0], step.department, effort / factor)
            elif len(queues) == 1:
                handoff = ctx.handoff_delay(legs[0])
                if handoff:
                    yield kernel.timeout(handoff)
                queued, hands_on = yield from self._task(number, cast(WorkQueue, queues[0]), effort, step.skills[0],
                                                         priority)
                if not step.outside:  # an outside approver's time is not the team's
                    person_hours += hands_on
                if warmup <= kernel.now - queued - hands_on < horizon:
                    waited = self.step_waits.setdefault(key, [0, 0.0])
                    waited[0] += 1
                    waited[1] += queued
            else:
                split = list(zip(queues, legs, step.merge_legs, step.skills, strict=True))
                handoff, queued, hands_on, everyone_worked = yield from self._split(
                    number, split, effort, priority)  # type: ignore[arg-type]
                person_hours += everyone_worked
                for leg in step.merge_legs:
                    hops += leg.hops
                    cross += leg.cross_group_hops
                # the split step joins before the next
                merge_queued, merge_worked = yield from self._task(number, ctx.queues[cast(str, step.merge)],
                                                                   ctx.scenario.policies.merge_hours, COORDINATION, priority)
                queued, hands_on = queued + merge_queued, hands_on + merge_worked
                person_hours += merge_worked
            for leg in legs:
                hops += leg.hops
                cross += leg.cross_group_hops
            if step.approval:
                approval_hours += handoff + queued + hands_on
            else:
                queue_hours += queued
                work_hours += hands_on
                handoff_hours += handoff
            if len(exits) == 1:  # one way on: nothing to draw
                i, _, legs = exits[0]
                continue
            if not self._branch_uniforms:
                self._branch_uniforms = self._branch_rng.random(DRAW_BATCH).tolist()
            uniform, cumulative = self._branch_uniforms.pop(), 0.0
            # (the last exit is taken when rounding leaves the uniform above the sum)
            for i, probability, legs in exits:  # noqa: B007
                cumulative += probability
                if uniform < cumulative:
                    break
        clocks[0] += queue_hours
        clocks[1] += work_hours
        clocks[3] += approval_hours
        # a workflow is one part; "reworked" says whether it went back to a step it had done; the steps'
        # handoff hours join the reply's (added together, as the clock always added them)
        return person_hours, hops, cross, handoff_hours, legs[0], 1, again

    # -- tasks and parallel parts -------------------------------------------------------------
    def _task(self, number: int, queue: WorkQueue, effort: float, skill: Skill, priority: int) -> Process:
        """Queue one task for request ``number`` and wait for it; returns (queue, work) hours."""
        done = self.kernel.event()
        task = self.dispatch.task(priority, effort, queue, skill, done, number)  # type: ignore[arg-type]
        self.dispatch.place(task)
        yield done
        return self.kernel.now - task.queued_at - task.work_hours, task.work_hours

    def _part(self, number: int, part: RunPart, effort: float, priority: int) -> Process:
        """One part: the leg to its queue, its task, the leg on; returns (handoff, queue, work) hours."""
        queue, leg_in, leg_out, skill = part
        handoff_in, handoff_out = self.ctx.handoff_delay(leg_in), self.ctx.handoff_delay(leg_out)
        if handoff_in:
            yield self.kernel.timeout(handoff_in)
        queued, hands_on = yield from self._task(number, queue, effort, skill, priority)
        if handoff_out:
            yield self.kernel.timeout(handoff_out)
        return handoff_in + handoff_out, queued, hands_on

    def _split(self, number: int, parts: list[RunPart], effort: float, priority: int) -> Process:
        """Work ``parts`` in parallel, ``effort`` each: (handoff, queue, work) of the slowest, and everyone's work."""
        running = [self.kernel.process(self._part(number, part, effort, priority)) for part in parts]
        yield self.kernel.all_of(running)
        results = [cast(tuple[float, float, float], process.value) for process in running]
        handoff, queued, hands_on = max(results, key=lambda result: result[0] + result[1] + result[2])
        return handoff, queued, hands_on, sum(result[2] for result in results)
