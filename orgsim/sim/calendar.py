"""Working time: when someone is on duty, on the simulation's clock (hours).

A :class:`Calendar` is built once per person from their hours, days, time
zone and absences; the engine then asks it only cheap questions (is this
person on duty now, when does that change, how many duty hours lie between
two times), each a binary search over sorted boundaries.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from orgsim.scenario.model import WEEKDAYS, parse_hours, utc_offset_hours

__all__ = ["Calendar", "calendar_for", "holiday_dates", "merge_spans", "parse_region"]

INF = float("inf")

#: one zone's offset on one date, asked once per person and day: cached across people
_offset = lru_cache(maxsize=1 << 16)(utc_offset_hours)


def merge_spans(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping or touching spans joined, in order; empty ones dropped (the estimate merges calendars so too)."""
    out: list[tuple[float, float]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        elif e > s:
            out.append((s, e))
    return out


def _subtract(intervals: list[tuple[float, float]], holes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out = []
    for s, e in intervals:
        pieces = [(s, e)]
        for hs, he in holes:
            pieces = [q for ps, pe in pieces for q in ((ps, min(pe, hs)), (max(ps, he), pe)) if q[1] > q[0]]
        out += pieces
    return out


@dataclass(frozen=True)
class Calendar:
    """On-duty intervals as a flat sorted list ``[start0, end0, start1, end1, ...]``."""

    bounds: tuple[float, ...]
    absences: tuple[float, ...]
    cumulative: tuple[float, ...]  # duty hours before interval k; the last is the total

    @classmethod
    def from_intervals(cls, duty: list[tuple[float, float]], absent: list[tuple[float, float]] = ()) -> Calendar:  # type: ignore[assignment]
        duty = merge_spans(duty)
        absent = merge_spans(absent)
        duty = _subtract(duty, absent)
        cum, total = [], 0.0
        for s, e in duty:
            cum.append(total)
            total += e - s
        cum.append(total)
        return cls(tuple(x for iv in duty for x in iv), tuple(x for iv in absent for x in iv), tuple(cum))

    def on_duty(self, t: float) -> bool:
        return bisect.bisect_right(self.bounds, t) % 2 == 1

    def absent(self, t: float) -> bool:
        return bisect.bisect_right(self.absences, t) % 2 == 1

    def next_on_duty(self, t: float) -> float:
        """``t`` if on duty then, else the start of the next duty interval (``inf`` if none)."""
        i = bisect.bisect_right(self.bounds, t)
        if i % 2 == 1:
            return t
        return self.bounds[i] if i < len(self.bounds) else INF

    def duty_before(self, t: float) -> float:
        """Duty hours in ``[0, t)``."""
        i = bisect.bisect_right(self.bounds, t)
        k = i // 2
        if i % 2 == 1:
            return self.cumulative[k] + t - self.bounds[i - 1]
        return self.cumulative[k]

    def duty_between(self, a: float, b: float) -> float:
        return self.duty_before(b) - self.duty_before(a)


def calendar_for(
    hours: str,
    days: Sequence[str],
    timezone: str | float,
    start_date: dt.date,
    horizon_hours: float,
    absences: Iterable[tuple[float, float]] = (),
    holidays: str | None = None,
) -> Calendar:
    """Duty intervals in simulation hours for a weekly pattern in local time.

    ``timezone`` is an IANA zone or ``UTC+05:30`` (its offset is taken day
    by day, so a 09:00-17:00 London shift stays 09:00-17:00 local on both
    sides of a daylight-saving change), or a fixed offset in hours.
    ``holidays`` names a country or region (``GB-ENG``) whose public holidays
    empty the person's day (see :func:`holiday_dates`).

    >>> c = calendar_for("09:00-17:00", ["mon"], 0.0, dt.date(2026, 1, 5), 48)
    >>> c.bounds
    (9.0, 17.0)
    """
    start, end = parse_hours(hours)
    length = end - start if end > start else end + 24 - start
    first_weekday = start_date.weekday()
    wanted = {WEEKDAYS.index(d) for d in days}
    last_day = int(horizon_hours // 24) + 2
    off = set(holiday_dates(holidays, start_date - dt.timedelta(days=1), start_date + dt.timedelta(days=last_day)))
    duty, away = [], list(absences)
    for day in range(-1, last_day):
        date = start_date + dt.timedelta(days=day)
        offset = timezone if isinstance(timezone, float | int) else _offset(timezone, date)
        if date in off:
            away.append((day * 24 - offset, (day + 1) * 24 - offset))
            continue
        if (first_weekday + day) % 7 in wanted:
            s = day * 24 + start - offset
            duty.append((max(s, 0.0), min(s + length, horizon_hours)))
    return Calendar.from_intervals(duty, [(max(a, 0.0), b) for a, b in away if b > 0])


def parse_region(region: str) -> tuple[str, str | None]:
    """``"GB-ENG"`` -> ``("GB", "ENG")``; ``"PH"`` -> ``("PH", None)``."""
    country, _, subdiv = region.partition("-")
    return country, subdiv or None


def holiday_dates(region: str | None, first: dt.date, last: dt.date) -> list[dt.date]:
    """Public holidays of ``region`` from ``first`` to ``last`` (inclusive), from the ``holidays`` library.

    >>> holiday_dates("GB-ENG", dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    [datetime.date(2026, 4, 3), datetime.date(2026, 4, 6)]
    """
    if region is None:
        return []
    import holidays  # only runs that name holidays pay for the import

    country, subdiv = parse_region(region)
    table = holidays.country_holidays(country, subdiv=subdiv, years=range(first.year, last.year + 1))
    return sorted(d for d in table if first <= d <= last)
