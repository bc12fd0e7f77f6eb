"""Every example scenario reports insight reach; same seed, same per-insight table; `orgsim graph` runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.metrics import run_figures
from orgsim.metrics.insights import per_insight
from orgsim.scenario import load_scenario
from orgsim.sim.engine import simulate
from tests.tiny_insights import TINY

SCENARIOS = sorted(Path(__file__).parent.parent.joinpath("scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_example_reports_insight_reach(path: Path) -> None:
    s = load_scenario(path)
    s = s.model_copy(update={"run": s.run.model_copy(update={"horizon_days": 16.0, "warmup_days": 2.0})})
    a, b = simulate(s, seed=4), simulate(s, seed=4)
    reach = run_figures(a)["insight_reach"]
    assert reach["pairs"] > 0 and reach["reached"] + reach["missed"] == reach["pairs"]
    assert per_insight(a).equals(per_insight(b))


def test_graph_command_json(tmp_path: Path) -> None:
    # The tiny organisation of tests/test_measures.py: I = 3 ties inside the team, E = 3 out to departments.
    path = tmp_path / "tiny.yaml"
    YAML().dump(TINY, path)
    res = CliRunner().invoke(app, ["graph", str(path), "--json", "--top", "1"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)  # stderr holds the tiny file's warnings (skills no one lists, idle pods)
    assert body["ei_index"] == pytest.approx(0.0) and body["cross_group_tie_ratio"] == pytest.approx(1.0)
    assert list(body["bottlenecks"]) == ["person:lead"]
    assert body["bus_factor"] == {}  # no requests and no messages in the tiny file: no work to cover
