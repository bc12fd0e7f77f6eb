"""Side-by-side throughput: orgsim vs bare SimPy vs Ciw, in one process session.

Run from the repository root::

    PYTHONPATH=$PWD python -m benchmarks.bench            # full (a)-(d), a few minutes
    PYTHONPATH=$PWD python -m benchmarks.bench --quick    # smaller sizes, same table

(a) M/M/5 at ρ = 0.8: orgsim's always-on pod (:func:`mmc_scenario`) vs the
    same queue in bare SimPy (a ``Resource``) vs Ciw.
(b) 6-station tandem network (M/M/5, then five M/M/1 at ρ = 0.6): orgsim's
    pod + approval chain (:func:`tandem_scenario`) vs bare SimPy vs Ciw.
(c) the full example scenario (``scenarios/base.yaml``) at three horizons,
    counting requests + messages per second (the scale curve: time should
    grow linearly with the events).
(d) 3 designs x N replications, serial vs a process pool of 2.

Throughput is customers (requests + messages for orgsim) finished per
wall-clock second, one core, one run each, construction and result tables
included for orgsim.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import time
from pathlib import Path

import simpy

from orgsim.analytic.reductions import mmc_scenario, tandem_scenario
from orgsim.scenario import load_scenario
from orgsim.scenario.overrides import with_run_settings
from orgsim.sim.engine import simulate

ROOT = Path(__file__).resolve().parents[1]
LAM, C, MEAN = 4.0, 5, 1.0  # M/M/5 at rho 0.8, hours
REVIEWS = (0.15,) * 5  # five M/M/1 at rho 0.6


# --- bare SimPy --------------------------------------------------------------------------
def simpy_network(stations: list[tuple[int, float]], lam: float, horizon: float, seed: int) -> int:
    rng = random.Random(seed)
    env = simpy.Environment()
    res = [(simpy.Resource(env, c), m) for c, m in stations]
    done = [0]

    def customer() -> object:
        for r, m in res:
            with r.request() as req:
                yield req
                yield env.timeout(rng.expovariate(1 / m))
        done[0] += 1

    def source() -> object:
        while True:
            yield env.timeout(rng.expovariate(lam))
            env.process(customer())

    env.process(source())
    env.run(until=horizon)
    return done[0]


# --- Ciw ------------------------------------------------------------------------------------
def ciw_network(stations: list[tuple[int, float]], lam: float, horizon: float, seed: int) -> int:
    import ciw

    k = len(stations)
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(lam)] + [None] * (k - 1),
        service_distributions=[ciw.dists.Exponential(1 / m) for _, m in stations],
        number_of_servers=[c for c, _ in stations],
        routing=[[1.0 if j == i + 1 else 0.0 for j in range(k)] for i in range(k)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(net)
    sim.simulate_until_max_time(horizon)
    return sum(1 for r in sim.get_all_records() if r.node == k)


# --- orgsim ---------------------------------------------------------------------------------
def orgsim_run(scenario: object, seed: int = 1) -> tuple[int, int]:
    r = simulate(scenario, seed=seed)  # type: ignore[arg-type]
    return int(r.requests["answered"].notna().sum()), int(r.messages["answered"].notna().sum())


def timed(fn, *args):  # noqa: ANN001, ANN202
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def _design_run(args: tuple[str, int, int]) -> int:
    path, days, i = args
    s = with_run_settings(load_scenario(path), horizon_days=days, warmup_days=min(7, days / 4))
    return sum(orgsim_run(s, seed=i))


def row(name: str, n: int, secs: float) -> tuple[str, int, float, float]:
    return name, n, secs, n / secs


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (for a quick look, not for the record)")
    ap.add_argument("--reps", type=int, default=None, help="replications per design in (d) (default 30; 6 with --quick)")
    a = ap.parse_args(argv)
    days = 120 if a.quick else 365
    reps = a.reps or (6 if a.quick else 30)
    horizon = days * 24
    lines: list[str] = []

    def table(title: str, rows: list[tuple[str, int, float, float]], base: int = 0, head: str = "ratio") -> None:
        # ratio = this row's throughput / the base row's (or base / this with head "orgsim/this")
        lines.append(f"\n{title}")
        lines.append(f"  {'run':<34}{'customers':>10}{'seconds':>9}{'per second':>12}{head:>13}")
        for name, n, secs, rate in rows:
            r = rows[base][3] / rate if head == "orgsim/this" else rate / rows[base][3]
            lines.append(f"  {name:<34}{n:>10,}{secs:>9.2f}{rate:>12,.0f}{r:>13.2f}")
        print("\n".join(lines[-len(rows) - 2:]), flush=True)

    mmc = [(C, MEAN)]
    (o, _), so = timed(orgsim_run, mmc_scenario(C, LAM, MEAN, horizon_days=days, warmup_days=0))
    ns, ss = timed(simpy_network, mmc, LAM, horizon, 1)
    nc, sc = timed(ciw_network, mmc, LAM, horizon, 1)
    a_rows = [row("orgsim (pod of 5)", o, so), row("bare SimPy (Resource)", ns, ss), row("Ciw", nc, sc)]
    table(f"(a) M/M/5, rho 0.8, {days} days (targets: orgsim/SimPy >= 0.8, orgsim/Ciw >= 1.6)", a_rows,
          head="orgsim/this")
    simpy_rate = a_rows[1][3]

    net = [(C, MEAN), *((1, m) for m in REVIEWS)]
    (o, _), so = timed(orgsim_run, tandem_scenario(C, LAM, MEAN, REVIEWS, horizon_days=days, warmup_days=0))
    ns, ss = timed(simpy_network, net, LAM, horizon, 1)
    nc, sc = timed(ciw_network, net, LAM, horizon, 1)
    table(f"(b) 6-station tandem, {days} days",
          [row("orgsim (pod + 5 approvers)", o, so), row("bare SimPy", ns, ss), row("Ciw", nc, sc)], head="orgsim/this")

    base = load_scenario(ROOT / "scenarios" / "base.yaml")
    c_rows = []
    for d in ((30, 60, 120) if a.quick else (91, 182, 365)):
        (req, msg), secs = timed(orgsim_run, with_run_settings(base, horizon_days=d, warmup_days=7))
        c_rows.append(row(f"base.yaml, {d} days (req+msg)", req + msg, secs))
    table("(c) full example scenario; ratio to its longest run (flat = linear scaling)", c_rows, base=len(c_rows) - 1)
    lines.append(f"  longest run / bare SimPy on (a): {c_rows[-1][3] / simpy_rate:.2f} (target >= 0.5)")
    print(lines[-1])

    designs = [str(ROOT / "scenarios" / f"{n}.yaml") for n in ("network", "function", "audience")]
    jobs = [(p, 28, i) for p in designs for i in range(reps)]
    n1, s1 = timed(lambda: sum(map(_design_run, jobs)))
    with mp.get_context("fork").Pool(2) as pool:
        n2, s2 = timed(lambda: sum(pool.map(_design_run, jobs, chunksize=1)))
    table(f"(d) 3 designs x {reps} replications x 28 days; ratio to serial (target >= 1.8)",
          [row("serial", n1, s1), row("process pool, 2 workers", n2, s2)])


if __name__ == "__main__":
    main()
