"""The workflow a case type's routing becomes: one step per group, branches with the observed chances.

Each group the type's cases visited is one step, done by that group (``pod:``,
``person:``, ``role:``, ``department:`` or ``external:``), with the effort
fitted from its work (see :mod:`orgsim.calibrate.routing`). Where a case goes
after the step is drawn as the log shows it: ``then`` is the most common way
on (``done`` when cases ended there), every other way a branch with its
share of the observed exits. A workflow starts at its first step, so cases
that start at another group become a type of their own, ``TYPE (starts at
GROUP)``, with the same steps in another order and its share of the
arrivals; :func:`base_type` reads the name back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from orgsim.calibrate.routing import DONE, GroupFit, Routing, rounded_exits
from orgsim.scenario.approvers import CALENDAR_FIELDS, approver_calendars
from orgsim.scenario.yamltext import flow_map

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario

__all__ = ["base_type", "start_of", "start_type", "workflow"]

_STARTS = re.compile(r"^(?P<type>.*) \(starts at (?P<group>.*)\)$")
#: a group's effort when the log shows none of its work and no holding time either (assumption: an hour)
DEFAULT_EFFORT = {"dist": "exponential", "mean": 1.0}


def start_type(rtype: str, group: str) -> str:
    """The name of the cases of ``rtype`` that start at ``group`` (not the type's most common start).

    >>> start_type("escalation", "insights"), base_type("escalation (starts at insights)")
    ('escalation (starts at insights)', 'escalation')
    """
    return f"{rtype} (starts at {group})"


def base_type(name: str) -> str:
    """The case type a request type written by :func:`start_type` came from (the name itself otherwise)."""
    m = _STARTS.match(name)
    return m["type"] if m else name


def start_of(name: str) -> str | None:
    """The group a type written by :func:`start_type` starts at (None for any other name)."""
    m = _STARTS.match(name)
    return m["group"] if m else None


def _step_name(group: str) -> str:
    return f"{group} (group)" if group == DONE else group


def _doer(s: Scenario, fit: GroupFit) -> dict[str, Any]:
    """The step's doer, with an outside approver's calendar copied from the team file."""
    out: dict[str, Any] = {fit.doer: fit.group}
    if fit.doer == "external":
        spec = approver_calendars(s).get(f"approver:{fit.group}")
        for key in CALENDAR_FIELDS:
            value = getattr(spec, key, None) if spec is not None else None
            if value is not None and key in getattr(spec, "model_fields_set", set()):
                out[key] = value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value
    return out


def workflow(s: Scenario, r: Routing, start: str, where: str, defaults: list[str]) -> CommentedSeq:
    """The ``steps:`` of ``r``'s cases that start at ``start``; what was not estimable goes to ``defaults``."""
    order = [start, *sorted((g for g in r.groups if g != start), key=lambda g: -r.groups[g].visits)]
    seq = CommentedSeq()
    for i, group in enumerate(order):
        fit = r.groups[group]
        step = CommentedMap()
        step["name"] = _step_name(group)
        for key, value in _doer(s, fit).items():
            step[key] = flow_map(value) if isinstance(value, dict) else value
        if fit.function is not None and fit.doer not in ("external", "department"):
            step["function"] = fit.function
        here = f"{where}.steps.{i}"
        if fit.effort is not None:
            step["effort_hours"] = flow_map(fit.effort.as_yaml())
            note = {"work": "from its work", "work in every type": "from its work in every case type (fewer than 8 "
                    "in this one)", "holding time": "from its holding time: the log shows no work, so this is "
                    "an upper bound"}[fit.effort_from]
            step.yaml_add_eol_comment(f"{note}; {fit.effort.comment('h')}", "effort_hours")
            if fit.effort_from != "work":
                defaults.append(f"{here}.effort_hours: {note}")
        else:
            step["effort_hours"] = flow_map(dict(DEFAULT_EFFORT))
            step.yaml_add_eol_comment("not estimable: fewer than 8 visits with work shown", "effort_hours")
            defaults.append(f"{here}.effort_hours: fewer than 8 visits with work shown; default exponential mean 1 h")
        exits = rounded_exits(fit)
        total = sum(fit.exits.values())
        then, branches = exits[0], exits[1:]
        if branches:
            step["branches"] = CommentedMap()
            for to, p, k in branches:
                lo, hi = fit.probability(to)[1:]
                step["branches"][f"to {to}"] = flow_map({"to": _step_name(to) if to != DONE else DONE, "probability": p})
                step["branches"].yaml_add_eol_comment(f"{k} of {total} exits; 95% CI {lo:.2f}-{hi:.2f}", f"to {to}")
        step["then"] = DONE if then[0] == DONE else _step_name(then[0])
        held = f"; {fit.open} still there at export" if fit.open else ""
        if total:
            step.yaml_add_eol_comment(f"{then[2]} of {total} exits{held}; holding time median {fit.holding_median:.3g} h",
                                      "then")
        else:
            step.yaml_add_eol_comment(f"no exit seen ({fit.open} still there at export)", "then")
            defaults.append(f"{here}.then: no case left {group!r} before the export; assumed done")
        seq.append(step)
    return seq
