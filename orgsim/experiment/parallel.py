"""Running many replications: serially, on a local process pool, or on Dask.

:func:`run_pool` is the one way replicate, compare and sweep run their
replications. A compare or sweep job is one replication of one scenario on
one child seed, and it returns only that run's figures (a small dict), so
little crosses process boundaries. Every job seeds itself, so the order and place in which jobs
run cannot change a number: serial, pool and cluster give identical results.

On the local pool :func:`run_jobs` sends each distinct scenario to a worker
once, when the worker starts (with fork it is inherited, not even pickled),
and each job crosses as (scenario index, seed, detail): a few hundred bytes
instead of the pickled pydantic scenario (24 kB for an example) per job.
Jobs are handed out longest first (by the scenario's expected arrivals), so
the last job to finish is a short one and no worker idles long at the end.
On Dask the same holds, and more (one client, the same orgsim on every
worker, lost workers): see :mod:`orgsim.experiment.cluster`.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

from orgsim.arguments import a_scheduler
from orgsim.errors import OrgsimError
from orgsim.metrics import run_figures
from orgsim.metrics.detail import run_detail
from orgsim.scenario.limits import arrivals_per_replication
from orgsim.scenario.model import Scenario
from orgsim.sim.engine import simulate

__all__ = ["Job", "process_pool", "processes", "run_job", "run_jobs", "run_pool"]


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
    del result
    _collect_garbage_after(arrivals_per_replication(job.scenario)[0])
    return figures


#: a process that runs jobs collects cyclic garbage after this many arrivals (estimated, over its jobs since
#: the last collection). Measured (scenarios/network.yaml, 42 days, about 40,000 arrivals): each run leaves
#: about 2.7 MB in reference cycles that only a full collection frees (about 70 bytes an arrival), and the
#: engine's frozen heap (orgsim.sim.engine._frozen_heap) hands them to the oldest generation, which Python
#: collects ever more rarely as it grows: a worker of the default exploration grew to 650 MB. A full
#: collection costs 70-90 ms there (15-20% of a run: not after every job); every million arrivals, about
#: every 25 such runs, it is under 1% of their time and the garbage stays under about 70 MB a worker.
GC_EVERY_ARRIVALS = 1_000_000
_arrivals_since_collection = [0.0]


def _collect_garbage_after(arrivals: float) -> None:
    """Count a job's arrivals; ``gc.collect()`` once :data:`GC_EVERY_ARRIVALS` have run since the last one."""
    _arrivals_since_collection[0] += arrivals
    if _arrivals_since_collection[0] >= GC_EVERY_ARRIVALS:
        gc.collect()
        _arrivals_since_collection[0] = 0.0


def processes(workers: int | None) -> int:
    """How many processes ``workers`` asks for: ``None`` means every core."""
    return (os.cpu_count() or 1) if workers is None else workers


def process_pool(n: int, scenarios: Sequence[Scenario] = ()) -> ProcessPoolExecutor:
    """A local pool of ``n`` processes; fork where it exists, so children start at once.

    ``scenarios`` go to every worker once, as it starts (:func:`run_jobs` then
    sends each job as an index into them).
    """
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    return ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_start_worker,
                               initargs=(os.getpid(), tuple(scenarios)))


#: in a worker of the local pool: the scenarios its jobs index into (set once, by :func:`_start_worker`)
_SCENARIOS: tuple[Scenario, ...] = ()


def _start_worker(parent: int, scenarios: tuple[Scenario, ...]) -> None:
    global _SCENARIOS
    _die_with_parent(parent)
    _SCENARIOS = scenarios


def _run_indexed(job: tuple[int, np.random.SeedSequence, bool]) -> dict[str, Any]:
    """:func:`run_job` in a pool worker, on the scenario the worker was given at its start."""
    k, seed, detail = job
    return run_job(Job(_SCENARIOS[k], seed, detail))


