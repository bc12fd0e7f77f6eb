"""Run settings are folded once, where a command or a public function starts, and every layer reads that.

The scan at the end fails if a module below the edge defaults replications or the seed from a scenario's
``run:`` block again (the ten copies of ``replications if replications is None`` this replaced).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import orgsim
from orgsim.analytic.reductions import mmc_data
from orgsim.cli import app
from orgsim.experiment import parallel, replication_seeds
from orgsim.experiment.settings import Settings
from orgsim.scenario.limits import cores
from orgsim.scenario.loading import scenario_from_data

PACKAGE = Path(orgsim.__file__).parent
#: where reading ``run.replications`` / ``run.seed`` as a fallback belongs: the fold itself, and the engine's
#: one-run ``simulate(scenario, seed=None)`` (a single replication, no settings; orgsim/sim is the engine's own)
FOLDS = {"experiment/settings.py", "sim/engine.py"}


def _file(tmp_path: Path, name: str = "a", **run: Any) -> Path:
    data = mmc_data(1, 0.5, 1.0, horizon_days=4, warmup_days=1)
    data["name"] = name
    data["run"].update(run)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_fold_takes_each_override_else_the_file() -> None:
    run = scenario_from_data(mmc_data(1, 0.5, 1.0, horizon_days=4, warmup_days=1)).run
    assert Settings.fold(run) == Settings(seed=run.seed, replications=run.replications)
    folded = Settings.fold(run, replications=3, seed=9, workers=None, scheduler="tcp://h:1", allow_large=True)
    assert folded == Settings(seed=9, replications=3, workers=None, scheduler="tcp://h:1", allow_large=True)
    assert Settings.fold(run, default_replications=2).replications == 2  # a command's own fallback (explore)
    assert Settings.fold(run, replications=4, default_replications=2).replications == 4
    with pytest.raises(AttributeError):  # frozen: a layer cannot change what it was given
        folded.replications = 5  # type: ignore[misc]


def test_more_workers_than_cores_are_refused_where_the_settings_are_folded() -> None:
    run = scenario_from_data(mmc_data(1, 0.5, 1.0, horizon_days=4, warmup_days=1)).run
    with pytest.raises(orgsim.OrgsimError, match=f"--workers {cores() + 1}: "):
        Settings.fold(run, workers=cores() + 1)
    assert Settings.fold(run, workers=cores() + 1, allow_large=True).workers == cores() + 1


class _Spy:
    """Counts folds, and records what the pool is handed and what the progress bar is told to count to."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folds: list[Settings] = []
        self.totals: list[int] = []
        self.pools: list[tuple[int, Any, Any, list[Any]]] = []
        fold, run_jobs, run_pool = Settings.fold.__func__, parallel.run_jobs, parallel.run_pool  # type: ignore[attr-defined]

        def counted_fold(cls: type[Settings], *args: Any, **kwargs: Any) -> Settings:
            self.folds.append(fold(cls, *args, **kwargs))
            return self.folds[-1]

        def seen_jobs(jobs: Any, workers: Any = None, scheduler: Any = None, *args: Any, **kwargs: Any) -> Any:
            self.pools.append((len(jobs), workers, scheduler, [j.seed for j in jobs]))
            return run_jobs(jobs, workers, scheduler, *args, **kwargs)

        def seen_pool(fn: Any, items: Any, workers: Any = None, scheduler: Any = None, *args: Any, **kwargs: Any) -> Any:
            self.pools.append((len(items), workers, scheduler, list(items)))
            return run_pool(fn, items, workers, scheduler, *args, **kwargs)

        from contextlib import contextmanager

        import orgsim.output

        bar = orgsim.output.progress_bar

        @contextmanager
        def counted_bar(total: int, *args: Any, **kwargs: Any) -> Any:
            self.totals.append(total)
            with bar(total, *args, **kwargs) as tick:
                yield tick

        monkeypatch.setattr(Settings, "fold", classmethod(counted_fold))
        for module in ("orgsim.experiment.study", "orgsim.experiment.parts"):
            monkeypatch.setattr(f"{module}.run_jobs", seen_jobs)
        monkeypatch.setattr("orgsim.experiment.replications.run_pool", seen_pool)
        monkeypatch.setattr(orgsim.output, "progress_bar", counted_bar)


