"""Where users wait (issue #33): README command 1 by phase, the default exploration, summary vs full, Dask vs pool.

Run from the repository root (``pip install -e ".[bench]"``)::

    PYTHONPATH=$PWD python -m benchmarks.bench --waits                          # the four cases, 5 rounds
    PYTHONPATH=$PWD python -m benchmarks.bench --waits --baseline /tmp/before   # each also on DIR's orgsim
    PYTHONPATH=$PWD python -m benchmarks.bench --waits --quick --repeats 1      # short horizons, a smoke test

The cases, each run in a fresh process by :mod:`benchmarks.bench` (interleaved
rounds, medians and quartiles, CPU time of the process and of every worker):

- ``readme``: README command 1 as a user types it (``orgsim report`` of the
  five example designs, ``--force``), run through the CLI in a fresh
  process and timed in three phases from the process's start: *imports*
  (the interpreter, imports, loading and checking the files: everything
  before the runs start), *runs* (``run_study``: the replications on every
  core, their CPU included) and *page* (everything after: the page drawn and
  written). Nothing is warmed up: a user's command starts cold.
- ``explore``: the default ``orgsim explore scenarios/network.yaml
  scenarios/audience.yaml`` (no options). If it refuses (over the budget),
  the time to refuse is recorded and it runs again with ``--allow-large``,
  which is what the user must then type. Wall and CPU time, and peak memory:
  the proportional set size (PSS: shared pages split between the processes
  sharing them) of the process and all its workers, summed, sampled every
  0.2 s on a thread whose own CPU time is taken off.
- ``summary``: a year of ``scenarios/base.yaml`` in full and in summary mode,
  through ``simulate`` and ``run_figures`` (what ``orgsim run`` does either
  way), warmed up first as the engine cases are; their figures are compared
  (the largest relative difference over the primary metrics).
- ``dask``: 3 designs x 10 replications of 28 days as a report runs them
  (``run_study`` with the report's detail), on the local pool of 2 and on a
  ``LocalCluster`` of 2 single-threaded worker processes started (and warmed
  up with a small study) before the clock; the ratio is of wall time, and the
  results must be identical.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import json
import resource
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WAIT_CASES = ("readme", "explore", "summary", "dask")
CONTENDERS = {"readme": ("orgsim",), "explore": ("orgsim",), "summary": ("full", "summary"), "dask": ("pool", "dask")}
#: cases whose child starts its clocks at the process's start (no warm-up): the others are timed as the engine's
FROM_START = ("readme", "explore")
README_DESIGNS = ("network", "function", "audience", "embedded", "solo")
EXPLORE_DESIGNS = ("network", "audience")
DASK_DESIGNS = ("network", "function", "audience")
SAMPLE_EVERY = 0.2


def sizes(quick: bool) -> dict[str, dict[str, Any]]:
    """What each case runs: the real commands, or (``quick``) the same on short horizons."""
    if quick:
        return {"readme": {"horizon": 7, "args": ["--replications", "2"]},
                "explore": {"horizon": 7, "args": ["--samples", "2", "--replications", "2"]},
                "summary": {"days": 30}, "dask": {"days": 7, "reps": 2, "workers": 2}}
    return {"readme": {}, "explore": {}, "summary": {"days": 365}, "dask": {"days": 28, "reps": 10, "workers": 2}}


def designs(names: tuple[str, ...], horizon: int | None, folder: Path) -> list[str]:
    """The example files; with ``horizon``, a copy of each that extends it with that horizon (a 1-day warm-up)."""
    if horizon is None:
        return [f"scenarios/{n}.yaml" for n in names]
    out = []
    for n in names:
        short = folder / f"{n}.yaml"
        short.write_text(f"extends: {ROOT / 'scenarios' / (n + '.yaml')}\n"
                         f"run: {{horizon_days: {horizon}, warmup_days: 1}}\n")
        out.append(str(short))
    return out


# --- clocks ---------------------------------------------------------------------------------------


def clocks(t0: float) -> tuple[float, float]:
    """(CPU seconds of this process and its reaped children since the process started, wall seconds since ``t0``)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime, time.time() - t0


class TreeMemory:
    """The peak, over time, of the memory of this process and its descendants (PSS summed), sampled on a thread."""

    def __init__(self, every: float = SAMPLE_EVERY) -> None:
        self.every, self.peak, self.own_cpu = every, 0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="bench-memory")

    def _watch(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_full_info().pss
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)
        self.own_cpu = time.thread_time()

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def live_children_cpu() -> dict[int, float]:
    """CPU seconds so far of every live descendant (a Dask cluster's processes), by pid."""
    import psutil

    out = {}
    for p in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
    return out


