"""The comparison table: every design against the baseline, metric by metric, paired by replication.

Every design runs the same replications on the same child seeds, so
replication *i* of each design faces the same requests and messages (common
random numbers). The difference of a figure between a design and the
baseline is taken per replication, and its 95% Student-t interval across
replications decides the verdict: **better** or **worse** when the interval
excludes zero, **no clear difference** otherwise.

A design whose queue grows without bound (:mod:`orgsim.metrics.stability`)
is never called better on a latency figure (one in hours): its verdict there
reads **unstable: no steady state**; nor is a stable design called worse on
one than an unstable baseline. ``table.attrs["unstable"]`` holds, per design
id, the reasons (empty when it keeps up).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from orgsim.metrics.multiplicity import CORRECTIONS, bh, holm, paired_p
from orgsim.metrics.registry import metrics_for, slug
from orgsim.metrics.stability import UNSTABLE, unstable_reasons
from orgsim.metrics.stats import mean_ci
from orgsim.scenario.model import Scenario

__all__ = ["BETTER", "UNCLEAR", "UNSTABLE", "WORSE", "comparison_table", "design_ids", "design_unstable", "verdict"]

BETTER, WORSE, UNCLEAR = "better", "worse", "no clear difference"


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


def design_ids(names: Sequence[str]) -> list[str]:
    """A stable id per design: the slug of its ``name:`` (what a study and a report call it), made unique.

    The name, not the file stem, because a design built in Python has no file.

    >>> design_ids(["Acme — by network", "Acme — by audience", "Acme: by network"])
    ['acme-by-network', 'acme-by-audience', 'acme-by-network-3']
    """
    out: list[str] = []
    for i, name in enumerate(names):
        base = slug(name, "-")
        out.append(base if base not in out else f"{base}-{i + 1}")
    return out


def design_unstable(scenario: Scenario, runs: Sequence[dict[str, Any]]) -> list[str]:
    """Why one design is unstable (empty if it keeps up): its analytic load, and its backlog averaged over runs."""
    rise = mean_ci([metric_of(f, "backlog", "rise") for f in runs])[0]
    mean = mean_ci([metric_of(f, "backlog", "mean") for f in runs])[0]
    arrived = mean_ci([metric_of(f, "requests", "arrived") for f in runs])[0]
    return unstable_reasons(scenario, rise=rise, mean=mean, arrived=arrived)


def metric_of(figures: dict[str, Any], *path: str) -> float:
    node: Any = figures
    for k in path:
        if not isinstance(node, dict) or k not in node:
            return float("nan")
        node = node[k]
    return float(node)


def _guarded(verdict_: str, unit: str, me_unstable: bool, base_unstable: bool) -> str:
    """No latency verdict that flatters a design without a steady state."""
    if unit == "h" and ((verdict_ == BETTER and me_unstable) or (verdict_ == WORSE and base_unstable and not me_unstable)):
        return UNSTABLE
    return verdict_


def comparison_table(scenarios: Sequence[Scenario], runs: Sequence[Sequence[dict[str, Any]]], seed: int,
                     correction: str = "holm") -> pd.DataFrame:
    """One row per design × metric from every design's per-replication figures (``runs[i][r]``).

    Columns: ``design`` (the name), ``design_id``, ``structure``, ``metric`` (the id of
    :mod:`orgsim.metrics.registry`), ``label``, ``unit``, ``primary``, ``mean``, ``ci_low``, ``ci_high`` (for a
    share a Wilson interval inside [0, 1], else Student's t kept inside the metric's bounds) and,
    against the baseline, ``diff``, ``diff_low``, ``diff_high`` (unadjusted 95%), ``p_value`` (paired t-test),
    ``verdict``. Primary metrics are judged at 95% each; the verdicts of secondary ones are corrected per
    design by ``correction`` ("holm", "bh" or "none"; :mod:`orgsim.metrics.multiplicity`), told in
    ``table.attrs["correction"]``.
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
    ids = design_ids([s.name for s in scenarios])
    unstable = [design_unstable(s, design) for s, design in zip(scenarios, runs, strict=True)]
    rows: list[dict[str, Any]] = []
    for metric in metrics_for([f for design in runs for f in design]):
        baseline = [metric.of(f) for f in runs[0]]
        for scenario, design_id, design, shaky in zip(scenarios, ids, runs, unstable, strict=True):
            values = [metric.of(f) for f in design]
            mean, low, high = metric.ci(values)  # a share's interval stays in [0, 1] (a Wilson interval)
            diffs = [v - b for v, b in zip(values, baseline, strict=True)]
            dmean, dlow, dhigh = mean_ci(diffs)
            rows.append({
                "design": scenario.name, "design_id": design_id, "structure": scenario.structure.kind,
                "metric": metric.id, "label": metric.label, "unit": metric.unit, "primary": metric.primary,
                "mean": mean, "ci_low": low, "ci_high": high,
                "diff": dmean, "diff_low": dlow, "diff_high": dhigh, "p_value": paired_p(diffs),
                "verdict": verdict(metric.direction, dlow, dhigh),
                "_shaky": bool(shaky),
            })
    _correct(rows, correction)
    for row in rows:
        row["verdict"] = _guarded(row["verdict"], row["unit"], row.pop("_shaky"), bool(unstable[0]))
    table = pd.DataFrame(rows)
    table.attrs.update(seed=seed, replications=len(runs[0]), baseline=scenarios[0].name, baseline_id=ids[0],
                       unstable=dict(zip(ids, unstable, strict=True)), correction=correction,
                       correction_note="primary metrics at 95% each; secondary verdicts " + CORRECTIONS[correction])
    return table


def _correct(rows: list[dict[str, Any]], correction: str) -> None:
    """Secondary verdicts that do not survive the correction become "no clear difference" (per design)."""
    if correction == "none":
        return
    for design_id in dict.fromkeys(r["design_id"] for r in rows):
        family = [r for r in rows if r["design_id"] == design_id and not r["primary"]]
        keep = (holm if correction == "holm" else bh)([r["p_value"] for r in family])
        for r, ok in zip(family, keep, strict=True):
            if not ok and r["verdict"] != UNCLEAR:
                r["verdict"] = UNCLEAR
