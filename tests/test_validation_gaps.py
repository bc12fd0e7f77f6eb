"""Validation with no gaps and saved files read back (issue #34, items 2 and 4).

Every hostile value of the attack is refused at its own key, line and
column; none reaches the engine (where a date or a spread once crashed the
run). Saved studies and explorations are refused at the path of their first
bad value; undefined figures are said.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import ScenarioError
from orgsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
NETWORK = ROOT / "scenarios" / "network.yaml"
SOLO = ROOT / "scenarios" / "solo.yaml"


def _refused(tmp_path: Path, body: str) -> str:
    path = tmp_path / "x.yaml"
    path.write_text(f"extends: {NETWORK}\n{body}", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    first = info.value.problems[0]
    assert first.file == str(path) and first.line is not None and first.column is not None and first.key, str(first)
    return str(first).removeprefix(str(path))


@pytest.mark.parametrize(("body", "where", "says"), [
    ("policies:\n  interruptions:\n    per_week: 3\n    steps: []\n", ":5:5: policies.interruptions.steps:", "at least 1"),
    ("policies:\n  ? [a, b]\n  : 1\n", ":3:5: policies:", "a list used as a key"),
    ("run:\n  seed: " + "9" * 5000 + "\n", ":3:9: run.seed:", "a number of 5,000 characters"),
    ("run:\n  seed: " + str(2**128) + "\n", ":3:3: run.seed:", "less than 340282366920938463463374607431768211456"),
    ("policies: &p {self: *p}\n", ":2:21: policies.self:", "contains it"),
    ("run:\n  start_date: 9999-12-31\n", ":3:3: run.start_date:", "from 1900-01-01 to 2200-12-31"),
    ("run:\n  start_date: 0001-01-01\n", ":3:3: run.start_date:", "from 1900-01-01 to 2200-12-31"),
    ("run:\n  start_date: 2200-01-01\n  horizon_days: 30000\n", ":3:3: run.start_date:", "would end after 2262-04-10"),
    ("demand:\n  messages:\n    instagram:\n      weekly_profile: [" + ", ".join(["1"] * 140_000) + "]\n",
     ":5:", "a list of more than 10,000 items"),
    ("demand:\n  messages:\n    instagram:\n      handle_minutes: {dist: gamma, mean: 1.5, cv: 1e-155}\n",
     ":5:", "handle_minutes.cv: a spread of 1e-155 times the mean is no spread"),
])
def test_every_hostile_value_is_refused_at_its_key(tmp_path: Path, body: str, where: str, says: str) -> None:
    message = _refused(tmp_path, body)
    assert message.startswith(where) and says in message, message


def test_the_same_unknown_key_is_refused_however_it_arrives(tmp_path: Path) -> None:
    plain = _refused(tmp_path, "policies:\n  horizon_days: 1\n")
    merged = _refused(tmp_path, "run: &d {horizon_days: 42}\npolicies:\n  <<: *d\n")
    aliased = _refused(tmp_path, "run: &d {horizon_days: 42}\npolicies: *d\n")
    for message in (plain, merged, aliased):
        assert "policies.horizon_days: unknown key" in message, message


def test_a_long_list_is_refused_while_counted_not_after_the_slow_read(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ruamel.yaml import YAML

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the slow reader ran")

    monkeypatch.setattr(YAML, "load", never)
    body = "demand:\n  messages:\n    instagram:\n      weekly_profile: [" + ", ".join(["1"] * 20_000) + "]\n"
    assert "a list of more than 10,000 items" in _refused(tmp_path, body)


def test_a_gamma_with_the_smallest_spread_taken_still_runs(tmp_path: Path) -> None:
    from orgsim.sim import simulate

    path = tmp_path / "g.yaml"
    path.write_text(f"extends: {SOLO}\nrun: {{horizon_days: 1, warmup_days: 0}}\ndemand:\n  messages:\n    instagram:\n"
                    "      handle_minutes: {dist: gamma, mean: 1.5, cv: 0.000001}\n")
    result = simulate(load_scenario(path), seed=1)
    assert math.isfinite(result.messages["effort_hours"].sum()) if "effort_hours" in result.messages else True


# --- saved files read back --------------------------------------------------------------------------


def _orgsim(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stderr


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("saved") / "cmp"
    code, err = _orgsim("compare", str(SOLO), str(NETWORK), "--replications", "2", "--workers", "1", "--out", str(out))
    assert code == 0, err
    return out


@pytest.mark.parametrize(("value", "says"), [
    ("12", "runs[0][0].silo_latency_censored.rmst: expected a number (or null), got '12'"),
    (-5.0, "runs[0][0].silo_latency_censored.rmst: silo latency, restricted mean (open requests counted) is -5, "
           "expected a figure >= 0"),
    ([1, "x"], "runs[0][0].silo_latency_censored.rmst[1]: expected a number (or null), got 'x'"),
])
def test_a_damaged_study_is_refused_at_the_bad_value(tmp_path: Path, saved: Path, value: object, says: str) -> None:
    folder = tmp_path / "cmp"
    folder.mkdir()
    body = json.loads((saved / "study.json").read_text())
    body["runs"][0][0]["silo_latency_censored"]["rmst"] = value
    (folder / "study.json").write_text(json.dumps(body))
    code, err = _orgsim("report", "--from", str(folder), "-o", str(tmp_path / "r.html"))
    lines = [line for line in err.splitlines() if line.startswith("error")]
    assert code == 1 and len(lines) == 1 and says in lines[0], err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("value", [float("nan"), None])
def test_an_undefined_figure_is_said_not_drawn_silently(tmp_path: Path, saved: Path, value: object) -> None:
    folder = tmp_path / "cmp"
    folder.mkdir()
    body = json.loads((saved / "study.json").read_text())
    body["runs"][0][0]["silo_latency_censored"]["rmst"] = value
    (folder / "study.json").write_text(json.dumps(body))
    code, err = _orgsim("report", "--from", str(folder), "-o", str(tmp_path / "r.html"))
    assert code == 0, err
    assert "warning: undefined figures (NaN or null)" in err and "silo latency, restricted mean" in err
    assert "(1 of 2 replications)" in err


def test_an_exploration_with_an_unknown_metric_is_refused(tmp_path: Path, saved: Path) -> None:
    from orgsim.errors import OrgsimError
    from orgsim.experiment.saved import check_exploration

    body = {"format": 1, "method": "morris", "designs": ["a"], "design_ids": ["a"], "replications": 1, "seed": 1,
            "points": 1, "inputs": [{"input": "x", "low": 0, "high": 1}], "differences": [],
            "indices": [{"metric": "silo_latency_rmst"}, {"metric": "no_such_metric"}], "rules": []}
    with pytest.raises(OrgsimError, match=r"indices\[1\].metric: unknown metric 'no_such_metric'"):
        check_exploration(body, "exploration.json")
    body["indices"][1]["metric"] = "silo_latency_rmst"
    check_exploration(body, "exploration.json")
    folder = tmp_path / "ex"
    folder.mkdir()
    body["rules"] = "nope"
    (folder / "exploration.json").write_text(json.dumps(body))
    code, err = _orgsim("report", "--from", str(saved), "--explore", str(folder), "-o", str(tmp_path / "r.html"))
    assert code == 1 and "rules: expected array, got 'nope'" in err, err


@pytest.mark.parametrize("address", ["garbage", "http://127.0.0.1:1", "tcp://", "tcp://host"])
def test_a_scheduler_that_is_no_dask_address_is_one_line(address: str) -> None:
    code, err = _orgsim("run", str(SOLO), "--horizon-days", "1", "--warmup-days", "0", "--replications", "2",
                        "--scheduler", address)
    errors = [line for line in err.splitlines() if line.startswith("error")]
    assert code == 1 and len(errors) == 1 and "tcp://host:8786" in errors[0], err
