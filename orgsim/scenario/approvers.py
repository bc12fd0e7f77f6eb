"""Outside approvers' own work: what competes with an approval for the approver's time.

An approver outside the team (``external:`` in ``policies.approval_chain`` or
in a workflow step) is one person on their own calendar. With
``other_work:`` they also have work of their own — meetings, email, their
own projects — that arrives as a Poisson stream of tasks into the same queue
as the approvals and is worked first come, first served with them (at its
``priority``). An approval then waits behind that work: the approval wait of
an always-on approver with exponential times is an M/M/1 queue at the total
load, and removing the approval step (trust) saves that queue, not a
constant. Give the load as a rate (``per_day`` / ``per_week`` tasks) or as a
``share`` of the approver's on-duty time::

    approval_chain:
      - external: CMO
        hours: "08:30-18:00"
        timezone: Europe/London
        other_work: {share: 0.6, effort_hours: {dist: exponential, mean: 1}}

A team member who approves (``person:``) has no ``other_work``: their other
work is the team's work, already in their queues.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, model_validator

from orgsim.scenario.distributions import Distribution, _Distribution
from orgsim.scenario.types import NonNegFloat, Priority, Strict

if TYPE_CHECKING:
    from orgsim.scenario.model import Scenario

__all__ = ["TEAM_MEMBERS_OTHER_WORK", "OtherWork", "approver_calendars", "approver_conflicts", "other_work"]

#: the one refusal of ``other_work`` on a team member's approval, in the chain or in a step
TEAM_MEMBERS_OTHER_WORK = "other_work is an outside approver's (external:); a team member's other work is the team's"

Path = tuple[str | int, ...]

#: the approver-calendar fields that must agree wherever one outside approver is named
CALENDAR_FIELDS = ("hours", "days", "timezone", "other_work")


class OtherWork(Strict):
    """An outside approver's own work: exactly one of ``per_day``, ``per_week`` or ``share``.

    ``effort_hours`` defaults to exponential with a 1-hour mean: an assumption
    (a meeting or a batch of email is about an hour; no survey measures an
    executive's task lengths), and the exponential makes the theory check exact.
    """

    per_day: NonNegFloat | None = None
    per_week: NonNegFloat | None = None
    #: the share of the approver's on-duty hours their own work takes, on average
    share: Annotated[float, Field(ge=0, lt=1)] | None = None
    effort_hours: Distribution = _Distribution(dist="exponential", mean=1.0)
    priority: Priority = "normal"

    @model_validator(mode="after")
    def _one_load(self) -> OtherWork:
        if (self.per_day is not None) + (self.per_week is not None) + (self.share is not None) != 1:
            raise ValueError("give exactly one of per_day, per_week or share")
        return self

    def per_hour(self, duty_share: float) -> float:
        """Tasks per clock hour, for an approver on duty ``duty_share`` of the clock.

        >>> OtherWork(share=0.5, effort_hours={"dist": "fixed", "mean": 2}).per_hour(0.25)
        0.0625
        >>> OtherWork(per_week=84).per_hour(1.0)
        0.5
        """
        if self.share is not None:
            mean = self.effort_hours.expected
            return self.share * duty_share / mean if mean > 0 else 0.0
        return self.per_day / 24 if self.per_day is not None else (self.per_week or 0.0) / 168


def _named(s: Scenario) -> list[tuple[str, Path, object]]:
    """Every place an outside approver is named: (node, position, the step or chain entry)."""
    out: list[tuple[str, Path, object]] = []
    for i, a in enumerate(s.policies.approval_chain):
        if a.external is not None:
            out.append((a.node, ("policies", "approval_chain", i), a))
    for dname, d in s.demand.departments.items():
        for rname, rt in d.requests.items():
            for i, st in enumerate(rt.steps or []):
                if st.external_node is not None:
                    out.append((st.external_node, ("demand", "departments", dname, "requests", rname, "steps", i), st))
    return out


def approver_calendars(s: Scenario) -> dict[str, object]:
    """Outside approver node → the chain entry or step that defines their calendar and other work.

    The chain's entry wins, then the first step that names them (the rest must agree:
    :func:`approver_conflicts`).
    """
    out: dict[str, object] = {}
    for node, _, spec in _named(s):
        out.setdefault(node, spec)
    return out


def other_work(s: Scenario) -> dict[str, OtherWork]:
    """Outside approver node → their other work, for those who have any."""
    return {node: ow for node, spec in approver_calendars(s).items()
            if (ow := getattr(spec, "other_work", None)) is not None}


def approver_conflicts(s: Scenario) -> list[tuple[Path, str]]:
    """Positioned problems: one outside approver given two different calendars or loads.

    A step that names an approver defined elsewhere may leave the calendar
    out; what it does say must agree with the first definition.
    """
    first: dict[str, tuple[Path, object]] = {}
    bad: list[tuple[Path, str]] = []
    for node, at, spec in _named(s):
        if node not in first:
            first[node] = (at, spec)
            continue
        at0, spec0 = first[node]
        for f in CALENDAR_FIELDS:
            if f in spec.model_fields_set and getattr(spec, f) != getattr(spec0, f):  # type: ignore[attr-defined]
                where = ".".join(str(x) for x in at0)
                bad.append(((*at, f), f"{node.split(':', 1)[1]} already has a different {f} at {where}; "
                                      "an approver is one person: give it once"))
    return bad
