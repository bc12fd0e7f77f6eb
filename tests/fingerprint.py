"""Fingerprints of every example's seeded results: a change of any seeded figure shows here.

Each example and what-if scenario runs 21 days (3 warm-up) at two seeds; the request,
message, people and insight tables are hashed. ``tests/test_fingerprint.py`` compares
against ``tests/fingerprints.json``. A change that is *meant* to move results (a new
engine rule, a new draw order) regenerates the file on purpose and says why in its
commit::

    python -m tests.fingerprint --update

The same seed must give the same bits on every CPU (the rule is in :mod:`orgsim.sim.portable`).
:func:`cpu_levels` lists the ways this machine can be made to compute as a lesser one: each numpy
SIMD level it offers (``NPY_DISABLE_CPU_FEATURES``) and, on glibc x86-64, the SSE2 build of libm
(``GLIBC_TUNABLES``); ``python -m tests.fingerprint --only KEY...`` prints the named runs' fingerprints,
so a test can run them under each level in a subprocess.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
STORE = Path(__file__).with_name("fingerprints.json")
SEEDS = (1, 2)
DAYS = {"run.horizon_days": 21, "run.warmup_days": 3}


def example_files() -> list[Path]:
    return sorted(ROOT.glob("scenarios/*.yaml")) + sorted(ROOT.glob("scenarios/what-if/*.yaml"))


def _cell(value: object) -> str:
    """One cell as text that no library version changes: floats by their exact bits, every missing value alike.

    (``frame.astype(str)`` was used before: pandas 3 keeps a missing value missing there, pandas 2 wrote
    ``'nan'``, so the same results hashed differently under the two.)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "\u2205"
    if isinstance(value, float):
        return value.hex()
    return str(value)


def _digest(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256(",".join(map(str, frame.columns)).encode())
    for column in frame.columns:
        digest.update("\x1f".join(map(_cell, frame[column].tolist())).encode() + b"\x1e")
    return digest.hexdigest()[:16]


def fingerprint(path: Path, seed: int) -> dict[str, str]:
    from orgsim import load_scenario, simulate, with_changes

    result = simulate(with_changes(load_scenario(path), DAYS), seed=seed)
    return {name: _digest(getattr(result, name)) for name in ("requests", "messages", "people", "insights")}


def compute(only: list[str] | None = None) -> dict[str, dict[str, str]]:
    """Fingerprints of every example at every seed, or of the ``only`` keys (``scenarios/x.yaml@2``)."""
    keys = only or [f"{path.relative_to(ROOT).as_posix()}@{seed}" for path in example_files() for seed in SEEDS]
    return {key: fingerprint(ROOT / key.rpartition("@")[0], int(key.rpartition("@")[2])) for key in keys}


#: glibc's x86-64 libm picks FMA/AVX2 builds of exp, log and pow when the CPU has them; masking these makes it
#: load the SSE2 builds, as on a CPU without FMA (x86-64-v2)
_GLIBC_SSE2 = "glibc.cpu.hwcaps=" + ",".join(
    f"-{f}" for f in ("AVX512F", "AVX512DQ", "AVX512BW", "AVX512VL", "AVX2", "FMA", "FMA4", "AVX"))


def cpu_levels() -> dict[str, dict[str, str]]:
    """Name -> environment for each way this machine computes as a lesser CPU would.

    numpy's dispatch targets that this CPU offers, from the highest down: each level switches off every
    target above it (the last one leaves only numpy's baseline). On glibc x86-64, one more: numpy's
    baseline with libm's SSE2 build.
    """
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy 1.x
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__  # type: ignore[no-redef]

    found = [t for t in __cpu_dispatch__ if __cpu_features__.get(t)]
    levels: dict[str, dict[str, str]] = {}
    for k in range(len(found), -1, -1):
        above = found[k:]
        name = found[k - 1] if k else "baseline"
        levels[name] = {"NPY_DISABLE_CPU_FEATURES": " ".join(above)}
    if platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64") and platform.libc_ver()[0] == "glibc":
        levels["baseline+libm-sse2"] = {**levels["baseline"], "GLIBC_TUNABLES": _GLIBC_SSE2}
    return levels


def at_level(level: dict[str, str], keys: list[str]) -> dict[str, dict[str, str]]:
    """The fingerprints of ``keys`` computed in a fresh interpreter under one of :func:`cpu_levels`."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("NPY_DISABLE_CPU_FEATURES", "GLIBC_TUNABLES")}
    env.update((k, v) for k, v in level.items() if v)
    done = subprocess.run([sys.executable, "-m", "tests.fingerprint", "--only", *keys], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"fingerprints under {level} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


if __name__ == "__main__":
    only = sys.argv[sys.argv.index("--only") + 1:] if "--only" in sys.argv else None
    prints = compute(only)
    if "--update" in sys.argv:
        STORE.write_text(json.dumps(prints, indent=1, sort_keys=True) + "\n")
        print(f"wrote {STORE.relative_to(ROOT)}: {len(prints)} runs")
    else:
        print(json.dumps(prints, indent=1, sort_keys=True))
