"""Judging a resilience study: each stress against the design at full strength, targets missed, bus factors.

For one design, one stress and one metric, the runs are paired by
replication (the stressed run and its twin at full strength share the seed
and the window), and the difference's 95% Student-t interval gives the
verdict, as in a comparison (:func:`orgsim.experiment.paired.verdict`).

**Harm** is the difference turned the way that hurts and counted in
tolerances: a share that falls by ``tolerance_points`` (10 points) is 1, a
time or a count that grows by ``tolerance_share`` (25%) of its value at full
strength is 1. A stress **misses a target** on a metric when the difference
is clearly worse (its interval excludes zero) *and* the harm is 1 or more:
the tolerance, not a multiplicity correction, keeps noise from being called a
miss (a fall of 10 points that is pure noise would need noise an order larger
than the few points a replication varies by). The **severity** of a stress is
its largest harm over the judged metrics.

The **simulated bus factor** of a skill is how many of its people can be
away together, for the absence's days, with no target of the skill's own work
missed (its messages answered within the primary reply target, its requests'
restricted mean wait; :mod:`orgsim.resilience.figures`). Its people are taken
away in the order their single absences hurt that work most (then by their
severity, then in file order), so it is the worst case of that many away: 0
means one absence breaks it. It is measured up to ``bus_max`` (2 by default:
"at least 2" beyond); a skill whose work survives all its people away is
done, slower, by others, and its bus factor is all of them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orgsim.experiment.paired import BETTER, UNCLEAR, WORSE, verdict
from orgsim.metrics.registry import Metric
from orgsim.metrics.stats import mean_ci
from orgsim.resilience.stresses import Options

__all__ = ["Impact", "bus_order", "harm", "impacts", "missed_on", "severity"]


@dataclass(frozen=True)
class Impact:
    """One stress × one metric: means at full strength and stressed, the paired difference, the verdict."""

    stress: str
    metric: Metric
    full: float
    stressed: float
    diff: float
    low: float | None
    high: float | None
    harm: float
    verdict: str
    #: whether the metric is a target (see :func:`orgsim.resilience.figures.target_ids`); others are shown only
    target: bool = True

    @property
    def missed(self) -> bool:
        return self.target and self.verdict == WORSE and self.harm >= 1.0

    def plain(self) -> dict[str, Any]:
        """As JSON-ready data (NaN stays NaN: :func:`orgsim.writes.strict_json` makes it null)."""
        return {"label": self.metric.label, "unit": self.metric.unit, "full": self.full, "stressed": self.stressed,
                "diff": self.diff, "ci95": [self.low, self.high], "harm": self.harm, "verdict": self.verdict,
                "target": self.target, "missed": self.missed}


def harm(metric: Metric, full: float, diff: float, options: Options) -> float:
    """The difference turned the way that hurts, in tolerances (see the module); NaN when undefined.

    >>> from orgsim.metrics.registry import metric
    >>> harm(metric("reply_within_24h_share"), 0.9, -0.2, Options()), harm(metric("silo_latency_rmst"), 30, 15, Options())
    (2.0, 2.0)
    """
    if metric.direction == 0 or math.isnan(diff) or math.isnan(full):
        return math.nan
    signed = -metric.direction * diff
    if metric.unit == "share":
        return signed / options.tolerance_points
    if full <= 0:
        return math.inf if signed > 0 else 0.0
    return signed / (full * options.tolerance_share)


def _mean(values: Sequence[float]) -> float:
    return mean_ci(values)[0]


def impacts(stress: str, metrics: Sequence[Metric], stressed: Sequence[Mapping[str, float]],
            full: Sequence[Mapping[str, float]], options: Options, targets: frozenset[str]) -> list[Impact]:
    """Every metric's impact of one stress: ``stressed[r]`` and ``full[r]`` are replication ``r``'s records.

    Only the metrics in ``targets`` can miss a target.
    """
    out = []
    for m in metrics:
        s = [rec.get(m.id, math.nan) for rec in stressed]
        f = [rec.get(m.id, math.nan) for rec in full]
        diffs = [a - b for a, b in zip(s, f, strict=True)]
        d, low, high = mean_ci(diffs)
        base = _mean(f)
        out.append(Impact(stress, m, base, _mean(s), d, low, high, harm(m, base, d, options),
                          verdict(m.direction, low, high), m.id in targets))
    return out


def severity(rows: Sequence[Impact]) -> float:
    """A stress's largest harm over its impacts on targets (0 when none is defined)."""
    values = [r.harm for r in rows if r.target and not math.isnan(r.harm)]
    return max(values) if values else 0.0


def missed_on(rows: Sequence[Impact]) -> list[Impact]:
    """The impacts that miss a target, worst first."""
    return sorted((r for r in rows if r.missed), key=lambda r: -r.harm)


def bus_order(people: Sequence[str], file_order: Sequence[str], skill_harm: Mapping[str, float],
              severities: Mapping[str, float]) -> list[str]:
    """A skill's people, the one whose absence hurts its work most first (then by severity, then file order)."""
    def key(pid: str) -> tuple[float, float, int]:
        h = skill_harm.get(pid, math.nan)
        return (-(h if not math.isnan(h) else -math.inf), -severities.get(pid, 0.0), file_order.index(pid))

    return sorted(people, key=key)


def worst(rows: Sequence[Impact]) -> Impact | None:
    """The impact that best says what a stress costs: its worst miss, else its worst clear harm, else none."""
    misses = missed_on(rows)
    if misses:
        return misses[0]
    clear = [r for r in rows if r.target and r.verdict == WORSE and not math.isnan(r.harm)]
    return max(clear, key=lambda r: r.harm) if clear else None


def counts(rows: Sequence[Impact]) -> dict[str, int]:
    """How many metrics a stress makes clearly worse, clearly better, and misses a target on."""
    return {"worse": sum(r.verdict == WORSE for r in rows), "better": sum(r.verdict == BETTER for r in rows),
            "unclear": sum(r.verdict == UNCLEAR for r in rows), "missed": sum(r.missed for r in rows)}
