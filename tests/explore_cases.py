"""Tiny designs with known answers for the exploration tests (written as YAML files, as a user would give them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from orgsim.analytic import reductions

#: the request-handling factor at which the winner of :func:`handoff_pair` flips
THRESHOLD = 3.0


def write(path: Path, data: dict[str, Any]) -> Path:
    YAML(typ="safe", pure=True).dump(data, path.open("w"))
    return path


def mm1(tmp: Path, horizon_days: float = 12, warmup_days: float = 2) -> Path:
    """An M/M/1 queue (arrival rate per day and mean effort to vary; merge_hours does nothing: no request splits)."""
    return write(tmp / "mm1.yaml", reductions.mmc_data(1, 0.4, 1.0, horizon_days, warmup_days))


def _design(name: str, effort: float, intake_delay: float) -> dict[str, Any]:
    data = reductions.mmc_data(3, 0.05, effort, horizon_days=20, warmup_days=2)
    data["name"] = name
    data["demand"]["departments"]["Product"]["requests"]["ask"]["effort_hours"] = {"dist": "fixed", "mean": effort}
    data["structure"]["handoff_hours"]["department_intake"] = intake_delay
    data["policies"]["handoff_delay"] = "fixed"
    return data


def handoff_pair(tmp: Path) -> tuple[Path, Path]:
    """Two designs: a fixed handoff against extra work, scaled by ``policies.request_handling_factor`` (f).

    ``handoff``: 1 h of work and a fixed 1.5 h department handoff each way, so a latency of f + 3 hours.
    ``extra work``: no handoff delay, 2 h of work, so 2f. Requests are rare and there are three people, so
    nobody queues: the extra-work design wins exactly while f < ``THRESHOLD`` = 3.
    """
    return (write(tmp / "handoff.yaml", _design("handoff", 1.0, 1.5)),
            write(tmp / "extra.yaml", _design("extra work", 2.0, 0.0)))
