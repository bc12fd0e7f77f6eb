"""Metrics layer: pure functions from run tables to figures."""

from orgsim.metrics.latency import REPLY_TARGET_HOURS, latency_stats, run_figures
from orgsim.metrics.stats import mean_ci
from orgsim.metrics.summary import combine, summarize

__all__ = ["REPLY_TARGET_HOURS", "combine", "latency_stats", "mean_ci", "run_figures", "summarize"]
