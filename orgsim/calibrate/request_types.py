"""One request type of the calibrated file: its rate, effort (or workflow), function, channels and audience."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from ruamel.yaml.comments import CommentedMap
from scipy import stats

from orgsim.calibrate.document import Calibration, duration, flow, sig
from orgsim.calibrate.fit import ArrivalFit, fit_duration
from orgsim.calibrate.steps import base_type, start_of, workflow
from orgsim.scenario.model import Scenario

__all__ = ["request_type"]

#: keys a type with ``steps`` must leave out (each step gives its effort; approval and rework are steps)
NOT_WITH_STEPS = ("effort_hours", "needs_approval", "rework_probability")


def request_type(cal: Calibration, reqs: CommentedMap, dept: str, rtype: str, rows: pd.DataFrame, n_out: int,
                 f: ArrivalFit, team: Scenario, base: Any) -> None:
    """Write ``reqs[rtype]`` from its rows; a case type of an event log gets its workflow."""
    where = f"demand.departments.{dept}.requests.{rtype}"
    route = cal.routing.get((dept, base_type(rtype)))
    node = reqs[rtype] = CommentedMap()
    if base is not None and base.description:
        node["description"] = base.description
    per_week = 7 * n_out / f.exposure if f.exposure > 0 else 0.0
    lo = stats.chi2.ppf(0.025, 2 * n_out) / 2 if n_out else 0.0
    hi = stats.chi2.ppf(0.975, 2 * n_out + 2) / 2
    ci = (7 * lo / f.exposure, 7 * hi / f.exposure) if f.exposure > 0 else (0.0, float("inf"))
    cal.request_rates[(dept, rtype)] = (per_week, ci, len(rows))
    node["per_week"] = sig(per_week)
    node.yaml_add_eol_comment(f"n={len(rows)} in {f.days:.1f} days ({n_out} outside bursts); 95% CI "
                              f"{ci[0]:.3g}-{ci[1]:.3g} per week", "per_week")
    if route is None:
        effort = rows["effort_hours"].dropna().to_numpy(float) if "effort_hours" in rows else np.array([])
        ef = fit_duration(effort)
        if ef is not None:
            cal.efforts[(dept, rtype)] = ef
        kept = base.effort_hours.model_dump(exclude_none=True) if base is not None else {"dist": "exponential", "mean": 2.0}
        duration(cal, node, "effort_hours", ef, "h", kept, where, f"{len(effort)} effort value(s) logged (fewer than 8)")
        if ef is None and base is None:
            cal.defaults[-1] = f"{where}.effort_hours: {len(effort)} effort value(s) logged; default exponential mean 2 h"

    def pick(col: str, allowed: list[str]) -> str | None:
        if col not in rows:
            return None
        vals = rows[col].dropna()
        vals = vals[vals.isin(allowed)]
        return str(vals.mode().iloc[0]) if len(vals) else None

    fn = pick("function", team.functions)
    if fn is None:
        fn = base.function if base is not None else team.functions[0]
        cal.defaults.append(f"{where}.function: not logged; {'kept the team file' if base is not None else 'default'} {fn!r}")
    node["function"] = fn
    sets = Counter(tuple(c) for c in rows["channels"] if len(c)) if "channels" in rows else Counter()
    if sets:
        node["channels"] = flow(list(sets.most_common(1)[0][0]))
    elif base is not None:
        node["channels"] = base.channels if base.channels == "all" else flow(base.channels)
        cal.defaults.append(f"{where}.channels: not logged; kept the team file's")
    aud = pick("audience", team.audiences) or (base.audience if base is not None else None)
    if aud:
        node["audience"] = aud
    if base is not None:
        for key in ("priority", "needs_approval", "rework_probability", "daily_profile", "weekly_profile"):
            if key in base.model_fields_set:
                value = getattr(base, key)
                node[key] = flow(value) if isinstance(value, tuple) else value
    else:
        cal.defaults.append(f"{where}: a request type the team file does not know; priority normal, no approval")
    if route is not None:
        for key in NOT_WITH_STEPS:
            node.pop(key, None)
        start = start_of(rtype) or route.starts.most_common(1)[0][0]
        if rtype != route.type:
            node["description"] = f"cases of {route.type!r} that start at {start!r} (a workflow starts at its first step)"
        node["steps"] = workflow(team, route, start, where, cal.defaults)

