"""From checked logs to a scenario file: what is fitted, what is kept, what is listed.

The calibrated file ``extends:`` the analyst's team file (a whole scenario:
team, structure, policies, vocabulary) and replaces its ``demand`` with what
the logs show: departments, request types and message channels are tagged
``!replace``, so nothing of the team file's guessed demand survives unless the
logs lack it — and then it is listed. Per item:

* fitted: rates (``per_day`` / ``per_week``), daily and weekly profiles,
  bursts, ``effort_hours`` (from an effort column), ``handle_minutes`` (from a
  handling-time column), ``audience_mix``, the channels a request type concerns;
* kept from the team file, as it is: a department's ``description``,
  ``timezone`` and the ``hours`` / ``days`` it is there to receive answers
  (the logs do not show when a department read an answer);
* kept from the team file where the type or channel exists there, else the
  documented default, and listed: ``function`` (default: the first of the
  scenario's functions), ``audience``, ``priority``, ``needs_approval``,
  ``rework_probability``, and any distribution the logs cannot estimate;
* the run: ``start_date``, ``horizon_days`` and ``warmup_days`` cover the
  logs' period after a warm-up of :data:`WARMUP_DAYS`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ruamel.yaml.comments import CommentedMap

from orgsim.calibrate.document import (
    WARMUP_DAYS,
    Calibration,
    Window,
    censored_fit,
    duration,
    flow,
    rate_note,
    replace_tag,
    sig,
)
from orgsim.calibrate.fit import MIN_FOR_WEEKLY, ArrivalFit, fit_arrivals, fit_duration
from orgsim.calibrate.logs import Logs
from orgsim.calibrate.request_types import request_type
from orgsim.calibrate.routing import Routing
from orgsim.scenario.clock import DAILY_PROFILES, WEEKLY_PROFILES, utc_offset_hours
from orgsim.scenario.model import Scenario
from orgsim.scenario.yamltext import flow_map
from orgsim.sim.demand import ADHOC

__all__ = ["WARMUP_DAYS", "Calibration", "Window", "build_document"]

#: a burst's multiplier is at most this in a scenario (orgsim.scenario.demand.Burst)
MAX_MULTIPLIER = 1000.0

def build_document(logs: Logs, team: Scenario, team_data: dict[str, Any], team_path: Path, out_path: Path,
                   warmup_days: float = WARMUP_DAYS, *, routing: dict[tuple[str, str], Routing] | None = None,
                   bursts: bool = True, min_burst: float = 0.0) -> Calibration:
    """Fit everything the logs allow; return the YAML document and what was left at defaults.

    ``routing`` (from an event log) gives case types their workflows;
    ``bursts=False`` fits no bursts, ``min_burst`` is the fewest arrivals
    above the expectation a burst must bring (see :func:`fit_arrivals`).
    """
    win = Window.of(logs, warmup_days)
    doc = CommentedMap()
    cal = Calibration(doc, win, routing=dict(routing or {}), warnings=list(logs.warnings))
    demand_in = team_data.get("demand", {})
    zone = team.demand.timezone
    offset = utc_offset_hours(zone, win.start_date)
    wd0 = win.start_date.weekday()
    doc["extends"] = Path(os.path.relpath(team_path.resolve(), out_path.resolve().parent)).as_posix()
    doc["name"] = f"{team.name} — calibrated from logs"
    doc["run"] = CommentedMap(start_date=win.start_date, horizon_days=sig(win.days + warmup_days),
                              warmup_days=warmup_days)
    doc["run"].yaml_add_eol_comment(f"the logs' period starts after {warmup_days:g} warm-up days", "warmup_days")
    demand = doc["demand"] = CommentedMap()
    detect = bursts
    spans: dict[tuple[int, int], dict[str, Any]] = {}  # burst days -> who showed them

    # --- messages --------------------------------------------------------------
    msgs = replace_tag(CommentedMap())
    m = logs.messages
    for channel in team.channels if len(m) else []:
        where = f"demand.messages.{channel}"
        base = team.demand.messages.get(channel)
        rows = m[m["channel"] == channel] if len(m) else m
        if rows.empty:
            if base is not None:
                cal.defaults.append(f"{where}: no messages in the logs; dropped (the team file had {base.daily:g}/day)")
            continue
        t = win.hours(rows["received"]).to_numpy(float)
        # a channel the team file lacks starts from the consumer shapes (the MessageStream defaults)
        f = fit_arrivals(t, win.start, win.end, offset, wd0,
                         base.daily_profile if base else DAILY_PROFILES["consumer"],
                         base.weekly_profile if base else WEEKLY_PROFILES["consumer"], detect, min_burst=min_burst)
        cal.messages[channel] = f
        node = msgs[channel] = CommentedMap()
        node["per_day"] = sig(f.per_day)
        node.yaml_add_eol_comment(rate_note(f, f.n, *f.ci, "per day"), "per_day")
        handle = rows["handle_minutes"].dropna().to_numpy(float) if "handle_minutes" in rows else np.array([])
        hf = fit_duration(handle)
        if hf is not None:
            cal.handle[channel] = hf
        kept = base.handle_minutes.model_dump(exclude_none=True) if base else {"dist": "exponential", "mean": 2.0}
        duration(cal, node, "handle_minutes", hf, "min", kept, where,
                  "no handling times logged" if hf is None else "")
        if base is None and hf is None:
            cal.defaults[-1] = f"{where}.handle_minutes: no handling times logged; default exponential mean 2 min"
        if base is not None and base.priority != "normal":
            node["priority"] = base.priority
        aud = rows["audience"].dropna() if "audience" in rows else pd.Series(dtype=str)
        aud = aud[aud.isin(team.audiences)]
        if len(aud):
            mix = aud.value_counts(normalize=True)
            node["audience_mix"] = flow_map({str(k): round(float(v), 3) for k, v in mix.items() if v > 0})
            node.yaml_add_eol_comment(f"from {len(aud)} messages with a known audience", "audience_mix")
        elif base is not None and base.audience_mix:
            node["audience_mix"] = flow_map(dict(base.audience_mix))
            cal.defaults.append(f"{where}.audience_mix: no audiences logged; kept the team file's")
        _profiles(cal, node, f, where, base)
        for b in f.bursts:
            spans.setdefault((b.start_day, b.days), {"channels": [], "departments": [], "mult": []})
            spans[(b.start_day, b.days)]["channels"].append(channel)
            spans[(b.start_day, b.days)]["mult"].append((b.multiplier, b.observed))
        rf = censored_fit(rows["received"], rows["responded"], logs.export_time)
        if rf is not None:
            cal.replies[channel] = rf
            node.yaml_set_comment_before_after_key(
                "per_day", before=f"observed first response: {rf.dist} {rf.comment('h')}; KM median {rf.km_median:.3g} h "
                                  "(not a scenario input: the back-test compares it)", indent=6)
    if len(m):
        demand["messages"] = msgs
    else:
        cal.defaults.append("demand.messages: no message log given; the team file's message streams stay")

    # --- departments and request types ------------------------------------------
    depts = replace_tag(CommentedMap())
    r = logs.requests
    base_depts: dict[str, Any] = demand_in.get("departments", {})
    names = list(dict.fromkeys([*(r["department"].tolist() if len(r) else []), *base_depts]))
    interruptions = team.policies.interruptions
    for dept in names if len(r) else []:
        where = f"demand.departments.{dept}"
        base_dept = team.demand.departments.get(dept)
        rows = r[r["department"] == dept] if len(r) else r
        if interruptions is not None and dept == interruptions.department:
            adhoc = rows[rows["type"] == ADHOC]
            rows = rows[rows["type"] != ADHOC]
            if len(adhoc):
                per_week = len(adhoc) / win.days * 7
                doc["policies"] = CommentedMap(interruptions=CommentedMap(per_week=sig(per_week)))
                doc["policies"]["interruptions"].yaml_add_eol_comment(
                    f"n={len(adhoc)} {ADHOC!r} requests of {dept} in {win.days:.1f} days", "per_week")
        node = depts[dept] = CommentedMap()
        if base_dept is not None and base_dept.description:
            node["description"] = base_dept.description
        if base_dept is not None and base_dept.timezone:
            node["timezone"] = base_dept.timezone
        # when the department is there to receive answers: not in the logs (they show
        # when work was done, not when the department read it), so the team file's
        # `hours` / `days` carry through; without them answers would count as received
        # at once and the latencies would be too short
        if base_dept is not None and "hours" in base_dept.model_fields_set:
            node["hours"] = base_dept.hours
        if base_dept is not None and "days" in base_dept.model_fields_set:
            node["days"] = flow(base_dept.days)
        reqs = node["requests"] = CommentedMap()
        if rows.empty:
            node.yaml_add_eol_comment("no requests in the logs", "requests")
            cal.defaults.append(f"{where}: no requests in the logs; kept with none")
            continue
        t = win.hours(rows["created"]).to_numpy(float)
        d_off = utc_offset_hours(base_dept.timezone, win.start_date) if base_dept and base_dept.timezone else offset
        # a department the team file lacks starts from office hours on weekdays (the Department defaults)
        daily0 = base_dept.daily_profile if base_dept else DAILY_PROFILES["office_hours"]
        weekly0 = base_dept.weekly_profile if base_dept else WEEKLY_PROFILES["weekdays"]
        f = fit_arrivals(t, win.start, win.end, d_off, wd0, daily0, weekly0, detect, candidates=list(spans),
                         min_burst=min_burst)
        cal.departments[dept] = f
        _profiles(cal, node, f, where, base_dept)
        node.move_to_end("requests")
        for b in f.bursts:
            spans.setdefault((b.start_day, b.days), {"channels": [], "departments": [], "mult": []})
            spans[(b.start_day, b.days)]["departments"].append(dept)
            spans[(b.start_day, b.days)]["mult"].append((b.multiplier, b.observed))
        outside = rows[~_in_bursts(t, f)]
        if base_dept is not None:
            for gone in set(base_dept.requests) - set(rows["type"]):
                cal.defaults.append(f"{where}.requests.{gone}: none in the logs; dropped (the team file had "
                                    f"{base_dept.requests[gone].daily * 7:g}/week)")
        for rtype, trows in rows.groupby("type", sort=False):
            request_type(cal, reqs, dept, str(rtype), trows, len(outside[outside["type"] == rtype]), f, team,
                         base_dept.requests.get(str(rtype)) if base_dept else None)
        lf = censored_fit(rows["created"], rows["completed"], logs.export_time)
        if lf is not None:
            cal.latencies[dept] = lf
            node.yaml_set_comment_before_after_key(
                "requests", before=f"observed request latency: {lf.dist} {lf.comment('h')}; KM median "
                                   f"{lf.km_median:.3g} h (the back-test compares it)", indent=6)
    if len(r):
        demand["departments"] = depts
    else:
        cal.defaults.append("demand.departments: no request log given; the team file's departments stay")

    # --- bursts -------------------------------------------------------------------
    out_b = replace_tag(CommentedMap())
    for i, ((start, days), found) in enumerate(sorted(spans.items()), 1):
        mult = sum(x * n for x, n in found["mult"]) / sum(n for _, n in found["mult"])
        node = out_b[f"burst_{i}"] = CommentedMap()
        node["description"] = f"detected: day {start - warmup_days:g} of the logs, {days} day(s)"
        node["start_day"], node["days"], node["multiplier"] = start, days, round(min(mult, MAX_MULTIPLIER), 2)
        if mult > MAX_MULTIPLIER:
            cal.defaults.append(f"demand.bursts.burst_{i}.multiplier: observed x{mult:,.0f}, above the scenario's limit "
                                f"of {MAX_MULTIPLIER:g}; written as {MAX_MULTIPLIER:g} (a crawl artefact? --min-burst or "
                                "--no-bursts leave it out)")
        if found["channels"]:
            node["channels"] = flow(found["channels"])
        if found["departments"]:
            node["departments"] = flow(found["departments"])
        node.yaml_add_eol_comment(f"observed / expected on those days, {sum(n for _, n in found['mult'])} arrivals",
                                  "multiplier")
    _kept_bursts(cal, out_b, logs, team, win)
    demand["bursts"] = out_b
    _header(cal, logs)
    return cal


def _kept_bursts(cal: Calibration, out_b: CommentedMap, logs: Logs, team: Scenario, win: Window) -> None:
    """The team file's bursts on what no log was given for, on the calibrated clock, if inside its period.

    Channels without a message log and departments without a request or
    event log are not refitted, so their bursts stay.
    """
    has_messages, has_requests = "messages" in logs.kinds, bool(logs.kinds & {"requests", "events"})
    shift = (team.run.start_date - win.start_date).days
    horizon = win.warmup_days + win.days
    for name, b in team.demand.bursts.items():
        channels = list(b.channels) if not has_messages else []
        departments = list(b.departments) if not has_requests else []
        if not channels and not departments:
            continue
        start = b.start_day + shift
        if start < 0 or start >= horizon:
            cal.defaults.append(f"demand.bursts.{name}: the team file's, outside the logs' period; dropped")
            continue
        node = out_b[name] = CommentedMap()
        node["description"] = b.description or name
        node["start_day"], node["days"], node["multiplier"] = sig(start), b.days, b.multiplier
        if channels:
            node["channels"] = flow(channels)
        if departments:
            node["departments"] = flow(departments)
        what = "no message log" if channels else "no request log"
        node.yaml_add_eol_comment(f"kept from the team file ({what}: not refitted)", "multiplier")
        cal.defaults.append(f"demand.bursts.{name}: {what}; kept the team file's")


def _in_bursts(t: np.ndarray, f: ArrivalFit) -> np.ndarray:
    inside = np.zeros(len(t), bool)
    for b in f.bursts:
        inside |= (t >= b.start_day * 24) & (t < (b.start_day + b.days) * 24)
    return inside


def _profiles(cal: Calibration, node: CommentedMap, f: ArrivalFit, where: str, base: Any) -> None:
    weekly_need = "every weekday seen for a whole day outside bursts" if f.n >= MIN_FOR_WEEKLY else "50 arrivals"
    for key, prof, need in (("daily_profile", f.daily, "100 arrivals"), ("weekly_profile", f.weekly, weekly_need)):
        if prof is None:
            kept = getattr(base, key) if base is not None else None
            if kept is not None:
                node[key] = flow(kept)
                node.yaml_add_eol_comment(f"kept from the team file: not {need} in the logs", key)
            cal.defaults.append(f"{where}.{key}: not {need} in the logs; "
                                + ("kept the team file's" if kept is not None else "default"))
        else:
            node[key] = flow(prof)
            node.yaml_add_eol_comment(f"fitted from {f.n} arrivals (local time, mean 1)", key)


def _header(cal: Calibration, logs: Logs) -> None:
    w = cal.window
    lines = [
        "Calibrated by `orgsim calibrate` from exported logs; edit freely, re-run to refresh.",
        f"Logs: {w.origin:%Y-%m-%d} to the export at {w.export:%Y-%m-%d %H:%M} UTC ({w.days:.1f} days).",
        *(r.summary() for r in logs.reports),
        "Each fitted value carries its sample size and fit quality in a comment.",
    ]
    if cal.warnings:
        lines += [f"Note: {w}" for w in cal.warnings]
    if cal.defaults:
        lines.append("Not estimable from the logs (kept from the team file or a default):")
        lines += [f"  - {d}" for d in cal.defaults]
    cal.document.yaml_set_start_comment("\n".join(lines))

