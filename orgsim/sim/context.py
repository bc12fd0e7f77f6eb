"""What a process may read of a run: the run context, in place of the whole model.

A request's flow, an insight's spread, an approver's own work and a
recurring habit each need a few things of the run — its clock, the queues and
the people, the dispatch policy to hand tasks to, the recorder, the random
streams, the handoff delays and when a department is there to receive — and
nothing else. :class:`RunContext` is that and only that, so a process can be
read, and tested, knowing what it can touch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from orgsim.sim.demand import stream

if TYPE_CHECKING:
    from orgsim.org.graph import Leg
    from orgsim.org.plan import RoutingPlan
    from orgsim.scenario.model import Scenario
    from orgsim.sim.calendar import Calendar
    from orgsim.sim.dispatch import DispatchPolicy
    from orgsim.sim.kernel import Kernel
    from orgsim.sim.record import Recorder
    from orgsim.sim.workers import Worker, WorkQueue

__all__ = ["RunContext"]


@dataclass(eq=False)
class RunContext:
    """One run's clock, people, queues, policy, recorder and randomness, as processes see them."""

    scenario: Scenario
    seed: np.random.SeedSequence
    kernel: Kernel
    plan: RoutingPlan
    dispatch: DispatchPolicy
    recorder: Recorder
    #: work queue name -> queue (``person:<id>``, ``pod:<name>``, ``embedded:<dept>``, approvers, roles)
    queues: dict[str, WorkQueue]
    #: graph node -> the person or outside approver
    workers: dict[str, Worker]
    #: the calendars of the departments that say when they are there to receive (``hours``)
    department_calendars: dict[str, Calendar]
    #: hours: the warm-up's end and the horizon
    warmup: float = field(init=False)
    horizon: float = field(init=False)

    def __post_init__(self) -> None:
        run = self.scenario.run
        self.horizon = run.horizon_days * 24
        self.warmup = run.warmup_days * 24
        self._fixed_delays = self.scenario.policies.handoff_delay == "fixed"
        self._handoffs = stream(self.seed, "handoffs")

    def stream(self, name: str) -> np.random.Generator:
        """The run's generator for one named source of randomness (see :func:`orgsim.sim.demand.stream`)."""
        return stream(self.seed, name)

    def handoff_delay(self, leg: Leg) -> float:
        """Hours one handoff along ``leg`` takes: its mean, exponential unless ``policies.handoff_delay`` is fixed.

        One stream (``handoffs``) in the order the handoffs happen.
        """
        if leg.delay_hours == 0 or self._fixed_delays:
            return leg.delay_hours
        return float(self._handoffs.exponential(leg.delay_hours))

    def until_received(self, department: str) -> float:
        """Hours from now until ``department`` is there to receive (0 while it is open, or without ``hours``)."""
        calendar = self.department_calendars.get(department)
        if calendar is None:
            return 0.0
        now = self.kernel.now
        return min(calendar.next_on_duty(now), self.horizon) - now
