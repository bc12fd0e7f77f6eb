"""Shared test helpers: tiny scenarios built in code (the queues themselves live in orgsim.analytic)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from orgsim.analytic import reductions
from orgsim.scenario import Scenario, scenario_from_data

ALWAYS = {"hours": "00:00-24:00", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}


def mmc_data(c: int, rho: float, mean_service: float = 1.0, horizon_days: float = 60,
             warmup_days: float = 5) -> dict[str, Any]:
    """An M/M/c scenario at utilisation ``rho``, as data (:func:`orgsim.analytic.reductions.mmc_data`)."""
    return reductions.mmc_data(c, rho * c / mean_service, mean_service, horizon_days, warmup_days)


def mmc_scenario(c: int, rho: float, mean_service: float = 1.0, horizon_days: float = 60,
                 warmup_days: float = 5) -> Scenario:
    return scenario_from_data(mmc_data(c, rho, mean_service, horizon_days, warmup_days))


@contextlib.contextmanager
def stalled_child(code: str, argv: Sequence[str], ready: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``code`` in a child process until it writes ``ready`` (and waits); yield it there, then ``kill -9`` it."""
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-c", code, *argv], env={**os.environ, "PYTHONPATH": str(root)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # a bound on a hang, not a timing: the child waits for the kill
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the child never reached the point where it waits to be killed"
        yield proc
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
