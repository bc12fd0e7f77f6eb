"""The scenario JSON Schema for editors (draft-07, what YAML language servers read).

Generated from the pydantic model, then adapted:

- ``$defs`` become ``definitions`` and ``$ref``s follow (draft-07 spelling);
- ``extends`` is allowed at the top, since files use it;
- the YAML shorthands stay valid: a bare number is a fixed distribution,
  and a daily/weekly profile may be given by name (``office_hours``);
- ``effort_hours`` may be ``null`` (a file that extends one removes the base's
  value that way, as a request type given ``steps`` must);
- no key is *required*: a file that ``extends:`` a base is partial, and an
  editor that flagged its "missing" keys would be wrong. Completeness is
  checked by ``orgsim validate``, which sees the merged file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from orgsim.scenario.model import DAILY_PROFILES, WEEKLY_PROFILES, Scenario

__all__ = ["scenario_schema", "schema_ref", "schema_text"]

DRAFT7 = "http://json-schema.org/draft-07/schema#"


_DIST_REF = "#/definitions/_Distribution"
#: keys a file that extends a base may set to null to remove the base's value (the loader's rule), where
#: leaving the base's value in would be an error: a request type with ``steps`` takes no ``effort_hours``
_NULL_REMOVES = {"effort_hours"}
_NAMED = {"daily_profile": sorted(DAILY_PROFILES), "weekly_profile": sorted(WEEKLY_PROFILES)}


def _adapt(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("$ref") in (_DIST_REF, "#/$defs/_Distribution"):
            return {"anyOf": [{"type": "number", "minimum": 0}, {"$ref": _DIST_REF}]}
        out: dict[str, Any] = {}
        required = set(node.get("required", ()))
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                value = {k: ({"anyOf": [_adapt(v), {"enum": _NAMED[k]}]} if k in _NAMED else v)
                         for k, v in value.items()}
                out[key] = {k: (v if k in _NAMED else _adapt(v)) for k, v in value.items()}
                for k in _NULL_REMOVES & set(value) - required:
                    out[key][k] = {"anyOf": [out[key][k], {"type": "null"}]}
                continue
            if key == "required":
                continue  # partial files (extends:) are valid in the editor
            if key == "$defs":
                key = "definitions"
            if key == "$ref" and isinstance(value, str):
                value = value.replace("#/$defs/", "#/definitions/")
            out[key] = _adapt(value)
        return out
    if isinstance(node, list):
        return [_adapt(v) for v in node]
    return node


def scenario_schema() -> dict[str, Any]:
    """The draft-07 JSON Schema of a scenario file.

    >>> scenario_schema()["$schema"]
    'http://json-schema.org/draft-07/schema#'
    """
    schema = _adapt(Scenario.model_json_schema(mode="validation"))
    schema = {"$schema": DRAFT7, **schema}
    schema["properties"]["extends"] = {"type": "string", "description": "Path of a base scenario file to merge over."}
    schema["title"] = "orgsim scenario"
    return schema  # type: ignore[no-any-return]


def schema_text() -> str:
    """The schema as written to ``schemas/scenario.schema.json``."""
    return json.dumps(scenario_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_ref(folder: Path) -> str | None:
    """The shipped ``schemas/scenario.schema.json`` relative to ``folder`` (for a written file's first line), if any."""
    shipped = Path(__file__).resolve().parents[2] / "schemas" / "scenario.schema.json"
    return os.path.relpath(shipped, Path(folder).resolve()) if shipped.exists() else None
