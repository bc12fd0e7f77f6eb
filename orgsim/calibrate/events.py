"""Event logs: one row per event of a case (a ticket, a request) as it passes between groups.

The shape process-mining tools read (XES, or its CSV form): a case id, a
time stamp, the group holding the case (``org:group``), and optionally the
activity, the person (``org:resource``), the lifecycle transition (``start``,
``suspend``, ``resume``, ``complete`` ...), a start time for logs with one
row per activity from start to end, and the case's own attributes
(department, type, channels, function, audience).

Each row is checked like any log's (see :mod:`orgsim.calibrate.logs`), with
the reasons an event log adds:

``end before start``        the row's start time is after its time stamp
``unknown group``           the group is no pod, person, outside approver, role or department of the team file
                            (``group_names`` in a mapping file names what it is: ``pod:community``)
``duplicated event``        the same case, time, group, activity, lifecycle and person as an earlier row
``in a case with an unusable row``  a case missing one of its events would show a false route: it is left out whole

A group is matched, without regard to case, against the team file's pods,
then its people (by id), its outside approvers, its roles and its
departments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pandas as pd

from orgsim.calibrate.columns import REQUIRED, ColumnMap
from orgsim.calibrate.table import Table
from orgsim.calibrate.times import EXPECTED
from orgsim.errors import OrgsimError
from orgsim.scenario.approvers import approver_calendars

if TYPE_CHECKING:
    from orgsim.calibrate.logs import FileReport
    from orgsim.scenario.model import Scenario

__all__ = ["EVENT_REASONS", "Doers", "check_events"]

EVENT_REASONS = ("too few fields", "missing value", "unparseable time stamp", "time stamp out of range",
                 "end before start", "unknown group", "duplicated event", "in a case with an unusable row")
#: the type of a case whose log names none
DEFAULT_TYPE = "case"


@dataclass(frozen=True)
class Doers:
    """Who can hold a case in the team file: each group name (case-folded) -> ``(kind, name)``."""

    names: dict[str, tuple[str, str]]
    lead: str | None  #: the structure's lead (a person id)
    intake_by_lead: bool  #: departments send to the lead, who triages every request first

    @classmethod
    def of(cls, s: Scenario) -> Doers:
        names: dict[str, tuple[str, str]] = {}
        approvers = [node.split(":", 1)[1] for node in approver_calendars(s)]
        roles = sorted({p.role for p in s.team.people.values()})
        for kind, found in (("department", s.demand.departments), ("role", roles), ("external", approvers),
                            ("person", s.team.people), ("pod", s.structure.pods)):
            for name in found:  # later kinds win: a pod named like a person is the pod
                names[str(name).casefold()] = (kind, str(name))
        lead = s.structure.lead if s.structure.lead in s.team.people else None
        return cls(names, lead, s.structure.intake == "lead" and lead is not None)

    def expected(self) -> str:
        kinds = sorted({f"{k}s" for k, _ in self.names.values()})
        listed = ", ".join(sorted({n for _, n in self.names.values()})[:12])
        return f"a group of the team file ({', '.join(kinds)}: {listed}...) or one named in group_names"

    def resolve(self, group: str, cmap: ColumnMap, s: Scenario) -> tuple[str, str] | None:
        """``(kind, name)`` of an event's group, or None when the team file has no such group."""
        key = group.strip().casefold()
        named = cmap.group_names.get(key)
        if named is None:
            return self.names.get(key)
        kind, _, name = named.partition(":")
        name = name.strip()
        known: set[str] | None = {"pod": set(s.structure.pods), "person": set(s.team.people),
                                  "department": set(s.demand.departments),
                                  "role": {p.role for p in s.team.people.values()}}.get(kind)
        if known is not None and name not in known:
            raise OrgsimError(f"group_names: {group!r} -> {named!r}: the team file has no {kind} {name!r}; expected "
                              f"one of {', '.join(sorted(known))}")
        return kind, name


def _first_per_case(values: pd.Series, case: pd.Series) -> pd.Series:
    """A case attribute on every row of the case: its first non-empty value."""
    filled = values.str.strip()
    firsts = filled[filled != ""].groupby(case[filled != ""]).first()
    return case.map(firsts).fillna("")


