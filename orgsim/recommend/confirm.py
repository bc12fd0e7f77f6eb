"""The confirmation: replications added to the finalists until the answer is clear at the stated confidence.

The error ``alpha = 1 - confidence`` is split: half to the target checks
(Bonferroni over every target of every finalist: each one-sided test at
``alpha / 2 / (targets × finalists)``), half to the selection (Kim & Nelson's
procedure, :func:`orgsim.recommend.select.kim_nelson`); with no targets all of
it goes to the selection. So the pick meets every target *and* is the best
(within the indifference zone) with probability at least ``confidence``.

Which design is best: among those within budget that meet every target, the
best on the first objective. ``cost_per_year`` and ``head_count`` are exact
(no replication changes them); designs tied on them are told apart by the
next objective that is simulated. Replications are added in batches of
:data:`BATCH`, never past ``confirm.max_replications``; what is still unclear
then is said to be unclear.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from orgsim.recommend.candidates import Candidate
from orgsim.recommend.search import EXACT, Evaluated, Evaluator
from orgsim.recommend.select import KN_FIRST_STAGE, kim_nelson, target_verdict

__all__ = ["BATCH", "Confirmation", "confirm", "finalists", "order_key"]

#: replications added at a time: 5 keeps a two-core pool busy and the last batch's waste small; fixed (not the
#: worker count) so that serial, pool and Dask add the same replications and give the same answer
BATCH = 5
#: the indifference zone when the question sets none: 5% of the leader's mean (an assumption: smaller
#: differences are called ties)
DEFAULT_INDIFFERENCE = 0.05


@dataclass
class Confirmation:
    """What the confirmation found."""

    #: every confirmed candidate, by key: its verdict on each target ("meets", "fails", "unclear")
    verdicts: dict[Candidate, list[str]] = field(default_factory=dict)
    pick: Candidate | None = None
    #: whether the pick was separated from its rivals at the confidence (False: the run budget ran out first)
    separated: bool = True
    #: the candidates still tied with the pick when the run budget ran out
    tied: list[Candidate] = field(default_factory=list)
    #: the objective the selection decided on, and its indifference zone
    decided_on: str = ""
    indifference: float = 0.0
    #: candidates within budget that met every target, best first (the pick first)
    feasible: list[Candidate] = field(default_factory=list)

    def meets(self, c: Candidate) -> bool:
        """Whether ``c`` met every target at the confidence."""
        return c in self.verdicts and all(v == "meets" for v in self.verdicts[c])


def in_budget(ev: Evaluator, e: Evaluated) -> bool:
    """Whether the candidate is within the question's budget (exact: cost and head count need no run)."""
    b = ev.question.budget
    return (b.money_per_year is None or e.built.cost_per_year <= b.money_per_year + 1e-9) and \
        (b.head_count is None or e.built.head_count <= b.head_count)


def order_key(ev: Evaluator, e: Evaluated) -> tuple[float, ...]:
    """Sort key, best first: each objective's mean in the question's order, signed so that lower is better."""
    return tuple(-ev.metrics[m].direction * _nan_last(e.mean(m), ev.metrics[m].direction)
                 for m in ev.question.objectives)


def _nan_last(v: float, direction: int) -> float:
    return v if math.isfinite(v) else (math.inf if direction < 0 else -math.inf)


def _point_feasible(ev: Evaluator, e: Evaluated) -> bool:
    return not e.out and all(t.met_by(e.mean(t.metric)) for t in ev.question.targets)


def finalists(ev: Evaluator, ran: Sequence[Candidate]) -> list[Candidate]:
    """The candidates to confirm: the best few within budget, rivals over it, and the designs just cheaper.

    - the best ``confirm.finalists`` within budget that meet every target on the search's means;
    - over budget: the cheapest, and the best on the first objective, that meet them;
    - the pick's "one fewer": for each hire it makes, the same design with one fewer of that hire;
    - the most expensive design within budget that is cheaper than the leader (to show why not cheaper).
    """
    q = ev.question
    live = [c for c in ran if not ev.get(c).out]
    ok = sorted((c for c in live if _point_feasible(ev, ev.get(c))), key=lambda c: order_key(ev, ev.get(c)))
    inside = [c for c in ok if in_budget(ev, ev.get(c))]
    outside = [c for c in ok if not in_budget(ev, ev.get(c))]
    chosen = list(inside[:q.confirm.finalists])
    if outside:
        chosen.append(min(outside, key=lambda c: (ev.get(c).built.cost_per_year, order_key(ev, ev.get(c)))))
        chosen.append(outside[0])
    lead = chosen[0] if chosen else None
    if lead is not None:
        for i, n in enumerate(lead.hires):
            if n:
                fewer = Candidate(lead.structure, lead.intake, tuple(k - (j == i) for j, k in enumerate(lead.hires)),
                                  lead.shift, lead.policy)
                chosen.append(fewer)
        cost = ev.get(lead).built.cost_per_year
        cheaper = [c for c in live if ev.get(c).built.cost_per_year < cost - 1e-9]
        if cheaper:
            chosen.append(max(cheaper, key=lambda c: (ev.get(c).built.cost_per_year, [-x for x in
                                                                                       order_key(ev, ev.get(c))])))
    return list(dict.fromkeys(chosen))


