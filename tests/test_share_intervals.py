"""Every share's interval stays inside [0, 1]; the JSON's headline latency counts open requests; no figure is
silently constant across the example designs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.metrics.registry import metric
from orgsim.metrics.stats import mean_ci, share_ci, share_ci_columns
from tests.conftest import ROOT

runner = CliRunner()


@settings(deadline=None)  # the first call imports scipy's t quantile
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=20))
def test_a_share_interval_never_leaves_0_to_1_and_holds_its_mean(values: list[float]) -> None:
    mean, low, high = share_ci(values)
    assert low is not None and high is not None
    assert 0.0 <= low <= high <= 1.0
    assert low - 1e-12 <= mean <= high + 1e-12


@settings(deadline=None)
@given(st.integers(1, 12), st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_the_intervals_of_a_curve_at_once_are_share_ci_to_the_bit(replications: int, points: int, seed: int) -> None:
    """The chart's bands (every point of a curve at once) give share_ci's bounds exactly, gaps and bounds included."""
    rng = np.random.default_rng(seed)
    values = rng.beta(2, 3, size=(replications, points))
    values[:, ::5] = np.round(values[:, ::5])  # columns of 0s and 1s: the bounds and no spread
    values[:, 1::7] = 0.25  # no spread inside (0, 1)
    if points > 3:
        values[0, 3] = np.nan  # a replication without the pair: share_ci drops it
    low, high = share_ci_columns(values)
    for k in range(points):
        _, lo, hi = share_ci(list(values[:, k]))
        assert (lo is None and math.isnan(low[k])) or lo == low[k], (k, lo, low[k])
        assert (hi is None and math.isnan(high[k])) or hi == high[k], (k, hi, high[k])


def test_far_from_the_bounds_it_is_the_t_interval_near_them_it_bends_inside() -> None:
    mid = [0.39, 0.45, 0.33, 0.41, 0.37, 0.40, 0.36, 0.42]
    assert share_ci(mid)[1:] == pytest.approx(mean_ci(mid)[1:], abs=0.003)
    near = [0.95, 0.99, 1.0, 0.93, 0.99]
    assert mean_ci(near)[2] > 1  # what the report used to print: 101%
    _, low, high = share_ci(near)
    assert high < 1 and low < mean_ci(near)[1]  # inside, and wider on the side with room
    assert share_ci([1.0, 1.0, 1.0]) == (1.0, 1.0, 1.0)  # no spread: the point, as the t-interval gives
    assert share_ci([0.5]) == (0.5, None, None)


def test_utilisation_is_not_a_share_but_stays_at_or_above_zero() -> None:
    m = metric("utilization_max")
    assert not m.is_share and m.bounds[0] == 0
    _, low, high = m.ci([0.01, 1.4, 0.02])
    assert low == 0.0 and high > 1  # work beyond the shift is above 100%; a t-interval below 0 is cut at 0


def _short(tmp_path: Path, name: str) -> str:
    p = tmp_path / name
    p.write_text(f"extends: {ROOT / 'scenarios' / name}\nrun:\n  horizon_days: 10\n  warmup_days: 2\n")
    return str(p)


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("cmp")
    files = [_short(tmp, n) for n in ("network.yaml", "audience.yaml", "solo.yaml")]
    res = runner.invoke(app, ["compare", *files, "--replications", "3", "--workers", "1", "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_every_share_interval_in_compare_json_lies_in_0_1(compared: dict) -> None:
    checked = 0
    for design in compared["designs"].values():
        for mid, m in design["metrics"].items():
            low, high = m["ci95"]
            if low is None or m["unit"] != "share" or mid.startswith("utilization_"):  # utilisation can pass 100%
                continue
            assert 0 <= low <= high <= 1, (design["name"], mid, low, high)
            checked += 1
    assert checked > 30


def test_run_json_headline_latency_counts_open_requests(tmp_path: Path) -> None:
    res = runner.invoke(app, ["run", _short(tmp_path, "solo.yaml"), "--replications", "2", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert "silo_latency_hours" not in out  # renamed: it held the answered-only mean under the headline's name
    answered, headline = out["silo_latency_answered_hours"], out["silo_latency_censored"]
    assert all("silo_latency_answered_hours" in d and "silo_latency_hours" not in d for d in out["by_department"].values())
    # the one-person team leaves most work open: counting it makes the wait longer, never shorter
    assert headline["lower_bound_mean"] > answered["mean"] and headline["rmst"] >= headline["lower_bound_mean"]
    assert out["metrics"]["silo_latency_rmst"]["mean"] == pytest.approx(headline["rmst"])
    for figure in ("answered_share",):
        low, high = headline["ci95"][figure]
        assert 0 <= low <= high <= 1
    for target in out["reply_targets"].values():
        for low, high in target["ci95"].values():
            assert low is None or 0 <= low <= high <= 1


def test_a_study_saved_before_the_rename_still_loads(tmp_path: Path) -> None:
    from orgsim.experiment.study import Study, run_study
    from orgsim.scenario import load_scenario
    from orgsim.scenario.overrides import with_run_settings

    s = with_run_settings(load_scenario(ROOT / "scenarios" / "network.yaml"), horizon_days=5.0, warmup_days=1.0)
    study = run_study([s, s.model_copy(update={"name": "copy"})], replications=2, seed=1, workers=1, detail=False)
    path = study.save(tmp_path / "study.json")
    body = json.loads(path.read_text())
    for runs in body["runs"]:  # what format 2 wrote
        for f in runs:
            f["silo_latency_hours"] = f.pop("silo_latency_answered_hours")
            for d in f["by_department"].values():
                d["silo_latency_hours"] = d.pop("silo_latency_answered_hours")
    body["format"] = 2
    path.write_text(json.dumps(body))
    old = Study.load(path)
    assert np.allclose(old.values("silo_latency_mean", 0), study.values("silo_latency_mean", 0))


#: figures that may be the same for every example design, and why
SAME_BY_DESIGN = {
    "requests_arrived": "every design faces the same requests (common random numbers)",
}


def test_no_figure_of_the_example_designs_is_constant_without_a_reason() -> None:
    """A figure constant across designs is a bug until shown otherwise (the bus factor was 0 everywhere)."""
    from orgsim.experiment.study import run_study
    from orgsim.org.measures import bus_factors
    from orgsim.scenario import load_scenario
    from orgsim.scenario.overrides import with_run_settings

    names = ("network", "function", "audience", "embedded", "solo")
    scenarios = [with_run_settings(load_scenario(ROOT / "scenarios" / f"{n}.yaml"), horizon_days=10.0, warmup_days=2.0)
                 for n in names]
    study = run_study(scenarios, replications=2, seed=11, workers=1)
    constant = []
    for mid, rows in study.table.groupby("metric", sort=False):
        means = rows["mean"].to_numpy(dtype=float)
        if np.all(np.isnan(means)) or np.nanmin(means) == np.nanmax(means):
            constant.append(mid)
    assert set(constant) <= set(SAME_BY_DESIGN), constant
    # every chart's figures: the bus factor, the time breakdown, each person's load
    factors = [bus_factors(s) for s in scenarios]
    for skill in factors[0]:
        values = [f.get(skill, math.nan) for f in factors]
        assert len(set(values)) > 1 or values[0] > 0, (skill, values)
    parts = study.breakdown().groupby(["design", "part"])["hours"].mean().unstack()
    assert (parts.nunique() > 1).all() and (parts.fillna(0).to_numpy() > 0).any(axis=0).all()
    people = study.people().groupby("design")["utilization"].mean()
    assert people.nunique() > 1 and (people > 0).all()
