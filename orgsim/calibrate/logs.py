"""Reading and checking exported logs, row by row.

Every input row ends up either *used* or *unusable* with one reason, so the
counts always add up to the rows read; nothing is dropped silently. Reasons,
checked in this order (a row gets the first that applies):

``too few fields``          the line holds fewer values than the header (an export cut mid-line)
``missing value``           a required column (id, time, channel / department, type) is empty
``unparseable time stamp``  a time is in no format read (see :mod:`orgsim.calibrate.times`)
``time stamp out of range`` a time before 1970 or after 2199 (a placeholder such as 9999-12-31)
``answered before received`` the response / completion is before the receipt / creation
``unknown channel``         the channel (after ``channel_names``) is not one of the scenario's channels
``duplicated id``           an id seen in an earlier usable row of the same kind of log
``reply to an unknown message``  a threaded reply whose message is not in the logs

A bad *optional* value (an unparseable effort, say, or ``inf``) keeps the
row and blanks that value; it is listed and counted among the notes.
Department and channel names are matched without regard to case; two
spellings of one department are merged under the team file's (or the most
common) spelling, with a warning. Event logs are read by
:mod:`orgsim.calibrate.events`.

A file is an event log if it has the event columns (case, timestamp,
group), else a request log if it has the request columns (id, created,
department, type), else a message log (id, received, channel).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from orgsim.calibrate.columns import PRESETS, REQUIRED, ColumnMap
from orgsim.calibrate.table import MAX_LOG_CELLS, Table, read_table
from orgsim.calibrate.times import EARLIEST, EXPECTED, LATEST, parse_times
from orgsim.errors import OrgsimError
from orgsim.scenario.limits import HOW

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario

__all__ = ["REASONS", "FileReport", "Logs", "RowProblem", "cut", "read_logs"]

REASONS = ("too few fields", "missing value", "unparseable time stamp", "time stamp out of range",
           "answered before received", "unknown channel", "duplicated id", "reply to an unknown message")
_SPLIT = re.compile(r"\s*[;,|]\s*")
#: a handling time or effort above these is a data error (a value in the wrong unit or a placeholder),
#: not a measurement: a message handled for over a week, a request worked for over a working year
CEILING = {"handle_minutes": (7 * 24 * 60, "minutes, at most 10,080 (a week)"),
           "effort_hours": (2000.0, "hours, at most 2,000 (a working year)")}
_TRUE, _FALSE = {"true", "1", "yes", "y", "t", "inbound"}, {"false", "0", "no", "n", "f", "outbound"}


@dataclass(frozen=True)
class RowProblem:
    """One unusable row (or one blanked value): where it is and what was expected."""

    file: str
    row: int  #: the line in a CSV file (header = line 1), the 1-based row in Parquet
    column: str
    reason: str
    expected: str
    got: str

    def __str__(self) -> str:
        got = self.got if len(self.got) <= 80 else self.got[:79] + "…"
        return f"{self.file}:{self.row}: column {self.column!r}: {self.reason}: expected {self.expected}, got {got!r}"


@dataclass
class FileReport:
    """What became of one file's rows."""

    file: str
    kind: str  #: "messages", "requests" or "events"
    rows: int
    unusable: Counter[str] = field(default_factory=Counter)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)
    #: replies threaded to their message (message logs with ``reply_to``): used, but not messages
    replies: int = 0

    @property
    def used(self) -> int:
        return self.rows - sum(self.unusable.values())

    def summary(self) -> str:
        used = f"{self.used} used" + (f" ({self.replies} of them replies threaded to their message)" if self.replies else "")
        parts = [used] + [f"{n} {reason}" for reason, n in self.unusable.items() if n]
        blanked = f"; {len(self.notes)} optional value(s) blanked" if self.notes else ""
        return f"{self.file}: {self.rows} {self.kind} rows: " + ", ".join(parts) + blanked

    def as_dict(self) -> dict[str, object]:
        """The counts, for ``--json``: they add up (``used`` + every ``unusable`` = ``rows``)."""
        return {"file": self.file, "kind": self.kind, "rows": self.rows, "used": self.used, "replies": self.replies,
                "unusable": dict(self.unusable), "blanked": len(self.notes)}


@dataclass
class Logs:
    """The usable rows, time stamps in UTC, and a report per file."""

    messages: pd.DataFrame
    requests: pd.DataFrame
    reports: list[FileReport]
    export_time: pd.Timestamp
    #: usable event-log rows, one per event, with the group resolved (see orgsim.calibrate.events)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: merged spellings and other things the reader should know
    warnings: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        """The kinds of log given (whatever their usable rows): only these are compared by a back-test."""
        return {r.kind for r in self.reports}


