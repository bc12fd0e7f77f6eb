"""Which pods each generated design has, and how fast each person is at a pod's work.

A design kind names what its pods split the work by:

=========  ===========================================================================
network    one pod per channel (``kind: network``: a cross-channel request is split)
function   one pod per function (``kind: function``: community takes every message)
audience   one pod per audience (``kind: audience``: a request goes whole)
embedded   the function pods, plus an expert embedded in each of the departments whose
           work one person can carry (``kind: function`` with ``embedded:``)
hybrid     inbox pods by channel for community work (at most two channels each) and one
           pod per other function (``kind: custom``: function pods are listed first, so
           they win ties of the best-match rule and take every non-community request)
=========  ===========================================================================

A group (a channel, function or audience) with no work gets no pod. Groups
whose work is less than ``min_pod_share`` of a typical person's week (half,
by default: a pod that cannot keep even one person half busy is a part of
someone's job, not a team) are merged, smallest with next smallest, until
every pod reaches it, and there are never more pods than the people can fill
at their minimum members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orgsim.design.workload import QueueLoad
from orgsim.org.structures import Work
from orgsim.scenario.clock import parse_hours
from orgsim.scenario.model import Covers, Person, Scenario

__all__ = ["DESIGN_KINDS", "PodDraft", "available_hours", "merge_small", "person_factor", "pod_drafts", "slot_factor"]

#: the designs ``orgsim designs`` writes, in the order a comparison lists them (by network: the status
#: quo of 64% of social teams, Sprout Social Index)
DESIGN_KINDS: tuple[str, ...] = ("network", "function", "audience", "embedded", "hybrid")
#: the most channels one inbox pod of a hybrid covers: a function pod scores 2 in the best-match rule
#: (``kind: custom``), an inbox pod 1 per channel of the request, so with two channels at most the
#: function pod, listed first, still wins every non-community request
INBOX_CHANNELS = 2


@dataclass(frozen=True)
class PodDraft:
    """A pod before it has members: its name and what it covers."""

    name: str
    covers: Covers
    #: the groups (channels, functions or audiences) it was made of, for merging
    groups: tuple[str, ...]
    #: ``inbox`` or ``function`` in a hybrid (only pods of one family merge); else the design kind
    family: str


def _covers(family: str, groups: Sequence[str], kind: str) -> Covers:
    if kind == "hybrid":
        if family == "inbox":
            return Covers(channels=list(groups), functions=["community"])
        return Covers(functions=list(groups))
    key = {"network": "channels", "function": "functions", "embedded": "functions", "audience": "audiences"}[kind]
    return Covers(**{key: list(groups)})


def _name(family: str, groups: Sequence[str], kind: str) -> str:
    joined = "_".join(groups)
    return f"inbox_{joined}" if kind == "hybrid" and family == "inbox" else joined


def draft(family: str, groups: Sequence[str], kind: str) -> PodDraft:
    return PodDraft(_name(family, groups, kind), _covers(family, groups, kind), tuple(groups), family)


def pod_drafts(scenario: Scenario, kind: str) -> list[PodDraft]:
    """One pod per channel, function or audience of the scenario, before merging (see the module docstring)."""
    if kind == "network":
        return [draft(kind, [c], kind) for c in scenario.channels]
    if kind in ("function", "embedded"):
        return [draft(kind, [f], kind) for f in scenario.functions]
    if kind == "audience":
        return [draft(kind, [a], kind) for a in scenario.audiences]
    if kind == "hybrid":
        return ([draft("function", [f], kind) for f in scenario.functions if f != "community"]
                + [draft("inbox", [c], kind) for c in scenario.channels])
    raise ValueError(f"design kind must be one of {', '.join(DESIGN_KINDS)}, got {kind!r}")


def merge_small(drafts: list[PodDraft], load: dict[str, float], threshold: float, most: int, kind: str) -> list[PodDraft]:
    """Drop pods with no work; merge the smallest with the next smallest of its family until all reach ``threshold``.

    ``most`` caps the number of pods (the people's room for minimum members).
    An inbox pod of a hybrid never grows past :data:`INBOX_CHANNELS` channels.
    """
    pods = [d for d in drafts if load.get(d.name, 0.0) > 0]
    hours = {d.name: load[d.name] for d in pods}

    def fits(a: PodDraft, b: PodDraft) -> bool:
        return a is not b and a.family == b.family and (
            a.family != "inbox" or len(a.groups) + len(b.groups) <= INBOX_CHANNELS)

    while len(pods) > 1:
        order = sorted(pods, key=lambda d: (hours[d.name], pods.index(d)))
        candidates = order if len(pods) > most else [d for d in order if hours[d.name] < threshold]
        pair = next(((c, m) for c in candidates for m in order if fits(c, m)), None)
        if pair is None:
            break
        first, second = sorted(pair, key=pods.index)
        joined = draft(first.family, [*first.groups, *second.groups], kind)
        hours[joined.name] = hours[first.name] + hours[second.name]
        pods[pods.index(first)] = joined
        pods.remove(second)
    return pods


def available_hours(p: Person) -> float:
    """Hours a week ``p`` has for this work: the shift's length × working days × ``capacity``.

    Public holidays and absences are not subtracted (they fall on some weeks, not every week).

    >>> available_hours(Person(hours="09:00-17:30", capacity=0.8))
    34.0
    """
    start, end = parse_hours(p.hours)
    length = end - start if end > start else end + 24 - start
    return length * len(p.days) * p.capacity


def person_factor(scenario: Scenario, p: Person, work: Work) -> float:
    """Clock hours per hour of ``work`` at practised speed: the engine's factor without ``capacity``.

    The mean of the channel factors over the work's channels, times the
    function factor, times the audience factor (see ``Worker.factor``).
    """
    factors = scenario.policies.proficiency_factors
    channels = [getattr(factors, p.level("channels", c)) for c in work.channels if c in scenario.channels]
    ch = sum(channels) / len(channels) if channels else 1.0
    fn = getattr(factors, p.level("functions", work.function)) if work.function in scenario.functions else 1.0
    au = getattr(factors, p.level("audiences", work.audience)) if work.audience in scenario.audiences else 1.0
    return ch * fn * au


def slot_factor(scenario: Scenario, p: Person, load: QueueLoad) -> float:
    """``p``'s factor on a queue's work: :func:`person_factor` averaged over its mix, weighted by hours."""
    total = load.hours_per_week
    if total <= 0:
        return 1.0
    return sum(m.hours_per_week * person_factor(scenario, p, m.work) for m in load.mix) / total
