"""One timed run of one contender, in a process of its own (``benchmarks.bench`` starts it).

    python -m benchmarks.child '{"case": "mmc", "who": "simpy-store", "days": 365, "warmup": 30, "seed": 1}'

Imports and building the inputs (the scenario, its validation) happen before
the clock starts, and so does a one-day warm-up run of the same contender
(orgsim imports parts of pandas and its metrics lazily on the first run;
the first call of anything pays for that, which is not simulation); the clock covers the simulation call and, for orgsim, the
result tables it builds. CPU time is ``time.process_time()`` of this process
(plus its reaped children's, for the process pool), wall time
``time.perf_counter()``. Prints one JSON line.

``ORGSIM_ROOT=/path/to/a/checkout`` runs the orgsim contenders on that
checkout's ``orgsim`` (this file's harness and models): ``bench --baseline``
uses it for a before/after comparison inside one interleaved run.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: M/M/5 at utilisation 0.9: 4.5 requests an hour, a mean hour of work
LAM, C, MEAN = 4.5, 5, 1.0
#: the tandem: the M/M/5 pod at rho 0.8, then five M/M/1 approvers at rho 0.6
TANDEM_LAM, REVIEWS = 4.0, (0.15,) * 5
#: waits are cut into this many batches (in order of arrival) for a batch-means interval
BATCHES = 10
DESIGNS = ("network", "function", "audience")
#: base.yaml's messages and requests answered per hour (298,248 in its year, seed 1): the floor's rate
BASE_ITEMS_PER_HOUR = 298_248 / 8760
#: the scale case's contenders: (people in the generated organisation, horizon as a multiple of ``days``)
SCALE = {"people-100": (100, 1), "people-1000": (1000, 1), "people-100-long": (100, 4)}


def batch_means(waits: list[float], k: int = BATCHES) -> list[float]:
    """Means of ``k`` equal consecutive batches (the remainder at the end is dropped)."""
    size = len(waits) // k
    return [sum(waits[i * size:(i + 1) * size]) / size for i in range(k)] if size else []


def prepare(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """Build the contender's inputs (untimed); return the call to time."""
    case, who, seed = spec["case"], spec["who"], spec["seed"]
    days, warmup = spec.get("days", 0), spec.get("warmup", 0)
    horizon, cut = days * 24.0, warmup * 24.0
    if case in ("mmc", "tandem"):
        from benchmarks import models

        stations = [(C, MEAN)] if case == "mmc" else [(C, MEAN), *((1, m) for m in REVIEWS)]
        lam = LAM if case == "mmc" else TANDEM_LAM
        fn: Callable[[], models.Run]
        if who.startswith("orgsim"):
            from orgsim.analytic.reductions import mmc_scenario, tandem_scenario

            summary = who.endswith("summary")
            if case == "mmc":
                sc = mmc_scenario(C, lam, MEAN, horizon_days=days, warmup_days=warmup)
                fn = lambda: models.orgsim_mmc(sc, summary, seed)  # noqa: E731
            else:
                sc = tandem_scenario(C, lam, MEAN, REVIEWS, horizon_days=days, warmup_days=warmup)
                fn = lambda: models.orgsim_tandem(sc, summary, seed)  # noqa: E731
        elif who == "simpy-store":
            fn = lambda: models.simpy_store(C, lam, MEAN, horizon, cut, seed)  # noqa: E731
        elif who == "simpy-resource":
            fn = lambda: models.simpy_resource(stations, lam, horizon, cut, seed)  # noqa: E731
        elif who == "simpy-hand":
            fn = lambda: models.simpy_hand(C, lam, MEAN, horizon, cut, seed)  # noqa: E731
        elif who == "ciw":
            import ciw  # noqa: F401  (imported before the clock starts)

            fn = lambda: models.ciw_network(stations, lam, horizon, cut, seed)  # noqa: E731
        else:
            raise SystemExit(f"unknown contender {who!r} for {case}")

        def queue_run() -> dict[str, Any]:
            r = fn()
            mean = r.mean if r.mean is not None else sum(r.waits) / len(r.waits)
            return {"done": r.done, "items": round(lam * horizon), "mean": mean, "batches": batch_means(r.waits)}
        return queue_run
    if case == "base":
        from orgsim.scenario import load_scenario
        from orgsim.scenario.overrides import with_run_settings
        from orgsim.sim.engine import simulate

        # no warm-up, so that summary mode's tallies count every answer, as the full tables do
        sc = with_run_settings(load_scenario(ROOT / "scenarios" / "base.yaml"), horizon_days=days, warmup_days=0)
        summary = who.endswith("summary")
        if who == "simpy-floor":  # SimPy's floor at base.yaml's rate of items (its year: 298,248 answered)
            from benchmarks import models

            def floor_run() -> dict[str, Any]:
                r = models.simpy_floor(BASE_ITEMS_PER_HOUR, 1.0, days * 24.0, seed)
                return {"done": r.done, "items": r.done}
            return floor_run

        def base_run() -> dict[str, Any]:
            r = simulate(sc, seed=seed, summary=summary)
            if summary:
                t = r.tally
                req, msg = sum(k.latency.n for k in t.kinds), t.replies.n
            else:
                req, msg = int(r.requests["answered"].notna().sum()), int(r.messages["answered"].notna().sum())
            return {"done": req + msg, "items": req + msg, "requests": req, "messages": msg}
        return base_run
    if case == "pool":
        # what `orgsim compare network function audience --replications N --workers W` runs:
        # run_study (detail=False, as compare without --out) -> run_jobs -> the local pool
        from orgsim.experiment.study import run_study
        from orgsim.scenario import load_scenario
        from orgsim.scenario.overrides import with_run_settings

        days = spec["pool_days"]
        designs = [with_run_settings(load_scenario(ROOT / "scenarios" / f"{d}.yaml"), horizon_days=days,
                                     warmup_days=min(7, days / 4)) for d in DESIGNS]
        workers = 1 if who == "serial" else spec["workers"]

        def pool_run() -> dict[str, Any]:
            study = run_study(designs, spec["reps"], seed, workers=workers, detail=False)
            runs = [f for design in study.runs for f in design]
            digest = hashlib.sha256(json.dumps(runs, sort_keys=True, default=str).encode()).hexdigest()[:16]
            items = sum(f["requests"]["completed"] + f["messages"]["answered"] for f in runs)
            return {"done": items, "items": items, "digest": digest}
        return pool_run
    if case in ("summary", "dask"):
        from benchmarks import waits

        return waits.prepare(spec)
    if case == "scale":
        from benchmarks.scale import generated
        from orgsim.sim.engine import Model

        people, longer = SCALE[who]
        sc = generated(people, days * longer)  # summary mode: the mode of long runs and explorations

        def scale_run() -> dict[str, Any]:
            c0 = time.process_time()
            model = Model(sc, seed, summary=True)
            c1 = time.process_time()
            t = model.run().tally
            c2 = time.process_time()
            items = sum(k.latency.n for k in t.kinds) + t.replies.n  # answers, after the warm-up
            return {"done": items, "items": items, "build_cpu": c1 - c0, "run_cpu": c2 - c1}
        return scale_run
    raise SystemExit(f"unknown case {case!r}")


