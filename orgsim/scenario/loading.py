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

import copy
import datetime as dt
import difflib
import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from orgsim.arguments import a_mapping, a_path, checks, flag, optional
from orgsim.errors import Problem, ScenarioError, one_line
from orgsim.scenario.cost import DRIVER_KEYS, loop_problems, replication_cost
from orgsim.scenario.counting import count_values
from orgsim.scenario.dotted import Label, cli_label, with_overrides
from orgsim.scenario.limits import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    number_problems,
    size_problems,
    validation_problem,
    work_problem,
)
from orgsim.scenario.model import Scenario
from orgsim.scenario.paths import KeyPath, Positions, capped, model_at, position_of, problem_at
from orgsim.scenario.references import ReferenceProblems
from orgsim.scenario.yamlfast import Replace, read_plain

__all__ = [
    "KeyPath",
    "Positions",
    "load_data",
    "load_scenario",
    "load_variants",
    "load_with_positions",
    "position_of",
    "scenario_from_data",
]

#: top-level keys whose lists name what the rest of the file refers to: never dropped to look further (see _repaired)
_NAMING = {"channels", "audiences", "functions"}


#: the tags a scenario may use; ruamel reads any other (``!!python/name:os.system``) as a plain value, which
#: would hide a mistake or an attack, so each is refused with its line
_TAGS = {None, "!replace", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
         "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
#: longest message text shown (a duplicated key once printed its 10 KB value)


def _control(ch: str) -> bool:
    code = ord(ch)
    return (code < 32 and ch not in "\t\n\r") or 0x7F <= code < 0xA0 and code != 0x85


class _Budget:
    """Counts nodes while converting, to refuse alias bombs.

    Aliases expand lazily, so a small file can stand for billions of nodes (an alias bomb); refuse it before memory runs out.
    """

    def __init__(self, file: str, positions: Positions | None = None) -> None:
        self.file = file
        self.nodes = 0
        self.positions = positions

    def take(self, path: KeyPath) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            # the file itself has at most MAX_NODES values (_count_values), so aliases made the rest
            raise ScenarioError([Problem(self.file, "", f"expands to more than {MAX_NODES} values through aliases "
                                         "(*name repeating an &name anchor); refused")])
        if len(path) > MAX_DEPTH:
            hit = self.positions.get(path) if self.positions is not None else None
            line, col = (hit[1], hit[2]) if hit else (None, None)
            raise ScenarioError([Problem(self.file, ".".join(map(str, path[:5])) + "...",
                                         f"nested deeper than {MAX_DEPTH} levels; refused", line, col)])


def _plain(node: Any, file: str, path: KeyPath, positions: Positions, budget: _Budget | None = None) -> Any:
    """Turn ruamel's round-trip nodes into dicts/lists, noting each key's position.

    A key brought in by a merge (``<<: *defaults``) has no position of its own:
    it is placed where the mapping that merges it starts. Any tag other than
    the plain YAML types and ``!replace`` is refused where it is written.
    """
    budget = budget or _Budget(file, positions)
    budget.take(path)
    _check_tag(node, file, path, positions)
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = Replace() if _tag(node) == "!replace" else {}
        for key, value in node.items():
            line, col = _lc(node.lc.key, key, node)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                what = _SPECIAL.get(type(key).__name__, f"a {type(key).__name__}")
                raise ScenarioError([Problem(file, ".".join(map(str, path)), f"a key must be a plain name, got {what} "
                                             "(a `? ...` complex key)", line + 1, col + 1)])
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
        return node.value  # !!str and the like: keep the plain value
    if isinstance(node, str):
        return str(node)
    return node


#: what the ruamel types of the special YAML collections are called in a message
_SPECIAL = {"CommentedOrderedMap": "!!omap", "CommentedSet": "!!set", "CommentedKeyMap": "a mapping used as a key",
            "CommentedKeySeq": "a list used as a key", "bytes": "!!binary"}


def _refuse(file: str, path: KeyPath, positions: Positions, message: str) -> None:
    raise ScenarioError([problem_at(path, message, positions, file)])


def _check_tag(node: Any, file: str, path: KeyPath, positions: Positions) -> None:
    special = _SPECIAL.get(type(node).__name__)
    if special is not None:
        _refuse(file, path, positions, f"{special} is not a scenario value; use a plain mapping, list or string")
    tag = _tag(node)
    if tag not in _TAGS:
        shown = tag.replace("tag:yaml.org,2002:", "!!") if tag else tag
        _refuse(file, path, positions, f"the tag {one_line(str(shown), 80)} is not allowed (only !replace); "
                                       "remove it")


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


def _read_text(path: Path, shown: str) -> str:
    """The file's text: a regular file only (not a FIFO, a device), at most :data:`MAX_FILE_BYTES` read."""
    try:
        info = path.stat()
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise ScenarioError([Problem(shown, "", "no such file")]) from None
        raise ScenarioError([Problem(shown, "", f"cannot be read: {exc.strerror or exc}")]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError([Problem(shown, "", "is a folder, expected a scenario YAML file")])
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError([Problem(shown, "", "is not a regular file (a device, pipe or socket); expected a "
                                                "scenario YAML file")])
    try:
        # O_NONBLOCK: should the file turn into a FIFO between the check and the open, opening it cannot hang
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ScenarioError([Problem(shown, "", "is not a regular file; expected a scenario YAML file")])
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([Problem(shown, "", f"cannot be read: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(shown, "", f"is over {MAX_FILE_BYTES} bytes; scenario files are limited to "
                                                f"{MAX_FILE_BYTES}")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(shown, "", f"is not UTF-8 text (byte {exc.start})")]) from None


def _read_one(path: Path, shown: str, positions: Positions) -> dict[str, Any]:
    text = _read_text(path, shown)
    bad = next((i for i, ch in enumerate(text) if _control(ch)), None)
    if bad is not None:
        line = text.count("\n", 0, bad) + 1
        col = bad - (text.rfind("\n", 0, bad) + 1) + 1
        raise ScenarioError([Problem(shown, "", f"control character {ord(text[bad]):#04x} is not allowed in YAML",
                                     line, col)])
    count_values(text, shown)
    plain = read_plain(text, shown, positions)  # an ordinary file, read by libyaml: 10x faster, same result
    if plain is not None:
        return plain
    yaml = YAML(typ="rt", pure=True)
    try:
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = one_line(str(exc.problem or exc.context))
        raise ScenarioError([Problem(shown, "", f"not valid YAML: {what}", *at)]) from None
    except YAMLError as exc:
        raise ScenarioError([Problem(shown, "", f"not valid YAML: {one_line(str(exc))}")]) from None
    except ValueError as exc:  # a well-formed but impossible timestamp (2026-02-30) fails while constructing
        raise ScenarioError([Problem(shown, "", f"not a valid date: {one_line(str(exc))}", *_bad_date(text))]) from None
    except RecursionError:
        raise ScenarioError([Problem(shown, "", f"nested too deeply to read (limit {MAX_DEPTH} levels); refused")]) from None
    if node is None or (isinstance(node, str) and not node.strip()):
        raise ScenarioError([Problem(shown, "", "is empty, expected a scenario mapping")])
    if not isinstance(node, CommentedMap):
        raise ScenarioError([Problem(shown, "", "expected a mapping of keys (name:, demand:, team: ...) at the top")])
    return _plain(node, shown, (), positions)  # type: ignore[no-any-return]


def _bad_date(text: str) -> tuple[int | None, int | None]:
    """Line and column of the first date-like value that is no date (2026-02-30)."""
    for match in re.finditer(r"(?<![\w.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.-]*\d{4})", text):
        try:
            dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            start = match.start()
            return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
    return None, None


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


def load_data(path: str | Path, _chain: tuple[Path, ...] = (), _chain_shown: tuple[str, ...] = (),
              _cycle_at: tuple[int | None, int | None] = (None, None)) -> tuple[dict[str, Any], Positions]:
    """Read a scenario file and its ``extends:`` chain into one merged mapping.

    Returns the data and the position (file, line, column) of every key.
    """
    path = Path(path)
    shown = str(path)
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise ScenarioError([Problem(shown, "", f"cannot be read: {one_line(str(exc), 120)}")]) from None
    if resolved in _chain:
        cycle = " -> ".join(str(p.name) for p in (*_chain, resolved))
        line, col = _cycle_at
        raise ScenarioError([Problem(_chain_shown[-1] if _chain_shown else shown, "extends",
                                     f"extends itself in a cycle: {cycle}", line, col)])
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
    try:
        is_file, is_dir = base_path.is_file(), base_path.is_dir()
    except OSError as exc:  # a name too long, say
        raise ScenarioError([Problem(shown, "extends", f"base file cannot be opened: {exc.strerror or exc}", line,
                                     col)]) from None
    if not is_file:
        what = "is a folder" if is_dir else "does not exist"
        raise ScenarioError([Problem(shown, "extends", f"base file {one_line(str(base_path), 120)!r} {what}", line,
                                     col)])
    base, base_positions = load_data(base_path, (*_chain, resolved), (*_chain_shown, shown), (line, col))
    base_positions.update({k: v for k, v in positions.items() if k != ("extends",)})
    return _merge(base, data), base_positions


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


def _path(error: Any) -> KeyPath:
    """An error's key path, without pydantic's internal steps (``function-before[...]``)."""
    return tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))


