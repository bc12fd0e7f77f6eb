"""One record per answered request, and the per-request quantities kept of it.

Whatever way a request went (a process through triage, parts and approvals,
a workflow's steps, or the direct path of a one-task request), its flow
(:mod:`orgsim.sim.flows`) hands exactly one :class:`Answer` to the recorder
(:mod:`orgsim.sim.record`) when the department has the answer.

What is kept of the answers is :data:`QUANTITIES`: one entry per per-request
quantity, each worked out from the records' fields all at once. Full mode
makes each a column of ``Result.requests``; summary mode adds each to a
running sum per request kind (:class:`~orgsim.sim.tally.Tally`). So a
quantity that follows from an answer's fields is one entry below; one the
flows must measure is a field of :class:`Answer` (filled where the flows build
it) and an entry below.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import starmap
from typing import NamedTuple

import numpy as np

__all__ = ["FIELD", "QUANTITIES", "Answer", "Quantity", "as_array", "field_quantity"]


class Answer(NamedTuple):
    """What one answered request leaves: when, of what kind, and where its silo latency went.

    The four clocks (queue, work, handoff, approval) add up to ``answered -
    arrived`` along the request's critical path; ``person_hours`` counts
    everyone's hands-on time, parallel parts included. The direct path builds
    the same fields as a plain tuple (a class call per request cost more).
    """

    request: int  # the request's number (its row in the requests table)
    kind: int  # index of its request kind (department x request type)
    arrived: float  # hours on the simulation clock
    answered: float
    queue_hours: float
    work_hours: float
    handoff_hours: float
    approval_hours: float
    person_hours: float
    handoffs: int  # ties crossed, all parts and rounds
    cross_group_handoffs: int  # ... of which between groups
    parts: int  # parts the request was split into (a workflow counts as one)
    reworked: int  # 1 if it went round again (rework, or back to a step it had done)


#: column of each field in an array of records
FIELD = {name: i for i, name in enumerate(Answer._fields)}
#: one record as doubles (see :func:`as_array`)
_PACK = struct.Struct(f"{len(Answer._fields)}d").pack


def as_array(records: list[tuple[float, ...]]) -> np.ndarray:
    """Answers as an array, one row each (kinds and counts are small whole numbers: exact as floats).

    Packed as doubles by ``struct``, record by record in C, then read by
    numpy: fewer instructions a value than ``np.fromiter`` over the values
    or ``np.array`` of the list of tuples (docs/validation.md, "The engine
    in parts (issue #27)").
    """
    return np.frombuffer(b"".join(starmap(_PACK, records)), dtype=float).reshape(-1, len(Answer._fields))


@dataclass(frozen=True)
class Quantity:
    """A per-request quantity: a requests-table column in full mode, a per-kind sum in summary mode."""

    name: str
    #: the quantity of many answers at once, from their fields by name (arrays; NaN where unanswered)
    of: Callable[[Mapping[str, np.ndarray]], np.ndarray]
    #: a whole number (an ``Int64`` column, empty while unanswered), else hours
    count: bool = False


def field_quantity(name: str, count: bool = False) -> Quantity:
    """A field of :class:`Answer` kept as it is."""
    return Quantity(name, lambda fields: fields[name], count)


#: the requests table's measurement columns, in order (after ``request``, ``department`` ... ``arrived``)
QUANTITIES: tuple[Quantity, ...] = (
    field_quantity("answered"),
    field_quantity("queue_hours"),
    field_quantity("work_hours"),
    field_quantity("handoff_hours"),
    field_quantity("approval_hours"),
    field_quantity("person_hours"),
    field_quantity("handoffs", count=True),
    field_quantity("cross_group_handoffs", count=True),
    field_quantity("parts", count=True),
    field_quantity("reworked", count=True),
)
