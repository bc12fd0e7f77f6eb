"""Resilience: whose absence breaks what, crises on thin pods, bus factors; budgeted, resumable, the same anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from orgsim.errors import OrgsimError
from orgsim.metrics.stats import mean_ci
from orgsim.resilience import Options, resilience, resilience_json
from orgsim.resilience.stresses import first_stresses, start_days, stressed, twin, windows
from orgsim.scenario import load_scenario
from orgsim.writes import strict_json
from tests.helpers import stalled_child
from tests.resilience_cases import crisis_pair, sole_keeper

#: small and quick: five days away, two days after, no crisis, launch or freeze unless a test asks
QUICK = Options(absent_days=5, after_days=2, crisis=(), launch=False, freeze=(), bus_max=2)
ROOT = Path(__file__).resolve().parents[1]


def _design(data: dict, name: str) -> dict:
    return next(d for d in data["designs"].values() if d["name"] == name)


def test_the_only_keeper_of_a_skill_is_the_top_risk_and_a_redundant_absence_changes_nothing(tmp_path: Path) -> None:
    data = resilience_json(resilience([sole_keeper(tmp_path)], QUICK, replications=4))
    d = _design(data, "sole keeper of b")
    assert [r["away"] for r in d["risks"]] == [["b1"]]  # b1 alone keeps channel b; nobody else is a risk
    top = d["risks"][0]
    assert "reply_within_24h_share_channel_b" in top["missed"] and top["sentence"].startswith("Without b1")
    by_id = {s["id"]: s for s in d["stresses"]}
    for redundant in ("p00", "p01", "p02"):  # a1, a2, a3: channel a keeps two people at ~10% load
        targets = [i for i in by_id[redundant]["impacts"].values() if i["target"] and i["harm"] == i["harm"]]
        assert targets and not any(i["missed"] for i in targets)
        assert max(abs(i["harm"]) for i in targets) < 0.05, redundant  # under half a point or 1.25% on any target
    b_reply = by_id["p03"]["impacts"]["reply_within_24h_share_channel_b"]
    assert b_reply["full"] > 0.95 and b_reply["stressed"] < 0.5 and b_reply["ci95"][1] < -0.3
    factors = {b["skill"]: b for b in d["bus_factors"]}
    assert factors["channel:b"]["bus_factor"] == 0 and factors["channel:b"]["people"] == ["b1"]
    assert factors["channel:a"]["bus_factor"] == 2 and factors["channel:a"]["at_least"]  # 2 of 3 away: still met


def test_a_crisis_hurts_the_design_whose_pod_for_that_channel_is_smallest_most(tmp_path: Path) -> None:
    thin, thick = crisis_pair(tmp_path)
    options = Options(absent_days=5, after_days=2, crisis=("c",), launch=False, freeze=(), bus_max=1)
    result = resilience([thin, thick], options, replications=4)
    metric = "reply_within_1h_share_channel_c"
    harms = []
    for d in result.designs:  # per replication: stressed minus full strength, then thin minus thick (same seeds)
        crisis, full = d.records["crisis-00"], d.full("crisis")
        harms.append(np.array([s[metric] - f[metric] for s, f in zip(crisis, full, strict=True)]))
    mean, low, high = mean_ci(list(harms[0] - harms[1]))
    assert high is not None and high < 0 and mean < -0.3  # the one-person pod loses far more replies within 1 h
    data = resilience_json(result)
    thin_crisis = next(s for s in _design(data, "thin c pod")["stresses"] if s["kind"] == "crisis")
    thick_crisis = next(s for s in _design(data, "thick c pod")["stresses"] if s["kind"] == "crisis")
    assert thin_crisis["severity"] > 1 > thick_crisis["severity"] and thick_crisis["missed"] == 0


def test_stresses_are_scenarios_with_an_absence_or_a_burst_over_the_same_window_as_their_twin(tmp_path: Path) -> None:
    s = load_scenario(sole_keeper(tmp_path))
    options = Options(absent_days=5, after_days=2, crisis=("b",), launch=True)
    wins = windows(options)
    stresses = {st.id: st for st in first_stresses(s, options)}
    away = stressed(s, stresses["p03"], wins["absence"], 4.0, options.absent_days)
    base = twin(s, wins["absence"], 4.0)
    assert (away.run.warmup_days, away.run.horizon_days) == (base.run.warmup_days, base.run.horizon_days) == (4.0, 11.0)
    assert away.team.people["b1"].absences[-1].start_day == 4.0 and away.team.people["b1"].absences[-1].days == 5
    assert away.demand == base.demand and not base.team.people["b1"].absences
    crisis = stressed(s, stresses["crisis-00"], wins["crisis"], 4.0, options.absent_days)
    burst = next(b for b in crisis.demand.bursts.values())
    assert (burst.start_day, burst.days, burst.multiplier, burst.channels) == (4.0, 2.0, 10.0, ["b"])
    assert crisis.run.horizon_days == 8.0  # two days of crisis, two after
    # the start is a whole day inside the measurable run, and the i-th start does not depend on the count
    five, eight = start_days(s, options, 7, 5, 3), start_days(s, options, 7, 8, 3)
    assert five == eight[:5] and all(2 <= d <= 9 and d == int(d) for d in eight) and len(set(eight)) > 1


def test_a_study_over_the_budget_is_refused_before_it_starts(tmp_path: Path) -> None:
    out = tmp_path / "big"
    with pytest.raises(OrgsimError, match=r"up to about [\d,]+ work items .* over the budget of 10,000,000"):
        resilience([ROOT / "scenarios" / "network.yaml"], replications=40, out=out)
    assert not out.exists()  # refused before the folder was made
    cli = subprocess.run([sys.executable, "-m", "orgsim", "resilience", str(ROOT / "scenarios" / "network.yaml"),
                          "--replications", "40", "--out", str(out)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert cli.returncode == 1 and "over the budget of 10,000,000" in cli.stderr and "--allow-large" in cli.stderr
    assert len(cli.stderr.strip().splitlines()) == 1 and not out.exists()


def _refused_total(monkeypatch: pytest.MonkeyPatch, design: Path, options: Options) -> float:
    """The work the budget counts for a study (every study is refused with a budget of 0, giving its figure)."""
    import re

    import orgsim.resilience.run as run

    monkeypatch.setattr(run, "MAX_WORK", 0)
    with pytest.raises(OrgsimError, match="work items") as refused:
        resilience([design], options, replications=2)
    found = re.search(r"up to about ([\d,]+) work items", str(refused.value))
    assert found is not None
    return float(found.group(1).replace(",", ""))


def test_the_budget_counts_a_crisis_on_the_stressed_scenario_by_the_cost_model(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    design = sole_keeper(tmp_path)
    mild, wild = (_refused_total(monkeypatch, design, Options(absent_days=5, after_days=2, crisis=("b",),
                                                              crisis_multiplier=m, launch=False, freeze=()))
                  for m in (10.0, 1000.0))
    # channel b's 40 messages a day, 990 times more of them over the 2 crisis days, in each of 2 replications
    assert wild - mild >= 2 * 990 * 2 * 40


def test_more_workers_than_cores_is_refused_before_the_folder_is_made(tmp_path: Path) -> None:
    out = tmp_path / "res"
    with pytest.raises(OrgsimError, match="--workers 4096: this machine gives orgsim"):
        resilience([sole_keeper(tmp_path)], QUICK, replications=2, workers=4096, out=out)
    assert not out.exists()


@pytest.mark.parametrize(("option", "says"), [
    ("--crisis=zz", "--crisis zz: "),
    ("--freeze=nobody", "--freeze nobody: "),
    ("--absent-days=0", "--absent-days 0: expected a number above 0"),
])
def test_bad_options_are_one_line_errors(tmp_path: Path, option: str, says: str) -> None:
    cli = subprocess.run([sys.executable, "-m", "orgsim", "resilience", str(sole_keeper(tmp_path)), option],
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert cli.returncode == 1 and says in cli.stderr and "Traceback" not in cli.stderr
    assert len(cli.stderr.strip().splitlines()) == 1


def test_serial_pool_and_dask_give_the_same_study(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    design = sole_keeper(tmp_path)
    options = Options(absent_days=5, after_days=2, crisis=("b",), launch=False, freeze=None, bus_max=2)
    serial = strict_json(resilience_json(resilience([design], options, replications=2, workers=1)))
    pool = strict_json(resilience_json(resilience([design], options, replications=2, workers=2)))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as c:
        dask = strict_json(resilience_json(resilience([design], options, replications=2, scheduler=c)))
    assert serial == pool == dask


#: a study that, once a run of its second round is on disk, says so and waits to be killed (run in a child process)
_STALL = """
import sys, time
from pathlib import Path
from typing import Any
from orgsim.resilience import Options, resilience

