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
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orgsim.errors import OrgsimError, Problem
from orgsim.scenario.cost import replication_cost
from orgsim.scenario.paths import KeyPath, Origin, problem_at

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario

__all__ = ["LIMITS", "MAX_ARRIVALS", "MAX_DEPTH", "MAX_FILE_BYTES", "MAX_LIST_ITEMS", "MAX_MAGNITUDE", "MAX_NODES", "MAX_POINTS",
           "MAX_POINTS_EVER", "MAX_ROUTE_CELLS", "MAX_WORK", "Budget", "arrivals_per_replication", "check_plan", "check_points", "check_work",
           "check_workers", "cores", "number_problems", "size_problems", "validation_problem", "work_problem"]

#: a scenario file is a few kilobytes (base.yaml, the largest example, is 31 KB; a 1,000-person team
#: listed person by person about 300 KB); 1 MB is far beyond any real one and keeps the position-keeping
#: reader, pure Python at about 2 s per MB of text, from running long on a hostile file
MAX_FILE_BYTES = 1_000_000
#: real scenarios nest about 6 deep
MAX_DEPTH = 50
#: mappings, lists and scalars after aliases are expanded (alias bombs)
MAX_NODES = 200_000
#: items of one list: the longest lists a scenario has are a pod's members (at most 1,000 people) and a
#: type's ``at_hours`` (8,760 for every hour of a year); counted by libyaml as the file is parsed, so a
#: 140,000-value profile is refused in milliseconds instead of after the slow reader's minute
MAX_LIST_ITEMS = 10_000

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
HOW_SHORT = "pass --allow-large (allow_large=True)"


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


#: departments × places in the organisation graph that validation routes between: a warning check and
#: the engine's routing search the graph once per department (Dijkstra), and keep each search's paths.
#: Measured: 407 departments over a 12-person team (about 175,000 cells) validate in 2.3 s of one core;
#: 6,000 departments (36 million) once took 4 GB and 123 s before dying. Real companies have tens of
#: departments; 250,000 cells are about 480 departments beside a 12-person team.
MAX_ROUTE_CELLS = 250_000


def validation_problem(data: Mapping[str, Any], positions: Mapping[KeyPath, Origin], file: str) -> Problem | None:
    """Refuse, before validating, a file whose routes (departments × graph places) would take minutes to check."""
    demand = data.get("demand")
    departments = demand.get("departments") if isinstance(demand, Mapping) else None
    if not isinstance(departments, Mapping):
        return None
    team = data.get("team")
    people = team.get("people") if isinstance(team, Mapping) else None
    structure = data.get("structure")
    pods = structure.get("pods") if isinstance(structure, Mapping) else None
    places = len(departments) + (len(people) if isinstance(people, Mapping) else 0) + (
        len(pods) if isinstance(pods, Mapping) else 0) + 1
    cells = len(departments) * places
    if cells <= MAX_ROUTE_CELLS:
        return None
    return problem_at(("demand", "departments"), f"{len(departments):,} departments × {places:,} places in the "
                      f"organisation make {cells:,} routes to check, over the limit of {MAX_ROUTE_CELLS:,}; merge "
                      f"departments, or {HOW}", positions, file)


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


#: work items (see :mod:`orgsim.scenario.cost`: arrivals, each visit of a workflow step, recurring and
#: other work) one command may run, over all its replications and sweep points. Measured: one replication
#: of scenarios/network.yaml (37,600 messages, 400 requests, 140 insights over 42 days) takes about 2.6 s
#: on one core, so about 15,000 items a second; ten million is then about ten minutes of one core, and
#: the per-request tables kept for every replication stay around a gigabyte or two.
MAX_WORK = 10_000_000
#: the name this budget had when it counted arrivals only
MAX_ARRIVALS = MAX_WORK
#: scenario points one sweep or exploration builds (grid points, or sample points × designs): each is
#: validated before anything runs (about 7 ms a point, measured on scenarios/network.yaml), so 2,000 is
#: some 15 s of checking, and at least 2,000 runs (at 0.3 s a simulated day of the smallest example, an
#: hour of one core for a one-day horizon); lifted by --allow-large up to :data:`MAX_POINTS_EVER`
MAX_POINTS = 2_000
#: never lifted: a grid this large can be neither held nor run (two --set ranges of 0..100000 once asked
#: for ten billion points and died of memory)
MAX_POINTS_EVER = 1_000_000


