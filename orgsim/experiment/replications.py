"""Replications with common random numbers.

Replication ``i`` of any scenario runs on child seed ``i`` of
``SeedSequence(seed)``: two designs replicated with the same seed see the
same requests and messages at the same times, so their difference is the
design's, not the dice's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from orgsim.arguments import a_callable, a_scenario, a_scheduler, a_seed, checks, flag, optional, whole, workers
from orgsim.experiment.parallel import run_pool
from orgsim.experiment.settings import Settings
from orgsim.scenario.limits import check_work
from orgsim.scenario.model import Scenario
from orgsim.sim.arguments import check_arguments
from orgsim.sim.engine import simulate
from orgsim.sim.result import Result

__all__ = ["replicate", "replicate_with", "replication_seeds", "run_summary"]


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """The child seeds of a run: the same ``i``-th seed whatever the count."""
    return np.random.SeedSequence(seed).spawn(replications)


@checks(scenario=a_scenario, replications=whole(1, optional=True), seed=a_seed, progress=optional(a_callable),
        workers=workers, summary=flag, scheduler=a_scheduler, allow_large=flag)
def replicate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = 1,
    summary: bool = False,
    scheduler: Any = None,
    allow_large: bool = False,
) -> list[Result]:
    """Run ``replications`` independent replications (defaults from ``scenario.run``).

    ``workers`` > 1 (or ``None``: every core) runs them on a local process
    pool; each replication seeds itself, so the results are identical.
    ``scheduler`` runs them on Dask (see :func:`orgsim.experiment.parallel.run_pool`).
    ``summary`` runs each in summary mode (running tallies, flat memory; see
    :func:`orgsim.sim.simulate`). Work over the budget of
    :data:`orgsim.scenario.limits.MAX_ARRIVALS` is refused before anything
    runs unless ``allow_large``.
    """
    settings = Settings.fold(scenario.run, replications=replications, seed=seed, workers=workers,
                             scheduler=scheduler, allow_large=allow_large)
    return replicate_with(scenario, settings, progress=progress, summary=summary)


def replicate_with(scenario: Scenario, settings: Settings, *, progress: Callable[[int], None] | None = None,
                   summary: bool = False) -> list[Result]:
    """:func:`replicate` on settings already folded (``orgsim run`` folds them, then counts its progress by them)."""
    check_arguments(scenario, settings.replications, settings.seed, settings.workers)
    check_work([scenario], settings.replications, allow_large=settings.allow_large)
    one = partial(simulate, scenario, summary=summary)
    return run_pool(one, replication_seeds(settings.seed, settings.replications), settings.workers,
                    settings.scheduler, progress)


def run_summary(scenario: Scenario, results: Sequence[Result], settings: Settings) -> dict[str, Any]:
    """What ``orgsim run`` prints and saves (``summary.json``): the company, every figure, and why it is unstable.

    ``unstable`` lists why the queue grows without bound (:func:`orgsim.metrics.stability.unstable_reasons`;
    empty when it keeps up): said beside the figures, so a latency that only measures the run's length is
    never read as the design's.
    """
    from orgsim.metrics import summarize
    from orgsim.metrics.stability import unstable_reasons

    summary = {"company": scenario.company, **summarize(list(results), seed=settings.seed)}
    summary["unstable"] = unstable_reasons(scenario, summary)
    return summary
