"""Which column of an export holds what: presets and a small mapping file.

A message log has one row per inbound message (or, threaded, one row per
post, the brand's replies pointing at what they answer); a request log one
row per request a department sent; an event log one row per event of a case
(a ticket passed between groups). Each log kind has *roles* (``received``,
``channel`` ...) and a mapping names the export's column for each role, or a
constant for all rows (``{value: x}``: an export of one network has no
channel column). The presets name the columns of a few export shapes; they
are shapes we assume, not any vendor's documented format (``xes`` is the
XES standard's attribute names, as process-mining tools write them to CSV) —
check your export's header against ``docs/calibration.md`` and override what
differs in a mapping file::

    preset: helpdesk          # start from a preset (default: generic)
    timezone: Europe/London   # for time stamps written without an offset
    time_format: "%d/%m/%Y %H:%M"   # strptime; default ISO 8601 and common export formats
    messages: {channel: "Source"}
    requests: {department: "Team"}
    events: {department: {value: Customer Care}}
    channel_names: {"Facebook Page": facebook, "Instagram Business": instagram}
    group_names: {"Service Desk": "pod:community", "Legal review": "external:Legal"}
    end_activities: [Closed]
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from orgsim.errors import OrgsimError

__all__ = ["DOERS", "EVENT_ROLES", "MESSAGE_ROLES", "PRESETS", "REQUEST_ROLES", "ColumnMap", "load_mapping"]

#: message-log roles; the first three are required. ``reply_to``: the id of the post a row answers
#: (a reply row is the brand's answer, threaded to its message); ``inbound``: true for a customer's post
MESSAGE_ROLES = ("id", "received", "channel", "audience", "responded", "responder", "handle_minutes", "reply_to",
                 "inbound")
#: request-log roles; the first four are required
REQUEST_ROLES = ("id", "created", "department", "type", "channels", "completed", "worker", "effort_hours",
                 "function", "audience")
#: event-log roles; the first three are required. ``lifecycle`` is XES's ``lifecycle:transition``
#: (start, suspend, resume, complete ...); ``start`` a second time stamp for logs with one row per
#: activity from its start to its end; the last five are the case's (the same on each of its rows)
EVENT_ROLES = ("case", "timestamp", "group", "activity", "resource", "lifecycle", "start", "department", "type",
               "channels", "function", "audience")
REQUIRED = {"messages": ("id", "received", "channel"), "requests": ("id", "created", "department", "type"),
            "events": ("case", "timestamp", "group")}
ROLES = {"messages": MESSAGE_ROLES, "requests": REQUEST_ROLES, "events": EVENT_ROLES}
#: roles that cannot be one constant for every row: ids and times
NOT_CONSTANT = frozenset({"id", "received", "responded", "created", "completed", "case", "timestamp", "start",
                          "reply_to"})
#: what an event-log group can be in the scenario (``group_names`` values are ``KIND:NAME``)
DOERS = ("pod", "person", "role", "department", "external")


@dataclass(frozen=True)
class ColumnMap:
    """Column names per role, the zone of naive time stamps, and channel renames."""

    messages: dict[str, str]
    requests: dict[str, str]
    timezone: str = "UTC"
    #: export's channel value (lower-cased) -> scenario channel name
    channel_names: dict[str, str] = field(default_factory=dict)
    preset: str = "generic"
    events: dict[str, str] = field(default_factory=dict)
    #: per kind ("messages", "requests", "events"): role -> one value for every row
    constants: dict[str, dict[str, str]] = field(default_factory=dict)
    #: a ``strptime`` format (or ``epoch`` / ``epoch_ms``) for every time stamp; None: ISO 8601 and common formats
    time_format: str | None = None
    #: event-log group (case-folded) -> ``KIND:NAME`` with KIND one of :data:`DOERS`
    group_names: dict[str, str] = field(default_factory=dict)
    #: activities (case-folded) that close a case; empty: every case is closed at its last event
    end_activities: tuple[str, ...] = ()

    def roles(self, kind: str) -> dict[str, str]:
        """Column names per role of one log kind."""
        return {"messages": self.messages, "requests": self.requests, "events": self.events}[kind]


_GENERIC_EVENTS = {"case": "case_id", "timestamp": "timestamp", "group": "group", "activity": "activity",
                   "resource": "resource", "lifecycle": "lifecycle", "department": "department", "type": "case_type"}
_GENERIC_MESSAGES = {"id": "message_id", "received": "received_at", "channel": "channel", "audience": "audience",
                     "responded": "first_response_at", "responder": "responder", "handle_minutes": "handle_minutes"}
_GENERIC_REQUESTS = {"id": "request_id", "created": "created_at", "department": "department", "type": "request_type",
                     "channels": "channels", "completed": "completed_at", "worker": "assignee",
                     "effort_hours": "effort_hours", "function": "function", "audience": "audience"}

PRESETS: dict[str, ColumnMap] = {
    # Our own names: what `orgsim demo-data` writes (`--event-log`: closed cases end with "answered").
    "generic": ColumnMap(messages=_GENERIC_MESSAGES, requests=_GENERIC_REQUESTS, events=_GENERIC_EVENTS,
                         preset="generic", end_activities=("answered",)),
    # Shaped like a social inbox's message export: title-case headers, the
    # platform called "Network", reply time as a time stamp.
    "social_inbox": ColumnMap(
        messages={"id": "Message ID", "received": "Received Time", "channel": "Network", "audience": "Audience",
                  "responded": "First Reply Time", "responder": "Replied By", "handle_minutes": "Handle Time (min)"},
        requests={"id": "Task ID", "created": "Created Time", "department": "Requested By", "type": "Task Type",
                  "channels": "Networks", "completed": "Completed Time", "worker": "Assigned To",
                  "effort_hours": "Time Spent (h)", "function": "Function", "audience": "Audience"},
        events={"case": "Task ID", "timestamp": "Time", "group": "Team", "activity": "Action",
                "resource": "User", "department": "Requested By", "type": "Task Type"},
        preset="social_inbox",
    ),
    # Shaped like a helpdesk's ticket export: the department is the ticket's
    # group, the channel is where the ticket came from ("Via"); its audit log
    # has a row per update, with the group holding the ticket then.
    "helpdesk": ColumnMap(
        messages={"id": "Ticket ID", "received": "Created at", "channel": "Via", "audience": "Organization",
                  "responded": "First reply at", "responder": "Assignee", "handle_minutes": "Handle time (min)"},
        requests={"id": "Ticket ID", "created": "Created at", "department": "Group", "type": "Type",
                  "channels": "Via", "completed": "Solved at", "worker": "Assignee",
                  "effort_hours": "Time spent (h)", "function": "Function", "audience": "Organization"},
        events={"case": "Ticket ID", "timestamp": "Updated at", "group": "Group", "activity": "Status",
                "resource": "Assignee", "department": "Organization", "type": "Type"},
        preset="helpdesk", end_activities=("solved", "closed"),
    ),
    # The XES standard's attribute names (concept, time, organizational and
    # lifecycle extensions) as process-mining tools write an event log to CSV;
    # a case's own attributes carry the ``case:`` prefix. Message and request
    # logs as in ``generic``.
    "xes": ColumnMap(
        messages=_GENERIC_MESSAGES, requests=_GENERIC_REQUESTS,
        events={"case": "case:concept:name", "timestamp": "time:timestamp", "group": "org:group",
                "activity": "concept:name", "resource": "org:resource", "lifecycle": "lifecycle:transition",
                "start": "start_timestamp", "department": "case:department", "type": "case:type",
                "channels": "case:channels", "function": "case:function", "audience": "case:audience"},
        preset="xes",
    ),
}

#: the keys a mapping file may have
MAPPING_KEYS = ("preset", "timezone", "time_format", "messages", "requests", "events", "channel_names", "group_names",
                "end_activities")


class _Where:
    """Positions of a mapping file's keys, for errors that say ``file:line:column: key``."""

    def __init__(self, file: str, data: Any) -> None:
        self.file, self.data = file, data

    def __call__(self, key: str, message: str) -> OrgsimError:
        node, pos = self.data, ""
        for part in key.split(".") if key else []:
            lc = getattr(node, "lc", None)
            if lc is None or not isinstance(node, dict) or part not in node:
                break
            line, col = lc.key(part)
            pos = f":{line + 1}:{col + 1}"
            node = node[part]
        head = f"{self.file}{pos}"
        return OrgsimError(f"{head}: {key}: {message}" if key else f"{head}: {message}")


