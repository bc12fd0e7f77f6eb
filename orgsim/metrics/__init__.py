"""Metrics layer: pure functions from run tables to figures; :mod:`orgsim.metrics.registry` names them.

The names below load on first use (PEP 562), so that the registry can be
imported without pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orgsim.metrics.latency import latency_stats, run_figures
    from orgsim.metrics.stats import mean_ci
    from orgsim.metrics.summary import combine, summarize

_LAZY = {
    "combine": "orgsim.metrics.summary",
    "latency_stats": "orgsim.metrics.latency",
    "mean_ci": "orgsim.metrics.stats",
    "run_figures": "orgsim.metrics.latency",
    "summarize": "orgsim.metrics.summary",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'orgsim.metrics' has no attribute {name!r}")


__all__ = ["combine", "latency_stats", "mean_ci", "run_figures", "summarize"]
