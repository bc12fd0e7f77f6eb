"""Measure how many replications the default needs: primary verdicts of the five example designs across seeds.

``python -m docs.replication_rule`` runs the five example designs (network first, as the README's baseline) at
:data:`MAX_REPS` replications on each of :data:`SEEDS`, then, for every replication count n up to that, judges
the primary verdicts from the first n replications of each seed (replication seeds are spawned in order, so the
first n runs of a larger study are exactly the runs an n-replication study makes). For each n it prints:

* **sign flips**: primary (design, metric) verdicts that read *better* at one seed and *worse* at another;
* **disagreement**: over every pair of seeds, the share of primary verdicts that differ (better / worse /
  no clear difference) — how often a rerun with another seed would tell the reader something else.

The rule the default follows (stated in the README and at ``run.replications``): the smallest n with no sign
flip and a disagreement at or below :data:`LEVEL`, there and at every larger count measured. ``--cache FILE`` keeps the runs' figures, so a second call
only re-judges. About 15 minutes on 2 shared cores.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from orgsim.experiment.study import Study, run_study
from orgsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
DESIGNS = ("network", "function", "audience", "embedded", "solo")
SEEDS = (1, 2, 3, 4, 5)
MAX_REPS = 20
COUNTS = (2, 3, 4, 5, 6, 8, 10, 12, 15, 20)
#: the disagreement a default may leave: one primary verdict in ten reads differently on another seed
LEVEL = 0.10


def _runs(seed: int, cache: Path | None) -> list[list[dict]]:
    scenarios = [load_scenario(ROOT / "scenarios" / f"{d}.yaml") for d in DESIGNS]
    if cache is not None and cache.exists():
        stored = json.loads(cache.read_text())
        if str(seed) in stored:
            return stored[str(seed)]
    runs = run_study(scenarios, MAX_REPS, seed, workers=None, detail=False).runs
    if cache is not None:
        stored = json.loads(cache.read_text()) if cache.exists() else {}
        stored[str(seed)] = runs
        cache.write_text(json.dumps(stored))
    return runs


def verdicts(runs: list[list[dict]], seed: int, n: int) -> dict[tuple[str, str], str]:
    """Primary verdicts of every design against the first, from the first ``n`` replications."""
    scenarios = [load_scenario(ROOT / "scenarios" / f"{d}.yaml") for d in DESIGNS]
    table = Study(scenarios, [r[:n] for r in runs], seed, n).table
    primary = table[table["primary"] & (table["design_id"] != table.attrs["baseline_id"])]
    return {(r.design_id, r.metric): str(r.verdict) for r in primary.itertuples(index=False)}


def measure(cache: Path | None = None) -> list[dict[str, float]]:
    """Per replication count: sign flips, disagreement between seeds, and the share of verdicts that are clear."""
    runs = {seed: _runs(seed, cache) for seed in SEEDS}
    out = []
    for n in COUNTS:
        said = {seed: verdicts(runs[seed], seed, n) for seed in SEEDS}
        keys = sorted(set.intersection(*(set(v) for v in said.values())))
        flips = sum(1 for k in keys if {"better", "worse"} <= {said[s][k] for s in SEEDS})
        pairs = list(itertools.combinations(SEEDS, 2))
        differ = sum(said[a][k] != said[b][k] for a, b in pairs for k in keys) / (len(pairs) * len(keys))
        clear = sum(said[s][k] in ("better", "worse") for s in SEEDS for k in keys) / (len(SEEDS) * len(keys))
        out.append({"replications": n, "verdicts": len(keys), "sign_flips": flips, "disagreement": differ,
                    "clear": clear})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="keep the runs' figures in this JSON file")
    args = parser.parse_args()
    rows = measure(args.cache)
    print(f"{len(DESIGNS)} designs ({', '.join(DESIGNS)}), seeds {', '.join(map(str, SEEDS))}; primary verdicts")
    print("replications  verdicts  sign flips  disagreement between seeds  clear")
    for r in rows:
        print(f"{r['replications']:>12}  {r['verdicts']:>8}  {r['sign_flips']:>10}  {100 * r['disagreement']:>25.1f}%"
              f"  {100 * r['clear']:>4.0f}%")
    good = [r["sign_flips"] == 0 and r["disagreement"] <= LEVEL for r in rows]
    # the smallest count from which every larger count measured also meets the rule
    ok = [r["replications"] for i, r in enumerate(rows) if all(good[i:])]
    print(f"rule (no sign flip, disagreement <= {100 * LEVEL:.0f}%, and so at every larger count measured): "
          + (f"{ok[0]} replications" if ok else f"not met at {COUNTS[-1]} replications"))


if __name__ == "__main__":
    main()
