"""Summary mode: streaming aggregates instead of one row per request and message.

A year of a large organisation is millions of messages; the full tables of
:class:`~orgsim.sim.result.Result` hold every one of them. In summary mode
(``simulate(..., summary=True)``, ``orgsim run --summary``) the engine adds
each answer to a :class:`Tally` as it happens and keeps no per-item record,
so memory no longer grows with the horizon. Counts, sums and means are the
same numbers the full tables give; percentiles come from a log-binned
:class:`Histogram` whose bins are 1% wide, so they are within 1% of the
exact order statistics.

An answer costs one list append: the recorder holds up to :data:`BATCH`
answers and the tally folds them in together with numpy, which gives the same
counts, bins and (bit for bit) the same sums as adding them one at a time.
Message replies are held here the same way and folded in whenever a figure
is read (``replies``, ``within``), so no reader can see a tally short of them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from orgsim.scenario.clock import utc_offset_hours
from orgsim.sim.answers import FIELD, QUANTITIES, Quantity, as_array

if TYPE_CHECKING:
    from orgsim.sim.demand import Arrivals

__all__ = ["BATCH", "DAYTIME", "REPLY_TARGETS_HOURS", "Histogram", "KindTally", "LocalClock", "Tally"]

#: default reply targets (hours): about half of consumers expect a reply on social within 1 h and
#: about 79% within 24 h (Arise 2017, n ~1,500; HubSpot the same 79%; DOMAIN.md); 4 h sits between
REPLY_TARGETS_HOURS = (1.0, 4.0, 24.0)

#: local daytime (hours) of the demand's time zone; a message arriving outside it, or on a
#: Saturday or Sunday, arrived at "night or weekend" (off hours), when most teams are not on duty
DAYTIME = (8.0, 20.0)

#: histogram range (hours) and relative bin width; values outside land in the end bins
LOW, HIGH, RATIO = 1e-3, 1e5, 1.01
_LOG_RATIO = math.log(RATIO)
_BINS = int(math.ceil(math.log(HIGH / LOW) / _LOG_RATIO)) + 2  # + one bin below LOW, one above HIGH

#: answers a tally holds before folding them in with numpy: numpy's fixed cost per call (µs) is then spread
#: over thousands of answers, and what is held stays small whatever the horizon (4,096 messages as Python floats
#: ~0.3 MB, 4,096 request rows ~1.5 MB). Measured by replaying a base.yaml year's 297,676 answers through the
#: tally alone (2 shared cores, load ~2.3): 0.56-0.87 µs an answer at 4,096, 0.61-0.88 at 16,384, 0.81-1.02
#: at 1,024; 2.9-4.1 µs folded one answer at a time (the tally before batches)
BATCH = 4096

#: how close (in bins) to a bin edge a value is binned again with math.log: np.log may differ from math.log in
#: the last bit, about 1e-12 bins here, so 1e-9 puts every value in the bin Histogram.add gives it
_EDGE = 1e-9


def _bin(x: float) -> int:
    if x < LOW:
        return 0
    if x >= HIGH:
        return _BINS - 1
    return 1 + int(math.log(x / LOW) / _LOG_RATIO)


def _bins(x: np.ndarray) -> np.ndarray:
    """:func:`_bin` of every value of ``x``, vectorised."""
    out = np.zeros(len(x), dtype=np.int64)
    out[x >= HIGH] = _BINS - 1
    mid = np.flatnonzero((x >= LOW) & (x < HIGH))
    scaled = np.log(x[mid] / LOW) / _LOG_RATIO
    b = scaled.astype(np.int64)  # truncation, as int(): scaled >= 0
    frac = scaled - b
    for i in np.flatnonzero((frac < _EDGE) | (frac > 1 - _EDGE)):
        b[i] = _bin(float(x[mid[i]])) - 1
    out[mid] = 1 + b
    return out


def _running_sum(start: Any, x: np.ndarray) -> Any:
    """``start`` plus the rows of ``x`` added one at a time, in order: the same bits as a running ``+=``.

    ``np.add.accumulate`` adds strictly in order (``np.sum`` adds pairwise, which rounds differently).
    """
    return np.add.accumulate(np.concatenate([np.asarray(start, dtype=float)[None], x]), axis=0)[-1]


class Histogram:
    """Counts of non-negative values in geometric bins, with exact count, sum, min and max."""

    __slots__ = ("counts", "n", "total", "low", "high")

    def __init__(self) -> None:
        self.counts = np.zeros(_BINS, dtype=np.int64)
        self.n = 0
        self.total = 0.0
        self.low = math.inf
        self.high = -math.inf

    def add(self, x: float) -> None:
        self.counts[_bin(x)] += 1
        self.n += 1
        self.total += x
        if x < self.low:
            self.low = x
        if x > self.high:
            self.high = x

    def add_many(self, x: np.ndarray) -> None:
        """:meth:`add` of each value of ``x`` in turn, at once: the same counts, and the same total to the bit."""
        if not len(x):
            return
        self.counts += np.bincount(_bins(x), minlength=_BINS)
        self.n += len(x)
        self.total = float(_running_sum(self.total, x))
        self.low = min(self.low, float(x.min()))
        self.high = max(self.high, float(x.max()))

    @classmethod
    def combine(cls, parts: Iterable[Histogram]) -> Histogram:
        """One histogram of the values of all ``parts``."""
        out = cls()
        counts = np.zeros(_BINS, dtype=np.int64)
        for h in parts:
            counts += h.counts
            out.n += h.n
            out.total += h.total
            out.low, out.high = min(out.low, h.low), max(out.high, h.high)
        out.counts = counts
        return out

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else math.nan

    def _order_stat(self, k: int, cum: np.ndarray) -> float:
        """The k-th smallest value (0-based), to within its bin; the ends are exact."""
        if k <= 0:
            return self.low
        if k >= self.n - 1:
            return self.high
        b = int(np.searchsorted(cum, k + 1))  # the bin holding position k
        before = int(cum[b - 1]) if b else 0
        lo = LOW * RATIO ** (b - 1) if b else 0.0
        hi = LOW * RATIO**b if b < _BINS - 1 else self.high
        value = lo + (hi - lo) * (k - before + 0.5) / int(cum[b] - before)  # values spread evenly in the bin
        return float(min(max(value, self.low), self.high))

    def percentile(self, q: float) -> float:
        """The q-th percentile (0-100) by numpy's linear rule, each order statistic to within its bin."""
        if not self.n:
            return math.nan
        rank = q / 100 * (self.n - 1)
        k = int(math.floor(rank))
        cum = np.cumsum(self.counts)
        below = self._order_stat(k, cum)
        if rank == k:
            return below
        return below + (rank - k) * (self._order_stat(k + 1, cum) - below)

    def stats(self) -> dict[str, float]:
        """Same keys as :func:`orgsim.metrics.latency.latency_stats`."""
        return {"mean": self.mean, "p50": self.percentile(50), "p90": self.percentile(90), "p95": self.percentile(95)}


