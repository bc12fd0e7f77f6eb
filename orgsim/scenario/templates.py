"""Starter scenarios for ``orgsim init``: commented YAML that validates and runs."""

from __future__ import annotations

from orgsim.scenario.structure import STRUCTURE_KINDS

__all__ = ["STRUCTURES", "starter"]

#: one starter per structure kind, except ``custom`` (pods chosen by best-matching covers: no one shape
#: to start from), and ``embedded``: a network team with one expert embedded in Product
STRUCTURES: tuple[str, ...] = (*(k for k in STRUCTURE_KINDS if k != "custom"), "embedded")
CHANNELS = ["instagram", "tiktok", "linkedin"]
AUDIENCES = ["consumers", "b2b_buyers"]
FUNCTIONS = ["community", "content", "insights"]

_HEAD = """\
# yaml-language-server: $schema={schema}
#
# A starter orgsim scenario: {structure} structure, {n} people.
# Check it with `orgsim validate {path}`, run it with `orgsim run {path}`.
# Durations are hours unless the key says otherwise; a bare number is a
# fixed duration, or write {{dist: lognormal, mean: 2, cv: 0.8}}.

name: Starter — {structure}, {n} people
channels: [{channels}]
audiences: [{audiences}]

demand:
  timezone: Europe/London
  departments:
    Product:
      requests:
        insight_request:            # "what are people saying about X?"
          per_week: 3
          effort_hours: {{dist: lognormal, mean: 2, cv: 0.8}}
          function: insights
          channels: all
          audience: consumers
    Marketing:
      requests:
        campaign_content:           # a post in several formats per platform
          per_week: 4
          effort_hours: {{dist: lognormal, mean: 4, cv: 0.6}}
          function: content
          channels: [instagram, tiktok]
          audience: consumers
          needs_approval: true
  messages:                         # inbound community messages, 24/7
    instagram: {{per_day: 20, handle_minutes: 4, audience_mix: {{consumers: 1}}}}
    linkedin: {{per_day: 5, handle_minutes: 6, audience_mix: {{b2b_buyers: 1}}}}

team:
  people:
{people}
structure:
  kind: {kind}
  lead: p1                          # triages what departments send
  intake: lead
  pods:
{pods}{extra}
policies:
  approval_steps: 1
  approval_chain:
    - external: CMO
      review_hours: {{dist: lognormal, mean: 1, cv: 0.8}}

run:
  horizon_days: 28
  warmup_days: 7
  replications: 10                  # the measured default (docs/statistics.md, "Replications")
  seed: 1
"""


def _groups(structure: str) -> tuple[str, str, list[str]]:
    """The structure kind of a starter, the ``covers`` key its pods split by, and the values split."""
    kind = "network" if structure == "embedded" else structure
    return {"network": (kind, "channels", CHANNELS), "function": (kind, "functions", FUNCTIONS),
            "audience": (kind, "audiences", AUDIENCES)}[kind]


def starter(structure: str = "network", team_size: int = 4, path: str = "scenario.yaml",
            schema: str = "https://example.invalid/orgsim/scenario.schema.json") -> str:
    """The text of a starter scenario.

    >>> "kind: network" in starter("network", 3)
    True
    """
    if structure not in STRUCTURES:
        raise ValueError(f"structure must be one of {', '.join(STRUCTURES)}")
    if not 1 <= team_size <= 200:
        raise ValueError("team size must be between 1 and 200")
    kind, cover_key, groups = _groups(structure)
    ids = [f"p{i + 1}" for i in range(team_size)]
    people = "".join(
        f"    {pid}:\n      name: Person {i + 1}\n      hours: \"09:00-17:30\"\n      timezone: Europe/London\n"
        f"      capacity: 0.8\n      cost_per_year: 55000\n      skills:\n"
        f"        channels: [{', '.join(CHANNELS)}]\n        functions: [{', '.join(FUNCTIONS)}]\n"
        f"        audiences: [{', '.join(AUDIENCES)}]\n"
        for i, pid in enumerate(ids)
    )
    n_pods = min(len(groups), team_size)
    members: list[list[str]] = [[] for _ in range(n_pods)]
    for i, pid in enumerate(ids):
        members[i % n_pods].append(pid)
    covers: list[list[str]] = [[] for _ in range(n_pods)]
    for i, g in enumerate(groups):
        covers[min(i, n_pods - 1)].append(g)
    pods = "".join(
        f"    {'_'.join(c)}:\n      members: [{', '.join(m)}]\n      covers:\n        {cover_key}: [{', '.join(c)}]\n"
        for m, c in zip(members, covers, strict=True)
    )
    extra = ""
    if structure == "embedded":
        extra = ("  embedded:                         # a social expert sits in Product\n"
                 f"    - {{person: {ids[-1]}, department: Product}}\n")
    return _HEAD.format(schema=schema, structure=structure, n=team_size, path=path, channels=", ".join(CHANNELS),
                        audiences=", ".join(AUDIENCES), people=people, kind=kind, pods=pods, extra=extra)
