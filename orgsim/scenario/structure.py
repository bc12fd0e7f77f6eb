"""The ``structure:`` block: how the people are grouped (pods, lead, intake) and tied."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field

from orgsim.scenario.types import NonNegFloat, Strict

__all__ = ["DEPUTY_DUTIES", "STRUCTURE_KINDS", "Covers", "DeputyDuty", "HandoffHours", "Link", "Pod", "StructureKind", "StructureSpec", "Tie"]

#: the routing strategies a file can name (each one a class in :mod:`orgsim.org.structures`)
StructureKind = Literal["network", "function", "audience", "custom"]
STRUCTURE_KINDS: tuple[str, ...] = get_args(StructureKind)
#: what a deputy can stand in for while the lead is off: triaging requests sent to the lead, merging split
#: work, the lead's step of the approval chain, relaying insights, and other work routed to the lead herself
#: (work no pod covers, a workflow step naming her)
DeputyDuty = Literal["triage", "merge", "approval", "relay", "work"]
DEPUTY_DUTIES: tuple[str, ...] = get_args(DeputyDuty)

class Covers(Strict):
    """What a pod answers for. Which key matters depends on the structure kind."""

    channels: list[str] = Field(default_factory=list)
    functions: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)


def _each_once(members: list[str]) -> list[str]:
    # a person listed twice would be a second tie to every colleague; 20,000 repeats once took 88 s to build
    seen: set[str] = set()
    twice = [m for m in members if m in seen or seen.add(m)]  # type: ignore[func-returns-value]
    if twice:
        raise ValueError(f"{twice[0]!r} is listed more than once ({len(twice)} repeats); list each member once")
    return members


class Pod(Strict):
    description: str = ""
    members: Annotated[list[str], AfterValidator(_each_once)]
    covers: Covers = Covers()


class Link(Strict):
    """A person tied to a department (a liaison, or an expert embedded there)."""

    person: str
    department: str


class Tie(Strict):
    """An extra communication tie between two people, pods or departments."""

    a: str
    b: str
    kind: str = "custom"
    delay_hours: NonNegFloat


class HandoffHours(Strict):
    """Mean delay of one handoff, by the kind of tie it crosses (hours)."""

    same_pod: NonNegFloat = 0.25
    cross_pod: NonNegFloat = 3.0
    via_lead: NonNegFloat = 1.5
    department_intake: NonNegFloat = 2.0
    liaison: NonNegFloat = 0.5
    embedded: NonNegFloat = 0.1


class StructureSpec(Strict):
    """How the people are grouped and tied.

    ``kind`` picks the routing strategy (see :mod:`orgsim.org.structures`):
    ``network`` splits work by channel, ``function`` by function,
    ``audience`` gives a request whole to its audience's pod, ``custom``
    gives it whole to the pod whose ``covers`` matches best.
    """

    kind: StructureKind
    description: str = ""
    lead: str | None = None
    #: a team member who stands in for the lead while the lead is off (absent, on holiday, outside
    #: their hours): the duties in ``deputy_covers``; while the lead is on duty the deputy leaves them to her
    deputy: str | None = None
    #: the lead's duties the deputy takes on while she is off. Unset (None): all of them — an organisation
    #: that names a deputy means the deputy stands in (a stated assumption, issue #30); ``[relay]`` is the
    #: deputy as orgsim modelled it before, who only passed insights on
    deputy_covers: list[DeputyDuty] | None = None
    #: ``lead``: departments send to the lead, who triages and routes;
    #: ``pod``: departments send straight to the pod(s) that own the work.
    intake: Literal["lead", "pod"] = "lead"
    pods: dict[str, Pod]
    liaisons: list[Link] = Field(default_factory=list)
    embedded: list[Link] = Field(default_factory=list)
    ties: list[Tie] = Field(default_factory=list)
    handoff_hours: HandoffHours = HandoffHours()

    @property
    def deputy_duties(self) -> frozenset[str]:
        """What the deputy stands in for while the lead is off (none without a lead and a deputy)."""
        if self.lead is None or self.deputy is None:
            return frozenset()
        return frozenset(DEPUTY_DUTIES if self.deputy_covers is None else self.deputy_covers)
