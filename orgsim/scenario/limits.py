"""Sizes refused up front: one place for every limit, and how to lift it.

A hostile or mistyped file must fail fast with a clear error instead of
exhausting memory or running for ever. File-shape limits (bytes, nesting,
expanded nodes) always hold; model-size limits (horizon, rates, people,
replications) can be lifted with ``orgsim --allow-large ...``, or from
Python with ``allow_large=True`` to the loader (``load_scenario``,
``with_changes``, ``sweep``, ``Study.load``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orgsim.errors import Problem
from orgsim.scenario.paths import KeyPath, Origin, problem_at

__all__ = ["LIMITS", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_NODES", "size_problems"]

#: a scenario file is a few kilobytes; 5 MB is far beyond any real one
MAX_FILE_BYTES = 5_000_000
#: real scenarios nest about 6 deep
MAX_DEPTH = 50
#: mappings, lists and scalars after aliases are expanded (alias bombs)
MAX_NODES = 200_000

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
