"""The work one replication of a scenario makes, counted from the validated scenario before anything runs.

One figure, in *work items*: every arrival the engine draws and every task it
schedules, each counted as the simulation makes it —

- requests of each department's types, and leadership's interruptions (a
  request type of their own), at their daily rate, with every burst that
  covers them **multiplied** in where bursts overlap (the engine multiplies
  the hourly rate by each burst in turn: two ×30 bursts on the same days make
  ×900, not ×60); ``at_hours`` requests one each;
- each request of a type with ``steps:`` counted once per *expected visit* of
  its steps (the traffic equations ``v = e₁ + vP`` through the branch matrix,
  so a rejection loop taken 15% of the time costs 1.18 passes of its steps);
  a near-certain loop is refused (:func:`loop_problems`);
- messages of each channel, with their bursts multiplied in the same way;
- insights drawn at their bursts' peak rate (the engine thins a Poisson
  stream drawn at the peak), each with a hop per department it concerns;
- recurring work (one task per person per cadence) and outside approvers'
  other work (at most their share of every clock hour).

Profiles only shape a day and a week (they average to 1), so they change no
count. The budget in :mod:`orgsim.scenario.limits` is in the same unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orgsim.scenario.traffic import MAX_STEPS, mean_visits
from orgsim.scenario.workflow import exits

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario
    from orgsim.scenario.workflow import Step

__all__ = ["DRIVER_KEYS", "MAX_VISITS", "Cost", "burst_days", "expected_visits", "loop_problems", "replication_cost"]

#: a request may pass through its workflow's steps this many times on average; above it a loop is
#: near-certain (a step sent back 99.9% of the time) and its run would not end. Real rework loops are
#: taken a few times at most (base.yaml's rejection: 15%, 1.18 passes); 1,000 is far above any of them.
MAX_VISITS = 1000.0


@dataclass(frozen=True)
class Cost:
    """What one replication makes: ``items`` in all, and per day what drives it (for the message)."""

    items: float
    drivers: dict[str, float]


def burst_days(bursts: Iterable[tuple[float, float, float]], horizon: float) -> float:
    """Days of the horizon weighted by the product of the bursts over each: ∫₀ᴴ Π multipliers dt.

    ``bursts`` are (start_day, days, multiplier). Overlapping bursts multiply,
    as in the engine; the product is summed in logarithms (a sweep over the
    burst edges, so thousands of bursts cost milliseconds) and is ``inf``
    when it would overflow.

    >>> burst_days([], 10.0)
    10.0
    >>> round(burst_days([(2, 3, 30), (3, 1, 30)], 10.0), 9)  # 7 plain days, 2 at x30, 1 at x900 (x30 x30)
    967.0
    """
    edges: list[tuple[float, float]] = []
    for start, days, mult in bursts:
        lo, hi = max(start, 0.0), min(start + days, horizon)
        if hi > lo and mult != 1:
            edges += [(lo, math.log(mult)), (hi, -math.log(mult))]
    if not edges:
        return horizon
    edges.sort()
    total, level, at = 0.0, 0.0, 0.0
    for t, step in edges:
        if t > at:
            total += (t - at) * _exp(level)
            at = t
        level += step
    return total + (horizon - at) * _exp(level)


def _exp(x: float) -> float:
    return math.exp(x) if x < 700 else math.inf


def expected_visits(steps: Sequence[Step], planning_seat: bool = False) -> list[float]:
    """Mean visits of one request to each step: the solution of ``v = e₁ + vP``; ``inf`` where the loop never ends.

    Solved exactly and rounded once (:func:`orgsim.scenario.traffic.mean_visits`): the same bits on every machine.

    >>> from orgsim.scenario.workflow import Step
    >>> s = [Step(name="a", effort_hours=1), Step(name="b", effort_hours=1, branches={"r": {"to": "a", "probability": 0.5}})]
    >>> expected_visits(s)
    [2.0, 2.0]
    """
    return mean_visits(exits(list(steps), planning_seat))


def loop_problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Positioned problems: workflows whose requests would pass through their steps more than :data:`MAX_VISITS` times.

    Each is placed at the branch that closes the loop most surely (the
    back-branch of highest probability among the most-visited steps). A
    workflow of more than :data:`~orgsim.scenario.traffic.MAX_STEPS` steps is
    refused at its first step over the limit, before its visits are solved.
    """
    bad: list[tuple[tuple[str | int, ...], str]] = []
    for at, steps in _workflows(scenario):
        if len(steps) > MAX_STEPS:
            bad.append(((*at, "steps", MAX_STEPS), f"a workflow of {len(steps):,} steps, over the limit of {MAX_STEPS} "
                                                   "(its visits are solved exactly, at a cost that grows with the "
                                                   "cube of the steps); merge steps"))
            continue
        v = expected_visits(steps, scenario.policies.planning_seat)
        most = max(v)
        if most <= MAX_VISITS:
            continue
        index = {st.name: i for i, st in enumerate(steps)}
        back = [(br.probability, i, name) for i, st in enumerate(steps) for name, br in st.branches.items()
                if index.get(br.to, len(steps)) <= i]
        shown = "never ends" if math.isinf(most) else f"{most:,.0f} times"
        if back:
            p, i, name = max(back)
            where: tuple[str | int, ...] = (*at, "steps", i, "branches", name, "probability")
            bad.append((where, f"a near-certain loop: with probability {p:g} back to {steps[i].branches[name].to!r}, "
                               f"a request passes through step {steps[v.index(most)].name!r} {shown} on "
                               f"average (the limit is {MAX_VISITS:,.0f}); lower the probability"))
        else:
            bad.append(((*at, "steps"), f"a request passes through step {steps[v.index(most)].name!r} {shown} "
                                        f"on average (the limit is {MAX_VISITS:,.0f})"))
    return bad


