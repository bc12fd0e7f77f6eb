"""One cost model, counted before anything is spent (issue #34, item 1).

Each case of the attack that once ran for minutes, died of memory or was
refused for the wrong reason is written here as a file or a command; every
refusal names the figure and the limit, and arrives before any simulation.
The fuzz test draws bursts and workflows and checks the count against the
engine's own hourly rates and the workflow's traffic equations.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import OrgsimError, ScenarioError
from orgsim.scenario import load_scenario
from orgsim.scenario.cost import MAX_VISITS, burst_days, expected_visits, replication_cost
from orgsim.scenario.limits import MAX_POINTS, MAX_WORK, cores
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.workflow import Step, exits

ROOT = Path(__file__).resolve().parents[1]
NETWORK = ROOT / "scenarios" / "network.yaml"
SOLO = ROOT / "scenarios" / "solo.yaml"


def _file(tmp_path: Path, body: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {NETWORK}\n{body}", encoding="utf-8")
    return path


def _refused(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    first = info.value.problems[0]
    assert first.line is not None and first.column is not None, str(first)
    return str(first)


def _orgsim(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stderr


# --- every source of work is counted ----------------------------------------------------------------


def test_interruptions_are_counted_and_refused_at_their_line(tmp_path: Path) -> None:
    path = _file(tmp_path, "run: {horizon_days: 3650}\npolicies:\n  interruptions:\n    per_week: 490000\n")
    message = _refused(path)
    assert "x.yaml:4:3: policies.interruptions:" in message and "70,000 interruptions" in message
    assert f"over the budget of {MAX_WORK:,}" in message


def test_overlapping_bursts_multiply_as_in_the_engine(tmp_path: Path) -> None:
    bursts = "".join(f"    b{i}: {{start_day: 0, days: 7, multiplier: 1000, channels: [instagram]}}\n" for i in range(4))
    message = _refused(_file(tmp_path, f"demand:\n  bursts:\n{bursts}"))
    assert "demand.bursts" in message and "(50,000,000,000,0" in message  # 1000^4 a day: not 4 x 1000
    assert burst_days([(0, 1, 30), (0, 1, 30)], 2) == pytest.approx(901)  # x900 for a day, then a plain day


def test_recurring_work_and_other_work_are_counted() -> None:
    s = load_scenario(NETWORK)
    base = replication_cost(s).items
    chain = [{"external": "CMO", "other_work": {"share": 0.5, "effort_hours": {"dist": "fixed", "mean": 0.00001}}}]
    data = s.model_dump(mode="json", by_alias=True)
    data["policies"]["approval_chain"] = chain
    data["policies"]["approval_steps"] = 0
    data["policies"]["recurring_work"] = {"standup": {"person": next(iter(s.team.people)), "every_days": 1,
                                                      "hours": 0.25}}
    other = scenario_from_data(data, allow_large=True)
    cost = replication_cost(other)
    assert cost.drivers["recurring work"] == pytest.approx((42 + 1) / 42)  # days 0..42: 43 meetings in 42 days
    assert cost.drivers["approvers' other work"] == pytest.approx(0.5 / 0.00001 * 24)  # 50,000 tasks an on-duty hour, a bound
    assert cost.items > base + 42 * 24 * 50_000
    with pytest.raises(ScenarioError, match="approvers' other work"):
        scenario_from_data(data)


def test_a_workflow_counts_its_expected_visits() -> None:
    steps = [Step(name="draft", effort_hours=1),
             Step(name="review", effort_hours=1, branches={"rejected": {"to": "draft", "probability": 0.2}})]
    v = expected_visits(steps)
    assert v == pytest.approx([1.25, 1.25])  # 1 / (1 - 0.2) passes of each
    assert math.isinf(max(expected_visits([Step(name="a", effort_hours=1, then="a")])))


def test_a_near_certain_loop_is_refused_at_its_branch(tmp_path: Path) -> None:
    loop = ("demand:\n  departments:\n    Product:\n      requests:\n        looped:\n          per_week: 5\n"
            "          function: content\n          channels: [instagram]\n          steps:\n"
            "            - name: a\n              effort_hours: {dist: fixed, mean: 0.000001}\n"
            "              branches:\n                again: {to: a, probability: 0.99999999}\n")
    path = _file(tmp_path, loop)
    message = _refused(path)
    assert "x.yaml:14:" in message and "branches.again.probability" in message and "near-certain loop" in message
    with pytest.raises(ScenarioError, match="near-certain loop"):
        load_scenario(path, allow_large=True)  # never lifted: the run would not end


def test_the_replications_are_the_commands_not_the_files() -> None:
    code, err = _orgsim("estimate", str(NETWORK))  # a cheap command on the file: loads with one replication
    assert code == 0, err
    from orgsim.experiment import replicate
    from orgsim.scenario.overrides import with_run_settings

    s = with_run_settings(load_scenario(NETWORK), horizon_days=3650)  # was refused for the file's 10 replications
    assert s.run.horizon_days == 3650 and replication_cost(s).items < MAX_WORK
    with pytest.raises(OrgsimError, match=r"over the budget of 10,000,000 .*× 10 replications\)"):
        replicate(s)


# --- validation's own size, grids, samples, workers -----------------------------------------------


def test_thousands_of_departments_are_refused_while_counted(tmp_path: Path) -> None:
    deps = "".join(f"    D{i}:\n      requests:\n        r: {{per_week: 0.01, effort_hours: 1, function: content, "
                   f"channels: [instagram]}}\n" for i in range(6000))
    message = _refused(_file(tmp_path, f"demand:\n  departments:\n{deps}"))
    assert "demand.departments: more than 501 departments" in message and "over the limit of 250,000" in message


def test_a_huge_sweep_grid_is_refused_before_it_is_built() -> None:
    from orgsim.experiment.sweep import sweep

    for sets in ([("policies.approval_steps", list(range(100_001)))],
                 [("policies.approval_steps", list(range(100_001))), ("policies.triage_minutes", list(range(100_001)))]):
        with pytest.raises(OrgsimError, match=f"sweep points exceed the limit of {MAX_POINTS:,}"):
            sweep(NETWORK, sets, replications=1)
    with pytest.raises(OrgsimError, match="exceed the limit of 1,000,000 .*never lifted"):
        sweep(NETWORK, [("a", list(range(1001))), ("b", list(range(1001)))], replications=1, allow_large=True)


def test_a_sweep_over_the_budget_stops_validating_once_over(monkeypatch: pytest.MonkeyPatch) -> None:
    from orgsim.experiment import sweep as sweep_module

    seen: list[int] = []
    real = sweep_module.load_variants

    def counting(*args: object, **kwargs: object) -> object:
        each = kwargs.get("each")
        if each is not None:
            kwargs["each"] = lambda s: (seen.append(1), each(s))  # type: ignore[operator]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sweep_module, "load_variants", counting)
    with pytest.raises(OrgsimError, match=r"the first \d+ of 1,000 sweep points alone make"):
        sweep_module.sweep(NETWORK, [("run.horizon_days", list(range(1000, 2000)))], replications=100)
    assert 0 < len(seen) < 10


@pytest.mark.parametrize("samples", [2000, 20_000, 1_000_000])
def test_a_huge_exploration_is_refused_before_sampling(samples: int) -> None:
    from orgsim.explore import explore

    with pytest.raises(OrgsimError, match=f"exploration points .* exceed the limit of {MAX_POINTS:,}"):
        explore([NETWORK, SOLO], samples=samples, replications=1)


def test_more_workers_than_cores_are_refused_unless_asked() -> None:
    from orgsim.experiment import replicate

    s = load_scenario(SOLO)
    with pytest.raises(OrgsimError, match=f"--workers 100: .*the limit is {cores()}"):
        replicate(s, 2, workers=100)
    code, err = _orgsim("run", str(SOLO), "--horizon-days", "1", "--warmup-days", "0", "--replications", "2",
                        "--workers", "100")
    assert code == 1 and f"the limit is {cores()}" in err and err.count("\n") <= 2


# --- fuzz: bursts and workflows --------------------------------------------------------------------


HOURS = st.integers(min_value=0, max_value=24 * 14)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(HOURS, st.integers(min_value=1, max_value=24 * 10),
                          st.sampled_from([0.5, 1.5, 3.0, 30.0, 1000.0])), max_size=6))
def test_fuzz_bursts_count_what_the_engines_rates_sum_to(bursts: list[tuple[int, int, float]]) -> None:
    from orgsim.sim.demand import hourly_rates

    s = load_scenario(SOLO, {"run.horizon_days": 14, "run.warmup_days": 0})
    spans = [(h / 24, d / 24, m) for h, d, m in bursts]  # whole hours: the engine's grid
    objects = [type("B", (), {"start_day": a, "days": b, "multiplier": m})() for a, b, m in spans]
    flat = (1.0,) * 24, (1.0,) * 7
    engine = float(hourly_rates(24.0, *flat, 0.0, s, objects).sum())  # type: ignore[arg-type]
    counted = 24.0 * burst_days(spans, 14.0)
    assert counted == pytest.approx(engine, rel=1e-9)


BRANCH = st.tuples(st.integers(min_value=0, max_value=4), st.sampled_from([0.0, 0.1, 0.5, 0.9, 0.999, 0.99999999, 1.0]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(BRANCH, max_size=2), min_size=1, max_size=5))
def test_fuzz_workflows_are_counted_or_refused_never_run_forever(branches: list[list[tuple[int, float]]]) -> None:
    n = len(branches)
    steps = []
    for i, out in enumerate(branches):
        given_p = [(j % n, p) for j, p in out]
        total = sum(p for _, p in given_p)
        if total > 1:
            given_p = [(j, p / total) for j, p in given_p]
        steps.append({"name": f"s{i}", "effort_hours": 0.1,
                      "branches": {f"b{k}": {"to": f"s{j}", "probability": p} for k, (j, p) in enumerate(given_p)}})
    s = load_scenario(SOLO)
    data = s.model_dump(mode="json", by_alias=True)
    dept = next(iter(data["demand"]["departments"].values()))
    rtype = next(iter(dept["requests"].values()))
    rtype.pop("effort_hours", None)
    rtype.update(steps=steps, rework_probability=0.0, needs_approval=False)
    try:
        checked = scenario_from_data(data, allow_large=True)
    except ScenarioError as exc:
        assert all(p.key for p in exc.problems), str(exc)  # every refusal names its key
        return
    rt = next(iter(next(iter(checked.demand.departments.values())).requests.values()))
    assert rt.steps is not None
    v = np.array(expected_visits(rt.steps))
    assert np.all(np.isfinite(v)) and v.max() <= MAX_VISITS
    p = np.zeros((n, n))
    for i, go in enumerate(exits(rt.steps)):
        for j, prob in go:
            if j < n:
                p[i, j] += prob
    start = np.eye(n)[0]
    assert v == pytest.approx(start + v @ p, abs=1e-6)  # the traffic equations hold


def test_the_examples_cost_what_they_did() -> None:
    """The unit changed from arrivals to work items; the examples (no workflows) cost the same."""
    s = load_scenario(NETWORK)
    cost = replication_cost(s)
    assert cost.drivers["messages"] == pytest.approx(800)
    assert 37_000 < cost.items < 40_000
    assert os.cpu_count()
