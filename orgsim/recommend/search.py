"""The search: candidates proposed by Optuna's NSGA-II, each screened, then simulated on common random numbers.

:class:`Evaluator` makes each candidate once (:func:`~orgsim.recommend.candidates.build`),
screens it (:func:`~orgsim.recommend.screen.screen`) and runs its replications
through :func:`orgsim.experiment.parts.run_parts` — so every run goes through
``run_pool`` (serial, local pool or Dask) and is written as a part of the
results folder the moment it finishes. Replication ``r`` of every candidate uses
the same child seed (common random numbers): two candidates are compared on
the same requests and messages.

:func:`search` asks Optuna's NSGA-II sampler (seeded) for a generation of
candidates at a time, runs them as one batch, and tells it each one's
objectives (means over the replications) and constraints (budget and targets,
``<= 0`` when met; a screened-out candidate violates its own). A space no
larger than ``search.trials`` is run whole instead: sampling it could only
miss a candidate.

**Resuming.** Optuna's storages keep trials but not the sampler's random
state, so a study resumed from one draws differently from an uninterrupted
one. Here the study is kept in memory and replayed: the seeded sampler asks
the same candidates in the same order, each told the figures read back from
the parts on disk, so a resumed search runs only what is missing and ends
exactly as an uninterrupted one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from orgsim.experiment.parallel import Job
from orgsim.experiment.parts import run_parts
from orgsim.experiment.replications import replication_seeds
from orgsim.experiment.settings import Settings
from orgsim.metrics.registry import Metric, metrics_of
from orgsim.recommend.candidates import Built, Candidate, build, lever_space
from orgsim.recommend.question import Question, Target
from orgsim.recommend.screen import screen
from orgsim.scenario.model import Scenario

__all__ = ["EXACT", "Evaluated", "Evaluator", "search", "space_size"]

#: objectives known without a run: the candidate's own cost and head count
EXACT = ("cost_per_year", "head_count")
#: a screened-out candidate's figure for the sampler: far worse than any real one, finite (NSGA-II sorts it)
_WORST = 1e12


@dataclass
class Evaluated:
    """A candidate made, screened, and the records of its replications so far (replication 0 first)."""

    built: Built
    #: why the analytic screen put it out ("" when it passed); a candidate that cannot be built is out too
    screened: str
    runs: list[dict[str, float]] = field(default_factory=list)

    @property
    def out(self) -> str:
        """Why it is out of the running before any simulation: it cannot be built, or cannot keep up."""
        return self.built.problem or self.screened

    def values(self, metric: str) -> list[float]:
        """The metric in each replication (cost and head count: exact, the same in each)."""
        if metric == "cost_per_year":
            return [self.built.cost_per_year] * max(1, len(self.runs))
        if metric == "head_count":
            return [float(self.built.head_count)] * max(1, len(self.runs))
        return [r.get(metric, math.nan) for r in self.runs]

    def mean(self, metric: str) -> float:
        """The mean over the replications so far (NaN when none, or when a replication has none)."""
        v = np.asarray(self.values(metric), dtype=float)
        return float(v.mean()) if v.size and np.isfinite(v).all() else math.nan


class Evaluator:
    """Makes, screens and runs candidates, each once; replications added on request, kept in ``parts``."""

    def __init__(self, question: Question, base: Scenario, settings: Settings, parts: dict[str, Any], out: Any,
                 progress: Callable[[int], None] | None = None) -> None:
        self.question, self.base, self.settings = question, base, settings
        #: child seed ``r`` of the settings' seed, for replication ``r`` of every candidate (common random numbers)
        self.seeds = replication_seeds(settings.seed, settings.replications)
        self.parts, self.out, self.progress = parts, out, progress
        self.allow_large = settings.allow_large
        self.known: dict[Candidate, Evaluated] = {}
        self.metrics: dict[str, Metric] = {m.id: m for m in metrics_of(base.run.reply_targets_hours,
                                                                       base.demand.departments)}
        self.runs_done = 0

    def get(self, candidate: Candidate) -> Evaluated:
        """The candidate made and screened (once)."""
        if candidate not in self.known:
            built = build(self.question, self.base, candidate, allow_large=self.allow_large)
            reason = screen(built.scenario) if built.scenario is not None else ""
            self.known[candidate] = Evaluated(built, reason)
        return self.known[candidate]

    def ensure(self, candidates: Sequence[Candidate], n: int) -> None:
        """Run replications ``0..n-1`` of every candidate still in the running (those done are read back)."""
        n = min(n, len(self.seeds))
        jobs: dict[str, Job] = {}
        for c in dict.fromkeys(candidates):
            ev = self.get(c)
            if ev.out or ev.built.scenario is None:
                continue
            for r in range(len(ev.runs), n):
                jobs[_part(c, r)] = Job(ev.built.scenario, self.seeds[r])
        todo = [k for k in jobs if k not in self.parts]
        if todo:
            run_parts({k: jobs[k] for k in todo}, self.parts, self.out, self.settings,
                      None if self.progress is None else (lambda _count: self._tick()))
        for c in dict.fromkeys(candidates):
            ev = self.known[c]
            if not ev.out:
                ev.runs = [self.parts[_part(c, r)] for r in range(max(n, len(ev.runs)))]

    def _tick(self) -> None:
        self.runs_done += 1
        if self.progress is not None:
            self.progress(self.runs_done)

    def constraints(self, ev: Evaluated) -> dict[str, float]:
        """The sampler's constraints (``<= 0``: met): budget, head count, each target; screened-out: violated."""
        q = self.question
        out: dict[str, float] = {"screen": 1.0 if ev.out else 0.0}
        if q.budget.money_per_year is not None:
            out["budget"] = (ev.built.cost_per_year - q.budget.money_per_year) / max(q.budget.money_per_year, 1.0)
        if q.budget.head_count is not None:
            out["head_count"] = float(ev.built.head_count - q.budget.head_count)
        for i, t in enumerate(q.targets):
            out[f"target{i}"] = 1.0 if ev.out else _shortfall(t, ev.mean(t.metric))
        return out

    def objective_values(self, ev: Evaluated) -> list[float]:
        """The objectives' means (screened-out: far worse than any real value, in each direction)."""
        vals = []
        for mid in self.question.objectives:
            worst = _WORST * (1 if self.metrics[mid].direction < 0 else -1)
            v = worst if ev.out and mid not in EXACT else ev.mean(mid)
            vals.append(worst if not math.isfinite(v) else v)
        return vals


