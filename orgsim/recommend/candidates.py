"""A candidate design: one choice per lever, and the validated scenario it makes.

A candidate is plain data (:class:`Candidate`): the structure (``keep`` or a
generated design kind), the intake, how many of each hire, a shift pattern
and a policy option. :func:`build` turns it into a scenario of the same
company, demand and intake volumes as the base (compare like with like): the
options' dotted keys set, the hires added (joining the pods they name when the
file's own structure is kept), the intake set, then — for a generated
structure — the people grouped by :func:`orgsim.design.generate_design`.
Its cost is exact and needs no run: the people's ``cost_per_year`` plus the
options' costs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from orgsim.errors import OrgsimError
from orgsim.recommend.question import Question
from orgsim.scenario.dotted import apply_overrides
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.model import Scenario

__all__ = ["Built", "Candidate", "build", "lever_space"]

#: what a structure choice is called in labels
_STRUCTURE_LABEL = {"keep": "as is", "network": "by network", "function": "by function", "audience": "by audience",
                    "embedded": "embedded experts", "hybrid": "hybrid"}


@dataclass(frozen=True)
class Candidate:
    """One choice per lever. ``hires`` counts each menu line, in the question's order; ``None``: the file's."""

    structure: str = "keep"
    intake: str | None = None
    hires: tuple[int, ...] = ()
    shift: str | None = None
    policy: str | None = None

    def key(self) -> str:
        """A short stable name for files: the first 12 hex digits of the choices' SHA-1.

        >>> Candidate("network", "pod", (1, 0)).key()
        '2192ad5d8ee2'
        """
        text = json.dumps([self.structure, self.intake, list(self.hires), self.shift, self.policy])
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    def choices(self, question: Question) -> dict[str, Any]:
        """The choices by lever name, as JSON."""
        names = list(question.levers.hires)
        return {"structure": self.structure, "intake": self.intake,
                "hires": {n: c for n, c in zip(names, self.hires, strict=True) if c},
                "shift": self.shift, "policy": self.policy}

    def label(self, question: Question, base: Scenario) -> str:
        """What a reader sees: ``by network, intake pod, +2 manila_agent, shift late``."""
        parts = [_STRUCTURE_LABEL[self.structure] if self.structure != "keep" else base.name]
        if self.intake is not None and self.intake != base.structure.intake:
            parts.append(f"intake {self.intake}")
        parts += [f"+{c} {n}" for n, c in zip(question.levers.hires, self.hires, strict=True) if c]
        if self.shift is not None and question.levers.shifts[self.shift].set:
            parts.append(f"shifts {self.shift}")
        if self.policy is not None and question.levers.policies[self.policy].set:
            parts.append(f"policy {self.policy}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Built:
    """A candidate made: its scenario (or why it cannot be made), cost and head count."""

    candidate: Candidate
    label: str
    scenario: Scenario | None
    cost_per_year: float
    head_count: int
    #: why the candidate cannot be made (a team too small for the design's pods); empty when it can
    problem: str = ""


def lever_space(question: Question, base: Scenario) -> dict[str, list[Any]]:
    """Every lever's choices, by parameter name (the search's space); one-choice levers included."""
    lv = question.levers
    space: dict[str, list[Any]] = {"structure": list(lv.structures),
                                   "intake": list(lv.intake) or [base.structure.intake]}
    for name, hire in lv.hires.items():
        space[f"hire:{name}"] = list(range(hire.at_most + 1))
    space["shift"] = list(lv.shifts) or [None]
    space["policy"] = list(lv.policies) or [None]
    return space


def _cost(question: Question, candidate: Candidate, scenario_data: dict[str, Any]) -> tuple[float, int]:
    people = scenario_data["team"]["people"]
    money = sum(float(p.get("cost_per_year", 0.0)) for p in people.values())
    for lever, choice in (("shifts", candidate.shift), ("policies", candidate.policy)):
        if choice is not None:
            money += getattr(question.levers, lever)[choice].cost_per_year
    return money, len(people)


def build(question: Question, base: Scenario, candidate: Candidate, *, allow_large: bool = False) -> Built:
    """The candidate's scenario, validated, with its cost; a design its team cannot make is returned with why.

    >>> from orgsim.scenario import load_scenario
    >>> from orgsim.recommend.question import question_from_data
    >>> s = load_scenario("scenarios/network.yaml")
    >>> q = question_from_data({"levers": {"hires": {"agent": {"joins": ["instagram"], "cost_per_year": 30000}}}}, s)
    >>> b = build(q, s, Candidate(hires=(2,)))
    >>> b.head_count - len(s.team.people), b.scenario.structure.pods["instagram"].members[-2:]
    (2, ['agent_1', 'agent_2'])
    """
    label = candidate.label(question, base)
    # only what was said (as with_changes does): a default written out would count as said
    data = base.model_dump(mode="json", by_alias=True, exclude_unset=True)
    changes: dict[str, Any] = {}
    for lever, choice in (("shifts", candidate.shift), ("policies", candidate.policy)):
        if choice is not None:
            changes.update(getattr(question.levers, lever)[choice].set)
    if changes:
        data = apply_overrides(data, changes)
    for (name, hire), count in zip(question.levers.hires.items(), candidate.hires, strict=True):
        person = hire.model_dump(mode="json", exclude={"at_most", "joins"}, exclude_unset=True)
        for k in range(1, count + 1):
            pid = f"{name}_{k}"
            data["team"]["people"][pid] = dict(person)
            if candidate.structure == "keep":
                for pod in hire.joins:
                    data["structure"]["pods"][pod]["members"].append(pid)
    if candidate.intake is not None and candidate.intake != base.structure.intake:
        data["structure"]["intake"] = candidate.intake
    data["name"] = label
    money, heads = _cost(question, candidate, data)
    try:
        scenario = scenario_from_data(data, {}, f"candidate {label!r}", allow_large=allow_large)
        if candidate.structure != "keep":
            from orgsim.design import design_scenario, generate_design

            design = generate_design(scenario, candidate.structure)
            scenario = design_scenario(scenario, design, allow_large=allow_large)
            scenario = scenario.model_copy(update={"name": label})
    except OrgsimError as exc:
        return Built(candidate, label, None, money, heads, str(exc).splitlines()[0])
    return Built(candidate, label, scenario, money, heads)
