"""A simulated run's trace as an event log: what a ticketing tool would have recorded of each request.

``simulate(..., trace=True)`` logs, per request, when it arrived, each queue
it was put in (``pod:content``, ``person:maya``, ``approver:CMO``,
``role:...``, ``embedded:...``), when a person started, paused and finished
its work, and when the answer reached the department. That becomes one row
per event: the arrival (``received``), ``schedule`` when a group is given
the case, ``start`` / ``suspend`` / ``resume`` / ``complete`` of the work
(XES's lifecycle transitions), and ``answered`` when the department has
the answer, which closes the case.

The trace names no step, so the activity is the step whose doer is that
group when exactly one step of the type has it (``triage`` for the lead's
intake, ``work`` otherwise). A request worked in parallel parts (a step split
over several pods) has no single holder: it is left out and counted, for an
event log of handoffs cannot show it. A department step
(``department: Legal``) leaves no trace event, so its time falls in the next
group's holding time.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from orgsim.scenario.model import Scenario
from orgsim.sim.result import Result

__all__ = ["TraceEvents", "trace_events"]

#: the trace's queue prefixes -> the kind of group an event log names
_KINDS = {"pod": "pod", "person": "person", "approver": "external", "role": "role", "embedded": "person"}


@dataclass
class TraceEvents:
    events: pd.DataFrame  #: one row per event (the columns of a checked event log)
    parallel: int  #: requests left out: worked in parallel parts


def _activities(s: Scenario) -> dict[tuple[str, str], dict[str, str]]:
    """(department, type) -> queue -> the one step done there."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for dname, dept in s.demand.departments.items():
        for tname, rt in dept.requests.items():
            seen: dict[str, list[str]] = {}
            for st in rt.steps or []:
                queue = (f"pod:{st.pod}" if st.pod else f"person:{st.person}" if st.person else
                         f"approver:{st.external}" if st.external else f"role:{st.role}" if st.role else None)
                if queue is not None:
                    seen.setdefault(queue, []).append(st.name)
            out[(dname, tname)] = {q: names[0] for q, names in seen.items() if len(names) == 1}
    return out


def trace_events(result: Result, s: Scenario, start: float = 0.0) -> TraceEvents:
    """The event log of ``result`` (run with ``trace=True``) for requests that arrived at or after ``start`` (hours)."""
    if result.log is None:
        raise ValueError("trace_events needs a run with trace=True")
    req = result.requests.set_index("request")
    keep = set(req.index[req["arrived"] >= start])
    log = result.log[(result.log["kind"] == "request") & result.log["item"].isin(keep)]
    embedded = {f"embedded:{link.department}": link.person for link in s.structure.embedded}
    lead = s.structure.lead if s.structure.intake == "lead" else None
    steps = _activities(s)
    rows: list[tuple[int, float, str, str, str, str, str]] = []
    where: dict[int, tuple[str, str, str]] = {}  # request -> (kind, group, activity) holding it now
    holders: dict[int, int] = {}  # tasks of a request queued or in work
    paused: set[int] = set()
    parallel: set[int] = set()
    first: dict[int, int] = {}  # request -> index of its arrival row, whose group is its first holder's
    for t, event, item, at in zip(log["time"], log["event"], log["item"], log["where"], strict=True):
        r = int(item)
        if event == "arrive":
            first[r] = len(rows)
            rows.append((r, t, "", "", "received", "complete", ""))
        elif event == "queue":
            if holders.get(r, 0) > 0:
                parallel.add(r)
            holders[r] = holders.get(r, 0) + 1
            if r in paused:  # the same task back in its queue after a pause: no new holder
                continue
            prefix, _, name = str(at).partition(":")
            kind = _KINDS.get(prefix, "person")
            group = embedded.get(str(at), name)
            key = (str(req.at[r, "department"]), str(req.at[r, "request_type"]))
            activity = "triage" if r not in where and kind == "person" and group == lead else \
                steps.get(key, {}).get(str(at), "work")
            where[r] = (kind, group, activity)
            if r in first:
                i = first.pop(r)
                rows[i] = (r, rows[i][1], kind, group, "received", "complete", "")
            rows.append((r, t, kind, group, activity, "schedule", ""))
        elif event in ("start", "pause", "finish") and r in where:
            kind, group, activity = where[r]
            who = str(at).removeprefix("approver:")
            life = {"start": "resume" if r in paused else "start", "pause": "suspend", "finish": "complete"}[event]
            paused.discard(r)
            if event == "pause":
                paused.add(r)
            if event != "start":
                holders[r] -= 1
            rows.append((r, t, kind, group, activity, life, who))
        elif event == "answer" and r in where:
            kind, group, _ = where[r]
            rows.append((r, t, kind, group, "answered", "complete", ""))
    frame = pd.DataFrame(rows, columns=["request", "hours", "doer", "group", "activity", "lifecycle", "resource"])
    frame = frame[~frame["request"].isin(parallel) & (frame["group"] != "")].reset_index(drop=True)
    frame["department"] = frame["request"].map(req["department"]).astype(str)
    frame["type"] = frame["request"].map(req["request_type"]).astype(str)
    return TraceEvents(frame, len(parallel & keep))
