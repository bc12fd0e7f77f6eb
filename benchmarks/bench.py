"""orgsim's speed against the same models written in SimPy and Ciw, measured honestly.

Run from the repository root::

    PYTHONPATH=$PWD python -m benchmarks.bench                 # the record: 5 rounds, ~15-25 min
    PYTHONPATH=$PWD python -m benchmarks.bench --quick         # small sizes, a smoke test
    PYTHONPATH=$PWD python -m benchmarks.bench --only mmc --repeats 7
    PYTHONPATH=$PWD python -m benchmarks.bench --baseline /tmp/before   # before/after, interleaved
    PYTHONPATH=$PWD python -m benchmarks.bench --only startup --repeats 11   # `orgsim validate`'s CPU-s

The protocol:

- every run is a fresh process (:mod:`benchmarks.child`), so imports, caches
  and the garbage collector's state do not leak from one contender to the next;
  imports and building the scenario happen before the clock starts;
- contenders are interleaved: round ``r`` runs every contender of a case once,
  in an order rotated by ``r``, with seed ``r + 1`` (the same for all in a round);
- the figures are medians over the rounds (``--repeats``, at least five for
  the record) with the interquartile range, of CPU time (the child's process
  time, plus its pool workers') and wall time;
- ratios are taken only between runs of the same model, round by round
  (paired), and summarised by their median and IQR;
- each queueing contender reports its mean wait (M/M/5) or time in system
  (tandem) with a 95% batch-means interval pooled over the rounds, printed
  beside the closed form (Erlang C, Jackson), to show they simulate one system;
- the machine's load average is printed before and after each case.

The cases: ``mmc`` (M/M/5 at utilisation 0.9), ``tandem`` (the M/M/5 pod then
five M/M/1 approvers), ``base`` (a year of ``scenarios/base.yaml``, messages
and requests per CPU-second, beside ``simpy-floor``: the same number of items
as bare SimPy events, one arrival and one completion each with no queue and no
work, the ceiling of any SimPy model that needs two events an item) and ``pool`` (3 designs x 30 replications,
serial vs a process pool of 2, speed-up from wall time, identical numbers) and
``scale`` (generated organisations of 100 and 1,000 people, 30 days, and the
100-person one over 120 days, in summary mode: CPU per answered item of the run
apart from building the model, and peak resident memory).

``--baseline DIR`` adds, to ``mmc``, ``base`` and ``scale``, every orgsim
contender run on the ``orgsim`` of another checkout (``DIR``, say an older
commit's ``git archive``), named ``<contender>@before`` and interleaved with the
rest: the before/after ratios of engine work come from one run. To ``pool`` it
adds both contenders (both are orgsim's own ``run_study``), so the pool's
speed-up before and after a change of ``orgsim.experiment.parallel`` comes
from one run too.

``--only startup`` (not in the default record; :mod:`benchmarks.startup`): the
CPU-seconds of a whole ``orgsim validate`` process, before/after with ``--baseline``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import startup, waits
from benchmarks.child import LAM, MEAN, REVIEWS, SCALE, TANDEM_LAM, C

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["LAM", "MEAN", "C", "CASES", "orgsim_run", "main"]

CASES = ("mmc", "tandem", "base", "pool", "scale")
CONTENDERS = {
    "mmc": ("orgsim", "orgsim-summary", "simpy-store", "simpy-resource", "simpy-hand", "ciw"),
    "tandem": ("orgsim", "simpy-resource", "ciw"),
    "base": ("orgsim", "orgsim-summary", "simpy-floor"),
    "pool": ("serial", "pool"),
    "scale": tuple(SCALE),
}
BEFORE = "@before"
#: the issue's targets (#20): (case, numerator, denominator, minimum ratio); base is a rate, not a ratio
RATIO_TARGETS = [("mmc", "orgsim", "simpy-store", 1.5), ("mmc", "orgsim", "simpy-hand", 0.8),
                 ("mmc", "orgsim", "ciw", 4.0), ("pool", "pool", "serial", 1.8)]
BASE_TARGET = 250_000  # messages and requests per CPU-second, a year of base.yaml
SCALE_TARGET = 1.15  # CPU per item at 1,000 people over that at 100, at most


def orgsim_run(scenario: Any, seed: int = 1) -> tuple[int, int]:
    """Requests and messages answered in one run (used by ``benchmarks.throughput``)."""
    from orgsim.sim.engine import simulate

    r = simulate(scenario, seed=seed)
    return int(r.requests["answered"].notna().sum()), int(r.messages["answered"].notna().sum())


def sizes(quick: bool) -> dict[str, dict[str, Any]]:
    """Per case, what every contender is given (the same horizon and arrival rate for all)."""
    if quick:
        return {"mmc": {"days": 60, "warmup": 5}, "tandem": {"days": 60, "warmup": 5},
                "base": {"days": 30}, "pool": {"pool_days": 7, "reps": 2, "workers": 2}, "scale": {"days": 3}}
    return {"mmc": {"days": 365, "warmup": 30}, "tandem": {"days": 365, "warmup": 30},
            "base": {"days": 365}, "pool": {"pool_days": 28, "reps": 30, "workers": 2}, "scale": {"days": 30}}


@dataclass
class Runs:
    """Every round's output for one contender of one case."""

    out: list[dict[str, Any]] = field(default_factory=list)

    def col(self, key: str) -> list[float]:
        return [o[key] for o in self.out]


