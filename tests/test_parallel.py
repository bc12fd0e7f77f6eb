"""Serial, local-pool and Dask runs give identical numbers."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from ruamel.yaml import YAML

from orgsim.experiment import replicate, replication_seeds
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


def test_on_dask_a_task_carries_a_seed_not_the_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # run (replicate) and sweep: the scenario goes to each worker once (a plugin); a task is its key, index and seed
    distributed = pytest.importorskip("distributed")
    from distributed.protocol.pickle import dumps

    s = _designs()[0]
    base = tmp_path / "mmc.yaml"
    YAML().dump(mmc_data(2, 0.8, horizon_days=3, warmup_days=1), base)
    sent: list[int] = []
    submit = distributed.Client.submit

    def recorded(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(len(dumps((fn, args))))
        return submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "submit", recorded)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        replicate(s, 2, seed=5, scheduler=cluster)
        sweep(base, [parse_set("team.size=2..3")], replications=2, seed=5, scheduler=cluster)
    assert len(sent) == 2 + 4
    assert max(sent) < 1_000 < len(dumps(s)), (len(dumps(s)), sent)  # ~370 B a task; this small scenario 3 kB


def test_run_jobs_sends_each_scenario_once_and_the_longest_first() -> None:
    from orgsim.experiment.parallel import Job, _longest_first, _pack
    from orgsim.experiment.replications import replication_seeds

    short, long_ = _designs()
    heavier = scenario_from_data({**mmc_data(2, 0.8, horizon_days=16, warmup_days=1), "name": "longer"})
    seeds = replication_seeds(4, 2)
    jobs = [Job(short, seeds[0]), Job(heavier, seeds[0]), Job(short, seeds[1]), Job(long_, seeds[1], detail=True),
            Job(heavier, seeds[1])]
    scenarios, light, cost = _pack(jobs)
    assert scenarios == [short, heavier, long_]  # each once, in order of first use
    assert light == [(0, seeds[0], False), (1, seeds[0], False), (0, seeds[1], False), (2, seeds[1], True),
                     (1, seeds[1], False)]
    # expected arrivals: 16 days x 1.6/h (two people at 0.8), then 8 days x 2.4/h (three), then 8 days x 1.6/h;
    # ties keep their order
    assert cost == pytest.approx([8 * 24 * 1.6, 16 * 24 * 1.6, 8 * 24 * 2.4])
    assert _longest_first(light, cost) == [1, 4, 3, 0, 2]


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


def test_a_worker_killed_mid_study_gives_the_same_bytes(tmp_path: Path) -> None:
    # The scheduler runs a lost worker's jobs again elsewhere; every job seeds itself, so the saved
    # study is byte for byte the one of an undisturbed run.
    distributed = pytest.importorskip("distributed")
    import os
    import signal

    from orgsim.experiment.study import run_study

    designs = [scenario_from_data({**mmc_data(2, 0.8, horizon_days=20, warmup_days=1), "name": n}) for n in "ab"]
    run_study(designs, 6, seed=3, workers=1).save(tmp_path / "undisturbed.json")
    killed: list[tuple[str, int]] = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)

        def kill_a_busy_worker(done: int) -> None:
            if killed:
                return
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            if busy:  # kill -9 a worker in the middle of a job (its nanny starts a new one)
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append((busy[0], done))

        study = run_study(designs, 6, seed=3, scheduler=cluster, progress=kill_a_busy_worker)
    assert killed and killed[0][1] < 12, "no worker was busy to kill before the study ended"
    study.save(tmp_path / "on-dask.json")
    assert (tmp_path / "on-dask.json").read_bytes() == (tmp_path / "undisturbed.json").read_bytes()


def test_a_worker_with_another_orgsim_is_refused_in_one_line(tmp_path: Path) -> None:
    # A worker started on a copy of orgsim whose version differs joins the cluster: the study stops
    # before anything runs, with one error line naming the worker and both versions.
    distributed = pytest.importorskip("distributed")
    import re
    import shutil
    import subprocess
    import sys

    from typer.testing import CliRunner

    import orgsim
    from orgsim.cli import app

    other = tmp_path / "other"
    shutil.copytree(Path(orgsim.__file__).parent, other / "orgsim", ignore=shutil.ignore_patterns("__pycache__"))
    init = other / "orgsim" / "__init__.py"
    init.write_text(init.read_text() + '\n__version__ = "0.0.1"  # another release\n')
    files = []
    for name in ("a", "b"):
        YAML().dump({**mmc_data(2, 0.8, horizon_days=4, warmup_days=1), "name": name}, tmp_path / f"{name}.yaml")
        files.append(str(tmp_path / f"{name}.yaml"))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster:
        env = {**os.environ, "PYTHONPATH": str(other)}
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address,
                                   "--nthreads", "1", "--no-nanny", "--no-dashboard"], env=env, cwd=other,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with distributed.Client(cluster) as client:
                client.wait_for_workers(2, timeout=120)  # a bound on a hang, not a timing
            res = CliRunner().invoke(app, ["compare", *files, "--replications", "2", "--scheduler",
                                           cluster.scheduler_address])
        finally:
            worker.terminate()
            worker.wait()
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert re.match(r"error: --scheduler: worker tcp://\S+ runs orgsim 0\.0\.1 \(code \w+\), this machine "
                    rf"orgsim {re.escape(orgsim.__version__)} \(code \w+\);", lines[0]), lines[0]


def test_a_process_running_jobs_collects_cyclic_garbage_every_million_arrivals(monkeypatch: pytest.MonkeyPatch) -> None:
    # a run leaves reference cycles that only a full collection frees (see GC_EVERY_ARRIVALS): a worker
    # of thousands of runs must collect them as it goes, not grow by a few MB a run
    from orgsim.experiment import parallel

    collected: list[int] = []
    monkeypatch.setattr(parallel.gc, "collect", lambda *a: collected.append(1) or 0)
    monkeypatch.setattr(parallel, "_arrivals_since_collection", [0.0])
    for _ in range(3):
        parallel._collect_garbage_after(0.4 * parallel.GC_EVERY_ARRIVALS)
    assert len(collected) == 1 and parallel._arrivals_since_collection[0] == pytest.approx(0.0)
    s = _designs()[0]
    per_run = parallel.arrivals_per_replication(s)[0]
    monkeypatch.setattr(parallel, "GC_EVERY_ARRIVALS", 2.5 * per_run)
    parallel.run_jobs([parallel.Job(s, seed) for seed in replication_seeds(1, 5)], workers=1)
    assert len(collected) == 2  # once more, after the third run (runs 4 and 5 make 2 of the 2.5)


@pytest.mark.parametrize("address", ["garbage", "http://127.0.0.1:1", "tcp://h"])
def test_an_address_dask_cannot_read_is_one_line_before_any_client(address: str) -> None:
    # refused before a client is made: a half-made client printed a traceback when Python exited
    pytest.importorskip("distributed")
    from orgsim.errors import OrgsimError
    from orgsim.experiment.cluster import client_for

    with pytest.raises(OrgsimError, match=r"compare: scheduler: expected a Dask scheduler address like tcp://host:8786"):
        compare(_designs(), replications=2, seed=1, scheduler=address)
    with pytest.raises(OrgsimError, match=rf"--scheduler {re.escape(address)}: .*\(expected an address such as "):
        client_for(address)  # its own check, for a caller that did not go through the pool
