"""Your own designs beside the pick: the best of them, its cost and score, and how the pick compares.

A question may name designs written by hand (``written:``, files of the same
company: same demand, same run). They are not searched and never picked; they
are run on the same common random numbers as the candidates, to as many
replications as the pick, so that the answer can say: *the best of your
written designs, X, costs A and scores B; the pick costs C and scores D* —
with the paired difference's interval at the question's confidence.

The best written design is chosen by the pick's own rule: within budget and
meeting every target (on its means) first, then the question's objectives in
order. Its *score* is the first simulated objective (the one the selection
decides on when cost comes first).
"""

from __future__ import annotations

import math
from typing import Any

from orgsim.metrics.stats import mean_ci
from orgsim.recommend.candidates import Built, Candidate
from orgsim.recommend.confirm import in_budget, order_key
from orgsim.recommend.screen import screen
from orgsim.recommend.search import EXACT, Evaluated, Evaluator
from orgsim.recommend.select import target_verdict
from orgsim.scenario.model import Scenario

__all__ = ["compare_written", "register_written", "score_metric"]


def register_written(ev: Evaluator, designs: dict[str, Scenario]) -> list[Candidate]:
    """Make each written design a candidate of ``ev`` (its key from its path), screened like any other."""
    out = []
    for path, scenario in designs.items():
        c = Candidate(structure=f"written:{path}")
        money = sum(p.cost_per_year for p in scenario.team.people.values())
        built = Built(c, scenario.name, scenario, money, len(scenario.team.people))
        ev.known[c] = Evaluated(built, screen(scenario))
        out.append(c)
    return out


def score_metric(ev: Evaluator) -> str | None:
    """The metric a design is scored on: the first simulated objective, else the first simulated target's."""
    q = ev.question
    return next((m for m in [*q.objectives, *(t.metric for t in q.targets)] if m not in EXACT), None)


def _meets_on_means(ev: Evaluator, e: Evaluated) -> bool:
    return not e.out and all(t.met_by(e.mean(t.metric)) for t in ev.question.targets)


def compare_written(ev: Evaluator, written: list[Candidate], pick: Candidate | None) -> dict[str, Any] | None:
    """Run the written designs beside the pick and compare the best of them with it (None: no written design)."""
    if not written:
        return None
    q = ev.question
    n = max(q.search.replications, len(ev.get(pick).runs) if pick is not None else 0)
    ev.ensure(written, n)
    each = (1 - q.confirm.confidence) / max(1, len(q.targets) * len(written))
    metric = score_metric(ev)
    rows = []
    for c in written:
        e = ev.get(c)
        row: dict[str, Any] = {"design": e.built.label, "file": c.structure.removeprefix("written:"),
                               "cost_per_year": e.built.cost_per_year, "head_count": e.built.head_count,
                               "within_budget": in_budget(ev, e), "out": e.out, "replications": len(e.runs),
                               "means": {m: (None if e.out else _finite(e.mean(m)))
                                         for m in dict.fromkeys([*q.objectives, *(t.metric for t in q.targets)])
                                         if m not in EXACT},
                               "targets": ["out" if e.out else target_verdict(e.values(t.metric), t.op, t.value, each)
                                           for t in q.targets]}
        rows.append(row)
    live = [c for c in written if not ev.get(c).out]
    best = min(live, key=lambda c: (not in_budget(ev, ev.get(c)), not _meets_on_means(ev, ev.get(c)),
                                    order_key(ev, ev.get(c)), c.key()), default=None)
    out: dict[str, Any] = {"designs": rows, "metric": metric, "best": None, "pick": None}
    if best is None:
        return out
    b = ev.get(best)
    out["best"] = next(r for r in rows if r["file"] == best.structure.removeprefix("written:"))
    out["best"]["meets_every_target"] = _meets_on_means(ev, b)
    if pick is None or metric is None:
        return out
    p = ev.get(pick)
    k = min(len(p.runs), len(b.runs))
    diffs = [x - y for x, y in zip(p.values(metric)[:k], b.values(metric)[:k], strict=True)]
    mean, low, high = mean_ci(diffs, q.confirm.confidence)
    direction = ev.metrics[metric].direction
    if low is None or high is None or (low <= 0 <= high):
        verdict = "no clear difference"
    else:
        verdict = "better" if (mean < 0) == (direction < 0) else "worse"
    out["pick"] = {"design": p.built.label, "cost_per_year": p.built.cost_per_year, "score": _finite(p.mean(metric)),
                   "score_written": _finite(b.mean(metric)), "difference": _finite(mean), "ci": [low, high],
                   "replications": k, "verdict": verdict,
                   "cost_difference": p.built.cost_per_year - b.built.cost_per_year}
    return out


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