def _references(error: Any) -> ReferenceProblems | None:
    original = (error.get("ctx") or {}).get("error")
    return original if isinstance(original, ReferenceProblems) else None


def _problems(exc: ValidationError, positions: Positions, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors():
        refs = _references(error)
        if refs is not None:
            problems += [problem_at(path, message, positions, file) for path, message in refs.problems]
        else:
            problems.append(problem_at(_path(error), _describe(error, _path(error)), positions, file))
    return problems


def _repaired(data: Mapping[str, Any], exc: ValidationError) -> dict[str, Any] | None:
    """``data`` without each bad value, so the cross-reference checks can run too; ``None`` if that is unsafe.

    Pydantic checks that names resolve only once every field is valid, so a bad
    priority would hide an unknown channel until fixed. A bad key that is
    unknown, or a single value whose default can stand in for it, is dropped;
    anything else (a required key, an item of a list, a whole block, a list
    that defines names) could make up problems that are not there, so then the
    file's field problems are reported alone.
    """
    out: dict[str, Any] = copy.deepcopy(dict(data))
    dropped: set[KeyPath] = set()
    for error in exc.errors():
        path = _path(error)
        if path in dropped:
            continue  # one value, several errors (each branch of a union)
        if not path or isinstance(path[-1], int) or (len(path) == 1 and path[0] in _NAMING):
            return None
        node: Any = out
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict) or path[-1] not in node:
            return None
        if error["type"] != "extra_forbidden":
            model = model_at(path[:-1])
            field = model.model_fields.get(str(path[-1])) if model is not None else None
            if field is None or field.is_required() or isinstance(node[path[-1]], (dict, list)):
                return None
        del node[path[-1]]
        dropped.add(path)
    return out


