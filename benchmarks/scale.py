"""Scale: a generated organisation of up to 1,000 people in 50 departments, a year of traffic.

    PYTHONPATH=$PWD python -m benchmarks.scale                 # 100, 300 and 1,000 people, one year each
    PYTHONPATH=$PWD python -m benchmarks.scale --sizes 1000    # just the big one

Each size has ``people / 20`` departments, each with its own pod of 20
(office hours, spread over three time zones), two request types of its
own, and one channel in ten per pod with community messages: traffic grows
in proportion to the organisation. Prints events (requests + messages),
seconds, events per second (flat = linear scaling) and the process's peak
resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time

from orgsim.scenario.model import Scenario
from orgsim.sim.engine import simulate

ZONES = ("Europe/London", "America/New_York", "Asia/Singapore")


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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="orgsim at scale")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    ap.add_argument("--days", type=float, default=365.0)
    a = ap.parse_args(argv)
    print(f"{'people':>7}{'depts':>7}{'requests':>10}{'messages':>11}{'seconds':>9}{'events/s':>10}{'peak RSS MB':>13}")
    for n in a.sizes:
        s = generated(n, a.days)
        t = time.perf_counter()
        r = simulate(s, seed=1)
        secs = time.perf_counter() - t
        req, msg = len(r.requests), len(r.messages)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>7}{n // 20:>7}{req:>10,}{msg:>11,}{secs:>9.1f}{(req + msg) / secs:>10,.0f}{peak:>13,.0f}", flush=True)


if __name__ == "__main__":
    main()
