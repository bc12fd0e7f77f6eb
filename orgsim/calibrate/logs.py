"""Reading and checking exported logs, row by row.

Every input row ends up either *used* or *unusable* with one reason, so the
counts always add up to the rows read; nothing is dropped silently. Reasons,
checked in this order (a row gets the first that applies):

``missing value``           a required column (id, time, channel / department, type) is empty
``unparseable time stamp``  a time is not ISO 8601 (``2026-01-05 08:12``, ``...T08:12:00Z``, ``...+01:00``)
``answered before received`` the response / completion is before the receipt / creation
``unknown channel``         the channel (after ``channel_names``) is not one of the scenario's channels
``duplicated id``           an id seen in an earlier usable row of the same kind of log

A bad *optional* value (an unparseable effort, say) keeps the row and blanks
that value; it is listed among the notes. Time stamps with an offset are
read as written; those without are read in the mapping's ``timezone``.
A file is a request log if it has the request columns (id, created,
department, type), else a message log if it has the message columns (id,
received, channel).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from orgsim.calibrate.columns import REQUIRED, ColumnMap
from orgsim.errors import OrgsimError
from orgsim.tables import read_table, row_number

__all__ = ["REASONS", "FileReport", "Logs", "RowProblem", "cut", "read_logs"]

REASONS = ("missing value", "unparseable time stamp", "answered before received", "unknown channel", "duplicated id")
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_SPLIT = re.compile(r"\s*[;,|]\s*")


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
        return f"{self.file}:{self.row}: column {self.column!r}: {self.reason}: expected {self.expected}, got {self.got!r}"


@dataclass
class FileReport:
    """What became of one file's rows."""

    file: str
    kind: str  #: "messages" or "requests"
    rows: int
    unusable: Counter[str] = field(default_factory=Counter)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)

    @property
    def used(self) -> int:
        return self.rows - sum(self.unusable.values())

    def summary(self) -> str:
        parts = [f"{self.used} used"] + [f"{n} {reason}" for reason, n in self.unusable.items() if n]
        blanked = f"; {len(self.notes)} optional value(s) blanked" if self.notes else ""
        return f"{self.file}: {self.rows} {self.kind} rows: " + ", ".join(parts) + blanked


@dataclass
class Logs:
    """The usable rows, time stamps in UTC, and a report per file."""

    messages: pd.DataFrame
    requests: pd.DataFrame
    reports: list[FileReport]
    export_time: pd.Timestamp


def _read_table(path: Path) -> pd.DataFrame:
    return read_table(path)


