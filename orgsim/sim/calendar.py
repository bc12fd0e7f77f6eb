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

from orgsim.scenario.model import WEEKDAYS, parse_hours

__all__ = ["Calendar", "calendar_for"]

INF = float("inf")


def _merge(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
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
        duty = _merge(duty)
        absent = _merge(absent)
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
    timezone_offset: float,
    start_date: dt.date,
    horizon_hours: float,
    absences: Iterable[tuple[float, float]] = (),
) -> Calendar:
    """Duty intervals in simulation hours for a weekly pattern in local time.

    >>> c = calendar_for("09:00-17:00", ["mon"], 0.0, dt.date(2026, 1, 5), 48)
    >>> c.bounds
    (9.0, 17.0)
    """
    start, end = parse_hours(hours)
    length = end - start if end > start else end + 24 - start
    first_weekday = start_date.weekday()
    wanted = {WEEKDAYS.index(d) for d in days}
    duty = []
    for day in range(-1, int(horizon_hours // 24) + 2):
        if (first_weekday + day) % 7 in wanted:
            s = day * 24 + start - timezone_offset
            duty.append((max(s, 0.0), min(s + length, horizon_hours)))
    return Calendar.from_intervals(duty, [(a, b) for a, b in absences])
