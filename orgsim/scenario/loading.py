"""Reading scenario files: YAML with positions, ``extends:``, and clear errors.

A file may start with ``extends: base.yaml`` (a path relative to the file):
the base is loaded first, then this file is merged over it — mappings merge
key by key, everything else (lists, numbers, strings) is replaced whole.
Two escapes: a mapping tagged ``!replace`` replaces the base's mapping
instead of merging into it (a new ``structure:`` or a new team), and a key
set to ``null`` (``~``) removes what the base set, so its default applies.
Each value keeps the file, line and column it came from, so every error can
point at the line to fix.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from orgsim.errors import Problem, ScenarioError
from orgsim.scenario.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, size_problems
from orgsim.scenario.model import Scenario
from orgsim.scenario.references import ReferenceProblems

__all__ = ["load_data", "load_scenario", "load_with_positions", "position_of", "scenario_from_data"]

KeyPath = tuple[str | int, ...]
Positions = dict[KeyPath, tuple[str, int, int]]

MAX_PROBLEMS = 20


class Replace(dict):  # type: ignore[type-arg]
    """A mapping tagged ``!replace``: merged over a base, it replaces instead."""


class _Budget:
    """Counts nodes while converting, to refuse alias bombs.

    Aliases expand lazily, so a small file can stand for billions of nodes (an alias bomb); refuse it before memory runs out.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.nodes = 0

    def take(self, path: KeyPath) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ScenarioError([Problem(self.file, "", f"expands to more than {MAX_NODES} values (aliases/anchors "
                                         "repeated too often?); refused")])
        if len(path) > MAX_DEPTH:
            raise ScenarioError([Problem(self.file, ".".join(map(str, path[:5])) + "...",
                                         f"nested deeper than {MAX_DEPTH} levels; refused")])


def _plain(node: Any, file: str, path: KeyPath, positions: Positions, budget: _Budget | None = None) -> Any:
    """Turn ruamel's round-trip nodes into dicts/lists, noting each key's position."""
    budget = budget or _Budget(file)
    budget.take(path)
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = Replace() if _tag(node) == "!replace" else {}
        for key, value in node.items():
            line, col = node.lc.key(key)
            positions[(*path, str(key))] = (file, line + 1, col + 1)
            out[str(key)] = _plain(value, file, (*path, str(key)), positions, budget)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for i, value in enumerate(node):
            line, col = _lc(node.lc.item, i, node)
            positions[(*path, i)] = (file, line + 1, col + 1)
            out_list.append(_plain(value, file, (*path, i), positions, budget))
        return out_list
    if hasattr(node, "value") and type(node).__module__.startswith("ruamel"):
        return node.value  # tagged scalars and the like: keep the plain value
    if isinstance(node, str):
        return str(node)
    return node


def _lc(lookup: Any, key: Any, node: Any) -> tuple[int, int]:
    """0-based (line, col) of a key or item.

    Tagged nodes (``!!python/...``) may carry none, so fall back to the node's own start.
    """
    try:
        hit = lookup(key)
    except (KeyError, IndexError, TypeError):
        hit = None
    if hit is None:
        return (getattr(node.lc, "line", 0) or 0, getattr(node.lc, "col", 0) or 0)
    return hit[0], hit[1]


