"""Profile one orgsim run with pyinstrument and print the call tree.

    PYTHONPATH=$PWD python -m benchmarks.profile mmc          # a year of the M/M/5 reduction, 3 runs
    PYTHONPATH=$PWD python -m benchmarks.profile base         # 91 days of scenarios/base.yaml
    PYTHONPATH=$PWD python -m benchmarks.profile scale-1000   # 30 days of the 1,000-person organisation

This is how the engine work recorded in ``docs/validation.md`` was found.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pyinstrument import Profiler

from benchmarks.bench import LAM, MEAN, C
from benchmarks.scale import generated
from orgsim.analytic.reductions import mmc_scenario
from orgsim.scenario import load_scenario
from orgsim.scenario.model import Scenario
from orgsim.scenario.overrides import with_run_settings
from orgsim.sim.engine import simulate

ROOT = Path(__file__).resolve().parents[1]


def target(name: str) -> tuple[Scenario, int]:
    """The scenario to profile and how many runs to record."""
    if name == "mmc":
        return mmc_scenario(C, LAM, MEAN, horizon_days=365, warmup_days=0), 3
    if name == "base":
        return with_run_settings(load_scenario(ROOT / "scenarios/base.yaml"), horizon_days=91), 1
    return generated(int(name.removeprefix("scale-")), 30), 1


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["mmc", "base", "scale-100", "scale-300", "scale-1000"])
    ap.add_argument("--summary", action="store_true", help="profile summary mode")
    a = ap.parse_args(argv)
    scenario, runs = target(a.what)
    simulate(scenario, seed=1, summary=a.summary)  # warm up imports and caches
    profiler = Profiler(interval=0.001)
    profiler.start()
    for _ in range(runs):
        simulate(scenario, seed=1, summary=a.summary)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
