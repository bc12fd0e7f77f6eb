"""Silo latency and load: the measures of one run, as pure functions of its tables.

Definitions (hours; only requests and messages that arrived after the
warm-up count):

- **silo latency** of a request = answered − arrived: from the department's
  ask to the team's answer. It splits, along the critical path, into
  ``queue_hours`` (waiting for a person to be free and on duty),
  ``work_hours`` (hands-on work), ``handoff_hours`` (delays crossing ties
  between requester, intake, pods and back) and ``approval_hours``
  (handoffs to approvers, their queue, and their review).
- **silo overhead share** = 1 − Σ work / Σ latency over answered requests:
  the share of the wait that is not anybody working on it.
- **handoffs per request**: ties crossed per answered request (all parts,
  not only the critical path); **cross-group** counts those between
  different pods, the lead, or the team and a department.
- **reply within T h share**, for each target T of ``run.reply_targets_hours``
  (default 1, 4, 24): of the messages whose T-hour mark falls before the
  horizon, the share answered within T hours (a message still open, or
  abandoned by its writer, counts as not answered within it); ``off_hours``
  the same over messages that arrived at night (outside 08:00-20:00 in
  ``demand.timezone``) or on a Saturday or Sunday.
- **abandoned share** of messages: of those arrived, the share whose writer
  gave up before anyone started on them (``patience_hours``; only where a
  channel sets one). Message reply times are of the answered only.
- **utilisation** of a person: hours worked / scheduled duty hours in the
  window (above 1 means work beyond their hours); **after-hours share** =
  team hours worked outside people's schedules / all team hours worked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from orgsim.arguments import a_result, checks
from orgsim.metrics.censored import censored_latency
from orgsim.metrics.stability import backlog_growth, backlog_series
from orgsim.sim.result import Result
from orgsim.sim.tally import Histogram, Tally

__all__ = ["PARTS", "latency_stats", "quantity_mean", "run_figures"]



def latency_stats(latency: pd.Series) -> dict[str, float]:
    """Mean and percentiles of a series of latencies (NaN when empty)."""
    x = latency.dropna().to_numpy(dtype=float)
    if len(x) == 0:
        return {"mean": float("nan"), "p50": float("nan"), "p90": float("nan"), "p95": float("nan")}
    p50, p90, p95 = np.percentile(x, [50, 90, 95])
    return {"mean": float(x.mean()), "p50": float(p50), "p90": float(p90), "p95": float(p95)}


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


#: the four clocks a request's silo latency splits into, in the order they are drawn
PARTS = ("queue", "work", "handoff", "approval")


class _Tables:
    """The answers :func:`_figures` needs, from the full tables of a run."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.req = result.requests[result.requests["in_window"]]
        self.done = self.req[self.req["answered"].notna()]
        self.msg = result.messages[result.messages["in_window"]]
        self.arrived, self.completed = int(len(self.req)), int(len(self.done))
        self.messages_arrived, self.messages_answered = int(len(self.msg)), int(self.msg["answered"].notna().sum())
        # (a table built by hand, or saved before patience existed, has no abandoned column: none abandoned)
        self.messages_abandoned = int(self.msg["abandoned"].notna().sum()) if "abandoned" in self.msg else 0

    def latency(self) -> dict[str, float]:
        return latency_stats(self.done["latency_hours"])

    def censored(self) -> dict[str, Any]:
        r = self.result
        return censored_latency(self.req["arrived"].to_numpy(dtype=float), self.req["answered"].to_numpy(dtype=float),
                                r.horizon_hours, r.window_hours)

    def backlog(self) -> dict[str, Any] | None:
        r = self.result
        series: dict[str, Any] = backlog_series(r.requests["arrived"].to_numpy(dtype=float),
                                                r.requests["answered"].to_numpy(dtype=float),
                                                r.warmup_hours, r.horizon_hours)
        series["rise"], series["growing"] = backlog_growth(series)
        return series

    def mean_latency(self) -> float:
        return float(self.done["latency_hours"].mean()) if len(self.done) else float("nan")

    def mean_of(self, quantity: str) -> float:
        """Mean of a per-request quantity (a requests-table column) over the answered requests."""
        return float(self.done[quantity].mean()) if len(self.done) else float("nan")

    def part_means(self) -> dict[str, float]:
        return {p: self.mean_of(f"{p}_hours") for p in PARTS}

    def work_and_latency_sums(self) -> tuple[float, float]:
        return float(self.done["work_hours"].sum()), float(self.done["latency_hours"].sum())

    def handoff_means(self) -> tuple[float, float]:
        return self.mean_of("handoffs"), self.mean_of("cross_group_handoffs")

    def replies(self) -> dict[str, float]:
        return latency_stats(self.msg["reply_hours"])

    def reply_shares(self, targets: tuple[float, ...]) -> list[tuple[float, float]]:
        arrived, reply = self.msg["arrived"].to_numpy(dtype=float), self.msg["reply_hours"].to_numpy(dtype=float)
        off = self.result.clock.off_hours(arrived)
        out = []
        for t in targets:
            due = arrived <= self.result.horizon_hours - t
            hit = due & (reply <= t)  # an open message (NaN) is not answered within any target
            out.append((_ratio(float(hit.sum()), float(due.sum())), _ratio(float((hit & off).sum()), float((due & off).sum()))))
        return out

    def groups(self, by_kind: bool) -> dict[str, Any]:
        done, req, key = self.done, self.req, "department"
        if by_kind:
            key = "kind"
            done = done.assign(kind=done["department"].astype(str) + "/" + done["request_type"].astype(str))
            req = req.assign(kind=req["department"].astype(str) + "/" + req["request_type"].astype(str))
        out = {}
        for name, group in req.groupby(key, observed=True):
            finished = done[done[key] == name]
            out[str(name)] = {"silo_latency_answered_hours": latency_stats(finished["latency_hours"]),
                              "requests": int(len(group)), "completed": int(len(finished))}
        return out


