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

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.tag import Tag

from orgsim.calibrate.fit import MIN_FOR_WEEKLY, ArrivalFit, DurationFit, fit_arrivals, fit_duration
from orgsim.calibrate.logs import Logs
from orgsim.scenario.clock import DAILY_PROFILES, WEEKLY_PROFILES, utc_offset_hours
from orgsim.scenario.model import Scenario
from orgsim.sim.demand import ADHOC

__all__ = ["WARMUP_DAYS", "Calibration", "Window", "build_document"]

#: the simulation starts empty; this many days before the logs' first day let
#: queues fill (replies in the example take hours, backlogs clear within days;
#: assumption, checked by the back-test)
WARMUP_DAYS = 3.0
#: response times and latencies are described, not simulated inputs: a lognormal
#: (with the exponential as the simplest rival) is enough, and censored gamma fits are slow
DESCRIBE = ("lognormal", "exponential")


@dataclass(frozen=True)
class Window:
    """The logs' period on the calibrated scenario's clock."""

    origin: pd.Timestamp  #: UTC midnight of the first logged day
    export: pd.Timestamp
    warmup_days: float = WARMUP_DAYS

    @property
    def start_date(self) -> dt.date:
        return (self.origin - pd.Timedelta(days=self.warmup_days)).date()

    @property
    def clock0(self) -> pd.Timestamp:
        return pd.Timestamp(dt.datetime.combine(self.start_date, dt.time(0)), tz="UTC")

    @property
    def start(self) -> float:
        return self.warmup_days * 24

    @property
    def end(self) -> float:
        return self.hours(self.export)

    @property
    def days(self) -> float:
        return (self.end - self.start) / 24

    def hours(self, t: Any) -> Any:
        """UTC time stamps -> hours on the scenario clock."""
        return (t - self.clock0) / pd.Timedelta(hours=1)

    @classmethod
    def of(cls, logs: Logs, warmup_days: float = WARMUP_DAYS) -> Window:
        firsts = [s.min() for s in (logs.messages.get("received"), logs.requests.get("created")) if s is not None and len(s)]
        return cls(min(firsts).floor("D"), logs.export_time, warmup_days)


@dataclass
class Calibration:
    document: CommentedMap
    window: Window
    #: what the logs could not tell, with what was used instead
    defaults: list[str] = field(default_factory=list)
    messages: dict[str, ArrivalFit] = field(default_factory=dict)
    departments: dict[str, ArrivalFit] = field(default_factory=dict)
    request_rates: dict[tuple[str, str], tuple[float, tuple[float, float], int]] = field(default_factory=dict)
    efforts: dict[tuple[str, str], DurationFit] = field(default_factory=dict)
    handle: dict[str, DurationFit] = field(default_factory=dict)
    replies: dict[str, DurationFit] = field(default_factory=dict)
    latencies: dict[str, DurationFit] = field(default_factory=dict)


def _flow(values: Any) -> CommentedSeq:
    seq = CommentedSeq([float(v) if isinstance(v, (float, np.floating)) else v for v in values])
    seq.fa.set_flow_style()
    return seq


def _flow_map(data: dict[str, Any]) -> CommentedMap:
    m = CommentedMap(data)
    m.fa.set_flow_style()
    return m


def _replace(m: CommentedMap) -> CommentedMap:
    m.yaml_set_ctag(Tag(suffix="!replace"))
    return m


def _sig(x: float) -> float:
    return float(f"{x:.3g}")


def _rate_note(f: ArrivalFit, n: int, lo: float, hi: float, unit: str) -> str:
    text = f"n={n} in {f.days:.1f} days; 95% CI {lo:.3g}-{hi:.3g} {unit}"
    if np.isfinite(f.dispersion):
        text += f"; daily counts dispersion {f.dispersion:.2f} (Poisson 1, p={f.dispersion_p:.2f})"
    return text


def _duration(cal: Calibration, node: CommentedMap, key: str, fit: DurationFit | None, unit: str,
              kept: Any, where: str, why: str) -> None:
    if fit is not None:
        node[key] = _flow_map(fit.as_yaml())
        node.yaml_add_eol_comment(fit.comment(unit), key)
    elif kept is not None:
        node[key] = _flow_map(kept) if isinstance(kept, dict) else kept
        node.yaml_add_eol_comment(f"kept from the team file: {why}", key)
        cal.defaults.append(f"{where}.{key}: {why}; kept the team file's value")


