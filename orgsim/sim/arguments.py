"""The Python API's arguments checked before anything runs: the project's own error, never a numpy one.

``simulate("x.yaml")``, a negative seed, ``replicate(s, -1)`` or
``workers=-3`` once failed deep inside numpy or a process pool; each is now
an :class:`~orgsim.errors.OrgsimError` that says what was expected.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from orgsim.errors import OrgsimError

__all__ = ["check_arguments", "check_scenario", "check_seed"]


def check_scenario(scenario: Any) -> None:
    """A validated :class:`~orgsim.scenario.Scenario`, not a path or a dict."""
    from orgsim.scenario.model import Scenario

    if not isinstance(scenario, Scenario):
        hint = " (load it first: orgsim.load_scenario(path))" if isinstance(scenario, (str, bytes)) or hasattr(
            scenario, "__fspath__") else " (validate data with orgsim.scenario.scenario_from_data)"
        raise OrgsimError(f"expected a Scenario, got {type(scenario).__name__}{hint}")


def check_seed(seed: Any) -> None:
    """A seed is a non-negative whole number (numpy's rule) or a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise OrgsimError(f"seed: expected a whole number >= 0, got {seed!r}")


def check_arguments(scenario: Any, replications: Any, seed: Any, workers: Any) -> None:
    """The arguments of ``replicate`` / ``run_study``: a scenario, replications >= 1, a seed, workers >= 1 or None."""
    check_scenario(scenario)
    if isinstance(replications, bool) or not isinstance(replications, (int, np.integer)) or replications < 1:
        raise OrgsimError(f"replications: expected a whole number >= 1, got {replications!r}")
    check_seed(seed)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1):
        raise OrgsimError(f"workers: expected a whole number >= 1 (or None: every core), got {workers!r}")
