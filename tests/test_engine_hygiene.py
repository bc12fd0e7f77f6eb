"""Structural guards for the engine's speed fixes (no wall-clock times: these machines are shared)."""

from __future__ import annotations

import ast
import gc
from collections import Counter
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import simpy

from orgsim.analytic.reductions import mmc_scenario
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings
from orgsim.sim import arrivals
from orgsim.sim.engine import Model, simulate
from orgsim.sim.kernel import Call
from orgsim.sim.workers import Worker
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
    monkeypatch.setattr(arrivals, "CHUNK", 7)  # hundreds of chunk boundaries, for requests and messages
    chunked = simulate(scenario, seed=2)
    pd.testing.assert_frame_equal(whole.requests, chunked.requests)
    pd.testing.assert_frame_equal(whole.messages, chunked.messages)
    pd.testing.assert_frame_equal(whole.people, chunked.people)


def test_the_run_hands_back_the_collectors_thresholds() -> None:
    before = gc.get_threshold()
    simulate(mmc_scenario(2, 1.0, 1.0, horizon_days=3, warmup_days=0), seed=1)
    assert gc.get_threshold() == before


def _is_alarm(event: object) -> bool:
    return isinstance(event, Call) and getattr(event.armed[0], "__func__", None) is Worker._alarm


def _alarms_per_person(model: Model) -> Counter[int]:
    alarms = Counter(entry[1] for entry in model.kernel.alarms)
    assert all(_is_alarm(entry[2]) for entry in model.kernel.alarms)
    assert not any(_is_alarm(entry[3]) for entry in model.kernel.heap if entry[3].callbacks)
    return alarms


def test_a_person_keeps_one_shift_alarm_however_often_they_are_woken() -> None:
    # network.yaml: office hours, people woken by messages many times a shift. Each idle
    # spell used to push an alarm of its own and leave it behind when the person was woken.
    scenario = with_run_settings(load_scenario(ROOT / "scenarios/network.yaml"), horizon_days=10, warmup_days=1)
    model = Model(scenario, seed=3)
    most: list[int] = []

    def watch() -> Generator[Any, Any, None]:
        while True:
            yield model.kernel.timeout(0.25)
            most.append(max(_alarms_per_person(model).values(), default=0))

    model.kernel.process(watch())
    model.run()
    assert len(most) > 900
    # one, and two only for the instant a pass at a boundary has set the next one before the old one fires
    assert max(most) <= 2
    assert sum(m == 1 for m in most) > 0.9 * len(most)


def test_the_run_loop_leaves_what_is_due_at_the_horizon_and_ends_its_clock_there() -> None:
    model = Model(mmc_scenario(1, 1.0, 0.5, horizon_days=2, warmup_days=0), seed=1)
    seen: list[float] = []
    for t in (47.5, 48.0, 50.0):
        model.kernel.timeout(t).callbacks.append(lambda _ev: seen.append(model.kernel.now))
    model.run()
    assert seen == [47.5] and model.kernel.now == 48.0


def test_the_run_loop_raises_a_failure_nobody_handled() -> None:
    model = Model(mmc_scenario(1, 1.0, 0.5, horizon_days=2, warmup_days=0), seed=1)

    def broken() -> Generator[Any, Any, None]:
        yield model.kernel.timeout(5.0)
        raise RuntimeError("a request flow went wrong")

    model.kernel.process(broken())
    with pytest.raises(RuntimeError, match="went wrong"):
        model.run()


def test_each_queue_counts_its_idle_servers_throughout_a_run() -> None:
    # PriorityDispatch.place skips looking at a queue's servers when its count says none is idle:
    # the count must follow every way a person goes idle and stops idling (woken by work,
    # by a shift alarm) in an organisation where people serve several queues.
    scenario = with_run_settings(load_scenario(ROOT / "scenarios/network.yaml"), horizon_days=10, warmup_days=1)
    model = Model(scenario, seed=3)
    checks: list[bool] = []
    idle_seen = 0

    def watch() -> Generator[Any, Any, None]:
        nonlocal idle_seen
        while True:
            yield model.kernel.timeout(0.25)
            for q in model.queues.values():
                waiting = sum(w.waiting is not None for w in q.servers)
                checks.append(q.idle == waiting)
                idle_seen += waiting
    model.kernel.process(watch())
    model.run()
    assert len(checks) > 900 and all(checks)
    assert idle_seen > 0 and any(len(w.queues) > 1 for w in model.workers.values())


def _simpy_private_names() -> set[str]:
    """Every private attribute SimPy's own classes keep (``self._now``, ``event._ok`` ...), read from its source."""
    names: set[str] = set()
    for path in Path(simpy.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                names.add(node.attr)
    return names


def _private_accesses(source: str, private: set[str]) -> list[str]:
    """``x._name`` reads and writes, and ``getattr``/``hasattr``/``setattr`` by name, of SimPy's private names."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in private:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "hasattr", "setattr", "delattr") and len(node.args) > 1
              and isinstance(node.args[1], ast.Constant) and node.args[1].value in private):
            found.append(f"line {node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
    return found


def test_no_module_outside_the_kernel_touches_simpys_private_attributes() -> None:
    # The kernel (orgsim/sim/kernel.py) is the one module that knows event order; SimPy runs on it through its
    # public environment interface. Everything else schedules through the kernel. Scanned: the package, the
    # tests and the benchmarks (names SimPy keeps private, whatever object they are read from).
    private = _simpy_private_names()
    assert {"_now", "_queue", "_eid", "_ok", "_value", "_defused", "_active_proc"} <= private
    kernel = ROOT / "orgsim/sim/kernel.py"
    offenders = {}
    for folder in ("orgsim", "tests", "benchmarks", "docs"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            found = _private_accesses(path.read_text(), private)
            if found and path != kernel:
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}
    # ... and the kernel itself needs none today (which is why simpy is no longer pinned to one minor version)
    assert _private_accesses(kernel.read_text(), private) == []


def test_the_private_access_scan_sees_an_access() -> None:
    """The scan can fail: the old engine's ways in are found."""
    private = _simpy_private_names()
    old = "heap = env._queue\nnow = self.env._now\nif not event._ok and not hasattr(event, '_defused'): pass\n"
    assert _private_accesses(old, private) == ["line 1: ._queue", "line 2: ._now", "line 3: ._ok",
                                               "line 3: hasattr(..., '_defused')"]
