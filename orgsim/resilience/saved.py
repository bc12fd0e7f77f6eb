"""A saved resilience study read back: ``resilience.json`` checked against a schema before a report draws it.

``orgsim report --resilience-from DIR`` and ``orgsim compare --resilience-from DIR``
read the file ``orgsim resilience --out DIR`` wrote. An edited or damaged file is
refused with the place of its first bad value (``resilience.json:
designs.by-network.stresses[3].severity: expected a number (or null), got '12'``),
as :mod:`orgsim.experiment.saved` does for ``study.json``, instead of failing deep
inside the report's heat map.
"""

from __future__ import annotations

from typing import Any

from orgsim.errors import OrgsimError
from orgsim.experiment.saved import _validate

__all__ = ["RESILIENCE_SCHEMA", "check_resilience"]

_TEXT = {"type": "string"}
_TEXTS = {"type": "array", "items": _TEXT}
_COUNT = {"type": "integer", "minimum": 0}
#: a figure: undefined (null) when no run gave one (a run with no answered message has no reply time)
_FIGURE = {"type": ["number", "null"]}
_MAYBE_TEXT = {"type": ["string", "null"]}


def _record(required: dict[str, Any], **optional: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": {**required, **optional}}


_IMPACT = _record({"label": _TEXT, "unit": _TEXT, "full": _FIGURE, "stressed": _FIGURE, "diff": _FIGURE,
                   "ci95": {"type": "array", "minItems": 2, "maxItems": 2, "items": _FIGURE}, "harm": _FIGURE,
                   "verdict": _TEXT, "target": {"type": "boolean"}, "missed": {"type": "boolean"}})
_STRESS = _record({"id": _TEXT, "kind": _TEXT, "label": _TEXT, "away": _TEXTS, "window": _TEXT, "severity": _FIGURE,
                   "worse": _COUNT, "better": _COUNT, "unclear": _COUNT, "missed": _COUNT, "sentence": _MAYBE_TEXT,
                   "impacts": {"type": "object", "additionalProperties": _IMPACT}})
_RISK = _record({"id": _TEXT, "kind": _TEXT, "label": _TEXT, "away": _TEXTS, "severity": _FIGURE, "missed": _TEXTS,
                 "sentence": _MAYBE_TEXT})
_BUS = _record({"skill": _TEXT, "label": _TEXT, "people": _TEXTS, "order": _TEXTS, "bus_factor": _COUNT,
                "at_least": {"type": "boolean"}, "all": {"type": "boolean"}, "why": _MAYBE_TEXT},
               missed_with=_TEXTS)  # only where a target was missed
_WORST = {"anyOf": [{"type": "null"}, _record({"id": _TEXT, "label": _TEXT, "severity": _FIGURE,
                                               "sentence": _MAYBE_TEXT})]}
_DESIGN = _record({"name": _TEXT, "structure": _TEXT, "unstable": _TEXTS, "judged": {"type": "boolean"},
                   "people": _COUNT, "absences_missing": _COUNT, "single_points": _TEXTS, "worst_absence": _WORST,
                   "risks": {"type": "array", "items": _RISK}, "bus_factors": {"type": "array", "items": _BUS},
                   "stresses": {"type": "array", "items": _STRESS}})

#: what the report and ``compare --json`` read of a study (:func:`orgsim.resilience.resilience_json` writes it)
RESILIENCE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    **_record({"format": {"type": "integer"}, "kind": {"const": "resilience"},
               "replications": {"type": "integer", "minimum": 1}, "seed": {"type": "integer", "minimum": 0},
               "options": {"type": "object"}, "start_days": {"type": "array", "items": {"type": "number"}},
               "sources": _TEXTS, "rule": _TEXT, "most_resilient": _MAYBE_TEXT,
               "designs": {"type": "object", "minProperties": 1, "additionalProperties": _DESIGN}}),
}


def check_resilience(body: Any, source: str) -> None:
    """Refuse a ``resilience.json`` body that breaks :data:`RESILIENCE_SCHEMA` or names a design it does not hold."""
    again = "the file was changed or damaged: run orgsim resilience --out again"
    _validate(body, RESILIENCE_SCHEMA, source, again)
    best = body["most_resilient"]
    if best is not None and best not in body["designs"]:
        raise OrgsimError(f"{source}: most_resilient: {best!r} is none of its designs "
                          f"({', '.join(body['designs'])}); {again}")