def quartiles(xs: Sequence[float]) -> tuple[float, float, float]:
    """(25th percentile, median, 75th percentile); a single value repeats."""
    if len(xs) == 1:
        return xs[0], xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[1], q[2]


def interval(runs: Runs) -> tuple[float, float | None]:
    """Mean wait and the half-width of its 95% interval: batch means pooled over rounds, else across rounds."""
    from scipy.stats import t

    batches = [b for o in runs.out for b in o.get("batches", [])]
    xs = batches if len(batches) >= 2 else runs.col("mean")
    m = statistics.fmean(xs)
    if len(xs) < 2:
        return m, None
    return m, float(t.ppf(0.975, len(xs) - 1)) * statistics.stdev(xs) / len(xs) ** 0.5


def run_child(case: str, who: str, seed: int, size: dict[str, Any], baseline: str | None = None) -> dict[str, Any]:
    """One contender's run in a fresh process; ``<who>@before`` runs on the baseline checkout's orgsim."""
    if case in startup.CASES:  # the whole process is the measurement: no harness around it
        return startup.run(who, baseline)
    spec = {"case": case, "who": who.removesuffix(BEFORE), "seed": seed, **size, "t0": time.time()}
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("ORGSIM_ROOT", None)
    if who.endswith(BEFORE):
        env["ORGSIM_ROOT"] = str(baseline)
    p = subprocess.run([sys.executable, "-m", "benchmarks.child", json.dumps(spec)], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"benchmark run {case}/{who} failed:\n{p.stderr.strip().splitlines()[-1]}")
    out: dict[str, Any] = json.loads(p.stdout.strip().splitlines()[-1])
    return out


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def contenders(case: str, baseline: str | None) -> tuple[str, ...]:
    """The case's contenders, and with a baseline its orgsim ones again on the baseline's code."""
    names = {**CONTENDERS, **waits.CONTENDERS, **startup.CONTENDERS}[case]
    if baseline is None or case not in ("mmc", "base", "scale", "pool", *waits.WAIT_CASES, *startup.CASES):
        return names
    if case == "pool" or case in (*waits.WAIT_CASES, *startup.CASES):  # every contender runs orgsim (serial and pool: run_study)
        return names + tuple(n + BEFORE for n in names)
    return names + tuple(n + BEFORE for n in names if n.startswith(("orgsim", "people")))


def run_case(case: str, repeats: int, size: dict[str, Any], say: Any, baseline: str | None = None) -> dict[str, Runs]:
    names = contenders(case, baseline)
    runs = {n: Runs() for n in names}
    say(f"[{case}] load average before: {load()}")
    for r in range(repeats):
        order = names[r % len(names):] + names[:r % len(names)]
        for who in order:
            runs[who].out.append(run_child(case, who, r + 1, size, baseline))
        say(f"[{case}] round {r + 1}/{repeats} done ({', '.join(order)})")
    say(f"[{case}] load average after: {load()}")
    return runs


