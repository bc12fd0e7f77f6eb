"""Instructions per item, counted by callgrind: a figure that does not move with the machine's load.

    PYTHONPATH=$PWD python -m benchmarks.instructions                          # M/M/5 year: orgsim vs simpy-hand
    PYTHONPATH=$PWD python -m benchmarks.instructions --who orgsim simpy-store --days 90
    PYTHONPATH=$PWD python -m benchmarks.instructions --baseline /tmp/before   # adds orgsim@before

CPU seconds on a shared two-core machine move by a third from one run to the
next (``benchmarks.bench`` interleaves and takes medians for that reason);
the number of machine instructions a run executes does not: it is the same,
run after run, whatever else the machine is doing, for the same binary,
inputs and environment. This runs each contender under ``valgrind
--tool=callgrind`` with counting switched off (``--instr-atstart=no``) through
the imports, the inputs and the untimed one-day warm-up of
:mod:`benchmarks.child`, switches it on (``callgrind_control -i on``) for
exactly the call ``benchmarks.child`` times, and leaves without the
interpreter's teardown. Printed: instructions per item and each contender's
count over the first one's (below 1: fewer instructions than the first).

Instructions are not time: a cache miss or a mispredicted branch costs
cycles no count shows (callgrind's ``--cache-sim=yes --branch-sim=yes`` adds
them, at several times the run time). The record of speed stays the
interleaved CPU times of ``benchmarks.bench``; this is the repeatable
figure to steer engine work by between two such records.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: what callgrind prints at the end: "==PID== Collected : N"
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
#: how long to wait for the child to reach its timed call (imports and the warm-up, under valgrind)
READY_TIMEOUT = 600.0


def child(spec: dict[str, Any], ready: Path, go: Path) -> None:
    """In the valgrind process: prepare, say ready, wait for counting to be on, run the timed call, leave."""
    from benchmarks.child import WARM_UP, prepare, use_orgsim_root

    use_orgsim_root()
    prepare({**spec, **WARM_UP.get(spec["case"], {}), "seed": spec["seed"] + 1000})()
    run = prepare(spec)
    ready.touch()
    while not go.exists():
        time.sleep(0.01)
    out = run()
    print(json.dumps(out), flush=True)
    os._exit(0)  # the interpreter's teardown is not the run's: counting stops here


def count(spec: dict[str, Any], baseline: str | None = None) -> tuple[int, dict[str, Any]]:
    """Instructions executed by one timed call of ``spec`` (a :mod:`benchmarks.child` spec), and its output."""
    with tempfile.TemporaryDirectory(prefix="orgsim-instr-") as tmp:
        ready, go, log = Path(tmp, "ready"), Path(tmp, "go"), Path(tmp, "valgrind.log")
        # a fixed hash seed: string hashing, and with it set and dict layouts, the same in every run
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
        if baseline:
            env["ORGSIM_ROOT"] = baseline
        cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={tmp}/callgrind.out",
               f"--log-file={log}", sys.executable, "-m", "benchmarks.instructions", "--child", json.dumps(spec),
               str(ready), str(go)]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        waited = 0.0
        while not ready.exists():
            if proc.poll() is not None or waited > READY_TIMEOUT:
                proc.kill()
                raise SystemExit(f"{spec['who']}: the child stopped before its timed call (valgrind exited "
                                 f"{proc.returncode}; its error, if any, is printed above)")
            time.sleep(0.1)
            waited += 0.1
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
        go.touch()
        out, _ = proc.communicate()
        found = COLLECTED.findall(log.read_text())
        if proc.returncode != 0 or not found:
            raise SystemExit(f"{spec['who']}: valgrind exited {proc.returncode} without a count")
        return int(found[-1]), json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, float]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", nargs=3, metavar=("SPEC", "READY", "GO"), help=argparse.SUPPRESS)
    ap.add_argument("--case", default="mmc", choices=("mmc", "tandem", "base"))
    ap.add_argument("--who", nargs="+", default=["orgsim", "simpy-hand"], help="contenders (benchmarks.child's names)")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline", metavar="DIR", help="also count orgsim on DIR's orgsim, as orgsim@before")
    a = ap.parse_args(argv)
    if a.child:
        child(json.loads(a.child[0]), Path(a.child[1]), Path(a.child[2]))
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        ap.error("valgrind is not installed (Debian: apt-get install valgrind)")
    if a.baseline and not (Path(a.baseline) / "orgsim" / "__init__.py").is_file():
        ap.error(f"--baseline {a.baseline}: no orgsim package there")
    spec = {"case": a.case, "days": a.days, "warmup": min(30, a.days // 12), "seed": a.seed}
    runs = [(who, who, None) for who in a.who]
    if a.baseline:
        runs += [(who + "@before", who, a.baseline) for who in a.who if who.startswith("orgsim")]
    per_item: dict[str, float] = {}
    print(f"{a.case}, {a.days} days, seed {a.seed}: instructions of the timed call (callgrind)")
    for name, who, base in runs:
        n, out = count({**spec, "who": who}, base)
        per_item[name] = n / out["items"]
        first = per_item[runs[0][0]]
        print(f"  {name:<22}{n:>16,} instructions {out['items']:>9,} items {per_item[name]:>10,.0f} per item"
              f"{per_item[name] / first:>8.3f} x {runs[0][0]}", flush=True)
    return per_item


if __name__ == "__main__":
    main()
