"""Every example scenario loads, runs, loses nothing, and obeys Little's law."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from orgsim import Result, load_scenario, run_figures, simulate
from orgsim.scenario.overrides import with_run_settings
from tests.conftest import EXAMPLES, WHAT_IFS

IDS = [p.stem for p in EXAMPLES]


@cache
def short_run(path: Path) -> Result:
    scenario = with_run_settings(load_scenario(path), horizon_days=14, warmup_days=3)
    return simulate(scenario, seed=5)


def test_there_are_examples() -> None:
    assert {"base", "network", "function", "audience", "embedded", "solo"} <= set(IDS)


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_example_runs_and_conserves(path: Path) -> None:
    result = short_run(path)
    f = run_figures(result)
    req, msg = f["requests"], f["messages"]
    assert req["arrived"] > 0 and msg["arrived"] > 0
    assert req["arrived"] == req["completed"] + req["open_at_end"]
    assert msg["arrived"] == msg["answered"] + msg["open_at_end"]
    # every request row is either answered (with its four clocks) or open
    r = result.requests
    answered = r["answered"].notna()
    assert (r.loc[answered, "answered"] <= result.horizon_hours + 1e-9).all()
    parts = r.loc[answered, ["queue_hours", "work_hours", "handoff_hours", "approval_hours"]].sum(axis=1)
    np.testing.assert_allclose(parts, r.loc[answered, "latency_hours"], rtol=1e-9, atol=1e-9)
    assert (r.loc[answered, ["queue_hours", "work_hours", "handoff_hours", "approval_hours"]] >= -1e-9).all().all()
    assert r.loc[~answered, ["queue_hours", "work_hours"]].isna().all().all()


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_littles_law_bookkeeping(path: Path) -> None:
    # The engine's running count of open requests, integrated over the window,
    # must equal the time each request spent open inside the window, summed
    # from the per-request records: two independent ledgers of the same thing.
    result = short_run(path)
    r = result.requests
    w, t = result.warmup_hours, result.horizon_hours
    spent = (r["answered"].fillna(t).clip(upper=t) - r["arrived"].clip(lower=w)).clip(lower=0)
    assert result.in_system_hours["requests"] == pytest.approx(spent.sum(), rel=1e-9)
    m = result.messages
    spent = (m["answered"].fillna(t).clip(upper=t) - m["arrived"].clip(lower=w)).clip(lower=0)
    assert result.in_system_hours["messages"] == pytest.approx(spent.sum(), rel=1e-9)


@pytest.mark.parametrize("path", [p for p in EXAMPLES if p.stem != "solo"], ids=[i for i in IDS if i != "solo"])
def test_littles_law_stationary(path: Path) -> None:
    # L = lambda W for the stable designs (the one-person team is overloaded,
    # so its queue grows without bound and has no steady state). Tolerance
    # 15%: one 42-day run, edge effects at the warm-up and the horizon.
    f = run_figures(simulate(load_scenario(path), seed=9))["littles_law"]
    assert f["mean_in_system"] == pytest.approx(f["arrival_rate_per_hour"] * f["mean_time_in_system_hours"], rel=0.15)


@pytest.mark.parametrize("path", WHAT_IFS, ids=[p.stem for p in WHAT_IFS])
def test_what_if_runs_and_changes_one_lever(path: Path) -> None:
    # A what-if is its parent plus one lever: resolved, the two differ only
    # in name, description and the keys the file sets itself.
    extends = re.search(r"^extends: (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert extends, f"{path.name} should extend the design it varies"
    scenario, parent = load_scenario(path), load_scenario(path.parent / extends[1])
    changed = _leaves(scenario.model_dump(mode="json")).items() ^ _leaves(parent.model_dump(mode="json")).items()
    keys = {k for k, _ in changed} - {"name", "description", "extends"}
    lever = LEVERS[path.stem]
    levers = (lever,) if isinstance(lever, str) else lever
    assert keys and all(any(k == x or k.startswith(x + ".") for x in levers) for k in keys), keys
    assert run_figures(short_run(path))["requests"]["completed"] > 0


LEVERS: dict[str, str | tuple[str, ...]] = {"audience-email-not-1am": "policies.interruptions.style", "network-insight-platform": "insights.platform",
          "audience-pod-intake": "structure.intake",
          "network-content-pipeline": "demand.departments.Product.requests.launch_campaign",
          "network-idea-as-project": "policies.interruptions.steps",
          # a habit is one lever with its cost: the seat and its weekly meeting, the briefing and its preparation,
          # the CMO's sign-off and her own day
          "network-planning-seat": ("policies.planning_seat", "policies.recurring_work"),
          "network-trend-briefing": ("insights.trend_briefing", "policies.recurring_work"),
          "network-cmo-signs-off": ("policies.approval_steps", "policies.approval_chain")}


def _leaves(tree: object, prefix: str = "") -> dict[str, str]:
    if isinstance(tree, dict):
        return {k: v for key, sub in tree.items() for k, v in _leaves(sub, f"{prefix}{key}.").items()}
    return {prefix.rstrip("."): repr(tree)}


def test_every_design_states_its_intake_and_the_examples_share_one() -> None:
    # Intake is a lever of its own: the example designs are compared at the
    # same intake, and each file says which (the other is a what-if).
    designs = [p for p in EXAMPLES if p.name != "base.yaml"]
    for path in designs:
        assert re.search(r"^  intake: (lead|pod)$", path.read_text(encoding="utf-8"), re.MULTILINE), path.name
    assert {load_scenario(p).structure.intake for p in designs} == {"lead"}