def _at_most(ev: Evaluator) -> int:
    return ev.question.confirm.max_replications


def _resolve_targets(ev: Evaluator, cands: list[Candidate], alpha: float) -> dict[Candidate, list[str]]:
    q = ev.question
    each = alpha / max(1, len(q.targets) * len(cands))
    while True:
        verdicts = {c: [target_verdict(ev.get(c).values(t.metric), t.op, t.value, each) for t in q.targets]
                    for c in cands}
        more = [c for c in cands if not ev.get(c).out and "unclear" in verdicts[c]
                and len(ev.get(c).runs) < _at_most(ev)]
        if not more:
            return verdicts
        step = min(_at_most(ev), min(len(ev.get(c).runs) for c in more) + BATCH)
        ev.ensure(more, step)


def _select(ev: Evaluator, feasible: list[Candidate], alpha: float, conf: Confirmation) -> None:
    q = ev.question
    first = q.objectives[0]
    pool = feasible
    if first in EXACT:
        best = ev.get(feasible[0]).mean(first)
        pool = [c for c in feasible if abs(ev.get(c).mean(first) - best) <= 1e-9 * max(1.0, abs(best))]
        conf.decided_on = first
    stochastic = [m for m in q.objectives if m not in EXACT]
    if len(pool) == 1 or not stochastic:
        conf.pick = pool[0]
        return
    metric = stochastic[0] if first in EXACT else first
    conf.decided_on = metric
    larger = ev.metrics[metric].direction > 0
    lead_mean = ev.get(pool[0]).mean(metric)
    delta = q.confirm.indifference.get(metric, DEFAULT_INDIFFERENCE * abs(lead_mean) if math.isfinite(lead_mean)
                                       else 1.0) or 1.0
    conf.indifference = delta
    n = max(KN_FIRST_STAGE, min(len(ev.get(c).runs) for c in pool))
    while True:
        ev.ensure(pool, n)
        n = min(len(ev.get(c).runs) for c in pool)
        x = np.array([ev.get(c).values(metric)[:n] for c in pool])
        sep = kim_nelson(x, delta, alpha, larger_is_better=larger)
        if sep.separated or n >= _at_most(ev):
            break
        n = min(_at_most(ev), n + BATCH)
    survivors = [pool[i] for i in sep.survivors]
    survivors.sort(key=lambda c: order_key(ev, ev.get(c)))
    conf.pick = survivors[0]
    conf.separated = sep.separated
    conf.tied = survivors[1:]


def confirm(ev: Evaluator, ran: Sequence[Candidate]) -> Confirmation:
    """Confirm the finalists of ``ran`` (see the module docstring)."""
    q = ev.question
    alpha = 1 - q.confirm.confidence
    cands = finalists(ev, ran)
    conf = Confirmation()
    if not cands:
        return conf
    ev.ensure(cands, q.search.replications)
    conf.verdicts = _resolve_targets(ev, cands, alpha / 2 if q.targets else alpha)
    met = [c for c in cands if not ev.get(c).out and conf.meets(c)]
    feasible = sorted((c for c in met if in_budget(ev, ev.get(c))), key=lambda c: order_key(ev, ev.get(c)))
    if feasible:
        _select(ev, feasible, alpha / 2 if q.targets else alpha, conf)
        rest = sorted((c for c in feasible if c != conf.pick), key=lambda c: order_key(ev, ev.get(c)))
        conf.feasible = [conf.pick, *rest] if conf.pick is not None else rest
    return conf
