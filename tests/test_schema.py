"""The shipped editor schema is current, draft-07, and accepts every example."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.scenario.loading import _read_one
from tests.conftest import EXAMPLES, ROOT, WHAT_IFS

SHIPPED = ROOT / "schemas" / "scenario.schema.json"


def test_shipped_schema_is_current() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.output == SHIPPED.read_text(encoding="utf-8"), "regenerate: orgsim schema > schemas/scenario.schema.json"


def test_schema_is_draft7() -> None:
    schema = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(schema)
    assert "$defs" not in SHIPPED.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", EXAMPLES + WHAT_IFS, ids=lambda p: p.name)
def test_every_example_validates_against_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    up = "../" * len(path.relative_to(ROOT / "scenarios").parts)
    assert first == f"# yaml-language-server: $schema={up}schemas/scenario.schema.json"
    validator = jsonschema.Draft7Validator(json.loads(SHIPPED.read_text(encoding="utf-8")))
    data = _read_one(path, str(path), {})
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def test_schema_catches_a_misspelled_key_and_allows_shorthands() -> None:
    validator = jsonschema.Draft7Validator(json.loads(SHIPPED.read_text(encoding="utf-8")))
    assert not validator.is_valid({"nmae": "x"})
    assert validator.is_valid({"extends": "base.yaml", "team": {"people": {"a": {"hours": "09:00-17:00"}}}})
    stream = {"per_day": 3, "handle_minutes": 5, "daily_profile": "office_hours"}
    assert validator.is_valid({"demand": {"messages": {"x": stream}}})
    assert not validator.is_valid({"demand": {"messages": {"x": {**stream, "handle_minutes": "soon"}}}})
