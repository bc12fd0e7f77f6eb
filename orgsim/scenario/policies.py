"""The ``policies:`` and ``run:`` blocks: leadership levers, working rules, run settings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from orgsim.scenario.approvers import TEAM_MEMBERS_OTHER_WORK, OtherWork
from orgsim.scenario.clock import Hours, TimeZone
from orgsim.scenario.distributions import Distribution, _Distribution
from orgsim.scenario.types import NonNegFloat, PositiveFloat, Priority, Strict, Weekday, workweek
from orgsim.scenario.workflow import Step

__all__ = ["ApprovalStep", "Interruptions", "Policies", "ProficiencyFactors", "RecurringWork", "RunSettings"]

class ApprovalStep(Strict):
    """One approver: a team member (``person``) or someone outside the team."""

    person: str | None = None
    external: str | None = None
    review_hours: Distribution = _Distribution(dist="fixed", mean=0.25)
    hours: Hours = "09:00-18:00"
    days: list[Weekday] = Field(default_factory=workweek)
    timezone: TimeZone = "UTC"
    #: an outside approver's own work, competing with the reviews (see orgsim.scenario.approvers)
    other_work: OtherWork | None = None

    @model_validator(mode="after")
    def _one_approver(self) -> ApprovalStep:
        if (self.person is None) == (self.external is None):
            raise ValueError("give exactly one of person (a team member) or external (a name)")
        if self.other_work is not None and self.external is None:
            raise ValueError(TEAM_MEMBERS_OTHER_WORK)
        return self

    @property
    def node(self) -> str:
        return self.person if self.person is not None else f"approver:{self.external}"


class Interruptions(Strict):
    """Ad-hoc ideas from leadership ("should we do this too?")."""

    per_week: NonNegFloat
    #: ``direct_message``: any hour, pre-empts work and is answered after
    #: hours; ``email``: office hours, normal priority.
    style: Literal["direct_message", "email"] = "direct_message"
    department: str = "Executive"
    function: str = "content"
    effort_hours: Distribution = _Distribution(dist="exponential", mean=1.5)
    #: the idea as a small project (a workflow: triage, then work; see orgsim.scenario.workflow)
    #: instead of one task of ``effort_hours``
    steps: Annotated[list[Step], Field(min_length=1)] | None = None


class SwitchMinutes(Strict):
    """Minutes of setup when a person's next task differs from their last in channel, function or audience.

    Re-orienting to another platform's tools and norms, another function's
    brief or another audience's voice takes a few minutes that nobody
    schedules: the cost that argues for grouping work by network or by
    function. No survey measures it for social teams: each is an assumption,
    0 by default (the model before it existed), with a documented range of 0
    to 15 minutes for an exploration to vary
    (``orgsim sweep --set policies.switch_minutes.channel=0,5,15``). The
    minutes of every dimension that changes add up; they are work time.
    """

    #: minutes when the channels differ (a task on two platforms differs from one on either)
    channel: Annotated[float, Field(ge=0, le=240)] = 0.0
    #: minutes when the function differs (community, content, insights ...)
    function: Annotated[float, Field(ge=0, le=240)] = 0.0
    #: minutes when the audience differs
    audience: Annotated[float, Field(ge=0, le=240)] = 0.0

    @property
    def any(self) -> bool:
        """Whether any switch costs time."""
        return self.channel > 0 or self.function > 0 or self.audience > 0


class ProficiencyFactors(Strict):
    """Clock hours per hour of effort at each proficiency level (``practised`` is the unit).

    No survey measures these for social teams: all four are assumptions for
    an exploration to vary (``orgsim sweep --set policies.proficiency_factors.expert=0.6,0.8``).
    ``novice`` keeps the 1.3 the model used for any off-skill work before
    levels existed; ``expert`` 0.8 says a specialist who knows a platform's
    formats, tools and norms by heart saves a fifth of a practised
    colleague's time; ``none`` 2.0 says someone who has never done the work
    learns while doing it and takes twice as long.
    """

    expert: PositiveFloat = 0.8
    practised: PositiveFloat = 1.0
    novice: PositiveFloat = 1.3
    none: PositiveFloat = 2.0

    @model_validator(mode="after")
    def _ordered(self) -> ProficiencyFactors:
        if not self.expert <= self.practised <= self.novice <= self.none:
            raise ValueError("factors must not fall from expert to practised to novice to none "
                             f"(got {self.expert:g}, {self.practised:g}, {self.novice:g}, {self.none:g})")
        return self


class RecurringWork(Strict):
    """Time a habit costs one person in the team on a cadence: a planning meeting, a briefing's preparation.

    A task of ``hours`` lands in the person's own queue at ``at_hour`` (their
    local time) every ``every_days`` from ``first_day``; it is worked like any
    task at its ``priority`` — ``executive`` pushes other work aside, as a
    meeting that starts at its time does (with the default
    ``preempt_priority``); ``normal`` waits its turn, as preparation does.
    """

    description: str = ""
    person: str
    every_days: Annotated[float, Field(ge=1)]
    first_day: NonNegFloat = 0.0
    at_hour: Annotated[float, Field(ge=0, lt=24)] = 10.0
    hours: Distribution
    priority: Priority = "normal"


class Policies(Strict):
    """Leadership levers and the engine's working rules."""

    approval_steps: Annotated[int, Field(ge=0, le=5)] = 0
    approval_chain: list[ApprovalStep] = Field(default_factory=list)
    interruptions: Interruptions | None = None
    #: leadership habits that cost someone's time on a cadence, by name (see :class:`RecurringWork`)
    recurring_work: dict[str, RecurringWork] = Field(default_factory=dict)
    #: the social lead is in the room when campaigns are planned (no rework)
    planning_seat: bool = False
    #: share of the original effort that a rework costs
    rework_share: Annotated[float, Field(gt=0, le=2)] = 0.5
    #: tools that cut handling time: a multiplier on message / request effort
    message_handling_factor: PositiveFloat = 1.0
    request_handling_factor: PositiveFloat = 1.0
    triage_minutes: NonNegFloat = 10.0
    merge_hours: NonNegFloat = 0.5
    #: work-time factor per proficiency level; a task's factor is the
    #: product of the person's channel factor (the mean over the task's
    #: channels), function factor and audience factor
    proficiency_factors: ProficiencyFactors = ProficiencyFactors()
    #: setup minutes when a person's next task differs from the last (see :class:`SwitchMinutes`)
    switch_minutes: SwitchMinutes = SwitchMinutes()
    #: share of a request's effort that is its concept (reading the brief,
    #: the idea, the key message): when a request is split across pods, each
    #: part repeats it and only the rest is divided. An assumption (0.25):
    #: no survey measures it; vary it.
    split_concept_share: Annotated[float, Field(ge=0, le=1)] = 0.25
    # No coordination overhead that grows with pod size: the field's figure
    # (most productive team size 3 to 7) gives no per-member cost to ground a
    # default on, so it is left out rather than invented.
    #: work this urgent (or more) pushes other work aside ...
    preempt_priority: Priority = "executive"
    #: ... and this urgent (or more) calls someone off duty out when nobody
    #: on duty can take it (``never``: work waits for someone's hours)
    call_out: Priority | Literal["never"] = "executive"
    handoff_delay: Literal["exponential", "fixed"] = "exponential"
    #: which waiting task a free person takes: ``first_come`` — the most urgent, then the first come;
    #: ``best_skill`` — of the most urgent, the one they are fastest at (then the first come). Default
    #: ``first_come``: the rule of a shared inbox worked top-down, and the model's rule before the
    #: choice existed (its results unchanged); ``best_skill`` is a team lead's rule once a backlog forms
    dispatch: Literal["first_come", "best_skill"] = "first_come"

    @model_validator(mode="after")
    def _enough_approvers(self) -> Policies:
        if self.approval_steps > len(self.approval_chain):
            raise ValueError(
                f"approval_steps is {self.approval_steps} but approval_chain names only "
                f"{len(self.approval_chain)} approver(s)"
            )
        return self


