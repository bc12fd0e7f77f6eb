"""The ``team:`` block: the people, their skills, hours, time zones and absences."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from orgsim.scenario.clock import Hours, TimeZone
from orgsim.scenario.types import NonNegFloat, PositiveFloat, Strict, Weekday, workweek

__all__ = ["Absence", "Person", "Skills", "Team"]

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
    days: list[Weekday] = Field(default_factory=workweek)
    timezone: TimeZone = "UTC"
    #: share of working time available for this work (the rest is meetings,
    #: admin): a person at 0.8 takes 1/0.8 as long in clock time.
    capacity: Annotated[float, Field(gt=0, le=1)] = 1.0
    absences: list[Absence] = Field(default_factory=list)
    cost_per_year: NonNegFloat = 0.0


class Team(Strict):
    people: dict[str, Person]
