"""The scenario: plain, validated data describing one company and one design.

Every block of the YAML file has a model of its own module (:mod:`~orgsim.scenario.demand`,
:mod:`~orgsim.scenario.team`, :mod:`~orgsim.scenario.structure`, :mod:`~orgsim.scenario.policies`,
:mod:`~orgsim.scenario.insights`), built from the shared types, clock and distributions; this
module ties them into one :class:`Scenario` and re-exports them. Validation happens once, in
:func:`orgsim.scenario.load_scenario`; past that, nothing re-checks the data.

Units: times are hours unless a key says otherwise (``handle_minutes``);
rates are given ``per_day`` or ``per_week`` and read as per day everywhere
after loading (:attr:`Rate.daily`). The simulation clock starts at
``run.start_date`` 00:00 UTC and counts hours.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from orgsim.scenario.clock import DAILY_PROFILES, WEEKLY_PROFILES, parse_hours, utc_offset_hours
from orgsim.scenario.demand import Burst, Demand, Department, MessageStream, Rate, RequestType
from orgsim.scenario.distributions import Distribution, _Distribution
from orgsim.scenario.insights import Insights
from orgsim.scenario.policies import ApprovalStep, Interruptions, Policies, RunSettings
from orgsim.scenario.references import check_approvers_tied, check_references
from orgsim.scenario.structure import Covers, HandoffHours, Link, Pod, StructureSpec, Tie
from orgsim.scenario.team import Absence, Person, Skills, Team
from orgsim.scenario.types import (
    PRIORITY_RANK,
    WEEKDAYS,
    NonNegFloat,
    PositiveFloat,
    Priority,
    Share,
    Strict,
    Weekday,
)

__all__ = [
    "DAILY_PROFILES",
    "PRIORITY_RANK",
    "WEEKDAYS",
    "WEEKLY_PROFILES",
    "Absence",
    "ApprovalStep",
    "Burst",
    "Covers",
    "Demand",
    "Department",
    "Distribution",
    "HandoffHours",
    "Insights",
    "Interruptions",
    "Link",
    "MessageStream",
    "NonNegFloat",
    "Person",
    "Pod",
    "Policies",
    "PositiveFloat",
    "Priority",
    "Rate",
    "RequestType",
    "RunSettings",
    "Scenario",
    "Share",
    "Skills",
    "Strict",
    "StructureSpec",
    "Team",
    "Tie",
    "Weekday",
    "_Distribution",
    "parse_hours",
    "utc_offset_hours",
]


class Scenario(Strict):
    """One company and one design of its social team."""

    #: what this design is called ("by network"); the company is :attr:`company`, not part of the name
    name: str
    #: the company whose team this is: the report and the deck are titled after it (None: an untitled report)
    company: str | None = Field(None, min_length=1, description="The company's name: the report and the deck are "
                                "titled after it. Name the design itself by what it changes (name: by network).")
    description: str = ""
    channels: list[str]
    audiences: list[str]
    functions: list[str] = Field(
        default_factory=lambda: ["community", "content", "insights", "paid", "employer_brand", "governance"]
    )
    demand: Demand
    team: Team
    structure: StructureSpec
    policies: Policies = Policies()
    run: RunSettings = RunSettings()
    #: social-listening signals and how they spread (see :mod:`orgsim.scenario.insights`)
    insights: Insights | None = None

    @model_validator(mode="after")
    def _references_resolve(self) -> Scenario:
        check_references(self)
        # Only what the org graph will show, checked here so that every loaded scenario can run:
        # an approver from the team whom no tie links to the departments.
        check_approvers_tied(self)
        return self