# --- the cases that start cold --------------------------------------------------------------------


@contextlib.contextmanager
def quiet() -> Iterator[io.StringIO]:
    """The command's own output, kept (stdout and stderr) so that the child prints only its JSON line."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        yield buf


def command(args: list[str]) -> tuple[int, str]:
    """``orgsim ARGS`` in this process, as the console script runs it: (exit code, what it printed)."""
    from orgsim.cli import app

    with quiet() as buf:
        try:
            code = app(args=args, prog_name="orgsim", standalone_mode=False)
        except SystemExit as exc:  # typer.Exit from a refusal
            code = exc.code
    return int(code or 0), buf.getvalue()


def readme(spec: dict[str, Any]) -> dict[str, Any]:
    """README command 1, cold, in three phases (see the module's note)."""
    t0 = spec["t0"]
    import orgsim.experiment.study as study_module  # on the command's path anyway: counted with the imports

    marks: dict[str, tuple[float, float]] = {}
    run_study = study_module.run_study

    def timed(*args: Any, **kwargs: Any) -> Any:
        marks["runs"] = clocks(t0)
        try:
            return run_study(*args, **kwargs)
        finally:
            marks["page"] = clocks(t0)

    study_module.run_study = timed  # the CLI imports it when the command runs, so it gets this one
    with tempfile.TemporaryDirectory() as tmp:
        files = designs(README_DESIGNS, spec.get("horizon"), Path(tmp))
        code, said = command(["report", *files, "-o", str(Path(tmp) / "report.html"), "--force",
                              *spec.get("args", [])])
        end = clocks(t0)
        if code != 0 or "runs" not in marks:
            raise SystemExit(f"orgsim report failed ({code}): {said.strip()[-500:]}")
        size = (Path(tmp) / "report.html").stat().st_size
    (ic, iw), (rc, rw), (pc, pw) = marks["runs"], marks["page"], end
    return {"imports_cpu": ic, "imports_wall": iw, "runs_cpu": rc - ic, "runs_wall": rw - iw,
            "page_cpu": pc - rc, "page_wall": pw - rw, "cpu": pc, "wall": pw, "bytes": size,
            "items": 1, "done": None}


def explore(spec: dict[str, Any]) -> dict[str, Any]:
    """The default exploration of two example designs: wall, CPU, peak memory; ``--allow-large`` if refused."""
    t0 = spec["t0"]
    with tempfile.TemporaryDirectory() as tmp:
        args = ["explore", *designs(EXPLORE_DESIGNS, spec.get("horizon"), Path(tmp)), *spec.get("args", [])]
        cpu0, wall0 = clocks(t0)
        with TreeMemory() as mem:
            code, said = command(args)
            refused = code != 0 and "budget" in said
            refusal = time.time() - t0 - wall0
            if refused:
                code, said = command(["--allow-large", *args])
        cpu, wall = clocks(t0)
    if code != 0:
        raise SystemExit(f"orgsim explore failed ({code}): {said.strip()[-500:]}")
    chose = next((line.strip() for line in said.splitlines() if "sized to the budget" in line), "")
    worlds = next((line.strip() for line in said.splitlines() if "sampled worlds" in line), "")
    return {"cpu": cpu - cpu0 - mem.own_cpu, "wall": wall - wall0, "peak_mb": mem.peak / 2**20,
            "own_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "refused": refused, "refusal_wall": refusal if refused else 0.0, "chose": chose, "worlds": worlds,
            "items": 1, "done": None}


def from_start(spec: dict[str, Any]) -> dict[str, Any]:
    """A cold case's figures (``readme`` or ``explore``)."""
    return {"readme": readme, "explore": explore}[spec["case"]](spec)


# --- the cases timed as the engine's: inputs built and warmed up first -----------------------------


def prepare(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """The timed call of a ``summary`` or ``dask`` contender (:func:`benchmarks.child.prepare` hands over)."""
    from orgsim.scenario import load_scenario
    from orgsim.scenario.overrides import with_run_settings

    case, who, seed = spec["case"], spec["who"], spec["seed"]
    if case == "summary":
        from orgsim.metrics import run_figures
        from orgsim.metrics.registry import record
        from orgsim.sim.engine import simulate

        # no warm-up, so that summary mode's tallies count every answer, as the full tables do
        sc = with_run_settings(load_scenario(ROOT / "scenarios" / "base.yaml"), horizon_days=spec["days"],
                               warmup_days=0)

        def mode_run() -> dict[str, Any]:
            result = simulate(sc, seed=seed, summary=who == "summary")
            figures = run_figures(result)
            items = figures["requests"]["completed"] + figures["messages"]["answered"]
            return {"done": items, "items": items, "figures": record(figures)}
        return mode_run
    if case == "dask":
        from orgsim.experiment.study import run_study

        days, reps, workers = spec["days"], spec["reps"], spec["workers"]
        studies = [with_run_settings(load_scenario(ROOT / "scenarios" / f"{d}.yaml"), horizon_days=days,
                                     warmup_days=min(7, days / 4)) for d in DASK_DESIGNS]
        cluster = _cluster(workers) if who == "dask" else None
        if cluster is not None:
            atexit.register(cluster.close)  # after the timed call, when the child ends  # the workers import orgsim on their first job: a long-lived cluster has done so
            warm = [with_run_settings(s, horizon_days=1, warmup_days=0) for s in studies]
            run_study(warm, 2, seed + 1000, scheduler=cluster)

        def study_run() -> dict[str, Any]:
            before = live_children_cpu()
            study = run_study(studies, reps, seed, workers=workers, scheduler=cluster)
            after = live_children_cpu()
            runs = [{k: v for k, v in f.items() if k != "detail"} for design in study.runs for f in design]
            digest = hashlib.sha256(json.dumps([study.runs], sort_keys=True, default=str).encode()).hexdigest()[:16]
            items = sum(f["requests"]["completed"] + f["messages"]["answered"] for f in runs)
            # the cluster's worker processes stay alive: their CPU is read from the system, not from rusage
            return {"done": items, "items": items, "digest": digest,
                    "cpu_extra": sum(t - before.get(pid, 0.0) for pid, t in after.items())}
        return study_run
    raise SystemExit(f"unknown case {case!r}")


def _cluster(workers: int) -> Any:
    """A ``LocalCluster`` of ``workers`` single-threaded worker processes, importing the orgsim this child uses."""
    import logging

    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    import orgsim

    with Client(cluster) as client:  # the workers are spawned: they must import the same checkout's orgsim
        where = set(client.run(lambda: __import__("orgsim").__file__).values())
    if where != {orgsim.__file__}:
        raise SystemExit(f"the cluster's workers import orgsim from {where}, this child from {orgsim.__file__}")
    return cluster


# --- the table --------------------------------------------------------------------------------------


def _q(xs: list[float]) -> tuple[float, float, float]:
    from benchmarks.bench import quartiles

    return quartiles(xs)


def _cell(xs: list[float], fmt: str = ".2f", width: int = 22) -> str:
    lo, med, hi = _q(xs)
    return f"{med:{fmt}} [{lo:{fmt}}-{hi:{fmt}}]".rjust(width)


def report(results: dict[str, Any], size: dict[str, dict[str, Any]], repeats: int) -> list[str]:
    """The table of the wait cases: every contender (and its ``@before``), medians [IQR], and the ratios."""
    from benchmarks.bench import BEFORE, Runs

    lines: list[str] = []
    runs_of: dict[str, dict[str, Runs]] = results
    if "readme" in runs_of:
        lines.append(f"\nreadme: README command 1 (orgsim report, the {len(README_DESIGNS)} example designs"
                     f"{', ' + ' '.join(size['readme'].get('args', [])) if size['readme'].get('args') else ''}"
                     f"{', horizon ' + str(size['readme']['horizon']) + ' days' if 'horizon' in size['readme'] else ''}"
                     "), cold; CPU s by phase, and wall s")
        lines.append(f"  {'contender':<16}{'imports CPU':>20}{'runs CPU':>22}{'page CPU':>20}{'page share':>12}"
                     f"{'overhead':>10}{'wall s':>22}{'page wall':>20}")
        for who, rr in runs_of["readme"].items():
            share = [o["page_cpu"] / o["cpu"] for o in rr.out]
            over = [(o["page_cpu"] + o["imports_cpu"]) / o["cpu"] for o in rr.out]
            lines.append(f"  {who:<16}{_cell(rr.col('imports_cpu'), width=20)}{_cell(rr.col('runs_cpu'))}"
                         f"{_cell(rr.col('page_cpu'), width=20)}{_q(share)[1]:>11.0%} {_q(over)[1]:>9.0%}"
                         f"{_cell(rr.col('wall'))}{_cell(rr.col('page_wall'), width=20)}")
        lines.append("  page share: the page's part of the command's CPU (issue #33's aim: under 15%); "
                     "overhead: imports and page together")
    if "explore" in runs_of:
        args = " ".join(size["explore"].get("args", [])) or "no options"
        lines.append(f"\nexplore: orgsim explore {' '.join(EXPLORE_DESIGNS)} ({args}"
                     f"{', horizon ' + str(size['explore']['horizon']) + ' days' if 'horizon' in size['explore'] else ''}"
                     "); peak = PSS of the process and its workers, summed")
        lines.append(f"  {'contender':<16}{'CPU s':>22}{'wall s':>22}{'peak MB':>20}{'own/worker MB':>15}"
                     f"{'refused first':>15}")
        for who, rr in runs_of["explore"].items():
            refused = [o for o in rr.out if o["refused"]]
            note = (f"yes, in {_q([o['refusal_wall'] for o in refused])[1]:.1f} s" if refused else "no")
            lines.append(f"  {who:<16}{_cell(rr.col('cpu'))}{_cell(rr.col('wall'))}"
                         f"{_cell(rr.col('peak_mb'), '.0f', 20)}"
                         f"{_q(rr.col('own_peak_mb'))[1]:>8.0f}/{_q(rr.col('worker_peak_mb'))[1]:<6.0f}{note:>15}")
            for key in ("worlds", "chose"):
                if rr.out[0][key]:
                    lines.append(f"    {who}: {rr.out[0][key]}")
        if any(o["refused"] for rr in runs_of["explore"].values() for o in rr.out):
            lines.append("  refused first: the default stopped over the budget; the times are of the rerun with "
                         "--allow-large")
    if "summary" in runs_of:
        lines.append(f"\nsummary: scenarios/base.yaml, {size['summary']['days']} days, simulate + run_figures, "
                     "full vs summary mode (warmed up; CPU of the call)")
        lines.append(f"  {'contender':<16}{'items':>11}{'CPU s':>22}{'wall s':>22}{'per CPU-s':>12}")
        for who, rr in runs_of["summary"].items():
            cpu = rr.col("cpu")
            lines.append(f"  {who:<16}{_q(rr.col('items'))[1]:>11,.0f}{_cell(cpu)}{_cell(rr.col('wall'))}"
                         f"{_q(rr.col('items'))[1] / _q(cpu)[1]:>12,.0f}")
        for after in ("", BEFORE):
            if "summary" + after in runs_of["summary"]:
                full, summ = runs_of["summary"]["full" + after].out, runs_of["summary"]["summary" + after].out
                ratio = [s["cpu"] / f["cpu"] for f, s in zip(full, summ, strict=True)]
                diff, key = max(_largest_difference(f["figures"], s["figures"]) for f, s in zip(full, summ, strict=True))
                lines.append(f"  summary / full CPU{after:<8}{_q(ratio)[1]:>6.2f} [{_q(ratio)[0]:.2f}-{_q(ratio)[2]:.2f}]"
                             f"   (at most 1 wanted); figures' largest relative difference {diff:.2%} ({key})")
    if "dask" in runs_of:
        sz = size["dask"]
        lines.append(f"\ndask: {len(DASK_DESIGNS)} designs x {sz['reps']} replications x {sz['days']} days "
                     f"(run_study with the report's detail), the local pool of {sz['workers']} vs a LocalCluster "
                     f"of {sz['workers']} workers")
        lines.append(f"  {'contender':<16}{'CPU s':>22}{'wall s':>22}{'results digest':>20}")
        for who, rr in runs_of["dask"].items():
            lines.append(f"  {who:<16}{_cell(rr.col('cpu'))}{_cell(rr.col('wall'))}{rr.out[0]['digest']:>20}")
        same = all(len({rr.out[r]["digest"] for rr in runs_of["dask"].values()}) == 1 for r in range(repeats))
        lines.append(f"  identical results pool vs Dask, round by round: {'yes' if same else 'NO'}")
        for after in ("", BEFORE):
            if "dask" + after in runs_of["dask"]:
                pool, dask = runs_of["dask"]["pool" + after].out, runs_of["dask"]["dask" + after].out
                ratio = [d["wall"] / p["wall"] for p, d in zip(pool, dask, strict=True)]
                lines.append(f"  Dask / pool wall{after:<10}{_q(ratio)[1]:>6.2f} [{_q(ratio)[0]:.2f}-{_q(ratio)[2]:.2f}]"
                             "   (1 = as fast as the local pool)")
    return lines


def _largest_difference(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, str]:
    """The largest relative difference between two runs' figures (every metric of the record), and whose."""
    worst, key = 0.0, "-"
    for k in sorted(set(a) & set(b)):
        x, y = a[k], b[k]
        if x is None or y is None or x != x or y != y:
            continue
        d = abs(x - y) / abs(x) if abs(x) > 1e-9 else abs(x - y)
        if d > worst:
            worst, key = d, k
    return worst, key


def child_json(spec: dict[str, Any]) -> str:
    """The cold cases' one JSON line (:mod:`benchmarks.child` prints it)."""
    return json.dumps(from_start(spec))


__all__ = ["CONTENDERS", "FROM_START", "WAIT_CASES", "TreeMemory", "child_json", "prepare", "report", "sizes"]
