"""Figures across replications: each the mean over runs, with a 95% CI.

The confidence interval is over the replications' own values (each
replication is one independent run), never over the requests of one run,
whose waits are correlated: a Student-t interval, kept at or above zero for
a duration or a count, and for a share a Wilson interval on the
replications' effective sample size, which stays inside [0, 1]
(:func:`orgsim.metrics.stats.share_ci`; ``docs/statistics.md``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from orgsim.arguments import a_result, checks, many, optional, whole
from orgsim.errors import OrgsimError
from orgsim.metrics.latency import run_figures
from orgsim.metrics.registry import metrics_for
from orgsim.metrics.stats import mean_ci, share_ci
from orgsim.sim.result import Result

__all__ = ["combine", "flat_metrics", "summarize"]

_CI_FIGURES = (
    "silo_overhead_share",
    "handoffs_per_request",
    "cross_group_handoffs_per_request",
    "utilization_mean",
    "after_hours_share",
)


def _clean(x: Any) -> Any:
    """NaN -> None so the JSON is valid; rounds nothing."""
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def _mean_of(runs: Sequence[Any]) -> Any:
    """Average nested figures key by key (counts too: they become per-run means)."""
    first = runs[0]
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for r in runs for k in r))
        return {k: _mean_of([r[k] for r in runs if k in r]) for k in keys}
    if isinstance(first, bool) or not isinstance(first, (int, float)):
        return first
    m, _, _ = mean_ci(runs)
    if all(isinstance(v, int) for v in runs) and len(runs) == 1:
        return runs[0]
    return m


#: figures that are shares of something (their interval stays in [0, 1]); every other figure here is >= 0
_SHARES = frozenset({"answered_share", "silo_overhead_share", "after_hours_share", "all", "off_hours",
                     "share_within_horizon", "value_weighted_reach", "importance_weighted_reach"})


def _ci(key: str, values: Sequence[float]) -> list[float | None]:
    """The 95% interval of one figure across replications: Wilson for a share, else Student's t floored at 0."""
    if key in _SHARES:
        return list(share_ci(values)[1:])
    _, low, high = mean_ci(values)
    return [None if low is None else max(low, 0.0), high]


def _with_ci(stats_runs: Sequence[dict[str, float]]) -> dict[str, Any]:
    out = _mean_of(stats_runs)
    out["ci95"] = _ci("mean", [r["mean"] for r in stats_runs])
    return out


def combine(figures: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Merge the figures of several replications (see :func:`run_figures`)."""
    out = _mean_of(figures)
    out["silo_latency_answered_hours"] = _with_ci([f["silo_latency_answered_hours"] for f in figures])
    cens = [f["silo_latency_censored"] for f in figures]
    out["silo_latency_censored"]["ci95"] = {k: _ci(k, [c[k] for c in cens])
                                            for k in ("rmst", "lower_bound_mean", "p90", "answered_share")}
    out["silo_latency_censored"]["p90_beyond_window"] = any(c["p90_beyond_window"] for c in cens)
    if all("backlog" in f for f in figures):
        out["backlog"] = _mean_backlog([f["backlog"] for f in figures])
    out["ci95"] = {k: _ci(k, [f[k] for f in figures]) for k in _CI_FIGURES}
    for group in ("by_department", "by_request_type"):
        for name in out[group]:
            runs = [f[group][name]["silo_latency_answered_hours"] for f in figures if name in f[group]]
            out[group][name]["silo_latency_answered_hours"] = _with_ci(runs)
    for target, shares in out.get("reply_targets", {}).items():
        runs = [f["reply_targets"][target] for f in figures if target in f.get("reply_targets", {})]
        shares["ci95"] = {k: _ci(k, [r[k] for r in runs]) for k in ("all", "off_hours")}
    if "insight_reach" in out:
        _insight_cis(out["insight_reach"], [f["insight_reach"] for f in figures])
    return out


def _mean_backlog(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The backlog averaged sample by sample over replications; growing when the averaged series grows."""
    from orgsim.metrics.stability import backlog_growth

    out: dict[str, Any] = {"hours": runs[0]["hours"],
                           "open": np.mean([r["open"] for r in runs], axis=0).tolist(),
                           "mean": float(np.mean([r["mean"] for r in runs])),
                           "arrived": float(np.mean([r["arrived"] for r in runs]))}
    out["rise"], out["growing"] = backlog_growth(out)
    return out


_INSIGHT_CI = ("share_within_horizon", "median_time_hours", "p90_time_hours", "value_weighted_reach",
               "importance_weighted_reach")


def _insight_cis(out: dict[str, Any], runs: Sequence[dict[str, Any]]) -> None:
    """95% CIs for the insight figures, overall and by department; the curve averaged pointwise."""
    out["ci95"] = {k: _ci(k, [r[k] for r in runs]) for k in _INSIGHT_CI}
    for d in out["by_department"]:
        sub = [r["by_department"][d] for r in runs if d in r["by_department"]]
        out["by_department"][d]["ci95"] = {k: _ci(k, [r[k] for r in sub]) for k in _INSIGHT_CI}
    shares = np.array([r["curve"]["share"] for r in runs], dtype=float)
    out["curve"]["share"] = [mean_ci(list(col))[0] for col in shares.T]


@checks(results=many(a_result, what="results (what orgsim.replicate returns)"), seed=optional(whole(0)))
def summarize(results: Sequence[Result], seed: int | None = None) -> dict[str, Any]:
    """The JSON-ready summary of one scenario's replications.

    Keys follow the ``orgsim run --json`` contract in the README: the nested
    figures, and ``metrics``, the flat record keyed by metric id
    (:mod:`orgsim.metrics.registry`).
    """
    if not results:
        raise OrgsimError("summarize: no results; pass the list replicate() returned (at least one replication)")
    first = results[0]
    figures = [run_figures(r) for r in results]
    body = combine(figures)
    return _clean({
        "scenario": first.scenario,
        "structure": first.structure,
        "seed": seed if seed is not None else first.seed,
        "replications": len(results),
        "horizon_days": first.horizon_hours / 24,
        "warmup_days": first.warmup_hours / 24,
        **body,
        "metrics": flat_metrics(figures),
    })


def flat_metrics(figures: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every metric of the registry, keyed by id: label, unit, mean over replications and 95% CI."""
    out = {}
    for m in metrics_for(figures):
        mean, low, high = m.ci([m.of(f) for f in figures])
        out[m.id] = {"label": m.label, "unit": m.unit, "mean": mean, "ci95": [low, high]}
    return out
