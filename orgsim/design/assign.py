"""Who goes in which pod: a small mixed-integer programme, solved with ``scipy.optimize.milp`` (HiGHS).

The problem. People ``p`` have ``H[p]`` hours a week for this work (their
shift times their days times ``capacity``). Slots ``s`` (a design's pods, and
the seats of experts embedded in a department) each carry ``L[s]`` hours a
week of work at ``practised`` speed. A person works ``f[p, s]`` clock hours per
hour of that work: the load-weighted mean over the slot's work of the
engine's proficiency factor (channel × function × audience, see
``policies.proficiency_factors``), so an hour of an expert's counts for more
where their expertise lies. Variables: ``y[p, s]`` (1 if ``p`` is a member of
``s``), ``x[p, s]`` (hours a week ``p`` is expected to give ``s``) and ``λ``.

Constraints: everyone's planned hours fit their week (Σ_s x ≤ H), a person
gives hours only to slots they belong to (x ≤ H y), every slot's effective
hours cover λ times its load (Σ_p x / f ≥ λ L), everyone belongs to at least
one slot and at most ``max_slots_per_person`` (equal head count: nobody is
left out), every pod has at least ``min_members`` (two: one person is a bus
factor of 1) and an embedded seat exactly one member, who is in no pod.

Objective, in two stages (lexicographic):

1. **balance**: maximise λ, the headroom of the busiest slot — the smallest
   effective-hours-to-load ratio; ``1/λ`` is the busiest slot's expected
   utilisation, made as low as the people allow;
2. **experts on their own work**: keeping λ within ``tolerance`` of that best,
   maximise the team's effective hours Σ x / f (each hour goes where its
   owner is fastest) minus ``switch_hours`` × f for every pod membership (a
   second pod costs its stand-ups and its channel: an assumption, 2 h a
   week, more for someone slow at the pod's work), so people belong to one
   pod unless a second one is needed, and a pod's backup is someone who
   knows its work.

Each stage stops once its solution is proven within :data:`MIP_GAP` (0.5%)
of the best possible: proving the last fraction of a percent took seconds to
minutes on a team of 34 with many alike people (8 s and 37 s CPU for the
network and hybrid designs, against 0.8 s and 1.8 s at 0.5%), for hours
that move less than a run's noise. A node limit keeps a pathological case
finite. HiGHS is deterministic: the same input gives the same assignment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from orgsim.errors import ArgumentError, OrgsimError

__all__ = ["Assignment", "Slot", "assign_people"]

#: a slot's hours may fall this far below the best balance to let stage 2 put experts on their own work
#: (an assumption: 2% of the busiest pod's headroom is well inside a run's noise)
TOLERANCE = 0.02
#: hours a week a pod membership costs (stand-ups, following its channel): an assumption, to keep people in one pod
SWITCH_HOURS = 2.0
#: each stage stops within this relative gap of its proven bound (see the module docstring)
MIP_GAP = 0.005
#: branch-and-bound nodes per stage at most (deterministic, unlike a time limit)
NODE_LIMIT = 5000


@dataclass(frozen=True)
class Slot:
    """A place to assign people to: a pod, or a department's embedded seat (``alone``)."""

    name: str
    #: expected hours a week of work at practised speed (> 0)
    load: float
    min_members: int = 2
    max_members: int | None = None
    #: an embedded seat: exactly one member, who belongs to no other slot
    alone: bool = False


@dataclass(frozen=True)
class Assignment:
    """The solution: members of each slot, planned hours, and how busy each slot is expected to be."""

    #: slot -> its members, most planned hours first
    members: dict[str, tuple[str, ...]]
    #: (person, slot) -> planned hours a week, for every membership
    hours: dict[tuple[str, str], float]
    #: slot -> Σ planned hours / factor: hours of work at practised speed the members can do
    effective: dict[str, float]
    #: slot -> load / effective: the expected share of the members' planned time the work takes
    utilisation: dict[str, float]
    #: λ of stage 1: the best achievable smallest effective-to-load ratio (above 1: every slot can keep up)
    headroom: float
    memberships: int
    #: how far each stage's solution may be from its best (HiGHS's final relative gaps)
    gaps: tuple[float, float] = (0.0, 0.0)


def _check(people: Sequence[str], hours: Sequence[float], factors: np.ndarray, slots: Sequence[Slot],
           max_slots: int) -> None:
    n, k = len(people), len(slots)
    if n == 0 or k == 0:
        raise OrgsimError("nothing to assign: " + ("no people" if n == 0 else "no work for any pod"))
    if factors.shape != (n, k) or len(hours) != n:
        raise ArgumentError(f"assign_people: factors must be people × slots ({n} × {k}), hours one per person")
    if any(s.load <= 0 for s in slots) or any(h < 0 for h in hours) or not np.all(factors > 0):
        raise ArgumentError("assign_people: loads and factors must be positive, hours non-negative")
    alone = sum(s.alone for s in slots)
    least = [min(s.min_members, n) for s in slots if not s.alone]
    if alone + (1 if least else 0) > n or sum(least) > (n - alone) * max_slots:
        who = "1 person" if n == 1 else f"{n} people"
        seats = f" and {alone} embedded seat(s)" if alone else ""
        raise OrgsimError(f"{who} cannot fill {len(least)} pod(s) of at least {min(least, default=1)} member(s)"
                          f"{seats}, in at most {max_slots} pods each")


