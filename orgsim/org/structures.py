"""Structures as strategies: who works on a piece of work, and who takes it in.

A structure answers one question — for this work (a department's request,
or a message on a channel from an audience), which work queues get a part of
it? :class:`Structure` holds what every design shares (embedded experts,
liaisons, intake by the lead, the fallback for uncovered work); each design
is one small subclass with a ``split`` method. Adding a design means adding
one class and registering it in :data:`STRUCTURES`.

Work queues are named ``pod:<name>`` (any member may take the work) or
``person:<id>`` (only that person: the lead's triage and merges, an embedded
expert, an approver).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from orgsim.org.graph import person, pod
from orgsim.scenario.model import Pod, Scenario

__all__ = ["STRUCTURES", "Route", "Structure", "Work", "structure_for"]


@dataclass(frozen=True)
class Work:
    """What a structure needs to know about a piece of work to route it."""

    department: str | None
    channels: tuple[str, ...]
    function: str
    audience: str | None


@dataclass(frozen=True)
class Route:
    """How one kind of request travels through the team.

    ``intake`` is the node the department hands the request to and
    ``triage`` says whether someone there spends time routing it; ``parts``
    are the work queues that each do a share of the work in parallel;
    ``merger`` joins the parts when there is more than one.
    """

    intake: str
    triage: bool
    parts: tuple[str, ...]
    merger: str | None
    #: the channels each part deals with (a by-network split gives each
    #: owner only their channels)
    part_channels: tuple[tuple[str, ...], ...] = ()


class Structure:
    """Routing shared by every design; subclasses say how work is split."""

    kind: ClassVar[str]

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.pods: dict[str, Pod] = dict(scenario.structure.pods)
        self.lead = scenario.structure.lead
        self.embedded: dict[str, list[str]] = {}
        for link in scenario.structure.embedded:
            self.embedded.setdefault(link.department, []).append(link.person)
        self.liaison = {link.department: link.person for link in scenario.structure.liaisons}

    # -- the one thing a design decides -------------------------------------------
    def split(self, work: Work) -> list[tuple[str, tuple[str, ...]]]:
        """Pods that each take a share of ``work``, with the channels of their share.

        Empty when no pod's remit covers the work.
        """
        raise NotImplementedError

    # -- shared machinery ------------------------------------------------------------
    def _first(self, key: str, value: str | None) -> list[str]:
        if value is None:
            return []
        return [name for name, p in self.pods.items() if value in getattr(p.covers, key)][:1]

    def queues(self, work: Work) -> dict[str, tuple[str, ...]]:
        """Work queues for ``work`` with their channels: the design's split, or a fallback."""
        if work.department in self.embedded:
            return {f"embedded:{work.department}": work.channels}
        shares = self.split(work)
        if not shares:
            # Nobody's remit covers it: the pod that answers for the
            # department, then the lead, then the first pod, picks it up.
            names = self._first("departments", work.department)
            if names:
                shares = [(names[0], work.channels)]
            else:
                return {person(self.lead) if self.lead else pod(next(iter(self.pods))): work.channels}
        out: dict[str, tuple[str, ...]] = {}
        for name, channels in shares:
            out[pod(name)] = out.get(pod(name), ()) + channels
        return out

    def route(self, work: Work) -> Route:
        shares = self.queues(work)
        parts = tuple(shares)
        d = work.department
        if d in self.embedded:
            return Route(intake=parts[0], triage=False, parts=parts, merger=None, part_channels=tuple(shares.values()))
        if d in self.liaison:
            intake, triage = person(self.liaison[d]), True
        elif self.scenario.structure.intake == "lead" and self.lead is not None:
            intake, triage = person(self.lead), True
        else:
            intake, triage = parts[0], False
        merger = None
        if len(parts) > 1:
            merger = person(self.lead) if self.lead is not None else parts[0]
        return Route(intake=intake, triage=triage, parts=parts, merger=merger, part_channels=tuple(shares.values()))

    def message_queue(self, channel: str, audience: str | None) -> str:
        """The queue that answers a community message on ``channel``."""
        return next(iter(self.queues(Work(None, (channel,), "community", audience))))


class NetworkStructure(Structure):
    """One owner pod per platform: a cross-channel request is split by channel."""

    kind = "network"

    def split(self, work: Work) -> list[tuple[str, tuple[str, ...]]]:
        return [(n, (ch,)) for ch in work.channels for n in self._first("channels", ch)]


class FunctionStructure(Structure):
    """Pods by internal function (community, content, insights, paid ...)."""

    kind = "function"

    def split(self, work: Work) -> list[tuple[str, tuple[str, ...]]]:
        return [(n, work.channels) for n in self._first("functions", work.function)]


class AudienceStructure(Structure):
    """Pods by audience: the pod for the request's audience takes it whole."""

    kind = "audience"

    def split(self, work: Work) -> list[tuple[str, tuple[str, ...]]]:
        names = self._first("audiences", work.audience) or self._first("departments", work.department)
        return [(n, work.channels) for n in names]


class CustomStructure(Structure):
    """Pods and ties from the file: the best-matching pod takes the work whole.

    A pod scores 8 for covering the department, 4 for the audience, 2 for the
    function and 1 per channel; ties go to the pod listed first.
    """

    kind = "custom"

    def split(self, work: Work) -> list[tuple[str, tuple[str, ...]]]:
        def score(p: Pod) -> int:
            c = p.covers
            return (8 * (work.department in c.departments) + 4 * (work.audience in c.audiences)
                    + 2 * (work.function in c.functions) + sum(ch in c.channels for ch in work.channels))

        best = max(self.pods, key=lambda n: score(self.pods[n]))
        return [(best, work.channels)] if score(self.pods[best]) > 0 else []


STRUCTURES: dict[str, type[Structure]] = {
    cls.kind: cls for cls in (NetworkStructure, FunctionStructure, AudienceStructure, CustomStructure)
}


def structure_for(scenario: Scenario) -> Structure:
    """The routing strategy for a scenario's ``structure.kind``."""
    return STRUCTURES[scenario.structure.kind](scenario)