#: the range of ``run.start_date``: before 1900 time-zone rules are local mean times and holiday calendars
#: are not kept; after 2200 nothing is known of either. Generous both ways for a model of a team's year.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2200, 12, 31)
#: the last day a result table can hold (pandas' nanosecond timestamps end on 2262-04-11)
END_LIMIT = dt.date(2262, 4, 10)


class RunSettings(Strict):
    horizon_days: PositiveFloat = 28.0
    warmup_days: NonNegFloat = 7.0
    #: below 2**128: numpy's SeedSequence takes 128 bits of entropy, a longer number adds none
    seed: Annotated[int, Field(ge=0, lt=2**128)] = 20261122
    #: Measured, not guessed: ``python -m docs.replication_rule`` runs the five example designs on five seeds;
    #: from 10 replications on, no primary verdict flips between better and worse and at most 10% of them
    #: (7.1% at 10, 11.2% at 8) read differently on another seed. The README states the table.
    replications: Annotated[int, Field(ge=1)] = 10
    #: day zero of the simulation clock (00:00 UTC); between :data:`FIRST_DATE` and :data:`LAST_DATE`,
    #: and the run must end by :data:`END_LIMIT` (see :meth:`_dates_the_tables_hold`)
    start_date: dt.date = dt.date(2026, 1, 5)
    #: share of messages answered within each of these hours is reported, overall and for nights and
    #: weekends. Default 1, 4, 24: about half of consumers expect a reply on social within 1 h and about
    #: 79% within 24 h (Arise 2017, n ~1,500; HubSpot the same 79%); 4 h is a common service target between.
    reply_targets_hours: Annotated[list[PositiveFloat], Field(min_length=1, max_length=8)] = [1.0, 4.0, 24.0]
    #: the currency of every ``cost_per_year`` (``GBP``, ``EUR``, ``$``...), shown beside money in reports.
    #: No default guess: unset, a report says the currency was not given rather than print a bare number.
    currency: Annotated[str, Field(min_length=1, max_length=8, pattern=r"^[^\s<>&]+$")] | None = None

    @field_validator("start_date")
    @classmethod
    def _dates_the_tables_hold(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        if not FIRST_DATE <= value <= LAST_DATE:
            raise ValueError(f"expected a date from {FIRST_DATE} to {LAST_DATE} (time zones and holidays are known "
                             f"for those years, and result tables hold dates up to {END_LIMIT}), got {value}")
        days = info.data.get("horizon_days")
        if isinstance(days, (int, float)) and days > (END_LIMIT - value).days:
            raise ValueError(f"a run of {days:g} days from {value} would end after {END_LIMIT}, the last date result "
                             "tables hold; start earlier or simulate fewer days")
        return value

    @model_validator(mode="after")
    def _warmup_inside(self) -> RunSettings:
        if self.warmup_days >= self.horizon_days:
            raise ValueError(f"warmup_days ({self.warmup_days}) must be below horizon_days ({self.horizon_days})")
        if len(set(self.reply_targets_hours)) != len(self.reply_targets_hours):
            raise ValueError(f"reply_targets_hours lists a target twice: {self.reply_targets_hours}")
        return self
