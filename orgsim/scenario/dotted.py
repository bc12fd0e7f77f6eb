"""Setting dotted keys in scenario data, and noting that each one came from outside the file.

``{"policies.approval_steps": 0}`` sets one value of the merged data; the
key must exist in the scenario's model (a typo is refused with the nearest
key), and ``team.size`` resizes the team. Each value set gets an origin
naming the override as the user wrote it (``--set policies.approval_steps=0``),
so a bad value is reported there and not at the base file's line.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from orgsim.errors import Problem, ScenarioError
from orgsim.scenario.paths import KeyPath, Positions, model_at

__all__ = ["Label", "apply_overrides", "cli_label", "shown", "with_overrides"]

#: how an override is named in an error: (dotted key, value) -> text
Label = Callable[[str, Any], str]


def shown(value: Any) -> str:
    """A value as it would be typed on the command line (``true``, ``2``, ``abc``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def cli_label(dotted: str, value: Any) -> str:
    """``--set KEY=VALUE``, the override as written for ``orgsim sweep``."""
    return f"--set {dotted}={shown(value)}"


def _resize_team(data: dict[str, Any], size: Any, where: str) -> None:
    """``team.size``: keep the first N people, or add copies of non-leads to their pods."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ScenarioError([Problem(where, "", "expected a whole number of people, at least 1")])
    people: dict[str, Any] = dict(data["team"]["people"])
    structure = data.get("structure", {})
    lead = structure.get("lead")
    ids = list(people)
    if size <= len(ids):
        keep = ids[:size]
        if lead is not None and lead not in keep:
            keep = [lead, *[i for i in ids if i != lead][: size - 1]]
        data["team"]["people"] = {i: people[i] for i in keep}
        for pod in structure.get("pods", {}).values():
            pod["members"] = [m for m in pod.get("members", []) if m in keep] or keep[-1:]
        return
    workers = [i for i in ids if i != lead] or ids
    pods = [pod for pod in structure.get("pods", {}).values() if isinstance(pod, dict)]
    added: list[list[str]] = [[] for _ in pods]
    in_pods = [set(pod.get("members", []) or []) for pod in pods]
    # linear in the size: the limit on people (checked when the result is validated) refuses a huge one quickly
    for n in range(size - len(ids)):
        original = workers[n % len(workers)]
        clone = f"{original}_{n // len(workers) + 2}"
        people[clone] = people[original]
        for k, members in enumerate(in_pods):
            if original in members:
                added[k].append(clone)
    for pod, extra in zip(pods, added, strict=True):
        if extra:
            pod["members"] = [*pod["members"], *extra]
    data["team"]["people"] = people


def with_overrides(data: Mapping[str, Any], positions: Positions, overrides: Mapping[str, Any],
                   label: Label = cli_label) -> tuple[dict[str, Any], Positions]:
    """A deep copy of ``data`` with dotted keys set, and positions where each set value is named by ``label``.

    A key the scenario does not have is refused (with the nearest one); the base data is not changed.
    """
    out: dict[str, Any] = copy.deepcopy(dict(data))
    where: Positions = dict(positions)
    for dotted, value in overrides.items():
        name = label(dotted, value)
        if dotted == "team.size":
            _resize_team(out, value, name)
            continue
        parts = dotted.split(".")
        node: Any = out
        for depth, part in enumerate(parts):
            model = model_at(tuple(parts[:depth]))
            known = list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else (
                list(node) if isinstance(node, dict) else [])
            if part not in known:
                close = difflib.get_close_matches(part, known, n=1)
                hint = f"; did you mean {'.'.join([*parts[:depth], close[0]])!r}?" if close else ""
                raise ScenarioError([Problem(name, "", f"no key {'.'.join(parts[:depth + 1])!r} in the scenario{hint}")])
            if depth == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise ScenarioError([Problem(name, "", f"{'.'.join(parts[:depth + 1])} is a value, not a block")])
        key: KeyPath = tuple(parts)
        for path in [p for p in where if p[:len(key)] == key]:
            del where[path]  # what the file said below this key no longer holds
        where[key] = (name, None, None)
    return out, where


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of scenario ``data`` with dotted keys set; unknown keys are refused.

    >>> apply_overrides({"policies": {"approval_steps": 1}}, {"policies.approval_steps": 0})
    {'policies': {'approval_steps': 0}}
    """
    return with_overrides(data, {}, overrides)[0]
