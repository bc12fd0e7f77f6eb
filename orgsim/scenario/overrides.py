"""Changing a validated scenario from code or the command line, re-validated."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from orgsim.errors import OrgsimError
from orgsim.scenario.model import RunSettings, Scenario

__all__ = ["with_run_settings"]


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
