"""Replications with common random numbers.

Replication ``i`` of any scenario runs on child seed ``i`` of
``SeedSequence(seed)``: two designs replicated with the same seed see the
same requests and messages at the same times, so their difference is the
design's, not the dice's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from orgsim.experiment.parallel import process_pool, processes
from orgsim.scenario.model import Scenario
from orgsim.sim.engine import simulate
from orgsim.sim.result import Result

__all__ = ["replicate", "replication_seeds"]


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """The child seeds of a run: the same ``i``-th seed whatever the count."""
    return np.random.SeedSequence(seed).spawn(replications)


def replicate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = 1,
    summary: bool = False,
) -> list[Result]:
    """Run ``replications`` independent replications (defaults from ``scenario.run``).

    ``workers`` > 1 (or ``None``: every core) runs them on a local process
    pool; each replication seeds itself, so the results are identical.
    ``summary`` runs each in summary mode (running tallies, flat memory; see
    :func:`orgsim.sim.simulate`).
    """
    n = scenario.run.replications if replications is None else replications
    base = scenario.run.seed if seed is None else seed
    seeds = replication_seeds(base, n)
    procs = processes(workers)
    if procs > 1 and n > 1:
        with process_pool(min(procs, n)) as pool:
            futures = [pool.submit(simulate, scenario, child, summary=summary) for child in seeds]
            for i, fut in enumerate(futures):
                fut.result()
                if progress is not None:
                    progress(i + 1)
            return [f.result() for f in futures]
    results = []
    for i, child in enumerate(seeds):
        results.append(simulate(scenario, child, summary=summary))
        if progress is not None:
            progress(i + 1)
    return results
