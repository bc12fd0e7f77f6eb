"""Running many replications: serially, on a local process pool, or on Dask.

A job is one replication of one scenario on one child seed, and it returns
only that run's figures (a small dict), so little crosses process
boundaries. Every job seeds itself, so the order and place in which jobs
run cannot change a number: serial, pool and cluster give identical results.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from orgsim.errors import OrgsimError
from orgsim.metrics import run_figures
from orgsim.metrics.detail import run_detail
from orgsim.scenario.model import Scenario
from orgsim.sim.engine import simulate

__all__ = ["Job", "process_pool", "processes", "run_job", "run_jobs"]


@dataclass(frozen=True)
class Job:
    scenario: Scenario
    seed: np.random.SeedSequence
    #: also keep the distributions a report draws (:func:`orgsim.metrics.detail.run_detail`)
    detail: bool = False


def run_job(job: Job) -> dict[str, Any]:
    """One replication's figures (what crosses a process boundary)."""
    result = simulate(job.scenario, job.seed)
    figures = run_figures(result)
    if job.detail:
        figures["detail"] = run_detail(result)
    return figures


def processes(workers: int | None) -> int:
    """How many processes ``workers`` asks for: ``None`` means every core."""
    return (os.cpu_count() or 1) if workers is None else workers


def process_pool(n: int) -> ProcessPoolExecutor:
    """A local pool of ``n`` processes; fork where it exists, so children start at once."""
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    return ProcessPoolExecutor(max_workers=n, mp_context=ctx)


def run_jobs(
    jobs: Sequence[Job],
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Figures of every job, in the jobs' order.

    ``workers``: processes on this machine (default: every core; 1 runs in
    this process). ``scheduler``: the address of a Dask distributed scheduler
    (``tcp://host:8786``), which then runs the jobs instead.
    """
    if scheduler is not None:
        return _on_dask(jobs, scheduler, progress)
    n = processes(workers)
    if n <= 1 or len(jobs) <= 1:
        out = []
        for i, job in enumerate(jobs):
            out.append(run_job(job))
            if progress is not None:
                progress(i + 1)
        return out
    with process_pool(min(n, len(jobs))) as pool:
        futures = [pool.submit(run_job, job) for job in jobs]
        for i, fut in enumerate(futures):
            fut.result()
            if progress is not None:
                progress(i + 1)
        return [f.result() for f in futures]


def _on_dask(jobs: Sequence[Job], scheduler: str, progress: Callable[[int], None] | None) -> list[dict[str, Any]]:
    try:
        from distributed import Client
    except ImportError:
        raise OrgsimError('--scheduler needs the distributed extra: pip install "orgsim[distributed]"') from None
    try:
        client = Client(scheduler, timeout="10s") if isinstance(scheduler, str) else Client(scheduler)
    except OSError as exc:
        raise OrgsimError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})") from None
    with client:
        futures = client.map(run_job, list(jobs), pure=False)
        out = []
        for i, fut in enumerate(futures):
            out.append(fut.result())
            if progress is not None:
                progress(i + 1)
        return out
