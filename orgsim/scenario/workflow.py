"""Workflows: a request type as ordered ``steps:`` with branches.

A request type without ``steps:`` is one step (its ``function``, ``effort_hours``
and the structure's routing): the shorthand every example uses. With steps,
each step says what it is (``function``, optionally ``channels`` and
``audience``, else the request's), how long it takes (``effort_hours``), who
does it (nobody named: the structure routes it like a request; or one of
``pod``, ``person``, ``role`` — everyone in the team with that role, as one
queue —, ``department`` — another department, on its own hours, an
escalation out of the team and back — or ``external`` — an outside approver
with their own ``hours``, ``days``, ``timezone`` and ``other_work``, see
:mod:`orgsim.scenario.approvers`), and what follows: ``then`` (a step's
name, or ``done``; default the next step in the list, ``done`` after the
last) unless one of its ``branches`` is taken — each a ``to`` step and a
``probability``, drawn once when the step is finished::

    steps:
      - {name: brief, function: content, effort_hours: {dist: fixed, mean: 0.5}}
      - {name: draft, function: content, effort_hours: {dist: exponential, mean: 3}}
      - name: approval
        function: content
        external: CMO
        effort_hours: {dist: fixed, mean: 0.25}
        branches:
          rejected: {to: draft, probability: 0.15}

:func:`check_workflow` gives the positioned errors of a bad workflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from orgsim.scenario.approvers import TEAM_MEMBERS_OTHER_WORK, OtherWork, approver_calendars
from orgsim.scenario.clock import Hours, TimeZone
from orgsim.scenario.distributions import Distribution
from orgsim.scenario.types import Priority, Share, Strict, Weekday, workweek

if TYPE_CHECKING:
    from orgsim.scenario.demand import RequestType
    from orgsim.scenario.model import Scenario

__all__ = ["DONE", "Branch", "Step", "check_workflow", "exits", "external_steps"]

#: the name ``then`` takes to end the workflow (the answer goes back to the department)
DONE = "done"


class Branch(Strict):
    """Where the work goes instead of ``then``, with what chance."""

    to: str
    probability: Share
    #: the rework of a team told about a campaign after it was decided: ``policies.planning_seat`` removes it
    late_rework: bool = False


class Step(Strict):
    """One step of a workflow (see the module docstring)."""

    name: str
    function: str | None = None
    channels: list[str] | None = None
    audience: str | None = None
    effort_hours: Distribution
    pod: str | None = None
    person: str | None = None
    #: everyone in the team whose ``role`` is exactly this, as one queue
    role: str | None = None
    #: another department does the step (an escalation out of the team and back), on its own hours
    department: str | None = None
    external: str | None = None
    #: an outside approver's working hours (only with ``external``); the approval chain's default
    hours: Hours = "09:00-18:00"
    days: list[Weekday] = Field(default_factory=workweek)
    timezone: TimeZone = "UTC"
    #: an outside approver's own work, competing with the approvals (see orgsim.scenario.approvers)
    other_work: OtherWork | None = None
    #: the step is an approval: its time counts as approval wait (default: true for ``external``)
    approval: bool | None = None
    #: how urgent the step's work is (default: the request's priority); a triage at 1 a.m. can be
    #: ``executive`` while the project it starts waits its turn as ``normal``
    priority: Priority | None = None
    then: str | None = None
    branches: dict[str, Branch] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_doer(self) -> Step:
        if sum(x is not None for x in (self.pod, self.person, self.role, self.department, self.external)) > 1:
            raise ValueError("name at most one of pod, person, role, department or external (none: the structure decides)")
        if self.other_work is not None and self.external is None:
            raise ValueError(TEAM_MEMBERS_OTHER_WORK)
        return self

    @property
    def is_approval(self) -> bool:
        """Its time counts as approval wait: an outside approver's step, or one marked ``approval: true``."""
        return self.approval if self.approval is not None else self.external is not None

    @property
    def external_node(self) -> str | None:
        """The outside approver's graph node and queue, ``approver:<name>``."""
        return f"approver:{self.external}" if self.external is not None else None


def external_steps(s: Scenario) -> dict[str, Step]:
    """Outside approvers named by steps, by node (``approver:<name>``), first definition wins.

    One named in ``policies.approval_chain`` too keeps the chain's calendar.
    """
    return {node: spec for node, spec in approver_calendars(s).items() if isinstance(spec, Step)}


def exits(steps: list[Step], planning_seat: bool = False) -> list[list[tuple[int, float]]]:
    """For each step, where it goes next and with what chance (index ``len(steps)`` is done).

    With ``planning_seat`` the ``late_rework`` branches are gone (their chance goes to ``then``).
    """
    index = {st.name: i for i, st in enumerate(steps)}
    index[DONE] = len(steps)
    out = []
    for i, st in enumerate(steps):
        taken = [b for b in st.branches.values() if not (planning_seat and b.late_rework)]
        go = [(index[b.to], b.probability) for b in taken if b.to in index and b.probability > 0]
        rest = 1 - sum(b.probability for b in taken)
        then = st.then if st.then is not None else (steps[i + 1].name if i + 1 < len(steps) else DONE)
        if rest > 1e-12 and then in index:
            go.append((index[then], rest))
        out.append(go)
    return out


