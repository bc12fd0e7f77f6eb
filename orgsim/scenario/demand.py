"""The ``demand:`` block: departments and their requests, inbound messages, bursts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from orgsim.scenario.clock import DAILY_PROFILES, WEEKLY_PROFILES, DailyProfile, Hours, TimeZone, WeeklyProfile
from orgsim.scenario.distributions import Distribution, _Distribution
from orgsim.scenario.types import NonNegFloat, PositiveFloat, Priority, Share, Strict, Weekday, workweek
from orgsim.scenario.workflow import Step

__all__ = ["Burst", "Demand", "Department", "MessageStream", "Rate", "RequestType"]

class Rate(Strict):
    """A mixin for anything that arrives: exactly one of ``per_day`` / ``per_week``."""

    per_day: NonNegFloat | None = None
    per_week: NonNegFloat | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> Rate:
        if (self.per_day is None) == (self.per_week is None):
            raise ValueError("give exactly one of per_day or per_week")
        return self

    @property
    def daily(self) -> float:
        """The average rate per day, whichever unit the file used."""
        return self.per_day if self.per_day is not None else self.per_week / 7  # type: ignore[operator]


class RequestType(Rate):
    """One kind of request a department sends to the social team.

    It arrives at a rate (``per_day`` or ``per_week``, shaped by the daily and
    weekly profiles) or, instead, at exact times: ``at_hours`` on the
    simulation clock.
    """

    description: str = ""
    at_hours: list[NonNegFloat] | None = None
    #: hours of hands-on work; with ``steps`` (each gives its own) leave it out: it is then one pass's total
    effort_hours: Distribution = _Distribution.model_construct(dist="fixed", mean=0.0)  # unset: see the validator
    function: str
    channels: list[str] | Literal["all"] = Field(default_factory=list)
    audience: str | None = None
    priority: Priority = "normal"
    needs_approval: bool = False
    #: chance that the work is redone because the team was told after the
    #: campaign was decided; applies only without ``policies.planning_seat``.
    rework_probability: Share = 0.0
    #: the work as a workflow (see orgsim.scenario.workflow); absent: one step, the fields above
    steps: Annotated[list[Step], Field(min_length=1)] | None = None
    daily_profile: DailyProfile | None = None
    weekly_profile: WeeklyProfile | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> RequestType:
        given = (self.per_day is not None) + (self.per_week is not None) + (self.at_hours is not None)
        if given != 1:
            raise ValueError("give exactly one of per_day, per_week or at_hours")
        if "effort_hours" not in self.model_fields_set:
            if self.steps is None:
                raise ValueError("give effort_hours (hours of hands-on work), or steps that each give theirs")
            # one pass through the steps, for readers of the type's total (none draws it for the run)
            total = _Distribution(dist="fixed", mean=sum(st.effort_hours.expected for st in self.steps))
            object.__setattr__(self, "effort_hours", total)  # frozen; so that a dump validates again
            self.__pydantic_fields_set__.add("effort_hours")
        return self

    @property
    def daily(self) -> float:
        if self.at_hours is not None:
            return 0.0
        return super().daily


class Department(Strict):
    """A department that sends requests (and, later, needs insights)."""

    description: str = ""
    timezone: TimeZone | None = None
    #: when the department is there to receive an answer or an insight (its
    #: local time): one that arrives while it is closed is received when it
    #: opens, and the latency clock counts the wait as handoff time. Unset:
    #: always receiving (the theory checks' departments).
    hours: Hours | None = None
    days: list[Weekday] = Field(default_factory=workweek)
    daily_profile: DailyProfile = DAILY_PROFILES["office_hours"]
    weekly_profile: WeeklyProfile = WEEKLY_PROFILES["weekdays"]
    requests: dict[str, RequestType] = Field(default_factory=dict)


class MessageStream(Rate):
    """Inbound community messages on one channel, around the clock."""

    handle_minutes: Distribution
    priority: Priority = "normal"
    #: how long a customer waits for someone to start on their message before giving up (hours; the
    #: message is then abandoned: counted, never answered). Unset: they wait until answered. No default
    #: figure: the field reports how many give up silently (about 70%, DOMAIN brief) but not after how
    #: long, so a file states its own patience as an assumption and a sweep or exploration varies it
    patience_hours: Distribution | None = None
    #: who writes in: audience -> weight (normalised on use)
    audience_mix: dict[str, PositiveFloat] = Field(default_factory=dict)
    daily_profile: DailyProfile = DAILY_PROFILES["consumer"]
    weekly_profile: WeeklyProfile = WEEKLY_PROFILES["consumer"]


class Burst(Strict):
    """A period of raised traffic: a launch, a crisis, a campaign."""

    description: str = ""
    start_day: NonNegFloat
    days: PositiveFloat
    #: launches raise traffic a few times over (base.yaml: 1.5 to 3); 1000 is far past any burst seen
    multiplier: Annotated[float, Field(gt=0, le=1000)]
    channels: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)


class Demand(Strict):
    """Everything that arrives at the team."""

    timezone: TimeZone = "UTC"
    departments: dict[str, Department]
    messages: dict[str, MessageStream] = Field(default_factory=dict)
    bursts: dict[str, Burst] = Field(default_factory=dict)