def _validate(data: Mapping[str, Any], positions: Positions, file: str) -> tuple[Scenario | None, list[Problem]]:
    try:
        return Scenario.model_validate(data), []
    except ValidationError as exc:
        problems = _problems(exc, positions, file)
        if any(_references(e) for e in exc.errors()):
            return None, problems
        repaired = _repaired(data, exc)
        if repaired is not None:
            try:
                Scenario.model_validate(repaired)
            except ValidationError as again:
                for error in again.errors():
                    refs = _references(error)
                    if refs is not None:
                        problems += [problem_at(path, message, positions, file) for path, message in refs.problems]
        return None, problems


def scenario_from_data(data: Mapping[str, Any], positions: Positions | None = None, file: str = "<data>", *,
                       allow_large: bool = False) -> Scenario:
    """Validate merged scenario data; raise :class:`ScenarioError` with every problem, each where it was written.

    The one gate every scenario passes, whether read from a file, changed by
    ``--set`` or :func:`~orgsim.scenario.overrides.with_changes`, or read back
    from a saved study: sizes within :mod:`~orgsim.scenario.limits` (unless
    ``allow_large``), every field valid, every name defined, every approver
    tied to the organisation.

    >>> scenario_from_data({"name": "x"})
    Traceback (most recent call last):
    ...
    orgsim.errors.ScenarioError: <data>: channels: required key is missing
    <data>: audiences: required key is missing
    <data>: demand: required key is missing
    <data>: team: required key is missing
    <data>: structure: required key is missing
    """
    positions = positions or {}
    problems = number_problems(data, positions, file)
    if problems:  # a field check would report the same values again, less clearly
        raise ScenarioError(capped(problems))
    problems = [] if allow_large else size_problems(data, positions, file)
    if any(p.key.endswith("people") and "people exceed" in p.message for p in problems):
        raise ScenarioError(capped(problems))  # validating a team that large would itself take minutes
    too_wide = None if allow_large else validation_problem(data, positions, file)
    if too_wide is not None:
        raise ScenarioError([too_wide])  # checking every department's routes would itself take minutes
    scenario, invalid = _validate(data, positions, file)
    problems += invalid
    if problems or scenario is None:
        raise ScenarioError(capped(problems))
    loops = loop_problems(scenario)  # always: a near-certain loop never ends, however large the limits
    if loops:
        raise ScenarioError(capped([problem_at(path, message, positions, file) for path, message in loops]))
    costly = None if allow_large else work_problem(scenario, 1)  # one replication; each command checks its own count
    if costly is not None:
        drivers = replication_cost(scenario).drivers
        biggest = DRIVER_KEYS[max(drivers, key=lambda k: drivers[k])]  # the line of what drives it most
        raise ScenarioError([problem_at(biggest if biggest in positions else ("run", "horizon_days"), costly,
                                        positions, file)])
    return scenario


