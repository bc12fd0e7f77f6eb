"""One simulation run, assembled from its parts: the scenario's demand flows through the organisation graph.

The parts, each its own module:

- :mod:`~orgsim.sim.kernel` — the clock and the order of events;
- :mod:`~orgsim.sim.team` and :mod:`~orgsim.sim.workers` — the people and
  the queues they pull work from;
- :mod:`~orgsim.sim.dispatch` — who gets a task (a policy object, passed in);
- :mod:`~orgsim.sim.arrivals` — the pre-drawn requests and messages;
- :mod:`~orgsim.sim.flows` — each request from the ask to the answer;
- :mod:`~orgsim.sim.approvals`, :mod:`~orgsim.sim.recurring`,
  :mod:`~orgsim.sim.insights` — approvers' own work, habits, insight spread;
- :mod:`~orgsim.sim.record` — what is kept of every answer;
- :mod:`~orgsim.sim.context` — what all of these may read of the run.

:class:`Model` builds them for one scenario and one seed, in an order that
fixes the run's event order (the people first: their first look at the
queues comes before anything else at time 0), and :meth:`Model.run` runs the
kernel to the horizon and collects the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain

import numpy as np

from orgsim.org.plan import routing_plan
from orgsim.org.structures import structure_for
from orgsim.scenario.model import PRIORITY_RANK, Scenario
from orgsim.sim import answers
from orgsim.sim.answers import Quantity
from orgsim.sim.approvals import OtherWorkDone, start_other_work
from orgsim.sim.arguments import check_scenario, check_seed
from orgsim.sim.arrivals import ArrivalFeed
from orgsim.sim.context import RunContext
from orgsim.sim.demand import arrival_blocks, arrivals
from orgsim.sim.dispatch import POLICIES, DispatchPolicy
from orgsim.sim.flows import RequestFlows
from orgsim.sim.insights import InsightSpread
from orgsim.sim.kernel import Kernel, collector_set_aside
from orgsim.sim.record import Recorder, TableRecorder, TallyRecorder
from orgsim.sim.recurring import start_recurring
from orgsim.sim.result import Result
from orgsim.sim.tally import LocalClock, Tally
from orgsim.sim.team import build_team, department_calendars
from orgsim.sim.workers import Trace, Worker, WorkQueue

__all__ = ["GC_YOUNG", "DispatchFactory", "Model", "simulate"]

#: the garbage collector's youngest-generation threshold during a run (see ``kernel.collector_set_aside``)
GC_YOUNG = 50_000

#: builds a run's dispatch policy: (kernel, preempt rank, call-out rank, the log's trace or None)
DispatchFactory = Callable[[Kernel, int, int, Trace | None], DispatchPolicy]


class Model:
    """One scenario and one seed, built into a run (see the module docstring)."""

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence, trace: bool = False,
                 summary: bool = False, direct: bool = True, dispatch: DispatchFactory | None = None,
                 quantities: tuple[Quantity, ...] | None = None) -> None:
        """Set up one run.

        ``summary=True`` keeps running tallies instead of a row per request
        and message; ``trace=True`` keeps the event log. ``direct=False``
        sends every request through the full request process, never the
        direct path of a one-task request (the same run, slower: for checking
        that). ``dispatch`` builds the dispatch policy (:mod:`orgsim.sim.dispatch`;
        default: the one ``policies.dispatch`` names);
        ``quantities`` is what is kept of each answer (default
        :data:`orgsim.sim.answers.QUANTITIES`).
        """
        s = self.scenario = scenario
        self.seed = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self.kernel = kernel = Kernel()
        horizon, warmup = s.run.horizon_days * 24, s.run.warmup_days * 24
        plan = routing_plan(s, structure_for(s))
        quantities = answers.QUANTITIES if quantities is None else quantities
        # Full mode draws every arrival up front; summary mode a year at a time, as the run gets there.
        blocks = arrival_blocks(s, self.seed) if summary else iter([arrivals(s, self.seed)])
        first = next(blocks)
        self.clock = LocalClock.for_zone(s.demand.timezone, s.run.start_date, s.run.horizon_days)
        recorder: Recorder
        if summary:
            tally = Tally([(k.kind.department, k.kind.name) for k in plan.kinds], warmup, horizon,
                          tuple(s.run.reply_targets_hours), self.clock, quantities)
            recorder = TallyRecorder(kernel, warmup, horizon, quantities, tally, trace)
        else:
            recorder = TableRecorder(kernel, warmup, horizon, quantities, first, trace)
        recorder.kind_keys = [k.kind.key for k in plan.kinds]
        self.recorder = recorder
        log = recorder.trace if trace else None
        call_out = s.policies.call_out
        dispatch = POLICIES[s.policies.dispatch] if dispatch is None else dispatch
        self.dispatch = dispatch(kernel, PRIORITY_RANK[s.policies.preempt_priority],
                                 -1 if call_out == "never" else PRIORITY_RANK[call_out], log)
        # the people first: each one's first look at the queues is the first event of the run
        queues, workers = build_team(s, plan, kernel, self.dispatch, (warmup, horizon), log)
        self.context = ctx = RunContext(s, self.seed, kernel, plan, self.dispatch, recorder, queues, workers,
                                        department_calendars(s, horizon))
        self.flows = RequestFlows(ctx, direct)
        self.arrivals = ArrivalFeed(ctx, self.flows, chain([first], blocks), by_year=summary)
        self.insight_spread = InsightSpread(ctx) if s.insights is not None else None
        self.other_work: dict[str, OtherWorkDone] = {}
        self.recurring: dict[str, OtherWorkDone] = {}

    @property
    def queues(self) -> dict[str, WorkQueue]:
        return self.context.queues

    @property
    def workers(self) -> dict[str, Worker]:
        return self.context.workers

    @property
    def pending_events(self) -> int:
        """Events pending now, shift alarms included (after :meth:`run`: what was left at the horizon)."""
        return self.kernel.pending

    def run(self) -> Result:
        """Run to the horizon; the tables of what happened."""
        release, first = self.arrivals.release_function()
        self.kernel.feed(release, first)
        self.other_work = start_other_work(self.context)
        self.recurring = start_recurring(self.context)
        if self.insight_spread is not None:
            self.insight_spread.start()
        with collector_set_aside(GC_YOUNG):
            self.kernel.run(self.context.horizon)
        self.recorder.close()
        return Result.collect(self.context, self.recorder, self.arrivals.block, self.flows.kinds, self.clock,
                              self.insight_spread)


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