def paired(runs: dict[str, Runs], num: str, den: str, case: str) -> list[float]:
    """Round-by-round speed ratio num/den: den's time over num's (wall for the pool, CPU otherwise)."""
    key = {"pool": "wall", "scale": "run_cpu"}.get(case, "cpu")
    return [(b[key] / b["items"]) / (a[key] / a["items"]) for a, b in zip(runs[num].out, runs[den].out, strict=True)]


def theory(case: str) -> float:
    from orgsim.analytic.queueing import mmc_wait, tandem_sojourn

    if case == "mmc":
        return mmc_wait(C, LAM, MEAN)
    return tandem_sojourn(TANDEM_LAM, [(C, MEAN), *((1, m) for m in REVIEWS)])


def report(results: dict[str, dict[str, Runs]], size: dict[str, dict[str, Any]], repeats: int) -> list[str]:
    """The one table: medians, IQR, rates, waits against theory, ratios against the targets."""
    lines = [f"\nmedians of {repeats} rounds [25th-75th percentile]; CPU = the run's process time "
             f"(its pool workers' too); cores: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})"]
    head = f"  {'contender':<16}{'customers':>11}{'CPU s':>22}{'wall s':>22}{'per CPU-s':>12}"
    for case, runs in results.items():
        sz = size[case]
        if case in ("mmc", "tandem"):
            what = "mean wait" if case == "mmc" else "mean time in system"
            title = {"mmc": f"M/M/5, utilisation 0.9 ({LAM}/h, mean service {MEAN} h)",
                     "tandem": "tandem: M/M/5 pod at 0.8, then five M/M/1 at 0.6"}[case]
            lines.append(f"\n{case}: {title}, {sz['days']} days (warm-up {sz['warmup']}); "
                         f"{what}, closed form {theory(case):.3f} h")
            lines.append(head + f"{what + ' (95% CI)':>30}{'agrees':>8}")
        elif case == "base":
            lines.append(f"\nbase: scenarios/base.yaml, {sz['days']} days, requests + messages answered")
            lines.append(head)
        elif case == "scale":
            lines.append(f"\nscale: generated organisations (benchmarks.scale), summary mode, {sz['days']} days "
                         f"(-long: {4 * sz['days']}); answered items; CPU apart for building the model and running it")
            lines.append(f"  {'contender':<24}{'items':>10}{'build CPU s':>14}{'run CPU s':>22}{'us/item':>9}"
                         f"{'peak RSS MB':>13}{'above start':>13}")
            for who, rr in runs.items():
                run = quartiles(rr.col("run_cpu"))
                items = statistics.median(rr.col("items"))
                lines.append(f"  {who:<24}{items:>10,.0f}{statistics.median(rr.col('build_cpu')):>14.2f}"
                             + f"{run[1]:>8.2f} [{run[0]:.2f}-{run[2]:.2f}]".rjust(22)
                             + f"{1e6 * run[1] / items:>9.1f}{statistics.median(rr.col('peak_mb')):>13,.0f}"
                             + f"{statistics.median([o['peak_mb'] - o['base_mb'] for o in rr.out]):>13,.0f}")
            continue
        else:
            lines.append(f"\npool: 3 designs x {sz['reps']} replications x {sz['pool_days']} days, "
                         f"serial vs a pool of {sz['workers']}; the speed-up is from wall time")
            lines.append(head + f"{'results digest':>20}")
        for who, rr in runs.items():
            cpu, wall = quartiles(rr.col("cpu")), quartiles(rr.col("wall"))
            done = [d for d in rr.col("done") if d is not None]
            items = statistics.median(rr.col("items"))
            row = (f"  {who:<16}{(f'{statistics.median(done):,.0f}' if done else '-'):>11}"
                   f"{cpu[1]:>8.2f} [{cpu[0]:.2f}-{cpu[2]:.2f}]".rjust(22)
                   + f"{wall[1]:>8.2f} [{wall[0]:.2f}-{wall[2]:.2f}]".rjust(22)
                   + f"{items / cpu[1]:>12,.0f}")
            if case in ("mmc", "tandem"):
                m, hw = interval(rr)
                ok = "-" if hw is None else ("yes" if abs(m - theory(case)) <= hw else "NO")
                row += (f"{m:.3f} +- {hw:.3f}" if hw is not None else f"{m:.3f}").rjust(30) + f"{ok:>8}"
            elif case == "pool":
                row += f"{rr.out[0]['digest']:>20}"
            lines.append(row)
        if case == "pool":
            # every round has its own seed: within a round, every contender must print the same digest
            same = all(len({rr.out[r]["digest"] for rr in runs.values()}) == 1 for r in range(repeats))
            lines.append(f"  identical numbers serial vs pool{' (before and after)' if len(runs) > 2 else ''}, "
                         f"round by round: {'yes' if same else 'NO'} (the digest shown is round 1's, seed 1); "
                         f"a pool of {sz['workers']} can give at most {min(sz['workers'], os.cpu_count() or 1)}x")
    lines.append("\ntargets (issue #20), ratios paired round by round: median [IQR]")
    for case, num, den, goal in RATIO_TARGETS:
        if case in results:
            lo, med, hi = quartiles(paired(results[case], num, den, case))
            lines.append(f"  {case:<7}{num + ' / ' + den:<34}{med:>6.2f} [{lo:.2f}-{hi:.2f}]   target >= {goal:<5}"
                         f"{'met' if med >= goal else 'not met'}")
            if num + BEFORE in results[case]:
                # the SimPy and Ciw references are not orgsim: they run once, and the before ratio uses them too
                den_before = den + BEFORE if den + BEFORE in results[case] else den
                lo, med, hi = quartiles(paired(results[case], num + BEFORE, den_before, case))
                lines.append(f"  {case:<7}{num + BEFORE + ' / ' + den_before:<34}{med:>6.2f} [{lo:.2f}-{hi:.2f}]"
                             "   (before)")
    if "mmc" in results:
        for den in ("simpy-store", "simpy-resource", "simpy-hand", "ciw"):
            lo, med, hi = quartiles(paired(results["mmc"], "orgsim-summary", den, "mmc"))
            lines.append(f"  {'mmc':<7}{'orgsim-summary / ' + den:<34}{med:>6.2f} [{lo:.2f}-{hi:.2f}]   (no target)")
        lo, med, hi = quartiles(paired(results["mmc"], "orgsim", "simpy-resource", "mmc"))
        lines.append(f"  {'mmc':<7}{'orgsim / simpy-resource':<34}{med:>6.2f} [{lo:.2f}-{hi:.2f}]   (no target)")
    if "tandem" in results:
        for den in ("simpy-resource", "ciw"):
            lo, med, hi = quartiles(paired(results["tandem"], "orgsim", den, "tandem"))
            lines.append(f"  {'tandem':<7}{'orgsim / ' + den:<34}{med:>6.2f} [{lo:.2f}-{hi:.2f}]   (no target)")
    if "scale" in results:
        for after in ("", BEFORE):
            if "people-100" + after not in results["scale"]:
                continue
            lo, med, hi = quartiles(paired(results["scale"], "people-100" + after, "people-1000" + after, "scale"))
            verdict = f"target <= {SCALE_TARGET} {'met' if med <= SCALE_TARGET else 'not met'}" if not after else "(before)"
            lines.append(f"  {'scale':<7}{'CPU/item 1,000 / 100 people' + after:<42}{med:>6.2f} [{lo:.2f}-{hi:.2f}]   {verdict}")
            peak = {w: statistics.median(results["scale"][w + after].col("peak_mb")) for w in SCALE}
            lines.append(f"  {'scale':<7}{'peak RSS MB 100 / 1,000 / 100-long' + after:<42}"
                         f"{peak['people-100']:,.0f} / {peak['people-1000']:,.0f} / {peak['people-100-long']:,.0f}")
    befores = [(c, w) for c, runs in results.items() for w in runs if w.endswith(BEFORE)]
    if befores:
        lines.append("\nbefore/after (the baseline checkout's orgsim, interleaved): speed-up, paired round by round")
        for case, who in befores:
            now = who.removesuffix(BEFORE)
            lo, med, hi = quartiles(paired(results[case], now, who, case))
            lines.append(f"  {case:<7}{now + ' now / before':<42}{med:>6.2f} [{lo:.2f}-{hi:.2f}]")
    if "base" in results and "simpy-floor" in results["base"]:
        rates = [o["items"] / o["cpu"] for o in results["base"]["simpy-floor"].out]
        lo, med, hi = quartiles(rates)
        lines.append(f"  {'base':<7}{'simpy-floor items per CPU-s':<42}{med:>6,.0f} [{lo:,.0f}-{hi:,.0f}]"
                     "   (SimPy alone, two events an item and nothing else)")
        lo, med, hi = quartiles(paired(results["base"], "orgsim", "simpy-floor", "base"))
        lines.append(f"  {'base':<7}{'orgsim / simpy-floor':<42}{med:>6.2f} [{lo:.2f}-{hi:.2f}]")
    if "base" in results:
        for who in results["base"]:
            if who == "simpy-floor":
                continue
            rates = [o["items"] / o["cpu"] for o in results["base"][who].out]
            lo, med, hi = quartiles(rates)
            lines.append(f"  {'base':<7}{who + ' items per CPU-s':<42}{med:>6,.0f} [{lo:,.0f}-{hi:,.0f}]"
                         f"   target >= {BASE_TARGET:,} {'met' if med >= BASE_TARGET else 'not met'}")
    return lines


