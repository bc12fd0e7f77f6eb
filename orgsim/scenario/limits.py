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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orgsim.errors import OrgsimError, Problem
from orgsim.scenario.paths import KeyPath, Origin, problem_at

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario

__all__ = ["LIMITS", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_MAGNITUDE", "MAX_ARRIVALS", "MAX_NODES", "arrivals_per_replication", "check_work",
           "number_problems", "size_problems", "work_problem"]

#: a scenario file is a few kilobytes (base.yaml, the largest example, is 31 KB; a 1,000-person team
#: listed person by person about 300 KB); 1 MB is far beyond any real one and keeps the position-keeping
#: reader, pure Python at about 2 s per MB of text, from running long on a hostile file
MAX_FILE_BYTES = 1_000_000
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


#: simulated arrivals (requests, messages, insights) one command may run, over
#: all its replications and sweep points. Measured: one replication of
#: scenarios/network.yaml (37,600 messages, 400 requests, 140 insights over 42
#: days) takes about 2.6 s on one core, so about 15,000 arrivals a second; ten
#: million is then about ten minutes of one core, and the per-request tables
#: kept for every replication stay around a gigabyte or two.
MAX_ARRIVALS = 10_000_000


def arrivals_per_replication(scenario: Scenario) -> tuple[float, dict[str, float]]:
    """Expected arrivals of one replication (an upper bound where bursts overlap), and what drives it.

    The drivers are per day: ``requests``, ``messages``, ``insights``, and
    ``bursts`` (extra arrivals over the horizon, as if every burst raised all
    the traffic: an upper bound).
    """
    demand = scenario.demand
    requests = sum(r.daily for d in demand.departments.values() for r in d.requests.values())
    messages = sum(m.daily for m in demand.messages.values())
    kinds = scenario.insights.kinds.values() if scenario.insights is not None else []
    insights = sum(k.per_week for k in kinds) / 7
    horizon = scenario.run.horizon_days
    daily = requests + messages + insights
    extra = sum((b.multiplier - 1) * min(b.days, horizon) for b in demand.bursts.values() if b.multiplier > 1) * daily
    extra += sum((b.multiplier - 1) * min(b.days, horizon) for k in kinds for b in k.bursts if b.multiplier > 1) * insights
    drivers = {"requests": requests, "messages": messages, "insights": insights, "bursts": extra / horizon}
    return daily * horizon + extra, drivers


def work_problem(scenario: Scenario, replications: int | None = None, points: int = 1,
                 what: str = "sweep points") -> str | None:
    """Why running ``scenario`` ``replications`` times at ``points`` points (designs, sweep points) costs too much.

    ``None`` if it fits.

    The message gives the estimate and the inputs that drive it, so the user
    knows which one to lower.
    """
    n = scenario.run.replications if replications is None else replications
    one, drivers = arrivals_per_replication(scenario)
    total = one * n * points
    if total <= MAX_ARRIVALS:
        return None
    per_day = ", ".join(f"{v:,.0f} {k}" for k, v in drivers.items() if v >= 0.5) or "almost nothing"
    grid = f" × {points} {what}" if points > 1 else ""
    return (f"would simulate about {total:,.0f} arrivals ({per_day} a day × {scenario.run.horizon_days:g} days "
            f"× {n} replications{grid}), over the budget of {MAX_ARRIVALS:,}; lower run.horizon_days, the "
            f"replications, the rates or the points, or {HOW}")


def check_work(scenarios: Sequence[Scenario], replications: int | None = None, what: str = "designs", *,
               allow_large: bool = False) -> None:
    """Raise :class:`~orgsim.errors.OrgsimError` before anything runs if the work exceeds :data:`MAX_ARRIVALS`.

    ``scenarios`` are the designs of a study or the points of a sweep (``what``
    names them in the message); each runs ``replications`` times.

    Every entry point that runs scenarios calls it: ``replicate``,
    ``run_study`` (``compare``, ``report``), ``sweep``; one scenario's own
    ``run.replications`` is checked when it is loaded.
    """
    if allow_large or not scenarios:
        return
    counted = [arrivals_per_replication(s)[0] for s in scenarios]
    heaviest = scenarios[counted.index(max(counted))]
    problem = work_problem(heaviest, replications, len(scenarios), what)
    if problem is not None:
        raise OrgsimError(f"{heaviest.name!r}{' (the largest)' if len(scenarios) > 1 else ''}: {problem}")