@dataclass(frozen=True)
class LocalClock:
    """The demand's local clock: which simulation hours fall at night (outside 08:00-20:00) or on a weekend.

    ``offset_hours`` is the demand time zone's UTC offset at the start; ``changes``
    lists the daylight-saving changes inside the run as ``(simulation hour, new
    offset)``, so nights stay local on both sides of a change (as the calendars do);
    ``first_weekday`` is the start date's weekday (Monday 0), the simulation clock
    starting at 00:00 UTC.

    >>> c = LocalClock(0.0, 0)  # UTC, starting on a Monday
    >>> [bool(c.off_hours(t)) for t in (7.5, 8.0, 19.9, 20.0, 5 * 24 + 12)]
    [True, False, False, True, True]
    >>> summer = LocalClock(0.0, 0, ((24.0, 1.0),))  # an hour ahead from day 1 on
    >>> [bool(summer.off_hours(t)) for t in (7.5, 24 + 7.5)]
    [True, False]
    """

    offset_hours: float = 0.0
    first_weekday: int = 0
    changes: tuple[tuple[float, float], ...] = ()

    @classmethod
    def for_zone(cls, zone: str, start: dt.date, days: float) -> LocalClock:
        """The clock of ``zone`` over ``days`` from ``start``, its offset read day by day (at local noon)."""
        offsets = [utc_offset_hours(zone, start + dt.timedelta(days=d)) for d in range(int(math.ceil(days)) + 1)]
        changes = tuple((24.0 * d, offsets[d]) for d in range(1, len(offsets)) if offsets[d] != offsets[d - 1])
        return cls(offsets[0], start.weekday(), changes)

    def _offset(self, t: Any) -> Any:
        if not self.changes:
            return self.offset_hours
        at = np.array([c[0] for c in self.changes])
        values = np.array([self.offset_hours, *(c[1] for c in self.changes)])
        return values[np.searchsorted(at, t, side="right")]

    def local_hour(self, t: Any) -> Any:
        """The local hour of day (0 to 23) at simulation hour ``t`` (a number or an array)."""
        t = np.asarray(t, dtype=float)
        return np.floor(np.mod(t + self._offset(t), 24.0)).astype(int)

    def off_hours(self, t: Any) -> Any:
        """True where simulation hour ``t`` (a number or an array) is at night or on a weekend, local time."""
        t = np.asarray(t, dtype=float)
        local = t + self._offset(t)
        hour = np.mod(local, 24.0)
        weekday = np.mod(self.first_weekday + np.floor(local / 24.0), 7)
        return (hour < DAYTIME[0]) | (hour >= DAYTIME[1]) | (weekday >= 5)

    def off_hours_at(self, t: float) -> bool:
        """:meth:`off_hours` of one time, without numpy (summary mode calls it once per answer)."""
        offset = self.offset_hours
        for at, value in self.changes:
            if t < at:
                break
            offset = value
        local = t + offset
        hour = local % 24.0
        return hour < DAYTIME[0] or hour >= DAYTIME[1] or (self.first_weekday + math.floor(local / 24.0)) % 7 >= 5


