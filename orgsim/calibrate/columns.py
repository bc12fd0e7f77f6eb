"""Which column of an export holds what: presets and a small mapping file.

A message log has one row per inbound message; a request log one row per
request a department sent. Each log kind has *roles* (``received``,
``channel`` ...) and a mapping names the export's column for each role. The
presets name the columns of three export shapes; they are shapes we assume,
not any vendor's documented format — check your export's header against
``docs/calibration.md`` and override what differs in a mapping file::

    preset: helpdesk          # start from a preset (default: generic)
    timezone: Europe/London   # for time stamps written without an offset
    messages: {channel: "Source"}
    requests: {department: "Team"}
    channel_names: {"Facebook Page": facebook, "Instagram Business": instagram}
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from orgsim.tables import mapping_error, override_roles, read_mapping

__all__ = ["MESSAGE_ROLES", "PRESETS", "REQUEST_ROLES", "ColumnMap", "load_mapping"]

#: message-log roles; the first three are required
MESSAGE_ROLES = ("id", "received", "channel", "audience", "responded", "responder", "handle_minutes")
#: request-log roles; the first four are required
REQUEST_ROLES = ("id", "created", "department", "type", "channels", "completed", "worker", "effort_hours",
                 "function", "audience")
REQUIRED = {"messages": ("id", "received", "channel"), "requests": ("id", "created", "department", "type")}


@dataclass(frozen=True)
class ColumnMap:
    """Column names per role, the zone of naive time stamps, and channel renames."""

    messages: dict[str, str]
    requests: dict[str, str]
    timezone: str = "UTC"
    #: export's channel value (lower-cased) -> scenario channel name
    channel_names: dict[str, str] = field(default_factory=dict)
    preset: str = "generic"


PRESETS: dict[str, ColumnMap] = {
    # Our own names: what `orgsim demo-data` writes.
    "generic": ColumnMap(
        messages={"id": "message_id", "received": "received_at", "channel": "channel", "audience": "audience",
                  "responded": "first_response_at", "responder": "responder", "handle_minutes": "handle_minutes"},
        requests={"id": "request_id", "created": "created_at", "department": "department", "type": "request_type",
                  "channels": "channels", "completed": "completed_at", "worker": "assignee",
                  "effort_hours": "effort_hours", "function": "function", "audience": "audience"},
        preset="generic",
    ),
    # Shaped like a social inbox's message export: title-case headers, the
    # platform called "Network", reply time as a time stamp.
    "social_inbox": ColumnMap(
        messages={"id": "Message ID", "received": "Received Time", "channel": "Network", "audience": "Audience",
                  "responded": "First Reply Time", "responder": "Replied By", "handle_minutes": "Handle Time (min)"},
        requests={"id": "Task ID", "created": "Created Time", "department": "Requested By", "type": "Task Type",
                  "channels": "Networks", "completed": "Completed Time", "worker": "Assigned To",
                  "effort_hours": "Time Spent (h)", "function": "Function", "audience": "Audience"},
        preset="social_inbox",
    ),
    # Shaped like a helpdesk's ticket export: the department is the ticket's
    # group, the channel is where the ticket came from ("Via").
    "helpdesk": ColumnMap(
        messages={"id": "Ticket ID", "received": "Created at", "channel": "Via", "audience": "Organization",
                  "responded": "First reply at", "responder": "Assignee", "handle_minutes": "Handle time (min)"},
        requests={"id": "Ticket ID", "created": "Created at", "department": "Group", "type": "Type",
                  "channels": "Via", "completed": "Solved at", "worker": "Assignee",
                  "effort_hours": "Time spent (h)", "function": "Function", "audience": "Organization"},
        preset="helpdesk",
    ),
}


_fail = mapping_error


def load_mapping(path: str | Path | None = None, preset: str | None = None, timezone: str | None = None) -> ColumnMap:
    """A preset, overridden by a mapping file and then by ``timezone``.

    >>> load_mapping(preset="helpdesk").requests["department"]
    'Group'
    """
    data: dict[str, Any] = {}
    shown = str(path)
    if path is not None:
        data = read_mapping(path, ("preset", "timezone", "messages", "requests", "channel_names"))
    name = preset or data.get("preset") or "generic"
    if name not in PRESETS:
        raise _fail(shown if path else "--preset", "preset" if path else "", f"expected one of {', '.join(PRESETS)}, got {name!r}")
    cmap = PRESETS[name]
    messages, requests = dict(cmap.messages), dict(cmap.requests)
    for kind, roles, target in (("messages", MESSAGE_ROLES, messages), ("requests", REQUEST_ROLES, requests)):
        override_roles(data, shown, kind, roles, REQUIRED[kind], target)
    names = data.get("channel_names") or {}
    if not isinstance(names, dict):
        raise _fail(shown, "channel_names", "expected a mapping of export value -> scenario channel")
    zone = timezone or data.get("timezone") or cmap.timezone
    return replace(cmap, messages=messages, requests=requests, timezone=str(zone),
                   channel_names={str(k).strip().lower(): str(v) for k, v in names.items()}, preset=name)
