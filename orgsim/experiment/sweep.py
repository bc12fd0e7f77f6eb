"""Parameter sweeps: dotted overrides expanded to a grid, resumable on disk.

``--set policies.approval_steps=0,1,2 --set team.size=3..12`` gives 3 × 10
points; each runs its replications. The scenario layer reads the base file
once and validates every point whole (:func:`orgsim.scenario.loading.load_variants`),
so a bad value gets the usual error, named by the override that set it
(``--set team.size=0: ...``). With an output folder, every finished run is written at
once as its own part (to a temporary name, then renamed, so a half-written
part is never read as done), beside a manifest of the sweep; ``resume``
skips the parts already there. The final table is built from the parts, so
an interrupted-then-resumed sweep ends with exactly the table of an
uninterrupted one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from ruamel.yaml import YAML

from orgsim.arguments import a_callable, a_path, a_scheduler, checks, flag, optional, sweep_sets, whole, workers
from orgsim.errors import OrgsimError
from orgsim.experiment.parallel import Job
from orgsim.experiment.parts import open_parts, run_parts, write_whole
from orgsim.experiment.replications import replication_seeds
from orgsim.experiment.settings import Settings
from orgsim.metrics.registry import metrics_of
from orgsim.metrics.stability import unstable_reasons
from orgsim.metrics.stats import mean_ci
from orgsim.scenario.limits import Budget, check_points, check_work
from orgsim.scenario.loading import load_variants
from orgsim.scenario.overrides import apply_overrides
from orgsim.sim.arguments import check_arguments

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario

__all__ = ["apply_overrides", "expand_grid", "grid_size", "parse_range", "parse_set", "sweep", "sweep_runs", "sweep_settings", "sweep_with"]


def _scalar(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text) if text.strip() else ""


def _split(spec: str, option: str, expected: str) -> tuple[str, str]:
    key, sep, values = spec.partition("=")
    if not sep or not key.strip():
        raise OrgsimError(f"{option} {spec}: expected {expected}")
    return key.strip(), values


def parse_range(spec: str, option: str = "--vary") -> tuple[str, float, float]:
    """``"a.b=0.5..2"`` -> ``("a.b", 0.5, 2.0)``: a continuous range, for ``orgsim explore --vary``.

    >>> parse_range("policies.split_concept_share=0.1..0.5")
    ('policies.split_concept_share', 0.1, 0.5)
    """
    key, values = _split(spec, option, "KEY=LOW..HIGH, e.g. policies.split_concept_share=0.1..0.5")
    lo, sep, hi = values.partition("..")
    try:
        a, b = float(_scalar(lo)), float(_scalar(hi))
    except (TypeError, ValueError):
        a = b = float("nan")
    if not sep or a != a or b != b or a in (float("inf"), float("-inf")) or b in (float("inf"), float("-inf")):
        raise OrgsimError(f"{option} {spec}: expected a range of two numbers LOW..HIGH, like 0.5..2")
    if b <= a:
        raise OrgsimError(f"{option} {spec}: the range is empty or one point ({a:g} >= {b:g}); give LOW < HIGH")
    return key, a, b


def parse_set(spec: str) -> tuple[str, list[Any]]:
    """``"a.b=1..3"`` -> ``("a.b", [1, 2, 3])``; ``"a=x,y"`` -> ``("a", ["x", "y"])``.

    >>> parse_set("policies.approval_steps=0,1,2")
    ('policies.approval_steps', [0, 1, 2])
    >>> parse_set("team.size=3..5")
    ('team.size', [3, 4, 5])
    """
    key, values = _split(spec, "--set", "KEY=VALUES, e.g. policies.approval_steps=0,1,2 or team.size=3..12")
    if ".." in values and "," not in values:
        lo, _, hi = values.partition("..")
        try:
            a, b = int(lo), int(hi)
        except ValueError:
            raise OrgsimError(f"--set {spec}: a range needs whole numbers, like 3..12") from None
        if b < a:
            raise OrgsimError(f"--set {spec}: the range is empty ({a} > {b})")
        return key, list(range(a, b + 1))
    return key, [_scalar(v) for v in values.split(",")]


def grid_size(sets: Sequence[tuple[str, list[Any]]]) -> int:
    """How many points :func:`expand_grid` would make, without making them.

    >>> grid_size([("a", [1, 2, 3]), ("b", [0, 1])])
    6
    """
    return math.prod(len(v) for _, v in sets)


def expand_grid(sets: Sequence[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    """Every combination of the values, in a stable order."""
    keys = [k for k, _ in sets]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(v for _, v in sets))]


@checks(base=a_path, sets=sweep_sets, replications=whole(1, optional=True), seed=optional(whole(0)), workers=workers,
        out=optional(a_path), resume=flag, progress=optional(a_callable), scheduler=a_scheduler, allow_large=flag)
def sweep(
    base: str | Path,
    sets: Sequence[tuple[str, list[Any]]],
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = 1,
    out: Path | None = None,
    resume: bool = False,
    progress: Callable[[int], None] | None = None,
    scheduler: Any = None,
    allow_large: bool = False,
) -> pd.DataFrame:
    """Run every grid point's replications; one tidy row per point × metric, with CI.

    Columns: ``point``, one per swept key, ``metric`` (the id of
    :mod:`orgsim.metrics.registry`), ``label``, ``unit``, ``mean``, ``ci_low``,
    ``ci_high``, ``replications``, ``unstable`` (why the point's queue grows without bound, or empty;
    see :mod:`orgsim.metrics.stability`). ``workers`` and ``scheduler`` are as in
    :func:`orgsim.experiment.parallel.run_pool`; ``allow_large`` lifts the size
    limits, as for :func:`orgsim.scenario.load_scenario`.
    """
    settings = sweep_settings(base, sets, replications=replications, seed=seed, workers=workers,
                              scheduler=scheduler, allow_large=allow_large)
    return sweep_with(base, sets, settings, out=out, resume=resume, progress=progress)


def sweep_settings(base: str | Path, sets: Sequence[tuple[str, list[Any]]], *, replications: int | None = None,
                   seed: int | None = None, workers: int | None = 1, scheduler: Any = None,
                   allow_large: bool = False) -> Settings:
    """A sweep's settings, folded once: the overrides given, else the ``run:`` of the grid's first point."""
    check_points(grid_size(sets), "sweep points", allow_large=allow_large)  # counted before the grid is built
    points = expand_grid(sets) if sets else [{}]
    first = load_variants(base, points[:1], allow_large=allow_large)[0]
    return Settings.fold(first.run, replications=replications, seed=seed, workers=workers, scheduler=scheduler,
                         allow_large=allow_large)


def sweep_runs(sets: Sequence[tuple[str, list[Any]]], settings: Settings) -> int:
    """The runs a sweep makes (what its progress counts to): every point's replications."""
    return grid_size(sets) * settings.replications


