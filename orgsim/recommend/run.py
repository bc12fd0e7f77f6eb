"""``recommend``: screen, search, confirm — the best design within a budget, and what it gives up.

The stages (each in its own module):

1. every candidate is made and screened analytically
   (:mod:`~orgsim.recommend.screen`: out only if it cannot keep up);
2. the search proposes candidates and runs ``search.replications`` of each on
   common random numbers (:mod:`~orgsim.recommend.search`);
3. the finalists get replications until their targets and the best among
   them are clear at ``confirm.confidence`` (:mod:`~orgsim.recommend.confirm`).

The run budget is counted before anything runs, at its largest (every trial a
new candidate, every finalist to ``confirm.max_replications``), and refused
like an exploration's; when the question leaves ``confirm.max_replications``
unset, the most that fit the budget are chosen instead of refusing (and said,
as an exploration's size is: :func:`size_confirmation`). With ``out`` every run is a part of the folder as it
finishes; ``resume`` continues a killed recommendation and ends with the same
files, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from orgsim.experiment.parts import open_parts
from orgsim.experiment.settings import Settings
from orgsim.recommend.attribution import LeverSplit, attribute_pick, factorial_runs
from orgsim.recommend.candidates import Candidate, resolved
from orgsim.recommend.confirm import Confirmation, confirm, in_budget, order_key
from orgsim.recommend.question import Question, question_from_data
from orgsim.recommend.search import EXACT, Evaluator, search, space_size
from orgsim.recommend.select import KN_FIRST_STAGE
from orgsim.recommend.written import compare_written, register_written
from orgsim.scenario import limits, load_scenario
from orgsim.scenario.limits import arrivals_per_replication, check_plan
from orgsim.scenario.model import Scenario

__all__ = ["Recommendation", "planned_runs", "recommend", "size_confirmation"]


@dataclass
class Recommendation:
    """The answer: every candidate run (a table), the pick and its rivals, and what the pick gives up."""

    question: Question
    base: Scenario
    seed: int
    #: one row per candidate the search made: choices, cost, head count, why out, replications, means, verdicts
    candidates: pd.DataFrame
    confirmation: Confirmation
    #: the candidate rows by key, for the answer's sentences
    labels: dict[Candidate, str] = field(default_factory=dict)
    scenarios: dict[Candidate, Scenario] = field(default_factory=dict)
    runs: int = 0
    #: the structures the default left out (the team cannot make them), with why
    structures_left_out: dict[str, str] = field(default_factory=dict)
    #: the pick's difference from the file as it is, lever by lever (None: no pick, or no split asked)
    split: LeverSplit | None = None
    #: the written designs run beside the pick, the best of them and how the pick compares (None: none named)
    written: dict[str, Any] | None = None

    @property
    def pick(self) -> Candidate | None:
        """The recommended candidate (None: nothing within budget meets every target at the confidence)."""
        return self.confirmation.pick

    @property
    def pick_scenario(self) -> Scenario | None:
        """The recommended design as a scenario (to write as YAML)."""
        return self.scenarios.get(self.pick) if self.pick is not None else None

    def row(self, c: Candidate) -> dict[str, Any]:
        """The candidate's row of :attr:`candidates`."""
        return dict(self.candidates.set_index("key").loc[c.key()].to_dict())


def planned_runs(question: Question, base: Scenario) -> int:
    """The most runs the recommendation can make: every trial new, every finalist and written design to the most.

    The split adds every combination of the levers it can change (:func:`~orgsim.recommend.attribution.factorial_runs`).
    """
    q = question
    searched = min(q.search.trials, space_size(q, base)) * q.search.replications
    confirmed = (q.confirm.finalists + 3 + len(q.levers.hires)) * q.confirm.max_replications
    split = factorial_runs(q, base)
    return searched + confirmed + split + len(q.written) * q.confirm.max_replications


