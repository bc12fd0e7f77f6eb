"""Time of day, time zones and the daily and weekly shapes of traffic."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator

__all__ = [
    "DAILY_PROFILES",
    "WEEKLY_PROFILES",
    "DailyProfile",
    "Hours",
    "TimeZone",
    "WeeklyProfile",
    "parse_hours",
    "utc_offset_hours",
]

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_OFFSET = re.compile(r"^UTC(?:([+-])(\d{1,2})(?::(\d{2}))?)?$")


def parse_hours(text: str) -> tuple[float, float]:
    """``"09:00-17:30"`` -> ``(9.0, 17.5)``; an end before the start wraps past midnight."""
    m = _HOURS.match(text)
    if not m:
        raise ValueError(f'expected a range like "09:00-17:00", got {text!r}')
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
        raise ValueError(f'expected a range like "09:00-17:00", got {text!r}')
    start, end = h1 + m1 / 60, h2 + m2 / 60
    if start == end:
        raise ValueError(f"a working day needs some hours, got {text!r}")
    return start, end


def utc_offset_hours(zone: str, on: dt.date) -> float:
    """Hours east of UTC for an IANA zone or ``UTC+05:30`` on a given date (at local noon).

    Calendars and arrival profiles ask it day by day, so they follow
    daylight saving through a run.
    """
    m = _OFFSET.match(zone)
    if m:
        sign, hh, mm = m.groups()
        if not hh:
            return 0.0
        value = int(hh) + int(mm or 0) / 60
        return -value if sign == "-" else value
    moment = dt.datetime.combine(on, dt.time(12), tzinfo=ZoneInfo(zone))
    offset = moment.utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


def _check_zone(zone: str) -> str:
    if _OFFSET.match(zone):
        return zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise ValueError(
            f'expected a time zone like "Europe/London" or "UTC+02:00", got {zone!r}'
        ) from None
    return zone


TimeZone = Annotated[str, BeforeValidator(lambda v: _check_zone(v) if isinstance(v, str) else v)]
Hours = Annotated[str, BeforeValidator(lambda v: (parse_hours(v), v)[1] if isinstance(v, str) else v)]

#: Named shapes of the day (24 hourly weights) and the week (7 daily weights).
DAILY_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 24,
    # Office traffic: requests come in working hours, a few before and after.
    "office_hours": (0, 0, 0, 0, 0, 0, 0, 0.2, 0.8, 1.6, 1.8, 1.7, 1.2, 1.6, 1.8, 1.7, 1.4, 0.8, 0.3, 0.1, 0.1, 0, 0, 0),
    # Consumers on social: low at night, rising through the day, evening peak.
    "consumer": (0.5, 0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.7, 0.9, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.1, 1.2, 1.3, 1.5, 1.7, 1.8, 1.6, 1.2, 0.8),
}
WEEKLY_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 7,
    "weekdays": (1, 1, 1, 1, 1, 0, 0),
    "consumer": (0.95, 0.95, 1.0, 1.0, 1.05, 1.05, 1.0),
}


def _profile(length: int, presets: dict[str, tuple[float, ...]]) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str):
            if value not in presets:
                raise ValueError(f"expected one of {', '.join(presets)} or a list of {length} weights, got {value!r}")
            return presets[value]
        if isinstance(value, (list, tuple)):
            if len(value) != length or not all(isinstance(x, (int, float)) and x >= 0 for x in value):
                raise ValueError(f"expected {length} non-negative weights, got {len(value)} values")
            if sum(value) <= 0:
                raise ValueError("the weights must not all be zero")
            return tuple(float(x) for x in value)
        return value

    return BeforeValidator(check)


DailyProfile = Annotated[tuple[float, ...], _profile(24, DAILY_PROFILES)]
WeeklyProfile = Annotated[tuple[float, ...], _profile(7, WEEKLY_PROFILES)]
