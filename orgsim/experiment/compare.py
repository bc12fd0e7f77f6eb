"""Designs side by side, and whether each differs from the baseline for real.

:func:`compare` is :func:`orgsim.experiment.study.run_study`'s table: one
implementation runs the designs on common random numbers, and
:mod:`orgsim.experiment.paired` judges the differences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from orgsim.arguments import a_callable, a_scenario, a_scheduler, a_seed, checks, many, optional, whole, workers
from orgsim.experiment.paired import comparison_table, verdict
from orgsim.experiment.settings import Settings
from orgsim.experiment.study import study_with
from orgsim.scenario.model import Scenario

__all__ = ["compare", "comparison_table", "verdict"]


@checks(scenarios=many(a_scenario, what="scenarios (designs)"), replications=whole(2, optional=True), seed=a_seed,
        progress=optional(a_callable), workers=workers, scheduler=a_scheduler)
def compare(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = 1,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Run every design on the same seeds; one row per design × metric (see :func:`comparison_table`).

    The first scenario is the baseline; ``workers`` and ``scheduler`` are as
    in :func:`orgsim.experiment.parallel.run_pool`.
    """
    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    settings = Settings.fold(scenarios[0].run, replications=replications, seed=seed, workers=workers, scheduler=scheduler)
    return study_with(scenarios, settings, progress=progress, detail=False).table
