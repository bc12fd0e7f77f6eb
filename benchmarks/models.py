"""The benchmark's contenders: one queueing model written several ways.

Every function runs one seeded replication and returns a :class:`Run`: the
customers finished over the whole horizon (the throughput count) and, in
order of arrival, the time each customer that arrived after the warm-up
spent waiting (M/M/c: arrival to start of service) or in the system (tandem:
arrival to leaving the last station). The waits are what show the contenders
simulate the same system; the count is what the benchmark divides by time.

The SimPy baselines are the ways a SimPy user would write an M/M/c queue:

- :func:`simpy_store` — ``c`` worker processes pulling customers from a
  ``simpy.Store``, a source process putting them in (the usual idiom for
  identical servers);
- :func:`simpy_resource` — a process per customer taking a ``Resource``
  (the SimPy tutorial idiom; also the tandem baseline);
- :func:`simpy_hand` — hand-written for speed: a ``deque`` queue, workers
  that sleep on a wake event when it is empty, arrivals as timeout
  callbacks, no process per customer.

Times are in hours, like orgsim's; all draw with ``random.Random(seed)``.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import simpy

__all__ = ["Run", "simpy_store", "simpy_resource", "simpy_hand", "simpy_floor", "ciw_network", "orgsim_mmc",
           "orgsim_tandem"]


@dataclass
class Run:
    """One replication: customers finished, and the measured waits in arrival order."""

    #: customers finished over the whole horizon (None: summary mode keeps only the window's)
    done: int | None
    waits: list[float] = field(default_factory=list)
    #: summary mode keeps no per-customer rows: its mean comes from the running tallies
    mean: float | None = None


def simpy_store(c: int, lam: float, mean: float, horizon: float, warmup: float, seed: int) -> Run:
    """``c`` worker processes pulling from a ``Store``; a source process feeding it."""
    rng = random.Random(seed)
    env = simpy.Environment()
    store: simpy.Store = simpy.Store(env)
    waits: list[tuple[float, float]] = []
    done = [0]

    def source() -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(rng.expovariate(lam))
            store.put(env.now)

    def worker() -> Generator[Any, Any, None]:
        while True:
            arrived = yield store.get()
            if arrived >= warmup:
                waits.append((arrived, env.now - arrived))
            yield env.timeout(rng.expovariate(1 / mean))
            done[0] += 1

    env.process(source())
    for _ in range(c):
        env.process(worker())
    env.run(until=horizon)
    waits.sort()  # workers take customers in arrival order; this only guards the tie order
    return Run(done[0], [w for _, w in waits])


def simpy_resource(stations: Sequence[tuple[int, float]], lam: float, horizon: float, warmup: float,
                   seed: int) -> Run:
    """A process per customer taking a ``Resource`` at each station in turn.

    One station: the wait is arrival to start of service. Several (tandem):
    the time from arrival to leaving the last station.
    """
    rng = random.Random(seed)
    env = simpy.Environment()
    res = [(simpy.Resource(env, c), m) for c, m in stations]
    tandem = len(stations) > 1
    waits: list[tuple[float, float]] = []
    done = [0]

    def customer() -> Generator[Any, Any, None]:
        arrived = env.now
        for r, m in res:
            with r.request() as req:
                yield req
                if not tandem and arrived >= warmup:
                    waits.append((arrived, env.now - arrived))
                yield env.timeout(rng.expovariate(1 / m))
        if tandem and arrived >= warmup:
            waits.append((arrived, env.now - arrived))
        done[0] += 1

    def source() -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(rng.expovariate(lam))
            env.process(customer())

    env.process(source())
    env.run(until=horizon)
    waits.sort()
    return Run(done[0], [w for _, w in waits])


def simpy_hand(c: int, lam: float, mean: float, horizon: float, warmup: float, seed: int) -> Run:
    """Hand-written: a deque, workers sleeping on wake events, arrivals as callbacks."""
    rng = random.Random(seed)
    expo = rng.expovariate
    env = simpy.Environment()
    queue: deque[float] = deque()
    sleeping: list[simpy.Event] = []
    waits: list[tuple[float, float]] = []
    done = [0]
    rate = 1 / mean

    def arrive(_: object) -> None:
        queue.append(env.now)
        if sleeping:
            sleeping.pop().succeed()
        env.timeout(expo(lam)).callbacks.append(arrive)

    def worker() -> Generator[Any, Any, None]:
        while True:
            while queue:
                arrived = queue.popleft()
                if arrived >= warmup:
                    waits.append((arrived, env.now - arrived))
                yield env.timeout(expo(rate))
                done[0] += 1
            wake = env.event()
            sleeping.append(wake)
            yield wake

    env.timeout(expo(lam)).callbacks.append(arrive)
    for _ in range(c):
        env.process(worker())
    env.run(until=horizon)
    waits.sort()
    return Run(done[0], [w for _, w in waits])


def simpy_floor(lam: float, mean: float, horizon: float, seed: int) -> Run:
    """SimPy's floor: each item is one arrival and one completion timeout, with no queue and no work.

    What any SimPy model costs per item when an item needs two events and
    does nothing else (an M/M/infinity system, callbacks on timeouts, no
    process): the ceiling of items per CPU-second on SimPy for such a model.
    """
    rng = random.Random(seed)
    expo = rng.expovariate
    env = simpy.Environment()
    done = [0]
    rate = 1 / mean

    def finish(_: object) -> None:
        done[0] += 1

    def arrive(_: object) -> None:
        env.timeout(expo(rate)).callbacks.append(finish)
        env.timeout(expo(lam)).callbacks.append(arrive)

    env.timeout(expo(lam)).callbacks.append(arrive)
    env.run(until=horizon)
    return Run(done[0])


def ciw_network(stations: Sequence[tuple[int, float]], lam: float, horizon: float, warmup: float, seed: int) -> Run:
    """Ciw: stations in series, Poisson arrivals at the first (one station: M/M/c)."""
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
    recs = sim.get_all_records()
    if k == 1:
        waits = sorted((r.arrival_date, r.waiting_time) for r in recs if r.arrival_date >= warmup)
        return Run(len(recs), [w for _, w in waits])
    first = {r.id_number: r.arrival_date for r in recs if r.node == 1}
    last = [r for r in recs if r.node == k]
    soj = sorted((first[r.id_number], r.exit_date - first[r.id_number]) for r in last
                 if first[r.id_number] >= warmup)
    return Run(len(last), [w for _, w in soj])


def _orgsim(build: Callable[[], Any], summary: bool, column: str, seed: int) -> tuple[Any, Run]:
    from orgsim.sim.engine import simulate

    r = simulate(build(), seed=seed, summary=summary)
    if summary:
        k = r.tally.kinds[0]
        mean = k.clocks[0] / k.latency.n if column == "queue_hours" else k.latency.mean
        return r, Run(None, mean=float(mean))
    req = r.requests
    done = req[req["answered"].notna()]
    inside = done[done["in_window"]].sort_values("arrived")
    return r, Run(len(done), inside[column].tolist())


def orgsim_mmc(scenario: Any, summary: bool, seed: int) -> Run:
    """orgsim on its M/M/c reduction; the wait is the request's ``queue_hours``."""
    return _orgsim(lambda: scenario, summary, "queue_hours", seed)[1]


def orgsim_tandem(scenario: Any, summary: bool, seed: int) -> Run:
    """orgsim on its tandem reduction (pod, then approvers); the time is ``latency_hours``."""
    return _orgsim(lambda: scenario, summary, "latency_hours", seed)[1]
