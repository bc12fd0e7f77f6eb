"""Sizes refused up front: one place for every limit, and how to lift it.

A hostile or mistyped file must fail fast with a clear error instead of
exhausting memory or running for ever. File-shape limits (bytes, nesting,
expanded nodes) always hold; model-size limits (horizon, rates, people,
replications) can be lifted with ``orgsim --allow-large ...``, or from
Python with ``allow_large=True`` to the loader (``load_scenario``,
``with_changes``, ``sweep``, ``Study.load``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from orgsim.errors import Problem
from orgsim.scenario.paths import KeyPath, Origin, problem_at

__all__ = ["LIMITS", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_MAGNITUDE", "MAX_NODES", "number_problems", "size_problems"]

#: a scenario file is a few kilobytes; 5 MB is far beyond any real one
MAX_FILE_BYTES = 5_000_000
#: real scenarios nest about 6 deep
MAX_DEPTH = 50
#: mappings, lists and scalars after aliases are expanded (alias bombs)
MAX_NODES = 200_000

#: the largest number any field takes (seeds aside). Every real figure in a
#: scenario (a salary, a rate, hours) is far below it, and sums or products of
#: a few dozen such numbers stay finite in a float, so nothing overflows: a
#: daily profile of 1e308 weights once summed to inf and its demand vanished.
#: Never lifted by --allow-large: it is about arithmetic, not cost.
MAX_MAGNITUDE = 1e12
#: keys whose integers are identifiers, not quantities
_NOT_QUANTITIES = {"seed"}

#: model-size limits: key -> (largest value, what it is)
LIMITS: dict[str, tuple[float, str]] = {
    "horizon_days": (3650.0, "days simulated (10 years)"),
    "replications": (1000.0, "replications"),
    "per_day": (100_000.0, "arrivals per day of one stream"),
    "per_week": (700_000.0, "arrivals per week of one stream"),
}
MAX_PEOPLE = 1000

HOW = "raise it with `orgsim --allow-large ...` (allow_large=True from Python)"


def size_problems(data: Mapping[str, Any], positions: Mapping[KeyPath, Origin], file: str) -> list[Problem]:
    """Every value in merged scenario data that exceeds a model-size limit."""
    problems: list[Problem] = []

    def at(path: KeyPath, message: str) -> None:
        problems.append(problem_at(path, message, positions, file))

    def walk(node: Any, path: KeyPath) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                sub = (*path, key)
                limit = LIMITS.get(str(key))
                if limit and isinstance(value, (int, float)) and not isinstance(value, bool) and value > limit[0]:
                    at(sub, f"{value:g} exceeds the limit of {limit[0]:g} {limit[1]}; {HOW}")
                walk(value, sub)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, (*path, i))

    walk(data, ())
    people = (data.get("team") or {}).get("people") if isinstance(data.get("team"), Mapping) else None
    if isinstance(people, Mapping) and len(people) > MAX_PEOPLE:
        at(("team", "people"), f"{len(people)} people exceed the limit of {MAX_PEOPLE}; {HOW}")
    return problems


def number_problems(data: Any, positions: Mapping[KeyPath, Origin], file: str) -> list[Problem]:
    """Every number that is not finite (``.inf``, ``.nan``) or too large to compute with, each where it was written.

    Checked on the raw data, before any field is validated, so it holds for
    every number in the file: fields, profiles, audience mixes, distributions.
    """
    problems: list[Problem] = []

    def walk(node: Any, path: KeyPath) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, (*path, i))
        elif isinstance(node, float) and not math.isfinite(node):
            problems.append(problem_at(path, f"expected a finite number, got {node!r}", positions, file))
        elif (isinstance(node, (int, float)) and not isinstance(node, bool) and abs(node) > MAX_MAGNITUDE
              and not (path and path[-1] in _NOT_QUANTITIES)):
            problems.append(problem_at(path, f"{node:g} is too large: numbers are limited to {MAX_MAGNITUDE:g} "
                                             "in magnitude", positions, file))

    walk(data, ())
    return problems
