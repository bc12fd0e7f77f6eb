"""The question ``orgsim recommend`` answers, as data: the ``recommend:`` block of a question file.

A question names the budget (money per year, head count), the hard targets
(``reply_within_1h_share >= 0.8``), the objectives to trade (metric ids of
:mod:`orgsim.metrics.registry`), and the levers to search: structures, intake,
hires from a menu, shift patterns and named policies. It is read like a
scenario file — every problem is one line naming the file, line, column and
key — and checked against the scenario it is asked about (a policy's dotted
key must exist there, a hire's pods must be pods of the file).

Every default below says why it is what it is.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator

from orgsim.errors import OrgsimError, Problem, ScenarioError
from orgsim.metrics.registry import metrics_of
from orgsim.scenario.loading import load_data
from orgsim.scenario.model import Person, Scenario
from orgsim.scenario.paths import KeyPath, Positions, capped, problem_at
from orgsim.scenario.types import NonNegFloat, Strict

__all__ = ["OPERATORS", "STRUCTURE_CHOICES", "Budget", "Confirm", "Hire", "Levers", "Option", "Question", "Search",
           "Target", "load_question", "question_from_data", "with_settings"]

#: ``keep`` is the scenario's own structure (hires join the pods they name); the others are generated designs
StructureChoice = Literal["keep", "network", "function", "audience", "embedded", "hybrid"]
STRUCTURE_CHOICES: tuple[str, ...] = get_args(StructureChoice)
OPERATORS = (">=", "<=")
_TARGET = re.compile(r"^\s*([a-z0-9_]+)\s*(>=|<=)\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(h|%)?\s*$")


class Target(Strict):
    """A hard target on one metric: ``metric op value`` (hours for ``h`` metrics, a share for ``share`` ones)."""

    metric: str
    op: Literal[">=", "<="]
    value: float

    def met_by(self, x: float) -> bool:
        """Whether the value ``x`` meets the target."""
        return x >= self.value if self.op == ">=" else x <= self.value

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def _parse_target(text: Any) -> Any:
    """``"reply_within_1h_share >= 80%"`` → a :class:`Target` mapping; anything else passes to pydantic."""
    if not isinstance(text, str):
        return text
    m = _TARGET.match(text)
    if m is None:
        raise ValueError(f"expected 'METRIC >= VALUE' or 'METRIC <= VALUE' (silo_latency_rmst <= 24 h), got {text!r}")
    value = float(m.group(3)) / (100 if m.group(4) == "%" else 1)
    return {"metric": m.group(1), "op": m.group(2), "value": value}


class Budget(Strict):
    """What the recommended design may cost. Unset: no limit on that count."""

    #: the people's ``cost_per_year`` plus the chosen options' costs, in the scenario's ``policies.currency``
    money_per_year: NonNegFloat | None = None
    head_count: Annotated[int, Field(ge=1)] | None = None


class Hire(Person):
    """One line of the hiring menu: a person who could be hired, and how many such at most."""

    #: at most this many are hired; 2 by default: a second hire of a kind is the usual cover for the first's absence
    at_most: Annotated[int, Field(ge=1, le=20)] = 2
    #: with the scenario's own structure (``keep``), the pods a hire joins; generated designs place hires themselves
    joins: list[str] = Field(default_factory=list)


class Option(Strict):
    """A named alternative of a lever: dotted scenario keys to set (as ``--set`` does), and what it costs a year."""

    description: str = ""
    set: dict[str, Any] = Field(default_factory=dict)
    cost_per_year: NonNegFloat = 0.0


class Levers(Strict):
    """What the search may change. Each lever defaults to what the scenario already does."""

    #: ``keep`` (the file's own structure) and the generated designs of :mod:`orgsim.design`
    structures: list[StructureChoice] = Field(default_factory=lambda: list[StructureChoice](["keep"]), min_length=1)
    #: empty: the file's own intake
    intake: list[Literal["lead", "pod"]] = Field(default_factory=list)
    hires: dict[str, Hire] = Field(default_factory=dict)
    shifts: dict[str, Option] = Field(default_factory=dict)
    policies: dict[str, Option] = Field(default_factory=dict)

    @field_validator("structures", "intake")
    @classmethod
    def _once(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError(f"each choice once, got {v}")
        return v


class Search(Strict):
    """The simulation-based search (Optuna's NSGA-II on common random numbers)."""

    #: candidates proposed; 48 = six generations of 8, enough to visit most of a few-hundred-candidate space
    #: (duplicates cost no run: a candidate is run once and its figures reused)
    trials: Annotated[int, Field(ge=1, le=2000)] = 48
    #: NSGA-II's generation size; 8 keeps a generation one pool batch on a laptop's cores
    population: Annotated[int, Field(ge=2, le=200)] = 8
    #: replications per candidate while searching; 3 gives a standard error, the least a t-interval needs + 1
    replications: Annotated[int, Field(ge=2, le=100)] = 3
    #: the seed of the sampler and of the runs (None: the scenario's ``run.seed``)
    seed: Annotated[int, Field(ge=0, lt=2**32)] | None = None


class Confirm(Strict):
    """The confirmation of the finalists: replications added until the answer is clear at ``confidence``."""

    #: finalists confirmed besides the one just cheaper than the pick; 4: the pick, its rivals, the over-budget best
    finalists: Annotated[int, Field(ge=1, le=20)] = 4
    #: probability that the pick is truly the best (within ``indifference``) and meets every target; 95% by habit
    confidence: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    #: the smallest difference worth telling apart, per objective in its unit; unset: 5% of the pick's value,
    #: a stated assumption (differences below it are called ties, not ranked)
    indifference: dict[str, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    #: replications at most per finalist; 40 keeps the confirmation within minutes on two cores for the examples
    max_replications: Annotated[int, Field(ge=3, le=1000)] = 40


class Question(Strict):
    """The whole question."""

    budget: Budget = Budget()
    targets: list[Annotated[Target, BeforeValidator(_parse_target)]] = Field(default_factory=list)
    #: metric ids; the first decides between designs that meet every target within budget. ``cost_per_year``
    #: first (the default) asks for the cheapest design that meets every target, as a staffing question does
    objectives: list[str] = Field(default_factory=lambda: ["cost_per_year", "silo_latency_rmst"], min_length=1)
    levers: Levers = Levers()
    search: Search = Search()
    confirm: Confirm = Confirm()

    @model_validator(mode="after")
    def _population(self) -> Question:
        if self.search.population > self.search.trials:
            raise ValueError(f"search.population {self.search.population} is more than search.trials "
                             f"{self.search.trials}: one generation would never be finished")
        return self


def _metric_problems(q: Question, scenario: Scenario) -> list[tuple[KeyPath, str]]:
    known = {m.id: m for m in metrics_of(scenario.run.reply_targets_hours, scenario.demand.departments)}
    out: list[tuple[KeyPath, str]] = []

    def unknown(mid: str) -> str:
        close = difflib.get_close_matches(mid, list(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else "; see `orgsim metrics` for the ids"
        return f"no metric {mid!r} in this scenario{hint}"

    for i, t in enumerate(q.targets):
        if t.metric not in known:
            out.append((("targets", i), unknown(t.metric)))
        elif known[t.metric].direction == 0 and t.metric not in ("head_count",):
            out.append((("targets", i), f"{t.metric} is neither better high nor low; a target on it says nothing"))
    for i, mid in enumerate(q.objectives):
        if mid not in known:
            out.append((("objectives", i), unknown(mid)))
        elif known[mid].direction == 0:
            out.append((("objectives", i), f"{mid} is neither better high nor low; it cannot be an objective"))
    if len(set(q.objectives)) != len(q.objectives):
        out.append((("objectives",), "each objective once"))
    for mid in q.confirm.indifference:
        if mid not in q.objectives:
            out.append((("confirm", "indifference", mid), f"not one of the objectives ({', '.join(q.objectives)})"))
    return out


def _lever_problems(q: Question, scenario: Scenario) -> list[tuple[KeyPath, str]]:
    from orgsim.scenario.overrides import with_changes

    out: list[tuple[KeyPath, str]] = []
    pods = set(scenario.structure.pods)
    people = set(scenario.team.people)
    for name, hire in q.levers.hires.items():
        for j, pod in enumerate(hire.joins):
            if pod not in pods:
                out.append((("levers", "hires", name, "joins", j), f"no pod {pod!r} in the scenario (pods: "
                                                                   f"{', '.join(sorted(pods))})"))
        if "keep" in q.levers.structures and not hire.joins:
            out.append((("levers", "hires", name), "with structures: [keep] a hire needs joins: the pods they join "
                                                   "(generated designs place hires themselves)"))
        taken = [f"{name}_{k}" for k in range(1, hire.at_most + 1) if f"{name}_{k}" in people]
        if taken:
            out.append((("levers", "hires", name), f"{taken[0]!r} is on the team already; name the hire otherwise"))
    for lever in ("shifts", "policies"):
        options: dict[str, Option] = getattr(q.levers, lever)
        for name, option in options.items():
            if not option.set:
                continue
            try:
                with_changes(scenario, option.set, allow_large=True)
            except ScenarioError as exc:
                first = exc.problems[0]
                key = next((k for k in option.set if first.key.startswith(k) or first.message.startswith(k)),
                           next(iter(option.set)))
                out.append((("levers", lever, name, "set", key), first.message))
    return out


def question_from_data(data: Mapping[str, Any], scenario: Scenario, positions: Positions | None = None,
                       file: str = "<data>") -> Question:
    """Validate a ``recommend:`` block against ``scenario``; raise :class:`ScenarioError` with every problem.

    >>> from orgsim.scenario import load_scenario
    >>> s = load_scenario("scenarios/network.yaml")
    >>> question_from_data({"targets": ["silo_latency_rmst <= 30 h"]}, s).targets[0].value
    30.0
    >>> question_from_data({"objectives": ["silo_latncy_rmst"]}, s)
    Traceback (most recent call last):
    ...
    orgsim.errors.ScenarioError: <data>: recommend.objectives.0: no metric 'silo_latncy_rmst' in this scenario; did you mean 'silo_latency_rmst'?
    """
    positions = positions or {}
    top: KeyPath = ("recommend",)

    def at(path: KeyPath, message: str) -> Problem:
        return problem_at((*top, *path), message, positions, file)

    try:
        q = Question.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            path = tuple(p for p in e["loc"] if not (isinstance(p, str) and "[" in p))
            kind = e["type"]
            message = str(e["msg"]).removeprefix("Value error, ")
            if kind == "extra_forbidden":
                message = "unknown key"
            elif kind == "missing":
                message = "required key is missing"
            elif "input" in e and not isinstance(e["input"], (dict, list)) and "got " not in message:
                message += f", got {e['input']!r}"
            problems.append(at(path, message))
        raise ScenarioError(capped(problems)) from None
    found = _metric_problems(q, scenario) + _lever_problems(q, scenario)
    if found:
        raise ScenarioError(capped(at(path, message) for path, message in found))
    return q


def load_question(path: str | Path, scenario: Scenario) -> Question:
    """Read the ``recommend:`` block of a question file (read as scenario files are, ``extends:`` included)."""
    data, positions = load_data(path)
    if set(data) != {"recommend"}:
        other = sorted(k for k in data if k != "recommend")
        where = positions.get((other[0],)) if other else None
        line, col = (where[1], where[2]) if where else (None, None)
        message = (f"unknown key {other[0]!r}: a question file holds one block, recommend:" if other else
                   "expected a recommend: block")
        raise ScenarioError([Problem(str(path), other[0] if other else "", message, line, col)])
    block = data["recommend"]
    if not isinstance(block, Mapping):
        where = positions.get(("recommend",))
        raise ScenarioError([Problem(str(path), "recommend", "expected a mapping (budget:, targets:, levers: ...)",
                                     where[1] if where else None, where[2] if where else None)])
    return question_from_data(block, scenario, positions, str(path))


def with_settings(question: Question, *, money_per_year: float | None = None, head_count: int | None = None,
                  trials: int | None = None, seed: int | None = None) -> Question:
    """``question`` with the command line's ``--budget``, ``--head-count``, ``--trials`` and ``--seed`` (None: the file's).

    >>> q = with_settings(Question(), money_per_year=500000, trials=12)
    >>> q.budget.money_per_year, q.search.trials, q.search.population
    (500000.0, 12, 8)
    """
    data = question.model_dump(mode="json", exclude_unset=True)
    for block, key, value in (("budget", "money_per_year", money_per_year), ("budget", "head_count", head_count),
                              ("search", "trials", trials), ("search", "seed", seed)):
        if value is not None:
            data.setdefault(block, {})[key] = value
    try:
        return Question.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        raise OrgsimError(f"--{'-'.join(str(p) for p in e['loc'][1:]).replace('_', '-')}: "
                          f"{str(e['msg']).removeprefix('Value error, ')}") from None
