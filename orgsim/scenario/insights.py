"""The ``insights:`` block: social-listening signals and the levers that spread them.

An insight kind appears on one channel about one audience at a Poisson rate
(with optional bursts), matters to some departments, carries an importance
weight and loses value with a half-life. How it spreads is set by a pass
probability per tie kind of the organisation graph (delays come from
``structure.handoff_hours``) and three levers: a trend briefing by the lead,
team presentations to departments, and a shared listening platform.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from orgsim.scenario.types import NonNegFloat, PositiveFloat, Share, Strict

__all__ = ["DEFAULT_PASS", "Briefing", "InsightBurst", "InsightKind", "Insights", "Platform"]

#: Chance that one tie passes an insight on, by tie kind. A same-pod colleague
#: almost always hears of it; a cross-pod or intake tie is a silo boundary.
#:
#: What the field says, and what these rest on: no survey measures a per-tie
#: pass rate. The Sprout Social Index reports that 76% of social teams say
#: their insights inform other departments and 43% feel siloed from them —
#: team-level yes/no answers. Any per-(insight, department) reach that
#: regularly delivers something to each department is consistent with the
#: 76%; the boundary ties below one half (cross_pod 0.35, department_intake
#: 0.4) express the 43% silo feeling. The values are assumptions for an
#: exploration to vary (``insights.pass_probability``); with them the status
#: quo (by network) reaches about 40% of (insight, department) pairs within
#: 7 days. A department's coin is one per insight, shared by all its ties
#: (its receptiveness), so a design with more ties into a department gains
#: routes, not extra coins. Relay delays are ``structure.handoff_hours``
#: (assumptions too), and a relay leaves only when someone who relays for
#: the node is on duty.
DEFAULT_PASS: dict[str, float] = {
    "member": 1.0,
    "same_pod": 0.9,
    "cross_pod": 0.35,
    "via_lead": 0.7,
    "department_intake": 0.4,
    "liaison": 0.85,
    "embedded": 0.95,
    "reporting": 0.6,
    "custom": 0.7,
}


class InsightBurst(Strict):
    """A period when this kind of signal is more frequent (a launch, a crisis)."""

    start_day: NonNegFloat
    days: PositiveFloat
    #: the launches and crises seen in the field raise traffic a few times over; 1000 is far past any of them
    multiplier: Annotated[float, Field(gt=0, le=1000)]


class InsightKind(Strict):
    """One kind of signal: where it shows up, who needs it, what it is worth."""

    description: str = ""
    per_week: NonNegFloat
    channel: str
    audience: str | None = None
    departments: list[str] = Field(min_length=1)
    importance: PositiveFloat = 1.0
    half_life_hours: PositiveFloat = 72.0
    bursts: list[InsightBurst] = Field(default_factory=list)


class Briefing(Strict):
    """A recurring relay of everything noticed since the last one."""

    #: a briefing happens at ``at_hour`` on its day, so at most once a day
    every_days: Annotated[float, Field(ge=1)]
    departments: list[str] = Field(min_length=1)
    #: hour of day (UTC) the meeting starts
    at_hour: Annotated[float, Field(ge=0, lt=24)] = 10.0


class Platform(Strict):
    """A shared listening tool that departments read themselves (no human relay)."""

    departments: list[str] = Field(min_length=1)
    #: mean hours between an insight appearing and a department reading it
    lag_hours: PositiveFloat = 24.0


class Insights(Strict):
    """Social-listening signals and how they spread."""

    kinds: dict[str, InsightKind]
    #: a (insight, department) pair counts as reached only within this window
    horizon_days: PositiveFloat = 7.0
    #: hands-on minutes for a watcher to read, judge and log one signal; the
    #: noticing task waits in the watcher's queue behind more urgent work
    notice_minutes: NonNegFloat = 15.0
    pass_probability: dict[str, Share] = Field(default_factory=dict)
    #: the lead briefs the CMO / executives (monthly trend briefing)
    trend_briefing: Briefing | None = None
    #: the team presents insights to other departments on a cadence
    presentations: Briefing | None = None
    platform: Platform | None = None

    def pass_for(self, kind: str) -> float:
        return self.pass_probability.get(kind, DEFAULT_PASS.get(kind, DEFAULT_PASS["custom"]))
