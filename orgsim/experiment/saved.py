"""Saved studies and explorations read back: a schema for each, errors at the value's path, undefined figures named.

``study.json`` (``orgsim compare --out``) and ``exploration.json`` (``orgsim
explore --out``) are checked against a JSON Schema (draft 2020-12, by
``jsonschema``) before anything is drawn from them, so an edited or damaged
file is refused with the place of the first bad value
(``study.json: runs[0][1].silo_latency_answered_hours.mean: expected a number, got
'12'``) instead of failing deep inside a chart. A study's figures are also
held to their metric's range (a latency is never negative, a share stays in
0..1), and the figures that are undefined (NaN or null: a run with no answered
message has no reply time) are listed, so a report can say so instead of
drawing a gap without a word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orgsim.arguments import _FAMILIES
from orgsim.errors import OrgsimError

__all__ = ["EXPLORATION_SCHEMA", "STUDY_SCHEMA", "check_exploration", "check_study", "undefined_figures"]

_VALUE: dict[str, Any] = {"anyOf": [
    {"type": ["number", "boolean", "null"]},
    {"type": "array", "items": {"$ref": "#/$defs/value"}},
    {"type": "object", "additionalProperties": {"$ref": "#/$defs/value"}},
]}

#: a run's figures: numbers, flags and nulls all the way down; text only in ``detail`` (people's names and roles)
STUDY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format", "seed", "replications", "scenarios", "runs"],
    "properties": {
        "format": {"type": "integer"},
        "seed": {"type": "integer", "minimum": 0},
        "replications": {"type": "integer", "minimum": 1},
        "sources": {"type": "array", "items": {"type": "string"}},
        "scenarios": {"type": "array", "minItems": 1, "items": {"type": "object"}},
        "runs": {"type": "array", "items": {"type": "array", "items": {"$ref": "#/$defs/figures"}}},
    },
    "$defs": {
        "value": _VALUE,
        "figures": {"type": "object", "properties": {"detail": {"type": "object"}},
                    "additionalProperties": {"$ref": "#/$defs/value"}},
    },
}

_RECORDS = {"type": "array", "items": {"type": "object"}}
EXPLORATION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format", "method", "designs", "design_ids", "replications", "seed", "points", "inputs",
                 "indices", "rules", "differences"],
    "properties": {
        "format": {"const": 1},
        "method": {"enum": ["morris", "sobol"]},
        "designs": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "design_ids": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "replications": {"type": "integer", "minimum": 1},
        "seed": {"type": "integer", "minimum": 0},
        "points": {"type": "integer", "minimum": 0},
        "defaults_used": {"type": "boolean"},
        "inputs": {"type": "array", "items": {"type": "object", "required": ["input", "low", "high"],
                                              "properties": {"input": {"type": "string"},
                                                             "low": {"type": "number"}, "high": {"type": "number"}}}},
        "indices": _RECORDS, "rules": _RECORDS, "differences": _RECORDS, "outcomes": _RECORDS, "samples": _RECORDS,
    },
}


def _where(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the top)"


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, (str, int, float, bool)) or value is None else type(value).__name__
    return text if len(text) <= 40 else text[:39] + "…"


def _validate(body: Any, schema: Mapping[str, Any], source: str, again: str) -> None:
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return
    first = _deepest(errors[0])
    missing = first.message.split("'")[1] if first.validator == "required" and "'" in first.message else "a key"
    expected = {"type": f"expected {first.validator_value}", "required": f"required key {missing} is missing",
                "minimum": f"expected at least {first.validator_value}", "anyOf": "expected a number (or null)",
                "const": f"expected {first.validator_value!r}", "enum": f"expected one of {first.validator_value}",
                "minItems": "expected at least one item"}.get(str(first.validator), first.message)
    got = "" if first.validator == "required" else f", got {_shown(first.instance)}"
    more = f" ({len(errors) - 1} more)" if len(errors) > 1 else ""
    raise OrgsimError(f"{source}: {_where(first.absolute_path)}: {expected}{got}{more}; {again}")


def _deepest(error: Any) -> Any:
    """The innermost failure under an ``anyOf`` (the bad number, not the mapping that holds it)."""
    best = error
    for sub in error.context or ():
        inner = _deepest(sub)
        if len(inner.absolute_path) > len(best.absolute_path):
            best = inner
    return best


def check_study(body: Any, source: str) -> None:
    """Refuse a ``study.json`` body that breaks :data:`STUDY_SCHEMA` or holds a figure outside its metric's range."""
    again = "the file was changed or damaged: run the comparison again"
    _validate(body, STUDY_SCHEMA, source, again)
    from orgsim.metrics.registry import metrics_for

    for d, runs in enumerate(body["runs"]):
        for r, figures in enumerate(runs):
            for m in metrics_for([figures]):
                value = m.of(figures)
                # hours and shares are never negative; other figures may be (a backlog that falls), and a
                # share may pass 1 (utilisation with overtime), so only that floor is held
                if (m.unit in ("h", "share") and isinstance(value, (int, float)) and not isinstance(value, bool)
                        and value < 0):
                    raise OrgsimError(f"{source}: runs[{d}][{r}].{'.'.join(map(str, m.path))}: {m.label} is "
                                      f"{value:g}, expected a figure >= 0; {again}")


def undefined_figures(designs: Sequence[str], runs: Sequence[Sequence[Mapping[str, Any]]]) -> list[str]:
    """The primary figures that are undefined (NaN or null) in some replication: ``"design: metric (k of n)"``."""
    from orgsim.metrics.registry import metrics_for

    out = []
    for name, design_runs in zip(designs, runs, strict=True):
        for m in metrics_for(list(design_runs)):
            if not m.primary:
                continue
            missing = sum(1 for f in design_runs if not isinstance(v := m.of(f), (int, float)) or v != v)
            if missing:
                out.append(f"{name}: {m.label} ({missing} of {len(design_runs)} replications)")
    return out


def check_exploration(body: Any, source: str) -> None:
    """Refuse an ``exploration.json`` body that breaks :data:`EXPLORATION_SCHEMA` or names metrics orgsim lacks."""
    again = "run the exploration again"
    _validate(body, EXPLORATION_SCHEMA, source, again)
    from orgsim.metrics.registry import metric

    for table in ("indices", "rules", "differences", "outcomes"):
        for i, row in enumerate(body.get(table, [])):
            mid = row.get("metric")
            if mid is None:
                continue
            try:
                if isinstance(mid, str) and not mid.startswith(_FAMILIES):
                    metric(mid)
            except KeyError:
                mid = None
            if not isinstance(row.get("metric"), str) or mid is None:
                raise OrgsimError(f"{source}: {table}[{i}].metric: unknown metric {_shown(row.get('metric'))}; {again}")
