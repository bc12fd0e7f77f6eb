"""Structural guards for the engine's speed fixes (no wall-clock times: these machines are shared)."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from orgsim.analytic.reductions import mmc_scenario
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings
from orgsim.sim import engine
from orgsim.sim.engine import Model, simulate
from tests.conftest import ROOT


def test_always_on_workers_leave_no_pile_of_alarms() -> None:
    # An idle 24/7 worker used to set an alarm at the horizon every time it went idle:
    # thousands of pending timeouts after a few weeks. Now the heap holds about one event per worker.
    model = Model(mmc_scenario(5, 4.0, 1.0, horizon_days=60, warmup_days=0), seed=1)
    model.run()
    assert model.pending_events <= 2 * len(model.workers)


def test_the_run_hands_the_heap_back_to_the_collector() -> None:
    simulate(mmc_scenario(2, 1.0, 1.0, horizon_days=3, warmup_days=0), seed=1)
    assert gc.get_freeze_count() == 0


def test_arrivals_read_in_chunks_give_the_same_run(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = with_run_settings(load_scenario(ROOT / "scenarios/network.yaml"), horizon_days=10, warmup_days=1)
    whole = simulate(scenario, seed=2)
    monkeypatch.setattr(engine, "CHUNK", 7)  # hundreds of chunk boundaries, for requests and messages
    chunked = simulate(scenario, seed=2)
    pd.testing.assert_frame_equal(whole.requests, chunked.requests)
    pd.testing.assert_frame_equal(whole.messages, chunked.messages)
    pd.testing.assert_frame_equal(whole.people, chunked.people)
