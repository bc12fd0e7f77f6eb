"""Paired comparison of designs on common random numbers."""

from __future__ import annotations

import copy
import json
import re

from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.experiment.compare import compare
from orgsim.scenario import scenario_from_data
from tests.conftest import ROOT
from tests.helpers import mmc_data


def test_a_design_against_itself_differs_by_exactly_zero() -> None:
    s = scenario_from_data(mmc_data(2, 0.8, horizon_days=10, warmup_days=1))
    table = compare([s, s], replications=3, seed=4)
    other = table[table["design"].eq(s.name)].iloc[len(table) // 2:]
    assert (other["diff"].fillna(0) == 0).all()
    assert set(other["verdict"]) == {"no clear difference"}


def test_twice_the_people_on_the_bottleneck_is_better() -> None:
    slow = mmc_data(2, 0.9, horizon_days=20, warmup_days=2)
    fast = copy.deepcopy(slow)
    fast["name"] = "four people"
    fast["team"]["people"].update({f"q{i}": copy.deepcopy(fast["team"]["people"]["p0"]) for i in range(2)})
    fast["structure"]["pods"]["pod"]["members"] += ["q0", "q1"]
    table = compare([scenario_from_data(slow), scenario_from_data(fast)], replications=4, seed=1)
    row = table[(table["design"] == "four people") & (table["metric"] == "silo_latency_rmst")].iloc[0]
    assert row["verdict"] == "better"
    assert row["diff_high"] < 0  # the CI excludes zero
    head = table[(table["design"] == "four people") & (table["metric"] == "head_count")].iloc[0]
    assert head["diff"] == 2 and head["verdict"] == "higher"


def test_compare_cli_json() -> None:
    files = [str(ROOT / "scenarios" / f) for f in ("network.yaml", "audience.yaml")]
    res = CliRunner().invoke(app, ["compare", *files, "--replications", "2", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["replications"] == 2 and len(out["designs"]) == 2
    assert out["baseline"] == "by-network" and list(out["designs"]) == [
        "by-network", "by-audience"]
    design = out["designs"]["by-network"]
    assert design["name"] == "by network"
    metric = design["metrics"]["silo_latency_mean"]
    assert metric["label"] == "silo latency, mean of answered requests only" and metric["unit"] == "h"
    assert {"mean", "ci95", "diff_vs_baseline", "diff_ci95", "verdict"} <= set(metric)
    ids = set(design["metrics"])
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", i) for i in ids), ids
    assert {"reply_within_1h_share", "reply_within_24h_off_hours_share", "silo_latency_mean_dept_product"} <= ids