def cores() -> int:
    """The cores this process may run on (its CPU affinity, which a container or ``taskset`` narrows)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def arrivals_per_replication(scenario: Scenario) -> tuple[float, dict[str, float]]:
    """Work items of one replication (:func:`orgsim.scenario.cost.replication_cost`), and per day what drives it."""
    cost = replication_cost(scenario)
    return cost.items, cost.drivers


def work_problem(scenario: Scenario, replications: int, points: int = 1, what: str = "sweep points") -> str | None:
    """Why running ``scenario`` ``replications`` times at ``points`` points (designs, sweep points) costs too much.

    ``None`` if it fits. ``replications`` is the command's count, folded from the file's ``run.replications``
    and its override once, where the command starts (:class:`orgsim.experiment.settings.Settings`).

    The message gives the estimate and the inputs that drive it, so the user
    knows which one to lower.
    """
    n = replications
    one, drivers = arrivals_per_replication(scenario)
    total = one * n * points
    if total <= MAX_WORK:
        return None
    top = sorted(((v, k) for k, v in drivers.items() if v >= 0.5), reverse=True)[:4]
    per_day = ", ".join(f"{_figure(v)} {k}" for v, k in top) or "almost nothing"
    grid = f" × {points:,} {what}" if points > 1 else ""
    reps = f"{n:,} replication{'s' * (n != 1)}"
    # the figure and the limit first: an error line is cut at 300 characters (orgsim.errors.MAX_MESSAGE)
    return (f"would simulate about {_figure(total)} work items, over the budget of {MAX_WORK:,} ({per_day} a day "
            f"× {scenario.run.horizon_days:g} days × {reps}{grid}); lower them, or {HOW_SHORT}")


def _figure(x: float) -> str:
    return "more than 1e300" if not math.isfinite(x) else f"{x:,.0f}" if x < 1e15 else f"{x:.3g}"


def check_work(scenarios: Sequence[Scenario], replications: int, what: str = "designs", *,
               allow_large: bool = False) -> None:
    """Raise :class:`~orgsim.errors.OrgsimError` before anything runs if the work exceeds :data:`MAX_WORK`.

    ``scenarios`` are the designs of a study or the points of a sweep (``what``
    names them in the message); each runs ``replications`` times. (Workers above this machine's cores are
    refused where the settings are folded: :meth:`orgsim.experiment.settings.Settings.fold`.)

    Every entry point that runs scenarios calls it: ``replicate``,
    ``run_study`` (``compare``, ``report``), ``sweep``, ``explore``; loading a
    file checks one replication (the replications are the command's).
    """
    if allow_large or not scenarios:
        return
    counted = [arrivals_per_replication(s)[0] for s in scenarios]
    heaviest = scenarios[counted.index(max(counted))]
    problem = work_problem(heaviest, replications, len(scenarios), what)
    if problem is not None:
        raise OrgsimError(f"{heaviest.name!r}{' (the largest)' if len(scenarios) > 1 else ''}: {problem}")


def check_plan(bases: Sequence[Scenario], replications: int, points: int, what: str, *,
                allow_large: bool = False) -> None:
    """Before the points of an exploration are built: refused if ``points`` of the heaviest base are over the budget."""
    if allow_large or not bases:
        return
    heaviest = max(bases, key=lambda s: arrivals_per_replication(s)[0])
    problem = work_problem(heaviest, replications, points, what)
    if problem is not None:
        raise OrgsimError(f"{heaviest.name!r}: {problem}")


def check_workers(workers: int | None, *, allow_large: bool = False) -> None:
    """Refuse more local worker processes than cores (each holds a copy of the run; more only compete), unless asked."""
    if workers is None or allow_large or isinstance(workers, bool) or not isinstance(workers, int):
        return
    if workers > cores():
        raise OrgsimError(f"--workers {workers}: this machine gives orgsim {cores()} cores; more processes than cores "
                          f"only compete for them and each holds a copy of the run (the limit is {cores()}); lower "
                          f"--workers, or {HOW}")


def check_points(points: int, what: str, *, allow_large: bool = False) -> None:
    """Refuse a grid or sample of more than :data:`MAX_POINTS` scenario points before any is built."""
    limit = MAX_POINTS_EVER if allow_large else MAX_POINTS
    if points > limit:
        how = "it is never lifted" if allow_large else HOW
        raise OrgsimError(f"{points:,} {what} exceed the limit of {limit:,} (each is validated and run); use "
                          f"fewer values or samples, or {how}")


class Budget:
    """The work of a sweep's or an exploration's points, added as each is validated: refused as soon as it is over.

    A sweep of a thousand heavy points is refused after the first few are
    validated, not after all of them; the message estimates the whole from
    the points seen so far.
    """

    def __init__(self, replications: int, points: int, what: str, *, allow_large: bool = False) -> None:
        self.n, self.points, self.what, self.allow_large = replications, points, what, allow_large
        self.seen = 0
        self.total = 0.0
        self.heaviest: tuple[float, Scenario] | None = None

    def add(self, scenario: Scenario) -> None:
        """Count one more point; raise :class:`~orgsim.errors.OrgsimError` once the points so far are over budget."""
        if self.allow_large:
            return
        one = arrivals_per_replication(scenario)[0]
        self.seen += 1
        self.total += one * self.n
        if self.heaviest is None or one > self.heaviest[0]:
            self.heaviest = (one, scenario)
        if self.total > MAX_WORK:
            heavy = self.heaviest[1]
            problem = work_problem(heavy, self.n, self.points, self.what)
            lower = f"the first {self.seen:,} of {self.points:,} {self.what} alone make {_figure(self.total)} work items; "
            raise OrgsimError(f"{heavy.name!r} (the largest so far): {lower}{problem or ''}".rstrip("; "))
