"""orgsim: how a social-media team's structure shapes silo latency and insight reach.

The layers, each usable on its own::

    scenario = load_scenario("scenarios/audience.yaml")   # YAML -> validated data
    scenario, warnings = check_file("scenarios/audience.yaml")  # ... and what may not be meant
    graph = build_org(scenario)                            # -> networkx graph
    result = simulate(scenario, seed=1)                    # -> one SimPy run
    totals = simulate(scenario, seed=1, summary=True)      # ... keeping running tallies only (long horizons)
    figures = summarize(replicate(scenario, 5))            # -> figures with 95% CIs
    table = compare([scenario, other], replications=5)     # -> DataFrame: paired differences, verdicts
    faster = with_changes(scenario, {"policies.approval_steps": 0})  # one lever, re-validated
    grid = sweep("scenarios/network.yaml", [("team.size", [6, 9, 12])])  # -> tidy DataFrame
"""

from orgsim.errors import OrgsimError, ScenarioError
from orgsim.experiment import replicate
from orgsim.experiment.compare import compare
from orgsim.experiment.sweep import sweep
from orgsim.metrics import run_figures, summarize
from orgsim.org import build_org
from orgsim.org.lint import check_file, lint
from orgsim.scenario import Scenario, load_scenario
from orgsim.scenario.overrides import with_changes
from orgsim.sim import Result, simulate

__all__ = [
    "OrgsimError",
    "Result",
    "Scenario",
    "ScenarioError",
    "build_org",
    "check_file",
    "compare",
    "lint",
    "load_scenario",
    "replicate",
    "run_figures",
    "simulate",
    "summarize",
    "sweep",
    "with_changes",
]
__version__ = "0.1.0"
