"""Is the workflow path (``steps:``) slower per step than the task path? One tandem, written both ways.

Run from the repository root::

    PYTHONPATH=$PWD python -m benchmarks.steps               # 5 rounds of 60 days
    PYTHONPATH=$PWD python -m benchmarks.steps --days 10 --rounds 2

The system is the benchmark's tandem (:mod:`benchmarks.child`): an M/M/5 pod
at load 0.8, then five always-on M/M/1 approvers at 0.6. Written as today's
request (one task at the pod, then ``policies.approval_chain``) it goes
through ``RequestFlows.request`` (parts and approvals); written as six ``steps:`` (the pod, then five
``external`` steps) through its workflow path (``RequestFlows._steps``). Both do six station visits
per request, so CPU seconds per thousand station visits compare the two
paths directly. Rounds alternate the order (a, b / b, a) with the same seed
for both; each run is timed with ``time.process_time`` after the scenario is
built. The mean latency of each is printed beside the product form, to show
they simulate one system.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from benchmarks.child import MEAN, REVIEWS, TANDEM_LAM, C
from orgsim.analytic import tandem_sojourn
from orgsim.analytic.reductions import ALL_DAYS, tandem_data
from orgsim.metrics.latency import run_figures
from orgsim.scenario.model import Scenario
from orgsim.sim.engine import Model


def scenarios(days: float) -> dict[str, Scenario]:
    """The tandem as today's request with an approval chain, and as six workflow steps."""
    task = tandem_data(C, TANDEM_LAM, MEAN, REVIEWS, horizon_days=days + 2, warmup_days=2)
    steps = tandem_data(C, TANDEM_LAM, MEAN, REVIEWS, horizon_days=days + 2, warmup_days=2)
    ask = steps["demand"]["departments"]["Product"]["requests"]["ask"]
    del ask["effort_hours"]
    ask["needs_approval"] = False
    ask["steps"] = [{"name": "pod", "pod": "pod", "effort_hours": {"dist": "exponential", "mean": MEAN}}] + [
        {"name": f"review{i}", "external": f"approver{i}", "hours": "00:00-24:00", "days": list(ALL_DAYS),
         "effort_hours": {"dist": "exponential", "mean": m}} for i, m in enumerate(REVIEWS)]
    steps["policies"]["approval_steps"], steps["policies"]["approval_chain"] = 0, []
    return {"task path": Scenario.model_validate(task), "workflow path": Scenario.model_validate(steps)}


def _run(s: Scenario, seed: int) -> tuple[float, int, float]:
    model = Model(s, seed, direct=False)
    start = time.process_time()
    result = model.run()
    cpu = time.process_time() - start
    visits = sum(w.tasks_done for w in model.workers.values())
    return cpu, visits, float(run_figures(result)["silo_latency_answered_hours"]["mean"])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=60.0)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    designs = scenarios(args.days)
    out: dict[str, list[tuple[float, int, float]]] = {k: [] for k in designs}
    for r in range(args.rounds):
        order = list(designs) if r % 2 == 0 else list(reversed(designs))
        for name in order:
            out[name].append(_run(designs[name], r + 1))
    theory = tandem_sojourn(TANDEM_LAM, [(C, MEAN), *((1, m) for m in REVIEWS)])
    print(f"tandem (M/M/{C} at 0.8, then {len(REVIEWS)} M/M/1 at 0.6), {args.days:g} days, {args.rounds} rounds; "
          f"product form {theory:.3f} h")
    table = {}
    for name, runs in out.items():
        per_k = [cpu / visits * 1000 for cpu, visits, _ in runs]
        table[name] = statistics.median(per_k)
        print(f"  {name:14s} CPU {statistics.median(c for c, _, _ in runs):6.2f} s  station visits "
              f"{statistics.median(v for _, v, _ in runs):8.0f}  CPU per 1,000 visits {table[name] * 1000:6.1f} ms "
              f"(rounds {min(per_k) * 1000:.1f}-{max(per_k) * 1000:.1f})  mean latency "
              f"{statistics.mean(x for _, _, x in runs):.3f} h")
    print(f"  workflow / task, per visit: {table['workflow path'] / table['task path']:.2f}")
    return table


if __name__ == "__main__":
    main()
