"""The fully resolved scenario (after ``extends:`` and defaults), with origins."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from orgsim.scenario.loading import load_with_positions

__all__ = ["resolved_text"]


def _lines(node: Any, path: tuple[str | int, ...], positions: dict, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        sub = (*path, key)
        pos = positions.get(sub)
        origin = f"  # {pos[0]}:{pos[1]}" if pos else "  # default"
        label = f"{key}:" if isinstance(node, dict) else "-"
        if isinstance(value, (dict, list)) and value:
            out.append(f"{pad}{label}{origin}")
            _lines(value, sub, positions, indent + 1, out)
        else:
            out.append(f"{pad}{label} {_scalar(value)}{origin}")


def _scalar(value: Any) -> str:
    buf = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.width = 10_000  # one line per value, so the origin comment stays on it
    yaml.dump(value, buf)
    return buf.getvalue().strip().removesuffix("\n...").strip()


def resolved_text(path: str | Path, origins: bool = False, *, allow_large: bool = False) -> str:
    """YAML of the merged, validated scenario; with ``origins``, each key's file:line."""
    scenario, positions = load_with_positions(path, allow_large=allow_large)
    dumped = scenario.model_dump(mode="json")
    if origins:
        out: list[str] = []
        _lines(dumped, (), positions, 0, out)
        return "\n".join(out) + "\n"
    buf = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None
    yaml.width = 100
    yaml.dump(dumped, buf)
    return buf.getvalue()
