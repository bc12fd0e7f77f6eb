"""Where a value came from: key paths, their origins, and problems positioned by them.

A key path is the tuple of keys from the top of a scenario down to one value
(``("team", "people", "ava", "hours")``). An origin is where it was written:
``(file, line, column)`` for a value read from a file, or ``(text, None,
None)`` for one set from outside — ``--set team.size=abc`` on the command
line, ``with_changes policies.triage_minutes=2`` from Python. An origin
without a line already names its key, so a problem there reads
``--set team.size=abc: expected ...`` rather than repeating the key.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from orgsim.errors import Problem, one_line
from orgsim.scenario.model import Scenario

__all__ = ["MAX_PROBLEMS", "KeyPath", "Origin", "Positions", "capped", "model_at", "position_of", "problem_at"]

KeyPath = tuple[str | int, ...]
Origin = tuple[str, int | None, int | None]
Positions = dict[KeyPath, Origin]

#: problems shown at once: enough to fix a file in one go, few enough to read
MAX_PROBLEMS = 20


def position_of(path: KeyPath, positions: Mapping[KeyPath, Origin], default_file: str) -> Origin:
    """Where ``path`` (or the nearest key above it) was written; the file alone if nowhere."""
    for n in range(len(path), 0, -1):
        hit = positions.get(path[:n])
        if hit:
            return hit
    return default_file, None, None


def problem_at(path: KeyPath, message: str, positions: Mapping[KeyPath, Origin], file: str) -> Problem:
    """A :class:`Problem` about the value at ``path``, positioned where it (or the key above it) was written."""
    message = one_line(message)
    for n in range(len(path), 0, -1):
        hit = positions.get(path[:n])
        if hit:
            where, line, col = hit
            # An origin with no line (an override) names its own key: show only the part below it.
            shown = path if line is not None else path[n:]
            return Problem(where, ".".join(map(str, shown)), message, line, col)
    return Problem(file, ".".join(map(str, path)), message)


def capped(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, in file order, at most :data:`MAX_PROBLEMS` and a line saying how many more.

    Problems with no line (a whole file, an override) come first, in the order found.
    """
    unique = list(dict.fromkeys(problems))
    unique.sort(key=lambda p: (p.file, p.line, p.column or 0) if p.line is not None else ("", 0, 0))
    if len(unique) <= MAX_PROBLEMS:
        return unique
    more = len(unique) - MAX_PROBLEMS
    return [*unique[:MAX_PROBLEMS], Problem(unique[0].file, "", f"and {more} more problem{'s' * (more != 1)} not shown")]


def model_at(path: KeyPath) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``path`` (for suggestions)."""
    tp: Any = Scenario
    for part in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return None
            tp = field.annotation
        elif typing.get_origin(tp) in (dict, list):
            tp = typing.get_args(tp)[-1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            models = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = next((a for a in models if typing.get_origin(a) in (dict, list) or isinstance(a, type)), models[0])
        else:
            return tp
