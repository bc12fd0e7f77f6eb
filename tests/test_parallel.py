"""Serial, local-pool and Dask runs give identical numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from orgsim.experiment import replicate
from orgsim.experiment.compare import compare
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
