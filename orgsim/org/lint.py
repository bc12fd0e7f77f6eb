"""Warnings: scenarios that run, but probably not as their author meant.

An error stops a scenario (a pod naming a person who does not exist); a
warning does not — the model still has an answer — but the answer may
surprise: an audience no pod covers goes to a fallback queue, a channel no
one has the skills for costs every piece of work on it the novice
penalty, a pod nobody routes to sits idle, a burst after the horizon never
happens. Each check reads the validated scenario and the routing strategy
(the same code the engine uses), and each warning carries the key path, so
it points at the line to look at.

Errors are the scenario layer's: whatever :func:`orgsim.scenario.load_scenario`
accepts can run. This module only warns.

>>> from orgsim.scenario.loading import load_with_positions
>>> scenario, positions = load_with_positions("scenarios/audience.yaml")
>>> lint(scenario, positions, "scenarios/audience.yaml")
[]
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from orgsim.arguments import a_mapping, a_path, a_scenario, a_string, checks, flag, optional
from orgsim.errors import Problem
from orgsim.org.graph import person, pod
from orgsim.org.plan import routing_plan
from orgsim.org.structures import Structure, Work, structure_for
from orgsim.scenario.loading import KeyPath, Positions, load_with_positions
from orgsim.scenario.model import Scenario
from orgsim.scenario.paths import problem_at

__all__ = ["check_file", "lint"]

Finding = tuple[KeyPath, str]

MAX_WARNINGS = 20

#: the key of a piece of work that decides its pod, per structure kind, and what one value of it is called
_ROUTED_BY = {"network": ("channels", "channel"), "function": ("function", "function"), "audience": ("audience", "audience")}


@checks(scenario=a_scenario, positions=optional(a_mapping), file=a_string)
def lint(scenario: Scenario, positions: Positions | None = None, file: str = "<data>") -> list[Problem]:
    """Every warning for ``scenario``, positioned when ``positions`` are known."""
    positions = positions or {}
    found: list[Finding] = []
    for check in (_other_company, _uncovered_work, _missing_skills, _idle, _outside_horizon, _overloaded):
        found += check(scenario)
    out = _positioned(found[:MAX_WARNINGS], positions, file)
    if len(found) > MAX_WARNINGS:
        out.append(Problem(file, "", f"{len(found) - MAX_WARNINGS} more warnings not shown"))
    return out


@checks(path=a_path, allow_large=flag)
def check_file(path: str | Path, *, allow_large: bool = False) -> tuple[Scenario, list[Problem]]:
    """Load and validate a scenario file (errors raise :class:`~orgsim.errors.ScenarioError`), and list its warnings.

    >>> scenario, warnings = check_file("scenarios/network.yaml")
    >>> warnings
    []
    """
    scenario, positions = load_with_positions(path, allow_large=allow_large)
    return scenario, lint(scenario, positions, str(path))


def _positioned(found: list[Finding], positions: Positions, file: str) -> list[Problem]:
    return [problem_at(path, message, positions, file) for path, message in found]


# --- the checks ---------------------------------------------------------------------


def _work(scenario: Scenario) -> Iterator[tuple[KeyPath, Work, str]]:
    """Every kind of work that reaches the team, with where it is defined and what it is."""
    for dname, department in scenario.demand.departments.items():
        for rname, rt in department.requests.items():
            channels = tuple(scenario.channels) if rt.channels == "all" else tuple(rt.channels)
            yield (("demand", "departments", dname, "requests", rname), Work(dname, channels, rt.function, rt.audience),
                   "these requests")
    intr = scenario.policies.interruptions
    if intr is not None:
        yield ("policies", "interruptions"), Work(intr.department, (), intr.function, None), "these ideas"
    for ch, stream in scenario.demand.messages.items():
        for aud in stream.audience_mix or [None]:
            at: KeyPath = ("demand", "messages", ch, "audience_mix", aud) if aud else ("demand", "messages", ch)
            yield at, Work(None, (ch,), "community", aud), "these messages"
    if scenario.insights is not None:
        for name, k in scenario.insights.kinds.items():
            yield ("insights", "kinds", name), Work(None, (k.channel,), "community", k.audience), "these insights"


def _fallback(structure: Structure, work: Work) -> str:
    queue = next(iter(structure.queues(work)))
    kind, _, name = queue.partition(":")
    return f"pod {name!r}" if kind == "pod" else f"{name} (the lead)"


def _other_company(scenario: Scenario) -> list[Finding]:
    """A design name that still starts with another company's name than ``company:`` (a copied example).

    >>> from orgsim.scenario import load_scenario
    >>> s = load_scenario("scenarios/network.yaml")
    >>> _other_company(s.model_copy(update={"company": "Acme", "name": "Northwind Outdoor — by network"}))[0][1][:48]
    "starts with 'Northwind Outdoor', not the company"
    """
    prefix, dash, _ = scenario.name.partition(" — ")
    if not dash or scenario.company is None or prefix.strip().casefold() == scenario.company.strip().casefold():
        return []
    return [(("name",), f"starts with {prefix.strip()!r}, not the company {scenario.company!r} (company:): reports "
                       f"would show {prefix.strip()!r} beside {scenario.company!r}; name the design by what it changes")]


def _uncovered_work(scenario: Scenario) -> list[Finding]:
    """Work whose routing key no pod covers: the structure falls back to another queue."""
    structure = structure_for(scenario)
    kind = scenario.structure.kind
    embedded = {link.department for link in scenario.structure.embedded}
    out: list[Finding] = []
    for at, work, what in _work(scenario):
        if at[0] == "policies" or work.department in embedded or structure.split(work):
            continue  # leadership's ideas carry no channel or audience: they go to the lead by design
        goes_to = f"{what} go to {_fallback(structure, work)}"
        if kind not in _ROUTED_BY:  # custom: the best-matching pod, and none matched at all
            out.append((at, f"matches no pod's covers; {goes_to}"))
            continue
        key, noun = _ROUTED_BY[kind]
        values = list(work.channels) if key == "channels" else [v for v in [getattr(work, key)] if v is not None]
        if not values:
            out.append((at, f"has no {noun} for this {kind} structure to route by; {goes_to}"))
            continue
        if at[:2] == ("demand", "departments"):
            at = (*at, key)
        elif at[:2] == ("demand", "messages") and key != "audience":
            at = at[:3]  # the channel's stream, once, not each audience in its mix
            if any(seen == at for seen, _ in out):
                continue
        out.append((at, f"no pod lists {noun} {', '.join(map(repr, values))} in covers.{noun}s; {goes_to} instead"))
    return out


def _missing_skills(scenario: Scenario) -> list[Finding]:
    """Channels, functions and audiences that work needs and nobody on the team is practised in."""
    factors = scenario.policies.proficiency_factors
    people = list(scenario.team.people.values())
    needed: dict[str, set[str]] = {"channels": set(), "functions": set(), "audiences": set()}
    for _, work, _ in _work(scenario):
        needed["channels"].update(work.channels)
        needed["functions"].add(work.function)
        if work.audience is not None:
            needed["audiences"].add(work.audience)
    out: list[Finding] = []
    for key in ("channels", "functions", "audiences"):
        declared = getattr(scenario, key)
        for i, name in enumerate(declared):
            if name not in needed[key] or not people:
                continue
            best = min(getattr(factors, p.level(key, name)) for p in people)
            if best > factors.practised:
                out.append(((key, i), f"work needs {key[:-1]} {name!r} but no one is practised in it (skills.{key} "
                                      f"or proficiency.{key}); all that work takes {best:g}× the effort "
                                      "(policies.proficiency_factors)"))
    return out


def _idle(scenario: Scenario) -> list[Finding]:
    """Pods and people that no request, message or insight ever reaches."""
    structure = structure_for(scenario)
    plan = routing_plan(scenario, structure, timed=False)  # queues and servers only: no networkx for validate
    reached: set[str] = set()
    for _, work, _ in _work(scenario):
        if work.department is None:
            reached.update(structure.queues(work))
    reached |= plan.queues_used()  # requests (and leadership's ideas): intake, triage, parts, merge, approvers, steps
    policies = scenario.policies
    for step in policies.approval_chain[: policies.approval_steps]:
        if step.person is not None:  # an approver in the chain counts as used, whichever types need approval
            reached.add(person(step.person))
    st = scenario.structure
    out: list[Finding] = []
    for name in st.pods:
        if pod(name) not in reached:
            out.append((("structure", "pods", name), "gets no work: no request, message or insight is routed to this pod"))
    served: dict[str, set[str]] = {pid: set() for pid in scenario.team.people}
    for queue, who in plan.servers.items():  # own queue, pods, embedded desks, workflow roles
        for node in who:
            if node.startswith("person:"):
                served[node.removeprefix("person:")].add(queue)
    for pid, queues in served.items():
        if not queues & reached:
            out.append((("team", "people", pid), "gets no work: in no pod that work reaches, and no lead, "
                                                 "liaison, embedded or approver role that is used"))
    return out


def _outside_horizon(scenario: Scenario) -> list[Finding]:
    """Demand that falls after the horizon (never happens) or only in the warm-up (never counted)."""
    run = scenario.run
    out: list[Finding] = []
    for name, burst in scenario.demand.bursts.items():
        at: KeyPath = ("demand", "bursts", name, "start_day")
        if burst.start_day >= run.horizon_days:
            out.append((at, f"starts on day {burst.start_day:g}, after the horizon ({run.horizon_days:g} days); "
                            "it never happens"))
        elif burst.start_day + burst.days <= run.warmup_days:
            out.append((at, f"ends on day {burst.start_day + burst.days:g}, inside the warm-up ({run.warmup_days:g} days); "
                            "it is left out of every figure"))
    for dname, department in scenario.demand.departments.items():
        for rname, rt in department.requests.items():
            late = [h for h in rt.at_hours or [] if h >= run.horizon_days * 24]
            if late:
                out.append((("demand", "departments", dname, "requests", rname, "at_hours"),
                            f"{len(late)} of {len(rt.at_hours or [])} times fall after the horizon "
                            f"({run.horizon_days * 24:g} hours); those requests never arrive"))
    return out


def _overloaded(scenario: Scenario) -> Iterator[Finding]:
    """A work queue offered more work than its people can do on duty: its backlog grows without bound."""
    from orgsim.metrics.stability import overloaded_stations

    for name, load in sorted(overloaded_stations(scenario).items(), key=lambda kv: -kv[1]):
        kind, _, who = name.partition(":")
        where: KeyPath = ("structure", "pods", who) if kind == "pod" and who in scenario.structure.pods else \
            ("team", "people", who) if who in scenario.team.people else ("team",)
        yield (where, f"unstable: {name} is offered {load:.2f}× the work its people can do on duty "
                      "(orgsim estimate); its backlog grows without bound and its latency has no steady state")