def build_document(logs: Logs, team: Scenario, team_data: dict[str, Any], team_path: Path, out_path: Path,
                   warmup_days: float = WARMUP_DAYS) -> Calibration:
    """Fit everything the logs allow; return the YAML document and what was left at defaults."""
    win = Window.of(logs, warmup_days)
    doc = CommentedMap()
    cal = Calibration(doc, win)
    demand_in = team_data.get("demand", {})
    zone = team.demand.timezone
    offset = utc_offset_hours(zone, win.start_date)
    wd0 = win.start_date.weekday()
    doc["extends"] = Path(os.path.relpath(team_path.resolve(), out_path.resolve().parent)).as_posix()
    doc["name"] = f"{team.name} — calibrated from logs"
    doc["run"] = CommentedMap(start_date=win.start_date, horizon_days=_sig(win.days + warmup_days),
                              warmup_days=warmup_days)
    doc["run"].yaml_add_eol_comment(f"the logs' period starts after {warmup_days:g} warm-up days", "warmup_days")
    demand = doc["demand"] = CommentedMap()
    bursts: dict[tuple[int, int], dict[str, Any]] = {}

    # --- messages --------------------------------------------------------------
    msgs = _replace(CommentedMap())
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
                         base.weekly_profile if base else WEEKLY_PROFILES["consumer"])
        cal.messages[channel] = f
        node = msgs[channel] = CommentedMap()
        node["per_day"] = _sig(f.per_day)
        node.yaml_add_eol_comment(_rate_note(f, f.n, *f.ci, "per day"), "per_day")
        handle = rows["handle_minutes"].dropna().to_numpy(float) if "handle_minutes" in rows else np.array([])
        hf = fit_duration(handle)
        if hf is not None:
            cal.handle[channel] = hf
        kept = base.handle_minutes.model_dump(exclude_none=True) if base else {"dist": "exponential", "mean": 2.0}
        _duration(cal, node, "handle_minutes", hf, "min", kept, where,
                  "no handling times logged" if hf is None else "")
        if base is None and hf is None:
            cal.defaults[-1] = f"{where}.handle_minutes: no handling times logged; default exponential mean 2 min"
        if base is not None and base.priority != "normal":
            node["priority"] = base.priority
        aud = rows["audience"].dropna() if "audience" in rows else pd.Series(dtype=str)
        aud = aud[aud.isin(team.audiences)]
        if len(aud):
            mix = aud.value_counts(normalize=True)
            node["audience_mix"] = _flow_map({str(k): round(float(v), 3) for k, v in mix.items() if v > 0})
            node.yaml_add_eol_comment(f"from {len(aud)} messages with a known audience", "audience_mix")
        elif base is not None and base.audience_mix:
            node["audience_mix"] = _flow_map(dict(base.audience_mix))
            cal.defaults.append(f"{where}.audience_mix: no audiences logged; kept the team file's")
        _profiles(cal, node, f, where, base)
        for b in f.bursts:
            bursts.setdefault((b.start_day, b.days), {"channels": [], "departments": [], "mult": []})
            bursts[(b.start_day, b.days)]["channels"].append(channel)
            bursts[(b.start_day, b.days)]["mult"].append((b.multiplier, b.observed))
        rf = _censored_fit(rows["received"], rows["responded"], logs.export_time)
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
    depts = _replace(CommentedMap())
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
                doc["policies"] = CommentedMap(interruptions=CommentedMap(per_week=_sig(per_week)))
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
            node["days"] = _flow(base_dept.days)
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
        f = fit_arrivals(t, win.start, win.end, d_off, wd0, daily0, weekly0, candidates=list(bursts))
        cal.departments[dept] = f
        _profiles(cal, node, f, where, base_dept)
        node.move_to_end("requests")
        for b in f.bursts:
            bursts.setdefault((b.start_day, b.days), {"channels": [], "departments": [], "mult": []})
            bursts[(b.start_day, b.days)]["departments"].append(dept)
            bursts[(b.start_day, b.days)]["mult"].append((b.multiplier, b.observed))
        outside = rows[~_in_bursts(t, f)]
        if base_dept is not None:
            for gone in set(base_dept.requests) - set(rows["type"]):
                cal.defaults.append(f"{where}.requests.{gone}: none in the logs; dropped (the team file had "
                                    f"{base_dept.requests[gone].daily * 7:g}/week)")
        for rtype, trows in rows.groupby("type", sort=False):
            _request_type(cal, reqs, dept, str(rtype), trows, len(outside[outside["type"] == rtype]), f, team,
                          base_dept.requests.get(str(rtype)) if base_dept else None, logs)
        lf = _censored_fit(rows["created"], rows["completed"], logs.export_time)
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
    out_b = _replace(CommentedMap())
    for i, ((start, days), found) in enumerate(sorted(bursts.items()), 1):
        mult = sum(x * n for x, n in found["mult"]) / sum(n for _, n in found["mult"])
        node = out_b[f"burst_{i}"] = CommentedMap()
        node["description"] = f"detected: day {start - warmup_days:g} of the logs, {days} day(s)"
        node["start_day"], node["days"], node["multiplier"] = start, days, round(mult, 2)
        if found["channels"]:
            node["channels"] = _flow(found["channels"])
        if found["departments"]:
            node["departments"] = _flow(found["departments"])
        node.yaml_add_eol_comment(f"observed / expected on those days, {sum(n for _, n in found['mult'])} arrivals",
                                  "multiplier")
    demand["bursts"] = out_b
    _header(cal, logs)
    return cal


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
                node[key] = _flow(kept)
                node.yaml_add_eol_comment(f"kept from the team file: not {need} in the logs", key)
            cal.defaults.append(f"{where}.{key}: not {need} in the logs; "
                                + ("kept the team file's" if kept is not None else "default"))
        else:
            node[key] = _flow(prof)
            node.yaml_add_eol_comment(f"fitted from {f.n} arrivals (local time, mean 1)", key)


