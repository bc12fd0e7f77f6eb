"""The cost of switching (``policies.switch_minutes``): setup time once per change of channel, function or audience."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orgsim import simulate
from orgsim.errors import OrgsimError
from orgsim.metrics import run_figures
from orgsim.metrics.registry import record
from orgsim.scenario import load_scenario, scenario_from_data
from tests.helpers import ALWAYS


def one_person(switch: dict[str, float], asks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Sol, around the clock, practised at everything, does every ask (1 h each) in arrival order."""
    return {
        "name": "one person",
        "channels": ["instagram", "linkedin"],
        "audiences": ["consumers"],
        "functions": ["insights", "content"],
        "demand": {"departments": {"Product": {"requests": {
            name: {"effort_hours": 1.0, "channels": ["instagram"], "function": "insights", **spec}
            for name, spec in asks.items()}}}},
        "team": {"people": {"sol": {**ALWAYS, "proficiency": {"default": "practised"}}}},
        "structure": {"kind": "custom", "intake": "pod",
                      "handoff_hours": {"same_pod": 0, "cross_pod": 0, "via_lead": 0, "department_intake": 0,
                                        "liaison": 0, "embedded": 0},
                      "pods": {"pod": {"members": ["sol"], "covers": {"departments": ["Product"]}}}},
        "policies": {"triage_minutes": 0, "handoff_delay": "fixed", "switch_minutes": switch},
        "run": {"horizon_days": 1, "warmup_days": 0, "replications": 1},
    }


ASKS = {
    "ig": {"at_hours": [1.0, 7.0, 9.0]},  # Instagram insights
    "li": {"at_hours": [3.0], "channels": ["linkedin"]},  # LinkedIn insights: a change of channel
    "post": {"at_hours": [5.0], "function": "content"},  # Instagram content: a change of function
}


def test_setup_is_added_once_per_change_and_counted_as_work() -> None:
    # Requests in arrival order: ig 1:00, li 3:00 (channel changes: +6 min), post 5:00 (channel back:
    # +6 min, function changes: +12 min), ig 7:00 (function back: +12 min), ig 9:00 (no change).
    result = simulate(scenario_from_data(one_person({"channel": 6, "function": 12}, ASKS)), seed=1)
    r = result.requests.sort_values("arrived")
    assert r["work_hours"].tolist() == pytest.approx([1.0, 1.1, 1.3, 1.2, 1.0])
    assert (r["answered"] - r["arrived"]).tolist() == pytest.approx([1.0, 1.1, 1.3, 1.2, 1.0])
    sol = result.people.set_index("person").loc["sol"]
    assert sol["switch_hours"] == pytest.approx(0.6)
    assert sol["busy_hours"] == pytest.approx(5.6)
    f = run_figures(result)
    assert f["switching_share"] == pytest.approx(0.6 / 5.6)
    assert record(f)["switching_share"] == pytest.approx(0.6 / 5.6)


def test_audience_switches_cost_their_own_minutes() -> None:
    asks = {"a": {"at_hours": [1.0], "audience": "consumers"}, "b": {"at_hours": [3.0], "audience": "press"}}
    data = one_person({"audience": 30}, asks)
    data["audiences"] = ["consumers", "press"]
    r = simulate(scenario_from_data(data), seed=1).requests.sort_values("arrived")
    assert r["work_hours"].tolist() == pytest.approx([1.0, 1.5])


def test_free_switching_changes_nothing_and_shows_no_figure() -> None:
    result = simulate(scenario_from_data(one_person({}, ASKS)), seed=1)
    assert result.requests["work_hours"].tolist() == pytest.approx([1.0] * 5)
    assert (result.people["switch_hours"] == 0).all()
    f = run_figures(result)
    assert "switching_share" not in f and "switching_share" not in record(f)


def test_a_bad_switch_cost_is_an_error_at_its_line(tmp_path: Path) -> None:
    base = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {base}\npolicies:\n  switch_minutes:\n    channel: -5\n")
    with pytest.raises(OrgsimError, match=r"bad.yaml:4:.*policies.switch_minutes.channel.*greater than or equal to 0"):
        load_scenario(bad)