def _times(values: pd.Series, zone: ZoneInfo) -> pd.Series:
    """Parse ISO 8601 strings to UTC; naive ones are read in ``zone``; bad ones give NaT."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    text = values.str.strip()
    aware = text.str.contains(_OFFSET) & (text != "")
    naive = ~aware & (text != "")
    if aware.any():
        out[aware] = pd.to_datetime(text[aware], errors="coerce", utc=True, format="ISO8601")
    if naive.any():
        local = pd.to_datetime(text[naive], errors="coerce", format="ISO8601")
        out[naive] = local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    return out


def _kind(table: pd.DataFrame, cmap: ColumnMap, shown: str) -> str:
    cols = set(table.columns)
    for kind in ("requests", "messages"):  # the request columns are the stricter set (a helpdesk shares the rest)
        roles = cmap.messages if kind == "messages" else cmap.requests
        if all(roles.get(r) in cols for r in REQUIRED[kind]):
            return kind
    want = "; ".join(f"{k}: {', '.join(repr((cmap.messages if k == 'messages' else cmap.requests)[r]) for r in REQUIRED[k])}"
                     for k in ("messages", "requests"))
    raise OrgsimError(f"{shown}: not a message or request log for preset {cmap.preset!r}: expected the columns {want}; "
                      f"found {', '.join(map(repr, list(table.columns)[:8]))} (map yours with --columns)")


_line = row_number


def read_logs(paths: Sequence[str | Path], cmap: ColumnMap, channels: Sequence[str],
              export_time: pd.Timestamp | None = None) -> Logs:
    """Read message and request logs; check every row against ``channels``.

    The export time (when items still open were last seen open) is the latest
    time stamp in the logs unless given.
    """
    try:
        zone = ZoneInfo(cmap.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise OrgsimError(f"timezone: expected an IANA zone like 'Europe/London', got {cmap.timezone!r}") from None
    known = set(channels)
    frames: dict[str, list[pd.DataFrame]] = {"messages": [], "requests": []}
    reports: list[FileReport] = []
    seen: dict[str, set[str]] = {"messages": set(), "requests": set()}
    for p in paths:
        path = Path(p)
        table = _read_table(path)
        kind = _kind(table, cmap, str(path))
        out, report = _check(path, table, kind, cmap, zone, known, seen[kind])
        reports.append(report)
        frames[kind].append(out)
    if not reports:
        raise OrgsimError("no log files given")
    messages = _concat(frames["messages"], "received")
    requests = _concat(frames["requests"], "created")
    if messages.empty and requests.empty:
        raise OrgsimError("no usable rows in " + "; ".join(r.summary() for r in reports))
    if export_time is None:
        stamps = [s.max() for s in (messages.get("received"), messages.get("responded"),
                                     requests.get("created"), requests.get("completed")) if s is not None and len(s)]
        export_time = max(s for s in stamps if not pd.isna(s))
    return Logs(messages, requests, reports, pd.Timestamp(export_time))


def _check(path: Path, table: pd.DataFrame, kind: str, cmap: ColumnMap, zone: ZoneInfo, known: set[str],
           seen: set[str]) -> tuple[pd.DataFrame, FileReport]:
    """One file's rows: the usable ones as a table, and what became of every row."""
    roles = cmap.messages if kind == "messages" else cmap.requests
    report = FileReport(str(path), kind, len(table))
    col = {role: table[name].astype(str) if name in table.columns else pd.Series("", index=table.index)
           for role, name in roles.items()}
    t_in, t_out = ("received", "responded") if kind == "messages" else ("created", "completed")
    t0, t1 = _times(col[t_in], zone), _times(col.get(t_out, pd.Series("", index=table.index)), zone)
    reason = pd.Series("", index=table.index)

    def mark(mask: pd.Series, why: str, role: str, expected: str) -> None:
        fresh = mask & (reason == "")
        reason[fresh] = why
        for i in fresh[fresh].index:
            report.problems.append(RowProblem(str(path), _line(path, int(i)), roles.get(role, role), why,
                                              expected, str(col[role][i]) if role in col else ""))

    for role in REQUIRED[kind]:
        mark(col[role].str.strip() == "", "missing value", role, "a value")
    mark(t0.isna(), "unparseable time stamp", t_in, "an ISO 8601 time like 2026-01-05T08:12:00Z")
    if t_out in col:
        mark(t1.isna() & (col[t_out].str.strip() != ""), "unparseable time stamp", t_out,
             "an ISO 8601 time, or empty while open")
        mark(t1 < t0, "answered before received", t_out, f"a time after {roles[t_in]!r}")
    if kind == "messages":
        chan = col["channel"].str.strip().str.lower().map(lambda v: cmap.channel_names.get(v, v))
        mark(~chan.isin(known), "unknown channel", "channel", f"one of {', '.join(sorted(known))}")
    else:
        sets = col.get("channels", pd.Series("", index=table.index)).str.strip().str.lower().map(
            lambda v: tuple(cmap.channel_names.get(c, c) for c in _SPLIT.split(v) if c))
        if "channels" in col:
            mark(sets.map(lambda cs: any(c not in known for c in cs)), "unknown channel", "channels",
                 f"channels among {', '.join(sorted(known))}, separated by ';'")
    ids = col["id"].str.strip()
    dup = pd.Series(False, index=table.index)
    for i in ids.index:
        if reason[i] == "":
            dup[i] = ids[i] in seen
            seen.add(ids[i])
    mark(dup, "duplicated id", "id", "an id not used by an earlier row")
    report.unusable = Counter({r: int((reason == r).sum()) for r in REASONS if (reason == r).any()})
    ok = reason == ""
    out = pd.DataFrame({"id": ids[ok], t_in: t0[ok], t_out: t1[ok]})
    number_role = "handle_minutes" if kind == "messages" else "effort_hours"
    if number_role in col:
        raw = col[number_role][ok].str.strip()
        num = pd.to_numeric(raw, errors="coerce")
        bad = (raw != "") & (num.isna() | (num < 0))
        for i in bad[bad].index:
            report.notes.append(RowProblem(str(path), _line(path, int(i)), roles[number_role], "value blanked",
                                           "a non-negative number", raw[i]))
        out[number_role] = num.where(~bad)
    else:
        out[number_role] = float("nan")
    if kind == "messages":
        out["channel"] = chan[ok]
        for role in ("audience", "responder"):
            out[role] = col[role][ok].str.strip().replace("", None) if role in col else None
    else:
        out["department"] = col["department"][ok].str.strip()
        out["type"] = col["type"][ok].str.strip()
        out["channels"] = sets[ok]
        for role in ("worker", "function", "audience"):
            out[role] = col[role][ok].str.strip().replace("", None) if role in col else None
    return out, report


def _concat(frames: list[pd.DataFrame], by: str) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).sort_values(by, kind="stable").reset_index(drop=True)


def cut(logs: Logs, until: pd.Timestamp) -> Logs:
    """The logs as an export taken at ``until`` would have shown them."""
    m = logs.messages[logs.messages["received"] < until].copy() if len(logs.messages) else logs.messages
    r = logs.requests[logs.requests["created"] < until].copy() if len(logs.requests) else logs.requests
    if len(m):
        m.loc[m["responded"] >= until, "responded"] = pd.NaT
    if len(r):
        r.loc[r["completed"] >= until, "completed"] = pd.NaT
    return Logs(m, r, logs.reports, until)
