"""Stresses: a design with someone away, a burst of traffic or a seat left empty, as scenario data.

A stress is the design's own scenario with something added through the
scenario layer (an absence on people, a burst on demand) and validated again
(:func:`orgsim.scenario.loading.scenario_from_data`); the engine only runs
what a scenario file could say. Each stress has a **window**, the days over
which it is measured: from the day it starts to ``after`` days after it ends
(the backlog it leaves is part of its cost). Its **twin** is the design at
full strength over the very same window, on the same seed: the difference
between the two runs is the stress's, not the dice's (common random numbers).

The day a stress starts is drawn once per replication (the same day for every
stress and every design, whole days, so that weekdays and the file's own
launches and holidays fall where they fall), or stated with ``start_day``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgsim.errors import OrgsimError
from orgsim.resilience.skills import roles, skill_label
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.model import Scenario

__all__ = ["AFTER_DAYS", "CRISIS_DAYS", "CRISIS_MULTIPLIER", "LAUNCH_DAYS", "LAUNCH_MULTIPLIER", "Options", "Stress",
           "Window", "busiest_channel", "check_names", "crisis_departments", "first_stresses", "freeze", "group",
           "launch_burst", "person_words", "start_days", "stressed", "twin", "windows"]

#: ten times the messages for two days: the crisis the field describes (DOMAIN.md; the social team is the
#: front line of crisis management), and the one the resilience issue names
CRISIS_MULTIPLIER = 10.0
CRISIS_DAYS = 2.0
#: a launch week: seven days of the file's own launch burst (base.yaml: spring_launch, x2.5 for 4 days)
LAUNCH_DAYS = 7.0
#: without a burst in the file: 2.5, the example's launch and the middle of "launches raise traffic a few times
#: over (1.5 to 3)" (orgsim.scenario.demand.Burst)
LAUNCH_MULTIPLIER = 2.5
#: a week after a stress ends is measured too: long enough for the 24 h reply target and the requests' usual
#: wait to show the backlog it left, and one whole weekly cycle
AFTER_DAYS = 7.0
#: the stress start's own random stream: kept apart from the replications' child seeds
_START_STREAM = 0x5E5


@dataclass(frozen=True)
class Options:
    """What a resilience study takes away, and for how long (the ``orgsim resilience`` options)."""

    #: how long each person (and each role) is away; 14 days: two weeks, the usual long holiday or a short
    #: sick leave, long enough for queues to show it and short enough to fit a six-week run with a week after
    absent_days: float = 14.0
    #: the day each stress starts; None: drawn per replication (see :func:`start_days`)
    start_day: float | None = None
    after_days: float = AFTER_DAYS
    #: channels that get a crisis (one stress each); None: the busiest channel (most messages a day)
    crisis: tuple[str, ...] | None = None
    crisis_multiplier: float = CRISIS_MULTIPLIER
    crisis_days: float = CRISIS_DAYS
    launch: bool = True
    launch_days: float = LAUNCH_DAYS
    #: people whose seat a hiring freeze leaves empty for the whole run; None: the seat the design misses
    #: least (the person whose absence costs least), chosen after the absences have run; () for none
    freeze: tuple[str, ...] | None = None
    #: how many of a skill's people are taken away together at most (see orgsim.resilience.judge)
    bus_max: int = 2
    #: a target is missed when a share falls by this many points or more (and the fall is clear)
    tolerance_points: float = 0.10
    #: ... or a time (hours) or a count grows by this share or more
    tolerance_share: float = 0.25

    @classmethod
    def from_cli(cls, crisis: list[str] | None, freeze: list[str] | None, tolerance_points: float,
                 tolerance_percent: float, **rest: Any) -> Options:
        """The options as the command line gives them.

        ``--crisis none`` / ``--freeze none`` mean none; the tolerances come in points and percent.
        """
        def names(values: list[str] | None) -> tuple[str, ...] | None:
            if not values:
                return None
            return () if [v.lower() for v in values] == ["none"] else tuple(values)

        return cls(crisis=names(crisis), freeze=names(freeze), tolerance_points=tolerance_points / 100,
                   tolerance_share=tolerance_percent / 100, **rest)

    def plain(self) -> dict[str, Any]:
        """The options as plain data (a manifest, the JSON)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Window:
    """The days a stress is measured over: it starts at ``start``, lasts ``days``, then ``after`` more days."""

    name: str
    days: float
    after: float

    def bounds(self, start: float) -> tuple[float, float]:
        """(warm-up, horizon) of a run measured over this window when the stress starts on day ``start``."""
        return start, start + self.days + self.after


