"""Skills, roles and the work they carry in one design: what a resilience study takes away and watches.

A **skill** is a channel, a function or an audience (``channel:instagram``,
``function:paid``, ``audience:candidates``). Its **work** is every request
whose type names it (its channels, function or audience) and every message
that needs it (the channel's messages; the audience's messages; every message
for ``function:community``, since messages are community work). Its
**people** in a design are those who could do that work at the agreed level:
team members who serve a queue the design routes the skill's work to (a pod
they are in, their own queue as an embedded expert) and whose proficiency on
it is ``practised`` or better — the level the work-time model takes as its
unit (a novice takes 1.3x as long by default: they can stand in, not cover).

A **role** is the ``role:`` of the people file, read up to the first
parenthesis or comma ("community manager (weekend shift)" and "community
manager (Manila, overnight cover)" are one role, "community manager").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from orgsim.metrics.slices import Slice
from orgsim.org import measures
from orgsim.org.measures import COVER_LEVEL
from orgsim.scenario.kinds import request_kinds
from orgsim.scenario.model import Scenario

__all__ = ["COVER_LEVEL", "MESSAGE_FUNCTION", "role_of", "roles", "skill_label", "skill_people", "skill_work"]

#: every inbound message is community work (the engine routes it as function ``community``)
MESSAGE_FUNCTION = "community"


def _skills(scenario: Scenario) -> Iterator[tuple[str, str, str]]:
    """(skill id, kind, name) of every channel, function and audience the scenario names."""
    for kind, names in (("channel", scenario.channels), ("function", scenario.functions),
                        ("audience", scenario.audiences)):
        for name in names:
            yield f"{kind}:{name}", kind, name


def skill_label(skill: str) -> str:
    """Plain words for a skill id.

    >>> skill_label("channel:instagram"), skill_label("function:employer_brand")
    ('Instagram', 'employer brand work')
    """
    kind, _, name = skill.partition(":")
    words = name.replace("_", " ")
    if kind == "channel":
        return {"x": "X", "tiktok": "TikTok", "youtube": "YouTube", "linkedin": "LinkedIn"}.get(name, words.capitalize())
    if kind == "function":
        return f"{words} work"
    return f"work for {words}"


def skill_work(scenario: Scenario) -> dict[str, Slice]:
    """Each skill that carries work in the scenario, and that work (request kinds, messages)."""
    kinds = request_kinds(scenario)
    streams = scenario.demand.messages
    out: dict[str, Slice] = {}
    for skill, kind, name in _skills(scenario):
        if kind == "channel":
            keys = {k.key for k in kinds if k.spec.channels == "all" or name in k.spec.channels}
            part = Slice(frozenset(keys), name in streams, channels=frozenset({name}))
        elif kind == "function":
            keys = {k.key for k in kinds if k.spec.function == name}
            part = Slice(frozenset(keys), name == MESSAGE_FUNCTION and bool(streams))
        else:
            keys = {k.key for k in kinds if k.spec.audience == name}
            writes = any(name in s.audience_mix for s in streams.values())
            part = Slice(frozenset(keys), writes, audiences=frozenset({name}))
        if part.kinds or part.messages:
            out[skill] = part
    return out


def skill_people(scenario: Scenario) -> dict[str, list[str]]:
    """Each skill that carries work -> the people who cover it in this design (file order; see the module).

    The same people the static bus factor counts (:func:`orgsim.org.measures.skill_people`).
    """
    return measures.skill_people(scenario, COVER_LEVEL)


def role_of(role: str) -> str:
    """A person's role as one word group: up to the first parenthesis or comma, lower case.

    >>> role_of("community manager (weekend shift)"), role_of("social media manager, B2B and North America")
    ('community manager', 'social media manager')
    """
    return re.split(r"[(,]", role, maxsplit=1)[0].strip().lower() or role.strip().lower()


def roles(scenario: Scenario) -> dict[str, list[str]]:
    """Each role held by two or more people, not by everyone -> its holders.

    A role of one is that person's absence; a role of the whole team would be nobody at work.
    """
    out: dict[str, list[str]] = {}
    for pid, p in scenario.team.people.items():
        out.setdefault(role_of(p.role), []).append(pid)
    return {r: who for r, who in out.items() if 1 < len(who) < len(scenario.team.people)}