def size_confirmation(question: Question, base: Scenario, *, allow_large: bool = False) -> tuple[Question, str]:
    """``question`` with a ``confirm.max_replications`` that fits the run budget, and the sentence saying what was chosen.

    The default of 40 counts every finalist and written design at 40 replications, four times what the
    README's example runs (592 runs counted, 148 run), which is over the budget for the example company:
    so when the question does not set it, the most replications that fit are chosen (never fewer than
    the selection's first stage, :data:`~orgsim.recommend.select.KN_FIRST_STAGE`) and the sentence says
    so ('' when nothing was chosen). A value the question sets is kept and refused when over the budget,
    as are plans over it even at the fewest.

    >>> from orgsim.analytic.reductions import mmc_data
    >>> from orgsim.recommend.question import question_from_data
    >>> from orgsim.scenario.loading import scenario_from_data
    >>> base = scenario_from_data(mmc_data(2, 4.0, 1.0, horizon_days=1000, warmup_days=2, seed=1))
    >>> q, said = size_confirmation(question_from_data({}, base), base)
    >>> q.confirm.max_replications, said.split(";")[0]
    (11, 'confirming with up to 11 replications per finalist (the default 40 would go over the run budget)')
    """
    q = question
    unset = "max_replications" not in q.confirm.model_fields_set
    if allow_large or not unset or _within_budget(q, base):
        check_plan([base], 1, planned_runs(q, base), "runs at most (candidates × replications)", allow_large=allow_large)
        return q, ""
    fewest = max(KN_FIRST_STAGE, q.search.replications, q.confirm.split_replications)
    for most in range(q.confirm.max_replications - 1, fewest - 1, -1):
        sized = q.model_copy(update={"confirm": q.confirm.model_copy(update={"max_replications": most})})
        if _within_budget(sized, base):
            return sized, (f"confirming with up to {most} replications per finalist (the default "
                           f"{q.confirm.max_replications} would go over the run budget); {planned_runs(sized, base):,} "
                           "runs at most; set confirm.max_replications in the question to choose")
    fewest_q = q.model_copy(update={"confirm": q.confirm.model_copy(update={"max_replications": fewest})})
    check_plan([base], 1, planned_runs(fewest_q, base), f"runs at most (candidates × replications, {fewest} "
               "replications per finalist, the fewest)", allow_large=False)
    return fewest_q, ""  # pragma: no cover - check_plan refused above (fewest did not fit)


def _within_budget(question: Question, base: Scenario) -> bool:
    return arrivals_per_replication(base)[0] * planned_runs(question, base) <= limits.MAX_WORK


