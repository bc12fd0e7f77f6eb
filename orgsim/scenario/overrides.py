"""Changing a validated scenario from code or the command line, re-validated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from orgsim.arguments import a_mapping, a_scenario, a_string, checks, flag, optional
from orgsim.errors import OrgsimError, ScenarioError
from orgsim.scenario.dotted import apply_overrides, shown, with_overrides
from orgsim.scenario.limits import size_problems, work_problem
from orgsim.scenario.loading import scenario_from_data
from orgsim.scenario.model import RunSettings, Scenario
from orgsim.scenario.paths import Positions

__all__ = ["apply_overrides", "with_changes", "with_run_settings"]


def with_run_settings(scenario: Scenario, *, allow_large: bool = False, **changes: Any) -> Scenario:
    """A copy of ``scenario`` with ``run`` settings changed (``None`` keeps the file's value).

    The settings are named as the command-line options that set them
    (``--horizon-days 5000: ... exceeds the limit``); ``allow_large`` lifts the size limits.
    """
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        return scenario
    try:
        run = RunSettings.model_validate({**scenario.run.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        names = ", ".join(f"--{k.replace('_', '-')}" for k in changes)
        raise OrgsimError(f"{names}: {str(first['msg']).removeprefix('Value error, ')}") from None
    if not allow_large:
        where: Positions = {("run", k): (f"--{k.replace('_', '-')} {shown(v)}", None, None) for k, v in changes.items()}
        too_big = size_problems({"run": changes}, where, "run settings")
        if too_big:
            raise ScenarioError(too_big)
    changed = scenario.model_copy(update={"run": run})
    costly = None if allow_large else work_problem(changed, 1)  # one replication: the command checks its own count
    if costly is not None:
        names = " ".join(f"--{k.replace('_', '-')} {shown(v)}" for k, v in changes.items())
        raise OrgsimError(f"{names}: {costly}")
    return changed


@checks(scenario=a_scenario, changes=a_mapping, name=optional(a_string), allow_large=flag)
def with_changes(scenario: Scenario, changes: Mapping[str, Any], name: str | None = None, *,
                 allow_large: bool = False) -> Scenario:
    """A copy of ``scenario`` with dotted keys set (as ``sweep --set`` does), validated again.

    A misspelled key or a bad value is a :class:`~orgsim.errors.ScenarioError`
    naming the change (``with_changes policies.triage_minutes='abc': ...``);
    ``name`` renames the copy, so a study can tell it from the original;
    ``allow_large`` lifts the size limits as for :func:`~orgsim.scenario.load_scenario`.

    >>> from ruamel.yaml import YAML
    >>> from orgsim.scenario.templates import starter
    >>> s = scenario_from_data(YAML(typ="safe").load(starter("network", 3)))
    >>> with_changes(s, {"policies.triage_minutes": 2}).policies.triage_minutes
    2.0
    """
    # only what was said: a default written out would then count as said (a step naming a chain approver
    # would restate the default calendar and conflict with the chain's)
    said = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data, positions = with_overrides(said, {}, changes, _label)
    if name is not None:
        data["name"] = name
    return scenario_from_data(data, positions, f"changes to {scenario.name!r}", allow_large=allow_large)


def _label(dotted: str, value: Any) -> str:
    return f"with_changes {dotted}={value!r}"
