"""Fingerprints of every example's seeded results: a change of any seeded figure shows here.

Each example and what-if scenario runs 21 days (3 warm-up) at two seeds; the request,
message, people and insight tables are hashed. ``tests/test_fingerprint.py`` compares
against ``tests/fingerprints.json``. A change that is *meant* to move results (a new
engine rule, a new draw order) regenerates the file on purpose and says why in its
commit::

    python -m tests.fingerprint --update
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
STORE = Path(__file__).with_name("fingerprints.json")
SEEDS = (1, 2)
DAYS = {"run.horizon_days": 21, "run.warmup_days": 3}


def example_files() -> list[Path]:
    return sorted(ROOT.glob("scenarios/*.yaml")) + sorted(ROOT.glob("scenarios/what-if/*.yaml"))


def _digest(frame: pd.DataFrame) -> str:
    frame = frame.reset_index(drop=True)
    cells = pd.util.hash_pandas_object(frame.astype(str), index=True).to_numpy().tobytes()
    return hashlib.sha256(",".join(map(str, frame.columns)).encode() + cells).hexdigest()[:16]


def fingerprint(path: Path, seed: int) -> dict[str, str]:
    from orgsim import load_scenario, simulate, with_changes

    result = simulate(with_changes(load_scenario(path), DAYS), seed=seed)
    return {name: _digest(getattr(result, name)) for name in ("requests", "messages", "people", "insights")}


def compute() -> dict[str, dict[str, str]]:
    return {
        f"{path.relative_to(ROOT).as_posix()}@{seed}": fingerprint(path, seed)
        for path in example_files()
        for seed in SEEDS
    }


if __name__ == "__main__":
    prints = compute()
    if "--update" in sys.argv:
        STORE.write_text(json.dumps(prints, indent=1, sort_keys=True) + "\n")
        print(f"wrote {STORE.relative_to(ROOT)}: {len(prints)} runs")
    else:
        print(json.dumps(prints, indent=1, sort_keys=True))