def _die_with_parent(parent: int) -> None:
    """In each worker: end when the parent ends, even by ``kill -9`` (which no handler sees), so no orphan lives on.

    On Linux the kernel does it (``prctl(PR_SET_PDEATHSIG, SIGKILL)``); elsewhere
    a daemon thread checks once a second whether the worker was re-parented.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # 1 = PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before the call: nobody will signal
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(1)

    threading.Thread(target=watch, daemon=True, name="orgsim-parent-watch").start()


T = TypeVar("T")
R = TypeVar("R")


def run_pool(
    fn: Callable[[T], R],
    items: Sequence[T],
    workers: int | None = None,
    scheduler: Any = None,
    progress: Callable[[int], None] | None = None,
    on_done: Callable[[int, R], None] | None = None,
    cost: Callable[[T], float] | None = None,
) -> list[R]:
    """``fn(item)`` for every item, in the items' order: the one pool of replicate, compare and sweep.

    ``workers``: processes on this machine (default: every core; 1 runs in
    this process). ``scheduler``: the address of a Dask distributed scheduler
    (``tcp://host:8786``), or a cluster object such as ``LocalCluster``, which
    then runs the items instead. ``fn`` must be a module-level function (or a
    ``functools.partial`` of one) so it can travel to another process.
    ``progress(done)`` and ``on_done(index, value)`` are called here, in this
    process, as each item finishes (in the order they finish); a sweep writes
    each finished run to disk from ``on_done``. ``cost(item)``: its expected
    work (e.g. the arrivals of the scenario it runs); on a pool or a cluster
    the dearest items start first, so the last to finish is a short one.
    """
    out, finished = _collector(len(items), progress, on_done)
    costs = None if cost is None else [cost(item) for item in items]
    if scheduler is not None:
        _on_dask(fn, items, scheduler, finished, None if costs is None else [round(c) for c in costs])
        return out
    n = processes(workers)
    if n <= 1 or len(items) <= 1:
        for i, item in enumerate(items):
            finished(i + 1, i, fn(item))
        return out
    _on_local(fn, items, n, finished, order=None if costs is None else sorted(range(len(items)), key=lambda i: -costs[i]))
    return out


def _collector(n: int, progress: Callable[[int], None] | None, on_done: Callable[[int, Any], None] | None,
               keep: bool = True) -> tuple[list[Any], Callable[[int, int, Any], None]]:
    """The results list of ``n`` items and the ``finished(count, index, value)`` that fills it, in this process.

    With ``keep=False`` the values go to ``on_done`` only and the list stays empty (``None``).
    """
    out: list[Any] = [None] * n

    def finished(count: int, i: int, value: Any) -> None:
        if keep:
            out[i] = value
        if on_done is not None:
            on_done(i, value)
        if progress is not None:
            progress(count)

    return out, finished


def _on_local(fn: Callable[[T], R], items: Sequence[T], n: int, finished: Callable[[int, int, R], None],
              scenarios: Sequence[Scenario] = (), order: Sequence[int] | None = None) -> None:
    """The local process pool: items submitted in ``order`` (default: as given), ``finished`` as each ends."""
    with process_pool(min(n, len(items)), scenarios) as pool:
        futures = {pool.submit(fn, items[i]): i for i in (range(len(items)) if order is None else order)}
        for count, fut in enumerate(as_completed(futures), start=1):
            finished(count, futures.pop(fut), fut.result())  # popped: a finished job's value is not held here


def run_jobs(
    jobs: Sequence[Job],
    workers: int | None = None,
    scheduler: Any = None,
    progress: Callable[[int], None] | None = None,
    on_done: Callable[[int, dict[str, Any]], None] | None = None,
    keep: bool = True,
) -> list[dict[str, Any]]:
    """Figures of every job, in the jobs' order (:func:`run_pool` of :func:`run_job`).

    On the local pool and on Dask each distinct scenario travels once per
    worker and the jobs go longest first (see the module's note and
    :mod:`orgsim.experiment.cluster`). ``progress`` and ``on_done`` are as in
    :func:`run_pool`. ``keep=False`` hands each job's figures to ``on_done``
    and keeps none of them (a sweep or an exploration of thousands of runs
    keeps only each run's small record): the list returned is then all ``None``.
    """
    n = processes(workers)
    scenarios, light, cost = _pack(jobs)
    out, finished = _collector(len(jobs), progress, on_done, keep)
    if scheduler is None and (n <= 1 or len(jobs) <= 1):
        for count, job in enumerate(jobs, start=1):
            finished(count, count - 1, run_job(job))
        return out
    if scheduler is not None:
        _cluster(scheduler).run_jobs_on_cluster(scheduler, scenarios, light, [round(cost[k]) for k, _, _ in light], finished)
        return out
    _on_local(_run_indexed, light, n, finished, scenarios, _longest_first(light, cost))
    return out


def _pack(jobs: Sequence[Job]) -> tuple[list[Scenario], list[tuple[int, np.random.SeedSequence, bool]], list[float]]:
    """What a pool or cluster is sent: the distinct scenarios, the jobs as indices into them, and each scenario's cost.

    The scenarios come in order of first use; each job becomes (scenario index, seed, detail); a
    scenario's cost is its expected arrivals per replication (what orders the jobs longest first).
    """
    scenarios: list[Scenario] = []
    where: dict[int, int] = {}  # id(scenario) -> its index; the jobs hold the scenarios, so no id is reused
    light = []
    for job in jobs:
        k = where.setdefault(id(job.scenario), len(scenarios))
        if k == len(scenarios):
            scenarios.append(job.scenario)
        light.append((k, job.seed, job.detail))
    return scenarios, light, [arrivals_per_replication(s)[0] for s in scenarios]


def _longest_first(light: Sequence[tuple[int, Any, bool]], cost: Sequence[float]) -> list[int]:
    """The jobs' indices, longest first by their scenario's cost (stable: ties keep their order)."""
    return sorted(range(len(light)), key=lambda i: -cost[light[i][0]])


def _cluster(scheduler: Any) -> ModuleType:
    """:mod:`orgsim.experiment.cluster` (it needs the ``distributed`` extra), once ``scheduler`` is one Dask takes."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise OrgsimError('--scheduler needs the distributed extra: pip install "orgsim[distributed]"') from None
    a_scheduler(scheduler, "--scheduler", {})  # an address Dask takes, before it tries to connect
    from orgsim.experiment import cluster

    return cluster


def _on_dask(fn: Callable[[T], R], items: Sequence[T], scheduler: Any, finished: Callable[[int, int, R], None],
             priorities: Sequence[int] | None = None) -> None:
    _cluster(scheduler).map_on_cluster(scheduler, fn, items, finished, priorities)
