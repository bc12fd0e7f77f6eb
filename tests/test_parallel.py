"""Serial, local-pool and Dask runs give identical numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from ruamel.yaml import YAML

from orgsim.experiment import replicate
from orgsim.experiment.compare import compare
from orgsim.experiment.sweep import parse_set, sweep
from orgsim.scenario import scenario_from_data
from tests.helpers import mmc_data


def _designs() -> list:
    a = scenario_from_data(mmc_data(2, 0.8, horizon_days=8, warmup_days=1))
    b = scenario_from_data({**mmc_data(3, 0.8, horizon_days=8, warmup_days=1), "name": "three"})
    return [a, b]


def test_replicate_pool_equals_serial() -> None:
    s = _designs()[0]
    serial = replicate(s, 3, seed=5, workers=1)
    pooled = replicate(s, 3, seed=5, workers=2)
    for x, y in zip(serial, pooled, strict=True):
        pd.testing.assert_frame_equal(x.requests, y.requests)


def test_compare_serial_pool_and_dask_are_identical() -> None:
    distributed = pytest.importorskip("distributed")
    designs = _designs()
    serial = compare(designs, replications=3, seed=8, workers=1)
    pooled = compare(designs, replications=3, seed=8, workers=2)
    pd.testing.assert_frame_equal(serial, pooled)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = compare(designs, replications=3, seed=8, scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(serial, on_dask)


def test_replicate_and_sweep_run_on_dask_with_the_same_numbers(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    s = _designs()[0]
    base = tmp_path / "mmc.yaml"
    YAML().dump(mmc_data(2, 0.8, horizon_days=8, warmup_days=1), base)
    sets = [parse_set("team.size=2..3")]
    serial_runs = replicate(s, 2, seed=5, workers=1)
    serial_sweep = sweep(base, sets, replications=2, seed=5, workers=1)
    ticks: list[int] = []
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        dask_runs = replicate(s, 2, seed=5, scheduler=cluster)
        dask_sweep = sweep(base, sets, replications=2, seed=5, scheduler=cluster, out=tmp_path / "out",
                           progress=ticks.append)
    for x, y in zip(serial_runs, dask_runs, strict=True):
        pd.testing.assert_frame_equal(x.requests, y.requests)
    pd.testing.assert_frame_equal(serial_sweep, dask_sweep)
    assert sorted(ticks) == [1, 2, 3, 4] and len(list((tmp_path / "out" / "parts").glob("*.json"))) == 4


def test_run_jobs_sends_each_scenario_once_and_the_longest_first() -> None:
    from orgsim.experiment.parallel import Job, _pack
    from orgsim.experiment.replications import replication_seeds

    short, long_ = _designs()
    heavier = scenario_from_data({**mmc_data(2, 0.8, horizon_days=16, warmup_days=1), "name": "longer"})
    seeds = replication_seeds(4, 2)
    jobs = [Job(short, seeds[0]), Job(heavier, seeds[0]), Job(short, seeds[1]), Job(long_, seeds[1], detail=True),
            Job(heavier, seeds[1])]
    scenarios, light, order = _pack(jobs)
    assert scenarios == [short, heavier, long_]  # each once, in order of first use
    assert light == [(0, seeds[0], False), (1, seeds[0], False), (0, seeds[1], False), (2, seeds[1], True),
                     (1, seeds[1], False)]
    # expected arrivals: 16 days x 1.6/h (two people at 0.8), then 8 days x 2.4/h (three), then 8 days x 1.6/h;
    # ties keep their order
    assert order == [1, 4, 3, 0, 2]


def test_run_jobs_on_the_pool_equals_serial_in_the_jobs_order() -> None:
    from orgsim.experiment.parallel import Job, run_jobs
    from orgsim.experiment.replications import replication_seeds

    short, other = _designs()
    heavier = scenario_from_data({**mmc_data(2, 0.8, horizon_days=12, warmup_days=1), "name": "longer"})
    jobs = [Job(s, seed) for s in (short, heavier, other) for seed in replication_seeds(6, 2)]
    done: list[int] = []
    ticks: list[int] = []
    serial = run_jobs(jobs, workers=1)
    pooled = run_jobs(jobs, workers=2, progress=ticks.append, on_done=lambda i, f: done.append(i))
    assert json.dumps(pooled) == json.dumps(serial)  # as text: NaN figures compare equal
    assert sorted(done) == list(range(len(jobs))) and ticks == list(range(1, len(jobs) + 1))