def recommend(base: Scenario, question: Question | dict[str, Any] | None = None, *, out: Path | None = None,
              resume: bool = False, workers: int | None = 1, scheduler: Any = None,
              progress: Callable[[int], None] | None = None, allow_large: bool = False) -> Recommendation:
    """Answer ``question`` about ``base`` (a dict is validated as a ``recommend:`` block; None: the defaults).

    >>> from orgsim.analytic.reductions import mmc_data
    >>> from orgsim.scenario.loading import scenario_from_data
    >>> data = mmc_data(1, 4.0, 1.0, horizon_days=14, warmup_days=2)
    >>> base = scenario_from_data(data)
    >>> r = recommend(base, {"targets": ["silo_latency_rmst <= 1.6 h"], "levers": {
    ...     "structures": ["keep"], "hires": {"agent": {"joins": ["pod"], "cost_per_year": 30000, "hours": "00:00-24:00",
    ...     "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "at_most": 6}}}})
    >>> r.row(r.pick)["label"]
    'mm1, +5 agent'
    """
    if question is None or isinstance(question, dict):
        q = question_from_data(question or {}, base)
    elif isinstance(question, Question):
        q = question
    else:  # a Question of a second import of its module (pytest's importlib mode re-imports doctested modules)
        q = Question.model_validate(question.model_dump(mode="json", exclude_unset=True))
    q, left_out = resolved(q, base)  # the structures written out once: generating a design takes up to a second
    q, _ = size_confirmation(q, base, allow_large=allow_large)  # the CLI says what was chosen, before its bar
    # the search's seed (default: the file's run.seed) and the most replications any candidate runs, folded once
    settings = Settings.fold(base.run, replications=q.confirm.max_replications, seed=q.search.seed, workers=workers,
                             scheduler=scheduler, allow_large=allow_large)
    seed = settings.seed
    manifest = {"format": 1, "kind": "recommend", "seed": seed,
                "question": q.model_dump(mode="json"), "scenario": base.model_dump(mode="json")}
    with open_parts(out, manifest, resume, "recommendation", "the scenario, the question or the seed differ") as parts:
        ev = Evaluator(q, base, settings, parts, out, progress)
        ran = search(ev)
        conf = confirm(ev, ran)
        every = list(dict.fromkeys([*ran, *conf.verdicts]))
        table = _table(ev, every, conf)
        split = None
        if conf.pick is not None and q.confirm.split_replications:
            split = attribute_pick(ev, conf.pick, q.confirm.split_replications)
        written = compare_written(ev, register_written(ev, {p: load_scenario(p) for p in q.written}), conf.pick)
        result = Recommendation(q, base, seed, table, conf,
                                labels={c: ev.get(c).built.label for c in every},
                                scenarios={c: s for c in every if (s := ev.get(c).built.scenario) is not None},
                                runs=len(parts), structures_left_out=left_out, split=split, written=written)
        if out is not None:
            from orgsim.recommend.answer import write_answer

            write_answer(result, out)
    return result


def _pareto(ev: Evaluator, cands: list[Candidate]) -> set[Candidate]:
    """The candidates no other beats on every objective (cost always one of them)."""
    objectives = list(dict.fromkeys(["cost_per_year", *ev.question.objectives]))
    keys = {c: [-ev.metrics[m].direction * ev.get(c).mean(m) for m in objectives] for c in cands}
    front = set()
    for c in cands:
        if not all(math.isfinite(v) for v in keys[c]):
            continue
        if not any(all(a <= b for a, b in zip(keys[d], keys[c], strict=True)) and keys[d] != keys[c]
                   for d in cands if d != c and all(math.isfinite(v) for v in keys[d])):
            front.add(c)
    return front


def _table(ev: Evaluator, every: list[Candidate], conf: Confirmation) -> pd.DataFrame:
    q = ev.question
    met = [c for c in every if not ev.get(c).out and all(t.met_by(ev.get(c).mean(t.metric)) for t in q.targets)]
    front = _pareto(ev, met)
    rows = []
    for c in sorted(every, key=lambda c: (bool(ev.get(c).out), order_key(ev, ev.get(c)), c.key())):
        e = ev.get(c)
        row: dict[str, Any] = {"key": c.key(), "label": e.built.label, **_flat(c.choices(q)),
                               "cost_per_year": e.built.cost_per_year, "head_count": e.built.head_count,
                               "within_budget": in_budget(ev, e), "out": e.out, "replications": len(e.runs)}
        for m in q.objectives:
            if m not in EXACT:
                row[m] = e.mean(m) if not e.out else math.nan
        for i, t in enumerate(q.targets):
            row[f"target{i}_{t.metric}"] = e.mean(t.metric) if not e.out else math.nan
            row[f"target{i}_verdict"] = conf.verdicts[c][i] if c in conf.verdicts else \
                ("out" if e.out else ("meets" if t.met_by(e.mean(t.metric)) else "fails") + " (search)")
        row["pareto"] = c in front
        row["confirmed"] = c in conf.verdicts
        row["pick"] = c == conf.pick
        rows.append(row)
    return pd.DataFrame(rows)


def _flat(choices: dict[str, Any]) -> dict[str, Any]:
    hires = choices.pop("hires")
    choices["hires"] = ", ".join(f"{n} × {k}" for n, k in hires.items())
    return choices