def _request_type(cal: Calibration, reqs: CommentedMap, dept: str, rtype: str, rows: pd.DataFrame, n_out: int,
                  f: ArrivalFit, team: Scenario, base: Any, logs: Logs) -> None:
    where = f"demand.departments.{dept}.requests.{rtype}"
    node = reqs[rtype] = CommentedMap()
    if base is not None and base.description:
        node["description"] = base.description
    per_week = 7 * n_out / f.exposure if f.exposure > 0 else 0.0
    from scipy import stats

    lo = stats.chi2.ppf(0.025, 2 * n_out) / 2 if n_out else 0.0
    hi = stats.chi2.ppf(0.975, 2 * n_out + 2) / 2
    ci = (7 * lo / f.exposure, 7 * hi / f.exposure) if f.exposure > 0 else (0.0, float("inf"))
    cal.request_rates[(dept, rtype)] = (per_week, ci, len(rows))
    node["per_week"] = _sig(per_week)
    node.yaml_add_eol_comment(f"n={len(rows)} in {f.days:.1f} days ({n_out} outside bursts); 95% CI "
                              f"{ci[0]:.3g}-{ci[1]:.3g} per week", "per_week")
    effort = rows["effort_hours"].dropna().to_numpy(float) if "effort_hours" in rows else np.array([])
    ef = fit_duration(effort)
    if ef is not None:
        cal.efforts[(dept, rtype)] = ef
    kept = base.effort_hours.model_dump(exclude_none=True) if base is not None else {"dist": "exponential", "mean": 2.0}
    _duration(cal, node, "effort_hours", ef, "h", kept, where,
              f"{len(effort)} effort value(s) logged (fewer than 8)")
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
        node["channels"] = _flow(list(sets.most_common(1)[0][0]))
    elif base is not None:
        node["channels"] = base.channels if base.channels == "all" else _flow(base.channels)
        cal.defaults.append(f"{where}.channels: not logged; kept the team file's")
    aud = pick("audience", team.audiences) or (base.audience if base is not None else None)
    if aud:
        node["audience"] = aud
    if base is not None:
        for key in ("priority", "needs_approval", "rework_probability", "daily_profile", "weekly_profile"):
            if key in base.model_fields_set:
                value = getattr(base, key)
                node[key] = _flow(value) if isinstance(value, tuple) else value
    else:
        cal.defaults.append(f"{where}: a request type the team file does not know; priority normal, no approval")


def _header(cal: Calibration, logs: Logs) -> None:
    w = cal.window
    lines = [
        "Calibrated by `orgsim calibrate` from exported logs; edit freely, re-run to refresh.",
        f"Logs: {w.origin:%Y-%m-%d} to the export at {w.export:%Y-%m-%d %H:%M} UTC ({w.days:.1f} days).",
        *(r.summary() for r in logs.reports),
        "Each fitted value carries its sample size and fit quality in a comment.",
    ]
    if cal.defaults:
        lines.append("Not estimable from the logs (kept from the team file or a default):")
        lines += [f"  - {d}" for d in cal.defaults]
    cal.document.yaml_set_start_comment("\n".join(lines))


def _censored_fit(start: pd.Series, end: pd.Series, export: pd.Timestamp) -> DurationFit | None:
    """Fit the hours from ``start`` to ``end``; items with no ``end`` count as open at their age at ``export``."""
    closed = end.notna()
    done = ((end - start) / pd.Timedelta(hours=1))[closed].to_numpy(float)
    ages = ((export - start) / pd.Timedelta(hours=1))[~closed].to_numpy(float)
    return fit_duration(done, ages, DESCRIBE)
