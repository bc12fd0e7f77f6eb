"""The ``team:`` block: the people, their proficiency, hours, time zones and absences."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from orgsim.scenario.clock import Hours, TimeZone
from orgsim.scenario.types import NonNegFloat, PositiveFloat, Strict, Weekday, workweek

__all__ = ["DIMENSIONS", "LEVELS", "Absence", "Level", "Person", "Proficiency", "Skills", "Team"]

#: How well someone does a kind of work, best first. ``none``: they have never done it.
Level = Literal["expert", "practised", "novice", "none"]
LEVELS: tuple[str, ...] = ("expert", "practised", "novice", "none")
#: What a piece of work concerns, and so what a proficiency is about.
DIMENSIONS: tuple[str, ...] = ("channels", "functions", "audiences")


class Skills(Strict):
    """Shorthand for proficiency: a name listed here is ``practised``.

    Within a dimension that lists anything, an unlisted name is ``novice``
    (the listed ones are what the person knows); a dimension left empty says
    nothing, and its names are ``practised`` (or ``proficiency.default``).
    """

    channels: list[str] = Field(default_factory=list)
    functions: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)


class Proficiency(Strict):
    """Levels per channel, function and audience; these win over ``skills``.

    ``default`` is the level of every name neither block mentions (unset:
    ``novice`` in a dimension where ``skills`` lists something, else
    ``practised``). The work-time factor of each level is
    ``policies.proficiency_factors``.
    """

    default: Level | None = None
    channels: dict[str, Level] = Field(default_factory=dict)
    functions: dict[str, Level] = Field(default_factory=dict)
    audiences: dict[str, Level] = Field(default_factory=dict)


class Absence(Strict):
    start_day: NonNegFloat
    days: PositiveFloat
    reason: str = ""


class Person(Strict):
    """One member of the social team."""

    name: str | None = None
    role: str = "social media manager"
    skills: Skills = Skills()
    proficiency: Proficiency = Proficiency()
    hours: Hours = "09:00-17:00"
    days: list[Weekday] = Field(default_factory=workweek)
    timezone: TimeZone = "UTC"
    #: public holidays of a country or region (``GB-ENG``, ``US-NY``, ``PH``)
    #: from the ``holidays`` library: the person is off on those days.
    holidays: str | None = None
    #: share of working time available for this work (the rest is meetings,
    #: admin): a person at 0.8 takes 1/0.8 as long in clock time.
    capacity: Annotated[float, Field(gt=0, le=1)] = 1.0
    absences: list[Absence] = Field(default_factory=list)
    cost_per_year: NonNegFloat = 0.0

    def level(self, dimension: str, name: str) -> str:
        """The level of this person on ``name`` (a channel, function or audience).

        >>> Person(skills=Skills(channels=["x"])).level("channels", "tiktok")
        'novice'
        >>> Person(skills=Skills(channels=["x"])).level("functions", "paid")
        'practised'
        """
        named: dict[str, str] = getattr(self.proficiency, dimension)
        if name in named:
            return named[name]
        listed: list[str] = getattr(self.skills, dimension)
        if name in listed:
            return "practised"
        if self.proficiency.default is not None:
            return self.proficiency.default
        return "novice" if listed else "practised"


class Team(Strict):
    people: dict[str, Person]