Path = tuple[str | int, ...]


def check_workflow(s: Scenario, rt: RequestType, at: Path) -> list[tuple[Path, str]]:
    """Positioned problems of one request type's ``steps`` (empty when it has none)."""
    steps = rt.steps or []
    bad: list[tuple[Path, str]] = []
    if steps and rt.rework_probability:
        bad.append(((*at, "rework_probability"), "give rework as a branch of a step when the type has steps"))
    total = sum(st.effort_hours.expected for st in steps)
    if steps and abs(rt.effort_hours.expected - total) > 1e-9 * max(1.0, total):
        bad.append(((*at, "effort_hours"), f"{rt.effort_hours.expected:g} h disagrees with the steps' "
                    f"{total:g} h; each step gives its own: leave it out (null in a file that extends one that sets it)"))
    if steps and rt.needs_approval:
        bad.append(((*at, "needs_approval"), "give approval as a step (external: or person:) when the type has steps"))
    names = [st.name for st in steps]
    known = [*names, DONE]
    for i, st in enumerate(steps):
        here: Path = (*at, "steps", i)
        if st.name in names[:i] or st.name == DONE:
            bad.append(((*here, "name"), f"step name {st.name!r} is {'reserved' if st.name == DONE else 'used twice'}"))
        if st.then is not None and st.then not in known:
            bad.append(((*here, "then"), f"no step {st.then!r}; expected one of: {', '.join(known)}"))
        for b, br in st.branches.items():
            if br.to not in known:  # done: the branch ends the work (an idea dropped at triage)
                bad.append(((*here, "branches", b, "to"), f"no step {br.to!r}; expected one of: {', '.join(known)}"))
        total = sum(br.probability for br in st.branches.values())
        if total > 1 + 1e-9:
            bad.append(((*here, "branches"), f"probabilities sum to {total:g}; expected at most 1"))
        function = st.function or rt.function
        if function not in s.functions:
            bad.append(((*here, "function"), f"unknown function {function!r}; expected one of: {', '.join(s.functions)}"))
        for ch in st.channels or []:
            if ch not in s.channels:
                bad.append(((*here, "channels"), f"unknown channel {ch!r}; expected one of: {', '.join(s.channels)}"))
        if st.audience is not None and st.audience not in s.audiences:
            bad.append(((*here, "audience"), f"unknown audience {st.audience!r}; expected one of: {', '.join(s.audiences)}"))
        bad += _doer(s, st, function, here)
    if bad or not steps:
        return bad
    # Every step the work can reach must be able to reach ``done``: a loop taken with probability 1 never ends.
    go = exits(steps)
    reach_done = {len(steps)}
    changed = True
    while changed:
        changed = False
        for i, g in enumerate(go):
            if i not in reach_done and any(j in reach_done for j, _ in g):
                reach_done.add(i)
                changed = True
    seen, todo = {0}, [0]
    while todo:
        for j, _ in go[todo.pop()]:
            if j < len(steps) and j not in seen:
                seen.add(j)
                todo.append(j)
    for i in sorted(seen - reach_done):
        bad.append(((*at, "steps", i, "branches" if steps[i].branches else "then"),
                    f"step {steps[i].name!r} never leads to done: a loop with no way out (probability 1)"))
    return bad


def _doer(s: Scenario, st: Step, function: str, here: Path) -> list[tuple[Path, str]]:
    """A named doer must exist, and someone who may do the step must have done its function before."""
    if st.external is not None:
        return []
    if st.department is not None:
        if st.department not in s.demand.departments:
            return [((*here, "department"),
                     f"unknown department {st.department!r}; expected one of: {', '.join(s.demand.departments)}")]
        return []
    if st.role is not None:
        who = [pid for pid, p in s.team.people.items() if p.role == st.role]
        if not who:
            roles = sorted({p.role for p in s.team.people.values()})
            return [((*here, "role"), f"no one in the team has role {st.role!r}; expected one of: {', '.join(roles)}")]
    elif st.pod is not None:
        if st.pod not in s.structure.pods:
            return [((*here, "pod"), f"unknown pod {st.pod!r}; expected one of: {', '.join(s.structure.pods)}")]
        who = [m for m in s.structure.pods[st.pod].members if m in s.team.people]
    elif st.person is not None:
        if st.person not in s.team.people:
            return [((*here, "person"), f"unknown person {st.person!r}; expected one of: {', '.join(s.team.people)}")]
        who = [st.person]
    else:
        who = list(s.team.people)
    if function in s.functions and who and all(s.team.people[p].level("functions", function) == "none" for p in who):
        doer = (f"pod {st.pod!r}" if st.pod else f"{st.person}" if st.person
                else f"role {st.role!r}" if st.role else "the team")
        return [((*here, "function"), f"no one in {doer} can do {function!r} (proficiency none for all)")]
    return []