class _Rows:
    """Marks one file's rows unusable with their first reason, and lists where."""

    def __init__(self, table: Table, kind: str, roles: dict[str, str], col: dict[str, pd.Series]) -> None:
        self.table, self.roles, self.col = table, roles, col
        self.report = FileReport(table.file, kind, len(table.frame))
        self.reason = pd.Series("", index=table.frame.index)

    def mark(self, mask: pd.Series, why: str, role: str, expected: str) -> None:
        fresh = mask & (self.reason == "")
        self.reason[fresh] = why
        for i in fresh[fresh].index:
            self.report.problems.append(RowProblem(self.table.file, int(self.table.lines[i]), self.roles.get(role, role),
                                                   why, expected, str(self.col[role][i]) if role in self.col else ""))

    def times(self, role: str, zone: ZoneInfo, fmt: str | None, expected: str, required: bool) -> pd.Series:
        t, far = parse_times(self.col[role], zone, fmt)
        filled = self.col[role].str.strip() != ""
        self.mark(t.isna() & ~far & (filled | required), "unparseable time stamp", role, expected)
        self.mark(far, "time stamp out of range", role,
                  f"a time between {EARLIEST:%Y-%m-%d} and {LATEST - pd.Timedelta(days=1):%Y-%m-%d}")
        return t

    def number(self, role: str, ok: pd.Series) -> pd.Series:
        raw = self.col[role][ok].str.strip()
        num = pd.to_numeric(raw, errors="coerce")
        top, unit = CEILING[role]
        bad = (raw != "") & (num.isna() | ~np.isfinite(num.fillna(0)) | (num < 0) | (num > top))
        for i in bad[bad].index:
            self.report.notes.append(RowProblem(self.table.file, int(self.table.lines[i]), self.roles[role],
                                                "value blanked", f"a non-negative number of {unit}", raw[i]))
        return num.where(~bad)

    def finish(self, reasons: Sequence[str]) -> pd.Series:
        self.report.problems.sort(key=lambda p: p.row)  # in the file's order, as a reader goes through it
        self.report.unusable = Counter({r: int((self.reason == r).sum()) for r in reasons if (self.reason == r).any()})
        return self.reason == ""


def columns_of(table: Table, kind: str, cmap: ColumnMap) -> dict[str, pd.Series]:
    """Each mapped role's values as text (a constant fills every row)."""
    index = table.frame.index
    col = {role: table.frame[name].astype(str) for role, name in cmap.roles(kind).items() if name in table.frame.columns}
    for role, value in cmap.constants.get(kind, {}).items():
        col[role] = pd.Series(value, index=index)
    return col


def _kind(table: Table, cmap: ColumnMap) -> str:
    cols = set(table.frame.columns)
    for kind in ("events", "requests", "messages"):  # the stricter sets first (a helpdesk shares the rest)
        roles, const = cmap.roles(kind), cmap.constants.get(kind, {})
        if roles and all(roles.get(r) in cols or r in const for r in REQUIRED[kind]):
            return kind
    want = "; ".join(f"{k}: {', '.join(repr(cmap.roles(k).get(r, r)) for r in REQUIRED[k])}"
                     for k in ("messages", "requests", "events"))
    raise OrgsimError(f"{table.file}: not a message, request or event log for preset {cmap.preset!r}: expected the "
                      f"columns {want}; found {', '.join(map(repr, list(table.frame.columns)[:8]))} "
                      "(map yours with --columns)")


