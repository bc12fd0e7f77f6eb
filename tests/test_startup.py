"""Start-up stays light: the everyday commands never load the heavy libraries (checked without a clock)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEAVY = ("scipy", "pandas", "matplotlib")
#: the engine's running parts: `validate` runs the analytic estimate (its overload check), which shares the engine's
#: on-duty calendars (orgsim.sim.calendar) and nothing else of it
ENGINE = ("simpy", "orgsim.sim.engine", "orgsim.sim.kernel", "orgsim.sim.flows", "orgsim.sim.workers",
          "orgsim.sim.record", "orgsim.sim.result")

_PROBE = """
import json, sys
from orgsim.cli import app
try:
    app({args!r}, standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded_after(args: list[str], watched: tuple[str, ...] = HEAVY) -> list[str]:
    """The ``watched`` modules a fresh interpreter holds after running ``orgsim ARGS`` in-process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _PROBE.format(args=args, heavy=watched)], capture_output=True,
                         text=True, cwd=ROOT, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [
    ["--help"],
    ["validate", "scenarios/network.yaml"],
    ["estimate", "scenarios/network.yaml"],
], ids=["help", "validate", "estimate"])
def test_light_commands_load_no_heavy_library(args: list[str]) -> None:
    assert _loaded_after(args) == []


@pytest.mark.parametrize("args", [
    ["validate", "scenarios/network.yaml"],
    ["validate", "scenarios/solo.yaml"],  # overloaded: the estimate finds it (a warning)
    ["estimate", "scenarios/network.yaml"],
], ids=["validate", "validate-overloaded", "estimate"])
def test_validate_and_estimate_load_no_engine(args: list[str]) -> None:
    # the estimate ran (validate's overload check), and nothing of the engine's running parts came with it
    assert _loaded_after(args, (*HEAVY, *ENGINE, "orgsim.analytic.estimate")) == ["orgsim.analytic.estimate"]


#: what `validate` and `estimate` never need: numpy (0.13 CPU-s of a 0.5 CPU-s aim). A workflow's traffic equations
#: are solved exactly in whole numbers (orgsim.scenario.traffic), so a scenario with `steps:` needs it no more than one
#: without
NUMERIC = ("numpy",)
#: shipped scenarios without `steps:`: one per structure, the overloaded solo team, a what-if with insights
NO_WORKFLOW = ("scenarios/network.yaml", "scenarios/function.yaml", "scenarios/audience.yaml", "scenarios/embedded.yaml",
               "scenarios/solo.yaml", "scenarios/what-if/network-insight-platform.yaml")
#: every shipped scenario with `steps:`: request types' workflows (one with a rework loop, one under the planning
#: seat, three at once in the calibration example) and leadership's interruptions as a workflow
WORKFLOW = ("scenarios/what-if/network-content-pipeline.yaml", "scenarios/what-if/network-planning-seat.yaml",
            "scenarios/calibration/handoffs.yaml", "scenarios/what-if/network-idea-as-project.yaml")


@pytest.mark.parametrize("file", NO_WORKFLOW + WORKFLOW)
def test_validate_loads_no_numpy(file: str) -> None:
    # every check of validate ran (the lint's estimate included, with each workflow's visits), without numpy
    assert _loaded_after(["validate", file], (*NUMERIC, "orgsim.analytic.estimate")) == ["orgsim.analytic.estimate"]


@pytest.mark.parametrize("file", ["scenarios/network.yaml", *WORKFLOW])
def test_estimate_loads_no_numpy(file: str) -> None:
    assert _loaded_after(["estimate", file], NUMERIC) == []


def test_the_workflow_files_have_workflows() -> None:
    """The lists above say what they hold: every WORKFLOW file has `steps:` (so its visits were solved), no other."""
    from orgsim.scenario import load_scenario

    def workflows(file: str) -> int:
        s = load_scenario(ROOT / file)
        intr = s.policies.interruptions
        return sum(1 for d in s.demand.departments.values() for rt in d.requests.values() if rt.steps) + \
            int(intr is not None and bool(intr.steps))

    assert all(workflows(f) for f in WORKFLOW) and not any(workflows(f) for f in NO_WORKFLOW)


def test_the_probe_sees_numpy_load(tmp_path: Path) -> None:
    """The check can fail: generating a design sizes its pods with numpy, and the probe sees it come."""
    out = tmp_path / "designs"
    assert _loaded_after(["designs", "scenarios/network.yaml", "--out", str(out), "--only", "network"], NUMERIC) == ["numpy"]
    assert (out / "network.yaml").is_file()  # the command ran to the end


@pytest.mark.parametrize("file", [*NO_WORKFLOW, "scenarios/what-if/network-content-pipeline.yaml"])
def test_validate_loads_no_networkx(file: str) -> None:
    # the lint's idle and overload checks read an untimed routing plan (orgsim.org.plan, timed=False): queues,
    # servers and loads without the shortest paths, so networkx's import (285 modules, 0.07 CPU-s) never happens
    watched = ("networkx", "orgsim.org.plan", "orgsim.analytic.estimate")
    assert _loaded_after(["validate", file], watched) == ["orgsim.analytic.estimate", "orgsim.org.plan"]


def test_the_probe_sees_networkx_load() -> None:
    """The check can fail: `estimate` times every handoff on the organisation graph, and that needs networkx."""
    assert _loaded_after(["estimate", "scenarios/network.yaml"], ("networkx",)) == ["networkx"]


def test_the_probe_sees_the_engine_load() -> None:
    """The check can fail: `run` loads the engine, and the probe reports each part."""
    assert _loaded_after(["run", "scenarios/network.yaml", "--horizon-days", "2", "--warmup-days", "1",
                          "--replications", "1", "--json"], ENGINE) == sorted(ENGINE)


def test_the_probe_sees_a_heavy_import() -> None:
    """The check can fail: `run` needs pandas, and the probe reports it."""
    assert "pandas" in _loaded_after(["run", "scenarios/network.yaml", "--horizon-days", "2", "--warmup-days", "1",
                                      "--replications", "1", "--json"])


def test_import_orgsim_is_light_and_names_load_on_use() -> None:
    code = ("import sys, orgsim; before = 'pandas' in sys.modules; orgsim.summarize; "
            "print(before, 'pandas' in sys.modules, sorted(orgsim.__all__) == sorted(n for n in dir(orgsim) "
            "if n in orgsim.__all__))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert out.stdout.split() == ["False", "True", "True"]