@dataclass(frozen=True)
class Stress:
    """One thing a design is put through: who is away (person ids) and what burst, measured over ``window``."""

    id: str  # part-name safe: p03, r00, crisis-00, launch, launch-lead, freeze-03, g03-05
    kind: str  # person, role, crisis, launch, launch_without_lead, freeze, group
    label: str  # plain words: "Maya Okafor (head of social) away 14 days"
    away: tuple[str, ...]
    window: str  # the name of its Window ("whole": the design's own run, warm-up to horizon)
    burst: dict[str, Any] | None = None


def start_days(scenario: Scenario, options: Options, longest: float, replications: int, seed: int) -> list[float]:
    """The day every stress starts in each replication: stated, or drawn.

    Drawn: a whole day, uniform from the end of the warm-up to the last day on which the longest window
    (``longest`` days) still ends by the horizon; if the run is shorter than that, the end of the warm-up
    (and the stressed runs go on past the horizon). One seeded stream per replication, apart from the runs'
    child seeds, so the ``i``-th start is the same whatever the count.
    """
    warmup, horizon = scenario.run.warmup_days, scenario.run.horizon_days
    if options.start_day is not None:
        if options.start_day < warmup:
            raise OrgsimError(f"--start-day {options.start_day:g}: the stress must start after the warm-up "
                              f"(run.warmup_days {warmup:g}) so that it is measured")
        return [float(options.start_day)] * replications
    low, high = math.ceil(warmup), math.floor(horizon - longest)
    if high <= low:
        return [float(low)] * replications
    out = []
    for r in range(replications):
        rng = np.random.default_rng(np.random.SeedSequence(entropy=(seed, _START_STREAM), spawn_key=(r,)))
        out.append(float(rng.integers(low, high + 1)))
    return out


def crisis_departments(scenario: Scenario) -> list[str]:
    """The departments that send crisis-priority requests: their requests rise with a crisis too."""
    return [d for d, dept in scenario.demand.departments.items()
            if any(r.priority == "crisis" for r in dept.requests.values())]


def launch_burst(scenario: Scenario, days: float) -> dict[str, Any]:
    """A launch week: the file's largest burst (by extra traffic, multiplier − 1 times days) held for ``days``.

    Without a burst in the file: every channel and department at :data:`LAUNCH_MULTIPLIER`.
    """
    bursts = scenario.demand.bursts
    if bursts:
        name, b = max(bursts.items(), key=lambda kv: ((kv[1].multiplier - 1) * kv[1].days, kv[0]))
        return {"description": f"a launch week like {name}", "days": days, "multiplier": b.multiplier,
                "channels": list(b.channels), "departments": list(b.departments)}
    return {"description": "a launch week", "days": days, "multiplier": LAUNCH_MULTIPLIER,
            "channels": list(scenario.channels), "departments": list(scenario.demand.departments)}


def _data(scenario: Scenario, warmup: float, horizon: float) -> dict[str, Any]:
    data = scenario.model_dump(mode="json", by_alias=True)
    data["run"]["warmup_days"], data["run"]["horizon_days"] = warmup, horizon
    return data


def twin(scenario: Scenario, window: Window | None, start: float, allow_large: bool = False) -> Scenario:
    """The design at full strength, measured over ``window`` from day ``start`` (None: its own run)."""
    if window is None:
        return scenario
    return scenario_from_data(_data(scenario, *window.bounds(start)), file=f"{scenario.name} (full strength)",
                              allow_large=allow_large)


def stressed(scenario: Scenario, stress: Stress, window: Window | None, start: float, absent_days: float,
             allow_large: bool = False) -> Scenario:
    """The design under ``stress``: its people away and its burst added, measured over ``window`` from ``start``.

    ``window`` None is the design's own run (a seat left empty: away from day 0 to the horizon).
    """
    run = scenario.run
    warmup, horizon = (run.warmup_days, run.horizon_days) if window is None else window.bounds(start)
    data = _data(scenario, warmup, horizon)
    if window is None:
        away_from, away_days = 0.0, horizon
    else:
        away_from, away_days = start, (window.days if stress.burst is not None else absent_days)
    people = data["team"]["people"]
    for pid in stress.away:
        reason = "seat left empty (hiring freeze)" if window is None else f"resilience: {stress.label}"
        people[pid].setdefault("absences", []).append({"start_day": away_from, "days": away_days, "reason": reason})
    if stress.burst is not None:
        bursts = data["demand"].setdefault("bursts", {})
        name = "resilience_" + stress.kind
        while name in bursts:
            name += "_"
        bursts[name] = {**stress.burst, "start_day": start}
    return scenario_from_data(data, file=f"{scenario.name} ({stress.label})", allow_large=allow_large)


