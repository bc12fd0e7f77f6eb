"""A scenario file counted by libyaml's C parser before the slow, position-keeping reader sees it.

The round-trip reader that keeps every key's line and column is pure Python
(about 0.1 ms a value); libyaml's event parser walks the same file in a few
milliseconds per thousand values. This pass refuses, at the line and key
where they are written, what would make the slow reader (or what follows it)
run long or read wrongly: too many values, a list longer than any scenario
has, a number too long to be one, an alias that contains itself, and more
departments than validation can route.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)

from orgsim.errors import Problem, ScenarioError
from orgsim.scenario.limits import HOW, MAX_LIST_ITEMS, MAX_MAGNITUDE, MAX_NODES, MAX_ROUTE_CELLS

__all__ = ["count_values"]

#: a plain scalar that is a number of more than 40 digits (a seed is below 2**128, 39 digits; any other
#: number below 1e12): refused where written, before the reader turns it into an int (Python refuses
#: more than 4,300 digits, and that error had no position)
_LONG_NUMBER = re.compile(r"^[-+]?(?:0[xob])?[0-9_.eE+-]{41,}$")


def count_values(text: str, shown: str) -> None:
    """Refuse a file with more than :data:`MAX_NODES` values before the slow round-trip reader sees it.

    The round-trip reader that keeps positions is pure Python (about 0.1 ms a
    value: a 4.9 MB file of plain lists once took 42 s and 1.1 GB before it
    was refused); libyaml's event parser counts the same values in a few
    milliseconds per thousand. Aliases count once here; what they expand to
    is counted while converting (:class:`_Budget`). A file libyaml cannot
    parse is left to the round-trip reader, whose error has the position.
    """
    reader = YAML(typ="safe")
    if reader.Parser.__name__ != "CParser":  # no libyaml (ruamel.yaml.clib): counting would double the slow read
        return
    counted = 0
    #: for each open collection: [is a list, items (a list) or events (a mapping: even = a key), its key here]
    opened: list[list[Any]] = []
    open_anchors: list[str | None] = []  # the anchors of the collections the parser is inside

    def refuse(event: Any, message: str, here: Any = None) -> None:
        mark = event.start_mark
        key = ".".join(str(k) for k in [*(c[2] for c in opened[1:]), here] if k is not None)
        raise ScenarioError([Problem(shown, key, message, mark.line + 1, mark.column + 1)])

    try:
        for event in reader.parse(text):
            if not isinstance(event, (ScalarEvent, AliasEvent, CollectionStartEvent, CollectionEndEvent)):
                continue
            if isinstance(event, CollectionEndEvent):
                opened.pop()
                open_anchors.pop()
                continue
            counted += 1
            here = None
            if opened:
                top = opened[-1]
                top[1] += 1
                if top[0]:
                    here = top[1] - 1
                elif top[1] % 2 == 1:  # a mapping's key
                    top[3] = event.value if isinstance(event, ScalarEvent) else "?"
                else:
                    here = top[3]
            if counted > MAX_NODES:
                refuse(event, f"has more than {MAX_NODES} values; scenario files are limited to {MAX_NODES}")
            n = _departments_so_far(opened)
            if n * n > MAX_ROUTE_CELLS:  # each department is routed to every other place, the others at least
                refuse(event, f"more than {n:,} departments: with their routes to each other alone over "
                              f"{n * n:,} routes to check, over the limit of {MAX_ROUTE_CELLS:,}; merge departments, or "
                              f"{HOW}", here)
            if opened and opened[-1][0] and opened[-1][1] > MAX_LIST_ITEMS:
                refuse(event, f"a list of more than {MAX_LIST_ITEMS:,} items; no scenario list is that long "
                              "(a profile has 24 or 7)")
            if isinstance(event, AliasEvent) and event.anchor in open_anchors:
                refuse(event, f"the alias *{event.anchor} stands for a mapping or list that contains it: a value "
                              "that contains itself has no end; write the value out", here)
            if isinstance(event, ScalarEvent) and not event.style and _LONG_NUMBER.match(event.value):
                refuse(event, f"a number of {len(event.value):,} characters; numbers are limited to "
                              f"{MAX_MAGNITUDE:g} (a seed to 2**128)", here)
            if isinstance(event, CollectionStartEvent):
                opened.append([isinstance(event, SequenceStartEvent), 0, here, None])
                open_anchors.append(event.anchor)
    except YAMLError:
        return


def _departments_so_far(opened: list[list[Any]]) -> int:
    """While counting: the departments read so far if the parser is at a key of ``demand.departments``, else 0."""
    if len(opened) != 3 or opened[2][0] or opened[2][1] % 2 == 0 or (opened[1][2], opened[2][2]) != (
            "demand", "departments"):
        return 0
    return int((opened[2][1] + 1) // 2)
