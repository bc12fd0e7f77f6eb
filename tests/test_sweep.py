"""Sweeps: grids, dotted overrides, and a resumable folder that survives SIGKILL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from ruamel.yaml import YAML

from orgsim.errors import OrgsimError
from orgsim.experiment.sweep import apply_overrides, expand_grid, parse_set, sweep
from orgsim.scenario import load_data
from tests.conftest import ROOT
from tests.helpers import mmc_data, stalled_child


def test_grid_expansion() -> None:
    sets = [parse_set("team.size=2..4"), parse_set("policies.approval_steps=0,1")]
    grid = expand_grid(sets)
    assert len(grid) == 6 and grid[0] == {"team.size": 2, "policies.approval_steps": 0}
    assert grid[-1] == {"team.size": 4, "policies.approval_steps": 1}


def test_overrides_and_team_size() -> None:
    data, _ = load_data(ROOT / "scenarios" / "network.yaml")
    steps = data["policies"]["approval_steps"]
    out = apply_overrides(data, {"policies.approval_steps": steps + 1, "demand.departments.Product.requests": {},
                                 "team.size": 14})
    assert out["policies"]["approval_steps"] == steps + 1 and out["demand"]["departments"]["Product"]["requests"] == {}
    assert len(out["team"]["people"]) == 14
    assert data["policies"]["approval_steps"] == steps  # the base data is not changed in place
    small = apply_overrides(data, {"team.size": 3})
    assert len(small["team"]["people"]) == 3 and data["structure"]["lead"] in small["team"]["people"]


def test_unknown_key_names_the_nearest() -> None:
    data, _ = load_data(ROOT / "scenarios" / "network.yaml")
    with pytest.raises(OrgsimError, match=r"no key 'policies.aproval_steps'.*did you mean 'policies.approval_steps'"):
        apply_overrides(data, {"policies.aproval_steps": 1})
    with pytest.raises(OrgsimError, match=r"did you mean 'demand.departments.Product'"):
        apply_overrides(data, {"demand.departments.Prodcut.description": "x"})


def _base(tmp_path: Path) -> Path:
    path = tmp_path / "mmc.yaml"
    YAML().dump(mmc_data(2, 0.7, horizon_days=6, warmup_days=1), path)
    return path


def test_sweep_table_is_tidy(tmp_path: Path) -> None:
    table = sweep(_base(tmp_path), [parse_set("team.size=2..3")], replications=2, seed=3)
    lat = table[table["metric"] == "silo_latency_mean"].set_index("team.size")
    assert list(lat.index) == [2, 3] and lat.loc[3, "mean"] < lat.loc[2, "mean"]
    assert {"point", "metric", "label", "unit", "mean", "ci_low", "ci_high", "replications"} <= set(table.columns)
    assert set(lat["label"]) == {"silo latency, mean of answered requests only"} and set(lat["unit"]) == {"h"}


#: a sweep that, once its third run is on disk, says so and waits to be killed (run in a child process)
_STALL = """
import sys, time
from pathlib import Path
from orgsim.experiment.sweep import parse_set, sweep

def stall(done):
    if done == 3:
        Path(sys.argv[3]).write_text("3")
        time.sleep(600)

