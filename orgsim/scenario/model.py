"""The scenario: plain, validated data describing one company and one design.

Every block of the YAML file has a model here. Validation happens once, in
:func:`orgsim.scenario.load_scenario`; past that, nothing re-checks the data.

Units: times are hours unless a key says otherwise (``handle_minutes``);
rates are given ``per_day`` or ``per_week`` and read as per day everywhere
after loading (:attr:`Rate.daily`). The simulation clock starts at
``run.start_date`` 00:00 UTC and counts hours.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "PRIORITY_RANK",
    "WEEKDAYS",
    "Absence",
    "ApprovalStep",
    "Burst",
    "Covers",
    "Demand",
    "Department",
    "Distribution",
    "HandoffHours",
    "Interruptions",
    "Link",
    "MessageStream",
    "Person",
    "Pod",
    "Policies",
    "RequestType",
    "RunSettings",
    "Scenario",
    "Skills",
    "StructureSpec",
    "Team",
    "Tie",
    "utc_offset_hours",
]

Priority = Literal["crisis", "executive", "urgent", "high", "normal", "low"]
#: Lower rank is more urgent; the engine only ever sees these integers.
PRIORITY_RANK: dict[str, int] = {
    "crisis": 0,
    "executive": 1,
    "urgent": 2,
    "high": 3,
    "normal": 4,
    "low": 5,
}
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _workweek() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri"]

PositiveFloat = Annotated[float, Field(gt=0)]
NonNegFloat = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    """Base for every block: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- distributions ---------------------------------------------------------


def _number_is_fixed(value: Any) -> Any:
    # ``effort_hours: 2`` is the common case in hand-written files.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "mean": value}
    return value


class _Distribution(Strict):
    """A non-negative random duration.

    ``fixed`` and ``exponential`` need ``mean``; ``lognormal`` and ``gamma``
    need ``mean`` and ``cv`` (coefficient of variation); ``uniform`` needs
    ``low`` and ``high``; ``triangular`` needs ``low``, ``mode`` and ``high``.
    A bare number means ``fixed``.
    """

    dist: Literal["fixed", "exponential", "lognormal", "gamma", "uniform", "triangular"] = (
        "exponential"
    )
    mean: PositiveFloat | None = None
    cv: PositiveFloat | None = None
    low: NonNegFloat | None = None
    mode: NonNegFloat | None = None
    high: NonNegFloat | None = None

    @model_validator(mode="after")
    def _parameters_fit(self) -> _Distribution:
        needs = {
            "fixed": ("mean",),
            "exponential": ("mean",),
            "lognormal": ("mean", "cv"),
            "gamma": ("mean", "cv"),
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
        }[self.dist]
        missing = [k for k in needs if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(missing)}")
        extra = [
            k for k in ("mean", "cv", "low", "mode", "high") if k not in needs and getattr(self, k) is not None
        ]
        if extra:
            raise ValueError(f"a {self.dist} distribution takes {', '.join(needs)}, not {', '.join(extra)}")
        if self.dist == "uniform" and not self.low < self.high:  # type: ignore[operator]
            raise ValueError("uniform needs low < high")
        if self.dist == "triangular" and not self.low <= self.mode <= self.high:  # type: ignore[operator]
            raise ValueError("triangular needs low <= mode <= high")
        return self

    @property
    def expected(self) -> float:
        """The distribution's mean, whatever its parameters."""
        if self.mean is not None:
            return self.mean
        if self.dist == "uniform":
            return (self.low + self.high) / 2  # type: ignore[operator]
        return (self.low + self.mode + self.high) / 3  # type: ignore[operator]


Distribution = Annotated[_Distribution, BeforeValidator(_number_is_fixed)]


# --- time of day, time zones, profiles -------------------------------------

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_OFFSET = re.compile(r"^UTC(?:([+-])(\d{1,2})(?::(\d{2}))?)?$")


def parse_hours(text: str) -> tuple[float, float]:
    """``"09:00-17:30"`` -> ``(9.0, 17.5)``; an end before the start wraps past midnight."""
    m = _HOURS.match(text)
    if not m:
        raise ValueError(f'expected a range like "09:00-17:00", got {text!r}')
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
        raise ValueError(f'expected a range like "09:00-17:00", got {text!r}')
    start, end = h1 + m1 / 60, h2 + m2 / 60
    if start == end:
        raise ValueError(f"a working day needs some hours, got {text!r}")
    return start, end


def utc_offset_hours(zone: str, on: dt.date) -> float:
    """Hours east of UTC for an IANA zone or ``UTC+05:30`` on a given date.

    Daylight saving is not followed through the run: the offset on the run's
    start date holds for the whole horizon.
    """
    m = _OFFSET.match(zone)
    if m:
        sign, hh, mm = m.groups()
        if not hh:
            return 0.0
        value = int(hh) + int(mm or 0) / 60
        return -value if sign == "-" else value
    moment = dt.datetime.combine(on, dt.time(12), tzinfo=ZoneInfo(zone))
    offset = moment.utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