def main(argv: list[str] | None = None) -> list[str]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=None, help="rounds per case (default 5; 2 with --quick)")
    ap.add_argument("--quick", action="store_true", help="small sizes, a smoke test (not for the record)")
    ap.add_argument("--only", choices=CASES + waits.WAIT_CASES + startup.CASES, action="append",
                    help="run only this case (may repeat)")
    ap.add_argument("--waits", action="store_true", help="the cases where users wait (issue #33): README command 1 "
                    "by phase, the default explore, summary/full, Dask/pool (benchmarks.waits)")
    ap.add_argument("--baseline", metavar="DIR", help="also run the orgsim contenders on DIR's orgsim (before/after)")
    a = ap.parse_args(argv)
    repeats = a.repeats or (2 if a.quick else 5)
    if repeats < 1:
        ap.error("--repeats must be at least 1")
    size = {**sizes(a.quick), **waits.sizes(a.quick)}
    if a.waits or a.only:
        cases = [c for c in CASES + waits.WAIT_CASES + startup.CASES
                 if (a.waits and c in waits.WAIT_CASES) or c in (a.only or ())]
    else:
        cases = list(CASES)

    loads: list[str] = []

    def say(msg: str) -> None:  # progress on stderr; the load averages also go into the table
        print(msg, file=sys.stderr, flush=True)
        if "load average" in msg:
            loads.append(msg)

    say(f"load average (1, 5, 15 min) at the start: {load()}; cores: {os.cpu_count()}")
    if a.baseline and not (Path(a.baseline) / "orgsim" / "__init__.py").is_file():
        ap.error(f"--baseline {a.baseline}: no orgsim package there")
    results = {c: run_case(c, repeats, size.get(c, {}), say, a.baseline) for c in cases}
    say(f"load average (1, 5, 15 min) at the end: {load()}")
    engine = {c: r for c, r in results.items() if c in CASES}
    waited = {c: r for c, r in results.items() if c in waits.WAIT_CASES}
    started = {c: r for c, r in results.items() if c in startup.CASES}
    lines = [*loads, *(report(engine, size, repeats) if engine else []),
             *(waits.report(waited, size, repeats) if waited else []),
             *(startup.report(started, repeats) if started else [])]
    print("\n".join(lines), flush=True)
    return lines


if __name__ == "__main__":
    main()