class KindTally:
    """Answered requests of one kind (department x request type) that arrived in the window."""

    __slots__ = ("latency", "sums")

    def __init__(self, quantities: tuple[Quantity, ...] = QUANTITIES) -> None:
        self.latency = Histogram()
        #: per quantity kept (:data:`~orgsim.sim.answers.QUANTITIES`), its sum over the answers
        self.sums: dict[str, float] = {q.name: 0 if q.count else 0.0 for q in quantities}

    @property
    def clocks(self) -> np.ndarray:
        """Sums of queue, work, handoff and approval hours."""
        return np.array([self.sums[f"{p}_hours"] for p in ("queue", "work", "handoff", "approval")])

    @property
    def person_hours(self) -> float:
        return self.sums["person_hours"]

    @property
    def handoffs(self) -> int:
        return int(self.sums["handoffs"])

    @property
    def cross_group_handoffs(self) -> int:
        return int(self.sums["cross_group_handoffs"])


class Tally:
    """Everything summary mode keeps of one run: per-kind request tallies and message replies.

    Only what arrived after the warm-up counts, as in the full tables. The
    recorder (:class:`~orgsim.sim.record.TallyRecorder`) hands over answered
    requests a batch at a time (:meth:`add_answers`) and each message's reply
    (:meth:`message`, held and folded :data:`BATCH` at a time), and each block
    of arrivals (:meth:`count_arrivals`); reading ``replies``, ``within`` or
    ``kinds`` folds in the replies held first.
    """

    def __init__(self, kinds: list[tuple[str, str]], warmup: float, horizon: float,
                 targets: tuple[float, ...] = REPLY_TARGETS_HOURS, clock: LocalClock = LocalClock(),
                 quantities: tuple[Quantity, ...] = QUANTITIES) -> None:
        #: (department, request type) of each request kind, in the engine's order
        self.names = kinds
        #: what is summed per kind (see :mod:`orgsim.sim.answers`)
        self.quantities = quantities
        self._kinds = [KindTally(quantities) for _ in kinds]
        self.warmup = warmup
        self.targets = tuple(targets)
        self.clock = clock
        # a message arriving later than this has no mark for the target inside the run
        self.due_by = [horizon - t for t in self.targets]
        self._replies = Histogram()
        #: per target: messages due; [0] all, [1] at night or on a weekend (``within``: answered within the target)
        self.due = np.zeros((2, len(self.targets)), dtype=np.int64)
        self._within = np.zeros((2, len(self.targets)), dtype=np.int64)
        # arrivals in the window, counted from the drawn arrivals block by block
        self.arrived = np.zeros(len(kinds), dtype=np.int64)
        self.messages_arrived = 0
        #: messages arrived in the window whose writer gave up before anyone started on them
        self.messages_abandoned = 0
        self.horizon = horizon
        #: sums of the arrival times of requests arrived in the window, and of those answered: with the counts
        #: they give the total age of the requests still open at the horizon (the censored lower bound)
        self.arrived_time_sum = 0.0
        self.answered_arrival_sum = 0.0
        #: replies not yet folded in, as arrived, answered, arrived, ...
        self.batch = BATCH  # read when built, so that a test can set the module's BATCH
        self._msg: list[float] = []

    @property
    def replies(self) -> Histogram:
        """Reply hours of the messages answered."""
        self.flush()
        return self._replies

    @property
    def within(self) -> np.ndarray:
        """Per target: messages answered within it; [0] all, [1] arrived at night or on a weekend."""
        self.flush()
        return self._within

    @property
    def kinds(self) -> list[KindTally]:
        """The requests answered, per kind."""
        return self._kinds

    def count_arrivals(self, block: Arrivals) -> None:
        """Count what arrived in the window (answered or not), a block of arrivals at a time."""
        inside = block.req_time >= self.warmup
        self.arrived += np.bincount(block.req_kind[inside], minlength=len(self.names))
        self.arrived_time_sum += float(np.sum(block.req_time[inside]))
        msg = block.msg_time
        inside = msg >= self.warmup
        off = inside & self.clock.off_hours(msg)
        self.messages_arrived += int(np.sum(inside))
        for j, due_by in enumerate(self.due_by):
            self.due[0, j] += int(np.sum(inside & (msg <= due_by)))
            self.due[1, j] += int(np.sum(off & (msg <= due_by)))

    def add_answers(self, records: list[tuple[float, ...]]) -> None:
        """Add answered requests (:class:`~orgsim.sim.answers.Answer` records, in the order answered).

        The same counts, bins and (bit for bit) sums as adding them one at a time.
        """
        if not records:
            return
        rows = as_array(records)
        rows = rows[rows[:, FIELD["arrived"]] >= self.warmup]
        if not len(rows):
            return
        kind = rows[:, FIELD["kind"]].astype(np.int64)
        self.answered_arrival_sum = float(_running_sum(self.answered_arrival_sum, rows[:, FIELD["arrived"]]))
        order = np.argsort(kind, kind="stable")  # each kind's answers in the order they came
        kind, rows = kind[order], rows[order]
        starts = np.flatnonzero(np.r_[True, kind[1:] != kind[:-1]])
        for lo, hi in zip(starts, [*starts[1:], len(kind)], strict=True):
            kind_tally, part = self._kinds[int(kind[lo])], rows[lo:hi]
            fields = {name: part[:, i] for name, i in FIELD.items()}
            kind_tally.latency.add_many(fields["answered"] - fields["arrived"])
            for q in self.quantities:
                values = q.of(fields)
                if q.count:  # whole numbers: exact in any order
                    kind_tally.sums[q.name] += int(values.sum())
                else:
                    kind_tally.sums[q.name] = float(_running_sum(kind_tally.sums[q.name], values))

    def message(self, arrived: float, answered: float) -> None:
        if arrived >= self.warmup:
            held = self._msg
            held.append(arrived)
            held.append(answered)
            if len(held) >= 2 * self.batch:
                self._fold_messages()

    def flush(self) -> None:
        """Fold in the replies held (reading a figure does this; calling it again is harmless)."""
        if self._msg:
            self._fold_messages()

    def _fold_messages(self) -> None:
        pairs = np.array(self._msg, dtype=float).reshape(-1, 2)
        self._msg.clear()
        arrived = pairs[:, 0]
        reply = pairs[:, 1] - arrived
        self._replies.add_many(reply)
        off = self.clock.off_hours(arrived)
        for j, target in enumerate(self.targets):
            hit = (arrived <= self.due_by[j]) & (reply <= target)
            self._within[0, j] += int(np.count_nonzero(hit))
            self._within[1, j] += int(np.count_nonzero(hit & off))
