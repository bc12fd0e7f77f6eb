"""orgsim explore: sensitivity indices, win rules, resume, serial = pool = Dask, and bad ranges."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orgsim.errors import OrgsimError
from orgsim.explore import explore, parse_vary
from orgsim.explore.prim import peel
from tests.explore_cases import THRESHOLD, handoff_pair, mm1
from tests.helpers import stalled_child

ROOT = Path(__file__).resolve().parents[1]
RATE = "demand.departments.Product.requests.ask.per_day"
EFFORT = "demand.departments.Product.requests.ask.effort_hours.mean"
INERT = "policies.merge_hours"  # no request is split, so no merge ever happens


def test_morris_ranks_rate_and_effort_and_finds_the_inert_input_inert(tmp_path: Path) -> None:
    base = mm1(tmp_path)
    inputs = parse_vary([f"{RATE}=4.8..9.6", f"{EFFORT}=0.5..1", f"{INERT}=0..2"])
    ex = explore([base], inputs, method="morris", samples=4, replications=1, seed=3)
    mu = ex.indices[ex.indices["metric"] == "silo_latency_rmst"].set_index("input")["mu_star"]
    # common random numbers: the same arrivals and efforts whatever merge_hours, so its effect is exactly nothing
    assert mu[INERT] == 0
    assert mu[RATE] > 0.1 and mu[EFFORT] > 0.1
    assert len(ex.samples) == 4 * (3 + 1)  # Morris: samples x (inputs + 1) points


def test_the_rule_finds_the_threshold_where_the_winner_flips(tmp_path: Path) -> None:
    handoff, extra = handoff_pair(tmp_path)
    key = "policies.request_handling_factor"
    ex = explore([handoff, extra], parse_vary([f"{key}=1..5", f"{INERT}=0..1"]), method="sobol", samples=16,
                 replications=1, seed=4)
    rule = ex.rules.iloc[0]
    x = np.sort(ex.samples[key].unique())
    gap = np.diff(x[(x > THRESHOLD - 1) & (x < THRESHOLD + 1)]).max()  # the sampling resolution near the threshold
    assert rule["winner"] == "handoff" and rule["loser"] == "extra-work"
    assert list(rule["box"]) == [key]  # the inert input is not in the rule
    low, high = rule["box"][key]
    assert low is None and abs(high - THRESHOLD) <= gap
    share = float((ex.samples[key] >= THRESHOLD).mean())
    assert rule["holds_share"] == pytest.approx(share)
    assert f"unless {key} < " in rule["rule"] and f"holds in {share:.0%}" in rule["rule"]


def test_peel_finds_a_box_in_two_inputs() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, size=(400, 3))
    box = peel(x, (x[:, 0] > 0.6) & (x[:, 1] < 0.3))
    assert box.low[0] == pytest.approx(0.6, abs=0.05) and box.high[1] == pytest.approx(0.3, abs=0.05)
    assert box.low[2] is None and box.high[2] is None and box.density == 1.0


@pytest.mark.parametrize(("spec", "says"), [
    (f"{INERT}=2..1", "--vary policies.merge_hours=2..1: the range is empty"),
    ("policies.merge_hour=0..1", "no key 'policies.merge_hour' in the scenario; did you mean 'policies.merge_hours'?"),
    ("policies.rework_share=0.5..3", "--vary policies.rework_share=0.5..3 (at 3): Input should be less than or equal to 2"),
    ("proficiency=-1..2", "--vary proficiency=-1..2 (policies.proficiency_factors.none=0): Input should be greater than 0"),
    ("policies.merge_hours=a..b", "expected a range of two numbers LOW..HIGH"),
])
def test_bad_ranges_are_one_line_errors(tmp_path: Path, spec: str, says: str) -> None:
    base = mm1(tmp_path)
    with pytest.raises(OrgsimError) as err:
        explore([base], parse_vary([spec]), samples=2, replications=1)
    assert says in str(err.value) and "\n" not in str(err.value)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = subprocess.run([sys.executable, "-m", "orgsim", "explore", str(base), "--vary", spec, "--samples", "2"],
                         env=env, capture_output=True, text=True)
    assert cli.returncode == 1 and says in cli.stderr and "Traceback" not in cli.stderr
    assert len(cli.stderr.strip().splitlines()) == 1


def test_serial_pool_and_dask_give_the_same_tables(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    handoff, extra = handoff_pair(tmp_path)
    inputs = parse_vary(["policies.request_handling_factor=1..5"])
    args = {"method": "morris", "samples": 2, "replications": 2, "seed": 9}
    serial = explore([handoff, extra], inputs, workers=1, **args)
    pool = explore([handoff, extra], inputs, workers=2, **args)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as c:
        dask = explore([handoff, extra], inputs, scheduler=c, **args)
    for other in (pool, dask):
        pd.testing.assert_frame_equal(serial.outcomes, other.outcomes)
        pd.testing.assert_frame_equal(serial.indices, other.indices)
        pd.testing.assert_frame_equal(serial.rules, other.rules)


#: an exploration that, once its third run is on disk, says so and waits to be killed (run in a child process)
_STALL = """
import sys, time
from pathlib import Path
from orgsim.explore import explore, parse_vary

