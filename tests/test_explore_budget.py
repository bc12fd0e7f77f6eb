"""orgsim explore's defaults fit the work budget: sized from it, said before running, never over it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import OrgsimError
from orgsim.explore import default_inputs, parse_vary
from orgsim.explore.budget import MORRIS_MOST, REPLICATIONS, size_exploration
from orgsim.explore.inputs import scenarios_at
from orgsim.explore.run import plan_exploration
from orgsim.scenario import limits
from orgsim.scenario.limits import arrivals_per_replication
from orgsim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def short_copies(tmp: Path, names: tuple[str, ...] = ("network", "audience"), days: float = 2) -> list[Path]:
    """The example designs as a user would shorten them: a file that extends each, with a shorter horizon."""
    out = []
    for name in names:
        path = tmp / f"{name}.yaml"
        path.write_text(f"extends: {ROOT / 'scenarios' / (name + '.yaml')}\n"
                        f"run: {{horizon_days: {days}, warmup_days: 0.5}}\n")
        out.append(path)
    return out


def per_sample(paths: list[Path], inputs: list | None = None, method: str = "morris") -> float:
    """Arrivals one sample (a Morris trajectory) costs at the default replications, as the sizing counts them."""
    bases = [load_scenario(p) for p in paths]
    chosen = inputs or default_inputs()
    return size_exploration(paths, bases, chosen, method, 1, REPLICATIONS, replications_given=False).arrivals


def test_the_default_exploration_of_two_example_designs_runs_within_its_budget(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # the smoke size: the example designs over 2 days, and a budget that holds 2.5 trajectories
    paths = short_copies(tmp_path)
    budget = 2.5 * per_sample(paths)
    monkeypatch.setattr(limits, "MAX_ARRIVALS", budget)
    res = CliRunner().invoke(app, ["explore", *map(str, paths), "--json"])
    assert res.exit_code == 0, res.stderr
    said = [line for line in res.stderr.splitlines() if not line.startswith("warning:")]  # (bursts after 2 days)
    assert len(said) == 1 and said[0].startswith("explore: sized to the budget of"), said
    assert "2 Morris trajectories = 8 worlds × 2 designs × 2 replications = 32 runs" in said[0]
    data = json.loads(res.stdout)
    assert data["points"] == 8 and data["replications"] == REPLICATIONS
    # what ran fits the budget: every world's own arrivals, summed over designs and replications
    plan = plan_exploration(paths)
    ran = sum(arrivals_per_replication(job.scenario)[0] for job in plan.jobs.values())
    assert plan.runs == 32 and ran <= budget


def test_the_default_takes_as_many_trajectories_as_fit_and_stops_at_the_useful_most(tmp_path: Path) -> None:
    paths = short_copies(tmp_path)
    bases = [load_scenario(p) for p in paths]
    one = per_sample(paths)
    for budget, expected in ((3.99 * one, 3), (7 * one, 7), (100 * one, MORRIS_MOST)):
        size = size_exploration(paths, bases, default_inputs(), "morris", None, REPLICATIONS, replications_given=False, budget=budget)
        assert size.samples == expected and size.arrivals <= budget
        assert f"{expected} Morris trajectories" in size.chosen
    assert "(the most that add to a ranking)" in size.chosen
    sobol = size_exploration(paths, bases, default_inputs(), "sobol", None, REPLICATIONS, replications_given=False, budget=100 * one)
    assert sobol.samples == 64 and "64 Sobol base points" in sobol.chosen
    sobol = size_exploration(paths, bases, default_inputs(), "sobol", None, REPLICATIONS, replications_given=False, budget=20 * one)
    # 20 Morris trajectories' worth of arrivals holds 16 Sobol base points (5 worlds each, not 4)
    assert sobol.samples == 16


def test_a_budget_too_small_for_the_fewest_samples_is_one_line(tmp_path: Path) -> None:
    paths = short_copies(tmp_path)
    bases = [load_scenario(p) for p in paths]
    with pytest.raises(OrgsimError, match=r"even 2 Morris trajectories \(8 worlds × 2 designs × 2 replications\) "
                                          r"would simulate about [\d,]+ arrivals, over the budget of 100"):
        size_exploration(paths, bases, default_inputs(), "morris", None, REPLICATIONS, replications_given=False, budget=100)
    # with --allow-large the default runs the fewest instead of refusing
    assert size_exploration(paths, bases, default_inputs(), "morris", None, REPLICATIONS, replications_given=False, budget=100,
                            allow_large=True).samples == 2


def test_samples_given_over_the_budget_are_refused_before_any_world_is_built(tmp_path: Path) -> None:
    # 250 samples: 2,000 points, within the points limit (a larger count is refused by that, earlier and cheaper)
    paths = short_copies(tmp_path, days=60)
    res = CliRunner().invoke(app, ["explore", *map(str, paths), "--samples", "250"])
    assert res.exit_code == 1
    line, = (x for x in res.stderr.splitlines() if not x.startswith("warning:"))
    assert re.match(r"error: explore: 250 samples \(1000 worlds × 2 designs × 2 replications\) would simulate "
                    r"about [\d,]+ arrivals, over the budget of 10,000,000", line), line


def test_an_input_that_moves_the_volumes_is_costed_at_its_costliest_end(tmp_path: Path) -> None:
    # volumes from 0.5 to 2: every world is costed as if at 2 (twice the file's arrivals)
    paths = short_copies(tmp_path, ("network",))
    base = load_scenario(paths[0])
    inputs = parse_vary(["volumes=0.5..2", "handoff=0.5..2"])
    doubled = arrivals_per_replication(scenarios_at(paths[0], base, inputs, [[2.0, 1.0]])[0])[0]
    assert doubled > 1.9 * arrivals_per_replication(base)[0]  # request and message rates doubled, not insights
    size = size_exploration(paths, [base], inputs, "morris", 1, 1)
    assert size.arrivals == pytest.approx(3 * doubled, rel=1e-9)  # 3 worlds a trajectory, each costed at 2
    plan = plan_exploration(paths, inputs, samples=3, replications=1, seed=4)
    assert sum(arrivals_per_replication(j.scenario)[0] for j in plan.jobs.values()) <= plan.size.arrivals


@pytest.mark.slow
def test_the_real_default_exploration_runs_within_its_budget() -> None:
    paths = [ROOT / "scenarios" / "network.yaml", ROOT / "scenarios" / "audience.yaml"]
    res = CliRunner().invoke(app, ["explore", *map(str, paths)])
    assert res.exit_code == 0, res.stderr
    assert "explore: sized to the budget of 10.0 million arrivals" in res.stderr
    plan = plan_exploration(paths)
    assert sum(arrivals_per_replication(j.scenario)[0] for j in plan.jobs.values()) <= limits.MAX_ARRIVALS
    assert f"{plan.size.worlds} sampled worlds (morris) x 2 designs x 2 replications" in res.stdout
