"""Changing a validated scenario from code or the command line, re-validated."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from orgsim.errors import OrgsimError
from orgsim.scenario.loading import model_at, scenario_from_data
from orgsim.scenario.model import RunSettings, Scenario

__all__ = ["apply_overrides", "with_changes", "with_run_settings"]


def with_run_settings(scenario: Scenario, **changes: Any) -> Scenario:
    """A copy of ``scenario`` with ``run`` settings changed (``None`` keeps the file's value)."""
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        return scenario
    try:
        run = RunSettings.model_validate({**scenario.run.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        names = ", ".join(f"--{k.replace('_', '-')}" for k in changes)
        raise OrgsimError(f"{names}: {str(first['msg']).removeprefix('Value error, ')}") from None
    return scenario.model_copy(update={"run": run})


def _resize_team(data: dict[str, Any], size: int) -> None:
    """``team.size``: keep the first N people, or add copies of non-leads to their pods."""
    if not isinstance(size, int) or size < 1:
        raise OrgsimError(f"--set team.size={size}: expected a whole number of people, at least 1")
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
    for n in range(size - len(ids)):
        original = workers[n % len(workers)]
        clone = f"{original}_{n // len(workers) + 2}"
        people[clone] = people[original]
        for pod in structure.get("pods", {}).values():
            if original in pod.get("members", []):
                pod["members"] = [*pod["members"], clone]
    data["team"]["people"] = people


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of scenario ``data`` with dotted keys set; unknown keys are refused."""
    out: dict[str, Any] = json.loads(json.dumps(data, default=str))
    for dotted, value in overrides.items():
        if dotted == "team.size":
            _resize_team(out, value)
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
                raise OrgsimError(f"--set {dotted}: no key {'.'.join(parts[:depth + 1])!r} in the scenario{hint}")
            if depth == len(parts) - 1:
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise OrgsimError(f"--set {dotted}: {'.'.join(parts[:depth + 1])} is a value, not a block")
    return out


def with_changes(scenario: Scenario, changes: Mapping[str, Any], name: str | None = None) -> Scenario:
    """A copy of ``scenario`` with dotted keys set (as ``sweep --set`` does), validated again.

    A misspelled key or a bad value gets the usual one-line error; ``name``
    renames the copy, so a study can tell it from the original.

    >>> from ruamel.yaml import YAML
    >>> from orgsim.scenario.templates import starter
    >>> s = scenario_from_data(YAML(typ="safe").load(starter("network", 3)))
    >>> with_changes(s, {"policies.triage_minutes": 2}).policies.triage_minutes
    2.0
    """
    data = apply_overrides(scenario.model_dump(mode="json", by_alias=True), changes)
    if name is not None:
        data["name"] = name
    return scenario_from_data(data, file=f"changes to {scenario.name!r}")
