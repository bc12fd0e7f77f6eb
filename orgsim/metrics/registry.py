"""Every metric once: its id, label, unit, direction, format, bounds, and where a run's figures hold it.

A metric is one :class:`Metric` entry. :data:`METRICS` lists the fixed ones;
families generated from a run's figures add one metric per reply target
(:func:`reply_metrics`) and per department (:func:`department_metrics`).
:func:`metrics_for` gives the full list for a set of runs, and
:func:`record` turns one run's figures into a flat ``{metric id: value}``
record. Comparison tables, sweep tables, verdicts, plots, the terminal output
and the report all read metrics from here, so a new metric is one entry
below (plus the line that computes it in :mod:`orgsim.metrics.latency`).

Ids are snake_case and never change with the wording of a label; tables and
JSON key by id and carry the label beside it.

>>> m = metric("silo_latency_rmst")
>>> m.label, m.unit, m.direction, m.format_value(12.34)
('silo latency, restricted mean (open requests counted)', 'h', -1, '12.3 h')
>>> metric("messages answered within 24 h").id
'reply_within_24h_share'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "METRICS",
    "SHOWN_WHERE_SET",
    "Metric",
    "percent_text",
    "department_metrics",
    "from_table",
    "metric",
    "metrics_for",
    "metrics_of",
    "record",
    "reply_metrics",
    "slug",
]

Format = Literal["hours", "percent", "number", "money", "count"]

#: +1 higher is better, -1 lower is better, 0 neither
Direction = Literal[-1, 0, 1]

SHARE = (0.0, 1.0)
NON_NEGATIVE = (0.0, math.inf)


def percent_text(share: float, decimals: int = 0, signed: bool = False) -> str:
    """A share as a percentage (``signed``: a difference in points) that reads 0, 100 or ±0 only when it is so.

    Rounding 99.6% to "100%" tells a reader every message was answered, and -0.4 points to "-0" shows a sign
    on nothing: a figure that would round onto 0 or 100 gets up to two more decimals, and what still would is
    cut towards the inside (99.999% reads "99.99"). A signed difference under 0.005 points reads "0".

    >>> percent_text(0.823), percent_text(0.996), percent_text(1.0), percent_text(0.0004), percent_text(0.0)
    ('82', '99.6', '100', '0.04', '0')
    >>> percent_text(-0.004, signed=True), percent_text(0.3, signed=True), percent_text(-0.00001, signed=True)
    ('-0.4', '+30', '0')
    """
    value = 100 * share
    if value == 0 or (signed and round(abs(value), decimals + 2) == 0):
        return "0"
    d = decimals
    while d < decimals + 2 and (round(abs(value), d) == 0 or (not signed and value != 100 and round(value, d) == 100)):
        d += 1
    if not signed and 0 < value < 100 and round(value, d) in (0, 100):
        step = 10 ** d
        value = math.ceil(value * step) / step if value < 50 else math.floor(value * step) / step
    return f"{value:+.{d}f}" if signed else f"{value:.{d}f}"


@dataclass(frozen=True)
class Metric:
    """One figure of a run: how it is named, measured, judged, shown and bounded."""

    #: snake_case, stable: the key in tables, JSON and sweep parts
    id: str
    #: what a reader sees
    label: str
    #: "h" (hours), "share" (0..1), or what is counted ("handoffs", "people", "per year")
    unit: str
    direction: Direction
    #: how a value is shown: hours "12.3 h", percent "82%", number "2.40", money "123,456", count "12" (whole)
    fmt: Format
    #: the range a value (and a confidence interval's ends) can take
    bounds: tuple[float, float]
    #: where :func:`orgsim.metrics.run_figures` holds the value
    path: tuple[str, ...]
    #: named in advance as what a CMO asks first: judged at 95% each, shown on the report's scorecard
    primary: bool = False

    @property
    def is_share(self) -> bool:
        """A proportion of things (requests, messages, pairs, hours): its interval stays inside [0, 1]."""
        return self.bounds == SHARE

    def ci(self, values: Sequence[float]) -> tuple[float, float | None, float | None]:
        """Mean and 95% interval across replications: a Wilson interval for a share, Student's t otherwise.

        >>> metric("requests_answered_share").ci([0.95, 0.99, 1.0, 0.93, 0.99])[2] <= 1
        True
        """
        from orgsim.metrics.stats import mean_ci, share_ci

        if self.is_share:
            return share_ci(values)
        mean, low, high = mean_ci(values)
        return mean, self.clip(low), self.clip(high)

    def of(self, figures: Mapping[str, Any]) -> float:
        """The value in one run's nested figures (NaN when the run has no such figure)."""
        node: Any = figures
        for k in self.path:
            if not isinstance(node, Mapping) or k not in node:
                return math.nan
            node = node[k]
        return float(node) if node is not None else math.nan

    def clip(self, value: float | None) -> float | None:
        """A value (a CI end) kept inside the metric's bounds: a share stays in [0, 1], a duration >= 0."""
        if value is None or value != value:
            return value
        return min(max(value, self.bounds[0]), self.bounds[1])

    def format_value(self, value: float | None) -> str:
        """The value as a reader sees it; "—" when there is none.

        >>> metric("reply_within_24h_share").format_value(0.823), metric("cost_per_year").format_value(123456.0)
        ('82%', '123,456')
        """
        if value is None or value != value:
            return "—"
        if self.fmt == "hours":
            return f"{value:.1f} h"
        if self.fmt == "percent":
            return f"{percent_text(value)}%"
        if self.fmt == "count" and value == int(value):
            return f"{value:,.0f}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"

    def format_diff(self, value: float | None) -> str:
        """A difference between two designs: percentage points for shares, signed hours, signed numbers."""
        if value is None or value != value:
            return "—"
        if self.fmt == "percent":
            return f"{percent_text(value, signed=True)} pts"
        if self.fmt == "hours":
            return f"{value:+.1f} h"
        return f"{value:+,.0f}" if abs(value) >= 100 else f"{value:+.2f}"


