"""Routing from an event log: visits to groups, the transition matrix with its counts, holding and working times.

A *visit* is a run of a case's consecutive events at one group. It begins
when the previous visit ended (the first at the case's first event: its
arrival) and ends at its own last event; the last visit of a case still
open at export is right-censored there. A visit's *holding time* is
everything the group had the case for: the handoff in, the wait and the work.
Its *work* is what the log shows as worked: the spans from ``start`` (or
``resume``) to ``suspend`` (or ``complete``) of each person and activity, or
from a row's start time to its time stamp. A log with neither shows no work,
and then a holding time is the most a step can have taken.

Work is turned into the scenario's ``effort_hours`` (a practised person's
hours, before the team's factors) by dividing by what the simulation
multiplies it by: ``policies.request_handling_factor`` and the factor of the
person who did it (capacity and proficiency on the step's function, the
case's channels and audience) when the log names a person of the team file,
else the mean over the group's members.

The first visit of a case at the structure's lead, when the team file's
intake is the lead, is the lead's triage: the simulation does it on its
own (``policies.triage_minutes``), so it is no step of the workflow (unless
the lead alone held a closed case: then the lead did the work, and the
triage is inside that visit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from orgsim.calibrate.fit import DurationFit, fit_duration

if TYPE_CHECKING:
    from orgsim.calibrate.events import Doers
    from orgsim.calibrate.logs import Logs
    from orgsim.scenario.model import Scenario

__all__ = ["DONE", "GroupFit", "Routing", "fit_routing", "route_cases", "visits"]

#: where a case goes when its last visit ends (the workflow's ``done``)
DONE = "done"
_OPEN, _SHUT = frozenset({"start", "resume"}), frozenset({"suspend", "complete", "ate_abort", "pi_abort"})
#: response-type durations are described with the two cheap fits (censored gamma fits are slow)
DESCRIBE = ("lognormal", "exponential")


def visits(events: pd.DataFrame, closed: pd.Series, export: pd.Timestamp, doers: Doers) -> pd.DataFrame:
    """One row per visit: case, group, doer kind, enter / leave (NaT: still there at export), hours, next, spans.

    ``closed`` is indexed by case: whether the case was closed at its last event.
    """
    e = events.sort_values(["case", "time", "line"], kind="stable").reset_index(drop=True)
    case, where = e["case"].to_numpy(), (e["doer"] + ":" + e["group"]).to_numpy()
    new = np.r_[True, (case[1:] != case[:-1]) | (where[1:] != where[:-1])]
    vid = np.cumsum(new) - 1
    g = e.groupby(vid, sort=True)
    v = pd.DataFrame({"case": g["case"].first(), "group": g["group"].first(), "doer": g["doer"].first(),
                      "first": g["time"].min(), "last": g["time"].max(), "department": g["department"].first(),
                      "type": g["type"].first()})
    v["k"] = v.groupby("case", sort=False).cumcount()
    v["n"] = v.groupby("case", sort=False)["k"].transform("size")
    prev_last = v.groupby("case", sort=False)["last"].shift(1)
    v["enter"] = prev_last.where(prev_last.notna(), v["first"])
    is_last = v["k"] == v["n"] - 1
    shut = v["case"].map(closed).fillna(True).astype(bool)
    v["leave"] = v["last"].where(~is_last | shut)
    v["next"] = v.groupby("case", sort=False)["group"].shift(-1)
    v.loc[is_last & shut, "next"] = DONE
    v["hours"] = ((v["leave"].where(v["leave"].notna(), export) - v["enter"]) / pd.Timedelta(hours=1)).clip(lower=0)
    v["open"] = v["leave"].isna()
    # a closed case the lead alone held was worked by the lead: a step; an open one is still in triage
    v["intake"] = ((v["k"] == 0) & ((v["n"] > 1) | ~shut) & doers.intake_by_lead & (v["doer"] == "person")
                   & (v["group"] == doers.lead))
    v["spans"] = _spans(e, vid, len(v))
    return v.reset_index(drop=True)


def _spans(e: pd.DataFrame, vid: np.ndarray, n: int) -> list[list[tuple[str, float]]]:
    """Worked spans of each visit: (person, hours)."""
    out: list[list[tuple[str, float]]] = [[] for _ in range(n)]
    opened: dict[tuple[int, str, str], pd.Timestamp] = {}
    hour = pd.Timedelta(hours=1)
    for v, t, start, life, who, act in zip(vid, e["time"], e["start"], e["lifecycle"], e["resource"], e["activity"],
                                           strict=True):
        if not pd.isna(start):
            out[v].append((who, (t - start) / hour))
        elif life in _OPEN:
            opened.setdefault((v, who, act), t)
        elif life in _SHUT and (v, who, act) in opened:
            out[v].append((who, (t - opened.pop((v, who, act))) / hour))
    return out


@dataclass
class GroupFit:
    """One group within one case type: its visits, where the case went next, its times."""

    group: str
    doer: str  #: pod, person, role, department or external
    visits: int
    exits: Counter[str]  #: next group (or done) -> visits that went there; open visits have none
    open: int
    holding: DurationFit | None
    holding_median: float
    effort: DurationFit | None = None
    #: where ``effort`` came from: work, work at the group in every type, holding time, or none
    effort_from: str = "none"
    function: str | None = None

    def probability(self, to: str, level: float = 0.95) -> tuple[float, float, float]:
        """The share of exits to ``to``, with its Wilson interval."""
        n, k = sum(self.exits.values()), self.exits.get(to, 0)
        if n == 0:
            return float("nan"), 0.0, 1.0
        ci = stats.binomtest(k, n).proportion_ci(level, method="wilson")
        return k / n, float(ci.low), float(ci.high)


@dataclass
class Routing:
    """One case type's routing: where cases start, the groups they pass and with what chance."""

    department: str
    type: str
    cases: int
    starts: Counter[str]  #: first group after the lead's triage -> cases
    intake: int  #: cases whose first visit was the lead's triage
    groups: dict[str, GroupFit] = field(default_factory=dict)

    def matrix(self) -> pd.DataFrame:
        """Counts: rows from-group (and ``start``), columns to-group and ``done``."""
        cols = [*self.groups, DONE]
        rows = {"start": {g: self.starts.get(g, 0) for g in cols}}
        for g, fit in self.groups.items():
            rows[g] = {h: fit.exits.get(h, 0) for h in cols}
        return pd.DataFrame.from_dict(rows, orient="index", columns=cols).fillna(0).astype(int)


