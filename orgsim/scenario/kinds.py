"""Request kinds: every (department, request type) pair the team receives, leadership's ideas folded in.

Scenario-level (no simulation): the routing plan (:mod:`orgsim.org.plan`)
and the arrival streams (:mod:`orgsim.sim.demand`) both number kinds in
this order.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgsim.scenario.model import DAILY_PROFILES, WEEKLY_PROFILES, Interruptions, RequestType, Scenario

__all__ = ["ADHOC", "RequestKind", "interruption_type", "request_kinds"]

#: name of the request type that ``policies.interruptions`` adds
ADHOC = "adhoc_idea"


@dataclass(frozen=True)
class RequestKind:
    """One (department, request type) pair, with the interruption lever folded in."""

    department: str
    name: str
    spec: RequestType

    @property
    def key(self) -> str:
        return f"{self.department}/{self.name}"


def interruption_type(intr: Interruptions) -> RequestType:
    """The request type ``policies.interruptions`` adds (as ``<department>/adhoc_idea``)."""
    # A 1 a.m. direct message arrives at any hour and is expected by 8 a.m.;
    # the same idea sent by email waits for office hours like any request.
    # As a workflow (``steps``), the idea is a small project: its steps, not one effort.
    dm = intr.style == "direct_message"
    work = {"steps": intr.steps} if intr.steps is not None else {"effort_hours": intr.effort_hours}
    return RequestType(
        description=f"ad-hoc idea from leadership ({intr.style.replace('_', ' ')})",
        per_week=intr.per_week,
        function=intr.function,
        priority="executive" if dm else "normal",
        daily_profile=DAILY_PROFILES["flat" if dm else "office_hours"],
        weekly_profile=WEEKLY_PROFILES["flat" if dm else "weekdays"],
        **work,  # type: ignore[arg-type]
    )


def request_kinds(scenario: Scenario) -> list[RequestKind]:
    """Every kind of request the team receives, in a stable order."""
    kinds = [RequestKind(d, r, spec) for d, dept in scenario.demand.departments.items() for r, spec in dept.requests.items()]
    if scenario.policies.interruptions is not None:
        intr = scenario.policies.interruptions
        kinds.append(RequestKind(intr.department, ADHOC, interruption_type(intr)))
    return kinds