def check_names(scenario: Scenario, options: Options, path: str) -> None:
    """One error line for a crisis channel or a frozen seat the design does not have."""
    for ch in options.crisis or ():
        if ch not in scenario.channels:
            raise OrgsimError(f"--crisis {ch}: {path} has no channel {ch!r}; expected one of: "
                              f"{', '.join(scenario.channels)}")
    for pid in options.freeze or ():
        if pid not in scenario.team.people:
            raise OrgsimError(f"--freeze {pid}: {path} has no person {pid!r}; expected one of: "
                              f"{', '.join(scenario.team.people)}")


def busiest_channel(scenario: Scenario) -> list[str]:
    """The channel with the most messages a day (a crisis there reaches the most people); none without messages."""
    streams = scenario.demand.messages
    if not streams:
        return []
    return [max(streams, key=lambda ch: (streams[ch].daily, ch))]


def person_words(scenario: Scenario, pid: str) -> str:
    """A person as a reader knows them, to sit between commas: ``Maya Okafor, head of social``."""
    p = scenario.team.people[pid]
    return f"{p.name or pid}, {p.role}"


def windows(options: Options) -> dict[str, Window]:
    """The windows stresses are measured over, by name (``whole`` is the design's own run: no window)."""
    return {"absence": Window("absence", options.absent_days, options.after_days),
            "crisis": Window("crisis", options.crisis_days, options.after_days),
            "launch": Window("launch", options.launch_days, options.after_days)}


def first_stresses(scenario: Scenario, options: Options) -> list[Stress]:
    """Every stress that needs no other result first: each person away, each shared role away, the bursts.

    A hiring freeze of named seats (``options.freeze``) is here too; the default freeze and the groups of a
    skill's people need the absences' results first (:mod:`orgsim.resilience.run`).
    """
    days = f"{options.absent_days:g} days"
    people = list(scenario.team.people)
    out = [Stress(f"p{i:02d}", "person", f"{person_words(scenario, pid)}, away {days}", (pid,), "absence")
           for i, pid in enumerate(people)]
    for j, (role, holders) in enumerate(sorted(roles(scenario).items())):
        names = ", ".join(scenario.team.people[h].name or h for h in holders)
        out.append(Stress(f"r{j:02d}", "role", f"every {role} ({names}) away {days} together", tuple(holders),
                          "absence"))
    channels = busiest_channel(scenario) if options.crisis is None else list(options.crisis)
    depts = crisis_departments(scenario)
    for k, ch in enumerate(channels):
        burst: dict[str, Any] = {"description": f"a crisis on {skill_label('channel:' + ch)}", "days": options.crisis_days,
                 "multiplier": options.crisis_multiplier, "channels": [ch], "departments": depts}
        out.append(Stress(f"crisis-{k:02d}", "crisis", f"a crisis on {skill_label('channel:' + ch)}: "
                          f"{options.crisis_multiplier:g}× its messages for {options.crisis_days:g} days"
                          + (f" (and {', '.join(depts)}'s requests)" if depts else ""), (), "crisis", burst))
    if options.launch:
        burst = launch_burst(scenario, options.launch_days)
        what = ", ".join([*(skill_label("channel:" + c) for c in burst["channels"]), *burst["departments"]]) or "nothing"
        label = f"a {options.launch_days:g}-day launch ({burst['multiplier']:g}× {what})"
        out.append(Stress("launch", "launch", label, (), "launch", burst))
        lead = scenario.structure.lead
        if lead is not None and lead in scenario.team.people:
            out.append(Stress("launch-lead", "launch_without_lead", f"{label} with {person_words(scenario, lead)}, "
                              "away", (lead,), "launch", burst))
    for pid in options.freeze or ():
        out.append(freeze(scenario, pid))
    return out


def freeze(scenario: Scenario, pid: str) -> Stress:
    """A hiring freeze: ``pid``'s seat left empty for the whole run."""
    i = list(scenario.team.people).index(pid)
    return Stress(f"freeze-{i:02d}", "freeze", f"the seat of {person_words(scenario, pid)}, left empty for the whole "
                  "run (a hiring freeze)", (pid,), "whole")


def group(scenario: Scenario, away: tuple[str, ...], options: Options) -> Stress:
    """Several people away together (a skill's people, for its bus factor)."""
    people = list(scenario.team.people)
    ids = sorted(people.index(p) for p in away)
    names = " and ".join(scenario.team.people[people[i]].name or people[i] for i in ids)
    return Stress("g" + "-".join(f"{i:02d}" for i in ids), "group", f"{names} away {options.absent_days:g} days "
                  "together", tuple(people[i] for i in ids), "absence")
