"""orgsim's own throughput on (a) M/M/5 and (c) a year of base.yaml — the before/after figure for engine work.

    PYTHONPATH=$PWD python -m benchmarks.throughput
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.bench import LAM, MEAN, C, orgsim_run
from orgsim.analytic.reductions import mmc_scenario
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    for name, s in [(f"M/M/5 rho {LAM * MEAN / C:.1f}, 365 days", mmc_scenario(C, LAM, MEAN, horizon_days=365, warmup_days=0)),
                    ("base.yaml, 365 days", with_run_settings(load_scenario(ROOT / "scenarios/base.yaml"), horizon_days=365))]:
        best = 0.0
        for _ in range(3):
            t = time.perf_counter()
            req, msg = orgsim_run(s)
            best = max(best, (req + msg) / (time.perf_counter() - t))
        print(f"{name:<28} {req + msg:>9,} customers  best of 3: {best:>9,.0f}/s", flush=True)