def _m(id: str, label: str, unit: str, direction: Direction, path: tuple[str, ...], primary: bool = False,
       bounds: tuple[float, float] | None = None) -> Metric:
    fmt: Format = "hours" if unit == "h" else "percent" if unit == "share" else \
        "money" if unit == "per year" else "count" if unit == "people" else "number"
    bounds = bounds or (SHARE if unit == "share" else NON_NEGATIVE)
    return Metric(id, label, unit, direction, fmt, bounds, path, primary)


#: The fixed metrics, in the order tables list them. Reply-target and per-department metrics are generated.
#:
#: Primary are the questions a CMO asks first (DOMAIN.md): how long do departments wait, and the slowest
#: of them (silo latency, its p90), is all the work answered, how fast are customers answered (each reply
#: target, and at nights and weekends), do insights reach the departments that need them, what does it do to
#: the busiest person and to work after hours (burnout), how many people and what it costs. How a design gets
#: there (silo overhead, handoffs), value-weighted reach and mean utilisation are secondary: they explain the
#: primary figures rather than answer a question of their own, and counting them would count speed twice.
METRICS: tuple[Metric, ...] = (
    # Silo latency counts unanswered work: requests open at the horizon are censored at their age
    # (orgsim.metrics.censored); the answered-only figures stay, labelled so, as secondary metrics.
    _m("silo_latency_rmst", "silo latency, restricted mean (open requests counted)", "h", -1,
       ("silo_latency_censored", "rmst"), primary=True),
    _m("silo_latency_km_p90", "silo latency, p90 (open requests counted)", "h", -1,
       ("silo_latency_censored", "p90"), primary=True),
    _m("requests_answered_share", "requests answered by the end", "share", +1,
       ("silo_latency_censored", "answered_share"), primary=True),
    _m("backlog_at_end", "requests open at the end (backlog)", "requests", -1, ("requests", "backlog_at_end")),
    _m("requests_arrived", "requests arrived in the window", "requests", 0, ("requests", "arrived")),
    _m("backlog_rise", "backlog growth over the window (fitted)", "requests", -1, ("backlog", "rise"),
       bounds=(-math.inf, math.inf)),
    _m("backlog_mean", "backlog, mean over the window", "requests", -1, ("backlog", "mean")),
    _m("silo_latency_lower_bound", "silo latency, mean with open requests at their age (a lower bound)", "h", -1,
       ("silo_latency_censored", "lower_bound_mean")),
    _m("silo_latency_km_p50", "silo latency, median (open requests counted)", "h", -1,
       ("silo_latency_censored", "p50")),
    _m("silo_latency_mean", "silo latency, mean of answered requests only", "h", -1,
       ("silo_latency_answered_hours", "mean")),
    _m("silo_latency_p90", "silo latency, p90 of answered requests only", "h", -1,
       ("silo_latency_answered_hours", "p90")),
    _m("silo_overhead_share", "silo overhead share", "share", -1, ("silo_overhead_share",)),
    _m("handoffs_per_request", "handoffs per request", "handoffs", -1, ("handoffs_per_request",)),
    _m("insight_reach_share", "insight reach within horizon", "share", +1, ("insight_reach", "share_within_horizon"),
       primary=True),
    _m("insight_reach_value_weighted", "insight reach, value-weighted", "share", +1,
       ("insight_reach", "value_weighted_reach")),
    _m("messages_abandoned_share", "messages abandoned unanswered", "share", -1, ("messages", "abandoned_share")),
    _m("switching_share", "work time spent switching between tasks", "share", -1, ("switching_share",)),
    # utilisation counts work beyond the shift: above 1 is possible, so it is bounded below only
    _m("utilization_mean", "utilisation, mean", "share", 0, ("utilization_mean",), bounds=NON_NEGATIVE),
    _m("utilization_max", "utilisation, busiest person", "share", -1, ("utilization_max",), primary=True,
       bounds=NON_NEGATIVE),
    _m("after_hours_share", "work done after hours", "share", -1, ("after_hours_share",), primary=True),
    _m("head_count", "head count", "people", 0, ("head_count",), primary=True),
    _m("cost_per_year", "cost per year", "per year", -1, ("cost_per_year",), primary=True),
)