@checks(path=a_path, overrides=optional(a_mapping), allow_large=flag)
def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None, *, allow_large: bool = False) -> Scenario:
    """Load, merge and validate a scenario file, with dotted ``overrides`` set (as ``sweep --set`` does).

    ``allow_large`` lifts the model-size limits (:mod:`orgsim.scenario.limits`).

    >>> s = load_scenario("scenarios/network.yaml")
    >>> s.structure.kind
    'network'
    >>> load_scenario("scenarios/network.yaml", {"policies.approval_steps": 0}).policies.approval_steps
    0
    """
    return load_with_positions(path, overrides, allow_large=allow_large)[0]


def load_with_positions(path: str | Path, overrides: Mapping[str, Any] | None = None, *, allow_large: bool = False,
                        label: Label = cli_label) -> tuple[Scenario, Positions]:
    """:func:`load_scenario`, also returning where each key was written (for warnings)."""
    data, positions = load_data(path)
    if overrides:
        data, positions = with_overrides(data, positions, overrides, label)
    return scenario_from_data(data, positions, str(path), allow_large=allow_large), positions


def load_variants(path: str | Path, variants: Sequence[Mapping[str, Any]], *, allow_large: bool = False,
                  label: Label = cli_label, each: Callable[[Scenario], None] | None = None) -> list[Scenario]:
    """One scenario per set of dotted overrides of the file (the points of a sweep), the file read once.

    Every point is validated; the problems of all of them are raised together,
    each named by the override that caused it (``--set team.size=0: ...``).
    ``each`` sees every valid point as it is made (a sweep's budget, which
    stops a grid that is over it before the rest is validated).
    """
    data, positions = load_data(path)
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for changes in variants:
        try:
            varied, where = with_overrides(data, positions, changes, label)
            scenarios.append(scenario_from_data(varied, where, str(path), allow_large=allow_large))
            if each is not None:
                each(scenarios[-1])
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(capped(problems))
    return scenarios