class _Tallies:
    """The same answers as :class:`_Tables`, from summary mode's running tallies."""

    def __init__(self, t: Tally) -> None:
        self.t = t
        self.arrived = int(t.arrived.sum())
        self.completed = sum(k.latency.n for k in t.kinds)
        self.messages_arrived, self.messages_answered = t.messages_arrived, t.replies.n
        self.messages_abandoned = t.messages_abandoned
        self.hist = Histogram.combine(k.latency for k in t.kinds)

    def mean_of(self, quantity: str) -> float:
        """Mean of a per-request quantity over the answered requests, from its per-kind sums."""
        total = sum(k.sums[quantity] for k in self.t.kinds)
        return total / self.completed if self.completed else float("nan")

    def latency(self) -> dict[str, float]:
        return self.hist.stats()

    def censored(self) -> dict[str, Any]:
        """The censored lower bound, exact from sums; the Kaplan–Meier figures need the full tables (NaN here).

        Summary mode keeps no per-request ages, only the sums of arrival times.
        """
        t, n, nan = self.t, self.arrived, float("nan")
        open_ages = (n - self.completed) * t.horizon - (t.arrived_time_sum - t.answered_arrival_sum)
        lower = (self.hist.total + open_ages) / n if n else nan
        return {"tau_hours": nan, "arrived": n, "answered": self.completed,
                "answered_share": _ratio(self.completed, n), "lower_bound_mean": lower,
                "rmst": nan, "p50": nan, "p90": nan, "p90_beyond_window": False}

    def backlog(self) -> dict[str, Any] | None:
        return None  # summary mode keeps no arrival and answer times to sample the backlog from

    def mean_latency(self) -> float:
        return self.hist.mean

    def part_means(self) -> dict[str, float]:
        return {p: self.mean_of(f"{p}_hours") for p in PARTS}

    def work_and_latency_sums(self) -> tuple[float, float]:
        return float(sum(k.sums["work_hours"] for k in self.t.kinds)), self.hist.total

    def handoff_means(self) -> tuple[float, float]:
        return self.mean_of("handoffs"), self.mean_of("cross_group_handoffs")

    def replies(self) -> dict[str, float]:
        return self.t.replies.stats()

    def reply_shares(self, targets: tuple[float, ...]) -> list[tuple[float, float]]:
        assert targets == self.t.targets, "summary mode tallies the scenario's own reply targets"
        return [(_ratio(int(self.t.within[0, j]), int(self.t.due[0, j])),
                 _ratio(int(self.t.within[1, j]), int(self.t.due[1, j]))) for j in range(len(targets))]

    def groups(self, by_kind: bool) -> dict[str, Any]:
        t = self.t
        keys = [f"{d}/{n}" for d, n in t.names] if by_kind else [d for d, _ in t.names]
        out: dict[str, Any] = {}
        for key in dict.fromkeys(keys):
            members = [i for i, k in enumerate(keys) if k == key]
            if not t.arrived[members].sum():
                continue  # as in the tables: only groups with an arrival in the window
            hist = Histogram.combine(t.kinds[i].latency for i in members)
            out[key] = {"silo_latency_answered_hours": hist.stats(), "requests": int(t.arrived[members].sum()),
                        "completed": hist.n}
        # by department in the scenario's order (the table's categories); by kind sorted, as groupby sorts
        return dict(sorted(out.items())) if by_kind else out


