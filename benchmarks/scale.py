"""Scale: generated organisations up to 1,000 people in 50 departments, and memory against the horizon.

    PYTHONPATH=$PWD python -m benchmarks.scale                  # both tables (~6 min on 2 cores)
    PYTHONPATH=$PWD python -m benchmarks.scale --sizes 100 1000 --days 91 --years 1 2

(1) Each size has ``people / 20`` departments, each with its own pod of 20
(office hours, spread over three time zones), two request types of its own,
and one channel in ten per pod with community messages: traffic grows in
proportion to the organisation. Printed: building the model (routes on the
organisation graph) and running it apart, events (requests + messages) per
second of running — flat means time grows linearly with the traffic — and
peak resident memory.

(2) ``scenarios/base.yaml`` over 1, 2 and 4 simulated years, full mode
(a row per request and message) against summary mode (running tallies,
arrivals drawn a year at a time): peak resident memory above the
interpreter's baseline.

Every row runs in a fresh process, so each peak is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from orgsim.scenario.model import Scenario

ZONES = ("Europe/London", "America/New_York", "Asia/Singapore")
ROOT = Path(__file__).resolve().parents[1]


def generated(people: int, days: float = 365.0) -> Scenario:
    """``people`` people in ``people // 20`` departments, each served by its own pod."""
    n_dept = max(1, people // 20)
    channels = [f"ch{c}" for c in range(max(1, n_dept // 5))]
    depts = {f"Dept{d:02d}": {"requests": {
        kind: {"per_day": 4, "function": fn, "channels": [channels[d % len(channels)]], "audience": "all",
               "effort_hours": {"dist": "lognormal", "mean": 2.0, "cv": 1.0}}
        for kind, fn in (("insight", "insights"), ("content", "content"))}} for d in range(n_dept)}
    team, pods = {}, {}
    for d in range(n_dept):
        members = []
        for k in range(20):
            pid = f"p{d:02d}_{k:02d}"
            members.append(pid)
            team[pid] = {"timezone": ZONES[k % 3], "skills": {"channels": [channels[d % len(channels)]],
                                                              "functions": ["community", "insights", "content"],
                                                              "audiences": ["all"]}}
        pods[f"pod{d:02d}"] = {"members": members, "covers": {"departments": [f"Dept{d:02d}"],
                                                              **({"channels": [channels[d]]} if d < len(channels) else {})}}
    data = {
        "name": f"generated-{people}",
        "channels": channels,
        "audiences": ["all"],
        "demand": {"departments": depts,
                   "messages": {ch: {"per_day": 600, "handle_minutes": {"dist": "lognormal", "mean": 3, "cv": 1}}
                                for ch in channels}},
        "team": {"people": team},
        "structure": {"kind": "custom", "intake": "pod", "pods": pods},
        "run": {"horizon_days": days, "warmup_days": min(14, days / 4), "replications": 1},
    }
    return Scenario.model_validate(data)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(what: str, size: int, days: float, summary: bool) -> dict[str, float]:
    """One measured run in this process (called in a child process by :func:`main`)."""
    from orgsim.metrics import run_figures
    from orgsim.scenario import load_scenario
    from orgsim.scenario.overrides import with_run_settings
    from orgsim.sim.engine import Model

    scenario = generated(size, days) if what == "generated" else \
        with_run_settings(load_scenario(ROOT / "scenarios/base.yaml"), horizon_days=days)
    baseline = _peak_mb()
    t0 = time.perf_counter()
    model = Model(scenario, 1, summary=summary)
    t1 = time.perf_counter()
    result = model.run()
    figures = run_figures(result)
    t2 = time.perf_counter()
    return {"build": t1 - t0, "run": t2 - t1, "requests": figures["requests"]["arrived"],
            "messages": figures["messages"]["arrived"], "baseline_mb": baseline, "peak_mb": _peak_mb()}


def _child(what: str, size: int, days: float, summary: bool) -> dict[str, float]:
    cmd = [sys.executable, "-m", "benchmarks.scale", "--one", what, str(size), str(days), "summary" if summary else "full"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="orgsim at scale")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    ap.add_argument("--days", type=float, default=365.0, help="simulated days for the size table")
    ap.add_argument("--years", type=int, nargs="*", default=[1, 2, 4], help="horizons of the memory table (none: skip it)")
    ap.add_argument("--one", nargs=4, metavar=("WHAT", "SIZE", "DAYS", "MODE"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.one:
        what, size, days, mode = a.one
        print(json.dumps(one(what, int(size), float(days), mode == "summary")))
        return

    print(f"(1) generated organisations, {a.days:g} days each (events = requests + messages; flat events/s = linear)")
    print(f"  {'people':>6}{'depts':>6}{'requests':>10}{'messages':>11}{'build s':>9}{'run s':>8}{'events/s':>10}"
          f"{'ratio':>7}{'peak RSS MB':>13}")
    first = None
    for n in a.sizes:
        r = _child("generated", n, a.days, False)
        rate = (r["requests"] + r["messages"]) / r["run"]
        first = first or rate
        print(f"  {n:>6}{n // 20:>6}{r['requests']:>10,.0f}{r['messages']:>11,.0f}{r['build']:>9.1f}{r['run']:>8.1f}"
              f"{rate:>10,.0f}{rate / first:>7.2f}{r['peak_mb']:>13,.0f}", flush=True)

    if not a.years:
        return
    print("\n(2) scenarios/base.yaml: peak memory above the interpreter's baseline, full vs summary mode")
    print(f"  {'years':>5}{'messages':>11}{'full MB':>9}{'summary MB':>12}{'full s':>8}{'summary s':>11}")
    for y in a.years:
        f = _child("base", 0, 365.0 * y, False)
        s = _child("base", 0, 365.0 * y, True)
        print(f"  {y:>5}{f['messages']:>11,.0f}{f['peak_mb'] - f['baseline_mb']:>9,.0f}"
              f"{s['peak_mb'] - s['baseline_mb']:>12,.0f}{f['run']:>8.1f}{s['run']:>11.1f}", flush=True)


if __name__ == "__main__":
    main()