def _workflows(scenario: Scenario) -> Iterable[tuple[tuple[str | int, ...], Sequence[Step]]]:
    for dname, dept in scenario.demand.departments.items():
        for rname, rt in dept.requests.items():
            if rt.steps:
                yield ("demand", "departments", dname, "requests", rname), rt.steps
    intr = scenario.policies.interruptions
    if intr is not None and intr.steps:
        yield ("policies", "interruptions"), intr.steps


def replication_cost(scenario: Scenario) -> Cost:
    """The work items of one replication of ``scenario`` (see the module's list), and what drives them, per day."""
    demand, horizon = scenario.demand, scenario.run.horizon_days
    seat = scenario.policies.planning_seat

    def passes(steps: Sequence[Step] | None, rework: float) -> float:
        return math.fsum(expected_visits(steps, seat)) if steps else 1.0 + rework

    extra = [0.0]  # what bursts add to every source, over the horizon

    def burst(daily: float, items_each: float, covers: str, field: str) -> float:
        """A source's items without bursts; what its bursts add (multiplied where they overlap) goes to ``extra``."""
        spans = [(b.start_day, b.days, b.multiplier) for b in demand.bursts.values() if covers in getattr(b, field)]
        plain = _times(daily * horizon, items_each)
        extra[0] += _times(daily * burst_days(spans, horizon), items_each) - plain if spans else 0.0
        return plain

    requests = interruptions = 0.0
    for dname, dept in demand.departments.items():
        for rt in dept.requests.values():
            if rt.at_hours is not None:
                requests += _times(float(sum(1 for t in rt.at_hours if t < horizon * 24)),
                                   passes(rt.steps, rt.rework_probability))
            else:
                requests += burst(rt.daily, passes(rt.steps, rt.rework_probability), dname, "departments")
    intr = scenario.policies.interruptions
    if intr is not None:
        interruptions = burst(intr.per_week / 7, passes(intr.steps, 0.0), intr.department, "departments")
    messages = sum(burst(ms.daily, 1.0, channel, "channels") for channel, ms in demand.messages.items())
    insights = 0.0
    if scenario.insights is not None:
        for k in scenario.insights.kinds.values():
            peak = max([1.0, *(b.multiplier for b in k.bursts)])
            insights += k.per_week / 7 * peak * horizon * (1 + len(k.departments))
    recurring = sum(max(0.0, math.floor((horizon - rw.first_day) / rw.every_days) + 1)
                    for rw in scenario.policies.recurring_work.values())
    from orgsim.scenario.approvers import other_work

    other = sum(ow.per_hour(1.0) for ow in other_work(scenario).values()) * 24 * horizon  # on duty every hour: a bound
    parts = {"requests": requests, "interruptions": interruptions, "messages": messages, "bursts": extra[0],
             "insights": insights, "recurring work": recurring, "approvers' other work": other}
    total = math.fsum(parts.values())
    return Cost(total if math.isfinite(total) else math.inf, {k: v / horizon for k, v in parts.items()})


#: where each driver of the cost is written, so a refusal points at the biggest one
DRIVER_KEYS: dict[str, tuple[str, ...]] = {
    "requests": ("demand", "departments"), "interruptions": ("policies", "interruptions"),
    "messages": ("demand", "messages"), "bursts": ("demand", "bursts"), "insights": ("insights",),
    "recurring work": ("policies", "recurring_work"), "approvers' other work": ("policies", "approval_chain"),
}


def _times(n: float, visits: float) -> float:
    """``n × visits`` where no request arriving means no work, even from a loop that never ends."""
    return 0.0 if n == 0 else n * visits
