"""How long a task takes: the service-time rules the engine runs and ``orgsim estimate`` averages.

Each rule lives here once, and both the simulation (:mod:`orgsim.sim.team`,
:mod:`orgsim.sim.workers`, :mod:`orgsim.sim.flows`, :mod:`orgsim.sim.arrivals`)
and the estimate (:mod:`orgsim.analytic.estimate`) call it, so that the
estimate cannot drift from the engine when a rule changes:

- :func:`proficiency`: a person's work-time factor per channel, function and
  audience, from their levels and ``policies.proficiency_factors``;
- :func:`skill_factor`: one task's factor for one person (channel factors
  averaged over the task's channels × function × audience);
- :func:`message_skill`: what a community message concerns;
- :func:`part_effort` and :func:`step_effort`: a share of a request's effort
  when it is split between owners;
- :func:`review_hours`: the review time of an approval on the chain.

Plain functions of the scenario and of numbers: no draws, no clock.
"""

from __future__ import annotations

from typing import Any

from orgsim.scenario.distributions import Distribution
from orgsim.scenario.model import Scenario
from orgsim.scenario.policies import Policies
from orgsim.scenario.team import DIMENSIONS

__all__ = ["Proficiency", "Skill", "message_skill", "part_effort", "proficiency", "review_hours", "skill_factor",
           "step_effort"]

#: what a task concerns: (channels, function or None, audience or None); coordination names none of them
Skill = tuple[Any, ...]
#: work-time factor by channel, function and audience name (a name not listed counts as 1)
Proficiency = tuple[dict[str, float], dict[str, float], dict[str, float]]


def proficiency(scenario: Scenario, person: str) -> Proficiency:
    """A team member's factor for every channel, function and audience of the scenario."""
    factors = scenario.policies.proficiency_factors.model_dump()
    p = scenario.team.people[person]
    names = (scenario.channels, scenario.functions, scenario.audiences)
    by_channel, by_function, by_audience = ({n: factors[p.level(dim, n)] for n in ns}
                                            for dim, ns in zip(DIMENSIONS, names, strict=True))
    return by_channel, by_function, by_audience


def skill_factor(tables: Proficiency, skill: Skill, scale: float = 1.0) -> float:
    """Work-time factor of a task for a person: ``scale`` × channel × function × audience factor.

    The channel factor is the mean over the task's channels (a task on two
    platforms is half on each); a product, not the worst of the three, so that
    a platform expert doing ordinary work for an audience she knows is faster
    than a generalist, and a novice on two counts is slower than on one. The
    engine passes ``scale`` = 1 / capacity (clock hours per hour of effort);
    the estimate counts capacity in a station's servers and passes 1.

    >>> tables = ({"instagram": 0.8, "linkedin": 1.3}, {"community": 1.0}, {"consumers": 0.8})
    >>> round(skill_factor(tables, (("instagram", "linkedin"), "community", "consumers")), 6)
    0.84
    >>> skill_factor(tables, ((), None, None), scale=1.25)  # coordination: capacity only
    1.25
    """
    channels, function, audience = skill
    by_channel, by_function, by_audience = tables
    channel = sum(by_channel.get(x, 1.0) for x in channels) / len(channels) if channels else 1.0
    return scale * channel * by_function.get(function, 1.0) * by_audience.get(audience, 1.0)


def message_skill(channel: str, audience: str | None) -> Skill:
    """A community message concerns its channel, the community function and its writer's audience."""
    return (channel,), "community", audience


def part_effort(effort: float, parts: int, concept_share: float) -> float:
    """Effort of each of ``parts`` parts of a request: its concept repeated by every part, the rest shared.

    ``concept_share`` is ``policies.split_concept_share``; a request in one
    part keeps its whole effort.

    >>> part_effort(8.0, 1, 0.25), part_effort(8.0, 2, 0.25)
    (8.0, 5.0)
    """
    concept = concept_share if parts > 1 else 0.0
    return effort * (concept + (1 - concept) / parts)


def step_effort(effort: float, handling_factor: float, queues: int) -> float:
    """Effort of each queue's share of a workflow step: drawn effort × ``request_handling_factor``, split evenly."""
    return effort * handling_factor / queues


def review_hours(policies: Policies, chain_index: int) -> Distribution:
    """The review time of the approval at ``chain_index`` of ``policies.approval_chain`` (drawn per request)."""
    return policies.approval_chain[chain_index].review_hours