def zone_of(cmap: ColumnMap) -> ZoneInfo:
    try:
        return ZoneInfo(cmap.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise OrgsimError(f"timezone: expected an IANA zone like 'Europe/London', got {cmap.timezone!r}") from None


def _fold(values: pd.Series, known: Sequence[str], what: str, warnings: list[str]) -> dict[str, str]:
    """Names matched without regard to case: the team file's spelling, else the most common; merges said."""
    spelled = values[values != ""]
    canon = {k.casefold(): k for k in known}
    out: dict[str, str] = {}
    for folded, group in spelled.groupby(spelled.str.casefold(), sort=True):
        counts = group.value_counts()
        name = canon.get(str(folded), str(counts.index[0]))
        for spelling in counts.index:
            out[str(spelling)] = name
        others = [str(s) for s in counts.index if s != name]
        if others:
            warnings.append(f"{what} {', '.join(map(repr, others))} read as {name!r} (the same name in another case)")
    return out


def read_logs(paths: Sequence[str | Path], cmap: ColumnMap, channels: Sequence[str],
              export_time: pd.Timestamp | None = None, *, scenario: Scenario | None = None,
              event_logs: Sequence[str | Path] = (), allow_large: bool = False) -> Logs:
    """Read message, request and event logs; check every row against ``channels`` (and ``scenario``).

    The export time (when items still open were last seen open) is the
    latest time stamp in the logs unless given; a given one must not be
    before it. Event logs (also recognised among ``paths`` by their columns)
    need ``scenario``, whose pods, people and approvers their groups name.
    """
    from orgsim.calibrate.events import case_table, check_events
    from orgsim.calibrate.threads import thread
    from orgsim.calibrate.xes import is_xes

    zone = zone_of(cmap)
    known = set(channels)
    departments = list(scenario.demand.departments) if scenario is not None else []
    tables = [read_table(Path(p), allow_large) for p in [*paths, *event_logs]]
    if not tables:
        raise OrgsimError("no log files given")
    cells = sum(t.cells for t in tables)
    if cells > MAX_LOG_CELLS and not allow_large:
        raise OrgsimError(f"{', '.join(t.file for t in tables)}: {cells:,} values together; logs are limited to "
                          f"{MAX_LOG_CELLS:,} (about 2.4 GB of memory to read); {HOW}")
    frames: dict[str, list[pd.DataFrame]] = {"messages": [], "requests": [], "events": []}
    reports: list[FileReport] = []
    warnings: list[str] = []
    seen: dict[str, set[str]] = {"messages": set(), "requests": set(), "events": set()}
    replies: list[tuple[pd.DataFrame, _Rows]] = []
    for n, table in enumerate(tables):
        xes = is_xes(Path(table.file))
        kind = "events" if n >= len(paths) or xes else _kind(table, cmap)
        if kind == "events":
            if scenario is None:
                raise OrgsimError(f"{table.file}: an event log needs the team file, whose groups it names")
            roles = replace(cmap, events=PRESETS["xes"].events) if xes and cmap.preset != "xes" else cmap
            out, report = check_events(table, roles, zone, scenario, seen["events"], warnings)
        else:
            out, rows = _check(table, kind, cmap, zone, known, seen[kind])
            report = rows.report
            if kind == "messages" and "is_reply" in out:
                replies.append((out, rows))
        reports.append(report)
        frames[kind].append(out)
    thread(replies, frames["messages"])
    messages = _concat(frames["messages"], "received")
    requests = _concat(frames["requests"], "created")
    events = _concat(frames["events"], "time")
    if len(messages):
        spelling = messages["spelling"]
        for low, spellings in spelling.groupby(spelling.str.lower()).unique().items():
            if len(spellings) > 1:
                warnings.append(f"channel spellings {', '.join(map(repr, sorted(spellings)))} read as one channel "
                                f"{low!r} (channels are matched without regard to case)")
        messages = messages.drop(columns="spelling")
    if messages.empty and requests.empty and events.empty:
        raise OrgsimError("no usable rows in " + "; ".join(r.summary() for r in reports))
    latest = _latest(messages, requests, events)
    if export_time is None:
        export_time = latest
    elif export_time < latest:
        raise OrgsimError(f"--export-time {export_time:%Y-%m-%d %H:%M}: before the logs' latest time stamp "
                          f"{latest:%Y-%m-%d %H:%M} UTC; expected when the logs were exported (leave it out to use "
                          "their latest time stamp)")
    names = pd.concat([t["department"] for t in (requests, events) if len(t)]) if len(requests) or len(events) else None
    if names is not None:
        spelling = _fold(names, departments, "department", warnings)
        for t in (requests, events):
            if len(t):
                t["department"] = t["department"].map(lambda v: spelling.get(v, v))
    if len(events):
        requests = _with_cases(requests, case_table(events, cmap, pd.Timestamp(export_time), channels))
    return Logs(messages, requests, reports, pd.Timestamp(export_time), events, warnings)


def _with_cases(requests: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """The request log's rows and the event logs' cases, as one table; a type comes from one kind of log."""
    if len(requests):
        both = set(zip(requests["department"], requests["type"], strict=True)) & \
            set(zip(cases["department"], cases["type"], strict=True))
        if both:
            dept, rtype = sorted(both)[0]
            raise OrgsimError(f"{dept} / {rtype}: in a request log and in an event log; give each type's requests "
                              "in one of them (an event log's cases are requests too)")
    cases["source"] = "events"
    return _concat([requests, cases], "created")


def _latest(messages: pd.DataFrame, requests: pd.DataFrame, events: pd.DataFrame) -> pd.Timestamp:
    stamps = [s.max() for s in (messages.get("received"), messages.get("responded"), requests.get("created"),
                                requests.get("completed"), events.get("time")) if s is not None and len(s)]
    return pd.Timestamp(max(s for s in stamps if not pd.isna(s)))


def _check(table: Table, kind: str, cmap: ColumnMap, zone: ZoneInfo, known: set[str],
           seen: set[str]) -> tuple[pd.DataFrame, _Rows]:
    """One message or request file's rows: the usable ones as a table, and what became of every row."""
    index = table.frame.index
    empty = pd.Series("", index=index)
    col = columns_of(table, kind, cmap)
    rows = _Rows(table, kind, cmap.roles(kind), col)
    rows.mark(pd.Series(table.short, index=index), "too few fields", REQUIRED[kind][0],
              f"{table.frame.shape[1]} values, as in the header")
    t_in, t_out = ("received", "responded") if kind == "messages" else ("created", "completed")
    threaded = kind == "messages" and "reply_to" in col
    is_reply = empty.astype(bool)
    if threaded:
        target = col["reply_to"].str.strip()
        if "inbound" in col:
            flag = col["inbound"].str.strip().str.casefold()
            rows.mark(~flag.isin(_TRUE | _FALSE), "missing value", "inbound", "true or false (a customer's post or not)")
            is_reply = flag.isin(_FALSE)
        else:
            is_reply = target != ""
    for role in REQUIRED[kind]:
        rows.mark((col[role].str.strip() == "") & ~(is_reply & (role == "channel")), "missing value", role, "a value")
    if threaded:
        rows.mark(is_reply & (target == ""), "missing value", "reply_to", "the id of the message it answers")
    expected = f"a time in the format {cmap.time_format!r}" if cmap.time_format else EXPECTED
    t0 = rows.times(t_in, zone, cmap.time_format, expected, True)
    t1 = rows.times(t_out, zone, cmap.time_format, expected + ", or empty while open", False) \
        if t_out in col else pd.Series(pd.NaT, index=index, dtype=t0.dtype)
    if t_out in col:
        rows.mark(t1 < t0, "answered before received", t_out, f"a time after {rows.roles[t_in]!r}")
    if kind == "messages":
        chan = col["channel"].str.strip().str.lower().map(lambda v: cmap.channel_names.get(v, v))
        rows.mark(~chan.isin(known) & ~is_reply, "unknown channel", "channel", f"one of {', '.join(sorted(known))}")
    else:
        sets = col.get("channels", empty).str.strip().str.lower().map(
            lambda v: tuple(cmap.channel_names.get(c, c) for c in _SPLIT.split(v) if c))
        if "channels" in col:
            rows.mark(sets.map(lambda cs: any(c not in known for c in cs)), "unknown channel", "channels",
                      f"channels among {', '.join(sorted(known))}, separated by ';'")
    ids = col["id"].str.strip()
    dup = pd.Series(False, index=index)
    for i in ids.index:
        if rows.reason[i] == "":
            dup[i] = ids[i] in seen
            seen.add(ids[i])
    rows.mark(dup, "duplicated id", "id", "an id not used by an earlier row")
    ok = rows.reason == ""
    out = pd.DataFrame({"id": ids[ok], t_in: t0[ok], t_out: t1[ok]})
    number_role = "handle_minutes" if kind == "messages" else "effort_hours"
    out[number_role] = rows.number(number_role, ok) if number_role in col else float("nan")
    out["line"] = table.lines[ok.to_numpy()]
    if kind == "messages":
        out["channel"] = chan[ok]
        out["spelling"] = col["channel"][ok].str.strip()
        for role in ("audience", "responder"):
            out[role] = col[role][ok].str.strip().replace("", None) if role in col else None
        if threaded:
            out["is_reply"], out["reply_to"] = is_reply[ok], target[ok]
    else:
        out["department"] = col["department"][ok].str.strip()
        out["type"] = col["type"][ok].str.strip()
        out["channels"] = sets[ok]
        for role in ("worker", "function", "audience"):
            out[role] = col[role][ok].str.strip().replace("", None) if role in col else None
    rows.finish(REASONS[:-1])  # a reply's message is looked for once every file is read
    return out, rows


def _concat(frames: list[pd.DataFrame], by: str) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).sort_values(by, kind="stable").reset_index(drop=True)


def cut(logs: Logs, until: pd.Timestamp) -> Logs:
    """The logs as an export taken at ``until`` would have shown them."""
    m = logs.messages[logs.messages["received"] < until].copy() if len(logs.messages) else logs.messages
    r = logs.requests[logs.requests["created"] < until].copy() if len(logs.requests) else logs.requests
    e = logs.events[logs.events["time"] < until].copy() if len(logs.events) else logs.events
    if len(m):
        m.loc[m["responded"] >= until, "responded"] = pd.NaT
    if len(r):
        r.loc[r["completed"] >= until, "completed"] = pd.NaT
    return Logs(m, r, logs.reports, until, e, logs.warnings)
