"""Designs side by side, and whether each differs from the baseline for real.

Every design runs the same replications on the same child seeds, so
replication *i* of each design faces the same requests and messages (common
random numbers). The difference of a figure between a design and the
baseline is taken per replication, and its 95% Student-t interval across
replications decides the verdict: **better** or **worse** when the interval
excludes zero, **no clear difference** otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from orgsim.experiment.parallel import Job, run_jobs
from orgsim.experiment.replications import replication_seeds
from orgsim.metrics import mean_ci
from orgsim.scenario.model import Scenario

__all__ = ["HEADLINE", "Metric", "compare", "comparison_table", "verdict"]

BETTER, WORSE, UNCLEAR = "better", "worse", "no clear difference"


@dataclass(frozen=True)
class Metric:
    """A figure to compare: where it is in :func:`run_figures`, and which way is good."""

    key: tuple[str, ...]
    label: str
    #: +1 when higher is better, -1 when lower is better, 0 when neither
    direction: int
    unit: str = ""

    def of(self, figures: dict[str, Any]) -> float:
        node: Any = figures
        for k in self.key:
            if not isinstance(node, dict) or k not in node:
                return float("nan")
            node = node[k]
        return float(node) if node is not None else float("nan")


HEADLINE: tuple[Metric, ...] = (
    Metric(("silo_latency_hours", "mean"), "silo latency, mean", -1, "h"),
    Metric(("silo_latency_hours", "p90"), "silo latency, p90", -1, "h"),
    Metric(("silo_overhead_share",), "silo overhead share", -1, "share"),
    Metric(("handoffs_per_request",), "handoffs per request", -1),
    Metric(("reply_within_24h_share",), "messages answered within 24 h", +1, "share"),
    Metric(("insight_reach", "share_within_horizon"), "insight reach within horizon", +1, "share"),
    Metric(("insight_reach", "value_weighted_reach"), "insight reach, value-weighted", +1, "share"),
    Metric(("utilization_mean",), "utilisation, mean", 0, "share"),
    Metric(("utilization_max",), "utilisation, busiest person", -1, "share"),
    Metric(("after_hours_share",), "work done after hours", -1, "share"),
    Metric(("head_count",), "head count", 0),
    Metric(("cost_per_year",), "cost per year", -1),
)


def verdict(direction: int, low: float | None, high: float | None) -> str:
    """Plain words for a difference's confidence interval.

    >>> verdict(-1, -3.0, -1.0), verdict(+1, -3.0, -1.0), verdict(-1, -1.0, 2.0), verdict(0, 1.0, 2.0)
    ('better', 'worse', 'no clear difference', 'higher')
    """
    if low is None or high is None or low <= 0 <= high:
        return UNCLEAR
    if direction == 0:
        return "higher" if low > 0 else "lower"
    return BETTER if (low > 0) == (direction > 0) else WORSE


def _metrics(figures: Sequence[dict[str, Any]]) -> list[Metric]:
    departments = list(dict.fromkeys(d for f in figures for d in f["by_department"]))
    per_dept = [Metric(("by_department", d, "silo_latency_hours", "mean"), f"silo latency, {d}", -1, "h")
                for d in departments]
    return [*HEADLINE, *per_dept]


def compare(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = 1,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Run every design on the same seeds; one row per design × metric.

    The first scenario is the baseline; ``workers`` and ``scheduler`` are as
    in :func:`orgsim.experiment.parallel.run_jobs`. Columns: ``design``, ``structure``,
    ``metric``, ``unit``, ``mean``, ``ci_low``, ``ci_high`` and, against the
    baseline, ``diff``, ``diff_low``, ``diff_high``, ``verdict``.
    """
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    base = scenarios[0]
    n = base.run.replications if replications is None else replications
    s0 = base.run.seed if seed is None else seed
    seeds = replication_seeds(s0, n)
    jobs = [Job(s, child) for s in scenarios for child in seeds]
    flat = run_jobs(jobs, workers=workers, scheduler=scheduler, progress=progress)
    return comparison_table(scenarios, [flat[i * n:(i + 1) * n] for i in range(len(scenarios))], s0)


def comparison_table(scenarios: Sequence[Scenario], runs: Sequence[Sequence[dict[str, Any]]], seed: int) -> pd.DataFrame:
    """The table of :func:`compare` from every design's per-replication figures (``runs[i][r]``)."""
    rows = []
    for metric in _metrics([f for design in runs for f in design]):
        baseline = [metric.of(f) for f in runs[0]]
        for scenario, design in zip(scenarios, runs, strict=True):
            values = [metric.of(f) for f in design]
            mean, low, high = mean_ci(values)
            diffs = [v - b for v, b in zip(values, baseline, strict=True)]
            dmean, dlow, dhigh = mean_ci(diffs)
            rows.append({
                "design": scenario.name, "structure": scenario.structure.kind, "metric": metric.label,
                "unit": metric.unit, "mean": mean, "ci_low": low, "ci_high": high,
                "diff": dmean, "diff_low": dlow, "diff_high": dhigh,
                "verdict": verdict(metric.direction, dlow, dhigh),
            })
    table = pd.DataFrame(rows)
    table.attrs.update(seed=seed, replications=len(runs[0]), baseline=scenarios[0].name)
    return table