def sweep_with(base: str | Path, sets: Sequence[tuple[str, list[Any]]], settings: Settings, *, out: Path | None = None,
               resume: bool = False, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """:func:`sweep` on settings already folded (:func:`sweep_settings`; ``orgsim sweep`` counts its progress by them)."""
    allow_large = settings.allow_large
    check_points(grid_size(sets), "sweep points", allow_large=allow_large)  # counted before the grid is built
    points = expand_grid(sets) if sets else [{}]
    n, s0 = settings.replications, settings.seed
    budget = Budget(n, len(points), "sweep points", allow_large=allow_large)
    scenarios = load_variants(base, points, allow_large=allow_large, each=budget.add)  # refused once over, not after
    check_arguments(scenarios[0], n, s0, settings.workers)
    check_work(scenarios, n, "sweep points", allow_large=allow_large)
    # format 2: parts keyed by metric id (format 1 keyed them by label)
    manifest = {"format": 2, "base": str(base), "sets": [[k, v] for k, v in sets], "replications": n, "seed": s0,
                "points": points}
    seeds = replication_seeds(s0, n)
    jobs = {_part(p, r): Job(scenarios[p], seeds[r]) for p in range(len(points)) for r in range(n)}
    with open_parts(out, manifest, resume) as done:
        run_parts(jobs, done, out, settings, progress)
        table = _table(scenarios, points, n, done)
        if out is not None:
            write_whole(out / "sweep.parquet", lambda p: table.to_parquet(p, index=False))
            write_whole(out / "sweep.csv", lambda p: table.to_csv(p, index=False))
    return table


def _part(point: int, replication: int) -> str:
    return f"p{point:04d}-r{replication:03d}"


def _table(scenarios: Sequence[Scenario], points: Sequence[dict[str, Any]], n: int,
           parts: dict[str, dict[str, float]]) -> pd.DataFrame:
    """One tidy row per point × metric from the finished runs (``parts`` by part name)."""
    rows = []
    done = {(p, r): parts[_part(p, r)] for p in range(len(points)) for r in range(n)}
    for p, point in enumerate(points):
        rise = mean_ci([done[p, r].get("backlog_rise", float("nan")) for r in range(n)])[0]
        backlog = mean_ci([done[p, r].get("backlog_mean", float("nan")) for r in range(n)])[0]
        arrived = mean_ci([done[p, r].get("requests_arrived", float("nan")) for r in range(n)])[0]
        unstable = "; ".join(unstable_reasons(scenarios[p], rise=rise, mean=backlog, arrived=arrived))
        metrics = list(dict.fromkeys(m for r in range(n) for m in done[p, r]))
        known = {m.id: m for m in metrics_of(scenarios[p].run.reply_targets_hours, scenarios[p].demand.departments)}
        for mid in metrics:
            m = known[mid]
            mean, low, high = mean_ci([done[p, r].get(mid, float("nan")) for r in range(n)])
            rows.append({"point": p, **point, "metric": mid, "label": m.label, "unit": m.unit, "mean": mean,
                         "ci_low": low, "ci_high": high, "replications": n, "unstable": unstable})
    return pd.DataFrame(rows)