sweep(sys.argv[1], [parse_set("team.size=2..7")], replications=2, workers=1, out=Path(sys.argv[2]), progress=stall)
"""


def test_kill_and_resume_gives_the_same_table(tmp_path: Path) -> None:
    base = _base(tmp_path)
    args = [sys.executable, "-m", "orgsim", "sweep", str(base), "--set", "team.size=2..7", "--replications", "2",
            "--workers", "1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    whole = tmp_path / "whole"
    subprocess.run([*args, "--out", str(whole)], check=True, env=env, capture_output=True)
    cut, ready = tmp_path / "cut", tmp_path / "ready"
    with stalled_child(_STALL, [str(base), str(cut), str(ready)], ready):
        rival = subprocess.run([*args, "--out", str(cut), "--resume"], env=env, capture_output=True, text=True)
        assert rival.returncode == 1 and "another orgsim run" in rival.stderr, rival.stderr  # refused, not merged
        assert len(list((cut / "parts").glob("p*.json"))) == 3
    assert len(list((cut / "parts").glob("p*.json"))) == 3  # killed with exactly three runs of twelve on disk
    # the killed sweep's lock names a dead process: it is taken over, not obeyed for ever
    again = subprocess.run([*args, "--out", str(cut)], env=env, capture_output=True, text=True)
    assert again.returncode == 1 and "--resume" in again.stderr
    subprocess.run([*args, "--out", str(cut), "--resume"], check=True, env=env, capture_output=True)
    assert len(list((cut / "parts").glob("p*.json"))) == 12
    pd.testing.assert_frame_equal(pd.read_parquet(whole / "sweep.parquet"), pd.read_parquet(cut / "sweep.parquet"))


def test_with_changes_sets_one_lever_and_validates_again() -> None:
    from orgsim import load_scenario, with_changes

    base = load_scenario(ROOT / "scenarios" / "network.yaml")
    changed = with_changes(base, {"policies.approval_steps": 0}, name="no sign-off")
    assert changed.policies.approval_steps == 0 and changed.name == "no sign-off"
    assert changed.model_dump(exclude={"name", "policies"}) == base.model_dump(exclude={"name", "policies"})
    with pytest.raises(OrgsimError, match=r"^with_changes policies.triage_minutes='ten': Input should be a valid number.*'ten'"):
        with_changes(base, {"policies.triage_minutes": "ten"})
    with pytest.raises(OrgsimError, match=r"did you mean 'policies.approval_steps'"):
        with_changes(base, {"policies.aproval_steps": 0})


def test_sweep_chart_draws_the_table_means() -> None:
    from matplotlib.container import ErrorbarContainer

    from orgsim.report.plots import sweep_chart

    rows = [{"point": p, "policies.approval_steps": p, "metric": m, "label": m.replace("_", " "),
             "unit": "h" if m.startswith("silo") else "share", "mean": v, "ci_low": v - 1, "ci_high": v + 2,
             "replications": 4}
            for p in range(3) for m, v in (("silo_latency_rmst", 10.0 + p), ("insight_reach_share", 0.1 * p))]
    fig = sweep_chart(pd.DataFrame(rows))
    latency, reach = fig.axes
    (bars,) = [c for c in latency.containers if isinstance(c, ErrorbarContainer)]
    assert list(bars.lines[0].get_ydata()) == [10.0, 11.0, 12.0]
    assert latency.get_ylabel() == "hours" and "4 replications" in fig.texts[0].get_text()
    with pytest.raises(ValueError, match="not a swept key"):
        sweep_chart(pd.DataFrame(rows), x="team.size")


def test_sweep_json_is_strict_json(tmp_path: Path) -> None:
    """Figures that are undefined (no answered request) print as null, never NaN or Infinity."""
    base = _base(tmp_path)
    out = subprocess.run([sys.executable, "-m", "orgsim", "sweep", str(base), "--set", "team.size=1,3",
                          "--replications", "2", "--workers", "1", "--json"],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=True)

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    records = json.loads(out.stdout, parse_constant=refuse)
    assert {r["team.size"] for r in records} == {1, 3} and all("metric" in r for r in records)


def test_a_sweep_folder_that_cannot_be_written_is_refused_before_running(tmp_path: Path) -> None:
    base = _base(tmp_path)
    target = tmp_path / "gone" / "deeper"
    with pytest.raises(OrgsimError, match="does not exist"):
        sweep(base, [parse_set("team.size=2")], replications=2, out=target, progress=_never)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(OrgsimError, match="dangling"):
        sweep(base, [parse_set("team.size=2")], replications=2, out=link, progress=_never)


def _never(done: int) -> None:
    raise AssertionError("simulated before the destination was checked")