def stall(done):
    if done == 3:
        Path(sys.argv[4]).write_text("3")
        time.sleep(600)

explore([sys.argv[1], sys.argv[2]], parse_vary(["policies.request_handling_factor=1..5"]), samples=2, replications=1,
        seed=2, out=Path(sys.argv[3]), progress=stall)
"""


def test_kill_and_resume_gives_the_same_tables(tmp_path: Path) -> None:
    handoff, extra = handoff_pair(tmp_path)
    inputs = parse_vary(["policies.request_handling_factor=1..5"])
    whole = tmp_path / "whole"
    explore([handoff, extra], inputs, samples=2, replications=1, seed=2, out=whole)
    cut, ready = tmp_path / "cut", tmp_path / "ready"
    with stalled_child(_STALL, [str(handoff), str(extra), str(cut), str(ready)], ready):
        pass  # killed once its third run is on disk
    assert len(list((cut / "parts").glob("*.json"))) == 3  # killed with three runs of eight on disk
    with pytest.raises(OrgsimError, match="--resume"):
        explore([handoff, extra], inputs, samples=2, replications=1, seed=2, out=cut)
    with pytest.raises(OrgsimError, match="holds a different exploration"):
        explore([handoff, extra], inputs, samples=2, replications=1, seed=3, out=cut, resume=True)
    ran: list[int] = []
    explore([handoff, extra], inputs, samples=2, replications=1, seed=2, out=cut, resume=True, progress=ran.append)
    assert ran[0] == 4 and ran[-1] == 8  # the three runs on disk were not run again
    for name in ("samples", "outcomes", "differences", "indices", "rules"):
        assert (whole / f"{name}.csv").read_text() == (cut / f"{name}.csv").read_text(), name
    assert (whole / "exploration.json").read_text() == (cut / "exploration.json").read_text()


def test_the_report_shows_the_rule_the_share_and_a_tornado(tmp_path: Path) -> None:
    from markupsafe import escape

    from orgsim.experiment.study import run_study
    from orgsim.explore import read_exploration
    from orgsim.report import render_report
    from orgsim.report.style import short_names
    from orgsim.scenario import load_scenario

    handoff, extra = handoff_pair(tmp_path)
    key = "policies.request_handling_factor"
    ex = explore([handoff, extra], parse_vary([f"{key}=1..5", f"{INERT}=0..1"]), method="sobol", samples=8,
                 replications=1, seed=4, out=tmp_path / "ex")
    data = read_exploration(tmp_path / "ex")
    assert "NaN" not in (tmp_path / "ex" / "exploration.json").read_text()
    study = run_study([load_scenario(handoff), load_scenario(extra)], replications=2, seed=4)
    html = " ".join(render_report(study, explore=data).split())
    rule = ex.rules["rule"].iloc[0]
    for full, short in sorted(zip(study.designs, short_names(study.designs), strict=True), key=lambda fs: -len(fs[0])):
        rule = rule.replace(full, short)  # named as on page one
    assert str(escape(rule)) in html
    assert 'id="explore"' in html and "tornado-" in html
    share = f"{(ex.samples[key] >= THRESHOLD).mean():.0%}"  # the recommendation (keep "handoff") holds where f >= 3
    assert f"in {share} of the sampled worlds" in html
    assert 'id="explore"' not in render_report(study)


def test_read_exploration_refuses_a_folder_without_one(tmp_path: Path) -> None:
    from orgsim.explore import read_exploration

    with pytest.raises(OrgsimError, match="holds no exploration.json"):
        read_exploration(tmp_path)


def test_no_vary_explores_the_stated_assumptions_and_says_which(tmp_path: Path) -> None:
    import json

    from orgsim.explore import DEFAULT_INPUTS

    base = mm1(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "orgsim", "explore", str(base), "--samples", "1", "--replications", "1"]
    text = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    assert "no --vary: exploring the inputs that have no source in the field" in text
    assert all(f"{i.name} from {i.low:g} to {i.high:g}" in text for i in DEFAULT_INPUTS)
    data = json.loads(subprocess.run([*args, "--json"], env=env, capture_output=True, text=True, check=True).stdout,
                      parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert data["defaults_used"] and [i["input"] for i in data["inputs"]] == [i.name for i in DEFAULT_INPUTS]
    assert data["points"] == 1 * (len(DEFAULT_INPUTS) + 1)


def test_a_key_varied_twice_through_a_group_is_refused(tmp_path: Path) -> None:
    base = mm1(tmp_path)
    with pytest.raises(OrgsimError, match="structure.handoff_hours.cross_pod, which another --vary sets too"):
        explore([base], parse_vary(["structure.handoff_hours.cross_pod=0..1", "handoff=0.5..2"]), samples=1,
                replications=1)
    with pytest.raises(OrgsimError, match="varied twice"):
        parse_vary([f"{INERT}=0..1", f"{INERT}=1..2"])