def _shortfall(target: Target, mean: float) -> float:
    """How far ``mean`` is from meeting ``target``, relative to it (``<= 0``: met; NaN: 1)."""
    if not math.isfinite(mean):
        return 1.0
    scale = max(abs(target.value), 1e-9)
    return (target.value - mean) / scale if target.op == ">=" else (mean - target.value) / scale


def _part(candidate: Candidate, replication: int) -> str:
    return f"{candidate.key()}-r{replication:03d}"


def space_size(question: Question, base: Scenario) -> int:
    """How many candidates the levers make (the product of every lever's choices)."""
    return math.prod(len(v) for v in lever_space(question, base).values())


def _candidate(params: dict[str, Any], space: dict[str, list[Any]], question: Question) -> Candidate:
    def pick(name: str) -> Any:
        return params[name] if name in params else space[name][0]

    return Candidate(structure=pick("structure"), intake=pick("intake"),
                     hires=tuple(int(pick(f"hire:{h}")) for h in question.levers.hires),
                     shift=pick("shift"), policy=pick("policy"))


def search(ev: Evaluator) -> list[Candidate]:
    """Every candidate the search ran, in the order first proposed (see the module docstring)."""
    q, base = ev.question, ev.base
    space = lever_space(q, base)
    n0 = q.search.replications
    if space_size(q, base) <= q.search.trials:
        every = [_candidate(dict(zip(space, combo, strict=True)), space, q)
                 for combo in itertools.product(*space.values())]
        ev.ensure(every, n0)
        return every
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.NSGAIISampler(population_size=q.search.population, seed=ev.settings.seed)
    directions: list[Literal["minimize", "maximize"]] = [
        "minimize" if ev.metrics[m].direction < 0 else "maximize" for m in q.objectives]
    study = optuna.create_study(directions=directions, sampler=sampler)
    seen: dict[Candidate, None] = {}
    told = 0
    while told < q.search.trials:
        batch = [study.ask() for _ in range(min(q.search.population, q.search.trials - told))]
        chosen = []
        for trial in batch:
            for name, choices in space.items():
                if len(choices) < 2:
                    continue
                if name.startswith("hire:"):
                    trial.suggest_int(name, choices[0], choices[-1])
                else:
                    trial.suggest_categorical(name, choices)
            chosen.append(_candidate(trial.params, space, q))
        ev.ensure(chosen, n0)
        for trial, c in zip(batch, chosen, strict=True):
            seen.setdefault(c)
            evaluated = ev.get(c)
            for key, value in ev.constraints(evaluated).items():
                trial.set_constraint(key, value)
            study.tell(trial, ev.objective_values(evaluated))
        told += len(batch)
    return list(seen)