def _same_seeds(got: list[np.random.SeedSequence], seed: int, n: int) -> bool:
    want = replication_seeds(seed, n)
    return [(s.entropy, s.spawn_key) for s in got] == [(s.entropy, s.spawn_key) for s in want]


def test_run_folds_once_and_every_layer_sees_the_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    res = CliRunner().invoke(app, ["run", str(_file(tmp_path, replications=7, seed=1)), "--replications", "3",
                                   "--seed", "5", "--workers", "1", "--json"])
    assert res.exit_code == 0, res.output
    assert spy.folds == [Settings(seed=5, replications=3, workers=1)]
    assert spy.totals == [3]  # the progress counts the replications that run
    (n, workers, scheduler, seeds), = spy.pools
    assert (n, workers, scheduler) == (3, 1, None) and _same_seeds(seeds, 5, 3)
    body = json.loads(res.stdout)
    assert (body["replications"], body["seed"]) == (3, 5)


def test_compare_folds_once_from_the_baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    a, b = _file(tmp_path, "a", replications=4, seed=2), _file(tmp_path, "b", replications=9, seed=8)
    res = CliRunner().invoke(app, ["compare", str(a), str(b), "--seed", "6", "--workers", "1", "--json"])
    assert res.exit_code == 0, res.output
    assert spy.folds == [Settings(seed=6, replications=4, workers=1)]  # the baseline's run.replications
    assert spy.totals == [2 * 4]
    (n, workers, _, seeds), = spy.pools
    assert (n, workers) == (8, 1) and _same_seeds(seeds[:4], 6, 4) and _same_seeds(seeds[4:], 6, 4)


def test_sweep_counts_the_runs_its_first_point_folds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    res = CliRunner().invoke(app, ["sweep", str(_file(tmp_path, replications=2, seed=3)), "--set",
                                   "run.horizon_days=4,5", "--workers", "1", "--json"])
    assert res.exit_code == 0, res.output
    assert spy.folds == [Settings(seed=3, replications=2, workers=1)]
    assert spy.totals == [2 * 2]
    (n, _, _, seeds), = spy.pools
    assert n == 4 and {r["replications"] for r in json.loads(res.stdout)} == {2}


def test_the_public_api_folds_once_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    s = orgsim.load_scenario(_file(tmp_path, replications=3, seed=4))
    results = orgsim.replicate(s, workers=1)
    assert len(results) == 3 and spy.folds == [Settings(seed=4, replications=3, workers=1)]
    orgsim.compare([s, s.model_copy(update={"name": "b"})], replications=2)
    assert spy.folds[1] == Settings(seed=4, replications=2) and len(spy.folds) == 2
    assert spy.pools[-1][0] == 2 * 2 and _same_seeds(spy.pools[-1][3][:2], 4, 2)


# --- the scan: nothing below the edge defaults replications or the seed again --------------------------------


def fallbacks(source: str) -> list[str]:
    """Where ``source`` reads ``….run.replications`` / ``….run.seed`` or tests ``replications``/``seed is None``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr in ("replications", "seed")
                and isinstance(node.value, ast.Attribute) and node.value.attr == "run"):
            found.append(f"line {node.lineno}: reads run.{node.attr}")
        if (isinstance(node, ast.Compare) and isinstance(node.left, ast.Name)
                and node.left.id in ("replications", "seed") and isinstance(node.ops[0], ast.Is)
                and isinstance(node.comparators[0], ast.Constant) and node.comparators[0].value is None):
            found.append(f"line {node.lineno}: tests {node.left.id} is None")
    return found


def test_the_scan_sees_a_planted_default() -> None:
    planted = "def f(scenario, replications=None):\n    n = scenario.run.replications if replications is None else replications\n"
    assert sorted(fallbacks(planted)) == ["line 2: reads run.replications", "line 2: tests replications is None"]
    assert fallbacks("def g(first, seed):\n    return seed or first.run.seed\n") == ["line 2: reads run.seed"]
    assert fallbacks("def h(settings):\n    return settings.replications, settings.seed\n") == []


def test_no_module_below_the_edge_defaults_replications_or_the_seed() -> None:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel not in FOLDS and (hits := fallbacks(path.read_text(encoding="utf-8"))):
            found[rel] = hits
    assert not found, ("replications or the seed defaulted from run: below the edge (fold them once with "
                       f"orgsim.experiment.settings.Settings.fold and pass the Settings down): {found}")
