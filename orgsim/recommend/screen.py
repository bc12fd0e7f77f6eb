"""The analytic screen: candidates that cannot keep up with their work are out before any simulation.

:func:`orgsim.analytic.estimate` treats every work queue as an M/M/c station.
A station whose work per hour is at or above its people's on-duty hours
(``load >= 1``) is unstable: its queue grows without end, whatever the
routing, priorities or shifts the estimate leaves out. Only that is decided
here. The estimate does not count proficiency, priorities or shifts within a
day, so it never ranks candidates and never removes one for being slow —
only for being unable to keep up, with the station and its load kept as the
reason.
"""

from __future__ import annotations

from orgsim.analytic.estimate import estimate
from orgsim.scenario.model import Scenario

__all__ = ["screen"]


def screen(scenario: Scenario) -> str:
    """Why ``scenario`` cannot keep up with its work (the busiest unstable station), or ``""`` when it can.

    >>> from orgsim.analytic.reductions import mmc_scenario
    >>> screen(mmc_scenario(3, 4.0, 1.0))
    'pod:pod cannot keep up: its work needs 133% of its 3 people’s on-duty hours'
    >>> screen(mmc_scenario(5, 4.0, 1.0))
    ''
    """
    stations = estimate(scenario)["stations"]
    over = [(st["load"], name, st["servers"]) for name, st in stations.items() if not st["load"] < 1]
    if not over:
        return ""
    load, name, servers = max(over)
    return (f"{name} cannot keep up: its work needs {load:.0%} of its {servers:g} "
            f"{'person’s' if servers == 1 else 'people’s'} on-duty hours")
