"""Synthetic exports with a known truth: the simulation itself writes the logs.

:func:`demo_logs` runs a scenario (by default ``scenarios/network.yaml``),
lets it warm up so the team starts with a realistic backlog, and writes what
a company's tools would export for the period after the warm-up: one row per
inbound message and one per request, in the ``generic`` column layout.
Items still open when the run ends have no response time (the export time is
the end of the run); a share of optional fields is left blank, as in real
exports; the scenario's bursts (a launch) stay in.

:func:`demo_event_log` runs a scenario whose requests pass between groups
(by default ``scenarios/calibration/handoffs.yaml``) with its trace on, and
writes what a ticketing tool would have recorded of each request as an
event log (see :mod:`orgsim.calibrate.trace`), in the ``generic`` layout:
``case_id, timestamp, group, activity, resource, lifecycle, department,
case_type``. A case still open at the end has no ``answered`` row.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from orgsim.arguments import a_path, a_thing, checks, choice, flag
from orgsim.calibrate.trace import trace_events
from orgsim.errors import OrgsimError
from orgsim.scenario.model import Scenario
from orgsim.scenario.overrides import with_changes
from orgsim.sim.demand import arrivals, request_kinds
from orgsim.sim.engine import simulate

__all__ = ["DEFAULT_EVENT_SCENARIO", "DEFAULT_SCENARIO", "DEMO_WARMUP_DAYS", "DemoEvents", "DemoLogs",
           "demo_event_log", "demo_logs", "write_demo", "write_event_log"]

#: the example company, by network (the status quo), shipped with the repository
DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "network.yaml"
#: the example company by function, with requests written as workflows passed between pods
DEFAULT_EVENT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "calibration" / "handoffs.yaml"
FORMATS = ("csv", "parquet")
#: days simulated before the export starts, so queues are not empty on day one
#: (replies in the example take hours, so a few days fill the pipeline; assumption)
DEMO_WARMUP_DAYS = 3.0
#: shares of optional values left blank (assumption: a few percent, as in hand-kept fields)
BLANK_AUDIENCE, BLANK_EFFORT = 0.05, 0.10


@dataclass
class DemoLogs:
    messages: pd.DataFrame
    requests: pd.DataFrame
    scenario: Scenario  #: the truth the logs were drawn from (the run's settings included)
    export_time: pd.Timestamp


def _stamp(origin: pd.Timestamp, hours: pd.Series) -> pd.Series:
    times = origin + pd.to_timedelta(hours, unit="h")
    return times.dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(hours.notna(), "")


def demo_logs(scenario: Scenario, days: float = 28.0, seed: int = 1, launch_day: float | None = None, *,
              allow_large: bool = False) -> DemoLogs:
    """Simulate ``days`` of exports from ``scenario`` (after a warm-up).

    ``launch_day`` moves the scenario's first burst to that day of the export
    (short demos still show a launch); ``allow_large`` lifts the size limits.
    """
    if days < 1:
        raise OrgsimError(f"--days: expected at least 1 day of logs, got {days}")
    changes: dict[str, object] = {"run.horizon_days": DEMO_WARMUP_DAYS + days, "run.warmup_days": DEMO_WARMUP_DAYS}
    if launch_day is not None and scenario.demand.bursts:
        first = next(iter(scenario.demand.bursts))
        changes[f"demand.bursts.{first}.start_day"] = DEMO_WARMUP_DAYS + launch_day
    truth = with_changes(scenario, changes, allow_large=allow_large)
    result = simulate(truth, seed=seed)
    arr = arrivals(truth, np.random.SeedSequence(seed))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    origin = pd.Timestamp(dt.datetime.combine(truth.run.start_date, dt.time(0)), tz="UTC")
    start = DEMO_WARMUP_DAYS * 24

    m = result.messages.assign(handle=arr.msg_effort[: len(result.messages)] * 60)
    m = m[m["arrived"] >= start].reset_index(drop=True)
    audience = m["audience"].astype(str).where(rng.random(len(m)) >= BLANK_AUDIENCE, "")
    messages = pd.DataFrame({
        "message_id": [f"M{i:06d}" for i in range(1, len(m) + 1)],
        "received_at": _stamp(origin, m["arrived"]),
        "channel": m["channel"].astype(str),
        "audience": audience,
        "first_response_at": _stamp(origin, m["answered"]),
        "handle_minutes": m["handle"].round(2),
    })

    kinds = request_kinds(truth)
    # efforts and handling times are exported as the scenario's own values (a practised
    # person's time, before the team's handling factors and proficiency), as the
    # calibration reads them: the calibrated file extends the team file, whose factors
    # then apply once, as in the truth
    r = result.requests.assign(effort=arr.req_effort[: len(result.requests)], kind=arr.req_kind[: len(result.requests)])
    r = r[r["arrived"] >= start].reset_index(drop=True)
    every = truth.channels

    def chans(k: int) -> str:
        c = kinds[k].spec.channels
        return ";".join(every if c == "all" else c)

    effort = r["effort"].round(3).astype(str).where(rng.random(len(r)) >= BLANK_EFFORT, "")
    requests = pd.DataFrame({
        "request_id": [f"R{i:05d}" for i in range(1, len(r) + 1)],
        "created_at": _stamp(origin, r["arrived"]),
        "department": r["department"].astype(str),
        "request_type": r["request_type"].astype(str),
        "channels": [chans(int(k)) for k in r["kind"]],
        "completed_at": _stamp(origin, r["answered"]),
        "effort_hours": effort,
        "function": [kinds[int(k)].spec.function for k in r["kind"]],
        "audience": [kinds[int(k)].spec.audience or "" for k in r["kind"]],
    })
    export = origin + pd.Timedelta(hours=truth.run.horizon_days * 24)
    return DemoLogs(messages, requests, truth, export)


def _write_tables(tables: dict[str, pd.DataFrame], folder: str | Path, force: bool, fmt: str) -> list[Path]:
    """Write each table whole beside its final name, then rename it there; refuse to overwrite without ``force``."""
    from orgsim.writes import check_file_target, write_with

    if fmt not in FORMATS:
        raise OrgsimError(f"--format: expected csv or parquet, got {fmt!r}")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OrgsimError(f"{folder}: exists and is not a folder")
    paths = [folder / f"{name}.{fmt}" for name in tables]
    existing = [str(p) for p in paths if p.exists()]
    if existing and not force:
        raise OrgsimError(f"{existing[0]}: exists; pass --force to overwrite it")
    made = next((f for f in reversed([folder, *folder.parents]) if not f.exists()), None)  # the first we create
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OrgsimError(f"{folder}: cannot create the folder: {exc.strerror or exc}") from None
    try:
        targets = [check_file_target(p, force, "demo-data") for p in paths]  # all checked before any is written
        for path, table in zip(targets, tables.values(), strict=True):
            write = table.to_parquet if fmt == "parquet" else table.to_csv
            write_with(path, functools.partial(write, index=False), force, "demo-data", checked=True)
    except BaseException:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)  # a failed first write leaves no folder behind either
        raise
    return paths


@checks(demo=a_thing("DemoLogs"), folder=a_path, force=flag, fmt=choice("csv", "parquet"))
def write_demo(demo: DemoLogs, folder: str | Path, force: bool = False, fmt: str = "csv") -> list[Path]:
    """Write ``messages.csv`` and ``requests.csv`` (or ``.parquet``); refuse to overwrite without ``force``."""
    return _write_tables({"messages": demo.messages, "requests": demo.requests}, folder, force, fmt)


@dataclass
class DemoEvents:
    events: pd.DataFrame  #: the event log, in the ``generic`` layout
    scenario: Scenario  #: the truth it was drawn from (the run's settings included)
    export_time: pd.Timestamp
    parallel: int  #: requests worked in parallel parts, left out (none in a scenario of handoffs)


def demo_event_log(scenario: Scenario, days: float = 28.0, seed: int = 1, *, allow_large: bool = False) -> DemoEvents:
    """Simulate ``days`` of an event log from ``scenario`` (after a warm-up): every request's handoffs.

    Refuses a scenario that works requests in parallel parts (a step split
    over several pods): an event log of handoffs shows one holder at a time.
    """
    if days < 1:
        raise OrgsimError(f"--days: expected at least 1 day of logs, got {days}")
    truth = with_changes(scenario, {"run.horizon_days": DEMO_WARMUP_DAYS + days, "run.warmup_days": DEMO_WARMUP_DAYS},
                         allow_large=allow_large)
    result = simulate(truth, seed=seed, trace=True)
    traced = trace_events(result, truth, DEMO_WARMUP_DAYS * 24)
    if traced.parallel:
        raise OrgsimError(f"{scenario.name}: {traced.parallel} request(s) worked in parallel parts (a step split over "
                          "several pods); an event log shows one holder at a time: choose a scenario whose steps name "
                          "their doer, such as scenarios/calibration/handoffs.yaml")
    origin = pd.Timestamp(dt.datetime.combine(truth.run.start_date, dt.time(0)), tz="UTC")
    e = traced.events
    events = pd.DataFrame({
        "case_id": [f"C{int(r):05d}" for r in e["request"]],
        "timestamp": _stamp(origin, e["hours"]),
        "group": e["group"], "activity": e["activity"], "resource": e["resource"], "lifecycle": e["lifecycle"],
        "department": e["department"], "case_type": e["type"],
    })
    export = origin + pd.Timedelta(hours=truth.run.horizon_days * 24)
    return DemoEvents(events, truth, export, traced.parallel)


def write_event_log(demo: DemoEvents, folder: str | Path, force: bool = False, fmt: str = "csv") -> Path:
    """Write ``events.csv`` (or ``.parquet``); refuse to overwrite without ``force``."""
    return _write_tables({"events": demo.events}, folder, force, fmt)[0]
