"""The public API's arguments, checked at the boundary: one clean error naming the argument, never a deep one.

Each public function declares its rules once, beside its name::

    @checks(scenario=a_scenario, replications=whole(2, optional=True))
    def compare(scenarios, replications=None, ...): ...

and a misuse (``compare(None)``, ``summarize([None])``, ``replications=1``)
raises :class:`~orgsim.errors.ArgumentTypeError` (a ``TypeError``) or
:class:`~orgsim.errors.ArgumentError` (a ``ValueError``), both an
:class:`~orgsim.errors.OrgsimError`, so the CLI prints them as one line. The
rules are the CLI's: a comparison needs two replications, a department or a
metric must exist, a Dask scheduler is a ``tcp://host:port`` address.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from orgsim.errors import ArgumentError, ArgumentTypeError

__all__ = [
    "Rule", "a_callable", "a_department", "a_mapping", "a_thing", "sources_of_scenarios", "sweep_sets", "a_path", "a_result", "a_scenario", "a_scenario_or_path", "a_scheduler", "a_seed", "a_study",
    "a_table", "checks", "choice", "flag", "many", "metric_ids", "optional", "whole", "a_string", "workers",
]

P = ParamSpec("P")
R = TypeVar("R")
#: a rule sees the value, the argument's name and every bound argument (for rules between arguments)
Rule = Callable[[Any, str, Mapping[str, Any]], None]


def checks(**rules: Rule) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Check each named argument of the decorated function by its rule before the function runs."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(fn)
        unknown = set(rules) - set(signature.parameters)
        if unknown:  # a typo here would silently check nothing
            raise TypeError(f"{fn.__name__}: no argument named {', '.join(sorted(unknown))}")

        @functools.wraps(fn)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise ArgumentTypeError(f"{fn.__name__}: {exc}") from None
            bound.apply_defaults()
            for name, rule in rules.items():
                rule(bound.arguments[name], f"{fn.__name__}: {name}", bound.arguments)
            return fn(*args, **kwargs)

        return checked

    return wrap


def _kind(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _wrong(name: str, expected: str, value: Any, hint: str = "") -> ArgumentTypeError:
    return ArgumentTypeError(f"{name}: expected {expected}, got {_kind(value)}{hint}")


def optional(rule: Rule) -> Rule:
    """``None`` or what ``rule`` takes."""

    def check(value: Any, name: str, bound: Mapping[str, Any]) -> None:
        if value is not None:
            rule(value, name, bound)

    return check


def a_scenario(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """A validated :class:`~orgsim.scenario.Scenario` (not a path, not a dict)."""
    from orgsim.scenario.model import Scenario

    if not isinstance(value, Scenario):
        hint = (" (load it first: orgsim.load_scenario(path))" if isinstance(value, (str, bytes, os.PathLike))
                else " (validate data with orgsim.scenario.scenario_from_data)" if isinstance(value, Mapping) else "")
        raise _wrong(name, "a Scenario", value, hint)


def a_scenario_or_path(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """A :class:`~orgsim.scenario.Scenario` or the path of a scenario file (what a function loads itself)."""
    from orgsim.scenario.model import Scenario

    if not isinstance(value, Scenario):
        if not isinstance(value, (str, os.PathLike)):
            raise _wrong(name, "a Scenario or a scenario file's path", value)
        a_path(value, name, bound)


def a_result(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """One :class:`~orgsim.sim.Result` (what ``simulate`` returns)."""
    from orgsim.sim.result import Result

    if not isinstance(value, Result):
        raise _wrong(name, "a Result (what orgsim.simulate returns)", value)


def a_study(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """A :class:`~orgsim.experiment.study.Study` (``run_study`` or ``Study.load``)."""
    from orgsim.experiment.study import Study

    if not isinstance(value, Study):
        raise _wrong(name, "a Study (orgsim.experiment.study.run_study or Study.load)", value)


def a_table(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """A pandas DataFrame."""
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise _wrong(name, "a pandas DataFrame", value)


def a_path(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """A file path: ``str`` or ``os.PathLike``, not empty."""
    if not isinstance(value, (str, os.PathLike)):
        raise _wrong(name, "a file path (str or pathlib.Path)", value)
    if not str(value).strip():
        raise ArgumentError(f"{name}: expected a file path, got an empty string")


def a_mapping(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """A mapping (a dict)."""
    if not isinstance(value, Mapping):
        raise _wrong(name, "a mapping (dict)", value)


def a_callable(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """Something to call."""
    if not callable(value):
        raise _wrong(name, "a function", value)


def flag(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """``True`` or ``False``."""
    if not isinstance(value, bool):
        raise _wrong(name, "True or False", value)


def a_string(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """A string."""
    if not isinstance(value, str):
        raise _wrong(name, "a string", value)


def _is_whole(value: Any) -> bool:
    """An ``int`` (not a bool), or one of numpy's integers.

    A numpy integer can only exist once something loaded numpy, so the check looks numpy up in ``sys.modules``
    instead of importing it: `orgsim validate` checks whole numbers and must not load numpy (0.13 CPU-s).
    """
    np = sys.modules.get("numpy")
    return not isinstance(value, bool) and (isinstance(value, int) or (np is not None and isinstance(value, np.integer)))


def whole(least: int, most: int | None = None, *, optional: bool = False) -> Rule:
    """A whole number from ``least`` (to ``most``); ``None`` too when ``optional`` (the file's value)."""

    def check(value: Any, name: str, bound: Mapping[str, Any]) -> None:
        if value is None and optional:
            return
        if not _is_whole(value):
            raise _wrong(name, f"a whole number >= {least}" + (" (or None)" if optional else ""), value)
        if value < least or (most is not None and value > most):
            upto = f" and <= {most}" if most is not None else ""
            why = " (a comparison needs two replications for its intervals)" if least == 2 else ""
            raise ArgumentError(f"{name}: expected a whole number >= {least}{upto}{why}, got {value!r}")

    return check


def a_seed(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """``None`` (the file's seed), a whole number >= 0, or a numpy ``SeedSequence``."""
    np = sys.modules.get("numpy")  # a SeedSequence exists only once numpy is loaded; checking must not load it
    if value is None or (np is not None and isinstance(value, np.random.SeedSequence)):
        return
    whole(0)(value, name, bound)


def workers(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """``None`` (every core) or a whole number >= 1."""
    whole(1, optional=True)(value, name, bound)


#: the address schemes Dask's distributed scheduler listens on
_SCHEMES = ("tcp", "tls", "ws", "wss", "inproc", "ucx")


def a_scheduler(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """``None``, a Dask scheduler address (``tcp://host:8786``), or a cluster object (``LocalCluster``)."""
    if value is None:
        return
    if isinstance(value, str):
        try:
            parts = urlsplit(value)
            port = parts.port
        except ValueError:
            parts, port = None, None
        if parts is None or parts.scheme not in _SCHEMES or not parts.hostname or (
                parts.scheme != "inproc" and port is None):
            raise ArgumentError(f"{name}: expected a Dask scheduler address like tcp://host:8786 "
                                f"({', '.join(s + '://' for s in _SCHEMES)}), got {value!r}")
        return
    if not hasattr(value, "scheduler_address") and type(value).__name__ not in ("Client", "LocalCluster"):
        raise _wrong(name, "a Dask scheduler address (tcp://host:8786) or a cluster object", value)


def choice(*options: str) -> Rule:
    """One of ``options``."""

    def check(value: Any, name: str, bound: Mapping[str, Any]) -> None:
        if not isinstance(value, str):
            raise _wrong(name, f"one of {', '.join(options)}", value)
        if value not in options:
            raise ArgumentError(f"{name}: expected one of {', '.join(options)}, got {value!r}")

    return check


def many(rule: Rule, *, least: int = 1, what: str = "items") -> Rule:
    """A list or tuple of at least ``least`` items, each passing ``rule`` (named ``name[i]``)."""

    def check(value: Any, name: str, bound: Mapping[str, Any]) -> None:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            raise _wrong(name, f"a list of {what}", value)
        if len(value) < least:
            raise ArgumentError(f"{name}: expected at least {least} {what}, got {len(value)}")
        for i, item in enumerate(value):
            rule(item, f"{name}[{i}]", bound)

    return check


#: metric ids made per reply target and per department (``reply_within_4h_share``, ``silo_latency_mean_dept_sales``)
_FAMILIES = ("reply_within_", "silo_latency_mean_dept_", "insight_median_hours_dept_")


def metric_ids(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """Metric ids (or labels) of :mod:`orgsim.metrics.registry`: one, or a list of them."""
    from orgsim.metrics.registry import METRICS, metric

    for item in [value] if isinstance(value, str) else value if isinstance(value, Sequence) else [value]:
        if not isinstance(item, str):
            raise _wrong(name, "a metric id (orgsim.metrics.registry)", item)
        if item.startswith(_FAMILIES):
            continue
        try:
            metric(item)
        except KeyError:
            raise ArgumentError(f"{name}: unknown metric {item!r}; expected an id of orgsim.metrics.registry, "
                                f"such as {', '.join(m.id for m in METRICS[:4])}") from None


def a_thing(kind: str) -> Rule:
    """An object of the class named ``kind`` (by name: the rule must not import the layer that defines it)."""

    def check(value: Any, name: str, bound: Mapping[str, Any]) -> None:
        if kind not in (c.__name__ for c in type(value).__mro__):
            raise _wrong(name, f"a {kind}", value)

    return check


def sweep_sets(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """A sweep's grid: (dotted key, non-empty list of values) pairs, as :func:`orgsim.experiment.sweep.parse_set` makes."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        raise _wrong(name, "a list of (dotted key, values) pairs, e.g. [('team.size', [6, 9])]", value)
    for i, pair in enumerate(value):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and isinstance(pair[0], str)
                and isinstance(pair[1], (list, tuple))):
            raise _wrong(f"{name}[{i}]", "a (dotted key, list of values) pair", pair)
        if not pair[1]:
            raise ArgumentError(f"{name}[{i}]: {pair[0]} has no values; give at least one")


def sources_of_scenarios(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """File names of the ``scenarios`` argument: none, or one (a string) per scenario."""
    many(a_string, least=0, what="file names")(value, name, bound)
    scenarios = bound.get("scenarios")
    if value and isinstance(scenarios, Sequence) and len(value) != len(scenarios):
        raise ArgumentError(f"{name}: {len(value)} file names for {len(scenarios)} scenarios; give one per "
                            "scenario, or none")


def a_department(value: Any, name: str, bound: Mapping[str, Any]) -> None:
    """``None``, ``"all"``, or a department of the study's scenarios (the ``study`` argument)."""
    if value is None or value == "all":
        return
    if not isinstance(value, str):
        raise _wrong(name, "a department name", value)
    study = bound.get("study")
    known = list(dict.fromkeys(d for s in getattr(study, "scenarios", []) for d in s.demand.departments))
    if known and value not in known:
        raise ArgumentError(f"{name}: unknown department {value!r}; expected one of: {', '.join(known)}")
