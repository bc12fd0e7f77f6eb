"""Replications with common random numbers.

Replication ``i`` of any scenario runs on child seed ``i`` of
``SeedSequence(seed)``: two designs replicated with the same seed see the
same requests and messages at the same times, so their difference is the
design's, not the dice's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

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
) -> list[Result]:
    """Run ``replications`` independent replications (defaults from ``scenario.run``)."""
    n = scenario.run.replications if replications is None else replications
    base = scenario.run.seed if seed is None else seed
    results = []
    for i, child in enumerate(replication_seeds(base, n)):
        results.append(simulate(scenario, child))
        if progress is not None:
            progress(i + 1)
    return results
