"""Scenario YAML written for people: one-line lists and mappings, comments kept, lines never wrapped.

Files orgsim writes for an analyst to edit (``init``, ``designs``, ``calibrate``) share these, so that
they read alike and load back through :mod:`orgsim.scenario.loading`.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

__all__ = ["dump_yaml", "flow_map", "flow_seq"]


def flow_seq(values: list[Any]) -> CommentedSeq:
    """A list written on one line: ``[a, b]``."""
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def flow_map(data: dict[str, Any]) -> CommentedMap:
    """A mapping written on one line: ``{a: 1}``."""
    m = CommentedMap(data)
    m.fa.set_flow_style()
    return m


def dump_yaml(doc: CommentedMap, header: str = "") -> str:
    """``doc`` as YAML text (comments kept), after ``header`` comment lines.

    Lines are never wrapped (width 4096): a wrapped flow list is harder to edit than a long one.
    """
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return header + buf.getvalue()