@checks(result=a_result)
def quantity_mean(result: Result, quantity: str) -> float:
    """Mean of a per-request quantity over the answered requests that arrived after the warm-up.

    Any quantity the run kept (:data:`orgsim.sim.answers.QUANTITIES`, or the
    ``quantities`` it was given), in full or summary mode alike; NaN when no
    request was answered.
    """
    return (_Tallies(result.tally) if result.tally is not None else _Tables(result)).mean_of(quantity)


@checks(result=a_result)
def run_figures(result: Result) -> dict[str, Any]:
    """Every headline figure of one run, as a nested dict of plain numbers.

    Full mode and summary mode answer the same questions (:class:`_Tables`,
    :class:`_Tallies`) and :func:`_figures` lays them out once, so both give the
    same keys. ``insight_reach`` (see :mod:`orgsim.metrics.insights`) is there
    when the scenario has an ``insights:`` block. The flat record of metric ids
    is :func:`orgsim.metrics.registry.record` of this.
    """
    figures = _figures(result, _Tallies(result.tally) if result.tally is not None else _Tables(result))
    if "insight_horizon_hours" in result.extras:
        from orgsim.metrics.insights import insight_reach

        figures["insight_reach"] = insight_reach(result, result.extras["insight_horizon_hours"])
    return figures


def _figures(result: Result, src: _Tables | _Tallies) -> dict[str, Any]:
    work_sum, latency_sum = src.work_and_latency_sums()
    handoffs, cross = src.handoff_means()
    window = result.window_hours
    targets = tuple(result.reply_targets_hours)
    backlog = src.backlog()
    return {
        "requests": {"arrived": src.arrived, "completed": src.completed, "open_at_end": src.arrived - src.completed,
                     "backlog_at_end": result.open_at_end.get("requests", float("nan"))},
        "messages": {"arrived": src.messages_arrived, "answered": src.messages_answered,
                     "abandoned": src.messages_abandoned,
                     # of those arrived, the share whose writer gave up: only where some channel has a patience
                     **({"abandoned_share": _ratio(src.messages_abandoned, src.messages_arrived)}
                        if result.extras.get("patience") else {}),
                     "open_at_end": src.messages_arrived - src.messages_answered - src.messages_abandoned},
        # the headline counts every request of the window, the open ones at their age (censored); the mean and
        # percentiles of answered requests alone flatter a design that leaves work unanswered, and say so
        "silo_latency_censored": src.censored(),
        "silo_latency_answered_hours": src.latency(),
        **({"backlog": backlog} if backlog is not None else {}),
        "latency_breakdown_hours": src.part_means(),
        "silo_overhead_share": 1 - _ratio(work_sum, latency_sum) if latency_sum > 0 else float("nan"),
        "handoffs_per_request": handoffs,
        "cross_group_handoffs_per_request": cross,
        "reply_targets": {f"{t:g}": {"all": a, "off_hours": o}
                          for t, (a, o) in zip(targets, src.reply_shares(targets), strict=True)},
        "message_reply_hours": src.replies(),
        **_load_figures(result),
        "by_department": src.groups(by_kind=False),
        "by_request_type": src.groups(by_kind=True),
        # Little's law, measured two ways: L from the time-average number of
        # open requests, and lambda * W from arrivals and answered latencies.
        "littles_law": {
            "mean_in_system": result.in_system_hours["requests"] / window,
            "arrival_rate_per_hour": src.arrived / window,
            "mean_time_in_system_hours": src.mean_latency(),
        },
    }


def _load_figures(result: Result) -> dict[str, Any]:
    team = result.people[result.people["in_team"]]
    return {
        "utilization_mean": float(team["utilization"].mean()),
        "utilization_max": float(team["utilization"].max()),
        "after_hours_share": _ratio(float(team["after_hours"].sum()), float(team["busy_hours"].sum())),
        "head_count": int(len(team)),
        "cost_per_year": float(team["cost_per_year"].sum()),
        # team hours spent on setup for a change of task: only where policies.switch_minutes sets a cost
        **({"switching_share": _ratio(float(team["switch_hours"].sum()), float(team["busy_hours"].sum()))}
           if result.extras.get("switching") else {}),
    }
