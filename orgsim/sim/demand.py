"""Everything that arrives, drawn up front from the scenario's demand.

Arrivals are a non-homogeneous Poisson process whose rate is constant within
each hour: average rate x the hour's daily-profile weight x the day's
weekly-profile weight x any burst multiplier. Each source (a channel's
messages, a department's request type) draws from its own random stream,
named after the source, so that changing the team or the structure — or
adding another source — leaves every other arrival and effort unchanged
(common random numbers).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from orgsim.scenario.kinds import ADHOC, RequestKind, request_kinds
from orgsim.scenario.model import (
    PRIORITY_RANK,
    Burst,
    Scenario,
    _Distribution,
    utc_offset_hours,
)
from orgsim.sim.portable import on_grid
from orgsim.sim.service import review_hours

__all__ = ["ADHOC", "BLOCK_HOURS", "Arrivals", "RequestKind", "arrival_blocks", "arrivals", "draw", "request_kinds", "stream"]



def stream(seed: np.random.SeedSequence, name: str) -> np.random.Generator:
    """An independent generator for one named source of randomness.

    >>> a = stream(np.random.SeedSequence(1), "messages/instagram").random()
    >>> b = stream(np.random.SeedSequence(1), "messages/instagram").random()
    >>> a == b
    True
    """
    key = (*seed.spawn_key, zlib.crc32(name.encode()))
    return np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=key))


def draw(dist: _Distribution, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` draws of a duration distribution (hours or minutes, as given)."""
    mean, cv = dist.mean or 0.0, dist.cv or 0.0
    low, mode, high = dist.low or 0.0, dist.mode or 0.0, dist.high or 0.0
    if dist.dist == "fixed":
        return np.full(n, mean, dtype=float)
    # these three samplers call libm (exp, pow, the exponential's tail log1p): on the grid, the same on every
    # CPU (orgsim.sim.portable); their parameters through math, never numpy's SIMD ufuncs
    if dist.dist == "exponential":
        return on_grid(rng.exponential(mean, n))
    if dist.dist == "lognormal":
        sigma2 = math.log1p(cv**2)
        return on_grid(rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2), n))
    if dist.dist == "gamma":
        shape = 1 / cv**2
        return on_grid(rng.gamma(shape, mean / shape, n))
    if dist.dist == "uniform":
        return rng.uniform(low, high, n)
    return rng.triangular(low, mode, high, n)


def local_offsets(zone: str, start: dt.date, hours: int) -> np.ndarray:
    """The zone's UTC offset for each simulated hour, day by day (daylight saving followed).

    >>> local_offsets("Europe/London", dt.date(2026, 3, 28), 72)[::24].tolist()
    [0.0, 1.0, 1.0]
    """
    days = hours // 24 + 1
    per_day = np.array([utc_offset_hours(zone, start + dt.timedelta(days=d)) for d in range(days)])
    return np.repeat(per_day, 24)[:hours]


def hourly_rates(
    per_day: float,
    daily: tuple[float, ...],
    weekly: tuple[float, ...],
    offset: float | np.ndarray,
    scenario: Scenario,
    bursts: list[Burst],
) -> np.ndarray:
    """Expected arrivals in each simulated hour (profiles read in local time; ``offset`` per hour or fixed)."""
    hours = int(np.ceil(scenario.run.horizon_days * 24))
    t = np.arange(hours) + 0.5 + offset
    d = np.asarray(daily) / np.mean(daily)
    w = np.asarray(weekly) / np.mean(weekly)
    weekday = (np.floor(t / 24).astype(int) + scenario.run.start_date.weekday()) % 7
    rate = per_day / 24 * d[np.floor(t % 24).astype(int)] * w[weekday]
    mid = np.arange(hours) + 0.5
    for b in bursts:
        rate[(mid >= b.start_day * 24) & (mid < (b.start_day + b.days) * 24)] *= b.multiplier
    return rate


