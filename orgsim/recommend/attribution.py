"""What each lever contributed: the pick's difference from the file as it is, split lever by lever.

The levers are the question's own (structure, intake, each line of the hiring
menu, shift pattern, policy), taken where the pick differs from the **status
quo** — the file's own structure and intake, no hires, and the option of each
lever that changes nothing (``as_is: {}``; none: the file as written). Every
combination of them is itself a candidate, so the factorial (2^k candidates,
each the status quo with the levers of the combination taken from the pick)
runs through the search's :class:`~orgsim.recommend.search.Evaluator`: on the
same common random numbers, through ``run_pool`` (serial, pool, Dask alike),
each run a part of the ``--out`` folder, so a killed recommendation resumes
here too. Each lever's share is its exact Shapley value over the factorial,
per replication (:func:`orgsim.experiment.attribution.shapley`, as ``compare
--attribute`` does), so the shares add up to the total replication by
replication, with a Student-t interval over the paired replications.

A combination that cannot be made (a hire who names no pods, on the file's own
structure) groups its levers, as ``compare --attribute`` does; at most
:data:`~orgsim.experiment.attribution.MAX_LEVERS` levers are split (the hire
lines are grouped first, then shift with policy). When a combination cannot
keep up with its work, its latency has no steady state and nothing is split:
the reason is said instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from orgsim.experiment.attribution import MAX_LEVERS, shapley
from orgsim.metrics.stats import mean_ci
from orgsim.recommend.candidates import Candidate, structure_label
from orgsim.recommend.question import Question
from orgsim.recommend.search import EXACT, Evaluator
from orgsim.scenario.model import Scenario

__all__ = ["LeverSplit", "attribute_pick", "factorial_runs", "status_quo"]

#: a lever: its name for readers, and the candidate fields it takes from the pick (hire lines by index)
_Lever = tuple[str, tuple[str, ...]]


@dataclass
class LeverSplit:
    """The pick's difference from the status quo, per metric, lever by lever."""

    status_quo: str
    pick: str
    levers: list[str] = field(default_factory=list)
    #: per metric and lever (and ``total``): {lever, metric, label, difference, ci95}
    rows: list[dict[str, Any]] = field(default_factory=list)
    grouped: list[str] = field(default_factory=list)
    #: why nothing was split ("" when it was)
    not_split: str = ""
    replications: int = 0

    def json(self) -> dict[str, Any]:
        """As plain data for ``recommendation.json``."""
        return {"status_quo": self.status_quo, "pick": self.pick, "levers": self.levers, "rows": self.rows,
                "grouped": self.grouped, "not_split": self.not_split or None, "replications": self.replications}


def _off(options: dict[str, Any]) -> str | None:
    """The option of a lever that changes nothing (no keys set, no cost), or None (the file as written)."""
    return next((name for name, o in options.items() if not o.set and not o.cost_per_year), None)


def status_quo(ev: Evaluator) -> Candidate:
    """The file as it is, as a candidate: its own structure and intake, no hires, the options that change nothing."""
    q, base = ev.question, ev.base
    return Candidate("keep", base.structure.intake, tuple(0 for _ in q.levers.hires),
                     _off(q.levers.shifts), _off(q.levers.policies))


def _levers(ev: Evaluator, sq: Candidate, pick: Candidate) -> list[_Lever]:
    q = ev.question
    out: list[_Lever] = []
    if pick.structure != sq.structure:
        out.append((f"structure: {structure_label(pick.structure, ev.base)}", ("structure",)))
    if pick.intake != sq.intake:
        out.append((f"intake {pick.intake}", ("intake",)))
    hires = [(f"+{n} {name}", (f"hire{i}",)) for i, (name, n) in enumerate(zip(q.levers.hires, pick.hires,
                                                                                   strict=True)) if n]
    out += hires
    if pick.shift != sq.shift:
        out.append((f"shifts {pick.shift}", ("shift",)))
    if pick.policy != sq.policy:
        out.append((f"policy {pick.policy}", ("policy",)))
    if len(out) > MAX_LEVERS and len(hires) > 1:
        out = [lv for lv in out if lv not in hires] + [(", ".join(h[0] for h in hires),
                                                        tuple(f for h in hires for f in h[1]))]
    pair = [lv for lv in out if lv[1] in (("shift",), ("policy",))]
    if len(out) > MAX_LEVERS and len(pair) == 2:
        out = [lv for lv in out if lv not in pair] + [_merge(*pair)]
    return out