def assign_people(people: Sequence[str], hours: Sequence[float], factors: np.ndarray, slots: Sequence[Slot], *,
                  max_slots_per_person: int = 2, tolerance: float = TOLERANCE,
                  switch_hours: float = SWITCH_HOURS) -> Assignment:
    """Assign ``people`` (with ``hours`` a week and ``factors[p, s]``) to ``slots`` by the two-stage programme above.

    Raises :class:`~orgsim.errors.OrgsimError` when the slots cannot be
    filled (too few people for the pods' minimum members).

    Example: a TikTok expert and an Instagram expert, two one-member pods.

    >>> import numpy as np
    >>> a = assign_people(["tia", "ian"], [30, 30], np.array([[0.8, 1.3], [1.3, 0.8]]),
    ...                   [Slot("pod:tiktok", 20, 1), Slot("pod:instagram", 20, 1)])
    >>> a.members
    {'pod:tiktok': ('tia',), 'pod:instagram': ('ian',)}
    """
    _check(people, hours, factors, slots, max_slots_per_person)
    n, k = len(people), len(slots)
    nx = n * k
    size = 2 * nx + 1
    lam = 2 * nx
    H = np.asarray(hours, float)
    L = np.array([s.load for s in slots])
    f = np.asarray(factors, float)
    m = max_slots_per_person

    def x(p: int, s: int) -> int:
        return p * k + s

    def y(p: int, s: int) -> int:
        return nx + p * k + s

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(lo)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lo.append(low)
        hi.append(high)

    # x is the share of a person's week given to a slot (0..1): every coefficient is of order 1
    for p in range(n):
        row([(x(p, s), 1.0) for s in range(k)], -np.inf, 1)  # the week holds the planned hours
        row([(y(p, s), 1.0) for s in range(k)], 1, m)  # at least one pod, at most m
        for s in range(k):
            row([(x(p, s), 1.0), (y(p, s), -1.0)], -np.inf, 0)  # hours only where a member
        if any(slot.alone for slot in slots):  # an embedded expert is in nothing else
            row([(y(p, s), m if slot.alone else 1.0) for s, slot in enumerate(slots)], -np.inf, m)
    for s, slot in enumerate(slots):
        # effective hours over the load ≥ λ
        row([(x(p, s), H[p] / f[p, s] / L[s]) for p in range(n) if H[p] > 0] + [(lam, -1.0)], 0, np.inf)
        low, high = (1, 1) if slot.alone else (min(slot.min_members, n), slot.max_members or n)
        row([(y(p, s), 1.0) for p in range(n)], low, high)
    A = coo_array((vals, (rows, cols)), shape=(len(lo), size)).tocsr()
    constraints = LinearConstraint(A, np.array(lo), np.array(hi))
    integrality = np.r_[np.zeros(nx), np.ones(nx), 0]
    upper = np.r_[np.ones(2 * nx), np.inf]
    lower = np.zeros(size)

    # stage 1: the best balance
    c1 = np.zeros(size)
    c1[lam] = -1.0
    options = {"mip_rel_gap": MIP_GAP, "node_limit": NODE_LIMIT}
    first = milp(c1, constraints=constraints, integrality=integrality, bounds=Bounds(lower, upper), options=options)
    if first.x is None:
        raise OrgsimError(f"no assignment of {n} people to {k} slot(s) exists: {first.message}")
    best = float(first.x[lam])

    # stage 2: experts on their own work, few memberships, balance kept within the tolerance
    lower[lam] = best * (1 - tolerance)
    c2 = np.zeros(size)
    c2[:nx] = -(H[:, None] / f).ravel()
    c2[nx:lam] = switch_hours * f.ravel()  # a membership costs more for someone slow at the pod's work
    second = milp(c2, constraints=constraints, integrality=integrality, bounds=Bounds(lower, upper), options=options)
    z = second.x if second.x is not None else first.x

    members: dict[str, tuple[str, ...]] = {}
    planned: dict[tuple[str, str], float] = {}
    effective: dict[str, float] = {}
    for s, slot in enumerate(slots):
        inside = [p for p in range(n) if z[y(p, s)] > 0.5]
        inside.sort(key=lambda p: (-round(z[x(p, s)], 6), p))
        members[slot.name] = tuple(people[p] for p in inside)
        for p in inside:
            planned[people[p], slot.name] = max(0.0, float(z[x(p, s)]) * H[p])
        effective[slot.name] = sum(planned[people[p], slot.name] / f[p, s] for p in inside)
    utilisation = {s.name: (s.load / effective[s.name] if effective[s.name] > 0 else np.inf) for s in slots}
    gaps = (float(getattr(first, "mip_gap", 0.0) or 0.0),
            float(getattr(second, "mip_gap", 0.0) or 0.0) if second.x is not None else float("nan"))
    return Assignment(members, planned, effective, utilisation, best, sum(len(v) for v in members.values()), gaps)
