"""Running an exploration: sample the inputs, run every point × design × replication, resumable on disk.

The sample comes from SALib (Morris trajectories or Sobol/Saltelli points,
seeded, so the same command draws the same worlds). Every design runs every
point on the same child seeds (:func:`orgsim.experiment.replications.replication_seeds`),
so at each point the designs face the same requests and messages and their
difference is the design's (common random numbers). Each finished run is
written as a part of ``out`` at once (:mod:`orgsim.experiment.parts`, as a
sweep does); ``resume`` skips the parts already there, so a killed-then-resumed
exploration ends with the tables of an uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from orgsim.arguments import (
    a_callable,
    a_path,
    a_scheduler,
    a_thing,
    checks,
    choice,
    flag,
    many,
    metric_ids,
    optional,
    whole,
    workers,
)
from orgsim.errors import OrgsimError
from orgsim.experiment.paired import design_ids
from orgsim.experiment.parallel import Job
from orgsim.experiment.parts import open_parts, run_parts
from orgsim.experiment.replications import replication_seeds
from orgsim.experiment.settings import Settings
from orgsim.explore.budget import REPLICATIONS, Size, size_exploration, worlds_per_sample
from orgsim.explore.inputs import Input, check_ranges, default_inputs, inputs_table, scenarios_at
from orgsim.metrics.registry import metrics_of
from orgsim.scenario.limits import check_points, check_work
from orgsim.scenario.loading import load_scenario
from orgsim.sim.arguments import check_arguments

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario

__all__ = ["METHODS", "Exploration", "Plan", "explore", "plan_exploration", "point_count", "run_exploration",
           "sample_points"]

#: Morris levels: SALib's default 4-level grid, the one Morris (1991) and Saltelli et al. (2008) use for screening
LEVELS = 4
METHODS = ("morris", "sobol")


@dataclass
class Exploration:
    """An exploration's tables (DataFrames) and what it was asked."""

    inputs: pd.DataFrame
    #: one row per sample point: ``point`` and one column per input
    samples: pd.DataFrame
    #: one row per point × design × metric: ``mean`` over replications (primary metrics)
    outcomes: pd.DataFrame
    #: one row per point × pair × metric: ``diff`` = first minus second design, paired by replication
    differences: pd.DataFrame
    method: str
    designs: list[str]
    design_ids: list[str]
    replications: int
    seed: int
    defaults_used: bool
    indices: pd.DataFrame = field(default_factory=pd.DataFrame)
    rules: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: what was sized from the work budget, in a sentence (empty when ``samples`` and ``replications`` were given)
    sizing: str = ""


def sample_points(inputs: Sequence[Input], method: str, samples: int, seed: int) -> np.ndarray:
    """The sample, one row per world: SALib's Morris trajectories or Sobol (Saltelli) points.

    ``samples`` Morris trajectories give ``samples × (k + 1)`` points; ``samples`` Sobol base points give
    ``samples × (k + 2)`` (first-order and total indices only).
    """
    problem = _problem(inputs)
    if method == "morris":
        from SALib.sample import morris

        return np.asarray(morris.sample(problem, samples, num_levels=LEVELS, seed=seed))
    if method == "sobol":
        if samples < 2 or samples & (samples - 1):
            raise OrgsimError(f"--samples {samples}: Sobol sampling needs a power of two (8, 16, 32, ...)")
        from SALib.sample import sobol

        return np.asarray(sobol.sample(problem, samples, calc_second_order=False, seed=seed))
    raise OrgsimError(f"--method {method}: expected one of {', '.join(METHODS)}")


def point_count(inputs: Sequence[Input] | None, method: str, samples: int) -> int:
    """How many worlds :func:`sample_points` draws: ``samples × (k + 1)`` (Morris) or ``samples × (k + 2)`` (Sobol)."""
    return samples * worlds_per_sample(len(inputs) if inputs else len(default_inputs()), method)


def _problem(inputs: Sequence[Input]) -> dict[str, Any]:
    return {"num_vars": len(inputs), "names": [i.name for i in inputs], "bounds": [[i.low, i.high] for i in inputs]}