_FIXED = {m.id: m for m in METRICS}
#: metrics of a model feature a scenario may leave unset (``patience_hours``, ``switch_minutes``): in a table only where some run has
#: the figure, not as a row of dashes in every comparison of scenarios without it
SHOWN_WHERE_SET = frozenset({"messages_abandoned_share", "switching_share"})


def slug(text: str, sep: str = "_") -> str:
    """Lower-case words joined by ``sep``: an id from a name.

    >>> slug("Customer Care"), slug("Acme — by network", "-"), slug("0.5")
    ('customer_care', 'acme-by-network', '0_5')
    """
    return re.sub(r"[^0-9a-z]+", sep, text.lower()).strip(sep) or "x"


def _hours(h: float) -> str:
    return f"{h:g}"


def reply_metrics(targets: Iterable[float]) -> list[Metric]:
    """Per reply target: the share of messages answered within it, overall and for nights and weekends.

    Every target overall is primary (about half of consumers expect a reply within 1 hour, 79% within 24,
    DOMAIN.md: how fast customers are answered is among the first things a CMO asks), and so is the 24 h
    target at nights and weekends (the CMO's question about weekend coverage).

    >>> [m.id for m in reply_metrics([1])]
    ['reply_within_1h_share', 'reply_within_1h_off_hours_share']
    """
    out = []
    for h in targets:
        key = _hours(h)
        sid = slug(key)
        out.append(_m(f"reply_within_{sid}h_share", f"messages answered within {key} h", "share", +1,
                      ("reply_targets", key, "all"), primary=True))
        out.append(_m(f"reply_within_{sid}h_off_hours_share", f"messages answered within {key} h, nights and weekends",
                      "share", +1, ("reply_targets", key, "off_hours"), primary=h == 24))
    return out


def department_metrics(department: str) -> list[Metric]:
    """One department's metrics: its mean silo latency and its insights' median time to reach it.

    >>> [m.id for m in department_metrics("Customer Care")]
    ['silo_latency_mean_dept_customer_care', 'insight_median_hours_dept_customer_care']
    """
    s = slug(department)
    return [
        _m(f"silo_latency_mean_dept_{s}", f"silo latency, {department} (answered requests only)", "h", -1,
           ("by_department", department, "silo_latency_answered_hours", "mean")),
        _m(f"insight_median_hours_dept_{s}", f"insight median time, {department}", "h", -1,
           ("insight_reach", "by_department", department, "median_time_hours")),
    ]


def metrics_for(figures: Sequence[Mapping[str, Any]]) -> list[Metric]:
    """Every metric the runs have: the fixed ones, each reply target, each department (in first-seen order).

    Per-department insight times are left out of tables (verdicts use them through :func:`department_metrics`),
    and so is a metric of :data:`SHOWN_WHERE_SET` that no run has.
    """
    targets = list(dict.fromkeys(float(t) for f in figures for t in f.get("reply_targets", {})))
    departments = list(dict.fromkeys(d for f in figures for d in f.get("by_department", {})))
    return [m for m in metrics_of(targets, departments)
            if m.id not in SHOWN_WHERE_SET or any(not math.isnan(m.of(f)) for f in figures)]


def metrics_of(targets: Iterable[float], departments: Iterable[str]) -> list[Metric]:
    """The metrics of a scenario with these reply targets and departments, in table order."""
    return [*METRICS, *reply_metrics(targets), *(department_metrics(d)[0] for d in departments)]


def record(figures: Mapping[str, Any], metrics: Sequence[Metric] | None = None) -> dict[str, float]:
    """One run as a flat record: metric id -> value (NaN where the run has none)."""
    return {m.id: m.of(figures) for m in (metrics_for([figures]) if metrics is None else metrics)}


def from_table(id: str, label: str, unit: str) -> Metric:
    """The metric of a table row: the registered one, or (a generated family member) one built from its unit."""
    return _FIXED.get(id) or next((m for m in reply_metrics((1.0, 4.0, 24.0)) if m.id == id), None) or \
        _m(id, label, unit, 0, ())


def metric(key: str | Metric, figures: Sequence[Mapping[str, Any]] = ()) -> Metric:
    """A metric by id or label: the fixed ones, the default reply targets, and the families of ``figures``."""
    if isinstance(key, Metric):
        return key
    if key in _FIXED:
        return _FIXED[key]
    known = [*METRICS, *reply_metrics((1.0, 4.0, 24.0)), *metrics_for(figures)]
    for m in known:
        if key in (m.id, m.label):
            return m
    raise KeyError(f"no metric {key!r}; known ids: {', '.join(dict.fromkeys(m.id for m in known))}")
