"""Distributions behind the headline figures: what a report draws beyond means.

:func:`run_detail` keeps, for one run, the per-department latencies of
answered requests (for box plots and ECDFs), where each department's time
goes, each person's load, and each department's insight-reach curve. It is
small (a few hundred numbers per department) so it can cross process
boundaries and be saved with a comparison.
"""

from __future__ import annotations

from typing import Any

from orgsim.metrics.insights import reach_curve
from orgsim.metrics.latency import PARTS
from orgsim.sim.result import Result

__all__ = ["PARTS", "run_detail"]


def _rounded(values: Any) -> list[float]:
    # Minutes are plenty for a distribution drawn on a chart, and keep saved files small.
    return [round(float(v), 3) for v in values]


def run_detail(result: Result) -> dict[str, Any]:
    """Per-department latencies and time split, per-person load, per-department reach curves.

    Only requests that arrived after the warm-up and were answered count, as in
    :func:`orgsim.metrics.run_figures`.
    """
    req = result.requests[result.requests["in_window"] & result.requests["answered"].notna()]
    by_dept = req.groupby("department", observed=True, sort=False)
    latency = {str(d): _rounded(g["latency_hours"]) for d, g in by_dept}
    breakdown = {str(d): {p: float(g[f"{p}_hours"].mean()) for p in PARTS} for d, g in by_dept}
    team = result.people[result.people["in_team"]]
    people = [
        {
            "person": str(row.person), "role": str(row.role), "pods": str(row.pods),
            "utilization": float(row.utilization), "busy_hours": float(row.busy_hours),
            "after_hours_share": float(row.after_hours / row.busy_hours) if row.busy_hours > 0 else 0.0,
        }
        for row in team.itertuples(index=False)
    ]
    out: dict[str, Any] = {"latency_hours": latency, "breakdown_hours": breakdown, "people": people}
    horizon = result.extras.get("insight_horizon_hours")
    ins = result.insights
    if horizon is not None and len(ins):
        pairs = ins[ins["in_window"].astype(bool)]
        curves = {str(d): reach_curve(p, horizon)["share"] for d, p in pairs.groupby("department", sort=True)}
        hours = reach_curve(pairs, horizon)["hours"]
        out["reach_curves"] = {"hours": hours, "by_department": curves}
    return out

