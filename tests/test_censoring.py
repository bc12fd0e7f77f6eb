"""Unanswered work counted: censored latency by hand, the backlog, and the unstable flag."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from orgsim.analytic.reductions import mmc_data
from orgsim.metrics import run_figures
from orgsim.metrics.censored import censored_latency
from orgsim.metrics.stability import backlog_series, overloaded_stations, unstable_reasons
from orgsim.scenario import load_scenario
from orgsim.scenario.loading import scenario_from_data
from orgsim.sim import simulate
from tests.conftest import ROOT


def test_deterministic_overloaded_server_by_hand() -> None:
    # D/D/1: a request every hour from t = 0 to 9, two hours of work each, first come first served, horizon 10 h.
    # Request k is answered at 2(k + 1): k = 0..4 answered (latencies 2, 3, 4, 5, 6), k = 5..9 open (ages 5..1).
    arrived = np.arange(10.0)
    answered = np.where(2 * (arrived + 1) <= 10, 2 * (arrived + 1), np.nan)
    f = censored_latency(arrived, answered, horizon=10.0, window=10.0)
    assert f["answered_share"] == 0.5 and f["tau_hours"] == 6.0  # the longest wait seen: request 4's 6 h
    assert f["lower_bound_mean"] == pytest.approx(35 / 10)  # (2+3+4+5+6 + 5+4+3+2+1) / 10
    # Kaplan–Meier (at risk = waits >= t; a censored wait at t still at risk at t):
    # S(2) = 8/9, S(3) = 8/9·6/7, S(4) = ·4/5, S(5) = ·2/3, S(6) = 0
    s = [1.0, 8 / 9]
    for at_risk in (7, 5, 3):
        s.append(s[-1] * (at_risk - 1) / at_risk)
    assert f["rmst"] == pytest.approx(2 * s[0] + s[1] + s[2] + s[3] + s[4])  # = 2 + 840/315
    assert f["rmst"] == pytest.approx(2 + 840 / 315)
    assert f["p50"] == 5.0 and f["p90"] == 6.0 and not f["p90_beyond_window"]


def test_nothing_open_is_the_plain_mean() -> None:
    f = censored_latency(np.array([0.0, 1.0, 2.0]), np.array([1.0, 4.0, 3.0]), horizon=10.0, window=10.0)
    assert f["rmst"] == pytest.approx(5 / 3) == pytest.approx(f["lower_bound_mean"])
    assert f["answered_share"] == 1.0


def test_nothing_answered_counts_the_oldest_age() -> None:
    f = censored_latency(np.array([0.0, 4.0]), np.array([np.nan, np.nan]), horizon=10.0, window=10.0)
    assert f["rmst"] == 10.0 and f["p90_beyond_window"] and f["lower_bound_mean"] == 8.0


def _overloaded(per_hour: float) -> Any:
    """One always-on person, two hours of fixed work per request: overloaded when more than one arrives every 2 h."""
    data = mmc_data(1, per_hour, 2.0, horizon_days=20, warmup_days=0)
    data["demand"]["departments"]["Product"]["requests"]["ask"]["effort_hours"] = {"dist": "fixed", "mean": 2.0}
    return scenario_from_data(data)


def test_overloaded_server_never_reports_below_the_lower_bound() -> None:
    scenario = _overloaded(1.0)  # load 2: about half the work is answered
    assert overloaded_stations(scenario) == {"pod:pod": pytest.approx(2.0)}
    f = run_figures(simulate(scenario, seed=4))
    c = f["silo_latency_censored"]
    assert c["rmst"] >= c["lower_bound_mean"]
    assert c["answered_share"] == pytest.approx(0.5, abs=0.05)
    assert f["backlog"]["growing"] and f["backlog"]["open"][-1] == f["requests"]["backlog_at_end"]
    assert unstable_reasons(scenario, f)[0].startswith("offered load 2.00× capacity")


def test_a_stable_server_is_not_flagged() -> None:
    scenario = _overloaded(0.25)  # load 0.5
    f = run_figures(simulate(scenario, seed=4))
    assert overloaded_stations(scenario) == {} and not f["backlog"]["growing"]
    assert unstable_reasons(scenario, f) == []


def test_backlog_series_counts_open_requests() -> None:
    s = backlog_series(np.array([0.5, 1.5, 2.5]), np.array([1.0, np.nan, 3.5]), warmup=0.0, horizon=4.0)
    assert s == {"hours": [0.0, 1.0, 2.0, 3.0, 4.0], "open": [0.0, 0.0, 1.0, 2.0, 1.0], "mean": 0.8,
                 "arrived": 3}


@pytest.mark.parametrize("name", ["solo", "network", "audience", "function", "embedded"])
def test_example_designs_censored_figures(name: str) -> None:
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    f = run_figures(simulate(scenario, seed=1))
    c = f["silo_latency_censored"]
    assert c["rmst"] >= c["lower_bound_mean"] - 1e-9
    assert bool(unstable_reasons(scenario, f)) == (name == "solo")  # only the one-person team is unstable


# --- the one-person team is flagged unstable in every command -------------------------------

SOLO, NETWORK = str(ROOT / "scenarios" / "solo.yaml"), str(ROOT / "scenarios" / "network.yaml")


def _cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from orgsim.cli import app

    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res


def _short(tmp_path: Any, name: str, days: int = 21) -> str:
    text = (ROOT / "scenarios" / name).read_text().replace("extends: base.yaml", f"extends: {ROOT / 'scenarios' / 'base.yaml'}")
    path = tmp_path / name
    path.write_text(text + f"\nrun:\n  horizon_days: {days}\n  warmup_days: 3\n")
    return str(path)


def test_solo_is_unstable_in_run_compare_sweep_and_report(tmp_path: Any) -> None:
    import json

    solo, network = _short(tmp_path, "solo.yaml"), _short(tmp_path, "network.yaml")
    res = _cli("run", solo, "--replications", "2", "--workers", "1", "--json")
    assert json.loads(res.stdout)["unstable"][0].startswith("offered load 1.44× capacity")
    assert "unstable" in res.stderr  # the validation warning, as in every command that loads it
    res = _cli("compare", network, solo, "--replications", "2", "--workers", "1", "--json")
    designs = json.loads(res.stdout)["designs"]
    flagged = {d: v["unstable"] for d, v in designs.items()}
    assert not flagged["by-network"] and flagged["one-person-team"]
    solo_metrics = designs["one-person-team"]["metrics"]
    assert all(v["verdict"] != "better" for v in solo_metrics.values() if v["unit"] == "h")
    res = _cli("compare", solo, network, "--replications", "2", "--workers", "1")
    assert "UNSTABLE one-person team" in " ".join(res.stdout.split())
    res = _cli("sweep", solo, "--set", "run.seed=1", "--replications", "1", "--workers", "1")
    assert "UNSTABLE at run.seed=1: offered load 1.44×" in res.stdout
    out = tmp_path / "r.html"
    _cli("report", network, solo, "--replications", "2", "--workers", "1", "-o", str(out))
    page = out.read_text()
    assert 'id="chart-backlog"' in page  # a growing backlog is charted
    assert "“one-person team” does not keep up with the work" in page  # one line on page one
    assert "offered load 1.44× capacity" in page.split('id="findings"')[1]  # why, in the appendix
    assert "Holm-corrected" in page