def _person_factor(s: Scenario, pid: str, skill: tuple[tuple[str, ...], str | None, str | None]) -> float:
    """Clock hours per hour of effort for one person (as ``orgsim.sim.workers.Worker.factor`` works it out)."""
    p = s.team.people[pid]
    f = s.policies.proficiency_factors.model_dump()
    channels, function, audience = skill
    c = sum(f[p.level("channels", ch)] for ch in channels) / len(channels) if channels else 1.0
    fn = f[p.level("functions", function)] if function in s.functions else 1.0
    au = f[p.level("audiences", audience)] if audience in s.audiences else 1.0
    return c * fn * au / p.capacity


def _members(s: Scenario, doer: str, name: str) -> list[str]:
    if doer == "pod":
        return [m for m in s.structure.pods[name].members if m in s.team.people]
    if doer == "role":
        return [pid for pid, p in s.team.people.items() if p.role == name]
    return [name] if doer == "person" else []


def _effort(s: Scenario, v: pd.DataFrame, fit: GroupFit, skill: tuple[tuple[str, ...], str | None, str | None]) -> list[float]:
    """Each closed visit's work in effort hours (None-free; visits with no work shown are left out)."""
    if fit.doer == "department":
        return [sum(h for _, h in spans) for spans in v["spans"] if spans]
    rhf = s.policies.request_handling_factor
    members = _members(s, fit.doer, fit.group)
    mean = float(np.mean([_person_factor(s, m, skill) for m in members])) if members else 1.0
    out = []
    for spans in v["spans"]:
        if spans:
            out.append(sum(h / (rhf * (_person_factor(s, who, skill) if who in s.team.people else mean))
                           for who, h in spans))
    return out


def step_function(s: Scenario, doer: str, name: str, function: str) -> str:
    """The function a step at a group does: a pod's first covered function, else the request's."""
    if doer == "pod":
        covered = s.structure.pods[name].covers.functions
        if covered:
            return covered[0]
    return function


def fit_routing(v: pd.DataFrame, s: Scenario, skills: dict[tuple[str, str], tuple[tuple[str, ...], str, str | None]],
                export: pd.Timestamp) -> dict[tuple[str, str], Routing]:
    """Per (department, type): starts, exits and times of each group, effort fitted per group.

    ``skills`` gives each type's channels, function and audience (what the
    effort conversion and the steps' functions rest on).
    """
    out: dict[tuple[str, str], Routing] = {}
    for (dept, rtype), tv in v.groupby(["department", "type"], sort=False):
        key = (str(dept), str(rtype))
        steps = tv[~tv["intake"]]
        first = steps.groupby("case", sort=False).head(1)
        r = Routing(key[0], key[1], int(tv["case"].nunique()), Counter(first["group"].tolist()),
                    int(tv["intake"].sum()))
        channels, function, audience = skills[key]
        for group, gv in steps.groupby("group", sort=False):
            doer = str(gv["doer"].iloc[0])
            done = gv[~gv["open"]]
            held = fit_duration(done["hours"].to_numpy(float), gv.loc[gv["open"], "hours"].to_numpy(float), DESCRIBE)
            median = _km_median(gv["hours"].to_numpy(float), ~gv["open"].to_numpy())
            fit = GroupFit(str(group), doer, len(gv), Counter(done["next"].tolist()), int(gv["open"].sum()), held, median,
                           function=step_function(s, doer, str(group), function))
            skill = (channels, fit.function, audience)
            own = _effort(s, done, fit, skill)
            fit.effort, fit.effort_from = fit_duration(np.asarray(own)), "work"
            if fit.effort is None:
                every = v[(v["group"] == group) & ~v["open"] & ~v["intake"]]
                fit.effort, fit.effort_from = fit_duration(np.asarray(_effort(s, every, fit, skill))), "work in every type"
            if fit.effort is None and not v["spans"].map(bool).any():
                fit.effort, fit.effort_from = fit_duration(done["hours"].to_numpy(float)), "holding time"
            if fit.effort is None:
                fit.effort_from = "none"
            r.groups[str(group)] = fit
        out[key] = r
    return out


