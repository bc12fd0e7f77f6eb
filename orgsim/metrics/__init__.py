"""Metrics layer: pure functions from run tables to figures; :mod:`orgsim.metrics.registry` names them."""

from orgsim.metrics.latency import latency_stats, run_figures
from orgsim.metrics.stats import mean_ci
from orgsim.metrics.summary import combine, summarize

__all__ = ["combine", "latency_stats", "mean_ci", "run_figures", "summarize"]