#: the untimed warm-up: the same contender on one day (the pool: serially, in this process, before any fork)
WARM_UP = {"mmc": {"days": 1, "warmup": 0}, "tandem": {"days": 1, "warmup": 0}, "base": {"days": 1},
           "pool": {"pool_days": 1, "reps": 2, "who": "serial"}, "scale": {"days": 1, "who": "people-100"},
           "summary": {"days": 1}, "dask": {"days": 1, "reps": 2, "who": "pool", "workers": 1}}


def use_orgsim_root() -> None:
    """With ``ORGSIM_ROOT`` set, import orgsim from that checkout (and check that it did)."""
    root = os.environ.get("ORGSIM_ROOT")
    if root:
        sys.path.insert(0, root)
        # processes this one spawns (a Dask cluster's workers) must import the same orgsim
        os.environ["PYTHONPATH"] = root + os.pathsep + os.environ.get("PYTHONPATH", "")
        import orgsim

        if not Path(orgsim.__file__).resolve().is_relative_to(Path(root).resolve()):
            raise SystemExit(f"ORGSIM_ROOT={root}: orgsim came from {orgsim.__file__}")


def main(argv: list[str]) -> None:
    spec = json.loads(argv[0])
    use_orgsim_root()
    if spec["case"] in ("readme", "explore"):  # a user's command starts cold: no warm-up, clocks from the start
        from benchmarks.waits import child_json

        print(child_json(spec))
        return
    prepare({**spec, **WARM_UP.get(spec["case"], {}), "seed": spec["seed"] + 1000})()
    run = prepare(spec)
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = run()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += (kids.ru_utime - kids0.ru_utime) + (kids.ru_stime - kids0.ru_stime) + out.pop("cpu_extra", 0.0)
    # peak resident memory of the process, and before the timed call (after the warm-up)
    print(json.dumps({**out, "cpu": cpu, "wall": wall, "peak_mb": peak_mb, "base_mb": base_mb}))


if __name__ == "__main__":
    main(sys.argv[1:])
