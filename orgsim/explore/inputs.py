"""Uncertain inputs: ranges over dotted keys (``--vary KEY=LOW..HIGH``) and named groups that move keys together.

An input is one number drawn in ``[low, high]``. A plain key sets that key
(``policies.split_concept_share=0.1..0.5``); a group name sets several keys
from one draw, each from its value in the design's own file:

- ``proficiency`` spreads the work-time factors away from ``practised`` (1):
  at ``v`` each of ``expert``, ``novice`` and ``none`` becomes ``1 + (f - 1) * v``,
  so ``v = 1`` is the file, ``v = 2`` doubles every gap (novice 1.3 -> 1.6), and
  the factors keep their order whatever ``v``;
- ``handoff`` multiplies every ``structure.handoff_hours`` delay by ``v``;
- ``volumes`` multiplies every request and message rate by ``v`` (next year's demand).

Every set value goes through the scenario layer's one gate
(:func:`orgsim.scenario.loading.load_variants`: the dotted-key overrides, then
:func:`~orgsim.scenario.loading.scenario_from_data` with its limits), named by
the ``--vary`` that set it, so a key that does not exist or a value the schema
refuses is the usual one-line error: ``--vary policies.rework_share=0.5..3: ...``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orgsim.errors import OrgsimError, ScenarioError
from orgsim.experiment.sweep import parse_range
from orgsim.scenario.loading import load_variants
from orgsim.scenario.model import HandoffHours, Scenario
from orgsim.scenario.overrides import shown

__all__ = ["DEFAULT_INPUTS", "GROUPS", "Input", "check_ranges", "default_inputs", "inputs_table", "overrides", "parse_vary",
           "scenarios_at"]


def _spread(base: float, v: float) -> float:
    return 1.0 + (base - 1.0) * v


def _scale(base: float, v: float) -> float:
    return base * v


def _proficiency_keys(_: Scenario) -> list[str]:
    return [f"policies.proficiency_factors.{level}" for level in ("expert", "novice", "none")]


def _handoff_keys(_: Scenario) -> list[str]:
    return [f"structure.handoff_hours.{tie}" for tie in HandoffHours.model_fields]


def _volume_keys(s: Scenario) -> list[str]:
    keys = []
    for dname, dept in s.demand.departments.items():
        for rname, req in dept.requests.items():
            unit = "per_day" if req.per_day is not None else "per_week"
            keys.append(f"demand.departments.{dname}.requests.{rname}.{unit}")
    for mname, stream in s.demand.messages.items():
        keys.append(f"demand.messages.{mname}.{'per_day' if stream.per_day is not None else 'per_week'}")
    return keys


@dataclass(frozen=True)
class Group:
    """Keys set together from one draw: ``how(value in the file, draw)`` for each key ``keys(design)`` lists."""

    keys: Callable[[Scenario], list[str]]
    how: Callable[[float, float], float]
    meaning: str


GROUPS: dict[str, Group] = {
    "proficiency": Group(_proficiency_keys, _spread, "spread of the proficiency work-time factors from practised "
                         "(1 = as in the file)"),
    "handoff": Group(_handoff_keys, _scale, "multiplier on every handoff delay (1 = as in the file)"),
    "volumes": Group(_volume_keys, _scale, "multiplier on every request and message rate (1 = as in the file)"),
}


@dataclass(frozen=True)
class Input:
    """One uncertain input: a dotted key or a group name, drawn between ``low`` and ``high``."""

    name: str
    low: float
    high: float
    #: why this range, when it is a default (empty when the user gave it)
    reason: str = ""

    @property
    def spec(self) -> str:
        """As written on the command line: ``--vary NAME=LOW..HIGH``."""
        return f"--vary {self.name}={self.low:g}..{self.high:g}"

    @property
    def group(self) -> Group | None:
        return GROUPS.get(self.name)


#: What ``orgsim explore`` varies when given no ``--vary``: the inputs that no survey measures, which the
#: scenario docs call stated assumptions (policies.py, structure.py, insights.py; DOMAIN.md). The ranges are
#: assumptions too: half to twice the file's gaps and delays, and the concept share from 0.1 to 0.5 around 0.25.
DEFAULT_INPUTS: tuple[Input, ...] = (
    Input("proficiency", 0.5, 2.0, "proficiency factors are assumptions (policies.ProficiencyFactors): half to "
          "twice their gaps from practised"),
    Input("handoff", 0.5, 2.0, "handoff delays are assumptions (structure.handoff_hours; docs/insights.md): half to "
          "twice"),
    Input("policies.split_concept_share", 0.1, 0.5, "the concept share of split work is an assumption "
          "(policies.split_concept_share, 0.25)"),
)


def default_inputs() -> list[Input]:
    """The inputs explored when none are given (:data:`DEFAULT_INPUTS`)."""
    return list(DEFAULT_INPUTS)


def parse_vary(specs: Sequence[str]) -> list[Input]:
    """``--vary`` options as inputs; a key given twice is refused.

    >>> parse_vary(["handoff=0.5..2", "policies.split_concept_share=0.1..0.5"])[1].high
    0.5
    """
    inputs: list[Input] = []
    for spec in specs:
        key, low, high = parse_range(spec)
        if any(i.name == key for i in inputs):
            raise OrgsimError(f"--vary {spec}: {key} is varied twice; give each key one range")
        inputs.append(Input(key, low, high))
    return inputs


def _value_at(s: Scenario, dotted: str) -> Any:
    if dotted == "team.size":
        return len(s.team.people)
    node: Any = s.model_dump(mode="json", by_alias=True)
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def overrides(design: Scenario, inputs: Sequence[Input], values: Sequence[float]) -> dict[str, Any]:
    """The dotted keys one sample point sets in one design (a whole-number key is rounded)."""
    out: dict[str, Any] = {}
    for inp, v in zip(inputs, values, strict=True):
        group = inp.group
        if group is None:
            if inp.name in out:
                raise OrgsimError(f"{inp.spec}: {inp.name} is set by another --vary too; vary it once")
            base = _value_at(design, inp.name)
            whole = isinstance(base, int) and not isinstance(base, bool) and float(inp.low).is_integer()
            out[inp.name] = round(v) if whole else float(v)
            continue
        for key in group.keys(design):
            base = _value_at(design, key)
            if isinstance(base, (int, float)) and not isinstance(base, bool):
                if key in out:
                    raise OrgsimError(f"{inp.spec}: sets {key}, which another --vary sets too; vary it once")
                out[key] = group.how(float(base), float(v))
    return out


def _labeller(design: Scenario, inputs: Sequence[Input]) -> Callable[[str, Any], str]:
    """Name a set value by the ``--vary`` that set it (and, for a group, the key it reached)."""
    by_key = {i.name: i for i in inputs}
    for i in inputs:
        if i.group is not None:
            by_key.update({key: i for key in i.group.keys(design)})

    def label(dotted: str, value: Any) -> str:
        inp = by_key.get(dotted)
        at = f"{value:g}" if isinstance(value, float) else shown(value)
        if inp is None:
            return f"{dotted}={at}"
        return f"{inp.spec} (at {at})" if inp.name == dotted else f"{inp.spec} ({dotted}={at})"

    return label


def scenarios_at(path: str | Path, design: Scenario, inputs: Sequence[Input], points: Sequence[Sequence[float]],
                 allow_large: bool = False) -> list[Scenario]:
    """One validated scenario of the design file per sample point (the file read once).

    A bad key or value is the scenario layer's positioned error, named by the ``--vary`` that set it.
    """
    if not points:
        return []
    changes = [overrides(design, inputs, p) for p in points]
    return load_variants(path, changes, allow_large=allow_large, label=_labeller(design, inputs))


def check_ranges(paths: Sequence[str | Path], designs: Sequence[Scenario], inputs: Sequence[Input],
                 allow_large: bool = False) -> None:
    """Refuse a range whose ends the scenario refuses, before anything runs: each input alone at LOW and at HIGH."""
    for path, design in zip(paths, designs, strict=True):
        for inp in inputs:
            try:
                load_variants(path, [overrides(design, [inp], [inp.low]), overrides(design, [inp], [inp.high])],
                              allow_large=allow_large, label=_labeller(design, [inp]))
            except ScenarioError as exc:  # one line: the first problem says what to fix
                raise ScenarioError(exc.problems[:1]) from None


def inputs_table(inputs: Sequence[Input]) -> list[dict[str, Any]]:
    """The inputs as records: name, range, what a group means, why a default range."""
    return [{"input": i.name, "low": i.low, "high": i.high,
             "meaning": i.group.meaning if i.group is not None else "", "default_reason": i.reason}
            for i in inputs]
