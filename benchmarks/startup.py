"""Start-up: the CPU-seconds of a whole ``orgsim validate FILE`` process (issue #27's aim: under 0.5).

Run from the repository root (``benchmarks.bench`` runs it, interleaved like every case)::

    PYTHONPATH=$PWD python -m benchmarks.bench --only startup --repeats 11
    git archive 4bc5631 | tar -x -C /tmp/before    # any older commit, as the "before"
    PYTHONPATH=$PWD python -m benchmarks.bench --only startup --repeats 11 --baseline /tmp/before

Each run is a fresh interpreter running the command in-process, as the console script does, from the
interpreter's start to its exit: imports, the schema, the YAML, every check of the file (the lint's estimate
included). Its CPU time is what the operating system charged it, user plus system (``getrusage`` of the reaped
child), so a loaded machine's waiting does not count and no clock inside the process is trusted. Beside it: the
modules it loaded, and whether numpy and networkx were among them. With ``--baseline DIR`` each contender runs
again on DIR's ``orgsim`` (``<file>@before``), on the same scenario files, interleaved round by round; the
before/after saving is paired round by round, and both must print the same output (a digest of stdout, stderr
and the exit code).

The files: ``network`` (``scenarios/network.yaml``, the README's first command) and ``pipeline``
(``scenarios/what-if/network-content-pipeline.yaml``, a workflow: its steps' visits are solved too, exactly, without
numpy).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = ("startup",)
FILES = {"network": "scenarios/network.yaml", "pipeline": "scenarios/what-if/network-content-pipeline.yaml"}
CONTENDERS = {"startup": tuple(FILES)}
#: issue #27: `orgsim validate` under 0.5 CPU-seconds
AIM = 0.5
BEFORE = "@before"
#: the child: the command in-process, then one JSON line on stderr with what it loaded
_CHILD = """
import sys
import orgsim
if not orgsim.__file__.startswith(sys.argv[1]):
    raise SystemExit(f"orgsim came from {orgsim.__file__}, not {sys.argv[1]}")
from orgsim.cli import app
sys.argv = ["orgsim", "validate", sys.argv[2]]  # as the console script: the app reads its own command line
try:
    app()
except SystemExit as exc:
    code = exc.code
import json
mods = set(sys.modules)
print(json.dumps({"code": code, "modules": len(mods), "numpy": "numpy" in mods, "networkx": "networkx" in mods}),
      file=sys.stderr)
"""


def run(who: str, baseline: str | None = None) -> dict[str, Any]:
    """One fresh ``orgsim validate`` of contender ``who`` (``<file>@before``: on ``baseline``'s orgsim)."""
    root = Path(baseline).resolve() if who.endswith(BEFORE) and baseline else ROOT
    file = str(ROOT / FILES[who.removesuffix(BEFORE)])  # the same file for before and after
    env = {**os.environ, "PYTHONPATH": str(root)}
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    # -P: the working folder is not put first on the path; orgsim comes from PYTHONPATH (checked in the child)
    p = subprocess.run([sys.executable, "-P", "-c", _CHILD, str(root), file], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    wall, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = p.stderr.strip().splitlines()
    if p.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise SystemExit(f"benchmark run startup/{who} failed:\n{p.stderr.strip()}")
    seen: dict[str, Any] = json.loads(lines[-1])
    shown = json.dumps([p.stdout, lines[:-1], seen["code"]])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"cpu": cpu, "wall": wall, **seen, "digest": hashlib.sha256(shown.encode()).hexdigest()[:12]}


def _q(xs: list[float]) -> tuple[float, float, float]:
    if len(xs) == 1:
        return xs[0], xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[1], q[2]


def _cell(xs: list[float], width: int = 22) -> str:
    lo, med, hi = _q(xs)
    return f"{med:>8.3f} [{lo:.3f}-{hi:.3f}]".rjust(width)


def report(results: dict[str, Any], repeats: int) -> list[str]:
    """The table: CPU and wall medians with IQR, modules, numpy/networkx, and the before/after saving."""
    lines = [f"\nstartup: `orgsim validate FILE`, a fresh interpreter each run, medians of {repeats} rounds "
             f"[25th-75th percentile]; CPU = user + system of the whole process; aim < {AIM} CPU-s"]
    lines.append(f"  {'contender':<18}{'CPU s':>22}{'wall s':>22}{'modules':>9}{'numpy':>7}{'networkx':>10}"
                 f"{'output':>14}{'aim':>9}")
    for runs in results.values():
        for who, rr in runs.items():
            out = rr.out
            cpu = [o["cpu"] for o in out]
            lines.append(f"  {who:<18}{_cell(cpu)}{_cell([o['wall'] for o in out])}"
                         f"{statistics.median(o['modules'] for o in out):>9,.0f}"
                         f"{'yes' if out[0]['numpy'] else 'no':>7}{'yes' if out[0]['networkx'] else 'no':>10}"
                         f"{out[0]['digest']:>14}{'met' if statistics.median(cpu) < AIM else 'not met':>9}")
        befores = [w for w in runs if w.endswith(BEFORE)]
        if befores:
            lines.append("  before/after, paired round by round: CPU-s before - now, and now / before")
        for before in befores:
            now = before.removesuffix(BEFORE)
            a, b = runs[now].out, runs[before].out
            saved = [y["cpu"] - x["cpu"] for x, y in zip(a, b, strict=True)]
            ratio = [x["cpu"] / y["cpu"] for x, y in zip(a, b, strict=True)]
            same = all(x["digest"] == y["digest"] for x, y in zip(a, b, strict=True))
            lo, med, hi = _q(saved)
            rlo, rmed, rhi = _q(ratio)
            lines.append(f"  {now:<18}saved {med:.3f} [{lo:.3f}-{hi:.3f}] CPU-s; now / before {rmed:.2f} "
                         f"[{rlo:.2f}-{rhi:.2f}]; same output: {'yes' if same else 'NO'}")
    return lines