def stall(done):
    if len(list(Path(sys.argv[4], "parts").glob("*.json"))) >= int(sys.argv[3]):
        Path(sys.argv[2]).write_text(str(done))
        time.sleep(600)

resilience([sys.argv[1]], Options(absent_days=5, after_days=2, crisis=(), launch=False, freeze=None, bus_max=2),
           replications=2, out=Path(sys.argv[4]), progress=stall)
"""


def test_kill_and_resume_gives_the_same_files(tmp_path: Path) -> None:
    design = sole_keeper(tmp_path)
    options = Options(absent_days=5, after_days=2, crisis=(), launch=False, freeze=None, bus_max=2)
    whole = tmp_path / "whole"
    resilience([design], options, replications=2, out=whole)
    first_round = (2 + 4) * 2  # two twins and four people, two replications each
    cut, ready = tmp_path / "cut", tmp_path / "ready"
    with stalled_child(_STALL, [str(design), str(ready), str(first_round + 1), str(cut)], ready):
        pass  # killed with the first round and one run of the second on disk
    on_disk = len(list((cut / "parts").glob("*.json")))
    assert on_disk == first_round + 1 and not (cut / "resilience.json").exists()
    with pytest.raises(OrgsimError, match="--resume"):
        resilience([design], options, replications=2, out=cut)
    with pytest.raises(OrgsimError, match="holds a different resilience study"):
        resilience([design], options, replications=2, seed=99, out=cut, resume=True)
    ran: list[int] = []
    resilience([design], options, replications=2, out=cut, resume=True, progress=ran.append)
    assert len(list((cut / "parts").glob("*.json"))) == len(list((whole / "parts").glob("*.json")))
    for name in ("resilience.json", "stresses.csv", "impacts.csv", "bus_factors.csv"):
        assert (whole / name).read_bytes() == (cut / name).read_bytes(), name
    data = json.loads((cut / "resilience.json").read_text())
    assert data["designs"]["sole-keeper-of-b"]["stresses"][-1]["kind"] in ("freeze", "group")


def test_compare_json_carries_each_designs_resilience_and_the_most_resilient(tmp_path: Path) -> None:
    thin, thick = crisis_pair(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    saved = tmp_path / "res"
    made = subprocess.run([sys.executable, "-m", "orgsim", "resilience", str(thin), str(thick), "--crisis", "c",
                           "--absent-days", "5", "--after-days", "2", "--no-launch", "--freeze", "none", "--bus-max",
                           "1", "--replications", "3", "--out", str(saved)],
                          capture_output=True, text=True, env=env)
    assert made.returncode == 0, made.stderr
    assert "people whose absence on their own misses a target" in made.stdout and "most resilient" in made.stdout
    cli = subprocess.run([sys.executable, "-m", "orgsim", "compare", str(thin), str(thick), "--replications", "3",
                          "--json", "--resilience-from", str(saved)], capture_output=True, text=True, env=env)
    assert cli.returncode == 0, cli.stderr
    data = json.loads(cli.stdout)
    saved_json = json.loads((saved / "resilience.json").read_text())
    assert data["resilience"]["most_resilient"] == saved_json["most_resilient"] in data["designs"]
    for design in data["designs"].values():
        r = design["resilience"]
        assert {"risks", "bus_factors", "stresses", "absences_missing", "single_points"} <= set(r)
        crisis = next(s for s in r["stresses"] if s["kind"] == "crisis")
        assert set(crisis["impacts"]["reply_within_1h_share_channel_c"]) >= {"full", "stressed", "diff", "ci95",
                                                                            "verdict", "missed"}
    other = subprocess.run([sys.executable, "-m", "orgsim", "compare", str(thin), str(sole_keeper(tmp_path)),
                            "--replications", "2", "--json", "--resilience-from", str(saved)],
                           capture_output=True, text=True, env=env)
    assert other.returncode == 1 and "holds no design named 'sole keeper of b'" in other.stderr


def test_on_dask_a_study_has_one_client_and_its_longest_runs_go_first(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    from orgsim.scenario.limits import arrivals_per_replication

    made: list[int] = []
    sent: list[tuple[Any, int]] = []
    init, submit = distributed.Client.__init__, distributed.Client.submit

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(1)
        init(self, *args, **kwargs)

    def recorded(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append((args[-1], kwargs["priority"]))
        return submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "__init__", counted)
    monkeypatch.setattr(distributed.Client, "submit", recorded)
    options = Options(absent_days=5, after_days=2, crisis=("b",), launch=False, freeze=None, bus_max=2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as c:
        resilience([sole_keeper(tmp_path)], options, replications=2, scheduler=c)
    assert made == [1]  # every round of the study through one client
    assert sent and all(p == round(arrivals_per_replication(job.scenario)[0]) for job, p in sent)
    assert len({p for _, p in sent}) > 1  # the crisis's runs are longer: they start first