def _read(path: Path, where: _Where) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise where("", f"cannot be read ({exc})") from None
    if len(text) > 1_000_000:  # a mapping names a few dozen columns; a megabyte is not one
        raise where("", f"{len(text):,} characters; a mapping file is a few lines (at most 1,000,000)")
    try:
        data = YAML(typ="rt", pure=True).load(text)
    except YAMLError as exc:
        raise where("", f"not valid YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise where("", f"expected a mapping with {', '.join(MAPPING_KEYS)}")
    where.data = data
    for key in data:
        if key not in MAPPING_KEYS:
            raise where(str(key), f"unknown key; expected {', '.join(MAPPING_KEYS)}")
    return data


def _roles(data: dict[str, Any], kind: str, cmap: ColumnMap, where: _Where) -> tuple[dict[str, str], dict[str, str]]:
    """Column names and constants of one kind: the preset's, overridden by the file."""
    roles = ROLES[kind]
    target, constants = dict(cmap.roles(kind)), dict(cmap.constants.get(kind, {}))
    over = data.get(kind) or {}
    if not isinstance(over, dict):
        raise where(kind, f"expected a mapping of role -> column name ({', '.join(roles)})")
    for role, column in over.items():
        key = f"{kind}.{role}"
        if role not in roles:
            raise where(key, f"unknown role; expected one of {', '.join(roles)}")
        target.pop(role, None)
        constants.pop(role, None)
        if column is None:
            if role in REQUIRED[kind]:
                raise where(key, "is required and cannot be switched off")
        elif isinstance(column, dict):
            if set(column) != {"value"} or column["value"] is None or isinstance(column["value"], (dict, list)):
                raise where(key, "expected a column name, or {value: X} for one value on every row")
            if role in NOT_CONSTANT:
                raise where(key, "an id or a time cannot be one value for every row; name its column")
            constants[role] = str(column["value"]).strip()
        elif isinstance(column, (list, bool)):
            raise where(key, f"expected a column name, got {column!r}")
        else:
            target[role] = str(column)
    return target, constants


def _names(data: dict[str, Any], key: str, where: _Where) -> dict[str, str]:
    names = data.get(key) or {}
    if not isinstance(names, dict) or any(v is None or isinstance(v, (dict, list)) for v in names.values()):
        what = "scenario channel" if key == "channel_names" else "KIND:NAME (KIND one of " + ", ".join(DOERS) + ")"
        raise where(key, f"expected a mapping of export value -> {what}")
    out = {str(k).strip().casefold(): str(v).strip() for k, v in names.items()}
    if key == "group_names":
        for k, v in out.items():
            kind, _, name = v.partition(":")
            if kind not in DOERS or not name.strip():
                raise where(f"{key}", f"{k!r}: expected KIND:NAME with KIND one of {', '.join(DOERS)}, got {v!r}")
    return out


def load_mapping(path: str | Path | None = None, preset: str | None = None, timezone: str | None = None) -> ColumnMap:
    """A preset, overridden by a mapping file and then by ``timezone``.

    >>> load_mapping(preset="helpdesk").requests["department"]
    'Group'
    """
    data: dict[str, Any] = {}
    where = _Where(str(path), None)
    if path is not None:
        data = _read(Path(path), where)
    name = preset or data.get("preset") or "generic"
    if name not in PRESETS:
        if path is None or preset:
            raise OrgsimError(f"--preset: expected one of {', '.join(PRESETS)}, got {name!r}")
        raise where("preset", f"expected one of {', '.join(PRESETS)}, got {name!r}")
    cmap = PRESETS[name]
    messages, m_const = _roles(data, "messages", cmap, where)
    requests, r_const = _roles(data, "requests", cmap, where)
    events, e_const = _roles(data, "events", cmap, where)
    zone = str(timezone or data.get("timezone") or cmap.timezone)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        message = f"expected an IANA zone like 'Europe/London', got {zone!r}"
        raise (OrgsimError(f"--timezone: {message}") if timezone or path is None else where("timezone", message)) from None
    fmt = data.get("time_format")
    if fmt is not None and (not isinstance(fmt, str) or not fmt.strip()):
        raise where("time_format", "expected a strptime format like '%d/%m/%Y %H:%M', or epoch / epoch_ms")
    ends = data.get("end_activities", list(cmap.end_activities))
    if not isinstance(ends, list) or any(isinstance(e, (dict, list)) or e is None for e in ends):
        raise where("end_activities", "expected a list of activity names that close a case (or [] for none)")
    return replace(cmap, messages=messages, requests=requests, events=events, timezone=zone,
                   constants={k: v for k, v in (("messages", m_const), ("requests", r_const), ("events", e_const)) if v},
                   channel_names={k.lower(): v for k, v in _names(data, "channel_names", where).items()},
                   group_names=_names(data, "group_names", where), time_format=fmt.strip() if fmt else None,
                   end_activities=tuple(str(e).strip().casefold() for e in ends), preset=name)