@dataclass
class Plan:
    """An exploration ready to run: its size (said before it runs), its sample and every job, by part name."""

    paths: list[Path]
    bases: list[Scenario]
    inputs: list[Input]
    defaults_used: bool
    method: str
    size: Size
    #: seed, replications (the sized ones), workers, scheduler, allow_large: folded once, in :func:`plan_exploration`
    settings: Settings
    points: np.ndarray
    manifest: dict[str, Any]
    jobs: dict[str, Job]

    @property
    def runs(self) -> int:
        """Runs in all: worlds × designs × replications."""
        return len(self.jobs)

    @property
    def seed(self) -> int:
        """The seed of the sample and of the runs."""
        return self.settings.seed


def plan_exploration(
    designs: Sequence[str | Path],
    inputs: Sequence[Input] | None = None,
    method: str = "morris",
    samples: int | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    allow_large: bool = False,
    scheduler: Any = None,
) -> Plan:
    """Load, check and size an exploration of ``designs`` over ``inputs`` (default: :func:`default_inputs`).

    ``samples`` and ``replications`` left out are sized from the work budget
    (:func:`orgsim.explore.budget.size_exploration`: as many Morris
    trajectories or Sobol base points as fit, 2 replications per world);
    ``Plan.size.chosen`` says what was chosen. Every value of every world is
    validated here, before anything runs. The run settings are folded here, once
    (seed: the first design's ``run.seed``), and the plan carries them to :func:`run_exploration`.
    """
    if method not in METHODS:
        raise OrgsimError(f"--method {method}: expected one of {', '.join(METHODS)}")
    defaults_used = not inputs
    chosen = list(inputs) if inputs else default_inputs()
    paths = [Path(d) for d in designs]
    if samples is not None:  # counted before any file is read or sample drawn: neither runs on a hopeless size
        check_points(point_count(chosen, method, samples) * len(paths), "exploration points (sample points × designs)",
                     allow_large=allow_large)
    bases = [load_scenario(p, allow_large=allow_large) for p in paths]
    check_ranges(paths, bases, chosen, allow_large=allow_large)
    settings = Settings.fold(bases[0].run, replications=replications, seed=seed, workers=workers, scheduler=scheduler,
                             allow_large=allow_large, default_replications=REPLICATIONS)
    s0, n = settings.seed, settings.replications
    # given sizes over the budget are refused here, before any world is built (costed at the ranges' dearest corner)
    size = size_exploration(paths, bases, chosen, method, samples, n, replications_given=replications is not None,
                            allow_large=allow_large)
    check_arguments(bases[0], n, s0, workers)
    x = sample_points(chosen, method, size.samples, s0)
    grid = [scenarios_at(p, b, chosen, x.tolist(), allow_large=allow_large) for p, b in zip(paths, bases, strict=True)]
    check_work([s for design in grid for s in design], n, "exploration points", allow_large=allow_large)
    manifest = {"format": 1, "kind": "explore", "designs": [str(p) for p in paths], "method": method,
                "samples": size.samples, "replications": n, "seed": s0,
                "inputs": [[i.name, i.low, i.high] for i in chosen], "points": x.tolist()}
    seeds = replication_seeds(s0, n)
    jobs = {_part(p, d, r): Job(grid[d][p], seeds[r])
            for p in range(len(x)) for d in range(len(paths)) for r in range(n)}
    return Plan(paths, bases, chosen, defaults_used, method, size, settings, x, manifest, jobs)


def run_exploration(
    plan: Plan,
    out: Path | None = None,
    resume: bool = False,
    progress: Callable[[int], None] | None = None,
    rule_metric: str = "silo_latency_rmst",
) -> Exploration:
    """Run a :class:`Plan`: every job on the pool or Dask (its settings), each written to ``out`` as it ends; then the tables.

    Only each run's flat record (a few dozen numbers) is held, never its tables.
    """
    n, x = plan.size.replications, plan.points
    # the folder is held from here to the last table written: a second exploration into it is refused
    with open_parts(out, plan.manifest, resume, "exploration",
                    "designs, --vary, --method, --samples, replications or seed differ") as parts:
        run_parts(plan.jobs, parts, out, plan.settings, progress)
        done = {(p, d, r): parts[_part(p, d, r)]
                for p in range(len(x)) for d in range(len(plan.paths)) for r in range(n)}
        result = _summarised(done, plan.bases, plan.inputs, x, plan.method, n, plan.seed, plan.defaults_used,
                             rule_metric)
        result.sizing = plan.size.chosen
        if out is not None:
            from orgsim.explore.tables import write_exploration

            write_exploration(result, out)
    return result


