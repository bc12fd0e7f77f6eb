"""Summary mode: running tallies give the full tables' figures, without keeping a row per item."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from orgsim.analytic.reductions import mmc_scenario
from orgsim.cli import app
from orgsim.metrics import run_figures
from orgsim.metrics.censored import FULL_MODE_ONLY
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings
from orgsim.sim import simulate
from orgsim.sim.demand import BLOCK_HOURS
from orgsim.sim.engine import Model
from orgsim.sim.tally import Histogram
from tests.conftest import ROOT

PERCENTILES = {"p50", "p90", "p95"}


def _compare(full: Any, summary: Any, path: str = "") -> list[str]:
    """Every figure that differs: exactly for counts, to 1e-9 for sums and means, 1% for percentiles."""
    bad = []
    if isinstance(full, dict):
        full = {k: v for k, v in full.items() if k != "backlog"}  # sampled from the full tables only
        if path.endswith("silo_latency_censored"):
            full = {k: v for k, v in full.items() if k not in FULL_MODE_ONLY}
            summary = {k: v for k, v in summary.items() if k not in FULL_MODE_ONLY}
        assert set(full) == set(summary), f"{path}: keys {set(full) ^ set(summary)}"
        for k in full:
            bad += _compare(full[k], summary[k], f"{path}.{k}")
    elif isinstance(full, float) and math.isnan(full):
        if not (isinstance(summary, float) and math.isnan(summary)):
            bad.append(f"{path}: full nan, summary {summary}")
    elif isinstance(full, (int, float)) and not isinstance(full, bool):
        tol = 0.01 if path.rsplit(".", 1)[-1] in PERCENTILES else 1e-9
        if abs(full - summary) > tol * max(abs(full), 1e-3):
            bad.append(f"{path}: full {full}, summary {summary}")
    else:
        if full != summary:
            bad.append(f"{path}: full {full!r}, summary {summary!r}")
    return bad


def test_summary_mode_gives_the_full_figures() -> None:
    scenario = with_run_settings(load_scenario(ROOT / "scenarios/network.yaml"), horizon_days=42)
    full = simulate(scenario, seed=3)
    summary = simulate(scenario, seed=3, summary=True)
    assert len(summary.requests) == 0 and len(summary.messages) == 0  # no row per item ...
    assert summary.tally is not None and full.tally is None
    assert _compare(run_figures(full), run_figures(summary)) == []  # ... and the same figures


def test_summary_mode_draws_a_year_at_a_time_and_matches_over_two_years() -> None:
    scenario = mmc_scenario(3, 2.0, 1.0, horizon_days=400, warmup_days=10)
    model = Model(scenario, 5, summary=True)
    assert model.arr.msg_time.size == 0 and model.arr.req_time.max() < BLOCK_HOURS  # only the first year, so far
    full, summary = simulate(scenario, seed=5), simulate(scenario, seed=5, summary=True)
    assert full.requests["arrived"].max() > BLOCK_HOURS  # the run crosses into the second block
    f, s = run_figures(full), run_figures(summary)
    assert f["requests"] == s["requests"]
    assert _compare(f, s) == []


@pytest.mark.parametrize("values", [
    np.random.default_rng(1).lognormal(2, 1, 5000),
    np.random.default_rng(2).exponential(3, 40),
    np.array([0.0, 0.0005, 2.0, 2.0, 7.5]),
    np.array([12.0]),
], ids=["lognormal", "few", "ties-and-zero", "one"])
def test_histogram_percentiles_are_within_one_percent_of_numpy(values: np.ndarray) -> None:
    h = Histogram()
    for x in values:
        h.add(float(x))
    assert h.n == len(values) and h.mean == pytest.approx(values.mean())
    for q in (0, 10, 50, 90, 95, 100):
        exact = float(np.percentile(values, q))
        assert h.percentile(q) == pytest.approx(exact, rel=0.01, abs=1e-3), q


def test_cli_run_summary_writes_no_per_request_tables(tmp_path: Any) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(ROOT / "scenarios/solo.yaml"), "--summary", "--replications", "1",
                                   "--horizon-days", "10", "--warmup-days", "1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "summary.json").exists() and (out / "people.csv").exists()
    assert not (out / "requests.parquet").exists() and not (out / "messages.parquet").exists()