def _merge(a: _Lever, b: _Lever) -> _Lever:
    return f"{a[0]} + {b[0]}", a[1] + b[1]


def _combination(sq: Candidate, pick: Candidate, chosen: list[_Lever]) -> Candidate:
    fields = {f for _name, fs in chosen for f in fs}
    hires = tuple(p if f"hire{i}" in fields else s for i, (s, p) in enumerate(zip(sq.hires, pick.hires, strict=True)))
    return replace(sq, hires=hires, **{f: getattr(pick, f) for f in ("structure", "intake", "shift", "policy")
                                       if f in fields})


def _factorial(ev: Evaluator, sq: Candidate, pick: Candidate,
               found: list[_Lever]) -> tuple[list[_Lever], list[Candidate], list[str]]:
    """The levers, grouped until every combination can be made, and the 2^k candidates by bit mask."""
    grouped: list[str] = []
    while True:
        combos = [_combination(sq, pick, [lv for i, lv in enumerate(found) if mask >> i & 1])
                  for mask in range(2 ** len(found))]
        bad = next((mask for mask, c in enumerate(combos) if ev.get(c).built.problem), None)
        if bad is None or len(found) < 2:
            return found, combos, grouped
        on = [i for i in range(len(found)) if bad >> i & 1]
        off = [i for i in range(len(found)) if not bad >> i & 1]
        i, j = (on[0], off[0]) if off else (on[0], on[1])
        grouped.append(f"{found[i][0]} and {found[j][0]} are attributed together: a design with one and not the "
                       "other cannot be made")
        found = [lv for k, lv in enumerate(found) if k not in (i, j)] + [_merge(found[i], found[j])]


def factorial_runs(question: Question, base: Scenario) -> int:
    """The most runs the split can make: 2^k candidates, each to ``confirm.split_replications``.

    k counts the levers the pick can change (the structure, the intake, each hire line, the shift, the policy;
    a lever with no choice but the file's own cannot), at most :data:`MAX_LEVERS`.
    """
    lv = question.levers
    k = ((lv.structures is None or lv.structures != ["keep"]) + any(i != base.structure.intake for i in lv.intake)
         + len(lv.hires) + any(o.set or o.cost_per_year for o in lv.shifts.values())
         + any(o.set or o.cost_per_year for o in lv.policies.values()))
    return 2 ** min(k, MAX_LEVERS) * question.confirm.split_replications


def attribute_pick(ev: Evaluator, pick: Candidate, replications: int) -> LeverSplit:
    """Split the pick's difference from the status quo over the levers (see the module docstring)."""
    q = ev.question
    # the run's common random numbers go to confirm.max_replications: a split asked for more uses all of them
    replications = min(replications, len(ev.seeds))
    sq = status_quo(ev)
    split = LeverSplit(ev.get(sq).built.label, ev.get(pick).built.label, replications=replications)
    found = _levers(ev, sq, pick)
    if not found:
        split.not_split = "the pick is the file as it is: no lever changed"
        return split
    found, combos, split.grouped = _factorial(ev, sq, pick, found)
    stuck = next((c for c in combos if ev.get(c).out), None)
    if stuck is not None:
        split.not_split = (f"{ev.get(stuck).built.label}: {ev.get(stuck).out}; a design that cannot keep up has no "
                           "steady state, so splitting its latency would only split the length of the run")
        return split
    split.levers = [lv[0] for lv in found]
    ev.ensure(combos, replications)
    metrics = list(dict.fromkeys([*(m for m in q.objectives if m not in EXACT),
                                  *(t.metric for t in q.targets if t.metric not in EXACT)]))
    k = len(found)
    for mid in metrics:
        per_rep = [[ev.get(c).values(mid)[r] for c in combos] for r in range(replications)]
        if any(math.isnan(v) for rep in per_rep for v in rep):
            continue
        shares = [shapley(rep.__getitem__, k) for rep in per_rep]
        label = ev.metrics[mid].label
        for i, name in enumerate(split.levers):
            mean, low, high = mean_ci([s[i] for s in shares], q.confirm.confidence)
            split.rows.append({"lever": name, "metric": mid, "label": label, "difference": mean, "ci": [low, high]})
        mean, low, high = mean_ci([rep[-1] - rep[0] for rep in per_rep], q.confirm.confidence)
        split.rows.append({"lever": "total", "metric": mid, "label": label, "difference": mean, "ci": [low, high]})
    return split