def _check_zone(zone: str) -> str:
    if _OFFSET.match(zone):
        return zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise ValueError(
            f'expected a time zone like "Europe/London" or "UTC+02:00", got {zone!r}'
        ) from None
    return zone


TimeZone = Annotated[str, BeforeValidator(lambda v: _check_zone(v) if isinstance(v, str) else v)]
Hours = Annotated[str, BeforeValidator(lambda v: (parse_hours(v), v)[1] if isinstance(v, str) else v)]

#: Named shapes of the day (24 hourly weights) and the week (7 daily weights).
DAILY_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 24,
    # Office traffic: requests come in working hours, a few before and after.
    "office_hours": (0, 0, 0, 0, 0, 0, 0, 0.2, 0.8, 1.6, 1.8, 1.7, 1.2, 1.6, 1.8, 1.7, 1.4, 0.8, 0.3, 0.1, 0.1, 0, 0, 0),
    # Consumers on social: low at night, rising through the day, evening peak.
    "consumer": (0.5, 0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.7, 0.9, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.1, 1.2, 1.3, 1.5, 1.7, 1.8, 1.6, 1.2, 0.8),
}
WEEKLY_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 7,
    "weekdays": (1, 1, 1, 1, 1, 0, 0),
    "consumer": (0.95, 0.95, 1.0, 1.0, 1.05, 1.05, 1.0),
}


def _profile(length: int, presets: dict[str, tuple[float, ...]]) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str):
            if value not in presets:
                raise ValueError(f"expected one of {', '.join(presets)} or a list of {length} weights, got {value!r}")
            return presets[value]
        if isinstance(value, (list, tuple)):
            if len(value) != length or not all(isinstance(x, (int, float)) and x >= 0 for x in value):
                raise ValueError(f"expected {length} non-negative weights, got {len(value)} values")
            if sum(value) <= 0:
                raise ValueError("the weights must not all be zero")
            return tuple(float(x) for x in value)
        return value

    return BeforeValidator(check)


DailyProfile = Annotated[tuple[float, ...], _profile(24, DAILY_PROFILES)]
WeeklyProfile = Annotated[tuple[float, ...], _profile(7, WEEKLY_PROFILES)]


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


# --- demand ------------------------------------------------------------------


class RequestType(Rate):
    """One kind of request a department sends to the social team.

    It arrives at a rate (``per_day`` or ``per_week``, shaped by the daily and
    weekly profiles) or, instead, at exact times: ``at_hours`` on the
    simulation clock.
    """

    description: str = ""
    at_hours: list[NonNegFloat] | None = None
    effort_hours: Distribution
    function: str
    channels: list[str] | Literal["all"] = Field(default_factory=list)
    audience: str | None = None
    priority: Priority = "normal"
    needs_approval: bool = False
    #: chance that the work is redone because the team was told after the
    #: campaign was decided; applies only without ``policies.planning_seat``.
    rework_probability: Share = 0.0
    daily_profile: DailyProfile | None = None
    weekly_profile: WeeklyProfile | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> RequestType:
        given = (self.per_day is not None) + (self.per_week is not None) + (self.at_hours is not None)
        if given != 1:
            raise ValueError("give exactly one of per_day, per_week or at_hours")
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
    daily_profile: DailyProfile = DAILY_PROFILES["office_hours"]
    weekly_profile: WeeklyProfile = WEEKLY_PROFILES["weekdays"]
    requests: dict[str, RequestType] = Field(default_factory=dict)


class MessageStream(Rate):
    """Inbound community messages on one channel, around the clock."""

    handle_minutes: Distribution
    priority: Priority = "normal"
    #: who writes in: audience -> weight (normalised on use)
    audience_mix: dict[str, PositiveFloat] = Field(default_factory=dict)
    daily_profile: DailyProfile = DAILY_PROFILES["consumer"]
    weekly_profile: WeeklyProfile = WEEKLY_PROFILES["consumer"]


class Burst(Strict):
    """A period of raised traffic: a launch, a crisis, a campaign."""

    description: str = ""
    start_day: NonNegFloat
    days: PositiveFloat
    multiplier: PositiveFloat
    channels: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)


class Demand(Strict):
    """Everything that arrives at the team."""

    timezone: TimeZone = "UTC"
    departments: dict[str, Department]
    messages: dict[str, MessageStream] = Field(default_factory=dict)
    bursts: dict[str, Burst] = Field(default_factory=dict)


# --- team ------------------------------------------------------------------


class Skills(Strict):
    channels: list[str] = Field(default_factory=list)
    functions: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)


class Absence(Strict):
    start_day: NonNegFloat
    days: PositiveFloat
    reason: str = ""


class Person(Strict):
    """One member of the social team."""

    name: str | None = None
    role: str = "social media manager"
    skills: Skills = Skills()
    hours: Hours = "09:00-17:00"
    days: list[Weekday] = Field(default_factory=_workweek)
    timezone: TimeZone = "UTC"
    #: share of working time available for this work (the rest is meetings,
    #: admin): a person at 0.8 takes 1/0.8 as long in clock time.
    capacity: Annotated[float, Field(gt=0, le=1)] = 1.0
    absences: list[Absence] = Field(default_factory=list)
    cost_per_year: NonNegFloat = 0.0


