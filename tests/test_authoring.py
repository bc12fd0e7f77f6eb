"""Errors that point at the line; init and show."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from orgsim.cli import app
from orgsim.errors import ScenarioError
from orgsim.scenario import load_scenario
from orgsim.scenario.templates import STRUCTURES, starter
from tests.conftest import ROOT

runner = CliRunner()


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def test_every_error_has_file_line_column_key_found_expected(tmp_path: Path) -> None:
    text = starter("network", 2).replace('hours: "09:00-17:30"', 'hours: "9 to 5"', 1)
    text = text.replace("per_week: 3", "per_weak: 3").replace("capacity: 0.8", "capacity: lots", 1)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    lines = text.splitlines()
    problems = _problems(path)
    assert len(problems) >= 3  # all reported together, not only the first
    hours = next(p for p in problems if ".hours:" in p)
    line = next(i for i, s in enumerate(lines, 1) if "9 to 5" in s)
    assert hours.startswith(f"{path}:{line}:7: team.people.p1.hours:") and "'9 to 5'" in hours
    assert any("per_weak: unknown key; did you mean 'per_week'?" in p for p in problems)
    assert any("capacity" in p and "'lots'" in p for p in problems)


def test_errors_in_a_base_file_name_that_file(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(starter("network", 2).replace("capacity: 0.8", "capacity: 7", 1))
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nname: child\n")
    problems = _problems(tmp_path / "child.yaml")
    assert any(p.startswith(f"{tmp_path / 'base.yaml'}:") and "capacity" in p for p in problems)


def test_cross_references_are_positioned(tmp_path: Path) -> None:
    text = starter("network", 2).replace("members: [p1]", "members: [p1, zoe]", 1)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "zoe" in s)
    problems = _problems(path)
    assert any(f":{line}:" in p and "zoe" in p for p in problems), problems


def test_many_problems_are_capped(tmp_path: Path) -> None:
    text = starter("network", 2) + "".join(f"junk{i}: 1\n" for i in range(50))
    path = tmp_path / "s.yaml"
    path.write_text(text)
    problems = _problems(path)
    assert len(problems) == 21 and problems[-1].endswith("and 30 more problems not shown")


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("size", [1, 3, 8])
def test_init_writes_a_scenario_that_validates(tmp_path: Path, structure: str, size: int) -> None:
    path = tmp_path / "new.yaml"
    result = runner.invoke(app, ["init", "--structure", structure, "--team-size", str(size), str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_text().startswith("# yaml-language-server: $schema=")
    assert len(load_scenario(path).team.people) == size


def test_init_runs_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    again = runner.invoke(app, ["init", str(path)])
    assert again.exit_code == 1 and "already exists" in again.output
    result = runner.invoke(app, ["run", str(path), "--replications", "1", "--horizon-days", "3", "--warmup-days", "1"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["init", "--structure", "matrix", str(tmp_path / "x.yaml")]).exit_code == 1


def test_show_resolves_extends_and_names_origins() -> None:
    solo = ROOT / "scenarios" / "solo.yaml"
    if not solo.exists():
        pytest.skip("examples not merged")
    plain = runner.invoke(app, ["show", str(solo)])
    assert plain.exit_code == 0 and "demand:" in plain.output and "extends" not in plain.output
    traced = runner.invoke(app, ["show", "--origins", str(solo)])
    assert "base.yaml:" in traced.output and "solo.yaml:" in traced.output and "# default" in traced.output


def test_structure_names_come_from_one_list() -> None:
    from orgsim.org.structures import STRUCTURES as STRATEGIES
    from orgsim.scenario.structure import STRUCTURE_KINDS

    assert tuple(STRATEGIES) == STRUCTURE_KINDS  # a routing class for every kind a file may name
    starters = {k: YAML(typ="safe").load(starter(k, 2))["structure"]["kind"] for k in STRUCTURES}
    assert starters == {"network": "network", "function": "function", "audience": "audience", "embedded": "network"}
