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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from orgsim.errors import OrgsimError, ScenarioError

if TYPE_CHECKING:  # what the names below are, for type checkers and editors; loaded on first use
    from orgsim.experiment import replicate
    from orgsim.experiment.compare import compare
    from orgsim.experiment.sweep import sweep
    from orgsim.metrics import run_figures, summarize
    from orgsim.org import build_org
    from orgsim.org.lint import check_file, lint
    from orgsim.scenario import Scenario, load_scenario
    from orgsim.scenario.overrides import with_changes
    from orgsim.sim import Result, simulate

#: where each public name lives; imported on first use (PEP 562), so that `import orgsim`
#: and the CLI's light commands do not pay for pandas, scipy or matplotlib
_LAZY = {
    "Result": "orgsim.sim",
    "Scenario": "orgsim.scenario",
    "build_org": "orgsim.org",
    "check_file": "orgsim.org.lint",
    "compare": "orgsim.experiment.compare",
    "lint": "orgsim.org.lint",
    "load_scenario": "orgsim.scenario",
    "replicate": "orgsim.experiment",
    "run_figures": "orgsim.metrics",
    "simulate": "orgsim.sim",
    "summarize": "orgsim.metrics",
    "sweep": "orgsim.experiment.sweep",
    "with_changes": "orgsim.scenario.overrides",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        if name == "simulate":  # the engine checks its scenario and seed; the flags are checked here, at the face
            from orgsim.arguments import a_scenario, a_seed, checks, flag

            value = checks(scenario=a_scenario, seed=a_seed, trace=flag, summary=flag)(value)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'orgsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("orgsim")  # one place for the number: pyproject.toml
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"


__version__ = _version()