class Team(Strict):
    people: dict[str, Person]


# --- structure -----------------------------------------------------------------


class Covers(Strict):
    """What a pod answers for. Which key matters depends on the structure kind."""

    channels: list[str] = Field(default_factory=list)
    functions: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)


class Pod(Strict):
    description: str = ""
    members: list[str]
    covers: Covers = Covers()


class Link(Strict):
    """A person tied to a department (a liaison, or an expert embedded there)."""

    person: str
    department: str


class Tie(Strict):
    """An extra communication tie between two people, pods or departments."""

    a: str
    b: str
    kind: str = "custom"
    delay_hours: NonNegFloat


class HandoffHours(Strict):
    """Mean delay of one handoff, by the kind of tie it crosses (hours)."""

    same_pod: NonNegFloat = 0.25
    cross_pod: NonNegFloat = 3.0
    via_lead: NonNegFloat = 1.5
    department_intake: NonNegFloat = 2.0
    liaison: NonNegFloat = 0.5
    embedded: NonNegFloat = 0.1


class StructureSpec(Strict):
    """How the people are grouped and tied.

    ``kind`` picks the routing strategy (see :mod:`orgsim.org.structures`):
    ``network`` splits work by channel, ``function`` by function,
    ``audience`` gives a request whole to its audience's pod, ``custom``
    gives it whole to the pod whose ``covers`` matches best.
    """

    kind: Literal["network", "function", "audience", "custom"]
    description: str = ""
    lead: str | None = None
    #: ``lead``: departments send to the lead, who triages and routes;
    #: ``pod``: departments send straight to the pod(s) that own the work.
    intake: Literal["lead", "pod"] = "lead"
    pods: dict[str, Pod]
    liaisons: list[Link] = Field(default_factory=list)
    embedded: list[Link] = Field(default_factory=list)
    ties: list[Tie] = Field(default_factory=list)
    handoff_hours: HandoffHours = HandoffHours()


# --- policies and run ------------------------------------------------------------


class ApprovalStep(Strict):
    """One approver: a team member (``person``) or someone outside the team."""

    person: str | None = None
    external: str | None = None
    review_hours: Distribution = _Distribution(dist="fixed", mean=0.25)
    hours: Hours = "09:00-18:00"
    days: list[Weekday] = Field(default_factory=_workweek)
    timezone: TimeZone = "UTC"

    @model_validator(mode="after")
    def _one_approver(self) -> ApprovalStep:
        if (self.person is None) == (self.external is None):
            raise ValueError("give exactly one of person (a team member) or external (a name)")
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


class Policies(Strict):
    """Leadership levers and the engine's working rules."""

    approval_steps: Annotated[int, Field(ge=0, le=5)] = 0
    approval_chain: list[ApprovalStep] = Field(default_factory=list)
    interruptions: Interruptions | None = None
    #: the social lead is in the room when campaigns are planned (no rework)
    planning_seat: bool = False
    #: share of the original effort that a rework costs
    rework_share: Annotated[float, Field(gt=0, le=2)] = 0.5
    #: tools that cut handling time: a multiplier on message / request effort
    message_handling_factor: PositiveFloat = 1.0
    request_handling_factor: PositiveFloat = 1.0
    triage_minutes: NonNegFloat = 10.0
    merge_hours: NonNegFloat = 0.5
    #: effort multiplier when someone works outside their skills
    off_skill_factor: Annotated[float, Field(ge=1)] = 1.3
    #: work this urgent (or more) pushes other work aside ...
    preempt_priority: Priority = "executive"
    #: ... and this urgent (or more) is done outside working hours
    after_hours_priority: Priority = "executive"
    handoff_delay: Literal["exponential", "fixed"] = "exponential"

    @model_validator(mode="after")
    def _enough_approvers(self) -> Policies:
        if self.approval_steps > len(self.approval_chain):
            raise ValueError(
                f"approval_steps is {self.approval_steps} but approval_chain names only "
                f"{len(self.approval_chain)} approver(s)"
            )
        return self


class RunSettings(Strict):
    horizon_days: PositiveFloat = 28.0
    warmup_days: NonNegFloat = 7.0
    seed: Annotated[int, Field(ge=0)] = 20261122
    replications: Annotated[int, Field(ge=1)] = 5
    #: day zero of the simulation clock (00:00 UTC)
    start_date: dt.date = dt.date(2026, 1, 5)

    @model_validator(mode="after")
    def _warmup_inside(self) -> RunSettings:
        if self.warmup_days >= self.horizon_days:
            raise ValueError(f"warmup_days ({self.warmup_days}) must be below horizon_days ({self.horizon_days})")
        return self


from orgsim.scenario.insights import Insights  # noqa: E402  (uses Strict, defined above)

# --- the scenario ---------------------------------------------------------------


class Scenario(Strict):
    """One company and one design of its social team."""

    name: str
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
        from orgsim.scenario.references import check_references

        check_references(self)
        return self