def _km_median(t: np.ndarray, done: np.ndarray) -> float:
    if not done.any():
        return float("inf")
    data = stats.CensoredData(uncensored=t[done], right=t[~done]) if (~done).any() else t
    sf = stats.ecdf(data).sf
    q = sf.quantiles[sf.probabilities <= 0.5]
    return float(q[0]) if len(q) else float("inf")


def rounded_exits(fit: GroupFit) -> list[tuple[str, float, int]]:
    """Exits as (to, probability, count), most common first, probabilities rounded to 3 places summing to 1."""
    n = sum(fit.exits.values())
    if n == 0:
        return [(DONE, 1.0, 0)]
    items = sorted(fit.exits.items(), key=lambda x: (-x[1], x[0]))
    probs = [round(k / n, 3) for _, k in items]
    probs[0] = round(1 - sum(probs[1:]), 3)  # the rounding error goes to the most common exit
    return [(to, p, k) for (to, k), p in zip(items, probs, strict=True) if p > 0 or to == DONE]


def describe(fit: GroupFit) -> dict[str, Any]:
    """The figures of a group, for the command's table and ``--json``."""
    return {"group": fit.group, "doer": fit.doer, "visits": fit.visits, "open": fit.open,
            "exits": dict(fit.exits), "holding_median_hours": fit.holding_median,
            "effort_mean_hours": fit.effort.mean if fit.effort else None, "effort_from": fit.effort_from}


def _mode(values: pd.Series, allowed: Sequence[str]) -> str | None:
    vals = values.dropna()
    vals = vals[vals.isin(list(allowed))]
    return str(vals.mode().iloc[0]) if len(vals) else None


def route_cases(logs: Logs, s: Scenario) -> tuple[Logs, dict[tuple[str, str], Routing]]:
    """The routing of each case type of the event logs, and the logs with cases typed by where they start.

    A case type's function, channels and audience (what its steps' effort is
    converted with, and what the request type will say) are the logged ones,
    else the team file's type's, else the function of the group most cases
    start at; they are written into the case rows so that the request type
    says the same.
    """
    from orgsim.calibrate.events import Doers
    from orgsim.calibrate.steps import start_type

    doers = Doers.of(s)
    r = logs.requests
    cases = r[r.get("source", pd.Series("", index=r.index)) == "events"]
    closed = pd.Series(cases["completed"].notna().to_numpy(), index=cases["id"].astype(str))
    v = visits(logs.events[logs.events["case"].isin(closed.index)], closed, logs.export_time, doers)
    first = v[~v["intake"]].groupby("case", sort=False)["group"].first()
    skills: dict[tuple[str, str], tuple[tuple[str, ...], str, str | None]] = {}
    r = r.copy()
    for (dept, rtype), rows in cases.groupby(["department", "type"], sort=False):
        base_dept = s.demand.departments.get(str(dept))
        base = base_dept.requests.get(str(rtype)) if base_dept is not None else None
        starts = first.reindex(rows["id"].astype(str)).dropna()
        top = str(starts.mode().iloc[0]) if len(starts) else None
        function = _mode(rows["function"], s.functions) or (base.function if base is not None else None)
        if function is None and top is not None:
            doer = v.loc[v["group"] == top, "doer"].iloc[0]
            function = step_function(s, str(doer), top, s.functions[0])
        function = function or s.functions[0]
        sets = [c for c in rows["channels"] if len(c)]
        channels = tuple(pd.Series(sets).mode().iloc[0]) if sets else \
            tuple(s.channels if base is not None and base.channels == "all" else (base.channels if base else ()))
        audience = _mode(rows["audience"], s.audiences) or (base.audience if base is not None else None)
        skills[(str(dept), str(rtype))] = (channels, function, audience)
        r.loc[rows.index, "function"] = function
        if audience is not None:
            r.loc[rows.index, "audience"] = audience
        moved = {str(c): start_type(str(rtype), str(g)) for c, g in starts[starts != top].items()}
        r.loc[rows.index, "type"] = [moved.get(str(c), str(rtype)) for c in rows["id"]]
    routing = fit_routing(v, s, skills, logs.export_time)
    return replace(logs, requests=r), routing