@checks(designs=many(a_path, what="design files"), inputs=optional(many(a_thing("Input"), least=0, what="inputs")),
        method=choice(*METHODS), samples=whole(1, optional=True), replications=whole(1, optional=True),
        seed=optional(whole(0)), workers=workers, scheduler=a_scheduler, out=optional(a_path), resume=flag,
        progress=optional(a_callable), allow_large=flag, rule_metric=metric_ids)
def explore(
    designs: Sequence[str | Path],
    inputs: Sequence[Input] | None = None,
    method: str = "morris",
    samples: int | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    scheduler: Any = None,
    out: Path | None = None,
    resume: bool = False,
    progress: Callable[[int], None] | None = None,
    allow_large: bool = False,
    rule_metric: str = "silo_latency_rmst",
) -> Exploration:
    """Run an exploration of ``designs`` (scenario files) over ``inputs`` (default: :func:`default_inputs`).

    Returns the tables, with the sensitivity ``indices`` (:mod:`orgsim.explore.indices`) and, for every pair
    of designs, the rule of where each wins on ``rule_metric`` (:mod:`orgsim.explore.prim`). ``samples`` and
    ``replications`` left out are sized from the work budget (:func:`plan_exploration`). ``workers``,
    ``scheduler`` are as in :func:`orgsim.experiment.parallel.run_pool`; ``out`` and ``resume`` as for a sweep.
    """
    plan = plan_exploration(designs, inputs, method, samples, replications, seed, workers, allow_large, scheduler)
    return run_exploration(plan, out, resume, progress, rule_metric)


def _part(point: int, design: int, replication: int) -> str:
    return f"p{point:04d}-d{design:02d}-r{replication:03d}"


def _summarised(done: dict[tuple[int, int, int], dict[str, float]], bases: Sequence[Scenario],
                chosen: Sequence[Input], x: np.ndarray, method: str, n: int, s0: int, defaults_used: bool,
                rule_metric: str) -> Exploration:
    """The exploration's tables from every finished run (``done`` by point, design and replication)."""
    from orgsim.explore.indices import indices_table
    from orgsim.explore.prim import rules_table

    ids = design_ids([b.name for b in bases])
    primary = [m for m in metrics_of(bases[0].run.reply_targets_hours, bases[0].demand.departments) if m.primary]
    ran = set().union(*(set(v) for v in done.values())) if done else set()
    primary = [m for m in primary if m.id in ran]
    samples_df = pd.DataFrame(x, columns=[i.name for i in chosen]).rename_axis("point").reset_index()
    rows, diffs = [], []
    for p in range(len(x)):
        for m in primary:
            per = [[done[p, d, r].get(m.id, float("nan")) for r in range(n)] for d in range(len(bases))]
            for d in range(len(bases)):
                rows.append({"point": p, "design_id": ids[d], "metric": m.id, "mean": _mean(per[d])})
            for a in range(len(bases)):
                for b in range(a + 1, len(bases)):
                    paired = [va - vb for va, vb in zip(per[a], per[b], strict=True)]
                    diffs.append({"point": p, "first": ids[a], "second": ids[b], "metric": m.id, "diff": _mean(paired)})
    result = Exploration(
        inputs=pd.DataFrame(inputs_table(chosen)), samples=samples_df, outcomes=pd.DataFrame(rows),
        differences=pd.DataFrame(diffs), method=method, designs=[b.name for b in bases], design_ids=ids,
        replications=n, seed=s0, defaults_used=defaults_used)
    result.indices = indices_table(result, chosen, x, primary, s0)
    result.rules = rules_table(result, chosen, x, next((m for m in primary if m.id == rule_metric), primary[0]))
    return result


def _mean(values: Sequence[float]) -> float:
    a = np.asarray(values, dtype=float)
    return float(a.mean()) if a.size and np.isfinite(a).all() else float("nan")
