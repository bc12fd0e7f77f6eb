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
- **reply within 24h share**: of the messages whose 24-hour mark falls
  before the horizon, the share answered within 24 hours.
- **utilisation** of a person: hours worked / scheduled duty hours in the
  window (above 1 means work beyond their hours); **after-hours share** =
  team hours worked outside people's schedules / all team hours worked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from orgsim.sim.result import Result
from orgsim.sim.tally import REPLY_TARGET_HOURS, Histogram, Tally

__all__ = ["latency_stats", "run_figures", "REPLY_TARGET_HOURS"]



def latency_stats(latency: pd.Series) -> dict[str, float]:
    """Mean and percentiles of a series of latencies (NaN when empty)."""
    x = latency.dropna().to_numpy(dtype=float)
    if len(x) == 0:
        return {"mean": float("nan"), "p50": float("nan"), "p90": float("nan"), "p95": float("nan")}
    p50, p90, p95 = np.percentile(x, [50, 90, 95])
    return {"mean": float(x.mean()), "p50": float(p50), "p90": float(p90), "p95": float(p95)}


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def _group_figures(done: pd.DataFrame, arrived: pd.DataFrame, key: str) -> dict[str, Any]:
    out = {}
    for name, group in arrived.groupby(key, observed=True):
        finished = done[done[key] == name]
        out[str(name)] = {
            "silo_latency_hours": latency_stats(finished["latency_hours"]),
            "requests": int(len(group)),
            "completed": int(len(finished)),
        }
    return out


def run_figures(result: Result) -> dict[str, Any]:
    """Every headline figure of one run, as a nested dict of plain numbers.

    ``insight_reach`` (see :mod:`orgsim.metrics.insights`) is there when the
    scenario has an ``insights:`` block.
    """
    figures = _core_figures(result)
    if "insight_horizon_hours" in result.extras:
        from orgsim.metrics.insights import insight_reach

        figures["insight_reach"] = insight_reach(result, result.extras["insight_horizon_hours"])
    return figures


def _core_figures(result: Result) -> dict[str, Any]:
    if result.tally is not None:
        return _tally_figures(result, result.tally)
    req = result.requests[result.requests["in_window"]]
    done = req[req["answered"].notna()]
    msg = result.messages[result.messages["in_window"]]
    due = msg[msg["arrived"] <= result.horizon_hours - REPLY_TARGET_HOURS]
    latency_sum = float(done["latency_hours"].sum())
    window = result.window_hours
    mean_latency = float(done["latency_hours"].mean()) if len(done) else float("nan")
    return {
        "requests": {"arrived": int(len(req)), "completed": int(len(done)), "open_at_end": int(req["answered"].isna().sum())},
        "messages": {"arrived": int(len(msg)), "answered": int(msg["answered"].notna().sum()),
                     "open_at_end": int(msg["answered"].isna().sum())},
        "silo_latency_hours": latency_stats(done["latency_hours"]),
        "latency_breakdown_hours": {
            part: float(done[f"{part}_hours"].mean()) if len(done) else float("nan")
            for part in ("queue", "work", "handoff", "approval")
        },
        "silo_overhead_share": 1 - _ratio(float(done["work_hours"].sum()), latency_sum) if latency_sum > 0 else float("nan"),
        "handoffs_per_request": float(done["handoffs"].mean()) if len(done) else float("nan"),
        "cross_group_handoffs_per_request": float(done["cross_group_handoffs"].mean()) if len(done) else float("nan"),
        "reply_within_24h_share": _ratio(float((due["reply_hours"] <= REPLY_TARGET_HOURS).sum()), len(due)),
        "message_reply_hours": latency_stats(msg["reply_hours"]),
        **_load_figures(result),
        "by_department": _group_figures(done, req, "department"),
        "by_request_type": _group_figures(done.assign(kind=done["department"].astype(str) + "/" + done["request_type"].astype(str)),
                                          req.assign(kind=req["department"].astype(str) + "/" + req["request_type"].astype(str)),
                                          "kind"),
        # Little's law, measured two ways: L from the time-average number of
        # open requests, and lambda * W from arrivals and answered latencies.
        "littles_law": {
            "mean_in_system": result.in_system_hours["requests"] / window,
            "arrival_rate_per_hour": len(req) / window,
            "mean_time_in_system_hours": mean_latency,
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
    }


def _tally_figures(result: Result, t: Tally) -> dict[str, Any]:
    """The figures of :func:`_core_figures`, from summary mode's running tallies (same keys)."""
    kinds = t.kinds
    done = sum(k.latency.n for k in kinds)
    arrived = int(t.arrived.sum())
    latency = Histogram.combine(k.latency for k in kinds)
    clocks = sum((k.clocks for k in kinds), np.zeros(4))
    work_sum, latency_sum = float(clocks[1]), latency.total

    def mean(total: float) -> float:
        return total / done if done else float("nan")

    def group(keys: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in dict.fromkeys(keys):
            members = [i for i, k in enumerate(keys) if k == key]
            if not t.arrived[members].sum():
                continue  # as in the tables: only groups with an arrival in the window
            hist = Histogram.combine(kinds[i].latency for i in members)
            out[key] = {"silo_latency_hours": hist.stats(), "requests": int(t.arrived[members].sum()),
                        "completed": hist.n}
        return out

    window = result.window_hours
    return {
        "requests": {"arrived": arrived, "completed": done, "open_at_end": arrived - done},
        "messages": {"arrived": t.messages_arrived, "answered": t.replies.n,
                     "open_at_end": t.messages_arrived - t.replies.n},
        "silo_latency_hours": latency.stats(),
        "latency_breakdown_hours": {part: mean(float(c)) for part, c in zip(("queue", "work", "handoff", "approval"),
                                                                             clocks, strict=True)},
        "silo_overhead_share": 1 - _ratio(work_sum, latency_sum) if latency_sum > 0 else float("nan"),
        "handoffs_per_request": mean(sum(k.handoffs for k in kinds)),
        "cross_group_handoffs_per_request": mean(sum(k.cross_group_handoffs for k in kinds)),
        "reply_within_24h_share": _ratio(t.replied_in_time, t.messages_due),
        "message_reply_hours": t.replies.stats(),
        **_load_figures(result),
        "by_department": group([d for d, _ in t.names]),  # in the scenario's order, as the table's categories
        "by_request_type": dict(sorted(group([f"{d}/{n}" for d, n in t.names]).items())),
        "littles_law": {
            "mean_in_system": result.in_system_hours["requests"] / window,
            "arrival_rate_per_hour": arrived / window,
            "mean_time_in_system_hours": latency.mean,
        },
    }