def check_events(table: Table, cmap: ColumnMap, zone: ZoneInfo, s: Scenario, seen: set[str],
                 warnings: list[str]) -> tuple[pd.DataFrame, FileReport]:
    """One event log's rows: the usable ones (every row of a case usable) and what became of every row."""
    from orgsim.calibrate.logs import _Rows, columns_of

    index = table.frame.index
    col = columns_of(table, "events", cmap)
    rows = _Rows(table, "events", cmap.events, col)
    if "department" not in col:
        raise OrgsimError(f"{table.file}: an event log needs the case's department (who asked): name its column "
                          "(events: {department: COLUMN}) or one for every case (events: {department: {value: NAME}}) "
                          "in a mapping file (--columns)")
    rows.mark(pd.Series(table.short, index=index), "too few fields", "case",
              f"{table.frame.shape[1]} values, as in the header")
    case = col["case"].str.strip()
    for role in (*REQUIRED["events"], "department"):
        values = col[role] if role != "department" else _first_per_case(col[role], case)
        rows.mark(values.str.strip() == "", "missing value", role, "a value" if role != "department" else
                  "the case's department on one of its rows")
    expected = f"a time in the format {cmap.time_format!r}" if cmap.time_format else EXPECTED
    time = rows.times("timestamp", zone, cmap.time_format, expected, True)
    start = rows.times("start", zone, cmap.time_format, expected + ", or empty", False) if "start" in col else \
        pd.Series(pd.NaT, index=index, dtype=time.dtype)
    rows.mark(start > time, "end before start", "start", f"a time before {cmap.events['timestamp']!r}")
    doers = Doers.of(s)
    groups = col["group"].str.strip()
    resolved = {g: doers.resolve(g, cmap, s) for g in groups.unique() if g}
    rows.mark(groups.map(lambda g: g != "" and resolved.get(g) is None), "unknown group", "group", doers.expected())
    empty = pd.Series("", index=index)
    activity = col.get("activity", empty).str.strip()
    lifecycle = col.get("lifecycle", empty).str.strip().str.casefold()
    resource = col.get("resource", empty).str.strip()
    key = case + "\x1f" + time.astype(str) + "\x1f" + groups.str.casefold() + "\x1f" + activity + "\x1f" + \
        lifecycle + "\x1f" + resource
    dup = pd.Series(False, index=index)
    for i in key.index:
        if rows.reason[i] == "":
            dup[i] = key[i] in seen
            seen.add(key[i])
    rows.mark(dup, "duplicated event", "case", "an event not repeated (same case, time, group, activity)")
    broken = set(case[(rows.reason != "") & (rows.reason != "duplicated event")])  # a repeated row hides no event
    rows.mark(case.isin(broken) & (case != ""), "in a case with an unusable row", "case",
              "every event of the case usable (one is not; see its row)")
    ok = rows.finish(EVENT_REASONS)
    found = {g: r for g, r in resolved.items() if r is not None}
    kinds = groups.map(lambda g: found[g][0] if g in found else "")
    names = groups.map(lambda g: found[g][1] if g in found else "")
    out = pd.DataFrame({"case": case[ok], "time": time[ok], "start": start[ok], "group": names[ok],
                        "doer": kinds[ok], "activity": activity[ok], "lifecycle": lifecycle[ok],
                        "resource": resource[ok], "line": table.lines[ok.to_numpy()]})
    out["department"] = _first_per_case(col["department"], case)[ok]
    out["type"] = _first_per_case(col["type"], case)[ok] if "type" in col else DEFAULT_TYPE
    out.loc[out["type"] == "", "type"] = DEFAULT_TYPE
    for role in ("channels", "function", "audience"):
        out[role] = _first_per_case(col[role], case)[ok] if role in col else ""
    _spellings(groups[ok], names[ok], warnings)
    return out.sort_values(["case", "time", "line"], kind="stable").reset_index(drop=True), rows.report


def _spellings(raw: pd.Series, names: pd.Series, warnings: list[str]) -> None:
    """Say when several spellings of a group were read as one (case, or ``group_names``)."""
    for name, spellings in raw.groupby(names).unique().items():
        if len(spellings) > 1:
            warnings.append(f"groups {', '.join(map(repr, sorted(spellings)))} read as one: {name!r}")


def case_table(events: pd.DataFrame, cmap: ColumnMap, export: pd.Timestamp,
               channels: Sequence[str]) -> pd.DataFrame:
    """One row per case, shaped as a request log's rows: the case arrives at its first event.

    A case is closed at its last event when that event's activity is one of
    ``end_activities`` (or when none are named); otherwise it is still open
    at ``export``.
    """
    if events.empty:
        return pd.DataFrame()
    g = events.groupby("case", sort=False)
    first, last = g.first(), g.last()
    ends = set(cmap.end_activities)
    closed = last["activity"].str.casefold().isin(ends) if ends else pd.Series(True, index=last.index)
    if ends and not closed.any():
        raise OrgsimError(f"event log: no case ends with one of the end activities ({', '.join(sorted(ends))}), so "
                          "every case would be open: name your log's closing activities in a mapping file "
                          "(end_activities: [Closed]), or end_activities: [] if each case is closed at its last event")
    known = set(channels)
    sets = first["channels"].str.lower().str.split(r"\s*[;,|]\s*", regex=True).map(
        lambda cs: tuple(c for c in cs if c in known) if isinstance(cs, list) else ())
    out = pd.DataFrame({
        "id": first.index.astype(str), "created": g["time"].min(), "completed": last["time"].where(closed),
        "effort_hours": float("nan"), "department": first["department"], "type": first["type"],
        "channels": sets, "worker": None, "function": first["function"].replace("", None),
        "audience": first["audience"].replace("", None), "line": first["line"],
    }).reset_index(drop=True)
    out.loc[out["completed"] > export, "completed"] = pd.NaT
    return out.sort_values("created", kind="stable").reset_index(drop=True)