def poisson_times(rates: np.ndarray, horizon: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times of a Poisson process with a piecewise-constant rate per hour."""
    counts = rng.poisson(rates)
    times = np.repeat(np.arange(len(rates), dtype=float), counts) + rng.random(int(counts.sum()))
    times.sort()
    return times[times < horizon]




@dataclass(frozen=True)
class Arrivals:
    """All arrivals of one run, as parallel arrays (one row per request / message)."""

    req_time: np.ndarray  # hours
    req_kind: np.ndarray  # index into request_kinds()
    req_effort: np.ndarray  # hours of hands-on work, before any handling factor
    req_rework: np.ndarray  # uniform draw; rework happens if below the type's probability
    req_review: np.ndarray  # (n, len(approval_chain)) review hours per approval step
    msg_time: np.ndarray
    msg_channel: np.ndarray  # index into scenario.channels
    msg_audience: np.ndarray  # index into scenario.audiences, -1 when the channel has no mix
    msg_effort: np.ndarray  # hours
    msg_priority: np.ndarray

    def emptied(self) -> Arrivals:
        """The same columns with no rows (and no reference to these arrays)."""
        return Arrivals(**{f.name: getattr(self, f.name)[:0].copy() for f in dataclasses.fields(self)})


#: arrivals are drawn a simulated year at a time; the first year's streams are
#: named after their source alone, later years add ``#year<k>`` (a run of up
#: to a year draws exactly what it always did)
BLOCK_HOURS = 365 * 24


def arrivals(scenario: Scenario, seed: np.random.SeedSequence) -> Arrivals:
    """Draw every request and message of one run from its seed."""
    blocks = list(arrival_blocks(scenario, seed))
    if len(blocks) == 1:
        return blocks[0]
    return Arrivals(**{f.name: np.concatenate([getattr(b, f.name) for b in blocks])
                       for f in dataclasses.fields(Arrivals)})


def arrival_blocks(scenario: Scenario, seed: np.random.SeedSequence) -> Iterator[Arrivals]:
    """The run's arrivals a year at a time, each year drawn only when asked for (summary mode)."""
    horizon = scenario.run.horizon_days * 24
    for k, start in enumerate(range(0, int(np.ceil(horizon)), BLOCK_HOURS)):
        yield _block(scenario, seed, k, float(start), min(float(start + BLOCK_HOURS), horizon))


def _block(scenario: Scenario, seed: np.random.SeedSequence, k: int, start: float, end: float) -> Arrivals:
    """Every request and message arriving in ``[start, end)`` (block ``k``)."""
    run, demand = scenario.run, scenario.demand
    suffix = f"#year{k}" if k else ""
    first, last = int(start), int(np.ceil(end))  # the hours of the rate arrays this block covers
    offset_of = {}
    for zone in {demand.timezone, *(d.timezone for d in demand.departments.values() if d.timezone)}:
        offset_of[zone] = local_offsets(zone, run.start_date, int(np.ceil(run.horizon_days * 24)))
    chain = scenario.policies.approval_chain

    parts: list[tuple[np.ndarray, ...]] = []
    for k_, kind in enumerate(request_kinds(scenario)):
        dept = demand.departments[kind.department]
        spec = kind.spec
        rng = stream(seed, f"requests/{kind.key}{suffix}")
        bursts = [b for b in demand.bursts.values() if kind.department in b.departments]
        if spec.at_hours is not None:
            t = np.sort(np.asarray(spec.at_hours, dtype=float))
            t = t[(t >= start) & (t < end)]
        else:
            rates = hourly_rates(spec.daily, spec.daily_profile or dept.daily_profile,
                                 spec.weekly_profile or dept.weekly_profile,
                                 offset_of[dept.timezone or demand.timezone], scenario, bursts)
            t = poisson_times(rates[first:last], end - start, rng) + start
        n = len(t)
        review = (np.column_stack([draw(review_hours(scenario.policies, i), rng, n) for i in range(len(chain))])
                  if chain else np.zeros((n, 0)))
        parts.append((t, np.full(n, k_), draw(spec.effort_hours, rng, n), rng.random(n), review))
    if parts:
        req = [np.concatenate(cols) for cols in zip(*parts, strict=True)]
    else:
        req = [np.zeros(0), np.zeros(0, int), np.zeros(0), np.zeros(0), np.zeros((0, len(chain)))]
    order = np.argsort(req[0], kind="stable")

    msgs: list[tuple[np.ndarray, ...]] = []
    for c, channel in enumerate(scenario.channels):
        ms = demand.messages.get(channel)
        if ms is None:
            continue
        rng = stream(seed, f"messages/{channel}{suffix}")
        bursts = [b for b in demand.bursts.values() if channel in b.channels]
        rates = hourly_rates(ms.daily, ms.daily_profile, ms.weekly_profile, offset_of[demand.timezone], scenario, bursts)
        t = poisson_times(rates[first:last], end - start, rng) + start
        n = len(t)
        if ms.audience_mix:
            names = list(ms.audience_mix)
            p = np.array([ms.audience_mix[a] for a in names])
            idx = np.array([scenario.audiences.index(a) for a in names])
            aud = idx[rng.choice(len(names), n, p=p / p.sum())]
        else:
            aud = np.full(n, -1)
        effort = draw(ms.handle_minutes, rng, n) / 60
        msgs.append((t, np.full(n, c), aud, effort, np.full(n, PRIORITY_RANK[ms.priority])))
    if msgs:
        mcols = [np.concatenate(cols) for cols in zip(*msgs, strict=True)]
    else:
        mcols = [np.zeros(0), np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.zeros(0, int)]
    morder = np.argsort(mcols[0], kind="stable")
    return Arrivals(
        req_time=req[0][order], req_kind=req[1][order].astype(int), req_effort=req[2][order],
        req_rework=req[3][order], req_review=req[4][order],
        msg_time=mcols[0][morder], msg_channel=mcols[1][morder].astype(int), msg_audience=mcols[2][morder].astype(int),
        msg_effort=mcols[3][morder], msg_priority=mcols[4][morder].astype(int),
    )