def _tag(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    return getattr(tag, "value", None) if tag is not None else None


def _read_one(path: Path, shown: str, positions: Positions) -> dict[str, Any]:
    if not path.exists():
        raise ScenarioError([Problem(shown, "", "no such file")])
    if path.is_dir():
        raise ScenarioError([Problem(shown, "", "is a folder, expected a scenario YAML file")])
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError([Problem(shown, "", f"cannot be read: {exc.strerror}")]) from None
    if size > MAX_FILE_BYTES:
        raise ScenarioError([Problem(shown, "", f"is {size} bytes; scenario files are limited to {MAX_FILE_BYTES}")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(shown, "", f"is not UTF-8 text (byte {exc.start})")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(shown, "", f"cannot be read: {exc.strerror}")]) from None
    yaml = YAML(typ="rt", pure=True)
    try:
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ScenarioError([Problem(shown, "", f"not valid YAML: {exc.problem or exc.context}", line, col)]) from None
    except YAMLError as exc:
        raise ScenarioError([Problem(shown, "", f"not valid YAML: {exc}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(shown, "", f"nested too deeply to read (limit {MAX_DEPTH} levels); refused")]) from None
    if node is None or (isinstance(node, str) and not node.strip()):
        raise ScenarioError([Problem(shown, "", "is empty, expected a scenario mapping")])
    if not isinstance(node, CommentedMap):
        raise ScenarioError([Problem(shown, "", "expected a mapping of keys (name:, demand:, team: ...) at the top")])
    return _plain(node, shown, (), positions)  # type: ignore[no-any-return]


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Replace):
            out[key] = dict(value)
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_data(path: str | Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], Positions]:
    """Read a scenario file and its ``extends:`` chain into one merged mapping.

    Returns the data and the position (file, line, column) of every key.
    """
    path = Path(path)
    shown = str(path)
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(str(p.name) for p in (*_chain, resolved))
        raise ScenarioError([Problem(shown, "extends", f"extends itself in a cycle: {cycle}")])
    positions: Positions = {}
    data = _read_one(path, shown, positions)
    parent = data.pop("extends", None)
    if parent is None:
        return data, positions
    ext_pos = positions.get(("extends",))
    line, col = (ext_pos[1], ext_pos[2]) if ext_pos else (None, None)
    if not isinstance(parent, str):
        raise ScenarioError([Problem(shown, "extends", "expected the path of a base scenario file", line, col)])
    base_path = path.parent / parent
    if not base_path.is_file():
        what = "is a folder" if base_path.is_dir() else "does not exist"
        raise ScenarioError([Problem(shown, "extends", f"base file {str(base_path)!r} {what}", line, col)])
    base, base_positions = load_data(base_path, (*_chain, resolved))
    base_positions.update({k: v for k, v in positions.items() if k != ("extends",)})
    return _merge(base, data), base_positions


def position_of(path: KeyPath, positions: Positions, default_file: str) -> tuple[str, int | None, int | None]:
    """Where ``path`` (or the nearest key above it) was written; the file alone if nowhere."""
    for n in range(len(path), 0, -1):
        hit = positions.get(path[:n])
        if hit:
            return hit
    return default_file, None, None


def model_at(path: KeyPath) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``path`` (for suggestions)."""
    tp: Any = Scenario
    for part in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return None
            tp = field.annotation
        elif typing.get_origin(tp) in (dict, list):
            tp = typing.get_args(tp)[-1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            models = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = next((a for a in models if typing.get_origin(a) in (dict, list) or isinstance(a, type)), models[0])
        else:
            return tp


def _describe(error: Any, path: KeyPath) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        model = model_at(path[:-1])
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else (f"; expected one of: {', '.join(known)}" if known else "")
        return f"unknown key{hint}"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if ("input" in error and kind not in ("model_type", "dict_type") and "got " not in message
            and not isinstance(error["input"], (dict, list))):
        message += f", got {error['input']!r}"
    return message


def scenario_from_data(data: Mapping[str, Any], positions: Positions | None = None, file: str = "<data>") -> Scenario:
    """Validate merged scenario data; raise :class:`ScenarioError` with every problem."""
    positions = positions or {}
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems: list[Problem] = []
        for error in exc.errors():
            original = (error.get("ctx") or {}).get("error")
            if isinstance(original, ReferenceProblems):
                for path, message in original.problems:
                    f, line, col = position_of(path, positions, file)
                    problems.append(Problem(f, ".".join(map(str, path)), message, line, col))
                continue
            # Drop pydantic's internal steps (function-before[...]) from the path.
            path = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
            f, line, col = position_of(path, positions, file)
            problems.append(Problem(f, ".".join(map(str, path)), _describe(error, path), line, col))
        raise ScenarioError(problems[:MAX_PROBLEMS]) from None


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge and validate a scenario file.

    >>> s = load_scenario("scenarios/network.yaml")  # doctest: +SKIP
    >>> s.structure.kind  # doctest: +SKIP
    'network'
    """
    return load_with_positions(path)[0]


def load_with_positions(path: str | Path) -> tuple[Scenario, Positions]:
    """:func:`load_scenario`, also returning where each key was written (for warnings)."""
    data, positions = load_data(path)
    too_big = size_problems(data, positions, str(path))
    if too_big:
        raise ScenarioError(too_big[:MAX_PROBLEMS])
    return scenario_from_data(data, positions, str(path)), positions
